//! `POST /api/v1/sync/push`, `GET /api/v1/sync/pull` and `GET /api/v1/sync/records`: the sync
//! protocol v1 of `docs/sync-protocol.md`.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use model::wire::{PullResponse, PushRequest, PushResponse, RecordsPage};
use model::Role;

use crate::auth::AuthUser;
use crate::error::AppError;
use crate::scope::{self, Share, VolunteerScope};
use crate::{authorize, departures, AppState};

pub const MAX_PUSH_CHANGES: usize = 5_000;
pub const MAX_PUSH_BYTES: usize = 4 * 1024 * 1024;
pub const DEFAULT_PULL_LIMIT: usize = 1_000;
pub const MAX_PULL_LIMIT: usize = 5_000;
/// A page stops once its changes pass this many bytes, whatever its count: every text field
/// has a length limit, so one page stays a few MiB at most on a phone's slow connection.
pub const MAX_PULL_BYTES: usize = 2 * 1024 * 1024;
/// A page also stops once it has looked at this many rows, whatever it found: a user who reads
/// a small part of their grids (a building leader, a street office) would otherwise make one
/// request walk the grids' whole history. The next page goes on from there (`has_more`).
pub const MAX_PULL_SCAN: usize = 50_000;

pub async fn push(
    State(state): State<AppState>,
    caller: AuthUser,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PushResponse>, AppError> {
    let too_large = || {
        AppError::TooLarge(
            "一次最多 5000 项修改、4 MiB (at most 5,000 changes and 4 MiB a batch)".into(),
        )
    };
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        _ => AppError::Malformed(format!("请求体无法读取 (unreadable body): {e}")),
    })?;
    if body.len() > MAX_PUSH_BYTES {
        return Err(too_large());
    }
    let req: PushRequest = serde_json::from_slice(&body).map_err(|e| {
        AppError::Malformed(format!("请求不是有效的推送 (not a valid push body): {e}"))
    })?;
    if req.changes.len() > MAX_PUSH_CHANGES {
        return Err(too_large());
    }
    if req.device_id != caller.device_id {
        return Err(AppError::Forbidden(
            "device_id 与登录设备不符 (device_id is not the token's device)".into(),
        ));
    }

    authorize::check_push(
        caller.user.role,
        &caller.device_id,
        &req.changes,
        crate::now_ms(),
    )?;
    let accepted = req.changes.len();
    let applied = authorize::store(
        state.storage.as_ref(),
        &caller.user,
        &caller.device_id,
        req.changes,
    )
    .await??;
    Ok(Json(PushResponse {
        accepted,
        applied,
        server_time_ms: crate::now_ms(),
    }))
}

/// The cursor a client stores: opaque to it, but to us the database it came from, the user's
/// scope when it was made, and the last seq it covered. Public for the fuzz target of `decode`,
/// which reads whatever a client sends.
#[derive(Debug, PartialEq)]
pub struct Cursor {
    pub instance: String,
    pub scope_version: i64,
    pub seq: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        hex::encode(format!(
            "v1.{}.{}.{}",
            self.instance, self.scope_version, self.seq
        ))
    }

    /// The cursor `s` spells, or `None` for anything this server did not make.
    pub fn decode(s: &str) -> Option<Cursor> {
        let text = String::from_utf8(hex::decode(s).ok()?).ok()?;
        let mut parts = text.split('.');
        if parts.next()? != "v1" {
            return None;
        }
        let cursor = Cursor {
            instance: parts.next()?.to_owned(),
            scope_version: parts.next()?.parse().ok()?,
            seq: parts.next()?.parse().ok()?,
        };
        (parts.next().is_none() && cursor.seq >= 0).then_some(cursor)
    }
}

