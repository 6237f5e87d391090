//! The demo's accounts: who they are, over which grids, the profile record each user has among
//! the synced data, and their passwords: random for each database, kept in it so that every
//! start can print them again.

use std::collections::HashMap;

use model::entities::user_profile;
use model::Role;
use serde_json::json;

use super::community::Grid;
use super::seeder::Seeder;
use crate::storage::{NewUser, Storage};

/// One demo account: role, user name, display name, indexes of its grids.
pub struct DemoAccount {
    pub role: Role,
    pub username: &'static str,
    pub name: &'static str,
    pub grids: &'static [usize],
}

pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        role: Role::Admin,
        username: "admin",
        name: "系统管理员",
        grids: &[0, 1, 2, 3, 4],
    },
    DemoAccount {
        role: Role::Supervisor,
        username: "zhaomin",
        name: "赵敏",
        grids: &[0, 1, 2, 3, 4],
    },
    DemoAccount {
        role: Role::GridWorker,
        username: "wangfang",
        name: "王芳",
        grids: &[0, 1],
    },
    DemoAccount {
        role: Role::GridWorker,
        username: "liqiang",
        name: "李强",
        grids: &[2, 3, 4],
    },
    // Added (issue 16): the leader of the first two buildings of the first grid, 幸福里小区 1
    // and 2 号楼 (楼门栋长), answerable for those doors only.
    DemoAccount {
        role: Role::BuildingLeader,
        username: "sunli",
        name: "孙丽",
        grids: &[0],
    },
    DemoAccount {
        role: Role::Volunteer,
        username: "chenjing",
        name: "陈静",
        grids: &[0, 1],
    },
    DemoAccount {
        role: Role::Volunteer,
        username: "liuyang",
        name: "刘洋",
        grids: &[0, 1],
    },
    // Added (issue 17): the street office above the demo's communities, which answers their
    // escalated needs and receives their reports.
    DemoAccount {
        role: Role::StreetOffice,
        username: "zhouming",
        name: "周明",
        grids: &[0, 1, 2, 3, 4],
    },
];

/// The `meta` key of the demo passwords: a JSON object from user name to password.
const PASSWORDS_KEY: &str = "demo_passwords";

/// The lines the server prints at start, exactly `demo account: <role> <user name> <password>`,
/// one per demo account of this database whose password still logs it in: none when the
/// database was not seeded with the demo, none for an account disabled or given a new password.
pub async fn account_lines(storage: &dyn Storage) -> anyhow::Result<Vec<String>> {
    let passwords = stored_passwords(storage).await?;
    let mut lines = Vec::new();
    for a in ACCOUNTS {
        let Some(password) = passwords.get(a.username) else {
            continue;
        };
        let Some(user) = storage.user_by_username(a.username).await? else {
            continue;
        };
        if user.disabled || !crate::auth::verify_password(password, &user.password_hash) {
            continue;
        }
        lines.push(format!(
            "demo account: {} {} {password}",
            a.role.as_str(),
            a.username
        ));
    }
    Ok(lines)
}

async fn stored_passwords(storage: &dyn Storage) -> anyhow::Result<HashMap<String, String>> {
    Ok(match storage.meta(PASSWORDS_KEY).await? {
        Some(json) => serde_json::from_str(&json)?,
        None => HashMap::new(),
    })
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

    /// Who answers for the `h`-th household of the grid at `index`: the building leader for
    /// the first two buildings of their grid, nobody for the last flat of each other building
    /// of that grid (newcomers the supervisor has yet to hand out), the grid's worker elsewhere.
    pub fn responsible_for(&self, index: usize, h: usize) -> Option<&str> {
        let leader = self
            .with_role(Role::BuildingLeader)
            .find(|(a, _)| a.grids.contains(&index));
        match leader {
            Some((_, id)) if h < 40 => Some(id),
            Some(_) if h % 20 == 19 => None,
            _ => Some(self.worker_of(index)),
        }
    }

    /// The community office's administrator.
    pub fn admin(&self) -> &str {
        self.with_role(Role::Admin)
            .map(|(_, id)| id)
            .next()
            .expect("the demo has an admin")
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

/// Creates every demo account, each with a new random password, and writes its profile record.
pub(super) async fn seed(
    storage: &dyn Storage,
    demo: &mut Seeder,
    grids: &[Grid],
) -> anyhow::Result<Staff> {
    // Random per database, never drawn from the demo's fixed generator: a demo reachable from a
    // network must not open with a password everyone can read in the source. Kept before the
    // users exist, so no account is ever made whose password is lost.
    let passwords: HashMap<String, String> = ACCOUNTS
        .iter()
        .map(|a| (a.username.to_owned(), crate::cli::random_password()))
        .collect();
    storage
        .set_meta(PASSWORDS_KEY, &serde_json::to_string(&passwords)?)
        .await?;
    let mut ids = Vec::new();
    for account in ACCOUNTS {
        let id = create(storage, account, &passwords[account.username], grids).await?;
        demo.record(
            user_profile::NAME,
            &id,
            vec![
                (user_profile::field::NAME, json!(account.name)),
                (user_profile::field::ROLE, json!(account.role.as_str())),
                (
                    user_profile::field::GRIDS,
                    json!(user_profile::grids_text(&grids_of(account, grids))),
                ),
            ],
        );
        ids.push(id);
    }
    Ok(Staff { ids })
}

/// The ids of an account's grids.
fn grids_of(account: &DemoAccount, grids: &[Grid]) -> Vec<String> {
    account.grids.iter().map(|&i| grids[i].id.clone()).collect()
}

async fn create(
    storage: &dyn Storage,
    account: &DemoAccount,
    password: &str,
    grids: &[Grid],
) -> anyhow::Result<String> {
    let user = storage
        .create_user(NewUser {
            username: account.username.into(),
            name: account.name.into(),
            role: account.role,
            grids: grids_of(account, grids),
            password_hash: crate::auth::hash_password(password)?,
        })
        .await?;
    Ok(user.id)
}
