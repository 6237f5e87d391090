//! What can go wrong with the device's store, and what the person reads about it.

use model::hlc::HlcError;
use wasm_bindgen::JsValue;

use crate::i18n::{td_string, Locale};

/// What can go wrong with the device's store. Cloneable and comparable so the sync status can
/// carry it; the browser's own error objects are kept as their text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DbError {
    /// IndexedDB refused or failed a request (quota, a blocked upgrade, a private window …).
    #[error("本机存储出错 (device storage error): {0}")]
    Idb(String),
    /// A stored value is not the JSON this version writes.
    #[error("本机存储的数据无法读取 (stored data could not be read): {0}")]
    BadJson(String),
    /// A stored record lacks one of its keys.
    #[error("本机存储的记录缺少 {0} (stored record without {0})")]
    MissingKey(&'static str),
    /// The stored clock does not parse or cannot start for this device.
    #[error("本机时钟状态无法读取 (the stored clock could not be read): {0}")]
    Clock(#[from] HlcError),
    /// The connection was closed (logout) and this handle is no longer usable.
    #[error("本机存储已关闭 (the store is closed)")]
    Closed,
    /// The store has not been opened yet (just after login).
    #[error("本机存储尚未打开 (store not open yet)")]
    NotOpen,
}

impl DbError {
    /// What the person reads, in their language.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            DbError::Idb(_) | DbError::Clock(_) => td_string!(locale, db_err_storage),
            DbError::BadJson(_) | DbError::MissingKey(_) => td_string!(locale, db_err_corrupt),
            DbError::Closed => td_string!(locale, db_err_closed),
            DbError::NotOpen => td_string!(locale, db_err_not_open),
        }
        .to_string()
    }
}

impl From<rexie::Error> for DbError {
    fn from(e: rexie::Error) -> Self {
        DbError::Idb(e.to_string())
    }
}

impl From<serde_json::Error> for DbError {
    fn from(e: serde_json::Error) -> Self {
        DbError::BadJson(e.to_string())
    }
}

/// A failed JavaScript call on the store's objects.
pub(super) fn js_error(e: JsValue) -> DbError {
    DbError::Idb(crate::browser::js_error_text(&e))
}

pub type Result<T> = std::result::Result<T, DbError>;
