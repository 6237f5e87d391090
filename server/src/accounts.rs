//! User administration shared by the API and the command line: the rules a user name, password,
//! role and grids must meet, and creating and changing users with the profile others see.

use std::sync::{Mutex, OnceLock};

use model::entities::user_profile;
use model::hlc::{Clock, Hlc};
use model::wire::{Change, CreateUserRequest, UpdateUserRequest, UserAccount};
use model::Role;
use serde_json::json;

use crate::auth;
use crate::error::AppError;
use crate::storage::{NewUser, Storage, StorageError, UserRecord, UserUpdate};

pub use model::account::{check_name, check_password, check_username};

pub const USERNAME_TAKEN: &str = "用户名已被使用 (user name is taken)";

/// What the API lists: everything but the password hash.
pub fn account(u: &UserRecord) -> UserAccount {
    UserAccount {
        id: u.id.clone(),
        username: u.username.clone(),
        name: u.name.clone(),
        role: u.role,
        grids: u.grids.clone(),
        disabled: u.disabled,
    }
}

/// Unknown grids, and whether the role fits the grids: a grid worker or supervisor needs at
/// least one, a volunteer has none (they see deliveries, not grids), an admin sees all anyway.
async fn check_grids(
    storage: &dyn Storage,
    role: Role,
    grids: &[String],
    problems: &mut Vec<String>,
) -> Result<(), AppError> {
    if !grids.is_empty() {
        let known: std::collections::HashSet<String> = crate::grids::all(storage)
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        for g in grids.iter().filter(|g| !known.contains(*g)) {
            problems.push(format!("没有这个网格 (no such grid): {g}"));
        }
    }
    match role {
        r if model::account::needs_grids(r) && grids.is_empty() => problems.push(
            "网格员、楼门栋长/组长、督导员和街道至少要有一个网格 (grid workers, building leaders, supervisors and street offices need at least one grid)"
                .into(),
        ),
        Role::Volunteer if !grids.is_empty() => {
            problems.push("志愿者不分配网格 (volunteers have no grids)".into())
        }
        _ => {}
    }
    Ok(())
}

async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| anyhow::anyhow!("password hashing task: {e}"))?
        .map_err(AppError::Internal)
}

fn dedup(grids: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    grids
        .into_iter()
        .filter(|g| seen.insert(g.clone()))
        .collect()
}

pub async fn create(storage: &dyn Storage, req: CreateUserRequest) -> Result<UserRecord, AppError> {
    let name = match req.name.trim() {
        "" => req.username.clone(),
        n => n.to_owned(),
    };
    let grids = dedup(req.grids);
    let mut problems: Vec<String> = [
        check_username(&req.username),
        check_name(&name),
        check_password(&req.password),
    ]
    .into_iter()
    .flatten()
    .collect();
    if problems.is_empty() && storage.user_by_username(&req.username).await?.is_some() {
        problems.push(USERNAME_TAKEN.into());
    }
    check_grids(storage, req.role, &grids, &mut problems).await?;
    if !problems.is_empty() {
        return Err(AppError::Rejected(problems));
    }
    let password_hash = hash(req.password).await?;
    let user = storage
        .create_user(NewUser {
            username: req.username,
            name,
            role: req.role,
            grids,
            password_hash,
        })
        .await
        .map_err(|e| match e {
            // Another admin took the name between the check and the insert.
            StorageError::Conflict(_) => AppError::Rejected(vec![USERNAME_TAKEN.into()]),
            e => e.into(),
        })?;
    write_profile(storage, &user).await?;
    Ok(user)
}

/// Changes user `id`. `actor` is the admin doing it (none from the command line): an admin may
/// not lock themself out by disabling their own account or dropping their own admin role.
pub async fn update(
    storage: &dyn Storage,
    actor: Option<&UserRecord>,
    id: &str,
    req: UpdateUserRequest,
) -> Result<UserRecord, AppError> {
    let before = storage.user_by_id(id).await?.ok_or(AppError::NotFound)?;
    let mut problems = Vec::new();
    if actor.is_some_and(|a| a.id == before.id) {
        if req.disabled == Some(true) {
            problems.push("不能停用自己的账号 (you cannot disable your own account)".into());
        }
        if req.role.is_some_and(|r| r != Role::Admin) {
            problems
                .push("不能取消自己的管理员角色 (you cannot remove your own admin role)".into());
        }
    }
    let name = req.name.map(|n| n.trim().to_owned());
    if let Some(problem) = name.as_deref().and_then(check_name) {
        problems.push(problem);
    }
    if let Some(problem) = req.password.as_deref().and_then(check_password) {
        problems.push(problem);
    }
    let role = req.role.unwrap_or(before.role);
    let mut grids = req.grids.map(dedup);
    // Becoming a volunteer drops the grids: a volunteer has none.
    if grids.is_none() && role == Role::Volunteer && req.role.is_some() {
        grids = Some(Vec::new());
    }
    if req.role.is_some() || grids.is_some() {
        let effective = grids.clone().unwrap_or_else(|| before.grids.clone());
        check_grids(storage, role, &effective, &mut problems).await?;
    }
    if !problems.is_empty() {
        return Err(AppError::Rejected(problems));
    }
    let password_hash = match req.password {
        Some(p) => Some(hash(p).await?),
        None => None,
    };
    let after = storage
        .update_user(
            id,
            UserUpdate {
                name,
                role: req.role,
                grids,
                password_hash,
                disabled: req.disabled,
            },
        )
        .await?
        .ok_or(AppError::NotFound)?;
    if after.name != before.name || after.role != before.role || after.grids != before.grids {
        write_profile(storage, &after).await?;
    }
    Ok(after)
}

