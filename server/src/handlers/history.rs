//! `GET /api/v1/history/{entity}/{id}` and `GET /api/v1/history/contested`: who changed what
//! (issue 17, `docs/sync-protocol.md#history`). Both answer only what pull would give the caller:
//! the record must be in their share and each value is judged by the field's read rights, as the
//! row it was would be.

use std::collections::{HashMap, HashSet};

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::Json;
use model::history::{
    self, ContestSide, Contested, ContestedResponse, HistoryEntry, HistoryResponse, SettleRequest,
    SettleResponse,
};
use model::wire::Change;

use crate::accounts::server_clock;
use crate::auth::AuthUser;
use crate::authorize::{self, Refusal};
use crate::error::AppError;
use crate::records::{write_checked, Author};
use crate::scope::{self, Share};
use crate::storage::{Contest, FieldRow, Logged, Storage, UserRecord};
use crate::{departures, AppState};

/// History entries (one a record a batch) read for one record at most: a year of daily edits.
const MAX_ENTRIES: usize = 2_000;
/// Changes read for one record at most (and the entry that passes it): a batch may carry
/// thousands of one record's changes, and the answer must stay a few MiB.
const MAX_CHANGES: usize = 5_000;
/// Contests listed at most: the newest open ones.
const MAX_CONTESTS: usize = 200;
/// Flags read to find them: most flags of a busy month are settled already.
const MAX_FLAGS_READ: usize = 5_000;

