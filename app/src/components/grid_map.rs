//! The supervisor's map: grids as polygons coloured by the chosen layer, each labelled with its
//! red residents, overdue visits and open needs; households as points once zoomed in. Leaflet is
//! bundled with the app (no CDN) and loaded only when a map is first shown.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_leaflet::leaflet;
use leptos_leaflet::prelude::*;
use model::dashboard::{Dashboard, GridSummary};
use model::entities::facility;
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::field_input::member_label;
use crate::data::use_data;
use crate::i18n::{t, t_string, use_i18n};

/// What the polygons' colour shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    Risk,
    Coverage,
    Needs,
    Packs,
}

impl Layer {
    pub const ALL: [Layer; 4] = [Layer::Coverage, Layer::Risk, Layer::Needs, Layer::Packs];

    pub fn key(self) -> &'static str {
        match self {
            Layer::Risk => "risk",
            Layer::Coverage => "coverage",
            Layer::Needs => "needs",
            Layer::Packs => "packs",
        }
    }
}

const GREEN: &str = "#2e7d32";
const AMBER: &str = "#f9a825";
const ORANGE: &str = "#ef6c00";
const RED: &str = "#c62828";
const GREY: &str = "#9e9e9e";

/// The fill of one grid on one layer: green is fine, red needs the supervisor's attention.
pub fn colour(g: &GridSummary, layer: Layer) -> &'static str {
    let f = &g.figures;
    match layer {
        Layer::Coverage => match g.coverage {
            None => GREY,
            Some(c) if c >= 90 => GREEN,
            Some(c) if c >= 75 => AMBER,
            Some(c) if c >= 50 => ORANGE,
            Some(_) => RED,
        },
        Layer::Risk => match (f.red * 1000).checked_div(f.residents) {
            None => GREY,
            Some(0) => GREEN,
            Some(p) if p < 50 => AMBER,
            Some(p) if p < 100 => ORANGE,
            Some(_) => RED,
        },
        Layer::Needs => {
            if f.needs_emergency > 0 || f.needs_overdue > 0 {
                RED
            } else if f.needs_open > 0 {
                AMBER
            } else {
                GREEN
            }
        }
        Layer::Packs => match (f.packs_delivered * 100).checked_div(f.packs_planned) {
            None => GREY,
            Some(p) if p >= 90 => GREEN,
            Some(p) if p >= 50 => AMBER,
            Some(_) => RED,
        },
    }
}

/// What each colour of a layer means, in the order of [`colour`]'s thresholds, for the legend.
pub fn legend(layer: Layer) -> &'static [(&'static str, LegendKey)] {
    use LegendKey::*;
    match layer {
        Layer::Coverage => &[
            (GREEN, Coverage90),
            (AMBER, Coverage75),
            (ORANGE, Coverage50),
            (RED, CoverageLow),
            (GREY, NoFigure),
        ],
        Layer::Risk => &[
            (GREEN, RiskNone),
            (AMBER, RiskUnder5),
            (ORANGE, RiskUnder10),
            (RED, RiskHigh),
            (GREY, NoFigure),
        ],
        Layer::Needs => &[(GREEN, NeedsNone), (AMBER, NeedsOpen), (RED, NeedsUrgent)],
        Layer::Packs => &[
            (GREEN, Packs90),
            (AMBER, Packs50),
            (RED, PacksLow),
            (GREY, NoFigure),
        ],
    }
}

/// The style sheet's class for a colour of the map: the CSP forbids inline styles.
fn swatch_class(colour: &str) -> &'static str {
    match colour {
        GREEN => "swatch-green",
        AMBER => "swatch-amber",
        ORANGE => "swatch-orange",
        RED => "swatch-red",
        _ => "swatch-grey",
    }
}

/// The words beside one colour of the legend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LegendKey {
    Coverage90,
    Coverage75,
    Coverage50,
    CoverageLow,
    RiskNone,
    RiskUnder5,
    RiskUnder10,
    RiskHigh,
    NeedsNone,
    NeedsOpen,
    NeedsUrgent,
    Packs90,
    Packs50,
    PacksLow,
    NoFigure,
}

