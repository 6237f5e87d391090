//! A windowed list in a real page: however long the list, only the rows on and near the screen
//! are in the DOM; scrolling anywhere shows the rows there, the page is as tall as all the rows,
//! and a list that shrinks under a scrolled screen still shows what is left. A windowed table
//! does the same with `<tbody>` blocks under one heading.

use app::components::windowed_list::{blocks_in_band, Table, WindowedList, WindowedTable, BLOCK};
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

#[wasm_bindgen_test]
async fn a_windowed_table_draws_the_rows_near_the_screen_under_one_heading() {
    let window = web_sys::window().unwrap();
    let document = window.document().unwrap();
    // Rows exactly 50 px apart, as the ledger's style makes its rows a fixed height.
    let style = document.create_element("style").unwrap();
    style.set_text_content(Some(
        "table.t { border-collapse: collapse; } table.t td, table.t th { padding: 0; border: 0; }",
    ));
    document.head().unwrap().append_child(&style).unwrap();
    let parent: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&parent).unwrap();
    let rows = 3_000usize;
    let mounted = leptos::mount::mount_to(parent.clone(), move || {
        let table = Table {
            head: ViewFn::from(|| view! { <tr><th>"a"</th><th>"b"</th><th>"c"</th></tr> }),
            columns: 3,
            class: "t",
        };
        let keys = |r: std::ops::Range<usize>| -> Vec<usize> { r.collect() };
        let row = |i: usize| {
            view! { <tr data-row=i><td style="height: 50px">{i}</td><td>"x"</td><td>"y"</td></tr> }
        };
        view! {
            <WindowedTable rows=Signal::derive(move || rows) keys=keys row=row table=table testid="table" />
        }
    });
    settle().await;
    let screen = window.inner_height().unwrap().as_f64().unwrap();
    let most = (2.0 * screen / ROW_PX) as usize + 2 * BLOCK;
    let first = drawn(&parent);
    assert!(first.contains(&0), "{first:?}");
    assert!(first.len() <= most, "{} rows drawn at the top", first.len());
    assert_eq!(
        parent.query_selector_all("thead").unwrap().length(),
        1,
        "one heading over every block"
    );
    // The table is as tall as its heading and every row.
    let head = parent
        .query_selector("thead")
        .unwrap()
        .unwrap()
        .get_bounding_client_rect()
        .height();
    let height = parent.get_bounding_client_rect().height();
    assert!(
        (height - head - rows as f64 * ROW_PX).abs() < 2.0,
        "{height} for {rows} rows under a heading of {head}"
    );
    // A spacer spans the columns, so the drawn rows keep theirs.
    let spacer = parent
        .query_selector("tbody[aria-hidden] td")
        .unwrap()
        .unwrap();
    assert_eq!(spacer.get_attribute("colspan").as_deref(), Some("3"));

    // In the middle: the rows on the screen, in their place, and not many more.
    let top = parent
        .query_selector("tbody[aria-hidden]")
        .unwrap()
        .unwrap()
        .get_bounding_client_rect()
        .top()
        + window.scroll_y().unwrap();
    window.scroll_to_with_x_and_y(0.0, top + 1_500.0 * ROW_PX);
    settle().await;
    let middle = drawn(&parent);
    let on_screen = (1_500..1_500 + (screen / ROW_PX) as usize).collect::<Vec<_>>();
    assert!(on_screen.iter().all(|r| middle.contains(r)), "{middle:?}");
    assert!(
        middle.len() <= most,
        "{} rows drawn in the middle",
        middle.len()
    );
    let row = parent.query_selector("[data-row='1500']").unwrap().unwrap();
    assert!(row.get_bounding_client_rect().top().abs() < 2.0);

    window.scroll_to_with_x_and_y(0.0, top + rows as f64 * ROW_PX);
    settle().await;
    assert!(drawn(&parent).contains(&(rows - 1)));

    drop(mounted);
    parent.remove();
    style.remove();
    window.scroll_to_with_x_and_y(0.0, 0.0);
}
