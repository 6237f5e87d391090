//! Tests of how SQLite answers the lookups that must not read every row: their query plans
//! (`EXPLAIN QUERY PLAN`), which say whether an index is used whatever the machine's speed, and
//! that a volunteer's indexed pull returns what a filtered walk of everything would.

use serde_json::json;

use super::fields::{self, rows_after_of};
use super::SqliteStorage;
use crate::storage::Storage;
use model::wire::Change;

/// The plan's lines for `sql` run with `args`.
fn query_plan(s: &SqliteStorage, sql: &str, args: Vec<rusqlite::types::Value>) -> Vec<String> {
    let c = s.conn.lock().unwrap();
    let mut stmt = c.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3))
        .unwrap();
    rows.map(Result::unwrap).collect()
}

/// Asserts that a lookup of `entity` records by the value of `field` walks `fields_by_reference`.
fn assert_walks_the_reference_index(s: &SqliteStorage, entity: &str, field: &str) {
    let args = [entity, field, "\"x\""]
        .map(|a| a.to_owned().into())
        .to_vec();
    let plan = query_plan(s, super::fields::IDS_OF_REFERENCE, args);
    assert!(
        plan.iter().any(|l| l.contains("INDEX fields_by_reference")),
        "{plan:?}"
    );
}

/// Every read of `fields` (or its alias `f`) in the plan is a search by a grid or by a record's
/// key, never a scan nor a range of seqs, which would pass every other grid's rows.
fn reads_by_grid_or_key(plan: &[String]) -> bool {
    plan.iter()
        .filter(|l| {
            ["SCAN fields", "SCAN f ", "SEARCH fields", "SEARCH f "]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .all(|l| {
            l.contains("fields_by_grid (grid_id=? AND seq>?)")
                || l.contains("PRIMARY KEY (entity=? AND id=?)")
        })
}

fn change(entity: &str, id: &str, field: &str, value: serde_json::Value, n: u64) -> Change {
    Change {
        entity: entity.into(),
        id: id.into(),
        field: field.into(),
        value,
        hlc: format!("{:013}-0000-dev", 1_764_331_200_000 + n),
    }
}

/// 40 deliveries of 4 volunteers over 4 grids, their recipients, and rows of no grid.
async fn community() -> (tempfile::TempDir, SqliteStorage) {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStorage::open_dir(dir.path()).unwrap();
    let mut batch = Vec::new();
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };
    for i in 0..40 {
        let grid = format!("g{}", i % 4);
        let (d, r) = (format!("d{i}"), format!("r{i}"));
        batch.push((
            change("resident", &r, "name", json!("x"), next()),
            Some(grid.clone()),
        ));
        batch.push((
            change("visit", &format!("v{i}"), "notes", json!("y"), next()),
            Some(grid.clone()),
        ));
        batch.push((
            change(
                "pack_delivery",
                &d,
                "volunteer_id",
                json!(format!("u{}", i % 4)),
                next(),
            ),
            Some(grid.clone()),
        ));
        batch.push((
            change("pack_delivery", &d, "resident_id", json!(r), next()),
            Some(grid.clone()),
        ));
        batch.push((
            change("resident", &r, "phone", json!("1"), next()),
            Some(grid),
        ));
        batch.push((
            change("supply_item", &format!("s{i}"), "name", json!("z"), next()),
            None,
        ));
    }
    s.transact(crate::storage::Work::new(move |tx| {
        for (c, grid) in &batch {
            assert!(tx.insert(c, grid.as_deref())?);
        }
        Ok(true)
    }))
    .await
    .unwrap();
    (dir, s)
}

#[tokio::test]
async fn a_volunteers_deliveries_are_found_through_the_reference_index() {
    let (_dir, s) = community().await;
    assert_walks_the_reference_index(&s, "pack_delivery", "volunteer_id");
    assert_eq!(
        s.ids_where("pack_delivery", "volunteer_id", &json!("u1"))
            .await
            .unwrap(),
        ["d1", "d13", "d17", "d21", "d25", "d29", "d33", "d37", "d5", "d9"]
    );
    // Other fields are not indexed, and still found.
    assert_eq!(
        s.ids_where("resident", "name", &json!("x"))
            .await
            .unwrap()
            .len(),
        40
    );
}

#[tokio::test]
async fn a_grid_id_is_kept_out_of_the_reference_index() {
    let (_dir, s) = community().await;
    {
        let c = s.conn.lock().unwrap();
        c.execute(
            "INSERT INTO fields (entity, id, field, value, hlc, seq, grid_id) VALUES ('resident', 'r0', 'grid_id', '\"g0\"', 'h', 1000000, 'g0')",
            [],
        )
        .unwrap();
        // The index as the migrations left it (a database made before them gets it rebuilt).
        let sql: String = c
            .query_row(
                "SELECT sql FROM sqlite_master WHERE name = 'fields_by_reference'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(
            sql.ends_with("WHERE substr(field, -3) = '_id' AND field <> 'grid_id'"),
            "{sql}"
        );
    }
    assert_walks_the_reference_index(&s, "resident", "household_id");
    assert_eq!(
        s.ids_where("resident", "grid_id", &json!("g0"))
            .await
            .unwrap(),
        ["r0"]
    );
}

#[tokio::test]
async fn a_volunteers_pull_reads_their_records_by_key_and_returns_what_a_walk_would() {
    let (_dir, s) = community().await;
    let mine: Vec<(String, String)> = ["d1", "d5"]
        .iter()
        .map(|d| ("pack_delivery".to_owned(), d.to_string()))
        .chain(
            ["r1", "r5"]
                .iter()
                .map(|r| ("resident".to_owned(), r.to_string())),
        )
        .collect();
    let (sql, args) = fields::rows_of_sql(0, 100, &mine);
    let plan = query_plan(&s, &sql, args);
    assert!(reads_by_grid_or_key(&plan), "{plan:?}");
    // What it replaces: the walk of every row since the cursor.
    let walk = query_plan(
        &s,
        "SELECT entity FROM fields INDEXED BY fields_by_seq WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        vec![0i64.into(), 100i64.into()],
    );
    assert!(!reads_by_grid_or_key(&walk), "{walk:?}");
    assert!(
        plan.iter().any(|l| l.contains("fields_by_grid")),
        "{plan:?}"
    );
    assert!(plan.iter().any(|l| l.contains("PRIMARY KEY")), "{plan:?}");

    let all = s.rows_after(0, 100_000, None).await.unwrap();
    let mut c = s.conn.lock().unwrap();
    for named in [vec![], mine.clone(), [mine.clone(), mine.clone()].concat()] {
        for after in [0, 1, 57, all[all.len() / 2].seq, all.last().unwrap().seq] {
            for limit in [1, 7, 500] {
                let want: Vec<i64> = all
                    .iter()
                    .filter(|r| r.seq > after)
                    .filter(|r| {
                        r.grid_id.is_none()
                            || named.contains(&(r.change.entity.clone(), r.change.id.clone()))
                    })
                    .take(limit)
                    .map(|r| r.seq)
                    .collect();
                let got: Vec<i64> = rows_after_of(&mut c, after, limit, named.clone())
                    .unwrap()
                    .iter()
                    .map(|r| r.seq)
                    .collect();
                assert_eq!(
                    got,
                    want,
                    "{} named, after {after}, limit {limit}",
                    named.len()
                );
            }
        }
    }
}