pub async fn get_record(
    State(state): State<AppState>,
    caller: AuthUser,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Json<HistoryResponse>, AppError> {
    let Path((entity, id)) = path.map_err(|e| {
        AppError::Malformed(format!("记录路径无法读取 (unreadable record path): {e}"))
    })?;
    let user = &caller.user;
    if !history::may_read_history(user.role) {
        return Err(AppError::Forbidden(
            "只有管理员、督导和网格员可以查看修改记录 (only staff read the history of changes)"
                .into(),
        ));
    }
    let storage = state.storage.as_ref();
    let rows: Vec<FieldRow> = storage
        .record_rows(&entity, &id)
        .await?
        .into_iter()
        .filter(|r| !departures::is_departure(&r.change.field))
        .collect();
    let share = Share::of(storage, user).await?;
    // A record the caller may not see is answered as one that does not exist: the answer must
    // not tell them it is there.
    if !rows
        .iter()
        .any(|r| scope::readable(user, share.as_ref(), r))
    {
        return Err(AppError::NotFound);
    }
    let grid = rows.iter().find_map(|r| r.grid_id.clone());
    let current: HashMap<&str, &str> = rows
        .iter()
        .map(|r| (r.change.field.as_str(), r.change.hlc.as_str()))
        .collect();
    let logged = storage
        .history_of(&entity, &id, MAX_ENTRIES, MAX_CHANGES)
        .await?;
    let names = user_names(storage).await?;
    let mut seen = HashSet::new();
    let mut entries = Vec::new();
    // Oldest first, so that a batch sent twice (its answer lost on the way) counts once, at
    // its first arrival.
    for e in logged.into_iter().rev() {
        for (field, value, hlc) in e.changes {
            if !seen.insert((field.clone(), hlc.clone())) {
                continue;
            }
            let row = FieldRow {
                change: Change {
                    entity: entity.clone(),
                    id: id.clone(),
                    field,
                    value,
                    hlc,
                },
                grid_id: grid.clone(),
                seq: 0,
            };
            if !scope::readable(user, share.as_ref(), &row) {
                continue;
            }
            let c = row.change;
            entries.push(HistoryEntry {
                current: current.get(c.field.as_str()) == Some(&c.hlc.as_str()),
                user_name: names.get(&e.user_id).cloned(),
                user_id: e.user_id.clone(),
                device_id: e.device_id.clone(),
                received_ms: e.at_ms,
                field: c.field,
                value: c.value,
                hlc: c.hlc,
            });
        }
    }
    entries.sort_by(|a, b| (b.received_ms, &b.hlc).cmp(&(a.received_ms, &a.hlc)));
    Ok(Json(HistoryResponse {
        entity,
        id,
        entries,
        retention_days: state.config.history_days,
    }))
}

pub async fn get_contested(
    State(state): State<AppState>,
    caller: AuthUser,
) -> Result<Json<ContestedResponse>, AppError> {
    let user = &caller.user;
    if !history::may_see_contests(user.role) {
        return Err(AppError::Forbidden(
            "只有管理员和督导可以查看修改冲突 (only supervisors and admins see contested fields)"
                .into(),
        ));
    }
    let storage = state.storage.as_ref();
    let names = user_names(storage).await?;
    let mut histories: HashMap<(String, String), Vec<Logged>> = HashMap::new();
    let mut contested = Vec::new();
    for (k, current) in open_contests(&state, user).await? {
        let key = (k.entity.clone(), k.id.clone());
        if !histories.contains_key(&key) {
            let h = storage
                .history_of(&k.entity, &k.id, MAX_ENTRIES, MAX_CHANGES)
                .await?;
            histories.insert(key.clone(), h);
        }
        let history = &histories[&key];
        let side = |(value, hlc): (serde_json::Value, String)| {
            let sent = history
                .iter()
                .rev()
                .find(|e| e.changes.iter().any(|(f, _, h)| *f == k.field && *h == hlc));
            ContestSide {
                device_id: model::hlc::Hlc::device_of(&hlc)
                    .unwrap_or_default()
                    .to_owned(),
                user_id: sent.map(|e| e.user_id.clone()),
                user_name: sent.and_then(|e| names.get(&e.user_id).cloned()),
                received_ms: sent.map(|e| e.at_ms),
                value,
                hlc,
            }
        };
        contested.push(Contested {
            sides: vec![side(k.held), side(k.arrived)],
            entity: k.entity,
            id: k.id,
            field: k.field,
            grid_id: k.grid_id,
            flagged_ms: k.at_ms,
            current_hlc: current,
        });
    }
    Ok(Json(ContestedResponse { contested }))
}

/// The open contests `user` is shown, newest first, each with the stamp its field holds now:
/// of their grids (any for an admin), of fields they may read, one a field (its newest flag).
async fn open_contests(
    state: &AppState,
    user: &UserRecord,
) -> Result<Vec<(Contest, String)>, AppError> {
    let storage = state.storage.as_ref();
    let grids = match user.role {
        model::Role::Admin => None,
        _ => Some(user.grids.clone()),
    };
    let since = state.config.history_kept_since(crate::now_ms());
    let flagged = storage.contests_since(since, grids, MAX_FLAGS_READ).await?;
    let share = Share::of(storage, user).await?;
    let mut listed = HashSet::new();
    let mut open = Vec::new();
    for f in flagged {
        let k = f.contest;
        // Open while the field holds one of the two values; a later write settled it.
        let Some(current) = f
            .current_hlc
            .filter(|h| *h == k.held.1 || *h == k.arrived.1)
        else {
            continue;
        };
        if !listed.insert((k.entity.clone(), k.id.clone(), k.field.clone())) {
            continue;
        }
        let row = FieldRow {
            change: Change {
                entity: k.entity.clone(),
                id: k.id.clone(),
                field: k.field.clone(),
                value: k.held.0.clone(),
                hlc: k.held.1.clone(),
            },
            grid_id: k.grid_id.clone(),
            seq: 0,
        };
        if scope::readable(user, share.as_ref(), &row) {
            open.push((k, current));
            if open.len() == MAX_CONTESTS {
                break;
            }
        }
    }
    Ok(open)
}

/// Why a settling was not written.
enum Unsettled {
    /// The field no longer holds either side: someone wrote it since.
    Settled,
    Refused(Refusal),
}

/// `POST /api/v1/history/contested/settle`: the supervisor keeps one side of an open contest in
/// one tap. The server writes that side's value again, stamped anew so it wins everywhere, as the
/// supervisor's change (the history names them). A supervisor writes no resident field on their
/// own: they only choose between two values that devices with the right already sent, and the
/// record rules judge the write as any of theirs. Stamped by the server's own device, the
/// settling contests nothing (`model::history::rivals`).
pub async fn settle(
    State(state): State<AppState>,
    caller: AuthUser,
    body: Result<Json<SettleRequest>, JsonRejection>,
) -> Result<Json<SettleResponse>, AppError> {
    let user = caller.user.clone();
    if !history::may_see_contests(user.role) {
        return Err(AppError::Forbidden(
            "只有管理员和督导可以更正修改冲突 (only supervisors and admins settle contested fields)".into(),
        ));
    }
    let Json(req) = body.map_err(|e| {
        AppError::Malformed(format!("请求不是有效的更正 (not a valid settle body): {e}"))
    })?;
    let open = open_contests(&state, &user).await?;
    let Some((k, _)) = open.into_iter().find(|(k, _)| {
        k.entity == req.entity
            && k.id == req.id
            && k.field == req.field
            && (k.held.1 == req.hlc || k.arrived.1 == req.hlc)
    }) else {
        return Err(AppError::NotFound);
    };
    let sides = [k.held.1.clone(), k.arrived.1.clone()];
    let value = match k.held.1 == req.hlc {
        true => k.held.0,
        false => k.arrived.0,
    };
    let author = Author {
        user_id: user.id.clone(),
        device_id: caller.device_id.clone(),
        at_ms: crate::now_ms(),
    };
    let written = state
        .storage
        .write(move |tx| {
            let mut made = None;
            let outcome = write_checked(tx, Some(&author), |lookup| {
                let current = lookup.stamp(&k.entity, &k.id, &k.field)?;
                let Some(current) = current.filter(|c| sides.contains(c)) else {
                    return Ok(Err(Unsettled::Settled));
                };
                let wall = crate::now_ms() as u64;
                let stamp = {
                    let mut clock = server_clock().lock().unwrap_or_else(|p| p.into_inner());
                    if let Ok(held) = model::hlc::Hlc::parse(&current) {
                        clock.observe(&held, wall);
                    }
                    clock.now(wall).to_string()
                };
                let change = Change {
                    entity: k.entity.clone(),
                    id: k.id.clone(),
                    field: k.field.clone(),
                    value,
                    hlc: stamp,
                };
                if let Err(refusal) =
                    authorize::judge(&user, std::slice::from_ref(&change), lookup)?
                {
                    return Ok(Err(Unsettled::Refused(refusal)));
                }
                made = Some(change.clone());
                Ok(Ok(vec![change]))
            })?;
            Ok(outcome.map(|_| made))
        })
        .await?;
    match written {
        Ok(Some(change)) => Ok(Json(SettleResponse { change })),
        Ok(None) | Err(Unsettled::Settled) => Err(AppError::NotFound),
        Err(Unsettled::Refused(r)) => Err(r.into()),
    }
}

/// Every user's display name by id.
async fn user_names(storage: &dyn Storage) -> Result<HashMap<String, String>, AppError> {
    Ok(storage
        .list_users()
        .await?
        .into_iter()
        .map(|u: UserRecord| (u.id, u.name))
        .collect())
}
