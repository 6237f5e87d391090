//! A first sync into real IndexedDB in headless Chromium: records pages written without
//! reading, a record split between pages merged, an edit made between pages kept, the clock
//! moved past the page's greatest stamp, and the cursor stored with each page. The pages are
//! kept whole: their records are then edited, pulled, dropped, swept and read like any other,
//! and a phone whose store predates them keeps what it held.

use app::db::{db_name, Db, FirstSync, RawRecordsPage};
use model::entities::resident;
use model::record::Fields;
use model::wire::{Change, PullResponse, RecordKey, RecordsPage};
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

/// The record a page ends inside is the one the next page most often carries on with: its rest
/// merges into the copy the first sync remembers, and an edit made to it between the pages is
/// kept all the same.
#[wasm_bindgen_test]
async fn a_record_a_page_ended_inside_is_carried_on_by_the_next_page() {
    let user = format!("test-{}", uuid::Uuid::new_v4());
    let db = Db::open(&user, "phone-a").await.unwrap();
    let mut first = FirstSync::default();
    let t: Vec<String> = (0..5).map(|n| format!("1000000000000-{n:04}-b")).collect();

    let one = page(
        &[
            ("r1", field::NAME, json!("王桂兰"), t[0].as_str()),
            ("r2", field::NAME, json!("李建国"), t[1].as_str()),
        ],
        "c1",
    );
    assert_eq!(db.apply_first_page(&one, &mut first).await.unwrap(), 2);
    let two = page(
        &[
            ("r2", field::PHONE, json!("13800000000"), t[2].as_str()),
            ("r2", field::NAME, json!("李建"), t[0].as_str()),
            ("r3", field::NAME, json!("赵敏"), t[3].as_str()),
        ],
        "c2",
    );
    assert_eq!(db.apply_first_page(&two, &mut first).await.unwrap(), 2);
    // The worker corrects r3, the record page two ended inside, before page three comes.
    db.edit(
        resident::NAME,
        "r3",
        vec![(field::NOTES.into(), json!("独居"))],
    )
    .await
    .unwrap();
    let three = page(
        &[
            ("r3", field::PHONE, json!("13700000000"), t[4].as_str()),
            ("r3", field::NOTES, json!("旧备注"), t[1].as_str()),
        ],
        "c3",
    );
    assert_eq!(db.apply_first_page(&three, &mut first).await.unwrap(), 1);

    let r2 = db.record(resident::NAME, "r2").await.unwrap().unwrap();
    assert_eq!(
        r2.text(field::NAME),
        Some("李建国"),
        "the newer name of page one kept"
    );
    assert_eq!(
        r2.text(field::PHONE),
        Some("13800000000"),
        "page two's rest added"
    );
    let r3 = db.record(resident::NAME, "r3").await.unwrap().unwrap();
    assert_eq!(r3.text(field::NAME), Some("赵敏"));
    assert_eq!(r3.text(field::PHONE), Some("13700000000"));
    assert_eq!(
        r3.text(field::NOTES),
        Some("独居"),
        "the edit made between the pages is newer than the page's notes"
    );
    assert_eq!(
        db.outbox_len().await.unwrap(),
        1,
        "the edit still waits to be sent"
    );
    assert_eq!(residents(&db).await.len(), 3);
    db.close();
    Db::destroy(&user).await.unwrap();
}

fn pulled(id: &str, f: &str, v: serde_json::Value, hlc: &str) -> Change {
    Change {
        entity: resident::NAME.into(),
        id: id.into(),
        field: f.into(),
        value: v,
        hlc: hlc.into(),
    }
}

fn key(id: &str) -> RecordKey {
    RecordKey {
        entity: resident::NAME.into(),
        id: id.into(),
    }
}

async fn name_of(db: &Db, id: &str) -> Option<String> {
    db.record(resident::NAME, id)
        .await
        .unwrap()?
        .text(field::NAME)
        .map(str::to_owned)
}

