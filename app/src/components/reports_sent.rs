//! The reports sent upward (issue 17), newest first: kind and date, the grids, who sent them and
//! when, and for the level above the figures as they were sent. The supervisor's overview and
//! the street office's queue both list them.

use leptos::prelude::*;
use model::dashboard::Figures;
use model::entities::report;
use model::record::Report;

use crate::components::field_input::member_label;
use crate::data::use_data;
use crate::i18n::{t, use_i18n};

/// Reports listed at most.
const SHOWN: usize = 20;

#[component]
pub fn ReportsSent(
    /// Show the totals each report carried (the level above reads them; the sender has them).
    #[prop(optional)]
    figures: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    move || {
        data.dataset().map(|d| {
            let locale = i18n.get_locale();
            let mut all: Vec<_> = d.reports.iter().map(Report).collect();
            all.sort_by_key(|r| std::cmp::Reverse(r.sent_at()));
            if all.is_empty() {
                return view! { <p class="muted" data-testid="reports-none">{t!(i18n, reports_none)}</p> }.into_any();
            }
            let rows = all
                .into_iter()
                .take(SHOWN)
                .map(|r| {
                    let kind = r.kind().map(|k| member_label(report::NAME, report::field::KIND, k, locale)).unwrap_or("—");
                    let when = r
                        .sent_at()
                        .map(|ms| model::Date::from_china_ms(ms).to_string())
                        .unwrap_or_default();
                    let by = r.sender_id().and_then(|s| d.people.get(s)).cloned().unwrap_or_default();
                    let date = r.date().map(|x| x.to_string()).unwrap_or_default();
                    let totals = figures
                        .then(|| r.figures().and_then(|f| serde_json::from_str::<Figures>(f).ok()))
                        .flatten()
                        .map(|f| {
                            let coverage = f.coverage().map_or_else(|| "—".to_owned(), |c| format!("{c}%"));
                            view! {
                                <span class="row-sub" data-testid="report-figures">
                                    {t!(i18n, report_figures_line,
                                        residents = f.residents,
                                        coverage = coverage,
                                        needs = f.needs_open,
                                        escalated = f.needs_escalated)}
                                </span>
                            }
                        });
                    view! {
                        <li class="row" data-testid="report-sent">
                            <span class="row-main">{kind}" · "{date}</span>
                            <span class="row-sub">{r.grid_names().unwrap_or_default().to_owned()}" · "{by}" · "{when}</span>
                            {totals}
                        </li>
                    }
                })
                .collect_view();
            view! { <ul class="rows">{rows}</ul> }.into_any()
        })
    }
}
