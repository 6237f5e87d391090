//! The bench's client of the v1 API: login, push, pull, the dashboard and user creation, over
//! one reqwest client (one connection pool) per `Api`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, ensure, Context, Result};
use model::wire::{
    Change, CreateUserRequest, LoginRequest, LoginResponse, PullResponse, PushRequest,
    PushResponse, UserAccount,
};

/// The page size of every pull, as the app uses.
pub const PULL_LIMIT: usize = 5_000;
/// No request of the bench may take longer: it stops by itself whatever the server does.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// A connection idle this long is not used again. The server closes one idle for 10 s
/// (server::config, `header_read_timeout`); a device whose login ended 10 s before the storm
/// would otherwise send its push just as the server closes the connection, and fail (reset by
/// peer) before the server has read it.
const IDLE: Duration = Duration::from_secs(5);

/// A client of one server process, knowing the passwords of the accounts it logs in as.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    http: reqwest::Client,
    passwords: Arc<HashMap<String, String>>,
}

impl Api {
    pub fn new(base: &str, passwords: Arc<HashMap<String, String>>) -> Result<Api> {
        Ok(Api {
            base: base.to_owned(),
            http: reqwest::Client::builder()
                .timeout(REQUEST_TIMEOUT)
                .pool_idle_timeout(IDLE)
                .no_proxy()
                .build()?,
            passwords,
        })
    }

    /// Another client, with connections of its own, of the server at `base`.
    pub fn fresh_on(&self, base: &str) -> Result<Api> {
        Api::new(base, self.passwords.clone())
    }

    /// The same client, also knowing the passwords of `accounts`.
    pub fn with_accounts(&self, accounts: impl IntoIterator<Item = (String, String)>) -> Api {
        let mut passwords = (*self.passwords).clone();
        passwords.extend(accounts);
        Api {
            passwords: Arc::new(passwords),
            ..self.clone()
        }
    }

    /// Logs in as `username` with the password the server printed (demo accounts) or the bench
    /// made (its own users).
    pub async fn login(
        &self,
        username: &str,
        device: &str,
    ) -> Result<(String, model::wire::UserInfo)> {
        let password = self
            .passwords
            .get(username)
            .with_context(|| format!("no password known for {username}"))?;
        let r = self
            .http
            .post(format!("{}/api/v1/login", self.base))
            .json(&LoginRequest {
                username: username.into(),
                password: password.into(),
                device_id: device.into(),
            })
            .send()
            .await?;
        let status = r.status();
        ensure!(
            status.is_success(),
            "login of {username}: {status} {}",
            r.text().await.unwrap_or_default()
        );
        let body: LoginResponse = r.json().await?;
        Ok((body.token, body.user))
    }

    pub async fn create_user(&self, token: &str, user: &CreateUserRequest) -> Result<UserAccount> {
        let r = self
            .http
            .post(format!("{}/api/v1/users", self.base))
            .bearer_auth(token)
            .json(user)
            .send()
            .await?;
        let status = r.status();
        ensure!(
            status.is_success(),
            "creating user {}: {status} {}",
            user.username,
            r.text().await.unwrap_or_default()
        );
        Ok(r.json().await?)
    }

    pub async fn dashboard(&self, token: &str) -> Result<()> {
        let r = self
            .http
            .get(format!("{}/api/v1/dashboard", self.base))
            .bearer_auth(token)
            .send()
            .await?;
        let status = r.status();
        ensure!(status.is_success(), "dashboard: {status}");
        r.bytes().await?;
        Ok(())
    }

    /// Pushes `changes` as `device`; the body is made before the clock starts, see `push_raw`.
    pub async fn push(
        &self,
        token: &str,
        device: &str,
        changes: &[Change],
    ) -> Result<PushResponse> {
        self.push_raw(token, push_body(device, changes)?).await
    }

    pub async fn push_raw(&self, token: &str, body: Vec<u8>) -> Result<PushResponse> {
        let r = self
            .http
            .post(format!("{}/api/v1/sync/push", self.base))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await?;
        let status = r.status();
        ensure!(
            status.is_success(),
            "push: {status} {}",
            r.text().await.unwrap_or_default()
        );
        Ok(r.json().await?)
    }

