//! The device store in real IndexedDB in headless Chromium: edits and their outbox entries
//! together, cursors with their pages, the merge of pulled values, and one user's data apart
//! from another's. Each test opens a database of its own and deletes it at the end.

use app::db::{Db, DbError};
use model::entities::{resident, visit};
use model::record::Fields;
use model::wire::{Change, RecordKey};
use serde_json::json;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

use resident::field;

async fn fresh(device: &str) -> (Db, String) {
    let user = format!("test-{}", uuid::Uuid::new_v4());
    (Db::open(&user, device).await.unwrap(), user)
}

async fn done(db: Db, user: String) {
    db.close();
    Db::destroy(&user).await.unwrap();
}

/// One field of a stored resident as text, `None` if the record or field is missing.
async fn text_of(db: &Db, id: &str, field: &str) -> Option<String> {
    db.record(resident::NAME, id)
        .await
        .unwrap()?
        .text(field)
        .map(str::to_owned)
}

fn remote(id: &str, field: &str, value: serde_json::Value, hlc: &str) -> Change {
    Change {
        entity: resident::NAME.into(),
        id: id.into(),
        field: field.into(),
        value,
        hlc: hlc.into(),
    }
}

#[wasm_bindgen_test]
async fn an_edit_saves_the_record_and_queues_each_field_with_the_same_stamp() {
    let (db, user) = fresh("phone-a").await;
    let changes = db
        .edit(
            resident::NAME,
            "r1",
            vec![
                (field::NAME.into(), json!("王桂兰")),
                (field::COND_DIABETES.into(), json!(true)),
            ],
        )
        .await
        .unwrap();
    assert_eq!(changes.len(), 2);
    assert!(
        changes[0].hlc < changes[1].hlc,
        "stamps increase within an edit"
    );
    assert!(changes.iter().all(|c| c.hlc.ends_with("-phone-a")));

    let record = db.record(resident::NAME, "r1").await.unwrap().unwrap();
    assert_eq!(record.text(field::NAME), Some("王桂兰"));
    assert!(record.flag(field::COND_DIABETES));
    let outbox: Vec<Change> = db
        .outbox(100)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    assert_eq!(outbox, changes);
    for c in &changes {
        assert_eq!(
            record.fields[&c.field].hlc, c.hlc,
            "the record holds exactly what was queued"
        );
    }
    assert_eq!(
        db.clock().await.unwrap().last().to_string(),
        changes[1].hlc,
        "the clock is saved with the edit"
    );
    done(db, user).await;
}

#[wasm_bindgen_test]
async fn a_failed_edit_leaves_neither_record_nor_outbox_entry() {
    // A device id no stamp may carry: the clock refuses it, after the transaction began.
    let (db, user) = fresh("Not A Device").await;
    assert!(db
        .edit(resident::NAME, "r1", vec![(field::NAME.into(), json!("x"))])
        .await
        .is_err());
    assert_eq!(db.record(resident::NAME, "r1").await.unwrap(), None);
    assert_eq!(db.outbox_len().await.unwrap(), 0);
    done(db, user).await;
}

#[wasm_bindgen_test]
async fn a_pulled_page_is_stored_with_its_cursor_and_a_reset_forgets_only_the_cursor() {
    let (db, user) = fresh("phone-a").await;
    assert_eq!(db.cursor().await.unwrap(), None);
    db.edit(
        resident::NAME,
        "mine",
        vec![(field::NOTES.into(), json!("待同步"))],
    )
    .await
    .unwrap();
    let page = vec![remote(
        "r2",
        field::NAME,
        json!("李建国"),
        "1764331200000-0001-phone-b",
    )];
    assert_eq!(
        db.apply_pulled(&page, &[], "cursor-1", 1_764_331_200_500)
            .await
            .unwrap(),
        1
    );
    assert_eq!(db.cursor().await.unwrap().as_deref(), Some("cursor-1"));
    assert_eq!(
        text_of(&db, "r2", field::NAME).await.as_deref(),
        Some("李建国")
    );

    db.reset_cursor().await.unwrap();
    assert_eq!(db.cursor().await.unwrap(), None);
    assert_eq!(
        db.outbox_len().await.unwrap(),
        1,
        "a reset keeps what is waiting to be pushed"
    );
    assert!(db.record(resident::NAME, "r2").await.unwrap().is_some());
    done(db, user).await;
}

