//! A JSON extractor whose every rejection is the contract's 400 `malformed`, never axum's own
//! 415/422 plain-text answers.

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::error::AppError;

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| AppError::Malformed(format!("请求体无法读取 (unreadable body): {e}")))?;
        serde_json::from_slice(&bytes).map(ApiJson).map_err(|e| {
            AppError::Malformed(format!(
                "请求不是有效的 JSON (not valid JSON for this endpoint): {e}"
            ))
        })
    }
}
