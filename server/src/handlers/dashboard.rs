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

use crate::auth::AuthUser;
use crate::error::AppError;
use crate::{now_ms, AppState};

/// Today in China time, the day every figure is counted by.
pub fn today() -> Date {
    Date::from_unix_ms_offset(now_ms(), model::date::CHINA_UTC_OFFSET_MINUTES)
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
    let mine: Vec<String> = if user.role == Role::Admin {
        {
            let mut ids: Vec<String> = crate::grids::all(state.storage.as_ref())
                .await?
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            ids.sort();
            ids
        }
    } else {
        user.grids.clone()
    };
    let mut grids = match asked.map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => mine,
        Some(list) => {
            let asked: Vec<String> = list.split(',').map(|g| g.trim().to_owned()).collect();
            if let Some(other) = asked
                .iter()
                .find(|g| !mine.contains(g) && user.role != Role::Admin)
            {
                return Err(AppError::Forbidden(format!(
                    "网格 {other} 不在您的范围内 (grid {other} is not one of yours)"
                )));
            }
            asked
        }
    };
    grids.sort();
    grids.dedup();
    Ok(grids)
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
    Ok(d)
}