#[wasm_bindgen_test]
async fn pulled_values_merge_by_stamp_and_move_the_clock_past_them() {
    let (db, user) = fresh("phone-a").await;
    let mine = db
        .edit(
            resident::NAME,
            "r1",
            vec![(field::PHONE.into(), json!("13800000000"))],
        )
        .await
        .unwrap();
    let my_stamp = mine[0].hlc.clone();

    // Older than mine: loses. Another field: kept. Replayed: changes nothing.
    let older = remote(
        "r1",
        field::PHONE,
        json!("13900000000"),
        "1000000000000-0000-phone-b",
    );
    let other = remote(
        "r1",
        field::NOTES,
        json!("B 的备注"),
        "1000000000000-0001-phone-b",
    );
    assert_eq!(
        db.apply_pulled(&[older.clone(), other.clone()], &[], "c1", 0)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        db.apply_pulled(&[older, other], &[], "c2", 0)
            .await
            .unwrap(),
        0
    );
    let r = db.record(resident::NAME, "r1").await.unwrap().unwrap();
    assert_eq!(r.text(field::PHONE), Some("13800000000"));
    assert_eq!(r.text(field::NOTES), Some("B 的备注"));

    // Newer than mine (a stamp far in the future): wins, and my next edit orders after it.
    let newer = remote(
        "r1",
        field::PHONE,
        json!("13700000000"),
        "9000000000000-0000-phone-b",
    );
    assert_eq!(db.apply_pulled(&[newer], &[], "c3", 0).await.unwrap(), 1);
    assert_eq!(
        text_of(&db, "r1", field::PHONE).await.as_deref(),
        Some("13700000000")
    );
    let next = db
        .edit(
            resident::NAME,
            "r1",
            vec![(field::PHONE.into(), json!("13600000000"))],
        )
        .await
        .unwrap();
    assert!(next[0].hlc.as_str() > "9000000000000-0000-phone-b" && next[0].hlc > my_stamp);
    assert_eq!(
        text_of(&db, "r1", field::PHONE).await.as_deref(),
        Some("13600000000")
    );
    done(db, user).await;
}

#[wasm_bindgen_test]
async fn a_record_the_server_drops_leaves_the_phone_and_its_pending_edit_still_goes() {
    let (db, user) = fresh("phone-drop").await;
    let page = [
        remote("r1", field::NAME, json!("张秀英"), "1000000000000-0000-srv"),
        remote("r2", field::NAME, json!("李桂兰"), "1000000000000-0001-srv"),
    ];
    db.apply_pulled(&page, &[], "c1", 0).await.unwrap();
    db.edit(
        resident::NAME,
        "r1",
        vec![(field::NOTES.into(), json!("已搬走"))],
    )
    .await
    .unwrap();
    let gone = RecordKey {
        entity: resident::NAME.into(),
        id: "r1".into(),
    };
    let never_had = RecordKey {
        entity: resident::NAME.into(),
        id: "r9".into(),
    };
    assert_eq!(
        db.apply_pulled(&[], &[gone, never_had], "c2", 0)
            .await
            .unwrap(),
        1
    );
    assert_eq!(db.record(resident::NAME, "r1").await.unwrap(), None);
    assert!(db.record(resident::NAME, "r2").await.unwrap().is_some());
    assert_eq!(
        db.outbox_len().await.unwrap(),
        1,
        "the edit waits for the server's verdict"
    );
    assert_eq!(db.cursor().await.unwrap().as_deref(), Some("c2"));
    done(db, user).await;
}