/// The key under the map: every colour of the layer shown, the household dots and the service
/// points.
#[component]
pub fn MapLegend(#[prop(into)] layer: Signal<Layer>) -> impl IntoView {
    let i18n = use_i18n();
    let words = move |k: LegendKey| match k {
        LegendKey::Coverage90 => t_string!(i18n, legend_coverage_90),
        LegendKey::Coverage75 => t_string!(i18n, legend_coverage_75),
        LegendKey::Coverage50 => t_string!(i18n, legend_coverage_50),
        LegendKey::CoverageLow => t_string!(i18n, legend_coverage_low),
        LegendKey::RiskNone => t_string!(i18n, legend_risk_none),
        LegendKey::RiskUnder5 => t_string!(i18n, legend_risk_under5),
        LegendKey::RiskUnder10 => t_string!(i18n, legend_risk_under10),
        LegendKey::RiskHigh => t_string!(i18n, legend_risk_high),
        LegendKey::NeedsNone => t_string!(i18n, legend_needs_none),
        LegendKey::NeedsOpen => t_string!(i18n, legend_needs_open),
        LegendKey::NeedsUrgent => t_string!(i18n, legend_needs_urgent),
        LegendKey::Packs90 => t_string!(i18n, legend_packs_90),
        LegendKey::Packs50 => t_string!(i18n, legend_packs_50),
        LegendKey::PacksLow => t_string!(i18n, legend_packs_low),
        LegendKey::NoFigure => t_string!(i18n, legend_no_figure),
    };
    view! {
        <ul class="map-legend" data-testid="map-legend" aria-label=move || t_string!(i18n, legend_title)>
            {move || legend(layer.get()).iter().map(|&(c, k)| view! {
                <li data-testid="legend-item" data-colour=c>
                    <span class=format!("swatch {}", swatch_class(c)) aria-hidden="true"></span>
                    {move || words(k)}
                </li>
            }).collect_view()}
            <li data-testid="legend-item">
                <span class="swatch dot" aria-hidden="true"></span>
                {move || t_string!(i18n, legend_household)}
            </li>
            <li data-testid="legend-item">
                <span class="swatch dot facility-dot" aria-hidden="true"></span>
                {move || t_string!(i18n, legend_facility)}
            </li>
        </ul>
    }
}

/// The outer ring of a grid's GeoJSON boundary (Polygon, MultiPolygon or a Feature of either),
/// or a small square around its centre when it has no boundary.
pub fn outline(g: &GridSummary) -> Vec<Position> {
    let parsed = g
        .boundary
        .as_deref()
        .and_then(|b| serde_json::from_str::<Value>(b).ok())
        .and_then(|v| {
            let geometry = if v["type"] == "Feature" {
                v["geometry"].clone()
            } else {
                v
            };
            let ring = match geometry["type"].as_str()? {
                "Polygon" => geometry["coordinates"][0].clone(),
                "MultiPolygon" => geometry["coordinates"][0][0].clone(),
                _ => return None,
            };
            let points: Vec<Position> = ring
                .as_array()?
                .iter()
                .filter_map(|p| Some(Position::new(p[1].as_f64()?, p[0].as_f64()?)))
                .collect();
            (points.len() >= 3).then_some(points)
        });
    parsed.unwrap_or_else(|| match (g.lat, g.lng) {
        (Some(lat), Some(lng)) => {
            let d = 0.002;
            vec![
                Position::new(lat - d, lng - d),
                Position::new(lat - d, lng + d),
                Position::new(lat + d, lng + d),
                Position::new(lat + d, lng - d),
            ]
        }
        _ => Vec::new(),
    })
}

