//! All HTTP of the app: one function per endpoint, one error type that tells an unreachable
//! server from a server that said no.

use gloo_net::http::{Request, RequestBuilder, Response};
use model::history::{ContestedResponse, HistoryResponse, SettleRequest, SettleResponse};
use model::wire::{
    Change, CreateUserRequest, ErrorBody, ImportRequest, ImportResponse, LoginRequest,
    LoginResponse, PullResponse, PushRequest, PushResponse, UpdateUserRequest, UserAccount,
    UsersResponse,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::i18n::Locale;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// No answer at all: offline, server down, or DNS.
    #[error("服务器无法连接 (server unreachable)")]
    Unreachable,
    /// The server answered with an error status; `body` when it was the contract's JSON.
    #[error("HTTP {status}: {}", body.as_ref().map_or("-", |b| b.message.as_str()))]
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

/// The model's language for the person's locale: the model words validation problems in it.
pub fn model_lang(locale: Locale) -> model::validate::Lang {
    match locale {
        Locale::zh => model::validate::Lang::Zh,
        Locale::en => model::validate::Lang::En,
    }
}

/// The part of one of the server's bilingual messages ("中文 (English)") in the person's
/// language; a message of another shape is shown whole.
pub fn in_language(reason: &str, locale: Locale) -> String {
    // Half-width " (English)" or full-width "（English）": the server writes both.
    let split = [(" (", ")"), ("（", "）")]
        .into_iter()
        .find_map(|(open, close)| {
            let i = reason.rfind(open)?;
            reason.ends_with(close).then(|| {
                (
                    &reason[..i],
                    &reason[i + open.len()..reason.len() - close.len()],
                )
            })
        });
    match split {
        Some((zh, en)) => match locale {
            Locale::zh => zh.trim_end().to_owned(),
            Locale::en => en.to_owned(),
        },
        None => reason.to_owned(),
    }
}

async fn decode<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    let status = resp.status();
    if (200..300).contains(&status) {
        // A 2xx with a body we cannot read is a server fault, not a network one.
        return json_body::<T>(resp)
            .await
            .ok_or(ApiError::Status { status, body: None });
    }
    Err(ApiError::Status {
        status,
        body: json_body::<ErrorBody>(resp).await,
    })
}

/// The body read as bytes and parsed as JSON. Not as text: a page of a first sync is about
/// 400 KB, and text would be decoded from UTF-8 by the browser only to be encoded back into
/// the app's memory.
async fn json_body<T: DeserializeOwned>(resp: Response) -> Option<T> {
    crate::json::from_bytes(&resp.binary().await.ok()?).ok()
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
            body: json_body::<ErrorBody>(resp).await,
        }),
    }
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// A `GET` with the user's token and a query, decoded as the contract says.
async fn get<T: DeserializeOwned>(
    path: &str,
    token: &str,
    query: Vec<(&str, &str)>,
) -> Result<T, ApiError> {
    let resp = Request::get(path)
        .query(query)
        .header("Authorization", &bearer(token))
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    decode(resp).await
}

/// A request with the user's token and a JSON body, decoded as the contract says.
async fn send_json<B: Serialize, T: DeserializeOwned>(
    req: RequestBuilder,
    token: &str,
    body: &B,
) -> Result<T, ApiError> {
    let resp = req
        .header("Authorization", &bearer(token))
        .json(body)
        .map_err(|_| ApiError::Unreachable)?
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    decode(resp).await
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
    send_json(Request::post("/api/v1/sync/push"), token, &body).await
}

/// `GET /api/v1/sync/pull`.
pub async fn pull(token: &str, cursor: Option<&str>, limit: u32) -> Result<PullResponse, ApiError> {
    get_page("/api/v1/sync/pull", token, cursor, limit).await
}

/// `GET /api/v1/sync/records`: the next pull page grouped by record, each record's fields kept
/// as the JSON text the device stores.
pub async fn pull_records(
    token: &str,
    cursor: Option<&str>,
    limit: u32,
) -> Result<crate::db::RawRecordsPage, ApiError> {
    get_page("/api/v1/sync/records", token, cursor, limit).await
}

/// A page of pull or records: `limit` values after `cursor` (from the start without one).
async fn get_page<T: DeserializeOwned>(
    path: &str,
    token: &str,
    cursor: Option<&str>,
    limit: u32,
) -> Result<T, ApiError> {
    let limit = limit.to_string();
    let mut query = vec![("limit", limit.as_str())];
    if let Some(c) = cursor {
        query.push(("cursor", c));
    }
    get(path, token, query).await
}

/// `GET /api/v1/dashboard`: the server's figures for `grids` (all of the user's when empty) on
/// `date` (today when `None`).
pub async fn dashboard(
    token: &str,
    grids: &[String],
    date: Option<&str>,
) -> Result<model::dashboard::Dashboard, ApiError> {
    let grids = grids.join(",");
    let mut query = Vec::new();
    if !grids.is_empty() {
        query.push(("grids", grids.as_str()));
    }
    if let Some(d) = date {
        query.push(("date", d));
    }
    get("/api/v1/dashboard", token, query).await
}

/// `GET /api/v1/users` (admins only).
pub async fn list_users(token: &str) -> Result<Vec<UserAccount>, ApiError> {
    get::<UsersResponse>("/api/v1/users", token, Vec::new())
        .await
        .map(|r| r.users)
}

/// `POST /api/v1/users` (admins only).
pub async fn create_user(token: &str, req: &CreateUserRequest) -> Result<UserAccount, ApiError> {
    send_json(Request::post("/api/v1/users"), token, req).await
}

/// `PATCH /api/v1/users/{id}` (admins only): only the fields set in `req` change.
pub async fn update_user(
    token: &str,
    id: &str,
    req: &UpdateUserRequest,
) -> Result<UserAccount, ApiError> {
    send_json(Request::patch(&format!("/api/v1/users/{id}")), token, req).await
}

/// `POST /api/v1/import/roster`: a preview, or with `commit` the import and its report.
pub async fn import_roster(token: &str, req: &ImportRequest) -> Result<ImportResponse, ApiError> {
    send_json(Request::post("/api/v1/import/roster"), token, req).await
}

/// One segment of a path: ids are uuids, but one arriving from elsewhere (an import, an old
/// device) must not be able to reach another endpoint.
fn segment(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

/// `GET /api/v1/history/{entity}/{id}` (staff, online only): the record's accepted changes,
/// newest first.
pub async fn history(token: &str, entity: &str, id: &str) -> Result<HistoryResponse, ApiError> {
    let path = format!("/api/v1/history/{}/{}", segment(entity), segment(id));
    get(&path, token, Vec::new()).await
}

/// `GET /api/v1/history/contested` (supervisors and admins): the open contests of their grids.
pub async fn contested(token: &str) -> Result<ContestedResponse, ApiError> {
    get("/api/v1/history/contested", token, Vec::new()).await
}

/// `POST /api/v1/history/contested/settle` (supervisors and admins): keep one side of a contest.
pub async fn settle(token: &str, keep: &SettleRequest) -> Result<SettleResponse, ApiError> {
    send_json(
        Request::post("/api/v1/history/contested/settle"),
        token,
        keep,
    )
    .await
}
