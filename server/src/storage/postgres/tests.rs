//! The PostgreSQL storage's own tests, on the server `KNOCK_TEST_POSTGRES` names (they pass
//! without running when it names none, as on a SQLite-only test run): what a write transaction
//! keeps and sends later must read and store exactly what writing at once would, and a grid
//! worker's page must be what a filtered walk of everything returns.

use serde_json::json;

use super::fields::MAX_GRID_ARMS;
use super::write::{COPY_AT, SEND_AT};
use super::PgStorage;
use crate::storage::{scratch, Logged, Storage};
use model::wire::Change;

async fn storage() -> Option<PgStorage> {
    let url = scratch::new_database_url().await.unwrap()?;
    Some(PgStorage::connect(&url, 4).await.unwrap())
}

fn row(id: &str, field: &str, n: u64) -> Change {
    Change {
        entity: "e".into(),
        id: id.into(),
        field: field.into(),
        value: json!(n),
        hlc: format!("{:013}-0000-dev", 1_764_331_200_000 + n),
    }
}

#[tokio::test]
async fn pull_by_grids_returns_what_a_filtered_walk_of_everything_would() {
    let Some(s) = storage().await else { return };
    let grids = ["g1", "g2", "g3", "g4"];
    let mut n = 0;
    for round in 0..6 {
        let mut batch = Vec::new();
        for r in 0..25 {
            n += 1;
            let id = format!("r{round}-{r}");
            let grid = (r % 5 != 4).then(|| grids[(r % 5 + round) % 4]);
            for field in ["a", "b", "c"] {
                batch.push((row(&id, field, n), grid));
            }
        }
        s.transact(crate::storage::Work::new(move |tx| {
            for (c, grid) in &batch {
                assert!(tx.insert(c, *grid)?);
            }
            Ok(true)
        }))
        .await
        .unwrap();
    }
    let all = s.rows_after(0, 100_000, None).await.unwrap();
    assert_eq!(all.len(), 6 * 25 * 3);
    assert!(all.windows(2).all(|w| w[1].seq == w[0].seq + 1));
    let many: Vec<String> = (0..MAX_GRID_ARMS + 5).map(|i| format!("g{i}")).collect();
    let asked: Vec<Vec<String>> = vec![
        vec![],
        vec!["g1".into()],
        vec!["g3".into(), "g1".into(), "g3".into()],
        grids.iter().map(|g| g.to_string()).collect(),
        many,
    ];
    for mine in asked {
        for after in [0, 1, 57, all[all.len() / 2].seq, all.last().unwrap().seq] {
            for limit in [1, 7, 500] {
                let want: Vec<i64> = all
                    .iter()
                    .filter(|r| r.seq > after)
                    .filter(|r| r.grid_id.as_ref().is_none_or(|g| mine.contains(g)))
                    .take(limit)
                    .map(|r| r.seq)
                    .collect();
                let got: Vec<i64> = s
                    .rows_after(after, limit, Some(mine.clone()))
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.seq)
                    .collect();
                assert_eq!(got, want, "grids {mine:?} after {after} limit {limit}");
            }
        }
    }
}

/// The one connection of a pool goes back to it outside any transaction after a rollback, even
/// of rows already sent (by a search of the table), and the write lock goes with it: the next
/// write on that connection and a write of another server both commit, and nothing of the
/// rolled-back one is kept.
#[tokio::test]
async fn a_rolled_back_transaction_leaves_its_connection_and_the_lock_free() {
    let Some(url) = scratch::new_database_url().await.unwrap() else {
        return;
    };
    let one = PgStorage::connect(&url, 1).await.unwrap();
    let other = PgStorage::connect(&url, 1).await.unwrap();
    one.transact(crate::storage::Work::new(|tx| {
        assert!(tx.insert(&row("x", "a", 1), Some("g"))?);
        // A search of the table sends the row first.
        assert_eq!(tx.ids_where("e", "a", &json!(1))?, ["x"]);
        Ok(false)
    }))
    .await
    .unwrap();
    for s in [&one, &other, &one] {
        s.transact(crate::storage::Work::new(|tx| {
            let n = tx.field_names("e", "y")?.len() as u64;
            assert!(tx.insert(&row("y", &format!("f{n}"), n), None)?);
            Ok(true)
        }))
        .await
        .unwrap();
    }
    let rows = one.rows_after(0, 100, None).await.unwrap();
    let kept: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r.change.id.as_str(), r.change.field.as_str()))
        .collect();
    assert_eq!(kept, [("y", "f0"), ("y", "f1"), ("y", "f2")]);
}

