//! One guide of the health education library, in full, with the two ways to pass it on: the
//! phone's share sheet (Web Share) and a copied text to paste into a WeChat group. Both work
//! offline; a browser without the share sheet copies instead.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

use crate::browser;

use crate::guides::{guide, Block};
use crate::i18n::{t, t_string, use_i18n};
use crate::pages::not_found::NotFoundPage;

async fn share(title: &str, text: &str) -> Result<(), JsValue> {
    let data = browser::object(&[("title", title), ("text", text)])?;
    browser::call(&browser::navigator(None)?, "share", &[data])
        .await
        .map(|_| ())
}

async fn copy(text: &str) -> Result<(), JsValue> {
    browser::call(
        &browser::navigator(Some("clipboard"))?,
        "writeText",
        &[text.into()],
    )
    .await
    .map(|_| ())
}

/// The body's blocks, consecutive items in one list.
fn body(blocks: Vec<Block<'static>>) -> impl IntoView {
    let mut out: Vec<AnyView> = Vec::new();
    let mut items: Vec<&'static str> = Vec::new();
    let flush = |items: &mut Vec<&'static str>, out: &mut Vec<AnyView>| {
        if !items.is_empty() {
            let lis = items
                .drain(..)
                .map(|i| view! { <li>{i}</li> })
                .collect_view();
            out.push(view! { <ul class="guide-list">{lis}</ul> }.into_any());
        }
    };
    for b in blocks {
        match b {
            Block::Item(i) => items.push(i),
            Block::Heading(h) => {
                flush(&mut items, &mut out);
                out.push(view! { <h2>{h}</h2> }.into_any());
            }
            Block::Para(p) => {
                flush(&mut items, &mut out);
                out.push(view! { <p>{p}</p> }.into_any());
            }
        }
    }
    flush(&mut items, &mut out);
    out
}

#[component]
pub fn GuidePage(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let Some(g) = guide(&id) else {
        return view! { <NotFoundPage /> }.into_any();
    };
    let (message, set_message) = signal(None::<String>);
    let text = g.share_text();
    let copy_text = text.clone();
    // Copies the text and says how that went.
    let copy_saying = move |text: String| async move {
        match copy(&text).await {
            Ok(()) => t_string!(i18n, guide_copied).to_string(),
            Err(_) => t_string!(i18n, guide_copy_failed).to_string(),
        }
    };
    let on_copy = move |_| {
        let text = copy_text.clone();
        spawn_local(async move { set_message.set(Some(copy_saying(text).await)) });
    };
    let on_share = move |_| {
        let text = text.clone();
        spawn_local(async move {
            // No share sheet (a laptop, an old browser): the text goes to the clipboard instead.
            let said = match share(g.title(), &text).await {
                Ok(()) => None,
                Err(_) => Some(copy_saying(text).await),
            };
            set_message.set(said);
        });
    };
    view! {
        <article class="card guide" data-testid="guide">
            <p><a href="/guides" data-testid="guides-back">{t!(i18n, guides_title)}</a></p>
            <h1 data-testid="guide-title">{g.title()}</h1>
            {body(g.blocks())}
            <div class="actions">
                <button class="primary" data-testid="guide-share" on:click=on_share>{t!(i18n, guide_share)}</button>
                <button class="secondary" data-testid="guide-copy" on:click=on_copy>{t!(i18n, guide_copy)}</button>
            </div>
            {move || message.get().map(|m| view! { <p class="notice" role="status" data-testid="guide-message">{m}</p> })}
        </article>
    }
    .into_any()
}
