//! The supervisor's overview (总览): the grid map, each grid's figures and the total, visits per
//! day, each worker's load and low stock, all as the server computes them for a chosen set of
//! grids and a date, and the daily report (日报) to send upward as XLSX or CSV.

use std::sync::Arc;

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use leptos_router::components::Redirect;
use model::dashboard::{daily_report, Dashboard, Figures};
use model::Role;

use crate::api::{self, ApiError};
use crate::components::care_alerts::CareAlerts;
use crate::components::contested::ContestedFields;
use crate::components::gatherings_soon::GatheringsSoon;
use crate::components::grid_map::{GridMap, Layer, MapLegend};
use crate::components::record_form::my_grids;
use crate::components::report_log::{keep_sent, ReportLog};
use crate::components::responsibility::{ResponsibleTable, UnassignedDoors};
use crate::components::support::SupportRequests;
use crate::data::today;
use crate::download::Export;
use crate::i18n::{t, t_string, use_i18n};
use crate::session::use_session;
use crate::sync::use_sync;

/// The last figures fetched, shown when the server cannot be reached (with their time).
const CACHE_KEY: &str = "knock.dashboard";

#[derive(Clone)]
enum Loaded {
    Fresh(Arc<Dashboard>),
    /// The server could not be reached: the last figures this device saw.
    Cached(Arc<Dashboard>),
    Failed(String),
}

impl Loaded {
    fn dashboard(&self) -> Option<Arc<Dashboard>> {
        match self {
            Loaded::Fresh(d) | Loaded::Cached(d) => Some(d.clone()),
            Loaded::Failed(_) => None,
        }
    }
}

#[component]
pub fn OverviewPage() -> impl IntoView {
    let session = use_session();
    let allowed = move || {
        session.get().is_some_and(|s| {
            matches!(
                s.user.role,
                Role::Supervisor | Role::Admin | Role::GridWorker
            )
        })
    };
    view! {
        <Show when=allowed fallback=|| view! { <Redirect path="/" /> }>
            <Overview />
        </Show>
    }
}

