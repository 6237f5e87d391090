//! JSON read from bytes (an API answer, a stored base of records), parsed as text.
//!
//! `serde_json` compiles every type's deserializer once for each kind of input it reads from:
//! bytes (`from_slice`) and text (`from_str`, which `gloo_storage` and the model use). Parsing
//! bytes as text here keeps one copy of each in the app's download; checking the bytes as
//! UTF-8 first costs what the byte reader's check of every string would.

use serde::de::{DeserializeOwned, Error as _};

/// `bytes` as UTF-8 text, parsed as JSON.
pub fn from_bytes<T: DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<T> {
    let text = std::str::from_utf8(bytes).map_err(serde_json::Error::custom)?;
    serde_json::from_str(text)
}
