//! The high-risk ledger (重症高风险人员台账): every red and yellow resident of the worker's
//! grids with tier, why, last visit, next due, vaccination and open needs; filters by tier, key
//! group and overdue; export to CSV and XLSX on the phone, with Chinese headers, for the report
//! upward.

use leptos::prelude::*;
use leptos_router::components::A;
use model::entities::resident;
use model::export::{Cell, Table};
use model::record::Fields;
use model::risk::Tier;

use crate::components::field_input::{field_label, member_label};
use crate::components::tier_chip::{tier_label, TierChip};
use crate::data::{use_data, Dataset, Resident};
use crate::download::save_table;
use crate::i18n::{t, use_i18n, Locale};
use crate::pages::today::reasons_text;

#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    /// "all", "red" or "yellow".
    pub tier: String,
    /// "all", "aged_65" or a `tag_*` / `cond_*` field.
    pub group: String,
    pub overdue_only: bool,
    /// Grid ids to include; empty for all of the user's grids.
    pub grids: Vec<String>,
}

pub fn ledger_rows<'a>(d: &'a Dataset, f: &Filter) -> Vec<&'a Resident> {
    let mut rows: Vec<&Resident> = d
        .residents
        .iter()
        .filter(|r| matches!(r.tier(), Tier::Red | Tier::Yellow))
        .filter(|r| match f.tier.as_str() {
            "red" => r.tier() == Tier::Red,
            "yellow" => r.tier() == Tier::Yellow,
            _ => true,
        })
        .filter(|r| match f.group.as_str() {
            "all" => true,
            "aged_65" => r.assessment.aged_65(),
            field => r.record.flag(field),
        })
        .filter(|r| !f.overdue_only || r.overdue_days(d.today).is_some_and(|days| days > 0))
        .filter(|r| {
            f.grids.is_empty()
                || r.record
                    .text("grid_id")
                    .is_some_and(|g| f.grids.iter().any(|x| x == g))
        })
        .collect();
    rows.sort_by_key(|r| (r.tier(), r.name().to_owned()));
    rows
}

/// The ledger as a table, headers in Chinese whatever the screen's language: it goes upward.
pub fn ledger_table(d: &Dataset, rows: &[&Resident]) -> Table {
    let headers = [
        "姓名",
        "性别",
        "年龄",
        "风险等级",
        "原因",
        "网格",
        "地址",
        "联系电话",
        "上次走访",
        "下次走访",
        "疫苗剂次",
        "末次接种",
        "接种禁忌",
        "未办结需求",
    ];
    let text = |s: Option<&str>| s.map(|s| Cell::Text(s.to_owned())).unwrap_or(Cell::Empty);
    let rows = rows
        .iter()
        .map(|r| {
            let rec = &r.record;
            vec![
                Cell::Text(r.name().to_owned()),
                text(
                    rec.text("gender")
                        .map(|g| member_label("resident", "gender", g, Locale::zh)),
                ),
                r.assessment
                    .age
                    .map(|a| Cell::Number(f64::from(a)))
                    .unwrap_or(Cell::Empty),
                Cell::Text(tier_label(r.tier(), Locale::zh).to_owned()),
                Cell::Text(reasons_text(r, Locale::zh)),
                text(
                    rec.text("grid_id")
                        .and_then(|g| d.grids.get(g))
                        .map(String::as_str),
                ),
                Cell::Text(d.address_of(rec.text("household_id"))),
                text(rec.text("phone")),
                text(r.last_contact.map(|x| x.to_string()).as_deref()),
                text(r.due.map(|x| x.to_string()).as_deref()),
                rec.value("vacc_doses")
                    .and_then(serde_json::Value::as_f64)
                    .map(Cell::Number)
                    .unwrap_or(Cell::Empty),
                text(rec.text("vacc_last_date")),
                Cell::Text(
                    if rec.flag("vacc_contraindication") {
                        "是"
                    } else {
                        "否"
                    }
                    .into(),
                ),
                Cell::Number(d.open_needs_of(r.id()).count() as f64),
            ]
        })
        .collect();
    Table {
        sheet: "重症高风险人员台账".into(),
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows,
    }
}