#[wasm_bindgen_test]
async fn a_pull_from_the_start_sweeps_what_it_did_not_bring_but_keeps_unsent_edits() {
    let (db, user) = fresh("phone-resync").await;
    let page = [
        remote(
            "r1",
            field::NAME,
            json!("旧网格的人"),
            "1000000000000-0000-srv",
        ),
        remote("r2", field::NAME, json!("仍可见"), "1000000000000-0001-srv"),
    ];
    db.apply_pulled(&page, &[], "c1", 0).await.unwrap();
    db.edit(
        resident::NAME,
        "r3",
        vec![(field::NAME.into(), json!("未上传"))],
    )
    .await
    .unwrap();
    db.begin_resync().await.unwrap();
    assert!(db.resyncing().await.unwrap());
    assert_eq!(db.cursor().await.unwrap(), None, "the pull starts over");
    let pulled = [(resident::NAME.to_owned(), "r2".to_owned())]
        .into_iter()
        .collect();
    assert_eq!(db.finish_resync(&pulled).await.unwrap(), 1);
    assert_eq!(db.record(resident::NAME, "r1").await.unwrap(), None);
    assert!(db.record(resident::NAME, "r2").await.unwrap().is_some());
    assert!(
        db.record(resident::NAME, "r3").await.unwrap().is_some(),
        "an unsent edit stays"
    );
    assert!(!db.resyncing().await.unwrap());
    done(db, user).await;
}

#[wasm_bindgen_test]
async fn each_user_has_a_database_of_their_own() {
    let (a, user_a) = fresh("shared-phone").await;
    let (b, user_b) = fresh("shared-phone").await;
    a.edit(
        resident::NAME,
        "r1",
        vec![(field::NAME.into(), json!("甲"))],
    )
    .await
    .unwrap();
    assert_eq!(b.record(resident::NAME, "r1").await.unwrap(), None);
    assert_eq!(b.outbox_len().await.unwrap(), 0);
    b.edit(
        resident::NAME,
        "r1",
        vec![(field::NAME.into(), json!("乙"))],
    )
    .await
    .unwrap();
    done(a, user_a.clone()).await;

    // Logging A out erased A's data and nothing of B's.
    let reopened = Db::open(&user_a, "shared-phone").await.unwrap();
    assert_eq!(reopened.record(resident::NAME, "r1").await.unwrap(), None);
    done(reopened, user_a).await;
    assert_eq!(text_of(&b, "r1", field::NAME).await.as_deref(), Some("乙"));
    done(b, user_b).await;
}

#[wasm_bindgen_test]
async fn clock_skew_restamps_the_outbox_in_order_and_the_record_follows() {
    let (db, user) = fresh("phone-a").await;
    db.edit(
        resident::NAME,
        "r1",
        vec![
            (field::NAME.into(), json!("甲")),
            (field::PHONE.into(), json!("13800000000")),
        ],
    )
    .await
    .unwrap();
    let server_ms = 1_700_000_000_000;
    db.restamp_outbox(server_ms).await.unwrap();
    let outbox: Vec<Change> = db
        .outbox(10)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    assert_eq!(outbox[0].hlc, "1700000000000-0001-phone-a");
    assert_eq!(outbox[1].hlc, "1700000000000-0002-phone-a");
    let r = db.record(resident::NAME, "r1").await.unwrap().unwrap();
    assert_eq!(r.fields[field::NAME].hlc, outbox[0].hlc);
    assert_eq!(r.fields[field::PHONE].hlc, outbox[1].hlc);
    done(db, user).await;
}

/// A re-stamped edit can sort below a value the device pulled and dropped, so the device pulls
/// from the start again: it never keeps a value the server does not have.
#[wasm_bindgen_test]
async fn clock_skew_makes_the_next_pull_start_over() {
    let (db, user) = fresh("phone-a").await;
    db.apply_pulled(&[], &[], "cursor-7", 1_764_331_200_500)
        .await
        .unwrap();
    db.edit(
        resident::NAME,
        "r1",
        vec![(field::NAME.into(), json!("甲"))],
    )
    .await
    .unwrap();
    db.restamp_outbox(1_700_000_000_000).await.unwrap();
    assert_eq!(db.cursor().await.unwrap(), None);
    assert_eq!(db.outbox_len().await.unwrap(), 1, "the edit still waits");
    done(db, user).await;
}

