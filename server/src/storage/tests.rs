//! The storage contract, tested on the backend of the run (`scratch`: SQLite, or PostgreSQL with
//! `KNOCK_TEST_POSTGRES`): what every implementation must do the same way.

use model::wire::Change;
use model::Role;
use serde_json::json;

use super::scratch::fresh_in;
use super::{NewUser, Storage, UserRecord, UserUpdate};

/// More grids than either backend merges one index walk each for (200), so the other plan runs.
const MORE_GRIDS_THAN_ARMS: usize = 205;

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
    let dir = tempfile::tempdir().unwrap();
    let storage = fresh_in(dir.path()).await.unwrap();
    let s = storage.as_ref();
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
    assert!(all.windows(2).all(|w| w[0].seq < w[1].seq));
    let many: Vec<String> = (0..MORE_GRIDS_THAN_ARMS).map(|i| format!("g{i}")).collect();
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

#[tokio::test]
async fn a_refused_transaction_writes_nothing_and_rows_are_read_back_by_value() {
    let dir = tempfile::tempdir().unwrap();
    let storage = fresh_in(dir.path()).await.unwrap();
    let s = storage.as_ref();
    s.transact(crate::storage::Work::new(|tx| {
        assert!(tx.insert(&row("x", "a", 1), None)?);
        Ok(false)
    }))
    .await
    .unwrap();
    assert_eq!(s.max_seq().await.unwrap(), 0, "rolled back");
    s.transact(crate::storage::Work::new(|tx| {
        assert!(tx.insert(&row("x", "a", 1), Some("g"))?);
        assert!(tx.insert(&row("x", "b", 2), None)?);
        assert!(tx.insert(&row("y", "a", 1), None)?);
        assert!(!tx.insert(&row("y", "a", 3), None)?, "the field exists");
        assert_eq!(tx.stamp("e", "y", "a")?, Some(row("y", "a", 1).hlc));
        tx.replace(&row("y", "a", 3), None)?;
        assert_eq!(tx.field("e", "y", "a")?, Some(json!(3)));
        tx.refile("e", "x", &["b".into(), "a".into()], Some("h"))?;
        Ok(true)
    }))
    .await
    .unwrap();
    let order: Vec<(String, String, Option<String>)> = s
        .rows_after(0, 10, None)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.change.id, r.change.field, r.grid_id))
        .collect();
    let h = Some("h".to_string());
    assert_eq!(
        order,
        [
            ("y".into(), "a".into(), None),
            ("x".into(), "b".into(), h.clone()),
            ("x".into(), "a".into(), h)
        ]
    );
    assert_eq!(
        s.ids_where("e", "a", &json!(1)).await.unwrap(),
        ["x"],
        "y's a is 3 now"
    );
    let only_b = s.values("e", None, &["b"]).await.unwrap();
    assert_eq!(only_b.len(), 1);
    assert_eq!(only_b["x"]["b"], json!(2));
    let both = s
        .values("e", Some(vec!["y".into(), "z".into()]), &["a", "b"])
        .await
        .unwrap();
    assert_eq!(both.keys().collect::<Vec<_>>(), ["y"]);
    assert_eq!(both["y"]["a"], json!(3));
}

/// The owner of a token, as every request reads it.
async fn owner(s: &dyn Storage, token_hash: &str) -> Option<super::TokenOwner> {
    s.token_owner_named_by(token_hash, crate::cover::COVER_DAYS)
        .await
        .unwrap()
        .map(|(owner, _)| owner)
}