#[component]
fn Overview() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let sync = use_sync();
    let (date, set_date) = signal(today().to_string());
    // Empty: all of the user's grids.
    let chosen = RwSignal::new(Vec::<String>::new());
    let (refresh, set_refresh) = signal(0u32);
    let layer = RwSignal::new(Layer::Coverage);
    let selected = RwSignal::new(None::<String>);

    let loaded = LocalResource::new(move || {
        let token = session.get().map(|s| s.token);
        let grids = chosen.get();
        let date = date.get();
        refresh.track();
        // Records pulled or pushed mean the server's figures moved too.
        sync.server_moved.track();
        async move {
            let token = token?;
            let cached = || LocalStorage::get::<Dashboard>(CACHE_KEY).ok().map(Arc::new);
            Some(match api::dashboard(&token, &grids, Some(&date)).await {
                Ok(d) => {
                    let _ = LocalStorage::set(CACHE_KEY, &d);
                    Loaded::Fresh(Arc::new(d))
                }
                Err(ApiError::Unreachable) => match cached() {
                    Some(d) => Loaded::Cached(d),
                    None => Loaded::Failed(String::new()),
                },
                Err(e) => Loaded::Failed(match e {
                    ApiError::Status { body: Some(b), .. } => {
                        crate::api::in_language(&b.message, i18n.get_locale_untracked())
                    }
                    _ => String::new(),
                }),
            })
        }
    });
    let dashboard = Signal::derive(move || loaded.get().flatten().and_then(|l| l.dashboard()));

    let exporter = Export::default();
    let export = move |xlsx: bool| {
        let Some(d) = dashboard.get_untracked() else {
            return;
        };
        let table = daily_report(&d);
        let name = format!("日报-{}", d.date);
        exporter.save(&name, &table, xlsx);
        let sender = session.get().map(|s| s.user.id).unwrap_or_default();
        keep_sent(
            sync,
            &sender,
            model::entities::report::DAILY,
            &d,
            &chosen.get_untracked(),
        );
    };

    let toggle_grid = move |id: String| {
        chosen.update(|c| {
            if let Some(i) = c.iter().position(|g| *g == id) {
                c.remove(i);
            } else {
                c.push(id);
            }
        });
        selected.set(None);
    };

    let status = move || {
        loaded.get().flatten().map(|l| match l {
            Loaded::Fresh(d) => view! {
                <p class="muted" data-testid="dashboard-status">{t!(i18n, dashboard_as_of, time = clock(d.server_time_ms))}</p>
            }
            .into_any(),
            Loaded::Cached(d) => view! {
                <p class="notice" data-testid="dashboard-status">{t!(i18n, dashboard_offline, time = clock(d.server_time_ms))}</p>
            }
            .into_any(),
            Loaded::Failed(m) => view! {
                <p class="field-error" data-testid="dashboard-error">
                    {if m.is_empty() { t_string!(i18n, dashboard_unreachable).to_owned() } else { m }}
                </p>
            }
            .into_any(),
        })
    };

    let figures_of_selected = move || {
        let d = dashboard.get()?;
        let (title, f, coverage, id) = match selected.get() {
            Some(id) => {
                let g = d.grids.iter().find(|g| g.id == id)?;
                (g.name.clone(), g.figures.clone(), g.coverage, id)
            }
            None => (
                t_string!(i18n, dashboard_total).to_owned(),
                d.total.clone(),
                d.total_coverage,
                String::new(),
            ),
        };
        Some(view! {
            <section class="card figures" data-testid="grid-figures" data-grid=id>
                <h2 data-testid="figures-title">{title}</h2>
                <FiguresList f=f coverage=coverage />
            </section>
        })
    };

    view! {
        <section class="overview" data-testid="overview">
            <h1>{t!(i18n, overview_title)}</h1>
            <div class="toolbar stack">
                <label>
                    {t!(i18n, dashboard_date)}
                    <input type="date" data-testid="dashboard-date" prop:value=date
                        on:change=move |ev| set_date.set(event_target_value(&ev)) />
                </label>
                <button class="secondary" data-testid="dashboard-refresh" on:click=move |_| set_refresh.update(|r| *r += 1)>
                    {t!(i18n, dashboard_refresh)}
                </button>
            </div>
            <div class="chips" data-testid="dashboard-grids">
                {move || my_grids().into_iter().map(|(id, name)| {
                    let on = {
                        let id = id.clone();
                        move || chosen.get().is_empty() || chosen.get().contains(&id)
                    };
                    let click = id.clone();
                    view! {
                        <button class="toggle" class:on=on data-testid="grid-chip" data-grid=id
                            on:click=move |_| toggle_grid(click.clone())>{name}</button>
                    }
                }).collect_view()}
            </div>
            {status}
            <div class="layers" role="radiogroup" data-testid="map-layers">
                {Layer::ALL.into_iter().map(|l| view! {
                    <button class="toggle" class:on=move || layer.get() == l data-testid=format!("layer-{}", l.key())
                        on:click=move |_| layer.set(l)>
                        {move || match l {
                            Layer::Risk => t_string!(i18n, layer_risk),
                            Layer::Coverage => t_string!(i18n, layer_coverage),
                            Layer::Needs => t_string!(i18n, layer_needs),
                            Layer::Packs => t_string!(i18n, layer_packs),
                        }}
                    </button>
                }).collect_view()}
            </div>
            <div class="overview-grid">
                <GridMap summary=dashboard layer=layer selected=selected />
                <MapLegend layer=layer />
                {figures_of_selected}
            </div>
            {move || dashboard.get().map(|d| view! {
                <GridTable d=d.clone() selected=selected />
                <VisitsChart d=d.clone() />
                <Workload d=d.clone() />
                <CareAlerts d=d.clone() />
                <ResponsibleTable d=d.clone() />
                <LowStockList d=d />
            })}
            <ContestedFields refresh=refresh />
            <SupportRequests />
            <UnassignedDoors />
            <GatheringsSoon />
            <ReportLog dashboard=dashboard chosen=chosen />
            <div class="actions">
                <button class="secondary" data-testid="export-daily-csv" on:click=move |_| export(false)>{t!(i18n, export_daily_csv)}</button>
                <button class="secondary" data-testid="export-daily-xlsx" on:click=move |_| export(true)>{t!(i18n, export_daily_xlsx)}</button>
            </div>
            {exporter.notice()}
        </section>
    }
}