/// Brings every user's profile up to date with the users table: a database from before profiles
/// kept their grids (issue 16) gets them at its first start, so a door is given only to who can
/// see it. A profile already up to date is not written again.
pub async fn refresh_profiles(storage: &dyn Storage) -> Result<usize, AppError> {
    let users = storage.list_users().await?;
    let ids = users.iter().map(|u| u.id.clone()).collect();
    let fields = [
        user_profile::field::NAME,
        user_profile::field::ROLE,
        user_profile::field::GRIDS,
    ];
    let stored = storage
        .values(user_profile::NAME, Some(ids), &fields)
        .await?;
    let mut written = 0;
    for user in &users {
        let profile = stored.get(&user.id);
        let text = |f: &str| profile.and_then(|p| p.get(f)).and_then(|v| v.as_str());
        let current = text(user_profile::field::NAME) == Some(user.name.as_str())
            && text(user_profile::field::ROLE) == Some(user.role.as_str())
            && text(user_profile::field::GRIDS)
                == Some(user_profile::grids_text(&user.grids).as_str());
        if !current {
            write_profile(storage, user).await?;
            written += 1;
        }
    }
    Ok(written)
}

/// The clock of the values this process writes itself (a profile, a settled contest), with a
/// device id of its own so that two servers sharing a database never make the same stamp. A
/// caller stamps inside its write transaction, after observing the stamps it replaces, so its
/// value wins whatever the servers' clocks say.
pub fn server_clock() -> &'static Mutex<Clock> {
    static CLOCK: OnceLock<Mutex<Clock>> = OnceLock::new();
    CLOCK.get_or_init(|| {
        let device = format!("server-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        Mutex::new(Clock::new(device).unwrap_or_else(|_| unreachable!("a valid device id")))
    })
}

/// Writes the user's `user_profile` record (name, role and grids), which every device syncs so a need's
/// assignee or a delivery's volunteer can be shown. Stamped inside the write transaction after
/// the stamps it replaces (so a change made through another server sharing the database a moment
/// ago never wins over this one, whatever the two servers' clocks say), by a clock of this
/// process with a device id of its own (so two servers never make the same stamp).
async fn write_profile(storage: &dyn Storage, user: &UserRecord) -> Result<(), AppError> {
    let clock = server_clock();
    let (id, name, role) = (user.id.clone(), user.name.clone(), user.role.as_str());
    let grids = user_profile::grids_text(&user.grids);
    let written = storage
        .write(move |tx| {
            // The server's own write: no device sent it, so it has no history entry.
            crate::records::write_checked(tx, None, |lookup| {
                let wall = crate::now_ms() as u64;
                let mut clock = clock.lock().unwrap_or_else(|p| p.into_inner());
                for field in [
                    user_profile::field::NAME,
                    user_profile::field::ROLE,
                    user_profile::field::GRIDS,
                ] {
                    let stored = lookup.stamp(user_profile::NAME, &id, field)?;
                    if let Some(stored) = stored.and_then(|s| Hlc::parse(&s).ok()) {
                        clock.observe(&stored, wall);
                    }
                }
                let stamp = clock.now(wall).to_string();
                let change = |field: &str, value: serde_json::Value| Change {
                    entity: user_profile::NAME.into(),
                    id: id.clone(),
                    field: field.into(),
                    value,
                    hlc: stamp.clone(),
                };
                Ok(Ok::<_, std::convert::Infallible>(vec![
                    change(user_profile::field::NAME, json!(name)),
                    change(user_profile::field::ROLE, json!(role)),
                    change(user_profile::field::GRIDS, json!(grids)),
                ]))
            })
        })
        .await?;
    let _ = written.unwrap_or_else(|never| match never {});
    Ok(())
}
