//! Saves bytes made on the device as a file the user can open or send on: an export works with
//! no network because nothing goes through the server.

use wasm_bindgen::JsCast;

pub fn save_file(name: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    let err = |e: wasm_bindgen::JsValue| format!("{e:?}");
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(err)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(err)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(err)?
        .dyn_into()
        .map_err(|_| "not an anchor")?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    // The click has started the download; the object URL is no longer needed.
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Saves a table as `<name>.xlsx` or `<name>.csv`, the two forms the level above accepts.
pub fn save_table(name: &str, table: &model::export::Table, xlsx: bool) -> Result<(), String> {
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
