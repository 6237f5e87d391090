//! The delivery list on paper (送达清单, issue 16): every door of the staff's filter building by
//! building in walking order, whom to hand the pack to, what is in it, its status, and a box for
//! the recipient's signature and the date. Drawn only while printing; the screen keeps its cards.

use leptos::prelude::*;
use model::dataset::doors;
use model::entities::pack_delivery;
use model::record::PackDelivery;

use crate::components::field_input::member_label;
use crate::data::{today, Dataset};
use crate::db::Record;
use crate::i18n::{t, t_string, use_i18n};

/// The table of `deliveries` (already filtered), headed by the date it was printed.
pub fn delivery_sheet(d: &Dataset, deliveries: Vec<&Record>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    let buildings = d
        .buildings(deliveries)
        .into_iter()
        .map(|b| {
            let name = if b.name.is_empty() { t_string!(i18n, door_no_address).to_string() } else { b.name.clone() };
            let rows = b
                .doors
                .into_iter()
                .map(|(x, place)| {
                    let v = PackDelivery(x);
                    let recipient = v.resident_id().and_then(|r| d.resident(r));
                    let status = v.status().unwrap_or(pack_delivery::PENDING);
                    view! {
                        <tr data-testid="delivery-sheet-row">
                            <td class="door">{place.door.clone()}</td>
                            <td>{recipient.map(|r| r.name().to_owned()).unwrap_or_else(|| "—".into())}</td>
                            <td>{recipient.and_then(|r| r.view().phone()).unwrap_or_default().to_owned()}</td>
                            <td>{doors::contents_items(v.contents().unwrap_or_default()).join("、")}</td>
                            <td>{member_label(pack_delivery::NAME, pack_delivery::field::STATUS, status, locale)}</td>
                            <td class="box-cell wide"></td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <section class="sheet-building">
                    <h2>{name}</h2>
                    <table class="ledger sheet">
                        <thead>
                            <tr>
                                <th>{t!(i18n, sheet_door)}</th><th>{t!(i18n, name)}</th><th>{t!(i18n, phone)}</th>
                                <th>{t!(i18n, contents)}</th><th>{t!(i18n, filter_status)}</th><th>{t!(i18n, sheet_received_by)}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </section>
            }
        })
        .collect_view();
    view! {
        <div class="delivery-sheet" data-testid="delivery-sheet">
            <p class="sheet-heading">{t!(i18n, deliveries_title)}" · "{t!(i18n, printed_on, date = today().to_string())}</p>
            {buildings}
        </div>
    }
}