/// "HH:MM" of a server time on this device's clock, as the sync badge shows times.
fn clock(ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

/// A coverage as the screen and the e2e read it: "87%", or "—" when nobody is due.
fn percent(coverage: Option<u32>) -> String {
    coverage.map_or_else(|| "—".into(), |c| format!("{c}%"))
}

/// Packs as "delivered / planned".
fn packs(f: &Figures) -> String {
    format!("{} / {}", f.packs_delivered, f.packs_planned)
}

#[component]
fn FiguresList(f: Figures, coverage: Option<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let row = |key: &'static str, label: String, value: String| {
        view! {
            <div class="figure" data-testid=format!("fig-{key}")>
                <dt>{label}</dt>
                <dd data-testid="value">{value}</dd>
            </div>
        }
    };
    let coverage = percent(coverage);
    view! {
        <dl class="figure-list">
            {row("residents", t_string!(i18n, fig_residents).to_owned(), f.residents.to_string())}
            {row("aged_65", t_string!(i18n, fig_aged_65).to_owned(), f.aged_65.to_string())}
            {row("red", t_string!(i18n, fig_red).to_owned(), f.red.to_string())}
            {row("yellow", t_string!(i18n, fig_yellow).to_owned(), f.yellow.to_string())}
            {row("coverage", t_string!(i18n, fig_coverage).to_owned(), coverage)}
            {row("visited_7d", t_string!(i18n, fig_visited_7d).to_owned(), f.visited_7d.to_string())}
            {row("visits_today", t_string!(i18n, fig_visits_today).to_owned(), f.visits_today.to_string())}
            {row("overdue", t_string!(i18n, fig_overdue).to_owned(), f.overdue.to_string())}
            {row("needs_open", t_string!(i18n, fig_needs_open).to_owned(), f.needs_open.to_string())}
            {row("needs_overdue", t_string!(i18n, fig_needs_overdue).to_owned(), f.needs_overdue.to_string())}
            {row("packs", t_string!(i18n, fig_packs).to_owned(), packs(&f))}
            {row("vaccination", t_string!(i18n, fig_vaccination).to_owned(), format!("{} / {} / {}", f.vacc_eligible, f.vacc_mobilised, f.vacc_vaccinated))}
            {row("education", t_string!(i18n, fig_education).to_owned(), format!("{} / {} ({})", f.households_educated, f.households, percent(f.education_coverage())))}
        </dl>
    }
}

#[component]
fn GridTable(d: Arc<Dashboard>, selected: RwSignal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let rows = d
        .grids
        .iter()
        .map(|g| {
            let id = g.id.clone();
            let f = &g.figures;
            view! {
                <tr data-testid="grid-row" data-grid=g.id.clone() on:click=move |_| selected.set(Some(id.clone()))>
                    <td>{g.name.clone()}</td>
                    <td>{f.residents}</td>
                    <td>{f.red}</td>
                    <td>{percent(g.coverage)}</td>
                    <td>{f.overdue}</td>
                    <td>{f.needs_open}</td>
                    <td>{packs(f)}</td>
                </tr>
            }
        })
        .collect_view();
    let head = move || {
        view! {
            <th>{t!(i18n, fig_grid)}</th><th>{t!(i18n, fig_residents)}</th><th>{t!(i18n, fig_red)}</th>
            <th>{t!(i18n, fig_coverage)}</th><th>{t!(i18n, fig_overdue)}</th>
            <th>{t!(i18n, fig_needs_open)}</th><th>{t!(i18n, fig_packs)}</th>
        }
    };
    let title = move || t!(i18n, dashboard_by_grid);
    view! { <TableCard title=title testid="grid-table" head=head rows=rows.into_any() /> }
}

