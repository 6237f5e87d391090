//! Where the device's data stands: the sync state, a button to sync now, and the edits the
//! server refused with its reason, so nothing is dropped silently.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::in_language;
use crate::components::confirm_button::ConfirmButton;
use crate::components::field_input::field_label;
use crate::components::load_error::LoadError;
use crate::i18n::{t, use_i18n};
use crate::sync::use_sync;

#[component]
pub fn SyncPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    // A failed read is said, not shown as "nothing refused".
    let rejected = LocalResource::new(move || {
        sync.revision.track();
        sync.rejected.track();
        let db = sync.db();
        async move {
            match db {
                Some(db) => db.rejected().await,
                None => Ok(Vec::new()),
            }
        }
    });
    let (problem, set_problem) = signal(None::<String>);
    let list = move || {
        rejected.get().map(|items| {
            let items = match items {
                Ok(items) => items,
                Err(_) => {
                    return view! { <li><LoadError on_retry=move |_| rejected.refetch() /></li> }.into_any()
                }
            };
            if items.is_empty() {
                // Inside the list's <ul>, so the one row says it holds nothing.
                return view! { <li><p class="muted" data-testid="rejected-none">{t!(i18n, rejected_none)}</p></li> }.into_any();
            }
            items
                .into_iter()
                .map(|(key, r)| {
                    let label = model::schema::field(&r.change.entity, &r.change.field)
                        .map(|f| field_label(f, i18n.get_locale()).to_owned())
                        .unwrap_or_else(|| r.change.field.clone());
                    let value = r.change.value.to_string();
                    let dismiss = move |()| {
                        let key = key.clone();
                        spawn_local(async move {
                            if let Some(db) = sync.db_untracked() {
                                match db.dismiss_rejected(key).await {
                                    Ok(()) => sync.rejected.update(|n| *n = n.saturating_sub(1)),
                                    Err(e) => set_problem
                                        .set(Some(e.message(i18n.get_locale_untracked()))),
                                }
                            }
                        });
                    };
                    view! {
                        <li class="rejected" data-testid="rejected-item">
                            <strong>{label}": "{value}</strong>
                            <p class="field-error">{refusal_text(&r, i18n.get_locale())}</p>
                            <ConfirmButton testid="rejected-dismiss"
                                label=move || t!(i18n, rejected_dismiss)
                                question=move || t!(i18n, rejected_dismiss_question)
                                confirm=move || t!(i18n, rejected_dismiss)
                                on_confirm=dismiss />
                        </li>
                    }
                })
                .collect_view()
                .into_any()
        })
    };
    view! {
        <section class="card">
            <h1>{t!(i18n, sync_title)}</h1>
            <button class="primary" data-testid="sync-now" on:click=move |_| sync.sync_now()>{t!(i18n, sync_now)}</button>
            <h2>{t!(i18n, rejected_title)}</h2>
            {move || problem.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            <Suspense fallback=|| ()><ul class="rows">{list}</ul></Suspense>
        </section>
    }
}

/// A refused edit's reason in the reader's language: worded from its code when the server sent
/// one, else the language's half of the server's bilingual message.
fn refusal_text(r: &crate::db::Rejected, locale: crate::i18n::Locale) -> String {
    let lang = crate::api::model_lang(locale);
    r.code
        .as_ref()
        .and_then(model::wire::ProblemCode::problem)
        .and_then(|p| model::validate::render(&p, lang))
        .unwrap_or_else(|| in_language(&r.message, locale))
}
