//! The level above's answer on an escalated need (issue 17), as the community sees it on its
//! board and on the need: 街道已受理 / 处理中 / 已办结 / 已退回, the note, and the day; or that it
//! waits for an answer.

use leptos::prelude::*;
use model::entities::need::{self, field};
use model::record::{Fields, Need};

use crate::components::field_input::member_label;
use crate::i18n::{t, use_i18n};

/// The answer read off a need, owned, so a list row can draw it whenever it redraws.
#[derive(Debug, Clone)]
pub struct Upward {
    code: Option<String>,
    note: Option<String>,
    day: Option<String>,
}

/// The answer on `record`; nothing for a need not escalated.
pub fn upward_of<R: Fields + ?Sized>(record: &R) -> Option<Upward> {
    let n = Need(record);
    n.escalated().then(|| Upward {
        code: n.upward_status().map(str::to_owned),
        note: n.upward_note().map(str::to_owned),
        day: n
            .upward_at()
            .map(|ms| model::Date::from_china_ms(ms).to_string()),
    })
}

impl Upward {
    pub fn view(self) -> AnyView {
        let i18n = use_i18n();
        let returned = self.code.as_deref() == Some(need::RETURNED);
        let code = self.code.clone().unwrap_or_default();
        let said = match self.code {
            Some(c) => {
                let label = move || {
                    member_label(need::NAME, field::UPWARD_STATUS, &c, i18n.get_locale()).to_owned()
                };
                let note = self.note.map(|n| format!("：{n}"));
                let day = self.day.map(|d| format!("（{d}）"));
                view! { <strong>{label}</strong>{note}{day} }.into_any()
            }
            None => t!(i18n, upward_waiting).into_any(),
        };
        view! {
            <span class="row-sub" class:late=returned data-testid="need-upward" data-status=code>{said}</span>
        }
        .into_any()
    }
}
