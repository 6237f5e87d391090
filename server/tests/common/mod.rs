//! Starts a real Knock server on a loopback port with a fresh SQLite file, for integration tests,
//! on a community built for the test ([`fixture::Fixture`]).
#![allow(dead_code)]

pub mod fixture;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use server::storage::{scratch, Storage};
use server::{app, AppState, Config};

/// Who a test server's helpers log in as.
#[derive(Clone)]
struct Logins {
    /// The password of the users `token` and `grids_of` log in as.
    password: String,
    /// The user name and password `state` reads everything with.
    admin: Option<(String, String)>,
}

pub struct TestServer {
    pub base: String,
    pub data_dir: PathBuf,
    owned_dir: Option<tempfile::TempDir>,
    pub client: reqwest::Client,
    handle: tokio::task::JoinHandle<()>,
    vars: Vec<(String, String)>,
    logins: Logins,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

/// Serves `storage`, whose file lies in `dir`, on a loopback port.
async fn serve(
    dir: &Path,
    storage: Arc<dyn Storage>,
    vars: &[(&str, &str)],
    logins: Logins,
) -> TestServer {
    let config = Config::from_lookup(|k| match k {
        "KNOCK_ADDR" => Some("127.0.0.1:0".into()),
        "KNOCK_DATA_DIR" => Some(dir.display().to_string()),
        "KNOCK_DIST_DIR" => Some(dir.join("dist").display().to_string()),
        _ => vars
            .iter()
            .find(|(name, _)| *name == k)
            .map(|(_, v)| v.to_string()),
    })
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let limits = server::serve::Limits::from(&config);
    let router = app(AppState::new(storage, config));
    let handle = tokio::spawn(async move {
        server::serve::serve(listener, router, limits, std::future::pending())
            .await
            .unwrap();
    });
    TestServer {
        base,
        data_dir: dir.to_path_buf(),
        owned_dir: None,
        client: reqwest::Client::new(),
        handle,
        vars: vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        logins,
    }
}

/// Serves a database the test opened itself, whatever its backend (a restored or moved one),
/// whose users log in with `password`; `admin` is the user [`TestServer::state`] reads as.
pub async fn serve_storage(
    storage: Arc<dyn Storage>,
    password: &str,
    admin: Option<&str>,
) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let logins = Logins {
        password: password.into(),
        admin: admin.map(|a| (a.into(), password.into())),
    };
    let mut s = serve(dir.path(), storage, &[], logins).await;
    s.own(dir);
    s
}

impl TestServer {
    /// Keeps `dir` until the server is dropped.
    fn own(&mut self, dir: tempfile::TempDir) {
        self.owned_dir = Some(dir);
    }

    /// Stops this server and starts another on the same database, as a new process would.
    pub async fn restart(mut self) -> TestServer {
        let owned = self.owned_dir.take();
        let dir = self.data_dir.clone();
        let vars = std::mem::take(&mut self.vars);
        let logins = self.logins.clone();
        drop(self);
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let storage = scratch::reopen(&dir).await.unwrap();
        let mut s = serve(&dir, storage, &vars, logins).await;
        s.owned_dir = owned;
        s
    }
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn login(&self, username: &str, password: &str, device: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/login"))
            .json(&serde_json::json!({"username": username, "password": password, "device_id": device}))
            .send()
            .await
            .unwrap()
    }

    /// Logs in with the server's common password and returns the bearer token; panics if login
    /// fails.
    pub async fn token(&self, username: &str, device: &str) -> String {
        let r = self.login(username, &self.logins.password, device).await;
        assert_eq!(r.status(), 200, "login of {username}");
        let body: serde_json::Value = r.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }
}

/// A stamp of `device` at wall time `ms` with `counter`, in the wire form.
pub fn stamp(ms: i64, counter: u16, device: &str) -> String {
    format!("{ms:013}-{counter:04x}-{device}")
}

/// A change of the wire form.
pub fn change(
    entity: &str,
    id: &str,
    field: &str,
    value: serde_json::Value,
    hlc: &str,
) -> serde_json::Value {
    serde_json::json!({"entity": entity, "id": id, "field": field, "value": value, "hlc": hlc})
}

impl TestServer {
    pub async fn push(
        &self,
        token: &str,
        device: &str,
        changes: Vec<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        self.push_raw(
            token,
            serde_json::json!({"device_id": device, "changes": changes}).to_string(),
        )
        .await
    }

    pub async fn push_raw(&self, token: &str, body: String) -> (u16, serde_json::Value) {
        let r = self
            .client
            .post(self.url("/api/v1/sync/push"))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn pull_page(&self, token: &str, query: &str) -> (u16, serde_json::Value) {
        self.get_json(token, &format!("/api/v1/sync/pull{query}"))
            .await
    }

    /// `GET path` with the token: the status and the JSON answer (null when there is none).
    pub async fn get_json(&self, token: &str, path: &str) -> (u16, serde_json::Value) {
        let r = self
            .client
            .get(self.url(path))
            .header("authorization", format!("Bearer {token}"))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// Pulls every page from `cursor` on; returns the changes and the last cursor.
    pub async fn pull_all(
        &self,
        token: &str,
        cursor: Option<String>,
        limit: usize,
    ) -> (Vec<serde_json::Value>, String) {
        let mut cursor = cursor;
        let mut out = Vec::new();
        loop {
            let q = match &cursor {
                Some(c) => format!("?cursor={c}&limit={limit}"),
                None => format!("?limit={limit}"),
            };
            let (status, page) = self.pull_page(token, &q).await;
            assert_eq!(status, 200, "{page}");
            out.extend(page["changes"].as_array().unwrap().iter().cloned());
            cursor = Some(page["cursor"].as_str().unwrap().to_owned());
            if !page["has_more"].as_bool().unwrap() {
                return (out, cursor.unwrap());
            }
        }
    }

    /// Everything the server holds, as (entity, id, field) -> (value, hlc), seen by the admin.
    pub async fn state(
        &self,
    ) -> std::collections::BTreeMap<(String, String, String), (serde_json::Value, String)> {
        let (admin, password) = self.logins.admin.clone().expect("an admin account");
        let token = self.token_with(&admin, &password, "admin-state").await;
        let (changes, _) = self.pull_all(&token, None, 5000).await;
        changes
            .into_iter()
            .map(|c| {
                (
                    (
                        c["entity"].as_str().unwrap().to_owned(),
                        c["id"].as_str().unwrap().to_owned(),
                        c["field"].as_str().unwrap().to_owned(),
                    ),
                    (c["value"].clone(), c["hlc"].as_str().unwrap().to_owned()),
                )
            })
            .collect()
    }

    pub async fn token_with(&self, username: &str, password: &str, device: &str) -> String {
        let r = self.login(username, password, device).await;
        assert_eq!(r.status(), 200, "login of {username}");
        let body: serde_json::Value = r.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    /// The grids of a user with the common password, from their login.
    pub async fn grids_of(&self, username: &str) -> Vec<String> {
        let r = self
            .login(username, &self.logins.password, "grids-probe")
            .await;
        let body: serde_json::Value = r.json().await.unwrap();
        body["user"]["grids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g.as_str().unwrap().to_owned())
            .collect()
    }
}
