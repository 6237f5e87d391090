//! The numbers to call in an emergency: 120 first, then the community's own hotlines from the
//! service directory (a pharmacy's direct line, the street office), each one tap from a call.

use leptos::prelude::*;
use model::entities::facility;
use model::record::Facility;

use crate::data::use_data;
use crate::i18n::{t, use_i18n};

/// The community's hotlines, (name, phone), by name.
pub fn community_hotlines(d: &crate::data::Dataset) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = d
        .facilities
        .iter()
        .map(Facility)
        .filter(|f| f.kind() == Some(facility::HOTLINE))
        .filter_map(|f| {
            Some((
                f.name().unwrap_or_default().to_owned(),
                f.phone()?.trim().to_owned(),
            ))
        })
        .filter(|(_, p)| !p.is_empty())
        .collect();
    out.sort();
    out
}

/// The community's hotlines as call buttons; nothing when there are none.
#[component]
pub fn CommunityHotlines() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    move || {
        data.dataset().map(|d| {
            let lines = community_hotlines(&d);
            (!lines.is_empty()).then(|| {
                let buttons = lines
                    .into_iter()
                    .map(|(name, phone)| view! {
                        <a class="button secondary block" href=format!("tel:{phone}") data-testid="community-hotline">
                            {name}" "{phone.clone()}
                        </a>
                    })
                    .collect_view();
                view! {
                    <div class="hotlines" data-testid="community-hotlines">
                        <p class="muted">{t!(i18n, community_hotlines)}</p>
                        {buttons}
                    </div>
                }
            })
        })
    }
}
