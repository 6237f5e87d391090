//! What Today's rows and a resident's page say of someone kept an offline channel (线下渠道):
//! the groups that put them there, and whom to reach for them (guardian, else emergency contact).

use leptos::prelude::*;

use crate::data::Resident;
use crate::i18n::{t, t_string, use_i18n, Locale};

/// "线下渠道：孤儿 · 联系人 李主任 13900002222", or `None` for anyone not in those groups. Plain
/// text, for a row that is itself a link.
pub fn offline_line(r: &Resident, locale: Locale) -> Option<String> {
    if !r.needs_offline_channel() {
        return None;
    }
    let (label, groups, contact) = match locale {
        Locale::zh => ("线下渠道：", r.offline_zh(), "联系人"),
        Locale::en => ("Offline channel: ", r.offline_en(), "contact"),
    };
    let mut line = format!("{label}{groups}");
    if let Some((name, phone)) = r.carer() {
        let who = [name, phone]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        line.push_str(&format!(" · {contact} {who}"));
    }
    Some(line)
}

/// The number to call for a resident: their own, else their guardian's or emergency contact's,
/// with the name a screen reader says after 拨打.
pub fn number_to_call(r: &Resident) -> Option<(String, String)> {
    let own = r.view().phone().map(str::trim).filter(|p| !p.is_empty());
    if let Some(p) = own {
        return Some((p.to_owned(), r.name().to_owned()));
    }
    let (name, phone) = r.carer()?;
    let phone = phone.map(str::trim).filter(|p| !p.is_empty())?;
    Some((phone.to_owned(), name.unwrap_or(r.name()).to_owned()))
}

/// The resident page's note: the groups, and the contact with a call button.
#[component]
pub fn OfflineNote(
    groups: String,
    carer_name: Option<String>,
    carer_phone: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let call_label = {
        let who = carer_name.clone().unwrap_or_default();
        move || format!("{} {who}", t_string!(i18n, call))
    };
    view! {
        <div class="offline-note" data-testid="offline-channel">
            <p><strong>{t!(i18n, offline_channel)}</strong>": "{groups}</p>
            <p class="muted">{t!(i18n, offline_channel_hint)}</p>
            {(carer_name.is_some() || carer_phone.is_some()).then(|| view! {
                <p data-testid="offline-carer">
                    {t!(i18n, carer)}": "{carer_name.clone().unwrap_or_default()}" "
                    {carer_phone.clone().map(|p| view! {
                        <a class="button secondary call" href=format!("tel:{p}") aria-label=call_label.clone() data-testid="offline-call">{p.clone()}</a>
                    })}
                </p>
            })}
        </div>
    }
}
