//! `GET/POST /api/v1/users` and `PATCH /api/v1/users/{id}`: user administration, admins only.

use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use model::wire::{CreateUserRequest, UpdateUserRequest, UserAccount, UsersResponse};

use crate::accounts;
use crate::auth::AuthUser;
use crate::error::AppError;
use crate::json::ApiJson;
use crate::AppState;

/// The caller, who must be an admin. An extractor of the request head, so a non-admin gets 403
/// before their body is even read (a malformed body from them is still 403, not 400).
pub struct Admin(pub AuthUser);

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let caller = AuthUser::from_request_parts(parts, state).await?;
        if model::access::Endpoint::Users.allows(caller.user.role) {
            Ok(Admin(caller))
        } else {
            Err(AppError::Forbidden(
                "只有管理员可以管理用户 (only admins manage users)".into(),
            ))
        }
    }
}

pub async fn list(
    State(state): State<AppState>,
    _admin: Admin,
) -> Result<Json<UsersResponse>, AppError> {
    let users = state.storage.list_users().await?;
    Ok(Json(UsersResponse {
        users: users.iter().map(accounts::account).collect(),
    }))
}

pub async fn create(
    State(state): State<AppState>,
    _admin: Admin,
    ApiJson(req): ApiJson<CreateUserRequest>,
) -> Result<(StatusCode, Json<UserAccount>), AppError> {
    let user = accounts::create(state.storage.as_ref(), req).await?;
    tracing::info!(user = %user.username, role = user.role.as_str(), "user created");
    Ok((StatusCode::CREATED, Json(accounts::account(&user))))
}

pub async fn update(
    State(state): State<AppState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<UpdateUserRequest>,
) -> Result<Json<UserAccount>, AppError> {
    let user = accounts::update(state.storage.as_ref(), Some(&caller.user), &id, req).await?;
    tracing::info!(user = %user.username, "user changed");
    Ok(Json(accounts::account(&user)))
}
