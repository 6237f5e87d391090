//! A long list that draws only the rows on the screen and half a screen either side, however
//! many it holds: a cheap phone lays out a few dozen rows whether a worker has 30 due or a
//! supervisor 5,000 residents, and scrolling reaches every one of them without a tap.
//!
//! Rows are drawn in blocks of [`BLOCK`]. A block off the screen is one empty box as tall as the
//! block was when it was last drawn (or, never drawn yet, as tall as the rows drawn so far
//! suggest), so the page keeps its height and what is on the screen never jumps.
//!
//! A list may also be a table ([`WindowedTable`]): its blocks are `<tbody>`s of `<tr>` rows under one
//! heading, so the columns line up across blocks and the table stays a table for a screen reader.

use std::hash::Hash;
use std::ops::Range;

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Rows per block: a block is drawn or dropped whole.
pub const BLOCK: usize = 10;
/// The guess for a row never drawn, before any row has been measured.
const GUESS_ROW_PX: f64 = 80.0;
/// Drawn beyond each edge of the screen, in screens: a flick shows drawn rows, not a gap.
const OVERSCAN: f64 = 0.5;

/// How many blocks `rows` rows make.
pub fn blocks(rows: usize) -> usize {
    rows.div_ceil(BLOCK)
}

/// Rows of block `block` of a list of `rows`.
fn rows_in(block: usize, rows: usize) -> usize {
    BLOCK.min(rows.saturating_sub(block * BLOCK))
}

/// The blocks `[first, end)` that overlap the band `from..to` (pixels from the list's top),
/// given the height of each block; at least one block when there is any, so a list scrolled far
/// below still shows its last block.
pub fn blocks_in_band(heights: &[f64], from: f64, to: f64) -> (usize, usize) {
    let mut top = 0.0;
    let mut first = None;
    let mut end = 0;
    for (i, h) in heights.iter().enumerate() {
        let bottom = top + h;
        if first.is_none() && bottom > from {
            first = Some(i);
        }
        if top < to {
            end = i + 1;
        }
        top = bottom;
    }
    let n = heights.len();
    let first = first.unwrap_or(n.saturating_sub(1));
    (first, end.max(first + 1).min(n))
}

/// What each block is taken to measure: as last drawn, else the drawn rows' average height.
fn heights(measured: &[f64], rows: usize) -> Vec<f64> {
    let (px, counted) = measured
        .iter()
        .enumerate()
        .filter(|(_, h)| **h > 0.0)
        .fold((0.0, 0usize), |(px, n), (i, h)| {
            (px + h, n + rows_in(i, rows))
        });
    let per_row = if counted > 0 {
        px / counted as f64
    } else {
        GUESS_ROW_PX
    };
    (0..blocks(rows))
        .map(|i| match measured.get(i) {
            Some(h) if *h > 0.0 => *h,
            _ => per_row * rows_in(i, rows) as f64,
        })
        .collect()
}

/// A windowed list drawn as a table: the heading row, how many columns a row has (a spacer
/// spans them all), and the table's class.
#[derive(Clone)]
pub struct Table {
    pub head: ViewFn,
    pub columns: usize,
    pub class: &'static str,
}

/// The handles of one list's window, all `Copy`: what a frame callback needs.
#[derive(Clone, Copy)]
struct Window {
    container: NodeRef<html::Div>,
    /// The selector of the drawn blocks, from the container.
    blocks: &'static str,
    rows: Signal<usize>,
    /// Each block's height when last drawn (0: never drawn).
    measured: RwSignal<Vec<f64>>,
    /// The blocks drawn, `[first, end)`.
    drawn: RwSignal<(usize, usize)>,
    /// A frame is asked for already.
    scheduled: StoredValue<bool>,
}

/// Frames in a row that may each change the blocks drawn after one scroll: new blocks may turn
/// out shorter than guessed and call for more, which settles in one or two (a few more where
/// rows differ in height, as the ledger's do).
const SETTLE_FRAMES: u8 = 8;

