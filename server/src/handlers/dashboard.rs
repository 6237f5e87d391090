//! `GET /api/v1/dashboard?date=YYYY-MM-DD&grids=a,b`: the supervisor's figures, computed here
//! from the merged records so a phone needs no copy of every resident to see them.
//!
//! Additive to the protocol (`docs/sync-protocol.md#dashboard`). Staff see only their own grids (admins every grid); asking
//! for another grid is 403 `forbidden`, volunteers get 403 for the whole endpoint.

use model::access::receives_all;
use model::entities::spot_check;
use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::Json;
use model::dashboard::{self, Dashboard, Worker};
use model::{Date, Role};

use crate::answers::{users_fingerprint, Counted};
use crate::auth::AuthUser;
use crate::error::AppError;
use crate::storage::UserRecord;
use crate::{now_ms, AppState};

/// Today in China time, the day every figure is counted by.
pub fn today() -> Date {
    Date::from_unix_ms_offset(now_ms(), model::date::CHINA_UTC_OFFSET_MINUTES)
}

/// The grids a user's dashboard shows when they name none, sorted: their own grids, and for an
/// admin every grid there is.
pub async fn default_grids(state: &AppState, user: &UserRecord) -> Result<Vec<String>, AppError> {
    let mut grids: Vec<String> = if user.role == Role::Admin {
        crate::grids::all(state.storage.as_ref())
            .await?
            .into_iter()
            .map(|(id, _)| id)
            .collect()
    } else {
        user.grids.clone()
    };
    grids.sort();
    grids.dedup();
    Ok(grids)
}

/// The grids the caller asked about, all of which they may see; their own grids when they did
/// not say. Admins may name any grid; their default is every grid there is.
pub async fn chosen_grids(
    state: &AppState,
    caller: &AuthUser,
    asked: Option<&String>,
) -> Result<Vec<String>, AppError> {
    let user = &caller.user;
    if !model::access::Endpoint::Dashboard.allows(user.role) {
        return Err(AppError::Forbidden(
            "志愿者无权查看汇总数据 (volunteers cannot see the dashboard)".into(),
        ));
    }
    let mine = default_grids(state, user).await?;
    let Some(list) = asked.map(|s| s.trim()).filter(|s| !s.is_empty()) else {
        return Ok(mine);
    };
    let mut grids: Vec<String> = list.split(',').map(|g| g.trim().to_owned()).collect();
    if let Some(other) = grids
        .iter()
        .find(|g| !mine.contains(g) && user.role != Role::Admin)
    {
        return Err(AppError::Forbidden(format!(
            "网格 {other} 不在您的范围内 (grid {other} is not one of yours)"
        )));
    }
    grids.sort();
    grids.dedup();
    Ok(grids)
}

/// Reads, in the background after a start, the snapshots that supervisors' overviews ask for
/// first (their own grids), at most as many as the cache keeps, one at a time. Their first look
/// after a restart is then a count over records in memory, not a read of every record of their
/// grids (hundreds of ms for a street office, shared with the records pages of the supervisor's
/// own first sync, which the overview asks for beside them). A later write only brings a
/// snapshot read ahead up to date. Admins are left to ask: theirs is every record of every grid,
/// which a district's server should not hold in memory before anyone wants it. Returns how many
/// snapshots were read.
pub async fn warm(state: &AppState) -> Result<usize, AppError> {
    let users = state.storage.list_users().await?;
    let mut scopes: Vec<Vec<String>> = Vec::new();
    for user in users
        .iter()
        .filter(|u| u.role == Role::Supervisor && !u.disabled)
    {
        let grids = default_grids(state, user).await?;
        if !grids.is_empty() && !scopes.contains(&grids) {
            scopes.push(grids);
        }
    }
    scopes.truncate(crate::snapshot::CACHED_SNAPSHOTS);
    for grids in &scopes {
        state
            .snapshots
            .get(state.storage.as_ref(), Some(grids))
            .await?;
    }
    Ok(scopes.len())
}

/// The `date` parameter, or today.
pub fn chosen_date(q: &HashMap<String, String>) -> Result<Date, AppError> {
    match q.get("date").filter(|d| !d.is_empty()) {
        None => Ok(today()),
        Some(d) => Date::parse(d)
            .ok_or_else(|| AppError::Malformed(format!("date must be YYYY-MM-DD, not {d:?}"))),
    }
}

