//! All HTTP of the app: one function per endpoint, one error type that tells an unreachable
//! server from a server that said no.

use gloo_net::http::{Request, Response};
use model::wire::{
    Change, ErrorBody, ImportRequest, ImportResponse, LoginRequest, LoginResponse, PullResponse,
    PushRequest, PushResponse,
};
use serde::de::DeserializeOwned;

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// No answer at all: offline, server down, or DNS.
    Unreachable,
    /// The server answered with an error status; `body` when it was the contract's JSON.
    Status {
        status: u16,
        body: Option<ErrorBody>,
    },
}

impl ApiError {
    /// The contract's error code (`invalid_credentials`, ...), when the server sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Status { body: Some(b), .. } => Some(b.error.as_str()),
            _ => None,
        }
    }
}

async fn decode<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    let status = resp.status();
    if (200..300).contains(&status) {
        // A 2xx with a body we cannot read is a server fault, not a network one.
        return resp
            .json::<T>()
            .await
            .map_err(|_| ApiError::Status { status, body: None });
    }
    Err(ApiError::Status {
        status,
        body: resp.json::<ErrorBody>().await.ok(),
    })
}

pub async fn login(req: &LoginRequest) -> Result<LoginResponse, ApiError> {
    let resp = Request::post("/api/v1/login")
        .json(req)
        .map_err(|_| ApiError::Unreachable)?
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    decode(resp).await
}

/// Revokes the token on the server. Logging out works offline too: the caller forgets the token
/// whatever this returns.
pub async fn logout(token: &str) -> Result<(), ApiError> {
    let resp = Request::post("/api/v1/logout")
        .header("Authorization", &bearer(token))
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    match resp.status() {
        200..=299 => Ok(()),
        status => Err(ApiError::Status {
            status,
            body: resp.json::<ErrorBody>().await.ok(),
        }),
    }
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// `POST /api/v1/sync/push`.
pub async fn push(
    token: &str,
    device_id: &str,
    changes: Vec<Change>,
) -> Result<PushResponse, ApiError> {
    let body = PushRequest {
        device_id: device_id.into(),
        changes,
    };
    let resp = Request::post("/api/v1/sync/push")
        .header("Authorization", &bearer(token))
        .json(&body)
        .map_err(|_| ApiError::Unreachable)?
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    decode(resp).await
}

/// `GET /api/v1/sync/pull`.
pub async fn pull(token: &str, cursor: Option<&str>, limit: u32) -> Result<PullResponse, ApiError> {
    let limit = limit.to_string();
    let mut query = vec![("limit", limit.as_str())];
    if let Some(c) = cursor {
        query.push(("cursor", c));
    }
    let resp = Request::get("/api/v1/sync/pull")
        .query(query)
        .header("Authorization", &bearer(token))
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    decode(resp).await
}

/// `POST /api/v1/import/roster`: a preview, or with `commit` the import and its report.
pub async fn import_roster(token: &str, req: &ImportRequest) -> Result<ImportResponse, ApiError> {
    let resp = Request::post("/api/v1/import/roster")
        .header("Authorization", &bearer(token))
        .json(req)
        .map_err(|_| ApiError::Unreachable)?
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    decode(resp).await
}
