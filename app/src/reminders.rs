//! Reminders of due visits without a push service (issue 16): whenever the app is open, the
//! app's icon carries the number of residents due today and overdue (the Badging API) and the
//! tab's title says it too; with the worker's consent, a notification through the service worker
//! says it when the app opens, and once a day at the hour the worker chose, while the app runs.
//! Nothing here needs a server on the internet: the counts come from the device's own records.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

use crate::browser;

use crate::data::{today, use_data};
use crate::i18n::{td_string, use_i18n, Locale};

const SETTINGS_KEY: &str = "knock.reminders";
/// The notification shown when the app opens (a newer one replaces it).
pub const TAG_OPEN: &str = "knock-due";
/// The daily summary at the chosen hour.
pub const TAG_SUMMARY: &str = "knock-summary";
/// Tries of the summary in one tick, this long apart, before it waits for the minute's tick.
const SUMMARY_TRIES: u32 = 3;
const SUMMARY_RETRY_MS: u32 = 3_000;

/// The worker's choice, kept on this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub enabled: bool,
    /// Hour of the day (0–23, China time) for the daily summary.
    pub hour: u8,
    /// The last day a summary was shown, so it is shown once a day.
    #[serde(default)]
    pub summarised_on: Option<String>,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            enabled: false,
            hour: 8,
            summarised_on: None,
        }
    }
}

pub fn load() -> Settings {
    LocalStorage::get(SETTINGS_KEY).unwrap_or_default()
}

pub fn save(s: &Settings) {
    let _ = LocalStorage::set(SETTINGS_KEY, s);
}

/// Residents due today and overdue, from the device's records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DueCounts {
    pub today: usize,
    pub overdue: usize,
}

impl DueCounts {
    pub fn total(self) -> usize {
        self.today + self.overdue
    }
}

fn counts(d: &crate::data::Dataset) -> DueCounts {
    let (today, overdue) = d.due_counts();
    DueCounts { today, overdue }
}

fn message(locale: Locale, c: DueCounts) -> (String, String) {
    let title = td_string!(locale, reminder_title).to_string();
    let body = match locale {
        Locale::zh => format!(
            "今天到期 {} 人，已逾期 {} 人。点此打开今日待访。",
            c.today, c.overdue
        ),
        Locale::en => format!(
            "{} due today, {} overdue. Tap to open Today.",
            c.today, c.overdue
        ),
    };
    (title, body)
}

/// `navigator.setAppBadge(n)`, or `clearAppBadge()` at 0, where the browser has them.
fn set_badge(n: usize) {
    spawn_local(async move {
        let Ok(nav) = browser::navigator(None) else {
            return;
        };
        // A browser that refuses (not installed, no permission) only loses the badge.
        let _ = if n == 0 {
            browser::call(&nav, "clearAppBadge", &[]).await
        } else {
            browser::call(&nav, "setAppBadge", &[JsValue::from_f64(n as f64)]).await
        };
    });
}

fn notification_api() -> Result<JsValue, JsValue> {
    js_sys::Reflect::get(&js_sys::global(), &"Notification".into())
}

/// Whether notifications are allowed for this site: "granted", "denied", "default", or
/// "unsupported".
pub fn permission() -> String {
    notification_api()
        .and_then(|n| js_sys::Reflect::get(&n, &"permission".into()))
        .ok()
        .and_then(|p| p.as_string())
        .unwrap_or_else(|| "unsupported".into())
}

/// Asks for permission to notify; resolves to the answer.
pub async fn ask_permission() -> String {
    let Ok(n) = notification_api() else {
        return "unsupported".into();
    };
    match browser::call(&n, "requestPermission", &[]).await {
        Ok(answer) => answer.as_string().unwrap_or_default(),
        Err(_) => "unsupported".into(),
    }
}