async fn user(s: &dyn Storage, username: &str, role: Role, grids: &[&str]) -> UserRecord {
    s.create_user(NewUser {
        username: username.into(),
        name: username.into(),
        role,
        grids: grids.iter().map(|g| g.to_string()).collect(),
        password_hash: "h0".into(),
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn users_are_listed_by_user_name_and_updated_in_part() {
    let dir = tempfile::tempdir().unwrap();
    let storage = fresh_in(dir.path()).await.unwrap();
    let s = storage.as_ref();
    user(s, "wang", Role::GridWorker, &["g1"]).await;
    let li = user(s, "li", Role::Supervisor, &["g1", "g2"]).await;
    let names: Vec<String> = s
        .list_users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["li", "wang"]);

    let renamed = s
        .update_user(
            &li.id,
            UserUpdate {
                name: Some("李强".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(renamed.name, "李强");
    assert_eq!(renamed.grids, ["g1", "g2"]);
    assert_eq!(
        renamed.scope_version, li.scope_version,
        "a name is not scope"
    );
    let same = s
        .update_user(
            &li.id,
            UserUpdate {
                grids: Some(vec!["g2".into(), "g1".into()]),
                role: Some(Role::Supervisor),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        same.scope_version, li.scope_version,
        "the same grids and role are no change"
    );
    assert!(s
        .update_user("nobody", UserUpdate::default())
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn new_role_or_grids_bump_the_scope_and_disabling_or_a_new_password_revoke_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let storage = fresh_in(dir.path()).await.unwrap();
    let s = storage.as_ref();
    let wang = user(s, "wang", Role::GridWorker, &["g1"]).await;
    let other = user(s, "zhao", Role::GridWorker, &["g1"]).await;
    s.store_token("other", &other.id, "d", 0).await.unwrap();

    let moved = s
        .update_user(
            &wang.id,
            UserUpdate {
                grids: Some(vec!["g2".into()]),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(moved.grids, ["g2"]);
    assert_eq!(moved.scope_version, wang.scope_version + 1);
    let promoted = s
        .update_user(
            &wang.id,
            UserUpdate {
                role: Some(Role::Supervisor),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(promoted.role, Role::Supervisor);
    assert_eq!(promoted.scope_version, wang.scope_version + 2);

    s.store_token("t1", &wang.id, "d1", 0).await.unwrap();
    s.store_token("t2", &wang.id, "d2", 0).await.unwrap();
    assert!(owner(s, "t1").await.is_some());
    s.update_user(
        &wang.id,
        UserUpdate {
            password_hash: Some("h1".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(owner(s, "t1").await.is_none());
    assert!(owner(s, "t2").await.is_none());
    assert_eq!(
        s.user_by_id(&wang.id).await.unwrap().unwrap().password_hash,
        "h1"
    );

    s.store_token("t3", &wang.id, "d1", 0).await.unwrap();
    let off = s
        .update_user(
            &wang.id,
            UserUpdate {
                disabled: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .unwrap();
    assert!(off.disabled);
    assert!(owner(s, "t3").await.is_none());
    // A disabled user's token is refused even if one were stored after disabling.
    s.store_token("t4", &wang.id, "d1", 0).await.unwrap();
    assert!(owner(s, "t4").await.is_none());
    s.update_user(
        &wang.id,
        UserUpdate {
            disabled: Some(false),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(
        owner(s, "t3").await.is_none(),
        "enabling brings no token back"
    );
    assert!(owner(s, "other").await.is_some(), "other users keep theirs");
}

/// Transactions that queue while another is written are written together (`group.rs`); each is
/// still kept or undone on its own, and none sees what an undone one wrote.
#[tokio::test]
async fn transactions_written_together_are_each_kept_or_undone_alone() {
    use super::StorageError;
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let storage: Arc<dyn Storage> = fresh_in(dir.path()).await.unwrap();
    storage
        .transact(crate::storage::Work::new(|tx| {
            assert!(tx.insert(&row("shared", "x", 1), Some("g"))?);
            Ok(true)
        }))
        .await
        .unwrap();
    // The first holds the writer long enough for the others to queue behind it.
    let (started, running) = std::sync::mpsc::channel();
    let first = tokio::spawn({
        let s = storage.clone();
        async move {
            s.transact(crate::storage::Work::new(move |tx| {
                started.send(()).unwrap();
                std::thread::sleep(std::time::Duration::from_millis(300));
                assert!(tx.insert(&row("first", "a", 2), None)?);
                Ok(true)
            }))
            .await
        }
    });
    tokio::task::spawn_blocking(move || running.recv().unwrap())
        .await
        .unwrap();
    let unchanged = |tx: &mut dyn super::WriteTx| -> super::Result<()> {
        match tx.field("e", "shared", "x")? {
            Some(v) if v == json!(1) => Ok(()),
            seen => Err(StorageError::Corrupt(format!(
                "saw an undone write: {seen:?}"
            ))),
        }
    };
    let works: Vec<(&str, super::WorkFn)> = vec![
        (
            "refuses after writing",
            Box::new(|tx| {
                tx.replace(&row("shared", "x", 9), Some("g"))?;
                assert!(tx.insert(&row("refused", "a", 3), None)?);
                Ok(false)
            }),
        ),
        (
            "kept",
            Box::new(move |tx| {
                unchanged(tx)?;
                assert!(tx.insert(&row("kept", "a", 4), None)?);
                Ok(true)
            }),
        ),
        (
            "fails after writing",
            Box::new(|tx| {
                tx.replace(&row("shared", "x", 8), Some("g"))?;
                assert!(tx.insert(&row("failed", "a", 5), None)?);
                Err(StorageError::Conflict("this batch fails".into()))
            }),
        ),
        (
            "kept too",
            Box::new(move |tx| {
                unchanged(tx)?;
                assert!(tx.field("e", "refused", "a")?.is_none());
                assert!(tx.field("e", "failed", "a")?.is_none());
                assert!(tx.insert(&row("kept-too", "a", 6), None)?);
                Ok(true)
            }),
        ),
    ];
    let queued: Vec<_> = works
        .into_iter()
        .map(|(name, work)| {
            let s = storage.clone();
            // Each names every record the group touches, so that a backend reading a group's
            // records before its first work (PostgreSQL) holds them all from the start, and
            // must still show no work what an undone one wrote.
            let reads = ["shared", "refused", "failed", "kept", "kept-too"]
                .map(|id| ("e".to_owned(), id.to_owned()))
                .to_vec();
            let work = super::Work { reads, run: work };
            tokio::spawn(async move { (name, s.transact(work).await) })
        })
        .collect();
    first.await.unwrap().unwrap();
    for outcome in queued {
        let (name, outcome) = outcome.await.unwrap();
        match name {
            "fails after writing" => assert!(
                matches!(outcome, Err(StorageError::Conflict(ref m)) if m == "this batch fails"),
                "{outcome:?}"
            ),
            _ => assert!(outcome.is_ok(), "{name}: {outcome:?}"),
        }
    }
    let rows = storage.rows_after(0, 100, None).await.unwrap();
    let ids: Vec<&str> = rows.iter().map(|r| r.change.id.as_str()).collect();
    assert_eq!(ids.len(), 4, "{ids:?}");
    for id in ["shared", "first", "kept", "kept-too"] {
        assert!(ids.contains(&id), "{id} is stored: {ids:?}");
    }
    assert_eq!(rows[0].change.value, json!(1), "the shared field as it was");
    assert!(rows.windows(2).all(|w| w[0].seq < w[1].seq));
}

fn logged(id: &str, at_ms: i64, value: u64) -> super::Logged {
    super::Logged {
        entity: "e".into(),
        id: id.into(),
        user_id: "u1".into(),
        device_id: "dev".into(),
        at_ms,
        changes: vec![
            ("a".into(), json!(value), row(id, "a", value).hlc),
            ("b".into(), json!(null), row(id, "b", value).hlc),
        ],
    }
}

/// The history of changes (issue 17) is kept with its transaction: a work undone in a group keeps
/// none of its entries or contests, a kept one all; read back newest first, contests filtered by
/// grid with the stamp their field holds now, and forgotten by age.
#[tokio::test]
async fn history_is_kept_or_undone_with_its_work_and_forgotten_by_age() {
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let storage: Arc<dyn Storage> = fresh_in(dir.path()).await.unwrap();
    let contest = |id: &str, grid: &str, at_ms: i64| super::Contest {
        entity: "e".into(),
        id: id.into(),
        field: "a".into(),
        grid_id: Some(grid.into()),
        at_ms,
        held: (json!("甲"), row(id, "a", 1).hlc),
        arrived: (json!({"x": [1, 2]}), row(id, "a", 2).hlc),
    };
    storage
        .transact(crate::storage::Work::new(move |tx| {
            assert!(tx.insert(&row("r1", "a", 2), Some("g1"))?);
            tx.log(vec![logged("r1", 1_000, 1), logged("r2", 1_000, 1)])?;
            tx.flag(contest("r1", "g1", 1_000))?;
            Ok(true)
        }))
        .await
        .unwrap();
    // Queued behind a slow one, so that both are written in one group.
    let (started, running) = std::sync::mpsc::channel();
    let slow = tokio::spawn({
        let s = storage.clone();
        async move {
            s.transact(crate::storage::Work::new(move |tx| {
                started.send(()).unwrap();
                std::thread::sleep(std::time::Duration::from_millis(300));
                tx.log(vec![logged("r1", 3_000, 3)])?;
                Ok(true)
            }))
            .await
        }
    });
    tokio::task::spawn_blocking(move || running.recv().unwrap())
        .await
        .unwrap();
    let refused = tokio::spawn({
        let s = storage.clone();
        async move {
            s.transact(crate::storage::Work::new(move |tx| {
                tx.log(vec![logged("r1", 4_000, 4)])?;
                tx.flag(contest("r3", "g1", 4_000))?;
                Ok(false)
            }))
            .await
        }
    });
    let kept = tokio::spawn({
        let s = storage.clone();
        async move {
            s.transact(crate::storage::Work::new(move |tx| {
                tx.log(vec![logged("r1", 5_000, 5)])?;
                tx.flag(contest("r4", "g2", 5_000))?;
                Ok(true)
            }))
            .await
        }
    });
    slow.await.unwrap().unwrap();
    refused.await.unwrap().unwrap();
    kept.await.unwrap().unwrap();

    let h = storage.history_of("e", "r1", 100, 100).await.unwrap();
    let at: Vec<i64> = h.iter().map(|e| e.at_ms).collect();
    assert_eq!(
        at,
        vec![5_000, 3_000, 1_000],
        "newest first, the refused one absent"
    );
    assert_eq!(
        h[2],
        logged("r1", 1_000, 1),
        "kept as written, null included"
    );
    assert_eq!(
        storage.history_of("e", "r1", 2, 100).await.unwrap().len(),
        2
    );
    // Two changes an entry: the newest whole entries until the one that reaches the count.
    let newest = |n| {
        let s = storage.clone();
        async move { s.history_of("e", "r1", 100, n).await.unwrap().len() }
    };
    assert_eq!(
        (
            newest(1).await,
            newest(2).await,
            newest(3).await,
            newest(5).await
        ),
        (1, 1, 2, 3)
    );
    assert!(storage
        .history_of("e", "nobody", 10, 10)
        .await
        .unwrap()
        .is_empty());

    let all = storage.contests_since(0, None, 10).await.unwrap();
    let ids: Vec<&str> = all.iter().map(|c| c.contest.id.as_str()).collect();
    assert_eq!(
        ids,
        vec!["r4", "r1"],
        "newest first, the refused one absent"
    );
    assert_eq!(all[1].contest, contest("r1", "g1", 1_000));
    assert_eq!(
        all[1].current_hlc.as_deref(),
        Some(row("r1", "a", 2).hlc.as_str())
    );
    assert_eq!(all[0].current_hlc, None, "r4 has no stored field");
    let g1 = storage
        .contests_since(0, Some(vec!["g1".into(), "g9".into()]), 10)
        .await
        .unwrap();
    assert_eq!(g1.len(), 1);
    assert!(storage
        .contests_since(0, Some(vec![]), 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        storage.contests_since(2_000, None, 10).await.unwrap().len(),
        1
    );

    let rows = storage.record_rows("e", "r1").await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].grid_id.as_deref(), Some("g1"));

    // Entries r1@1000 and r2@1000, and the contest of r1, are past a retention ending at 2000.
    assert_eq!(storage.forget_history_before(2_000).await.unwrap(), 3);
    assert_eq!(
        storage.history_of("e", "r1", 100, 100).await.unwrap().len(),
        2
    );
    assert!(storage
        .history_of("e", "r2", 100, 100)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(storage.contests_since(0, None, 10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn records_are_found_by_any_reference_also_one_the_index_leaves_out() {
    let dir = tempfile::tempdir().unwrap();
    let storage = fresh_in(dir.path()).await.unwrap();
    let s = storage.as_ref();
    let mut batch = Vec::new();
    for (n, (id, grid, household)) in [("r1", "g1", "h1"), ("r2", "g2", "h1"), ("r3", "g1", "h2")]
        .into_iter()
        .enumerate()
    {
        let n = n as u64 * 2;
        let mut grid_id = row(id, model::schema::GRID_ID, n);
        grid_id.value = json!(grid);
        let mut household_id = row(id, "household_id", n + 1);
        household_id.value = json!(household);
        batch.push((grid_id, grid));
        batch.push((household_id, grid));
    }
    s.transact(crate::storage::Work::new(move |tx| {
        for (c, grid) in &batch {
            assert!(tx.insert(c, Some(grid))?);
        }
        Ok(true)
    }))
    .await
    .unwrap();
    let by = |field: &'static str, value: &'static str| async move {
        s.ids_where("e", field, &json!(value)).await.unwrap()
    };
    // `grid_id` is not in the reference index (it would cost every new record a write at a
    // random place of it); looked up, it is found all the same.
    assert!(!super::in_reference_index(model::schema::GRID_ID));
    assert_eq!(by(model::schema::GRID_ID, "g1").await, ["r1", "r3"]);
    assert!(super::in_reference_index("household_id"));
    assert_eq!(by("household_id", "h1").await, ["r1", "r2"]);
    assert_eq!(
        s.ids_where_any("e", model::schema::GRID_ID, vec!["g2".into(), "g1".into()])
            .await
            .unwrap(),
        ["r1", "r2", "r3"]
    );
    assert_eq!(
        s.ids_where_any("e", "household_id", vec!["h2".into()])
            .await
            .unwrap(),
        ["r3"]
    );
}

/// A request's token is read with the records that name its owner (a grid worker's cover days),
/// in one visit: the same answer as reading the token and then the records.
#[tokio::test]
async fn a_token_is_read_with_the_records_that_name_its_owner() {
    use super::NamedBy;

    let dir = tempfile::tempdir().unwrap();
    let storage = fresh_in(dir.path()).await.unwrap();
    let s = storage.as_ref();
    let wang = user(s, "wang", Role::GridWorker, &["g1"]).await;
    let zhao = user(s, "zhao", Role::Supervisor, &["g1"]).await;
    let (wang_id, zhao_id) = (wang.id.clone(), zhao.id.clone());
    s.transact(crate::storage::Work::new(move |tx| {
        for (n, (id, named)) in [("d1", &wang_id), ("d2", &zhao_id), ("d3", &wang_id)]
            .into_iter()
            .enumerate()
        {
            let mut c = row(id, "cover_id", n as u64);
            c.value = json!(named);
            assert!(tx.insert(&c, Some("g1"))?);
        }
        Ok(true)
    }))
    .await
    .unwrap();
    s.store_token("tw", &wang.id, "dw", 0).await.unwrap();
    s.store_token("tz", &zhao.id, "dz", 0).await.unwrap();
    let named = NamedBy {
        role: Role::GridWorker,
        entity: "e",
        field: "cover_id",
    };

    let (owner, ids) = s.token_owner_named_by("tw", named).await.unwrap().unwrap();
    assert_eq!(
        (owner.user.id.as_str(), owner.device_id.as_str()),
        (wang.id.as_str(), "dw")
    );
    assert_eq!(ids, ["d1", "d3"]);
    assert_eq!(
        ids,
        s.ids_where("e", "cover_id", &json!(wang.id)).await.unwrap()
    );
    // Of another role: the token alone, though a record names them.
    let (owner, ids) = s.token_owner_named_by("tz", named).await.unwrap().unwrap();
    assert_eq!(owner.user.id, zhao.id);
    assert!(ids.is_empty());
    assert!(s
        .token_owner_named_by("nobody", named)
        .await
        .unwrap()
        .is_none());
    // A disabled owner's token is no token.
    s.update_user(
        &wang.id,
        UserUpdate {
            disabled: Some(true),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(s.token_owner_named_by("tw", named).await.unwrap().is_none());
}
