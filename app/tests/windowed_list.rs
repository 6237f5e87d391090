//! A windowed list in a real page: however long the list, only the rows on and near the screen
//! are in the DOM; scrolling anywhere shows the rows there, the page is as tall as all the rows,
//! and a list that shrinks under a scrolled screen still shows what is left.

use app::components::windowed_list::{blocks_in_band, WindowedList, BLOCK};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ROW_PX: f64 = 50.0;

#[wasm_bindgen_test]
fn the_blocks_drawn_are_those_the_band_overlaps() {
    let h = [100.0; 10];
    assert_eq!(blocks_in_band(&h, -400.0, 250.0), (0, 3));
    assert_eq!(blocks_in_band(&h, 450.0, 520.0), (4, 6));
    // Scrolled beyond the end (the list shrank): still its last block.
    assert_eq!(blocks_in_band(&h, 5_000.0, 6_000.0), (9, 10));
    assert_eq!(blocks_in_band(&[], 0.0, 800.0), (0, 0));
}

/// Lets the list measure and redraw (a few animation frames).
async fn settle() {
    for _ in 0..6 {
        TimeoutFuture::new(40).await;
    }
}

fn drawn(parent: &web_sys::HtmlElement) -> Vec<usize> {
    let rows = parent.query_selector_all("[data-row]").unwrap();
    (0..rows.length())
        .filter_map(|i| rows.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::Element>().ok())
        .filter_map(|e| e.get_attribute("data-row")?.parse().ok())
        .collect()
}

#[wasm_bindgen_test]
async fn only_the_rows_near_the_screen_are_drawn_wherever_it_is_scrolled() {
    let window = web_sys::window().unwrap();
    let document = window.document().unwrap();
    let parent: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&parent).unwrap();
    let items = RwSignal::new((0..5_000usize).collect::<Vec<_>>());
    let mounted = leptos::mount::mount_to(parent.clone(), move || {
        view! {
            <WindowedList
                rows=Signal::derive(move || items.with(Vec::len))
                keys=move |r| items.with(|all| all.get(r).map(<[usize]>::to_vec).unwrap_or_default())
                row=|i: usize| view! {
                <li data-row=i style="height: 50px; margin: 0">{i}</li>
            } testid="list" />
        }
    });
    settle().await;
    let screen = window.inner_height().unwrap().as_f64().unwrap();
    let most = (2.0 * screen / ROW_PX) as usize + 2 * BLOCK;
    let first = drawn(&parent);
    assert!(first.contains(&0), "{first:?}");
    assert!(first.len() <= most, "{} rows drawn at the top", first.len());
    // The page is as tall as every row: a scroll bar for all 5,000.
    let height = parent.get_bounding_client_rect().height();
    assert!((height - 5_000.0 * ROW_PX).abs() < 1.0, "{height}");

    // Anywhere in the middle: the rows on the screen, and not many more.
    let top = parent.get_bounding_client_rect().top() + window.scroll_y().unwrap();
    window.scroll_to_with_x_and_y(0.0, top + 2_000.0 * ROW_PX);
    settle().await;
    let middle = drawn(&parent);
    let on_screen = (2_000..2_000 + (screen / ROW_PX) as usize).collect::<Vec<_>>();
    assert!(on_screen.iter().all(|r| middle.contains(r)), "{middle:?}");
    assert!(
        middle.len() <= most,
        "{} rows drawn in the middle",
        middle.len()
    );
    // The row at the top of the screen is where the page says it is: nothing jumped.
    let row = parent.query_selector("[data-row='2000']").unwrap().unwrap();
    assert!(row.get_bounding_client_rect().top().abs() < 1.0);

    // The last rows, at the end.
    window.scroll_to_with_x_and_y(0.0, top + 5_000.0 * ROW_PX);
    settle().await;
    assert!(drawn(&parent).contains(&4_999));

    // A search leaves five rows under a screen scrolled far down: they are drawn, and the page
    // is as short as they are.
    items.set(vec![7, 8, 9, 10, 11]);
    settle().await;
    assert_eq!(drawn(&parent), vec![7, 8, 9, 10, 11]);
    let height = parent.get_bounding_client_rect().height();
    assert!((height - 5.0 * ROW_PX).abs() < 1.0, "{height}");

    drop(mounted);
    parent.remove();
    window.scroll_to_with_x_and_y(0.0, 0.0);
}