impl Window {
    /// Measures on the next frame (once, however many scroll events come first).
    fn schedule(self, chained: u8) {
        if self.scheduled.try_get_value() != Some(false) {
            return;
        }
        self.scheduled.set_value(true);
        request_animation_frame(move || {
            // The page may have gone since (the list is disposed): nothing to do.
            if self.scheduled.try_update_value(|s| *s = false).is_none() {
                return;
            }
            if self.update() == Some(true) && chained < SETTLE_FRAMES {
                self.schedule(chained + 1);
            }
        });
    }

    /// Measures the blocks drawn now, then draws the blocks the screen needs; whether that
    /// changed them.
    fn update(self) -> Option<bool> {
        let el = self.container.try_get_untracked()??;
        let rows = self.rows.try_get_untracked()?;
        let mut m = self.measured.try_get_untracked()?;
        let before = m.clone();
        m.resize(blocks(rows), 0.0);
        if let Ok(list) = el.query_selector_all(self.blocks) {
            for i in 0..list.length() {
                let Some(block) = list
                    .item(i)
                    .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
                else {
                    continue;
                };
                let at = block
                    .get_attribute("data-block")
                    .and_then(|b| b.parse::<usize>().ok());
                if let Some(h) = at.and_then(|b| m.get_mut(b)) {
                    *h = block.get_bounding_client_rect().height();
                }
            }
        }
        let screen = window()
            .inner_height()
            .ok()
            .and_then(|h| h.as_f64())
            .unwrap_or(800.0);
        let top = el.get_bounding_client_rect().top();
        let (from, to) = (-top - screen * OVERSCAN, -top + screen * (1.0 + OVERSCAN));
        let want = blocks_in_band(&heights(&m, rows), from, to);
        // The spacers follow what was measured, so the page is as tall as its rows.
        if m != before {
            self.measured.set(m);
        }
        let changed = self.drawn.try_get_untracked()? != want;
        if changed {
            self.drawn.set(want);
        }
        Some(changed)
    }
}

impl Window {
    /// A window over a list of `rows`, whose blocks the container's `blocks` selector finds;
    /// it measures again whenever the page scrolls or resizes, or `watch` (what the list is made
    /// of) changes.
    fn new(rows: Signal<usize>, blocks: &'static str, watch: impl Fn() + 'static) -> Window {
        let w = Window {
            container: NodeRef::new(),
            blocks,
            rows,
            measured: RwSignal::new(Vec::new()),
            drawn: RwSignal::new((0, 0)),
            scheduled: StoredValue::new(false),
        };
        // A changed list (a keystroke, a pulled page) may be shorter or longer than the screen.
        Effect::new(move |_| {
            rows.track();
            watch();
            w.schedule(0);
        });
        let on_scroll = window_event_listener(ev::scroll, move |_| w.schedule(0));
        let on_resize = window_event_listener(ev::resize, move |_| w.schedule(0));
        on_cleanup(move || {
            on_scroll.remove();
            on_resize.remove();
        });
        w
    }

    /// [`Window::new`] watching what the list `keys` reads: asking for no keys subscribes to
    /// what the list is made of, at no cost.
    fn over<K, KF>(rows: Signal<usize>, blocks: &'static str, keys: &KF) -> Window
    where
        KF: Fn(Range<usize>) -> Vec<K> + Clone + 'static,
    {
        let keys = keys.clone();
        Window::new(rows, blocks, move || {
            keys(0..0);
        })
    }

    /// The blocks to draw, clamped to the list, which may have shrunk since the last measure;
    /// before the first measure, the first block. Tracked.
    fn shown(self) -> Vec<usize> {
        let n = blocks(self.rows.get());
        let (first, end) = self.drawn.get();
        let end = end.min(n);
        if first >= end {
            return (0..n.min(1)).collect();
        }
        (first..end).collect()
    }

    /// The height of the blocks not drawn above (`before`) or below the drawn ones, as CSS.
    /// Tracked.
    fn spacer(self, before: bool) -> String {
        let drawn = self.shown();
        let all = self.measured.with(|m| heights(m, self.rows.get()));
        let px: f64 = match (before, drawn.first(), drawn.last()) {
            (true, Some(first), _) => all[..*first].iter().sum(),
            (false, _, Some(last)) => all[(last + 1).min(all.len())..].iter().sum(),
            _ => 0.0,
        };
        // Whole pixels: half a pixel of spacing is not seen, and an f64's Display would bring
        // core's float formatting (about 6 KB gzip) into the part a start loads.
        format!("{}px", px.round() as i64)
    }
}

/// The rows of block `b`, each drawn by `row` and kept while its key stays.
fn block_rows<K, KF, R, V>(keys: &KF, rows: Signal<usize>, row: R, b: usize) -> impl IntoView
where
    K: Clone + Eq + Hash + Send + Sync + 'static,
    KF: Fn(Range<usize>) -> Vec<K> + Clone + Send + Sync + 'static,
    R: Fn(K) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let keys = keys.clone();
    let slice = move || keys(b * BLOCK..rows.get().min((b + 1) * BLOCK));
    view! { <For each=slice key=|k| k.clone() children=row /> }
}