/// True once Leaflet's script has run; loads it (and its stylesheet) on the first call.
pub fn use_leaflet() -> ReadSignal<bool> {
    let (ready, set_ready) = signal(leaflet_loaded());
    if ready.get_untracked() {
        return ready;
    }
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return ready;
    };
    let script = match document.get_element_by_id("leaflet-js") {
        Some(s) => s,
        None => {
            if let (Ok(link), Some(head)) = (document.create_element("link"), document.head()) {
                let _ = link.set_attribute("rel", "stylesheet");
                let _ = link.set_attribute("href", "/vendor/leaflet/leaflet.css");
                let _ = head.append_child(&link);
            }
            let Ok(s) = document.create_element("script") else {
                return ready;
            };
            let _ = s.set_attribute("id", "leaflet-js");
            let _ = s.set_attribute("src", "/vendor/leaflet/leaflet.js");
            if let Some(head) = document.head() {
                let _ = head.append_child(&s);
            }
            s
        }
    };
    let onload = Closure::<dyn Fn()>::new(move || set_ready.set(true));
    let _ = script.add_event_listener_with_callback("load", onload.as_ref().unchecked_ref());
    // The listener lives as long as the page: a map may be opened again later.
    onload.forget();
    ready
}

fn leaflet_loaded() -> bool {
    web_sys::window()
        .map(|w| js_sys::Reflect::has(&w, &JsValue::from_str("L")).unwrap_or(false))
        .unwrap_or(false)
}

/// Zoom from which households are drawn: below it they would be an unreadable smear.
const HOUSEHOLD_ZOOM: f64 = 16.0;
/// Households drawn at most at once, so a phone stays responsive.
const MAX_POINTS: usize = 600;