pub async fn get(
    State(state): State<AppState>,
    caller: AuthUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Dashboard>, AppError> {
    let date = chosen_date(&q)?;
    let grids = chosen_grids(&state, &caller, q.get("grids")).await?;
    let mut d = build(&state, &grids, date).await?;
    // The checks of a worker's visits are the supervisor's: a role that may not read spot
    // checks receives none of their figures either (issue 17).
    if !receives_all(caller.user.role, spot_check::NAME) {
        for w in &mut d.workload {
            w.spot_reached = None;
            w.spot_confirmed = None;
        }
    }
    Ok(Json(d))
}

/// The dashboard of `grids` (already checked against the caller's scope) on `date`.
pub async fn build(state: &AppState, grids: &[String], date: Date) -> Result<Dashboard, AppError> {
    let snap = state
        .snapshots
        .get(state.storage.as_ref(), Some(grids))
        .await?;
    let users = state.storage.list_users().await?;
    let counted = Counted {
        grids: grids.to_vec(),
        date,
        seq: snap.seq,
        users: users_fingerprint(&users),
    };
    if let Some(answer) = state.answers.get(&counted) {
        return Ok(answer);
    }
    let names: std::collections::HashMap<String, String> = users
        .iter()
        .map(|u| (u.id.clone(), u.name.clone()))
        .collect();
    // Building leaders knock on doors too: their visits are a load like a grid worker's.
    let workers: Vec<Worker> = users
        .into_iter()
        .filter(|u| matches!(u.role, Role::GridWorker | Role::BuildingLeader) && !u.disabled)
        .map(|u| Worker {
            id: u.id,
            name: u.name,
            grids: u.grids,
        })
        .collect();
    let (grids_owned, load, policy) = (
        grids.to_vec(),
        state.config.daily_load,
        state.config.vaccination,
    );
    // Tens of ms of counting over every record of the grids (more in a district): off the
    // runtime's threads, which meanwhile answer the records pages of the supervisor's own first
    // sync, asked for beside this.
    let mut d = tokio::task::spawn_blocking(move || {
        dashboard::compute_with(
            &snap.entities,
            &grids_owned,
            &workers,
            date,
            now_ms(),
            load,
            policy,
        )
    })
    .await
    .map_err(|e| anyhow::anyhow!("the dashboard's count failed: {e}"))?;
    d.tile_url = state.config.tile_url.clone();
    for person in &mut d.responsible {
        if let Some(name) = person.id.as_ref().and_then(|id| names.get(id)) {
            person.name = name.clone();
        }
    }
    state.answers.put(counted, &d);
    Ok(d)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::storage::{scratch, NewUser, UserUpdate};
    use crate::{demo, AppState, Config};

    use super::*;

    /// A server's state over a new database seeded with the small demo, and its folder.
    async fn demo_state() -> (
        tempfile::TempDir,
        Arc<dyn crate::storage::Storage>,
        AppState,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let storage = scratch::fresh_in(dir.path()).await.unwrap();
        demo::seed(storage.as_ref(), demo::Size::Small)
            .await
            .unwrap();
        let state = AppState::new(storage.clone(), Config::from_lookup(|_| None).unwrap());
        (dir, storage, state)
    }

    async fn user(state: &AppState, username: &str) -> UserRecord {
        let users = state.storage.list_users().await.unwrap();
        users.into_iter().find(|u| u.username == username).unwrap()
    }

    #[tokio::test]
    async fn a_start_reads_ahead_the_overviews_of_supervisors_and_nobody_elses() {
        let (_dir, storage, state) = demo_state().await;
        let wangfang = user(&state, "wangfang").await;
        let first_grid = wangfang.grids[0].clone();
        for (username, role, grids) in [
            ("street1", Role::Supervisor, vec![first_grid.clone()]),
            ("leader1", Role::BuildingLeader, vec![first_grid.clone()]),
        ] {
            storage
                .create_user(NewUser {
                    username: username.into(),
                    name: username.into(),
                    role,
                    grids,
                    password_hash: String::new(),
                })
                .await
                .unwrap();
        }
        // zhaomin supervises wangfang's grids, not every grid there is.
        let zhaomin = user(&state, "zhaomin").await;
        let update = UserUpdate {
            grids: Some(wangfang.grids.clone()),
            ..UserUpdate::default()
        };
        storage.update_user(&zhaomin.id, update).await.unwrap();
        let (zhaomin, street1, admin) = (
            user(&state, "zhaomin").await,
            user(&state, "street1").await,
            user(&state, "admin").await,
        );
        let scope = |u: &UserRecord| {
            let state = state.clone();
            let u = u.clone();
            async move { default_grids(&state, &u).await.unwrap() }
        };
        let (two, one, all) = (
            scope(&zhaomin).await,
            scope(&street1).await,
            scope(&admin).await,
        );
        assert!(two.len() == 2 && all.len() > 2 && one.len() == 1);

        // The two supervisors' grids; not the admin's every grid, and not the grid worker's or
        // the building leader's, who start on Today, whose figures are their own device's.
        assert_eq!(warm(&state).await.unwrap(), 2);
        let warmed = state
            .snapshots
            .cached(Some(&two))
            .expect("zhaomin's grids read ahead");
        assert!(state.snapshots.cached(Some(&one)).is_some());
        assert!(state.snapshots.cached(Some(&all)).is_none());

        // The supervisor's first look counts from the snapshot read ahead, and says what a
        // server that read nothing ahead says.
        let date = today();
        let looked = build(&state, &two, date).await.unwrap();
        let used = state.snapshots.cached(Some(&two)).unwrap();
        assert!(
            Arc::ptr_eq(&warmed, &used),
            "the dashboard read its records again"
        );
        let cold = AppState::new(storage, Config::from_lookup(|_| None).unwrap());
        let mut expected = build(&cold, &two, date).await.unwrap();
        expected.server_time_ms = looked.server_time_ms;
        assert_eq!(
            serde_json::to_value(&looked).unwrap(),
            serde_json::to_value(&expected).unwrap()
        );
    }

    /// An answer is counted again when a record or a user changed, or when it is older than
    /// the reuse time, and served from memory otherwise: the same figures, counted at the same
    /// moment.
    #[tokio::test]
    async fn a_dashboard_is_counted_again_only_after_a_write_a_user_change_or_a_while() {
        let (_dir, storage, mut state) = demo_state().await;
        let wangfang = user(&state, "wangfang").await;
        let grids = wangfang.grids.clone();
        let date = today();
        let pause = || tokio::time::sleep(std::time::Duration::from_millis(3));
        let first = build(&state, &grids, date).await.unwrap();
        pause().await;
        let again = build(&state, &grids, date).await.unwrap();
        assert_eq!(again, first, "nothing changed: the same answer");

        // A write anywhere.
        let grid = grids[0].clone();
        storage
            .transact(crate::storage::Work::new(move |tx| {
                let change = model::wire::Change {
                    entity: "e".into(),
                    id: "x".into(),
                    field: "a".into(),
                    value: serde_json::json!(1),
                    hlc: "1764331200000-0000-dev".into(),
                };
                tx.insert(&change, Some(&grid))?;
                Ok(true)
            }))
            .await
            .unwrap();
        let after_write = build(&state, &grids, date).await.unwrap();
        assert!(after_write.server_time_ms > first.server_time_ms);

        // A worker's new name.
        pause().await;
        let rename = UserUpdate {
            name: Some("王芳芳".into()),
            ..UserUpdate::default()
        };
        storage.update_user(&wangfang.id, rename).await.unwrap();
        let renamed = build(&state, &grids, date).await.unwrap();
        assert!(renamed.server_time_ms > after_write.server_time_ms);
        assert!(renamed.workload.iter().any(|w| w.name == "王芳芳"));

        // Another day, and an answer past its reuse time.
        let yesterday = date.add_days(-1);
        assert_eq!(
            build(&state, &grids, yesterday).await.unwrap().date,
            yesterday.to_string()
        );
        state.answers = Arc::new(crate::answers::Answers::new(std::time::Duration::ZERO));
        let first = build(&state, &grids, date).await.unwrap();
        pause().await;
        let later = build(&state, &grids, date).await.unwrap();
        assert!(later.server_time_ms > first.server_time_ms);
    }
}
