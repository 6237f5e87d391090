//! A first sync into real IndexedDB in headless Chromium: records pages written without
//! reading, a record split between pages merged, an edit made between pages kept, the clock
//! moved past the page's greatest stamp, and the cursor stored with each page.

use app::db::{Db, FirstSync, RawRecordsPage};
use model::entities::resident;
use model::wire::{PullResponse, RecordsPage};
use serde_json::json;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

use resident::field;

/// A records page as the server sends it (grouped from pull changes), read as the phone reads
/// it: each record's fields as raw text.
fn page(changes: &[(&str, &str, serde_json::Value, &str)], cursor: &str) -> RawRecordsPage {
    let grouped = RecordsPage::group(PullResponse {
        changes: changes
            .iter()
            .map(|(id, f, v, hlc)| model::wire::Change {
                entity: resident::NAME.into(),
                id: (*id).into(),
                field: (*f).into(),
                value: v.clone(),
                hlc: (*hlc).into(),
            })
            .collect(),
        cursor: cursor.into(),
        has_more: true,
        server_time_ms: 1_000,
        dropped: vec![],
    });
    serde_json::from_str(&serde_json::to_string(&grouped).unwrap()).unwrap()
}

#[wasm_bindgen_test]
async fn records_pages_fill_an_empty_store_and_a_split_record_keeps_every_field_and_edit() {
    let user = format!("test-{}", uuid::Uuid::new_v4());
    let db = Db::open(&user, "phone-a").await.unwrap();
    assert!(db.holds_no_records().await.unwrap());
    let mut first = FirstSync::default();

    let one = page(
        &[
            ("r1", field::NAME, json!("王桂兰"), "1000000000000-0000-b"),
            ("r2", field::NAME, json!("李建国"), "1000000000000-0001-b"),
            (
                "r1",
                field::PHONE,
                json!("13800000000"),
                "1000000000000-0002-b",
            ),
        ],
        "c1",
    );
    assert_eq!(db.apply_first_page(&one, &mut first).await.unwrap(), 2);
    assert_eq!(db.cursor().await.unwrap().as_deref(), Some("c1"));
    assert!(!db.holds_no_records().await.unwrap());

    // Between pages the worker corrects r1's phone.
    db.edit(
        resident::NAME,
        "r1",
        vec![(field::PHONE.into(), json!("13900000000"))],
    )
    .await
    .unwrap();

    // The server's page had ended inside r1: its other fields come now, one of them an older
    // phone; and a stamp far ahead of this device's clock.
    let two = page(
        &[
            ("r1", field::NOTES, json!("独居"), "1000000000000-0003-b"),
            (
                "r1",
                field::PHONE,
                json!("13700000000"),
                "1000000000000-0004-b",
            ),
            ("r3", field::NAME, json!("赵敏"), "9000000000000-0000-b"),
        ],
        "c2",
    );
    assert_eq!(db.apply_first_page(&two, &mut first).await.unwrap(), 2);
    assert_eq!(db.cursor().await.unwrap().as_deref(), Some("c2"));

    let r1 = db.record(resident::NAME, "r1").await.unwrap().unwrap();
    use model::record::Fields;
    assert_eq!(
        r1.text(field::NAME),
        Some("王桂兰"),
        "page one's field kept"
    );
    assert_eq!(
        r1.text(field::NOTES),
        Some("独居"),
        "page two's field added"
    );
    assert_eq!(
        r1.text(field::PHONE),
        Some("13900000000"),
        "the edit made between pages is newer than the page's phone"
    );
    let r3 = db.record(resident::NAME, "r3").await.unwrap().unwrap();
    assert_eq!(r3.text(field::NAME), Some("赵敏"));

    // The next edit is stamped after the greatest stamp the pages carried.
    let next = db
        .edit(
            resident::NAME,
            "r3",
            vec![(field::NAME.into(), json!("赵敏敏"))],
        )
        .await
        .unwrap();
    assert!(
        next[0].hlc.as_str() > "9000000000000-0000-b",
        "{}",
        next[0].hlc
    );
    db.close();
    Db::destroy(&user).await.unwrap();
}