pub async fn pull(
    State(state): State<AppState>,
    caller: AuthUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<PullResponse>, AppError> {
    Ok(Json(page(&state, &caller, &q).await?))
}

/// `GET /api/v1/sync/records`: the pull page from the same cursor, grouped by record.
pub async fn records(
    State(state): State<AppState>,
    caller: AuthUser,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<RecordsPage>, AppError> {
    Ok(Json(RecordsPage::group(page(&state, &caller, &q).await?)))
}

/// The page after the query's cursor of what the caller may read: the one answer of pull and
/// records, so that a device may switch between them at any cursor.
async fn page(
    state: &AppState,
    caller: &AuthUser,
    q: &HashMap<String, String>,
) -> Result<PullResponse, AppError> {
    let limit = match q.get("limit") {
        None => DEFAULT_PULL_LIMIT,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|l| (1..=MAX_PULL_LIMIT).contains(l))
            .ok_or_else(|| {
                AppError::Malformed("limit must be a whole number from 1 to 5000".into())
            })?,
    };
    let user = &caller.user;
    let after = match q.get("cursor").filter(|c| !c.is_empty()) {
        None => 0,
        Some(raw) => {
            let c = Cursor::decode(raw)
                .ok_or_else(|| AppError::Malformed("cursor is not one this server gave".into()))?;
            if c.instance != state.storage.instance_id()
                || c.scope_version != user.scope_version
                || !state.seq_stored(c.seq).await?
            {
                return Err(AppError::ResetRequired);
            }
            c.seq
        }
    };

    let share = Share::of(state.storage.as_ref(), user).await?;
    let grids = match user.role {
        Role::GridWorker | Role::Supervisor | Role::BuildingLeader | Role::StreetOffice => {
            Some(user.grids.clone())
        }
        Role::Admin | Role::Volunteer => None,
    };
    // A volunteer reads their deliveries, the recipients and rows of no grid: those records'
    // rows are read by key, not found by walking everybody's. (A volunteer with grids, which
    // the users rules do not allow, walks everything as before.)
    let records = share
        .as_ref()
        .and_then(Share::volunteer)
        .filter(|_| user.grids.is_empty())
        .map(VolunteerScope::records);
    let page = |seq: i64, n: usize| {
        let (grids, records) = (grids.clone(), records.clone());
        let storage = state.storage.clone();
        async move {
            match records {
                Some(records) => storage.rows_after_of(seq, n, records).await,
                None => storage.rows_after(seq, n, grids).await,
            }
        }
    };
    let scan = limit.max(500);
    let mut changes = Vec::new();
    let mut departed = Vec::new();
    let mut bytes = 0;
    let mut seq = after;
    let mut has_more = true;
    let mut scanned = 0;
    'scan: while changes.len() < limit && scanned < MAX_PULL_SCAN {
        let rows = page(seq, scan).await?;
        scanned += rows.len();
        let exhausted = rows.len() < scan;
        for row in rows {
            seq = row.seq;
            if departures::is_departure(&row.change.field) {
                departed.push(row.change);
            } else if scope::readable(user, share.as_ref(), &row) {
                bytes += wire_size(&row.change);
                changes.push(row.change);
                if changes.len() == limit || bytes >= MAX_PULL_BYTES {
                    break 'scan;
                }
            }
        }
        if exhausted {
            has_more = false;
            break;
        }
    }
    if has_more {
        // Only a further scan can tell whether more remain; say so cheaply by peeking one row.
        has_more = !page(seq, 1).await?.is_empty();
    }
    // The cursor given back: a stored row's seq (or the one asked with), so the next page of
    // this device needs no read of the largest seq.
    state.saw_seq(seq);
    let cursor = Cursor {
        instance: state.storage.instance_id().to_owned(),
        scope_version: user.scope_version,
        seq,
    };
    let dropped =
        departures::to_drop(state.storage.as_ref(), user, share.as_ref(), departed).await?;
    Ok(PullResponse {
        changes,
        cursor: cursor.encode(),
        has_more,
        server_time_ms: crate::now_ms(),
        dropped,
    })
}

/// About the bytes a change takes in a page: its strings, its value and the JSON around them.
fn wire_size(c: &model::wire::Change) -> usize {
    let value = match &c.value {
        serde_json::Value::String(s) => s.len() + 2,
        other => other.to_string().len(),
    };
    c.entity.len() + c.id.len() + c.field.len() + c.hlc.len() + value + 64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = Cursor {
            instance: "abc123".into(),
            scope_version: 2,
            seq: 99,
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        for bad in [
            "",
            "zz",
            "1234",
            &hex::encode("v2.a.1.1"),
            &hex::encode("v1.a.x.1"),
            &hex::encode("v1.a.1.-5"),
        ] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }
}
