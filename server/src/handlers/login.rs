//! `POST /api/v1/login` and `POST /api/v1/logout`: tokens bound to a device.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use model::account::MAX_USERNAME_CHARS;
use model::wire::{LoginRequest, LoginResponse, UserInfo};

use crate::auth::{self, AuthUser};
use crate::error::AppError;
use crate::limiter::Client;
use crate::storage::UserRecord;
use crate::AppState;

/// A login holds a user name (at most 32 characters), a password and a device id: 4 KiB is
/// plenty, and nothing larger is read (413 `too_large`).
pub const MAX_BODY_BYTES: usize = 4 * 1024;

pub async fn create(
    State(state): State<AppState>,
    client: Client,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<LoginResponse>, AppError> {
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge(format!(
            "登录请求过大 (a login body is at most {MAX_BODY_BYTES} bytes)"
        )),
        _ => AppError::Malformed(format!("请求体无法读取 (unreadable body): {e}")),
    })?;
    let req: LoginRequest = serde_json::from_slice(&body).map_err(|e| {
        AppError::Malformed(format!(
            "请求不是有效的 JSON (not valid JSON for this endpoint): {e}"
        ))
    })?;
    if !model::hlc::is_valid_device_id(&req.device_id) {
        return Err(AppError::Malformed(
            "device_id must be 1–64 characters of a–z, 0–9 and -".into(),
        ));
    }
    let username = req.username.trim();
    // No account can have such a name (model::account), and that is no secret: answered at once,
    // with no password checked and nothing counted, so names of any length cost nothing.
    if username.is_empty() || username.chars().count() > MAX_USERNAME_CHARS {
        tracing::info!("login refused");
        return Err(AppError::InvalidCredentials);
    }
    let attempt = state
        .limiter
        .begin(username, client)
        .map_err(|wait| AppError::TooManyAttempts(wait.as_secs()))?;
    let permit = state
        .password_checks
        .clone()
        .try_acquire_owned()
        .map_err(|_| AppError::LoginBusy)?;

    let user = state.storage.user_by_username(username).await?;
    let password = req.password;
    let verified = tokio::task::spawn_blocking(move || {
        // Held until the hash is done, even if the request is dropped meanwhile.
        let _permit = permit;
        match user {
            Some(u) if !u.disabled => {
                auth::verify_password(&password, &u.password_hash).then_some(u)
            }
            _ => {
                auth::verify_against_dummy(&password);
                None
            }
        }
    })
    .await
    .map_err(|e| anyhow::anyhow!("password check task: {e}"))?;

    let Some(user) = verified else {
        attempt.failed();
        tracing::info!("login refused");
        return Err(AppError::InvalidCredentials);
    };
    attempt.succeeded();

    let (token, hash) = auth::new_token();
    let now = crate::now_ms();
    // Tokens idle past the expiry can never be used again: a login is a good moment to drop them.
    state
        .storage
        .delete_tokens_unused_since(now - state.config.token_idle_ms())
        .await?;
    // So is it for history past its retention, at most hourly: logins come every morning.
    if state.history_sweep_due(now) {
        state
            .storage
            .forget_history_before(state.config.history_kept_since(now))
            .await?;
    }
    state
        .storage
        .store_token(&hash, &user.id, &req.device_id, now)
        .await?;
    let info = user_info(&state, &user).await?;
    Ok(Json(LoginResponse {
        token,
        user: info,
        server_time_ms: now,
        vaccination: Some(state.config.vaccination),
    }))
}

/// Revokes the caller's token: a logged-out phone can no longer sync with it.
pub async fn delete(
    State(state): State<AppState>,
    caller: AuthUser,
) -> Result<StatusCode, AppError> {
    state.storage.delete_token(&caller.token_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn user_info(state: &AppState, user: &UserRecord) -> Result<UserInfo, AppError> {
    let grid_names = crate::grids::names(state.storage.as_ref(), &user.grids).await?;
    Ok(UserInfo {
        id: user.id.clone(),
        name: user.name.clone(),
        role: user.role,
        grids: user.grids.clone(),
        grid_names,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use crate::storage::sqlite::SqliteStorage;
    use crate::{app, AppState, Config};

    async fn login(state: &AppState) -> (u16, Option<String>, serde_json::Value) {
        let req = Request::post("/api/v1/login")
            .header("content-type", "application/json")
            .body(Body::from(
                r#"{"username":"wangfang","password":"not-it-at-all","device_id":"d1"}"#,
            ))
            .unwrap();
        // Driven in-process, without a peer address: the caller is the one unknown client.
        let resp = app(state.clone()).oneshot(req).await.unwrap();
        let status = resp.status().as_u16();
        let retry = resp
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        (status, retry, serde_json::from_slice(&body).unwrap())
    }

    #[tokio::test]
    async fn a_login_beyond_the_password_checks_running_at_once_is_429_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Arc::new(SqliteStorage::open_dir(dir.path()).unwrap());
        let state = AppState::new(storage, Config::from_lookup(|_| None).unwrap());
        let held = state
            .password_checks
            .clone()
            .try_acquire_many_owned(crate::auth::PASSWORD_CHECKS as u32)
            .unwrap();
        let (status, retry, body) = login(&state).await;
        assert_eq!(status, 429, "{body}");
        assert_eq!(body["error"], "too_many_attempts");
        assert_eq!(retry.as_deref(), Some("1"));

        drop(held);
        let (status, _, body) = login(&state).await;
        assert_eq!(status, 401, "checked once a permit is free: {body}");
        assert_eq!(body["error"], "invalid_credentials");
    }
}
