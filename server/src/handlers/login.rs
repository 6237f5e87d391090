//! `POST /api/v1/login` and `POST /api/v1/logout`: tokens bound to a device.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use model::wire::{LoginRequest, LoginResponse, UserInfo};

use crate::auth::{self, AuthUser};
use crate::error::AppError;
use crate::json::ApiJson;
use crate::storage::UserRecord;
use crate::AppState;

pub async fn create(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, AppError> {
    if !model::hlc::is_valid_device_id(&req.device_id) {
        return Err(AppError::Malformed(
            "device_id must be 1–64 characters of a–z, 0–9 and -".into(),
        ));
    }
    let username = req.username.trim().to_owned();
    state
        .limiter
        .check(&username)
        .map_err(AppError::TooManyAttempts)?;

    let user = state.storage.user_by_username(&username).await?;
    let password = req.password;
    let verified = tokio::task::spawn_blocking(move || match user {
        Some(u) if !u.disabled => auth::verify_password(&password, &u.password_hash).then_some(u),
        _ => {
            auth::verify_against_dummy(&password);
            None
        }
    })
    .await
    .map_err(|e| anyhow::anyhow!("password check task: {e}"))?;

    let Some(user) = verified else {
        state.limiter.fail(&username);
        tracing::info!("login refused");
        return Err(AppError::InvalidCredentials);
    };
    state.limiter.succeed(&username);

    let (token, hash) = auth::new_token();
    let now = crate::now_ms();
    state
        .storage
        .store_token(&hash, &user.id, &req.device_id, now)
        .await?;
    let info = user_info(&state, &user).await?;
    Ok(Json(LoginResponse {
        token,
        user: info,
        server_time_ms: now,
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
