//! Calls into browser APIs that not every browser has, or that web-sys gates (Web Share, the
//! clipboard, notifications, the app badge): looked up by name, so a missing one is an error to
//! handle rather than a crash.

use wasm_bindgen::{JsCast, JsValue};

/// `target[name]` when it is a function.
pub fn method(target: &JsValue, name: &str) -> Result<js_sys::Function, JsValue> {
    js_sys::Reflect::get(target, &name.into())?
        .dyn_into::<js_sys::Function>()
        .map_err(|_| JsValue::from_str(&format!("{name}: unsupported")))
}

/// Calls `target[name](...args)` and waits for the promise it returns (a plain value resolves
/// at once).
pub async fn call(target: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f = method(target, name)?;
    let result = f.apply(target, &args.iter().collect::<js_sys::Array>())?;
    match result.dyn_into::<js_sys::Promise>() {
        Ok(p) => wasm_bindgen_futures::JsFuture::from(p).await,
        Err(value) => Ok(value),
    }
}

/// `navigator`, or a property of it (`"clipboard"`, `"serviceWorker"`).
pub fn navigator(part: Option<&str>) -> Result<JsValue, JsValue> {
    let nav: JsValue = web_sys::window()
        .ok_or_else(|| JsValue::from_str("no window"))?
        .navigator()
        .into();
    match part {
        Some(p) => js_sys::Reflect::get(&nav, &p.into()),
        None => Ok(nav),
    }
}

/// A plain object of string properties, for an API's options.
pub fn object(pairs: &[(&str, &str)]) -> Result<JsValue, JsValue> {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        js_sys::Reflect::set(&o, &(*k).into(), &(*v).into())?;
    }
    Ok(o.into())
}

/// `performance.mark(name)`: the steps of a start as the benchmarks read them
/// (`e2e/bench/lists.bench.ts`); a browser without the User Timing API loses only the mark.
pub fn mark(name: &str) {
    if let Ok(performance) = js_sys::Reflect::get(&js_sys::global(), &"performance".into()) {
        if let Ok(f) = method(&performance, "mark") {
            let _ = f.call1(&performance, &name.into());
        }
    }
}

/// Lets the browser answer a tap between two slices of long work, then goes on before other
/// queued work: `scheduler.yield()` (Chromium 129 and later) keeps the continuation ahead of the
/// tasks waiting, where a timer would queue it behind them (and after 4 ms once nested).
/// Browsers without it get a timer.
pub async fn yield_to_input() {
    let scheduler = js_sys::Reflect::get(&js_sys::global(), &"scheduler".into());
    if let Ok(scheduler) = scheduler {
        if call(&scheduler, "yield", &[]).await.is_ok() {
            return;
        }
    }
    gloo_timers::future::TimeoutFuture::new(0).await;
}

/// What a JavaScript exception says, for a log line or an error's detail: its message when it is
/// an `Error` (a `DOMException` is one), else its text. Not `{:?}`: the release wasm is built with
/// `-Zfmt-debug=none` (`xtask/src/app_build.rs`), where Debug formatting writes nothing.
pub fn js_error_text(e: &JsValue) -> String {
    match e.dyn_ref::<js_sys::Error>() {
        Some(error) => String::from(error.message()),
        None => e.as_string().unwrap_or_else(|| "?".to_owned()),
    }
}