/// Draws `row` for the rows on and near the screen, of a list of `rows`; `keys` gives the keys of
/// a range of them, in the list's order, each telling a row apart: a row whose key stays keeps its
/// DOM when the list changes, so a keystroke redraws only what it changes. Only the keys of the
/// blocks drawn are asked for, so a keystroke costs the rows on the screen, not the list.
#[component]
pub fn WindowedList<K, KF, R, V>(
    /// How many rows the list has (tracked).
    #[prop(into)]
    rows: Signal<usize>,
    /// The keys of the rows in a range (tracked: it reads what the list is made of).
    keys: KF,
    row: R,
    /// On the box around the blocks, which are `<ul class="rows">` each.
    #[prop(into)]
    testid: String,
) -> impl IntoView
where
    K: Clone + Eq + Hash + Send + Sync + 'static,
    KF: Fn(Range<usize>) -> Vec<K> + Clone + Send + Sync + 'static,
    R: Fn(K) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let w = Window::over(rows, ":scope > [data-block]", &keys);
    view! {
        <div node_ref=w.container class="window" data-testid=testid>
            <div aria-hidden="true" style:height=move || w.spacer(true)></div>
            <For each=move || w.shown() key=|b| *b children=move |b| view! {
                // No margin, and its rows' margins kept inside: a block measures all it takes.
                // Set through the CSSOM, which the page's CSP allows (a style attribute it
                // blocks).
                <ul class="rows" style:margin="0" style:display="flow-root" data-block=b>
                    {block_rows(&keys, rows, row.clone(), b)}
                </ul>
            } />
            <div aria-hidden="true" style:height=move || w.spacer(false)></div>
        </div>
    }
}

/// [`WindowedList`] as a table: the blocks are `<tbody>`s of the `<tr>`s `row` draws, under
/// `table`'s heading, so the columns line up across blocks.
#[component]
pub fn WindowedTable<K, KF, R, V>(
    /// How many rows the table has (tracked).
    #[prop(into)]
    rows: Signal<usize>,
    /// The keys of the rows in a range (tracked: it reads what the table is made of).
    keys: KF,
    row: R,
    table: Table,
    /// On the box around the table.
    #[prop(into)]
    testid: String,
) -> impl IntoView
where
    K: Clone + Eq + Hash + Send + Sync + 'static,
    KF: Fn(Range<usize>) -> Vec<K> + Clone + Send + Sync + 'static,
    R: Fn(K) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let w = Window::over(rows, ":scope > table > [data-block]", &keys);
    // A spacer is a row of one cell across every column, as tall as the blocks it stands for.
    let spacer = move |before: bool| {
        view! {
            <tbody aria-hidden="true">
                <tr><td colspan=table.columns style:height=move || w.spacer(before) style:padding="0" style:border="0"></td></tr>
            </tbody>
        }
    };
    view! {
        <div node_ref=w.container class="window" data-testid=testid>
            <table class=table.class>
                <thead>{table.head.run()}</thead>
                {spacer(true)}
                <For each=move || w.shown() key=|b| *b children=move |b| view! {
                    <tbody data-block=b>{block_rows(&keys, rows, row.clone(), b)}</tbody>
                } />
                {spacer(false)}
            </table>
        </div>
    }
}
