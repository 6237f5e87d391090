//! The demo's accounts: who logs in with what password, over which grids, and the profile
//! record each user has among the synced data.

use model::entities::user_profile;
use model::Role;
use serde_json::json;

use super::community::Grid;
use super::seeder::Seeder;
use crate::storage::{NewUser, Storage};

/// One demo account: role, user name, password, display name, indexes of its grids.
pub struct DemoAccount {
    pub role: Role,
    pub username: &'static str,
    pub password: &'static str,
    pub name: &'static str,
    pub grids: &'static [usize],
}

pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        role: Role::Admin,
        username: "admin",
        password: "knock-admin",
        name: "系统管理员",
        grids: &[0, 1, 2, 3, 4],
    },
    DemoAccount {
        role: Role::Supervisor,
        username: "zhaomin",
        password: "knock-demo",
        name: "赵敏",
        grids: &[0, 1, 2, 3, 4],
    },
    DemoAccount {
        role: Role::GridWorker,
        username: "wangfang",
        password: "knock-demo",
        name: "王芳",
        grids: &[0, 1],
    },
    DemoAccount {
        role: Role::GridWorker,
        username: "liqiang",
        password: "knock-demo",
        name: "李强",
        grids: &[2, 3, 4],
    },
    DemoAccount {
        role: Role::Volunteer,
        username: "chenjing",
        password: "knock-demo",
        name: "陈静",
        grids: &[0, 1],
    },
    DemoAccount {
        role: Role::Volunteer,
        username: "liuyang",
        password: "knock-demo",
        name: "刘洋",
        grids: &[0, 1],
    },
];

/// The lines `cargo xtask run` prints, exactly `demo account: <role> <user name> <password>`.
pub fn account_lines() -> Vec<String> {
    ACCOUNTS
        .iter()
        .map(|a| {
            format!(
                "demo account: {} {} {}",
                a.role.as_str(),
                a.username,
                a.password
            )
        })
        .collect()
}

/// The user ids of the created accounts, in the order of [`ACCOUNTS`].
pub(super) struct Staff {
    ids: Vec<String>,
}

impl Staff {
    /// The grid worker who visits the grid at `index` of the demo's grids.
    pub fn worker_of(&self, index: usize) -> &str {
        self.with_role(Role::GridWorker)
            .find(|(a, _)| a.grids.contains(&index))
            .map(|(_, id)| id)
            .expect("every demo grid has a grid worker")
    }

    /// The volunteers who carry health packs, in the order of [`ACCOUNTS`].
    pub fn volunteers(&self) -> Vec<String> {
        self.with_role(Role::Volunteer)
            .map(|(_, id)| id.to_owned())
            .collect()
    }

    fn with_role(&self, role: Role) -> impl Iterator<Item = (&DemoAccount, &str)> {
        ACCOUNTS
            .iter()
            .zip(&self.ids)
            .filter(move |(a, _)| a.role == role)
            .map(|(a, id)| (a, id.as_str()))
    }
}

/// Creates every demo account and writes its profile record.
pub(super) async fn seed(
    storage: &dyn Storage,
    demo: &mut Seeder,
    grids: &[Grid],
) -> anyhow::Result<Staff> {
    let mut ids = Vec::new();
    for account in ACCOUNTS {
        let id = create(storage, account, grids).await?;
        demo.record(
            user_profile::NAME,
            &id,
            vec![
                (user_profile::field::NAME, json!(account.name)),
                (user_profile::field::ROLE, json!(account.role.as_str())),
            ],
        );
        ids.push(id);
    }
    Ok(Staff { ids })
}

async fn create(
    storage: &dyn Storage,
    account: &DemoAccount,
    grids: &[Grid],
) -> anyhow::Result<String> {
    let user = storage
        .create_user(NewUser {
            username: account.username.into(),
            name: account.name.into(),
            role: account.role,
            grids: account.grids.iter().map(|&i| grids[i].id.clone()).collect(),
            password_hash: crate::auth::hash_password(account.password)?,
        })
        .await?;
    Ok(user.id)
}
