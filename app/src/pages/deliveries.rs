//! Health-pack deliveries. A volunteer sees only their own (the server sends nothing else), staff
//! every delivery of their grids with the volunteer's name and filters by batch, volunteer and
//! status. Both see one card a door ([`DoorCard`]) under a heading per building in walking
//! order with what is done and left, may show only what is still to do, and take a status back
//! the same day (a delivered pack's draws from stock withdrawn with it) or try a door again
//! where nobody was at home.

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::access::{receives_all, Action};
use model::dataset::doors::{self, DeliveryFilter};
use model::dataset::packs;
use model::entities::{pack_delivery, stock_move};
use model::record::PackDelivery;
use model::schema::{can_write, DELETED};
use model::Role;

use crate::components::access::may;
use crate::components::delivery_sheet::delivery_sheet;
use crate::components::door_card::{Door, DoorCard, Drafts, Mark};
use crate::components::field_input::member_label;
use crate::components::show_more::ShowMore;
use crate::data::{use_data, Dataset};
use crate::db::{now_ms, DbError, Record};
use crate::i18n::{t, t_string, use_i18n};
use crate::session::use_session;
use crate::sync::{use_sync, SyncContext};

/// Doors drawn at a time: a page of cards stays well under the 2,000 DOM nodes a cheap phone
/// handles without stalling.
const PAGE: usize = 60;

/// Sets a delivery's status. Delivered draws the pack's contents from stock; taking a delivered
/// pack back to pending withdraws those draws, so stock is as before on every device. The status
/// and its stock moves are saved in one transaction: a failure leaves neither.
async fn mark(
    sync: SyncContext,
    d: &Dataset,
    delivery: &Record,
    to: &'static str,
    note: String,
    me: &str,
) -> Result<(), DbError> {
    let at = now_ms() as i64;
    let was = PackDelivery(delivery).status();
    let mut edits = vec![(
        pack_delivery::NAME.to_owned(),
        delivery.id.clone(),
        packs::status_change(to, &note, at),
    )];
    if to == pack_delivery::DELIVERED {
        for fields in d.stock_draws(delivery, at, me) {
            let id = model::record::new_id();
            edits.push((stock_move::NAME.to_owned(), id, fields));
        }
    } else if was == Some(pack_delivery::DELIVERED) {
        for m in d.draws_of(&delivery.id) {
            edits.push((
                stock_move::NAME.to_owned(),
                m.id.clone(),
                doors::withdrawal(),
            ));
        }
    }
    sync.edit_many(edits).await.map(|_| ())
}

/// Whether this device can take a delivered pack back with its draws: the role may withdraw a
/// move, and the device holds the draws (a volunteer's are on the phone that marked it) or the
/// batch drew nothing. Otherwise stock would stay drawn, so the undo is not offered.
fn can_take_back(d: &Dataset, x: &Record, role: Role) -> bool {
    let v = PackDelivery(x);
    if v.status() != Some(pack_delivery::DELIVERED) {
        return true;
    }
    let draws_nothing = d
        .pack_items
        .get(v.plan_id().unwrap_or_default())
        .is_none_or(Vec::is_empty);
    can_write(role, stock_move::NAME, DELETED) && (draws_nothing || !d.draws_of(&x.id).is_empty())
}

