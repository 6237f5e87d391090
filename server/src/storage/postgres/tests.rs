//! The PostgreSQL storage's own tests, on the server `KNOCK_TEST_POSTGRES` names (they pass
//! without running when it names none, as on a SQLite-only test run): what a write transaction
//! keeps and sends later must read and store exactly what writing at once would, and a grid
//! worker's page must be what a filtered walk of everything returns.

use serde_json::json;

use super::fields::MAX_GRID_ARMS;
use super::runs::RUNS_PER_READ;
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
        s.transact(Box::new(move |tx| {
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
    one.transact(Box::new(|tx| {
        assert!(tx.insert(&row("x", "a", 1), Some("g"))?);
        // A search of the table sends the row first.
        assert_eq!(tx.ids_where("e", "a", &json!(1))?, ["x"]);
        Ok(false)
    }))
    .await
    .unwrap();
    for s in [&one, &other, &one] {
        s.transact(Box::new(|tx| {
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
    s.transact(Box::new(|tx| {
        assert!(tx.insert(&row("x", "a", 1), None)?);
        Ok(false)
    }))
    .await
    .unwrap();
    assert_eq!(s.max_seq().await.unwrap(), 0, "rolled back");
    s.transact(Box::new(|tx| {
        assert!(tx.insert(&row("y", "b", 5), None)?);
        Ok(true)
    }))
    .await
    .unwrap();
    s.transact(Box::new(|tx| {
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
    assert_runs_hold_what_they_count(&s).await;
}

#[tokio::test]
async fn a_write_larger_than_one_statement_is_sent_in_parts_and_read_back_whole() {
    let Some(s) = storage().await else { return };
    let n = SEND_AT + SEND_AT / 2;
    let changes: Vec<Change> = (0..n)
        .map(|i| row(&format!("r{i:06}"), "a", i as u64))
        .collect();
    let written = changes.clone();
    s.transact(Box::new(move |tx| {
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
        s.transact(Box::new(move |tx| {
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

/// `grid_runs` as pulls rely on it (runs.rs): every row of a grid lies in a run of its grid,
/// runs do not overlap, and each counts exactly the rows it holds, none empty.
async fn assert_runs_hold_what_they_count(s: &PgStorage) {
    let checks = [
        "SELECT COUNT(*) FROM fields f WHERE grid_id IS NOT NULL AND NOT EXISTS \
         (SELECT 1 FROM grid_runs r WHERE r.grid_id = f.grid_id AND f.seq BETWEEN r.first_seq AND r.last_seq)",
        "SELECT COUNT(*) FROM grid_runs a JOIN grid_runs b ON (a.grid_id, a.last_seq) <> (b.grid_id, b.last_seq) \
         AND a.first_seq <= b.last_seq AND b.first_seq <= a.last_seq",
        "SELECT COUNT(*) FROM grid_runs r WHERE n < 1 OR n <> (SELECT COUNT(*) FROM fields f \
         WHERE f.grid_id = r.grid_id AND f.seq BETWEEN r.first_seq AND r.last_seq)",
    ];
    for sql in checks {
        let wrong: i64 = s
            .pool
            .run(move |c| Ok(c.client.query_one(sql, &[])?.get(0)))
            .await
            .unwrap();
        assert_eq!(wrong, 0, "{sql}");
    }
}

/// What a grid pull must see in [`write_moving_rows`]'s rows: the rows a filtered walk of
/// everything returns, for each cursor and page size.
async fn assert_grid_pulls_match_a_filtered_walk(s: &PgStorage, asked: &[Vec<String>]) {
    let all = s.rows_after(0, usize::MAX >> 1, None).await.unwrap();
    let afters = [
        0,
        1,
        all[all.len() / 3].seq,
        all[all.len() - 2].seq,
        all.last().unwrap().seq,
    ];
    for mine in asked {
        for after in afters {
            for limit in [1, 7, 500, 5_000] {
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

/// Several times more runs than one read of `grid_runs` takes (transactions of two records of
/// grids taking turns, a run each), then a transaction that moves a third of the rows to new
/// seqs (newer values, and records refiled to another grid or to none), emptying some runs and
/// thinning others.
fn write_moving_rows() -> Vec<crate::storage::Work> {
    let records = RUNS_PER_READ * 5;
    let grid = |i: usize| (i % 7 != 6).then(|| ["g1", "g2", "g3"][i % 3]);
    let mut works: Vec<crate::storage::Work> = (0..records)
        .step_by(2)
        .map(|first| -> crate::storage::Work {
            Box::new(move |tx| {
                for i in first..first + 2 {
                    assert!(tx.insert(&row(&format!("r{i}"), "a", i as u64), grid(i))?);
                }
                Ok(true)
            })
        })
        .collect();
    works.push(Box::new(move |tx| {
        for i in (0..records).step_by(3) {
            let id = format!("r{i}");
            match i % 2 {
                0 => tx.replace(&row(&id, "a", (records + i) as u64), grid(i))?,
                _ => tx.refile("e", &id, &["a".into()], (i % 5 != 0).then_some("g4"))?,
            }
        }
        Ok(true)
    }));
    works
}

/// A transaction's rows of each grid take consecutive seqs, whatever order they were written in,
/// so that a push of records of grids taking turns adds one run a grid, not one a record; the
/// rows of a grid keep their order.
#[tokio::test]
async fn a_transaction_writes_one_run_a_grid() {
    let Some(s) = storage().await else { return };
    s.transact(Box::new(|tx| {
        for i in 0..30u64 {
            let grid = ["g2", "g1", "g3"][(i % 3) as usize];
            assert!(tx.insert(&row(&format!("r{i:02}"), "a", i), Some(grid))?);
        }
        assert!(tx.insert(&row("x", "a", 99), None)?);
        Ok(true)
    }))
    .await
    .unwrap();
    let runs: i64 = s
        .pool
        .run(|c| {
            Ok(c.client
                .query_one("SELECT COUNT(*) FROM grid_runs", &[])?
                .get(0))
        })
        .await
        .unwrap();
    assert_eq!(runs, 3);
    let g2: Vec<String> = s
        .rows_after(0, 100, Some(vec!["g2".into()]))
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.grid_id.is_some())
        .map(|r| r.change.id)
        .collect();
    let written: Vec<String> = (0..30).step_by(3).map(|i| format!("r{i:02}")).collect();
    assert_eq!(g2, written);
    assert_runs_hold_what_they_count(&s).await;
}

#[tokio::test]
async fn a_grid_pull_reads_runs_in_turns_and_past_rows_that_moved_away() {
    let Some(s) = storage().await else { return };
    for work in write_moving_rows() {
        s.transact(work).await.unwrap();
    }
    let asked: Vec<Vec<String>> = [&["g1"][..], &["g2", "g4"], &["g1", "g2", "g3", "g4"], &[]]
        .iter()
        .map(|g| g.iter().map(|s| s.to_string()).collect())
        .collect();
    assert_grid_pulls_match_a_filtered_walk(&s, &asked).await;
    assert_runs_hold_what_they_count(&s).await;
}

/// A database written before `grid_runs` existed gets the runs of its rows from the migration
/// that makes the table, and its grid pulls then serve what they served before.
#[tokio::test]
async fn the_migration_to_runs_finds_the_runs_of_the_rows_already_stored() {
    let Some(url) = scratch::new_database_url().await.unwrap() else {
        return;
    };
    let before_runs = super::MIGRATIONS.len() - 1;
    let setup = url.clone();
    tokio::task::spawn_blocking(move || {
        let mut c = postgres::Client::connect(&setup, postgres::NoTls).unwrap();
        c.batch_execute("CREATE TABLE knock_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
            .unwrap();
        for (i, sql) in super::MIGRATIONS[..before_runs].iter().enumerate() {
            c.batch_execute(sql).unwrap();
            c.execute("INSERT INTO knock_migrations (version) VALUES ($1)", &[&(i as i32 + 1)])
                .unwrap();
        }
        // Rows as an older server left them: grids taking turns, rows of no grid between.
        for i in 0..300i64 {
            let grid = (i % 5 != 4).then(|| ["g1", "g2"][(i / 3 % 2) as usize]);
            c.execute(
                "INSERT INTO fields (entity, id, field, value, hlc, seq, grid_id) \
                 VALUES ('e', $1, 'a', '1', 'h', $2, $3)",
                &[&format!("r{i}"), &(i + 1), &grid],
            )
            .unwrap();
        }
    })
    .await
    .unwrap();
    let s = PgStorage::connect(&url, 2).await.unwrap();
    let asked: Vec<Vec<String>> = vec![vec!["g1".into()], vec!["g2".into()], vec![]];
    assert_grid_pulls_match_a_filtered_walk(&s, &asked).await;
    assert_runs_hold_what_they_count(&s).await;
}

/// Restored rows must come after every row restored before them: their runs are only right so.
#[tokio::test]
async fn rows_restored_out_of_seq_order_are_refused() {
    use crate::storage::{FieldRow, Restore};
    let Some(s) = storage().await else { return };
    let part = |seq: i64| {
        Restore::Rows(vec![FieldRow {
            change: row(&format!("r{seq}"), "a", seq as u64),
            grid_id: Some("g1".into()),
            seq,
        }])
    };
    s.restore(part(5)).await.unwrap();
    assert!(s.restore(part(3)).await.is_err());
    s.restore(part(6)).await.unwrap();
    let got: Vec<i64> = s
        .rows_after(0, 10, Some(vec!["g1".into()]))
        .await
        .unwrap()
        .iter()
        .map(|r| r.seq)
        .collect();
    assert_eq!(got, [5, 6]);
    assert_runs_hold_what_they_count(&s).await;
}

/// A page of a grid walks the seq index within each run, however the planner judges the table:
/// joined to a scan of the whole table instead, a page of a run took 70 ms (issue 13). On the
/// pool's own connection, with its settings (generic plans, random_page_cost), and with
/// statistics of a table of many grids.
#[tokio::test]
async fn a_grid_page_walks_the_seq_index_within_its_runs() {
    let Some(s) = storage().await else { return };
    let plan: Vec<String> = s
        .pool
        .run(|c| {
            // As a district's table: half a million values, records of ten fields, fifty grids
            // taking turns a thousand rows at a time. (Inserted by SQL: through write
            // transactions it would take a minute of the tests.)
            c.client.batch_execute(
                "INSERT INTO fields (entity, id, field, value, hlc, seq, grid_id) \
                 SELECT 'e', 'r' || (i / 10), 'f' || (i % 10), '1', 'h', i, 'g' || (i / 1000 % 50) \
                 FROM generate_series(1, 500000) AS i; \
                 ANALYZE fields",
            )?;
            // Prepared, as the pool's connections run it (their generic plans).
            c.client.batch_execute(&format!(
                "PREPARE grid_page(text[], int8[], int8[], int8, int8, int8) AS {}",
                super::runs::rows_sql()
            ))?;
            let plan = c.client.query(
                "EXPLAIN EXECUTE grid_page('{g1,g1}', '{1001,51001}', '{2000,52000}', 0, 60000, 5000)",
                &[],
            )?;
            c.client.batch_execute("DEALLOCATE grid_page")?;
            Ok(plan.iter().map(|r| r.get(0)).collect())
        })
        .await
        .unwrap();
    let plan = plan.join("\n");
    // Bounded by each run, not a walk of the whole index with the runs as a join filter.
    assert!(
        plan.contains("Index Cond: ((seq >= r.lo) AND (seq <= r.hi))"),
        "{plan}"
    );
    assert!(!plan.contains("Seq Scan on fields"), "{plan}");
}