/// Shows a notification through the service worker (which opens Today when it is tapped).
async fn notify(title: &str, body: &str, tag: &str) -> Result<(), JsValue> {
    let sw = browser::navigator(Some("serviceWorker"))?;
    let ready = js_sys::Reflect::get(&sw, &"ready".into())?.dyn_into::<js_sys::Promise>()?;
    let registration = wasm_bindgen_futures::JsFuture::from(ready).await?;
    let options = browser::object(&[
        ("body", body),
        ("tag", tag),
        ("icon", "/icon.svg"),
        ("data", "/today"),
    ])?;
    browser::call(&registration, "showNotification", &[title.into(), options])
        .await
        .map(|_| ())
}

/// The hour of the day in China (UTC+8), whatever the phone's own time zone.
fn china_hour() -> u8 {
    let ms = js_sys::Date::now() as i64 + i64::from(model::date::CHINA_UTC_OFFSET_MINUTES) * 60_000;
    (ms.rem_euclid(86_400_000) / 3_600_000) as u8
}

/// Changed settings: bumping it runs the summary check at once.
#[derive(Clone, Copy)]
pub struct RemindersContext {
    pub changed: RwSignal<u32>,
}

pub fn use_reminders() -> RemindersContext {
    expect_context::<RemindersContext>()
}

/// Keeps the badge and the title in step with the due list, notifies once when the app opens,
/// and checks every minute for the daily summary. [`RemindersProvider`] calls it once.
pub fn provide_reminders() {
    let i18n = use_i18n();
    let data = use_data();
    let changed = RwSignal::new(0u32);
    provide_context(RemindersContext { changed });
    let due = Memo::new(move |_| data.dataset().map(|d| counts(&d)));
    let opened = StoredValue::new(false);
    Effect::new(move |_| {
        // Logged out (or not loaded yet): no number anywhere.
        let c = due.get().unwrap_or_default();
        set_badge(c.total());
        let base = "敲门 Knock";
        let title = if c.total() > 0 {
            format!("({}) {base}", c.total())
        } else {
            base.to_owned()
        };
        document().set_title(&title);
        // Once per start of the app, when the first dataset is there.
        if opened.get_value() || due.get_untracked().is_none() {
            return;
        }
        opened.set_value(true);
        let s = load();
        if s.enabled && permission() == "granted" && c.total() > 0 {
            let (t, b) = message(i18n.get_locale_untracked(), c);
            spawn_local(async move {
                let _ = notify(&t, &b, TAG_OPEN).await;
            });
        }
    });
    // A summary being shown: the minute's tick and a data change must not send it twice.
    let sending = StoredValue::new(false);
    let tick = move || {
        let s = load();
        let day = today().to_string();
        let due_now = s.enabled
            && china_hour() == s.hour
            && s.summarised_on.as_deref() != Some(day.as_str())
            && permission() == "granted"
            && !sending.get_value();
        if !due_now {
            return;
        }
        let Some(c) = due.get_untracked() else { return };
        sending.set_value(true);
        let (t, b) = message(i18n.get_locale_untracked(), c);
        spawn_local(async move {
            // The day counts as done only once the summary was shown. A refusal (a service
            // worker being replaced just after a start) is tried again a few seconds later,
            // not only at the next minute's tick, which may be past the chosen hour.
            for attempt in 1..=SUMMARY_TRIES {
                // Turned off while a try waited: no summary.
                if attempt > 1 && !load().enabled {
                    break;
                }
                if notify(&t, &b, TAG_SUMMARY).await.is_ok() {
                    let mut s = load();
                    s.summarised_on = Some(day);
                    save(&s);
                    break;
                }
                if attempt < SUMMARY_TRIES {
                    gloo_timers::future::TimeoutFuture::new(SUMMARY_RETRY_MS).await;
                }
            }
            sending.set_value(false);
        });
    };
    // At start, when the data arrives, after a change of settings, and every minute.
    Effect::new(move |_| {
        changed.track();
        due.track();
        tick();
    });
    let interval = gloo_timers::callback::Interval::new(60_000, tick);
    // The check lives as long as the app: the interval is never cancelled.
    std::mem::forget(interval);
}

/// Provides the reminders to everything inside it (the router and its pages).
#[component]
pub fn RemindersProvider(children: Children) -> impl IntoView {
    provide_reminders();
    children()
}