    /// Pulls pages of `PULL_LIMIT` from `cursor` until `has_more` is false, handing each change
    /// to `each`; returns the number of changes, of pages, and the last cursor. At most 10,000
    /// pages, so a server that never says "done" cannot keep the bench running.
    pub async fn pull_all(
        &self,
        token: &str,
        cursor: Option<String>,
        each: impl FnMut(&Change),
    ) -> Result<(usize, usize, String)> {
        let pulled = self.pull_pages(token, cursor, None, each).await?;
        Ok((pulled.changes, pulled.pages, pulled.cursor))
    }

    /// A whole pull from the start asking for `accept_encoding` ("zstd", "br", "gzip", "identity"):
    /// the bytes of its bodies as sent, and once decoded.
    pub async fn pull_bytes(&self, token: &str, accept_encoding: &str) -> Result<Pulled> {
        self.pull_pages(token, None, Some(accept_encoding), |_| {})
            .await
    }

    async fn pull_pages(
        &self,
        token: &str,
        mut cursor: Option<String>,
        accept_encoding: Option<&str>,
        mut each: impl FnMut(&Change),
    ) -> Result<Pulled> {
        let mut pulled = Pulled::default();
        while pulled.pages < 10_000 {
            let mut req = self
                .http
                .get(format!("{}/api/v1/sync/pull", self.base))
                .bearer_auth(token)
                .query(&[("limit", PULL_LIMIT.to_string())]);
            if let Some(c) = &cursor {
                req = req.query(&[("cursor", c)]);
            }
            if let Some(e) = accept_encoding {
                req = req.header("accept-encoding", e);
            }
            let r = req.send().await?;
            let status = r.status();
            ensure!(
                status.is_success(),
                "pull: {status} {}",
                r.text().await.unwrap_or_default()
            );
            let encoding = r
                .headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap_or("?").to_owned());
            // This reqwest decodes nothing (no compression features): these are the bytes sent.
            let sent = r.bytes().await?;
            let body = decode(encoding.as_deref(), &sent)?;
            let page: PullResponse = serde_json::from_slice(&body)?;
            pulled.pages += 1;
            pulled.sent_bytes += sent.len() as u64;
            pulled.decoded_bytes += body.len() as u64;
            pulled.changes += page.changes.len();
            page.changes.iter().for_each(&mut each);
            cursor = Some(page.cursor);
            if !page.has_more {
                pulled.cursor = cursor.unwrap_or_default();
                return Ok(pulled);
            }
        }
        bail!("pull did not finish within 10,000 pages")
    }
}

/// What one whole pull got.
#[derive(Debug, Default, Clone)]
pub struct Pulled {
    pub changes: usize,
    pub pages: usize,
    pub cursor: String,
    /// The pages' bodies as sent (compressed when the server compressed them), and decoded.
    pub sent_bytes: u64,
    pub decoded_bytes: u64,
}

/// A body sent with `Content-Encoding: encoding`, decoded.
fn decode<'b>(encoding: Option<&str>, body: &'b [u8]) -> Result<Cow<'b, [u8]>> {
    let mut out = Vec::new();
    match encoding {
        None | Some("identity") => return Ok(Cow::Borrowed(body)),
        Some("br") => brotli::Decompressor::new(body, 4096).read_to_end(&mut out)?,
        Some("gzip") => flate2::read::GzDecoder::new(body).read_to_end(&mut out)?,
        Some("zstd") => zstd::stream::read::Decoder::new(body)?.read_to_end(&mut out)?,
        Some(other) => bail!("the server sent Content-Encoding {other}"),
    };
    Ok(Cow::Owned(out))
}

/// A push request's body, serialised ahead so that timing measures the server, not serde.
pub fn push_body(device: &str, changes: &[Change]) -> Result<Vec<u8>> {
    Ok(serde_json::to_vec(&PushRequest {
        device_id: device.into(),
        changes: changes.to_vec(),
    })?)
}
