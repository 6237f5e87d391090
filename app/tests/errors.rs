//! What the app tells the person when the server, the network or the device's store fails: the
//! sync engine's reading of each answer, every message in both languages, and the notice with
//! its retry button that stands in for data that could not be read.

use app::api::ApiError;
use app::components::load_error::LoadError;
use app::db::DbError;
use app::i18n::{I18nContextProvider, Locale};
use app::sync::SyncError;
use leptos::prelude::*;
use model::wire::ErrorBody;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn answer(status: u16, code: &str, message: &str) -> ApiError {
    ApiError::Status {
        status,
        body: Some(ErrorBody {
            error: code.into(),
            message: message.into(),
            server_time_ms: None,
            details: None,
        }),
    }
}

#[wasm_bindgen_test]
fn no_answer_or_a_proxy_for_a_server_that_is_down_is_offline() {
    assert_eq!(SyncError::from(ApiError::Unreachable), SyncError::Offline);
    for status in [502, 503, 504] {
        let e = ApiError::Status { status, body: None };
        assert_eq!(SyncError::from(e), SyncError::Offline);
    }
    assert_eq!(
        SyncError::from(answer(401, "unauthorized", "x")),
        SyncError::LoggedOut
    );
}

#[wasm_bindgen_test]
fn a_server_error_keeps_its_status_and_code_and_speaks_one_language() {
    let e = SyncError::from(answer(400, "malformed", "请求格式错误 (malformed request)"));
    assert_eq!(
        e,
        SyncError::Http {
            status: 400,
            code: Some("malformed".into()),
            message: Some("请求格式错误 (malformed request)".into()),
        }
    );
    assert_eq!(e.message(Locale::zh), "请求格式错误");
    assert_eq!(e.message(Locale::en), "malformed request");

    let bare = SyncError::from(ApiError::Status {
        status: 500,
        body: None,
    });
    assert!(bare.message(Locale::en).contains("HTTP 500"));
    assert!(bare.message(Locale::zh).contains("HTTP 500"));
}

#[wasm_bindgen_test]
fn every_message_is_written_in_both_languages() {
    let all = [
        SyncError::Offline,
        SyncError::LoggedOut,
        SyncError::ClockSkew,
        SyncError::Refused("无效 (invalid)".into()),
        SyncError::Store(DbError::Idb("QuotaExceededError".into())),
        SyncError::Store(DbError::BadJson("EOF".into())),
        SyncError::Store(DbError::MissingKey("json")),
        SyncError::Store(DbError::Closed),
        SyncError::Store(DbError::NotOpen),
    ];
    for e in all {
        let (zh, en) = (e.message(Locale::zh), e.message(Locale::en));
        assert!(!zh.is_empty() && !en.is_empty(), "{e:?}");
        assert_ne!(zh, en, "{e:?}");
    }
    let refused = SyncError::Refused("无效 (invalid)".into());
    assert!(refused.message(Locale::en).contains("invalid"));
    assert!(!refused.message(Locale::en).contains("无效"));
}

#[wasm_bindgen_test]
fn a_failed_read_says_so_and_its_button_reads_again() {
    let document = web_sys::window().unwrap().document().unwrap();
    let parent: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&parent).unwrap();
    let retries = RwSignal::new(0);
    let mounted = leptos::mount::mount_to(parent.clone(), move || {
        view! {
            <I18nContextProvider>
                <LoadError on_retry=move |_| retries.update(|n| *n += 1) />
            </I18nContextProvider>
        }
    });
    let notice = parent
        .query_selector("[data-testid=load-error]")
        .unwrap()
        .expect("the notice is shown");
    let text = notice.text_content().unwrap_or_default();
    assert!(
        text.contains("数据读取失败") || text.contains("Could not read the data on this device"),
        "{text}"
    );
    let retry: web_sys::HtmlElement = parent
        .query_selector("[data-testid=retry]")
        .unwrap()
        .expect("the retry button is shown")
        .unchecked_into();
    retry.click();
    retry.click();
    assert_eq!(retries.get_untracked(), 2);
    drop(mounted);
    parent.remove();
}

/// A failure of the browser's own (a store's `DOMException`, a refused print) keeps what it said
/// for the log and the error's detail, written without `Debug`, which the release wasm leaves
/// empty (`-Zfmt-debug=none`).
#[wasm_bindgen_test]
fn a_browser_failure_keeps_its_words_without_debug_formatting() {
    use app::browser::js_error_text;
    use wasm_bindgen::JsValue;
    let thrown: JsValue = js_sys::Error::new("QuotaExceededError: the disk is full").into();
    assert_eq!(
        js_error_text(&thrown),
        "QuotaExceededError: the disk is full"
    );
    let dom = web_sys::DomException::new_with_message("the transaction was aborted")
        .expect("a DOMException");
    assert_eq!(js_error_text(&dom.into()), "the transaction was aborted");
    assert_eq!(
        js_error_text(&JsValue::from_str("plain words")),
        "plain words"
    );
    assert_eq!(js_error_text(&JsValue::from_f64(3.0)), "?");
}
