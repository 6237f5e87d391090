//! The one error type of the API: each variant is a status and an error code of `docs/sync-protocol.md#errors`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use model::wire::{ErrorBody, ErrorDetail};

use crate::authorize::Refusal;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Malformed(String),
    #[error("用户名或密码错误 (wrong user name or password)")]
    InvalidCredentials,
    /// Login: locked by failed attempts; the seconds to wait (the message rounds up to minutes).
    #[error("登录失败次数过多，请 {m} 分钟后再试 (too many attempts, try again in {m} minutes)", m = .0.div_ceil(60).max(1))]
    TooManyAttempts(u64),
    /// Login: as many passwords are being checked as the server allows at once (each check
    /// takes ~19 MiB); answered at once rather than queued, so a flood cannot pile up memory.
    #[error(
        "服务器正忙，请稍后再试 (the server is busy checking other logins: try again in a moment)"
    )]
    LoginBusy,
    #[error("请重新登录 (missing, unknown, revoked or expired token: log in again)")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error(
        "设备时钟超前服务器超过 5 分钟 (a stamp is more than 5 minutes ahead of the server clock)"
    )]
    ClockSkew { server_time_ms: i64 },
    #[error("{0}")]
    TooLarge(String),
    #[error("部分修改无效 (some changes are invalid)")]
    Invalid(Vec<ErrorDetail>),
    /// A request that is well formed but refused, each reason a bilingual sentence: answered
    /// as 422 `invalid` with the reasons as the message and as `details` (index = reason).
    #[error("{}", .0.join("；"))]
    Rejected(Vec<String>),
    #[error(
        "同步位置已失效，请从头同步 (the cursor can no longer be served: pull from the start)"
    )]
    ResetRequired,
    #[error("not found")]
    NotFound,
    /// A path of the API asked with a method it does not answer; the `Allow` header lists those
    /// it does.
    #[error("此地址不支持该请求方法 (this path does not answer this method)")]
    MethodNotAllowed,
    /// The request took longer than the server allows (a slow upload or a slow server): try again.
    #[error("请求超时，请重试 (the request took too long: try again)")]
    Timeout,
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Malformed(_) => "malformed",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::TooManyAttempts(_) | AppError::LoginBusy => "too_many_attempts",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::ClockSkew { .. } => "clock_skew",
            AppError::TooLarge(_) => "too_large",
            AppError::Invalid(_) | AppError::Rejected(_) => "invalid",
            AppError::ResetRequired => "reset_required",
            AppError::NotFound => "not_found",
            AppError::MethodNotAllowed => "method_not_allowed",
            AppError::Timeout => "timeout",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Malformed(_) => StatusCode::BAD_REQUEST,
            AppError::InvalidCredentials | AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::TooManyAttempts(_) | AppError::LoginBusy => StatusCode::TOO_MANY_REQUESTS,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::ClockSkew { .. } => StatusCode::CONFLICT,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Invalid(_) | AppError::Rejected(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::ResetRequired => StatusCode::GONE,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Timeout => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Malformed { .. } => AppError::Malformed(r.to_string()),
            Refusal::Forbidden(f) => AppError::Forbidden(f.to_string()),
            Refusal::Invalid(details) => AppError::Invalid(details),
            Refusal::ClockSkew { server_time_ms } => AppError::ClockSkew { server_time_ms },
        }
    }
}

impl From<crate::storage::StorageError> for AppError {
    fn from(e: crate::storage::StorageError) -> Self {
        AppError::Internal(anyhow::Error::new(e))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(e) = &self {
            // The chain names the failing operation, never request bodies: no health data in logs.
            tracing::error!(error = %format!("{e:#}"), "internal error");
        }
        let body = ErrorBody {
            error: self.code().into(),
            message: self.to_string(),
            server_time_ms: match &self {
                AppError::ClockSkew { server_time_ms } => Some(*server_time_ms),
                _ => None,
            },
            details: match &self {
                AppError::Invalid(d) => Some(d.clone()),
                AppError::Rejected(reasons) => Some(
                    reasons
                        .iter()
                        .enumerate()
                        .map(|(index, message)| ErrorDetail::new(index, message.clone()))
                        .collect(),
                ),
                _ => None,
            },
        };
        let mut resp = (self.status(), Json(body)).into_response();
        let retry_after = match self {
            AppError::TooManyAttempts(seconds) => Some(seconds.max(1)),
            AppError::LoginBusy => Some(1),
            _ => None,
        };
        if let Some(v) = retry_after.and_then(|s| s.to_string().parse().ok()) {
            resp.headers_mut()
                .insert(axum::http::header::RETRY_AFTER, v);
        }
        resp
    }
}