#[component]
pub fn DeliveriesPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let sync = use_sync();
    let session = use_session();
    let me = StoredValue::new(session.get().map(|s| s.user.id).unwrap_or_default());
    let role = session
        .get()
        .map(|s| s.user.role)
        .unwrap_or(Role::Volunteer);
    let staff = role != Role::Volunteer;
    let may_mark = may(Action::MarkDelivery);
    // Two packs to one household can be seen only by who receives every delivery; a
    // volunteer's own few would hide the other.
    let sees_doubles = receives_all(role, pack_delivery::NAME);
    let (error, set_error) = signal(None::<String>);
    let to_do_only = RwSignal::new(false);
    let filter = RwSignal::new(DeliveryFilter::default());
    let drafts = Drafts::new();
    // A supervisor sees every door of a batch, over a thousand cards: draw a page of doors at a
    // time in walking order, from the top again whenever a filter changes. The counts cover all.
    let drawn = RwSignal::new(PAGE);
    Effect::new(move |_| {
        filter.track();
        to_do_only.track();
        drawn.set(PAGE);
    });

    let on_mark = Callback::new(move |(id, to, note): Mark| {
        let Some(d) = data.dataset_untracked() else {
            return;
        };
        let Some(record) = d.deliveries.iter().find(|x| x.id == id).cloned() else {
            return;
        };
        set_error.set(None);
        drafts.clear(&id);
        spawn_local(async move {
            if let Err(e) = mark(sync, &d, &record, to, note, &me.get_value()).await {
                set_error.set(Some(e.message(i18n.get_locale_untracked())));
            }
        });
    });

    let filters = move || {
        staff.then(|| {
            data.dataset().map(|d| {
                let plans = d.delivery_plans();
                let mut volunteers: Vec<(String, String)> = d
                    .deliveries
                    .iter()
                    .filter_map(|x| PackDelivery(x).volunteer_id())
                    .map(|v| (v.to_owned(), d.people.get(v).cloned().unwrap_or_else(|| v.to_owned())))
                    .collect();
                volunteers.sort_by(|a, b| a.1.cmp(&b.1));
                volunteers.dedup();
                let pick = |v: String| (!v.is_empty()).then_some(v);
                view! {
                    <div class="filters">
                        <label>{t!(i18n, filter_plan)}
                            <select data-testid="filter-plan" on:change=move |ev| {
                                let v = pick(event_target_value(&ev));
                                filter.update(|f| f.plan = v);
                            }>
                                <option value="">{t!(i18n, filter_all)}</option>
                                {plans.into_iter().map(|p| view! { <option value=p.clone()>{p.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>{t!(i18n, volunteer)}
                            <select data-testid="filter-volunteer" on:change=move |ev| {
                                let v = pick(event_target_value(&ev));
                                filter.update(|f| f.volunteer = v);
                            }>
                                <option value="">{t!(i18n, filter_all)}</option>
                                {volunteers.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>{t!(i18n, filter_status)}
                            <select data-testid="filter-status" on:change=move |ev| {
                                let v = pick(event_target_value(&ev));
                                filter.update(|f| f.status = v);
                            }>
                                <option value="">{t!(i18n, filter_all)}</option>
                                {pack_delivery::STATUSES.iter().map(|s| view! {
                                    <option value=*s>{move || member_label(pack_delivery::NAME, pack_delivery::field::STATUS, s, i18n.get_locale())}</option>
                                }).collect_view()}
                            </select>
                        </label>
                    </div>
                }
            })
        })
    };

    let list = move || {
        data.dataset().map(|d| {
            let f = filter.get();
            let shown: Vec<&Record> = d.deliveries.iter().filter(|x| f.matches(*x)).collect();
            let left = shown.iter().filter(|x| doors::is_to_do(**x)).count();
            let done = shown.len() - left;
            let doubles = d.double_deliveries();
            let only_to_do = to_do_only.get();
            let listed = if only_to_do { left } else { done + left };
            let mut room = drawn.get();
            let buildings = d
                .buildings(shown)
                .into_iter()
                .filter(|b| !only_to_do || b.left > 0)
                .map_while(|b| {
                    let doors: Vec<_> = b
                        .doors
                        .into_iter()
                        .filter(|(x, _)| !only_to_do || doors::is_to_do(*x))
                        .take(room)
                        .collect();
                    if doors.is_empty() {
                        return None;
                    }
                    room -= doors.len();
                    Some((b.name, b.done, b.left, doors))
                })
                .collect::<Vec<_>>()
                .into_iter()
                .map(|(name, done, left, doors)| {
                    let cards = doors
                        .into_iter()
                        .map(|(x, place)| {
                            let v = PackDelivery(x);
                            let recipient = v.resident_id().and_then(|r| d.resident(r));
                            let door = Door {
                                id: x.id.clone(),
                                place: place.line(),
                                name: recipient.map(|r| r.name().to_owned()).unwrap_or_else(|| "—".into()),
                                resident: staff.then(|| recipient.map(|r| r.id().to_owned())).flatten(),
                                phone: recipient.and_then(|r| r.view().phone()).map(str::to_owned),
                                contents: doors::contents_items(v.contents().unwrap_or_default()),
                                status: v.status().unwrap_or(pack_delivery::PENDING).to_owned(),
                                note: v.note().filter(|n| !n.is_empty()).map(str::to_owned),
                                volunteer: staff.then(|| {
                                    v.volunteer_id().and_then(|id| d.people.get(id)).cloned().unwrap_or_default()
                                }),
                                doubled: sees_doubles && doubles.contains(x),
                                mark: may_mark,
                                undo: may_mark && doors::can_undo(x, d.today) && can_take_back(&d, x, role),
                                retry: may_mark && doors::can_retry(x),
                            };
                            view! { <DoorCard door=door drafts=drafts on_mark=on_mark /> }
                        })
                        .collect_view();
                    let heading = if name.is_empty() { t_string!(i18n, door_no_address).to_string() } else { name.clone() };
                    view! {
                        <section class="building" data-testid="building" data-building=name.clone()>
                            <h2 class="building-name" data-testid="building-name">{heading}</h2>
                            <p class="muted" data-testid="building-counts">{t!(i18n, deliveries_count, done = done, left = left)}</p>
                            <ul class="rows doors">{cards}</ul>
                        </section>
                    }
                })
                .collect_view();
            view! {
                <p class="muted" data-testid="deliveries-count">{t!(i18n, deliveries_count, done = done, left = left)}</p>
                {(done + left == 0).then(|| view! { <p class="muted">{t!(i18n, no_deliveries)}</p> })}
                {buildings}
                <ShowMore total=listed shown=drawn page=PAGE testid="deliveries-more" />
            }
        })
    };
    // Paper as a fallback: the whole list of the filter as a table with a box to sign, drawn
    // only while the browser prints (the print styles hide the cards).
    let printing = RwSignal::new(false);
    let print = move |_| {
        printing.set(true);
        request_animation_frame(move || {
            if let Err(e) = window().print() {
                leptos::logging::warn!("print: {}", crate::browser::js_error_text(&e));
            }
            printing.set(false);
        });
    };
    let sheet = move || {
        printing.get().then(|| {
            data.dataset_untracked().map(|d| {
                let (f, only_to_do) = (filter.get_untracked(), to_do_only.get_untracked());
                let listed: Vec<&Record> = d
                    .deliveries
                    .iter()
                    .filter(|x| f.matches(*x) && (!only_to_do || doors::is_to_do(*x)))
                    .collect();
                delivery_sheet(&d, listed)
            })
        })
    };
    view! {
        <section class:printing-sheet=move || printing.get()>
            <div class="toolbar">
                <h1>{t!(i18n, deliveries_title)}</h1>
                {staff.then(|| view! {
                    <button class="secondary" data-testid="print-deliveries" on:click=print>{t!(i18n, print_deliveries)}</button>
                })}
            </div>
            {sheet}
            {filters}
            <label class="check">
                <input type="checkbox" data-testid="filter-to-do" prop:checked=move || to_do_only.get()
                    on:change=move |ev| to_do_only.set(event_target_checked(&ev)) />
                {t!(i18n, filter_to_do)}
            </label>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <Suspense fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>{list}</Suspense>
        </section>
    }
}
