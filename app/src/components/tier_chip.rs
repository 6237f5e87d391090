//! The risk tier as a coloured chip (红 / 黄 / 绿), readable without colour too; nothing for a
//! role that does not receive every input of the tier.

use leptos::prelude::*;
use model::risk::Tier;

use crate::i18n::{use_i18n, Locale};

pub fn tier_label(tier: Tier, locale: Locale) -> &'static str {
    match locale {
        Locale::zh => tier.zh(),
        Locale::en => tier.en(),
    }
}

/// One word for a chip in a list: 红 / 黄 / 绿.
pub fn tier_short(tier: Tier, locale: Locale) -> &'static str {
    match (tier, locale) {
        (Tier::Red, Locale::zh) => "红",
        (Tier::Yellow, Locale::zh) => "黄",
        (Tier::Green, Locale::zh) => "绿",
        (Tier::Red, Locale::en) => "Red",
        (Tier::Yellow, Locale::en) => "Yellow",
        (Tier::Green, Locale::en) => "Green",
    }
}

fn class(tier: Tier) -> &'static str {
    match tier {
        Tier::Red => "chip chip-red",
        Tier::Yellow => "chip chip-yellow",
        Tier::Green => "chip chip-green",
    }
}

/// The chip, drawn again whenever the language changes.
#[component]
pub fn TierChip(tier: Tier) -> impl IntoView {
    let i18n = use_i18n();
    move || tier_chip_in(tier, i18n.get_locale())
}

/// The chip in `locale`, drawn once: for the rows of a list keyed by the language, which a new
/// language draws again whole. A search redraws a screen of rows at each keystroke, and a chip
/// that followed the language by itself cost an effect each.
pub fn tier_chip_in(tier: Tier, locale: Locale) -> impl IntoView {
    // A role that does not receive the tier's inputs would see a tier computed from a gap.
    crate::components::access::may_assess().then(|| view! { <span class=class(tier) data-testid="tier" data-tier=tier.key() title=tier_label(tier, locale)>{tier_short(tier, locale)}</span> })
}