#[component]
pub fn GridMap(
    #[prop(into)] summary: Signal<Option<Arc<Dashboard>>>,
    #[prop(into)] layer: Signal<Layer>,
    selected: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let ready = use_leaflet();
    let map = JsRwSignal::<Option<leaflet::Map>>::new_local(None);
    let (zoom, set_zoom) = signal(0.0f64);
    let (bounds_rev, set_bounds_rev) = signal(0u32);
    let fitted = StoredValue::new(false);

    // Fit the view to the grids once both the map and the figures are there.
    Effect::new(move |_| {
        let (Some(m), Some(d)) = (map.get(), summary.get()) else {
            return;
        };
        if fitted.get_value() {
            return;
        }
        let points: Vec<Position> = d.grids.iter().flat_map(outline).collect();
        let Some(first) = points.first() else { return };
        let bounds = leaflet::LatLngBounds::new(&first.as_lat_lng(), &first.as_lat_lng());
        for p in &points {
            bounds.extend(&p.as_lat_lng());
        }
        m.fit_bounds(&bounds);
        fitted.set_value(true);
        set_zoom.set(m.get_zoom());
    });

    // Leaflet's event handlers live on this thread only; the view takes a copy when it mounts.
    let events = StoredValue::new_local(
        MapEvents::new()
            .zoom_end(move |_| {
                if let Some(m) = map.get_untracked() {
                    set_zoom.set(m.get_zoom());
                }
            })
            .move_end(move |_| set_bounds_rev.update(|r| *r += 1)),
    );

    let households = move || {
        bounds_rev.track();
        if zoom.get() < HOUSEHOLD_ZOOM {
            return Vec::new();
        }
        let (Some(m), Some(d)) = (map.get(), data.dataset()) else {
            return Vec::new();
        };
        let view = m.get_bounds();
        d.households
            .iter()
            .filter_map(|(id, h)| {
                let h = model::record::Household(h);
                let p = Position::new(h.lat()?, h.lng()?);
                view.contains(&p.as_lat_lng()).then(|| (id.clone(), p))
            })
            .take(MAX_POINTS)
            .collect::<Vec<_>>()
    };

    // Service points with a position: few, so always drawn, each named on hover or tap.
    let facilities = move || {
        let Some(d) = data.dataset() else {
            return Vec::new();
        };
        let locale = i18n.get_locale();
        d.facilities
            .iter()
            .filter_map(|r| {
                let f = model::record::Facility(r);
                let p = Position::new(f.lat()?, f.lng()?);
                let kind = f
                    .kind()
                    .map(|k| member_label(facility::NAME, facility::field::KIND, k, locale))
                    .unwrap_or_default();
                let label = format!("{} · {kind}", f.name().unwrap_or_default());
                Some((r.id.clone(), p, label))
            })
            .collect::<Vec<_>>()
    };

    let polygons = move || {
        let Some(d) = summary.get() else {
            return Vec::new();
        };
        d.grids
            .iter()
            .map(|g| {
                let id = g.id.clone();
                let positions = outline(g);
                let shown = g.clone();
                let fill = Signal::derive(move || colour(&shown, layer.get()).to_owned());
                let click = id.clone();
                let class = format!("grid-poly grid-{id}");
                let is_selected = {
                    let id = id.clone();
                    move || selected.get().as_deref() == Some(id.as_str())
                };
                let weight = Signal::derive(move || Some(if is_selected() { 4.0 } else { 1.5 }));
                let f = g.figures.clone();
                let name = g.name.clone();
                // Each polygon provides its tooltip's context on the current owner, so siblings
                // would overwrite each other's: give every polygon an owner of its own.
                let owner = Owner::current().expect("a reactive owner").child();
                let polygon = owner.with(|| view! {
                    <Polygon
                        positions=positions
                        color="#37474f"
                        weight=weight
                        fill_color=fill
                        fill_opacity=Some(0.55)
                        class_name=class
                        mouse_events=MouseEvents::new().on_click(move |_| selected.set(Some(click.clone())))
                    >
                        {
                            let name = name.clone();
                            let (red, overdue, needs) = (f.red, f.overdue, f.needs_open);
                            view! {
                                <Tooltip permanent=true direction="center">
                                    <div class="grid-label">
                                        <strong>{name}</strong>
                                        <span>{t!(i18n, map_label_red)}" "{red}" · "{t!(i18n, map_label_overdue)}" "{overdue}</span>
                                        <span>{t!(i18n, map_label_needs)}" "{needs}</span>
                                    </div>
                                </Tooltip>
                            }
                        }
                    </Polygon>
                });
                leptos::tachys::reactive_graph::OwnedView::new_with_owner(polygon, owner)
            })
            .collect_view()
    };

    view! {
        <div class="map-frame" data-testid="grid-map">
            {move || if ready.get() {
                let tile_url = summary.get_untracked().and_then(|d| d.tile_url.clone());
                view! {
                    <MapContainer class="grid-map" zoom=13.0 center=Position::new(39.92, 116.42) map=map.write_only() events=events.get_value()>
                        {tile_url.map(|url| view! { <TileLayer url=url /> })}
                        {polygons}
                        {move || facilities().into_iter().map(|(id, p, label)| {
                            // As with the grids: a tooltip's context per owner, or siblings clash.
                            let owner = Owner::current().expect("a reactive owner").child();
                            let point = owner.with(|| view! {
                                <Circle center=p radius=9.0 color="#4a148c" fill_color="#8e24aa" fill_opacity=Some(0.95) weight=Some(2.0) class_name=format!("facility-point fac-{id}")>
                                    <Tooltip direction="top"><span class="facility-label">{label}</span></Tooltip>
                                </Circle>
                            });
                            leptos::tachys::reactive_graph::OwnedView::new_with_owner(point, owner)
                        }).collect_view()}
                        {move || households().into_iter().map(|(id, p)| view! {
                            <Circle center=p radius=6.0 color="#0d47a1" fill_color="#1565c0" fill_opacity=Some(0.9) weight=Some(1.0) class_name=format!("household-point hh-{id}") />
                        }).collect_view()}
                    </MapContainer>
                }.into_any()
            } else {
                view! { <p class="muted map-loading">{t!(i18n, map_loading)}</p> }.into_any()
            }}
        </div>
    }
}
