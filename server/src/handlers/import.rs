//! `POST /api/v1/import/roster`: an admin's or supervisor's roster file, previewed or written
//! through the same validation, scope checks and storage push as a device's sync.

use std::sync::Mutex;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::Json;
use base64::Engine;
use model::wire::{Change, ImportAction, ImportRequest, ImportResponse, ImportRow};
use model::{Clock, Role};

use crate::auth::AuthUser;
use crate::error::AppError;
use crate::import::{self, ImportError};
use crate::{authorize, AppState};

/// The device id of the server's own stamps on imported values.
pub const IMPORT_DEVICE: &str = "server-import";

/// A file or mapping that cannot be imported is the request's fault: its message, as is.
impl From<ImportError> for AppError {
    fn from(e: ImportError) -> AppError {
        AppError::Rejected(vec![e.to_string()])
    }
}

/// A planned row as the report shows it, its problems in words.
fn report_row(r: import::Row) -> ImportRow {
    ImportRow {
        row: r.row,
        action: r.action,
        name: r.name,
        resident_id: r.resident_id,
        problems: r.problems.iter().map(ToString::to_string).collect(),
    }
}

/// Stamps every write with the import's `clock`, after `seen`, the largest stamp of the records
/// read for the plan: a device's clock may run up to five minutes ahead, and a merge stamped by
/// the wall clock alone would then lose to the very value it meant to correct.
fn stamp_all(
    clock: &Mutex<Clock>,
    seen: Option<&str>,
    writes: impl IntoIterator<
        Item = (
            (String, String),
            impl IntoIterator<Item = (String, serde_json::Value)>,
        ),
    >,
) -> Vec<Change> {
    let mut clock = clock.lock().unwrap_or_else(|p| p.into_inner());
    let now = crate::now_ms().max(0) as u64;
    if let Some(stamp) = seen.and_then(|s| model::Hlc::parse(s).ok()) {
        clock.observe(&stamp, now);
    }
    let mut out = Vec::new();
    for ((entity, id), fields) in writes {
        for (field, value) in fields {
            out.push(Change::new(&entity, &id, field, value, &clock.now(now)));
        }
    }
    out
}

pub async fn roster(
    State(state): State<AppState>,
    caller: AuthUser,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ImportResponse>, AppError> {
    let user = caller.user;
    // Field rights say grid workers write households and residents; importing a roster is the
    // office's job, so a supervisor writes here as a grid worker of all their grids would.
    let writer =
        match user.role {
            Role::Admin => Role::Admin,
            Role::Supervisor => Role::GridWorker,
            Role::GridWorker | Role::Volunteer => return Err(AppError::Forbidden(
                "只有管理员和督导可以导入名单（only admins and supervisors may import rosters）"
                    .into(),
            )),
        };
    let body =
        body.map_err(|e| AppError::Malformed(format!("请求体无法读取 (unreadable body): {e}")))?;
    let req: ImportRequest = serde_json::from_slice(&body).map_err(|e| {
        AppError::Malformed(format!(
            "请求不是有效的导入请求 (not a valid import body): {e}"
        ))
    })?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(req.content_base64.trim())
        .map_err(|_| {
            AppError::Rejected(vec![
                "文件内容无法解码（content_base64 is not valid base64）".into(),
            ])
        })?;
    let sheet = import::read_file(&bytes)?;
    let mapping = req
        .mapping
        .unwrap_or_else(|| import::suggest_mapping(&sheet.headers));

    let snap = state.snapshots.get(state.storage.as_ref(), None).await?;
    let allowed = (user.role != Role::Admin).then(|| user.grids.clone());
    let ctx = import::Context {
        snapshot: &snap,
        allowed: allowed.as_deref(),
        default_grid: req.grid_id.as_deref().filter(|g| !g.is_empty()),
    };
    let plan = import::plan(&sheet, &mapping, &ctx, &mut || {
        uuid::Uuid::new_v4().to_string()
    })?;

    let mut committed = false;
    if req.commit {
        let changes = stamp_all(
            &state.import_clock,
            snap.max_hlc.as_deref(),
            plan.writes.clone(),
        );
        // The plan is built to pass; these are the push's own checks, so an import can never
        // write what a device could not.
        authorize::commit_import(state.storage.as_ref(), &user, writer, changes).await??;
        committed = true;
    }
    Ok(Json(ImportResponse {
        headers: sheet.headers,
        mapping,
        fields: import::fields(),
        created: plan.count(ImportAction::Create),
        merged: plan.count(ImportAction::Merge),
        refused: plan.count(ImportAction::Refuse),
        rows: plan.rows.into_iter().map(report_row).collect(),
        committed,
    }))
}