/// The ids and names of the residents `load_all` reads, in its order.
async fn residents(db: &Db) -> Vec<(String, String)> {
    db.load_all()
        .await
        .unwrap()
        .take(resident::NAME)
        .into_iter()
        .map(|r| {
            let name = r.text(field::NAME).unwrap_or_default().to_owned();
            (r.id, name)
        })
        .collect()
}

#[wasm_bindgen_test]
async fn records_of_a_first_sync_are_edited_pulled_dropped_and_read_like_any_other() {
    let user = format!("test-{}", uuid::Uuid::new_v4());
    let db = Db::open(&user, "phone-b").await.unwrap();
    let mut first = FirstSync::default();
    let one = page(
        &[
            ("r3", field::NAME, json!("三"), "1000000000000-0000-b"),
            ("r1", field::NAME, json!("一"), "1000000000000-0001-b"),
            ("r2", field::NAME, json!("二"), "1000000000000-0002-b"),
        ],
        "c1",
    );
    db.apply_first_page(&one, &mut first).await.unwrap();
    let mut two = page(
        &[
            ("r5", field::NAME, json!("五"), "1000000000000-0003-b"),
            ("r4", field::NAME, json!("四"), "1000000000000-0004-b"),
        ],
        "c2",
    );
    two.dropped = vec![key("r2"), key("r9")];
    assert_eq!(
        db.apply_first_page(&two, &mut first).await.unwrap(),
        3,
        "two records written, one removed (r9 was never here)"
    );
    assert_eq!(name_of(&db, "r2").await, None, "dropped from page one");

    // An edit of a record kept in a page, and two pulled changes: one newer, one older.
    db.edit_many(vec![
        (
            resident::NAME.into(),
            "r1".into(),
            vec![(field::NAME.into(), json!("一一"))],
        ),
        (
            resident::NAME.into(),
            "r1".into(),
            vec![(field::PHONE.into(), json!("139"))],
        ),
    ])
    .await
    .unwrap();
    let r1 = db.record(resident::NAME, "r1").await.unwrap().unwrap();
    assert_eq!(r1.text(field::NAME), Some("一一"));
    assert_eq!(
        r1.text(field::PHONE),
        Some("139"),
        "a batch's two edits of one record both kept"
    );
    let changes = [
        pulled("r3", field::NAME, json!("叁"), "1000000000001-0000-srv"),
        pulled("r4", field::NAME, json!("旧"), "0900000000000-0000-srv"),
    ];
    assert_eq!(
        db.apply_pulled(&changes, &[key("r5")], "c3", 0)
            .await
            .unwrap(),
        2
    );
    assert_eq!(name_of(&db, "r3").await.as_deref(), Some("叁"));
    assert_eq!(
        name_of(&db, "r4").await.as_deref(),
        Some("四"),
        "the older value lost"
    );
    assert_eq!(name_of(&db, "r5").await, None);

    // Read back once each, the newest version, in order of id.
    assert_eq!(
        residents(&db).await,
        [("r1", "一一"), ("r3", "叁"), ("r4", "四")]
            .map(|(id, n)| (id.to_owned(), n.to_owned()))
            .to_vec()
    );

    // A pull from the start that brings back only r3 keeps r1 too, whose edit is unsent.
    db.begin_resync().await.unwrap();
    let kept = [(resident::NAME.to_owned(), "r3".to_owned())]
        .into_iter()
        .collect();
    assert_eq!(db.finish_resync(&kept).await.unwrap(), 1, "r4 went");
    assert_eq!(
        residents(&db).await,
        [("r1", "一一"), ("r3", "叁")]
            .map(|(id, n)| (id.to_owned(), n.to_owned()))
            .to_vec()
    );
    assert!(!db.holds_no_records().await.unwrap());

    // Once all of it is dropped the device holds nothing, and a new first sync may begin.
    db.remove_from_outbox(
        &db.outbox(100)
            .await
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect::<Vec<_>>(),
    )
    .await
    .unwrap();
    db.apply_pulled(&[], &[key("r1"), key("r3")], "c4", 0)
        .await
        .unwrap();
    assert!(db.holds_no_records().await.unwrap());
    db.close();
    Db::destroy(&user).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_phone_whose_store_predates_pages_keeps_its_records_and_outbox() {
    let user = format!("test-{}", uuid::Uuid::new_v4());
    // The store as version 1 of the app made it, holding one record and one queued edit.
    let old = rexie::Rexie::builder(&db_name(&user))
        .version(1)
        .add_object_store(
            rexie::ObjectStore::new("records")
                .key_path("key")
                .add_index(rexie::Index::new("entity", "entity")),
        )
        .add_object_store(rexie::ObjectStore::new("outbox").auto_increment(true))
        .add_object_store(rexie::ObjectStore::new("meta"))
        .add_object_store(rexie::ObjectStore::new("rejected").auto_increment(true))
        .build()
        .await
        .unwrap();
    let tx = old
        .transaction(&["records", "outbox"], rexie::TransactionMode::ReadWrite)
        .unwrap();
    let record = js_sys::JSON::parse(
        &json!({
            "key": "resident/r1",
            "entity": "resident",
            "id": "r1",
            "json": json!({"name": {"value": "王桂兰", "hlc": "1000000000000-0000-a"}}).to_string(),
        })
        .to_string(),
    )
    .unwrap();
    tx.store("records")
        .unwrap()
        .put(&record, None)
        .await
        .unwrap();
    let queued = serde_json::to_string(&pulled(
        "r1",
        field::NAME,
        json!("王桂兰"),
        "1000000000000-0000-a",
    ))
    .unwrap();
    tx.store("outbox")
        .unwrap()
        .add(&queued.into(), None)
        .await
        .unwrap();
    tx.done().await.unwrap();
    old.close();

    let db = Db::open(&user, "phone-a").await.unwrap();
    assert_eq!(name_of(&db, "r1").await.as_deref(), Some("王桂兰"));
    assert_eq!(db.outbox_len().await.unwrap(), 1);
    assert!(!db.holds_no_records().await.unwrap());
    db.edit(
        resident::NAME,
        "r1",
        vec![(field::NOTES.into(), json!("独居"))],
    )
    .await
    .unwrap();
    assert_eq!(residents(&db).await.len(), 1);
    db.close();
    Db::destroy(&user).await.unwrap();
}

/// A base as the app wrote it before bases held bytes (its records' JSON as a string) is read,
/// edited and dropped from like one written now.
#[wasm_bindgen_test]
async fn a_base_kept_as_text_by_an_earlier_version_is_still_read() {
    let user = format!("test-{}", uuid::Uuid::new_v4());
    Db::open(&user, "phone-a").await.unwrap().close();
    let raw = rexie::Rexie::builder(&db_name(&user))
        .version(2)
        .build()
        .await
        .unwrap();
    let tx = raw
        .transaction(&["bases"], rexie::TransactionMode::ReadWrite)
        .unwrap();
    let records = json!([
        {"entity": "resident", "id": "r1", "fields": {"name": {"value": "王桂兰", "hlc": "1000000000000-0000-a"}}},
        {"entity": "resident", "id": "r2", "fields": {"name": {"value": "李建国", "hlc": "1000000000000-0001-a"}}},
    ]);
    let base = js_sys::JSON::parse(
        &json!({"keys": ["resident/r1", "resident/r2"], "json": records.to_string()}).to_string(),
    )
    .unwrap();
    tx.store("bases").unwrap().add(&base, None).await.unwrap();
    tx.done().await.unwrap();
    raw.close();

    let db = Db::open(&user, "phone-a").await.unwrap();
    assert_eq!(name_of(&db, "r1").await.as_deref(), Some("王桂兰"));
    assert_eq!(residents(&db).await.len(), 2);
    db.apply_pulled(&[], &[key("r2")], "c9", 1_000)
        .await
        .unwrap();
    assert_eq!(name_of(&db, "r2").await, None, "dropped from the base");
    assert_eq!(
        name_of(&db, "r1").await.as_deref(),
        Some("王桂兰"),
        "rewritten with the rest"
    );
    assert_eq!(residents(&db).await.len(), 1);
    db.close();
    Db::destroy(&user).await.unwrap();
}