/// Edits a visit's two fields and has the server refuse the first (a blood oxygen out of range);
/// returns the refused change.
async fn refuse_first_of_two(db: &Db) -> Change {
    db.edit(
        visit::NAME,
        "v1",
        vec![
            (visit::field::SPO2.into(), json!(120)),
            (visit::field::NOTES.into(), json!("ok")),
        ],
    )
    .await
    .unwrap();
    let (key, change) = db.outbox(10).await.unwrap()[0].clone();
    db.reject(vec![(
        key,
        change.clone(),
        "血氧饱和度应在 50 到 100 之间".into(),
    )])
    .await
    .unwrap();
    change
}

#[wasm_bindgen_test]
async fn a_refused_edit_moves_to_the_rejected_list_and_the_rest_stay_queued() {
    let (db, user) = fresh("phone-a").await;
    let change = refuse_first_of_two(&db).await;
    assert_eq!(db.outbox_len().await.unwrap(), 1);
    let rejected = db.rejected().await.unwrap();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].1.change, change);
    assert!(rejected[0].1.message.contains("血氧"));
    done(db, user).await;
}

#[wasm_bindgen_test]
async fn load_all_reads_every_record_grouped_by_entity() {
    let (db, user) = fresh("phone-a").await;
    db.edit_many(vec![
        (
            resident::NAME.into(),
            "r1".into(),
            vec![(field::NAME.into(), json!("甲"))],
        ),
        (
            resident::NAME.into(),
            "r2".into(),
            vec![(field::NAME.into(), json!("乙"))],
        ),
        (
            visit::NAME.into(),
            "v1".into(),
            vec![(visit::field::RESIDENT_ID.into(), json!("r1"))],
        ),
    ])
    .await
    .unwrap();
    let mut all = db.load_all().await.unwrap();
    let mut names: Vec<String> = all
        .take(resident::NAME)
        .iter()
        .filter_map(|r| r.text(field::NAME).map(str::to_owned))
        .collect();
    names.sort();
    assert_eq!(names, ["乙", "甲"]);
    assert_eq!(all.take(visit::NAME).len(), 1);
    assert!(all.take(visit::NAME).is_empty(), "taken once");
    assert!(all.take(model::entities::need::NAME).is_empty());
    done(db, user).await;
}

#[wasm_bindgen_test]
async fn a_closed_store_says_so_and_a_bad_device_id_is_a_clock_error() {
    let (db, user) = fresh("Not A Device").await;
    let failed = db
        .edit(resident::NAME, "r1", vec![(field::NAME.into(), json!("x"))])
        .await;
    assert!(matches!(failed, Err(DbError::Clock(_))), "{failed:?}");
    db.close();
    assert_eq!(db.record(resident::NAME, "r1").await, Err(DbError::Closed));
    Db::destroy(&user).await.unwrap();
}

/// What a sync reads before its first request, in two transactions: the badge's counts and the
/// last sync, then where the pull begins, each following what the device did.
#[wasm_bindgen_test]
async fn a_sync_reads_where_it_stands_and_where_its_pull_begins() {
    let (db, user) = fresh("phone-a").await;
    let standing = db.standing().await.unwrap();
    assert_eq!(
        (standing.pending, standing.rejected, standing.last_sync_ms),
        (0, 0, None)
    );
    let begin = db.pull_start().await.unwrap();
    assert_eq!(
        (begin.resyncing, begin.cursor, begin.holds_no_records),
        (false, None, true),
        "a new phone: a first sync"
    );

    refuse_first_of_two(&db).await;
    db.apply_pulled(
        &[remote(
            "r1",
            field::NAME,
            json!("王桂兰"),
            "1000000000000-0000-b",
        )],
        &[],
        "c1",
        1_000,
    )
    .await
    .unwrap();
    let standing = db.standing().await.unwrap();
    assert_eq!((standing.pending, standing.rejected), (1, 1));
    assert!(standing.last_sync_ms.is_some(), "a stored page is a sync");
    let begin = db.pull_start().await.unwrap();
    assert_eq!(
        (
            begin.resyncing,
            begin.cursor.as_deref(),
            begin.holds_no_records
        ),
        (false, Some("c1"), false)
    );

    db.begin_resync().await.unwrap();
    let begin = db.pull_start().await.unwrap();
    assert_eq!(
        (begin.resyncing, begin.cursor, begin.holds_no_records),
        (true, None, false),
        "a pull from the start, cut short, begins again"
    );
    done(db, user).await;
}
