//! Saves bytes made on the device as a file the user can open or send on: an export works with
//! no network because nothing goes through the server.

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::i18n::{td_string, use_i18n, Locale};

/// The browser would not make the file (no document, or a Blob or URL call failed).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("文件未能保存 (the file could not be saved): {0}")]
pub struct SaveError(String);

impl SaveError {
    /// What the person reads, in their language.
    pub fn message(&self, locale: Locale) -> String {
        td_string!(locale, export_failed).to_string()
    }
}

impl From<JsValue> for SaveError {
    fn from(e: JsValue) -> Self {
        SaveError(crate::browser::js_error_text(&e))
    }
}

pub fn save_file(name: &str, mime: &str, bytes: &[u8]) -> Result<(), SaveError> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| SaveError("no document".into()))?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")?
        .dyn_into()
        .map_err(|_| SaveError("not an anchor".into()))?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // The click has started the download; the object URL is no longer needed.
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Saves a table as `<name>.xlsx` or `<name>.csv`, the two forms the level above accepts.
pub fn save_table(name: &str, table: &model::export::Table, xlsx: bool) -> Result<(), SaveError> {
    if xlsx {
        save_file(
            &format!("{name}.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &model::export::to_xlsx(table),
        )
    } else {
        save_file(
            &format!("{name}.csv"),
            "text/csv;charset=utf-8",
            model::export::to_csv(table).as_bytes(),
        )
    }
}

/// A page's export buttons: saves tables and keeps the last failure, shown next to the buttons
/// in the person's language until an export works.
#[derive(Clone, Copy, Default)]
pub struct Export {
    failed: RwSignal<Option<SaveError>>,
}

impl Export {
    pub fn save(&self, name: &str, table: &model::export::Table, xlsx: bool) {
        self.failed.set(save_table(name, table, xlsx).err());
    }

    /// Why the last export failed, if it did.
    pub fn notice(&self) -> impl IntoView {
        let (failed, i18n) = (self.failed, use_i18n());
        move || {
            failed.get().map(|e| {
                view! {
                    <p class="field-error" role="alert" data-testid="export-error">
                        {e.message(i18n.get_locale())}
                    </p>
                }
            })
        }
    }
}