#[component]
pub fn LedgerPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data().data;
    let filter = RwSignal::new(Filter {
        tier: "all".into(),
        group: "all".into(),
        overdue_only: false,
        grids: Vec::new(),
    });
    let export = move |xlsx: bool| {
        let Some(d) = data.get_untracked().flatten() else {
            return;
        };
        let rows = ledger_rows(&d, &filter.get_untracked());
        let table = ledger_table(&d, &rows);
        let name = format!("重症高风险人员台账-{}", d.today);
        let _ = save_table(&name, &table, xlsx);
    };
    let groups = move || {
        let locale = i18n.get_locale();
        let mut options = vec![(
            "aged_65".to_owned(),
            if locale == Locale::zh {
                "65 岁及以上"
            } else {
                "aged 65+"
            }
            .to_owned(),
        )];
        for name in resident::TAGS.iter().chain(resident::CONDITIONS) {
            if let Some(def) = model::schema::field("resident", name) {
                options.push((name.to_string(), field_label(def, locale).to_owned()));
            }
        }
        options
            .into_iter()
            .map(|(v, l)| view! { <option value=v>{l}</option> })
            .collect_view()
    };
    let table = move || {
        data.get().flatten().map(|d| {
            let rows = ledger_rows(&d, &filter.get());
            let count = rows.len();
            let locale = i18n.get_locale();
            let body = rows
                .into_iter()
                .map(|r| {
                    let (tier, name, id) = (r.tier(), r.name().to_owned(), r.id().to_owned());
                    let reasons = reasons_text(r, locale);
                    let age = r.assessment.age.map(|a| a.to_string()).unwrap_or_default();
                    let last = r.last_contact.map(|x| x.to_string()).unwrap_or_else(|| "—".into());
                    let due = r.due.map(|x| x.to_string()).unwrap_or_else(|| "—".into());
                    let doses = r.record.value("vacc_doses").map(|v| v.to_string()).unwrap_or_else(|| "—".into());
                    let needs = d.open_needs_of(&id).count();
                    view! {
                        <tr data-testid="ledger-row">
                            <td><A href=format!("/residents/{id}")>{name}</A></td>
                            <td>{age}</td>
                            <td><TierChip tier=tier /></td>
                            <td>{reasons}</td>
                            <td>{last}</td>
                            <td>{due}</td>
                            <td>{doses}</td>
                            <td>{needs}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <p class="muted" data-testid="ledger-count">{t!(i18n, ledger_count, count = count)}</p>
                <div class="table-scroll">
                    <table class="ledger">
                        <thead><tr>
                            <th>{t!(i18n, name)}</th><th>{t!(i18n, age)}</th><th>{t!(i18n, tier)}</th><th>{t!(i18n, reasons)}</th>
                            <th>{t!(i18n, last_visit)}</th><th>{t!(i18n, next_due)}</th><th>{t!(i18n, vaccination)}</th><th>{t!(i18n, open_needs)}</th>
                        </tr></thead>
                        <tbody>{body}</tbody>
                    </table>
                </div>
            }
        })
    };
    view! {
        <section>
            <h1>{t!(i18n, ledger_title)}</h1>
            <div class="filters">
                <label>{t!(i18n, filter_tier)}
                    <select data-testid="filter-tier" on:change=move |ev| filter.update(|f| f.tier = event_target_value(&ev))>
                        <option value="all">{t!(i18n, filter_all)}</option>
                        <option value="red">{move || tier_label(Tier::Red, i18n.get_locale())}</option>
                        <option value="yellow">{move || tier_label(Tier::Yellow, i18n.get_locale())}</option>
                    </select>
                </label>
                <label>{t!(i18n, filter_group)}
                    <select data-testid="filter-group" on:change=move |ev| filter.update(|f| f.group = event_target_value(&ev))>
                        <option value="all">{t!(i18n, filter_all)}</option>
                        {groups}
                    </select>
                </label>
                <label class="check">
                    <input type="checkbox" data-testid="filter-overdue" on:change=move |ev| filter.update(|f| f.overdue_only = event_target_checked(&ev)) />
                    <span>{t!(i18n, filter_overdue)}</span>
                </label>
            </div>
            {move || data.get().flatten().filter(|d| d.grids.len() > 1).map(|d| {
                // A supervisor reports some grids at a time: the choice applies to screen and file.
                d.grids.iter().map(|(id, name)| {
                    let (on_id, click) = (id.clone(), id.clone());
                    let on = move || filter.with(|f| f.grids.is_empty() || f.grids.contains(&on_id));
                    view! {
                        <button class="toggle" class:on=on data-testid="ledger-grid" data-grid=id.clone()
                            on:click=move |_| filter.update(|f| {
                                if let Some(i) = f.grids.iter().position(|g| *g == click) {
                                    f.grids.remove(i);
                                } else {
                                    f.grids.push(click.clone());
                                }
                            })>{name.clone()}</button>
                    }
                }).collect_view()
            }).map(|chips| view! { <div class="chips" data-testid="ledger-grids">{chips}</div> })}
            <div class="actions">
                <button class="secondary" data-testid="export-csv" on:click=move |_| export(false)>{t!(i18n, export_csv)}</button>
                <button class="secondary" data-testid="export-xlsx" on:click=move |_| export(true)>{t!(i18n, export_xlsx)}</button>
            </div>
            <Suspense fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>{table}</Suspense>
        </section>
    }
}