/// A card with a title, an optional line under it, and a table that scrolls sideways.
#[component]
fn TableCard(
    #[prop(into)] title: ViewFn,
    #[prop(optional, into)] note: Option<ViewFn>,
    testid: &'static str,
    /// The header cells.
    #[prop(into)]
    head: ViewFn,
    rows: AnyView,
) -> impl IntoView {
    view! {
        <section class="card">
            <h2 id=format!("{testid}-title")>{title.run()}</h2>
            {note.map(|n| view! { <p class="muted">{n.run()}</p> })}
            // A table wider than the phone scrolls; a keyboard must be able to reach it too.
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby=format!("{testid}-title")>
                <table class="ledger" data-testid=testid>
                    <thead><tr>{head.run()}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

/// Visits per day for the last 30 days as bars, the day's count in each bar's title.
#[component]
fn VisitsChart(d: Arc<Dashboard>) -> impl IntoView {
    let i18n = use_i18n();
    let max = d
        .visits_per_day
        .iter()
        .map(|c| c.count)
        .max()
        .unwrap_or(0)
        .max(1);
    let total: u32 = d.visits_per_day.iter().map(|c| c.count).sum();
    let (w, h) = (300.0, 100.0);
    let bar = w / d.visits_per_day.len().max(1) as f64;
    let bars = d
        .visits_per_day
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let height = h * f64::from(c.count) / f64::from(max);
            view! {
                <rect x=format!("{:.1}", i as f64 * bar + 1.0) y=format!("{:.1}", h - height)
                    width=format!("{:.1}", bar - 2.0) height=format!("{height:.1}")
                    data-testid="chart-bar" data-date=c.date.clone() data-count=c.count>
                    <title>{format!("{}: {}", c.date, c.count)}</title>
                </rect>
            }
        })
        .collect_view();
    let first = d
        .visits_per_day
        .first()
        .map(|c| c.date.clone())
        .unwrap_or_default();
    let last = d
        .visits_per_day
        .last()
        .map(|c| c.date.clone())
        .unwrap_or_default();
    view! {
        <section class="card">
            <h2>{t!(i18n, dashboard_visits_chart)}</h2>
            <svg class="chart" viewBox=format!("0 0 {w} {h}") preserveAspectRatio="none" role="img" data-testid="visits-chart"
                aria-labelledby="visits-chart-summary">
                {bars}
            </svg>
            <p class="chart-axis muted"><span>{first.clone()}</span><span>{t!(i18n, chart_max, count = max)}</span><span>{last.clone()}</span></p>
            // The chart in words: its text alternative, and a summary for everyone.
            <p class="muted" id="visits-chart-summary">{t!(i18n, chart_alt, first = first, last = last, max = max, total = total)}</p>
        </section>
    }
}

/// A worker's spot checks as "67% (2/3)": confirmed of those that reached the resident; "—"
/// before any (and for a role that receives none).
fn spot(w: &model::dashboard::WorkerLoad) -> String {
    match (w.confirmation_rate(), w.spot_reached, w.spot_confirmed) {
        (Some(p), Some(reached), Some(confirmed)) => format!("{p}% ({confirmed}/{reached})"),
        _ => "—".into(),
    }
}

#[component]
fn Workload(d: Arc<Dashboard>) -> impl IntoView {
    let i18n = use_i18n();
    let load = d.daily_load;
    let rows = d
        .workload
        .iter()
        .map(|w| {
            let today = w.visits_per_day.last().copied().unwrap_or(0);
            let week: u32 = w.visits_per_day.iter().sum();
            let grids: Vec<String> = w
                .grids
                .iter()
                .map(|g| d.grids.iter().find(|s| s.id == *g).map(|s| s.name.clone()).unwrap_or_default())
                .filter(|n| !n.is_empty())
                .collect();
            view! {
                <tr data-testid="workload-row" class:overloaded=w.overloaded>
                    <td>{w.name.clone()}</td>
                    <td>{grids.join("、")}</td>
                    <td data-testid="workload-today">{today}</td>
                    <td>{week}</td>
                    <td>{w.open_items}</td>
                    <td data-testid="workload-checked">{spot(w)}</td>
                    <td>{w.overloaded.then(|| view! { <span class="badge danger" data-testid="overloaded">{t!(i18n, workload_over)}</span> })}</td>
                </tr>
            }
        })
        .collect_view();
    let head = move || {
        view! {
            <th>{t!(i18n, workload_worker)}</th><th>{t!(i18n, workload_grids)}</th>
            <th>{t!(i18n, workload_today)}</th><th>{t!(i18n, workload_week)}</th>
            <th>{t!(i18n, workload_open)}</th><th>{t!(i18n, workload_checked)}</th><th></th>
        }
    };
    let title = move || t!(i18n, workload_title);
    let note = move || t!(i18n, workload_line, load = load);
    view! { <TableCard title=title note=note testid="workload" head=head rows=rows.into_any() /> }
}

#[component]
fn LowStockList(d: Arc<Dashboard>) -> impl IntoView {
    let i18n = use_i18n();
    let items = d.stock_low.clone();
    view! {
        <section class="card">
            <h2>{t!(i18n, dashboard_stock_low)}</h2>
            {if items.is_empty() {
                view! { <p class="muted" data-testid="stock-ok">{t!(i18n, dashboard_stock_ok)}</p> }.into_any()
            } else {
                view! {
                    <ul data-testid="stock-low">
                        {items.into_iter().map(|s| view! {
                            <li>{format!("{}: {} {} (< {})", s.name, s.on_hand, s.unit, s.threshold)}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}
