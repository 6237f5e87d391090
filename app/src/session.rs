//! Who is logged in on this device: the session context and its copy in local storage, so a
//! reload keeps the user logged in, and the device id that every token and stamp is bound to.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use model::wire::UserInfo;
use serde::{Deserialize, Serialize};

const SESSION_KEY: &str = "knock.session";
const DEVICE_KEY: &str = "knock.device_id";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub token: String,
    pub user: UserInfo,
    pub device_id: String,
    /// The server's vaccination policy as of the login; a session stored by an older version has
    /// none and follows the default.
    #[serde(default)]
    pub vaccination: model::vaccination::Policy,
}

/// This device's id, made once and kept: the server binds tokens to it and HLC stamps carry it.
pub fn device_id() -> String {
    if let Ok(id) = LocalStorage::get::<String>(DEVICE_KEY) {
        if model::hlc::is_valid_device_id(&id) {
            return id;
        }
    }
    // 12 hex digits: short enough to read in a stamp, random enough never to collide in a city.
    let id = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
    let _ = LocalStorage::set(DEVICE_KEY, &id);
    id
}

pub fn load() -> Option<Session> {
    LocalStorage::get::<Session>(SESSION_KEY).ok()
}

pub fn save(session: &Session) {
    let _ = LocalStorage::set(SESSION_KEY, session);
}

pub fn clear() {
    LocalStorage::delete(SESSION_KEY);
}

#[derive(Clone, Copy)]
pub struct SessionContext {
    session: RwSignal<Option<Session>>,
    /// Set when the server refused the token and the session ended without the person asking;
    /// the login page then says why, and that their unsynced edits are kept.
    pub expired: RwSignal<bool>,
}

impl SessionContext {
    pub fn get(&self) -> Option<Session> {
        self.session.get()
    }

    /// The bearer token, read without subscribing: for requests, which must not rerun on change.
    pub fn token_untracked(&self) -> String {
        self.session
            .with_untracked(|s| s.as_ref().map(|s| s.token.clone()))
            .unwrap_or_default()
    }

    pub fn is_logged_in(&self) -> bool {
        self.session.with(Option::is_some)
    }

    pub fn log_in(&self, session: Session) {
        save(&session);
        self.expired.set(false);
        self.session.set(Some(session));
    }

    /// Ends a session whose token the server refused (user disabled, new password, token
    /// revoked). Unlike logging out this erases nothing: the user's store and outbox stay on the
    /// device and sync when they log in again.
    pub fn expire(&self) {
        clear();
        self.expired.set(true);
        self.session.set(None);
    }

    /// Revokes the token on the server when it can (offline it cannot, and the token is
    /// forgotten here all the same), then forgets the session on this device.
    pub async fn log_out(&self) {
        let token = self
            .session
            .with_untracked(|s| s.as_ref().map(|s| s.token.clone()));
        if let Some(token) = token {
            let _ = crate::api::logout(&token).await;
        }
        clear();
        self.session.set(None);
    }
}

pub fn provide_session() {
    provide_context(SessionContext {
        session: RwSignal::new(load()),
        expired: RwSignal::new(false),
    });
}

pub fn use_session() -> SessionContext {
    expect_context::<SessionContext>()
}