#[tokio::test]
async fn a_transaction_reads_its_own_writes_before_they_are_sent_and_stores_them_in_order() {
    let Some(s) = storage().await else { return };
    s.transact(crate::storage::Work::new(|tx| {
        assert!(tx.insert(&row("x", "a", 1), None)?);
        Ok(false)
    }))
    .await
    .unwrap();
    assert_eq!(s.max_seq().await.unwrap(), 0, "rolled back");
    s.transact(crate::storage::Work::new(|tx| {
        assert!(tx.insert(&row("y", "b", 5), None)?);
        Ok(true)
    }))
    .await
    .unwrap();
    s.transact(crate::storage::Work::new(|tx| {
        assert!(tx.insert(&row("x", "é", 1), Some("g"))?);
        assert!(tx.insert(&row("x", "a", 1), Some("g"))?);
        assert!(tx.insert(&row("x", "B", 2), None)?);
        // Byte order, as the column's collation "C" sorts: "B" < "a" < "é".
        assert_eq!(tx.field_names("e", "x")?, ["B", "a", "é"]);
        assert!(!tx.insert(&row("x", "a", 3), None)?, "the field exists");
        assert_eq!(tx.stamp("e", "x", "a")?, Some(row("x", "a", 1).hlc));
        tx.replace(&row("x", "a", 3), Some("g"))?;
        assert_eq!(tx.field("e", "x", "a")?, Some(json!(3)));
        // A search of the table sees what is not sent yet.
        assert_eq!(tx.ids_where("e", "a", &json!(3))?, ["x"]);
        assert_eq!(tx.ids_where("e", "a", &json!(1))?, Vec::<String>::new());
        // y's stored b is newer than 4 and older than 6; each row takes a seq either way.
        let (older, newer) = (row("y", "b", 4), row("y", "b", 6));
        tx.put(&[(&older, None)])?;
        assert_eq!(
            tx.field("e", "y", "b")?,
            Some(json!(5)),
            "never overwritten by an older stamp"
        );
        tx.put(&[(&newer, Some("g")), (&row("y", "c", 6), Some("g"))])?;
        assert_eq!(
            tx.stamps(&[("e", "y", "b"), ("e", "z", "b")])?,
            [Some(newer.hlc.clone()), None]
        );
        tx.refile(
            "e",
            "x",
            &["é".into(), "gone".into(), "B".into()],
            Some("h"),
        )?;
        Ok(true)
    }))
    .await
    .unwrap();
    let order: Vec<(i64, String, String, String, Option<String>)> = s
        .rows_after(0, 100, None)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.seq, r.change.id, r.change.field, r.change.hlc, r.grid_id))
        .collect();
    let (g, h) = (Some("g".to_string()), Some("h".to_string()));
    // Seqs from 2: x.é 2, x.a 3, x.B 4, x.a again 5, the older put 6 (not written), y.b 7, y.c 8,
    // x.é 9, "gone" 10 (no such field), x.B 11.
    assert_eq!(
        order,
        [
            (5, "x".into(), "a".into(), row("x", "a", 3).hlc, g.clone()),
            (7, "y".into(), "b".into(), row("y", "b", 6).hlc, g.clone()),
            (8, "y".into(), "c".into(), row("y", "c", 6).hlc, g),
            (9, "x".into(), "é".into(), row("x", "é", 1).hlc, h.clone()),
            (11, "x".into(), "B".into(), row("x", "B", 2).hlc, h),
        ]
    );
    assert_eq!(s.max_seq().await.unwrap(), 11);
}

#[tokio::test]
async fn a_write_larger_than_one_statement_is_sent_in_parts_and_read_back_whole() {
    let Some(s) = storage().await else { return };
    let n = SEND_AT + SEND_AT / 2;
    let changes: Vec<Change> = (0..n)
        .map(|i| row(&format!("r{i:06}"), "a", i as u64))
        .collect();
    let written = changes.clone();
    s.transact(crate::storage::Work::new(move |tx| {
        let records: Vec<(&str, &str)> = written.iter().map(|c| ("e", c.id.as_str())).collect();
        tx.prefetch(&records)?;
        for c in &written {
            assert!(tx.insert(c, Some("g"))?);
        }
        // A part is sent already, the rest before the table is searched.
        assert_eq!(tx.ids_where("e", "a", &json!(0))?, ["r000000"]);
        assert_eq!(
            tx.field("e", &format!("r{:06}", n - 1), "a")?,
            Some(json!(n - 1))
        );
        Ok(true)
    }))
    .await
    .unwrap();
    let rows = s
        .rows_after(0, n + 1, Some(vec!["g".into()]))
        .await
        .unwrap();
    assert_eq!(rows.len(), n);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!((r.seq, &r.change), (i as i64 + 1, &changes[i]));
    }
}

/// History entries go as one INSERT below `COPY_AT` and as a COPY from there: both read back
/// as they were logged, in order of arrival.
#[tokio::test]
async fn history_entries_are_kept_alike_by_insert_and_by_copy() {
    let Some(s) = storage().await else { return };
    let mut logged = Vec::new();
    for (round, n) in [COPY_AT - 1, COPY_AT, 3 * COPY_AT].into_iter().enumerate() {
        let entries: Vec<Logged> = (0..n)
            .map(|i| Logged {
                entity: "e".into(),
                id: format!("r{round}-{i:04}"),
                user_id: "u".into(),
                device_id: "d".into(),
                at_ms: 1_764_331_200_000 + round as i64,
                changes: vec![
                    ("a".into(), json!(i), row("x", "a", i as u64).hlc),
                    ("b".into(), json!("王桂兰"), row("x", "b", i as u64).hlc),
                ],
            })
            .collect();
        logged.extend(entries.clone());
        s.transact(crate::storage::Work::new(move |tx| {
            tx.log(entries)?;
            Ok(true)
        }))
        .await
        .unwrap();
    }
    let mut read = s.history_between(0, 2_000_000_000_000).await.unwrap();
    read.sort_by(|a, b| (a.at_ms, &a.id).cmp(&(b.at_ms, &b.id)));
    assert_eq!(read, logged);
}

/// A server opens its whole pool when it starts, not in the first rush of requests: each
/// connection is a PostgreSQL backend to start and warm.
#[tokio::test]
async fn the_pool_is_open_before_the_first_request() {
    let Some(url) = scratch::new_database_url().await.unwrap() else {
        return;
    };
    let s = PgStorage::connect(&url, 3).await.unwrap();
    let count = s
        .pool
        .run(|c| {
            let n: i64 = c
                .client
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                     AND backend_type = 'client backend'",
                    &[],
                )?
                .get(0);
            Ok(n)
        })
        .await
        .unwrap();
    assert_eq!(
        count, 3,
        "the pool's three connections, the one asking among them"
    );
}
