//! `POST /api/v1/import/roster`: an admin's or supervisor's roster file, read and planned off the
//! async runtime within a time bound, previewed or written through the same validation, scope
//! checks, batch cap and storage push as a device's sync.

use std::sync::Mutex;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use base64::Engine;
use model::wire::{Change, ImportAction, ImportRequest, ImportResponse, ImportRow};
use model::{Clock, Role};

use crate::auth::AuthUser;
use crate::error::AppError;
use tokio::sync::Semaphore;

use crate::handlers::sync::MAX_PUSH_CHANGES;
use crate::import::limits::{self, Deadline};
use crate::import::{self, ImportError};
use crate::{authorize, AppState};

/// The device id of the server's own stamps on imported values.
pub const IMPORT_DEVICE: &str = "server-import";

/// A file or mapping that cannot be imported is the request's fault: its message, as is; a file
/// over the size caps is 413 `too_large`, as an oversized push is.
impl From<ImportError> for AppError {
    fn from(e: ImportError) -> AppError {
        match e {
            ImportError::TooLarge => AppError::TooLarge(e.to_string()),
            e => AppError::Rejected(vec![e.to_string()]),
        }
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
    let (user, device_id) = (caller.user, caller.device_id);
    // Field rights say grid workers write households and residents; importing a roster is the
    // office's job, so a supervisor writes here as a grid worker of all their grids would.
    if !model::access::Endpoint::RosterImport.allows(user.role) {
        return Err(AppError::Forbidden(
            "只有管理员和督导可以导入名单（only admins and supervisors may import rosters）".into(),
        ));
    }
    let writer = match user.role {
        Role::Supervisor => Role::GridWorker,
        other => other,
    };
    let body = body.map_err(|e| {
        match e.status() {
        // The conventions answer an unread body 400 `malformed`; the words say what to do.
        StatusCode::PAYLOAD_TOO_LARGE => AppError::Malformed(
            "请求超过 8 MiB：文件太大，请拆分后分批导入 (the request is over 8 MiB: split the file)"
                .into(),
        ),
        _ => AppError::Malformed(format!("请求体无法读取 (unreadable body): {e}")),
    }
    })?;
    let req: ImportRequest = serde_json::from_slice(&body).map_err(|e| {
        AppError::Malformed(format!(
            "请求不是有效的导入请求 (not a valid import body): {e}"
        ))
    })?;
    let encoded = req.content_base64.trim();
    if encoded.len() > limits::MAX_FILE_BYTES.div_ceil(3) * 4 {
        return Err(ImportError::TooLarge.into());
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| {
            AppError::Rejected(vec![
                "文件内容无法解码（content_base64 is not valid base64）".into(),
            ])
        })?;

    // One import reads and plans at a time: each may hold up to the caps' worth of memory.
    let _turn = IMPORTS.acquire().await.map_err(|e| anyhow::anyhow!(e))?;
    let deadline = Deadline::after(limits::MAX_IMPORT_TIME);
    let sheet = off_runtime(deadline, move || import::read_file_until(&bytes, &deadline)).await?;
    let mapping = req
        .mapping
        .unwrap_or_else(|| import::suggest_mapping(&sheet.headers));

    let snap = state.snapshots.get(state.storage.as_ref(), None).await?;
    let allowed = (user.role != Role::Admin).then(|| user.grids.clone());
    let default_grid = req.grid_id.filter(|g| !g.is_empty());
    let planned = snap.clone();
    let (sheet, mapping, plan) = off_runtime(deadline, move || {
        let ctx = import::Context {
            snapshot: &planned,
            allowed: allowed.as_deref(),
            default_grid: default_grid.as_deref(),
            deadline,
        };
        let plan = import::plan(&sheet, &mapping, &ctx, &mut model::record::new_id)?;
        Ok((sheet, mapping, plan))
    })
    .await?;

    let mut committed = false;
    if req.commit {
        let values: usize = plan.writes.values().map(|w| w.len()).sum();
        if values > MAX_PUSH_CHANGES {
            let rows = plan.count(ImportAction::Create) + plan.count(ImportAction::Merge);
            return Err(AppError::TooLarge(too_many_values(values, rows)));
        }
        let changes = stamp_all(
            &state.import_clock,
            snap.max_hlc.as_deref(),
            plan.writes.clone(),
        );
        // The plan is built to pass; these are the push's own checks, so an import can never
        // write what a device could not.
        authorize::commit_import(state.storage.as_ref(), &user, &device_id, writer, changes)
            .await??;
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

/// Imports reading or planning at once.
static IMPORTS: Semaphore = Semaphore::const_new(2);

/// Runs `work` on a blocking thread, off the async runtime, and answers by `deadline` whatever
/// it does. The work checks the deadline itself and stops; the timeout here (a moment later)
/// only keeps the request from waiting on a check that came late.
async fn off_runtime<T: Send + 'static>(
    deadline: Deadline,
    work: impl FnOnce() -> Result<T, ImportError> + Send + 'static,
) -> Result<T, AppError> {
    let task = tokio::task::spawn_blocking(work);
    match tokio::time::timeout(deadline.remaining() + Duration::from_secs(1), task).await {
        Err(_) => Err(ImportError::TooSlow.into()),
        Ok(Err(failed)) => Err(anyhow::anyhow!("roster import task failed: {failed}").into()),
        Ok(Ok(done)) => Ok(done?),
    }
}

/// Why a commit writing more values than a push may carry is refused, with the rows a file
/// should have instead.
fn too_many_values(values: usize, rows: usize) -> String {
    let per_file = (rows * MAX_PUSH_CHANGES / values.max(1)).max(1);
    format!(
        "一次导入最多写入 {MAX_PUSH_CHANGES} 项，此文件需写入 {values} 项：请把文件拆成每份不超过约 {per_file} 行，分批导入（an import writes at most {MAX_PUSH_CHANGES} values and this file needs {values}: split it into files of about {per_file} rows）"
    )
}
