//! Backup, restore and moving a community between databases, on real files: users log in on the
//! copy with the same passwords, a device's pull cursor from before carries on there, a full pull
//! returns the same rows, and a non-empty target or a cut-short dump is refused without writing.
//!
//! The database written into comes from [`fresh_target`]: point it at an empty PostgreSQL
//! database to run every test here against PostgreSQL.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::fixture::{Fixture, PASSWORD};
use common::{change, serve_storage, stamp, TestServer};
use model::entities::{household, resident};
use model::Role;
use serde_json::{json, Value};
use server::backup::{self, Tally};
use server::storage::{open_location, Contest, Logged, Storage};
use server::Config;

/// Where a restore or a move writes: a database that is empty, and opened anew each time it is
/// asked for (as a new server process would).
struct Target {
    location: String,
    _dir: tempfile::TempDir,
}

/// An empty SQLite database in a fresh directory (created on first open).
async fn fresh_target() -> Target {
    let dir = tempfile::tempdir().unwrap();
    let location = match server::storage::scratch::new_database_url().await.unwrap() {
        Some(url) => url,
        None => dir.path().join("target").display().to_string(),
    };
    Target {
        location,
        _dir: dir,
    }
}

impl Target {
    async fn open(&self) -> Arc<dyn Storage> {
        open_location(&self.location).await.unwrap()
    }

    /// The server configuration whose database this is.
    fn config(&self) -> Config {
        config_of(&self.location)
    }
}

fn config_of(location: &str) -> Config {
    let var = match location.starts_with("postgres") {
        true => "KNOCK_DATABASE_URL",
        false => "KNOCK_DATA_DIR",
    };
    Config::from_lookup(|k| (k == var).then(|| location.to_owned())).unwrap()
}

/// Runs `server <command> <args>` on `config`'s database; its output, or why it failed.
async fn cli(command: &str, args: &[&str], config: &Config) -> Result<String, String> {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let mut out = Vec::new();
    let result = server::cli_backup::run(command, &args, config, &mut out).await;
    let out = String::from_utf8(out).unwrap();
    result.map(|()| out).map_err(|e| format!("{e:#}"))
}

/// A community served from SQLite, and what one grid worker's phone holds of it.
struct Community {
    server: TestServer,
    /// The phone's token and the cursor of its last pull, made before the last changes.
    token: String,
    cursor: String,
}

const PHONE: &str = "phone-wangfang";

/// Two grids, an admin, a worker and a supervisor (disabled, and moved to one grid, so their
/// scope version is not 0), households, residents, visits and needs; then the worker's phone
/// pulls everything, and afterwards the admin edits a resident and moves another household to
/// the other grid (departure rows for the worker's grid).
async fn community() -> Community {
    let mut f = Fixture::new().await;
    let east = f.grid("东区第一网格");
    let west = f.grid("西区网格");
    f.user(Role::Admin, "admin", "管理员", &[]).await;
    let wang = f
        .user(
            Role::GridWorker,
            "wangfang",
            "王芳",
            std::slice::from_ref(&east),
        )
        .await;
    f.user(
        Role::Supervisor,
        "zhaomin",
        "赵敏",
        &[east.clone(), west.clone()],
    )
    .await;
    let mut residents = Vec::new();
    let mut homes = Vec::new();
    for (g, grid) in [&east, &west].into_iter().enumerate() {
        for h in 0..3 {
            let home = f.household(grid, &format!("{} 号楼 {}01", g + 1, h + 1));
            let r = f.resident(
                &home,
                &format!("张{g}{h}"),
                &[(resident::field::BIRTH_DATE, json!("1945-06-01"))],
            );
            f.visit(&r, &wang, server::now_ms() - 86_400_000);
            f.need(&r, "open");
            residents.push(r);
            homes.push(home);
        }
    }
    let server = f.start().await;
    let admin_db = server::storage::scratch::reopen(&server.data_dir)
        .await
        .unwrap();
    let mut out = Vec::new();
    for args in [
        &["set", "zhaomin", "--grids", west.as_str()][..],
        &["disable", "zhaomin"][..],
    ] {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        server::cli::run(&args, admin_db.as_ref(), &mut out)
            .await
            .unwrap();
    }

    let token = server.token("wangfang", PHONE).await;
    let (_, cursor) = server.pull_all(&token, None, 7).await;
    let admin = server.token("admin", "admin-laptop").await;
    let now = server::now_ms();
    let (status, body) = server
        .push(
            &admin,
            "admin-laptop",
            vec![
                change(
                    resident::NAME,
                    &residents[0],
                    resident::field::NAME,
                    json!("张秀英"),
                    &stamp(now, 0, "admin-laptop"),
                ),
                change(
                    household::NAME,
                    &homes[1],
                    household::field::GRID_ID,
                    json!(west),
                    &stamp(now, 1, "admin-laptop"),
                ),
                change(
                    resident::NAME,
                    &residents[1],
                    resident::field::GRID_ID,
                    json!(west),
                    &stamp(now, 2, "admin-laptop"),
                ),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // Wang's phone had the name otherwise a moment before, sent after: it loses, and the history
    // keeps both and the contest between them, which a copy must carry too.
    let (status, body) = server
        .push(
            &token,
            PHONE,
            vec![change(
                resident::NAME,
                &residents[0],
                resident::field::NAME,
                json!("张秀兰"),
                &stamp(now - 1, 0, PHONE),
            )],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (entries, contests) = history(admin_db.as_ref()).await;
    assert!(
        entries.len() >= 4 && !contests.is_empty(),
        "a history to carry: {entries:?} {contests:?}"
    );
    Community {
        server,
        token,
        cursor,
    }
}

impl Community {
    /// The server's database: its PostgreSQL URL when the tests run there, else its folder.
    fn location(&self) -> String {
        let dir = &self.server.data_dir;
        server::storage::scratch::env_for(dir)
            .into_iter()
            .map(|(_, url)| url)
            .next()
            .unwrap_or_else(|| dir.display().to_string())
    }

    async fn storage(&self) -> Arc<dyn Storage> {
        open_location(&self.location()).await.unwrap()
    }
}

/// One pull page of everything after `cursor`, without the server's clock.
async fn page(s: &TestServer, token: &str, cursor: &str) -> (u16, Value) {
    let (status, mut page) = s
        .pull_page(token, &format!("?cursor={cursor}&limit=5000"))
        .await;
    if let Some(p) = page.as_object_mut() {
        p.remove("server_time_ms");
    }
    (status, page)
}

/// A database's history of changes, in an order both backends agree on.
async fn history(s: &dyn Storage) -> (Vec<Logged>, Vec<Contest>) {
    let mut entries = s.history_between(i64::MIN, i64::MAX).await.unwrap();
    entries.sort_by_key(|e| {
        (
            e.at_ms,
            e.entity.clone(),
            e.id.clone(),
            format!("{:?}", e.changes),
        )
    });
    let mut contests: Vec<Contest> = s
        .contests_since(i64::MIN, None, 1_000)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.contest)
        .collect();
    contests.sort_by_key(|k| (k.at_ms, k.id.clone(), k.field.clone()));
    (entries, contests)
}

/// What a copy must keep: the same users and meta, and the same rows by every measure.
async fn assert_same_database(from: &dyn Storage, to: &dyn Storage, tokens: bool) {
    assert_eq!(
        to.dump_users().await.unwrap(),
        from.dump_users().await.unwrap()
    );
    assert_eq!(
        to.dump_meta().await.unwrap(),
        from.dump_meta().await.unwrap()
    );
    let tokens_there = to.dump_tokens().await.unwrap();
    match tokens {
        true => assert_eq!(tokens_there, from.dump_tokens().await.unwrap()),
        false => assert!(tokens_there.is_empty()),
    }
    assert_eq!(
        history(to).await,
        history(from).await,
        "the history of changes, carried whole"
    );
    let mut expected: Tally = backup::tally(from).await.unwrap();
    if !tokens {
        expected.counts.tokens = 0;
    }
    assert_eq!(backup::tally(to).await.unwrap(), expected);
}

/// The restored or moved database served: the worker's cursor from before carries on there,
/// with `token` (the phone's, when tokens were copied) or after logging in again.
async fn assert_devices_carry_on(before: &Community, after: &TestServer, token: &str) {
    let wang_before = page(&before.server, &before.token, &before.cursor).await;
    let wang_after = page(after, token, &before.cursor).await;
    assert_eq!(wang_after.0, 200, "{}", wang_after.1);
    assert_eq!(wang_after, wang_before, "the same page, cursor included");
    let changes = wang_after.1["changes"].as_array().unwrap();
    assert!(
        changes.iter().any(|c| c["value"] == "张秀英"),
        "the edit made after the cursor: {changes:?}"
    );
    assert_eq!(
        wang_after.1["dropped"].as_array().unwrap().len(),
        2,
        "the household and its resident moved away"
    );
    assert_eq!(after.state().await, before.server.state().await);
    assert_eq!(
        after.pull_all(token, None, 500).await.0,
        before.server.pull_all(&before.token, None, 500).await.0,
        "a fresh pull of the worker returns the same rows"
    );
    let (status, _) = after.pull_page(token, "?limit=1").await;
    assert_eq!(status, 200);
    let r = after.login("zhaomin", PASSWORD, "zhao-phone").await;
    assert_eq!(r.status(), 401, "still disabled");

    // Writing goes on after the copied seqs: the phone's next pull finds the new value.
    let now = server::now_ms();
    let (_, last) = after
        .pull_all(token, Some(before.cursor.clone()), 500)
        .await;
    let resident = changes.iter().find(|c| c["value"] == "张秀英").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = after
        .push(
            token,
            PHONE,
            vec![change(
                resident::NAME,
                &resident,
                resident::field::PHONE,
                json!("13912345678"),
                &stamp(now, 0, PHONE),
            )],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (next, _) = after.pull_all(token, Some(last), 500).await;
    assert_eq!(next.len(), 1, "{next:?}");
    assert_eq!(next[0]["value"], "13912345678");
}

fn dump_path(dir: &Path) -> PathBuf {
    dir.join("community.knock")
}

#[tokio::test]
async fn a_backup_restored_into_a_new_database_keeps_logins_cursors_and_rows() {
    let before = community().await;
    let files = tempfile::tempdir().unwrap();
    let file = dump_path(files.path());
    let file_s = file.display().to_string();

    let out = cli("backup", &["--to", &file_s], &config_of(&before.location()))
        .await
        .unwrap();
    assert!(out.contains("3 users"), "{out}");
    assert!(out.contains("every device logs in again"), "{out}");
    let again = cli("backup", &["--to", &file_s], &config_of(&before.location())).await;
    assert!(again.unwrap_err().contains("exists already"));

    let target = fresh_target().await;
    let out = cli("restore", &["--from", &file_s], &target.config())
        .await
        .unwrap();
    assert!(out.contains("restored"), "{out}");
    assert!(out.contains("every device logs in again"), "{out}");
    assert_same_database(
        before.storage().await.as_ref(),
        target.open().await.as_ref(),
        false,
    )
    .await;

    let after = serve_storage(target.open().await, PASSWORD, Some("admin")).await;
    let (status, _) = after.pull_page(&before.token, "").await;
    assert_eq!(status, 401, "tokens were left out of the backup");
    let token = after.token("wangfang", PHONE).await;
    assert_devices_carry_on(&before, &after, &token).await;
}

#[tokio::test]
async fn migrate_moves_a_community_with_its_tokens_and_checks_both_sides() {
    let before = community().await;
    let target = fresh_target().await;
    let out = cli(
        "migrate",
        &[
            "--from",
            &before.location(),
            "--to",
            &target.location,
            "--tokens",
        ],
        &config_of(&before.location()),
    )
    .await
    .unwrap();
    assert!(out.contains("moved"), "{out}");
    assert!(out.contains("3 users"), "{out}");
    assert!(out.contains("sha256 are equal"), "{out}");
    assert!(!out.contains("logs in again"), "{out}");
    assert_same_database(
        before.storage().await.as_ref(),
        target.open().await.as_ref(),
        true,
    )
    .await;

    // The phone's token goes on working: nobody logs in again.
    let after = serve_storage(target.open().await, PASSWORD, Some("admin")).await;
    assert_devices_carry_on(&before, &after, &before.token).await;
}

#[tokio::test]
async fn migrate_without_tokens_says_everybody_logs_in_again() {
    let before = community().await;
    let target = fresh_target().await;
    let storage = target.open().await;
    let moved = backup::migrate(
        before.storage().await.as_ref(),
        storage.as_ref(),
        false,
        &mut std::io::sink(),
    )
    .await
    .unwrap();
    assert_eq!(moved.counts.tokens, 0);
    assert_same_database(
        before.storage().await.as_ref(),
        target.open().await.as_ref(),
        false,
    )
    .await;
    let out = cli(
        "migrate",
        &[
            "--from",
            &before.location(),
            "--to",
            &fresh_target().await.location,
        ],
        &config_of(&before.location()),
    )
    .await
    .unwrap();
    assert!(out.contains("every device logs in again"), "{out}");
}

#[tokio::test]
async fn a_target_that_is_not_empty_is_refused_and_left_as_it_was() {
    let before = community().await;
    let files = tempfile::tempdir().unwrap();
    let file = dump_path(files.path());
    backup::backup(
        before.storage().await.as_ref(),
        &file,
        true,
        &mut std::io::sink(),
    )
    .await
    .unwrap();

    let target = fresh_target().await;
    let storage = target.open().await;
    storage
        .create_user(server::storage::NewUser {
            username: "local".into(),
            name: "本地".into(),
            role: Role::Admin,
            grids: Vec::new(),
            password_hash: "h".into(),
        })
        .await
        .unwrap();
    let held = backup::tally(storage.as_ref()).await.unwrap();

    let e = backup::restore(storage.as_ref(), &file, false, &mut std::io::sink())
        .await
        .unwrap_err();
    assert!(format!("{e:#}").contains("not empty"), "{e:#}");
    let e = backup::migrate(
        before.storage().await.as_ref(),
        storage.as_ref(),
        true,
        &mut std::io::sink(),
    )
    .await
    .unwrap_err();
    assert!(format!("{e:#}").contains("nothing was written"), "{e:#}");
    let e = cli(
        "migrate",
        &["--from", &before.location(), "--to", &target.location],
        &config_of(&before.location()),
    )
    .await
    .unwrap_err();
    assert!(e.contains("not empty"), "{e}");
    let e = cli(
        "restore",
        &["--from", &file.display().to_string()],
        &target.config(),
    )
    .await
    .unwrap_err();
    assert!(e.contains("not empty"), "{e}");
    assert_eq!(
        backup::tally(target.open().await.as_ref()).await.unwrap(),
        held
    );

    // Nor is a move into the database it comes from.
    let e = backup::migrate(
        before.storage().await.as_ref(),
        before.storage().await.as_ref(),
        false,
        &mut std::io::sink(),
    )
    .await
    .unwrap_err();
    assert!(format!("{e:#}").contains("not empty"), "{e:#}");
}

#[tokio::test]
async fn a_cut_short_dump_is_refused_and_the_database_left_empty() {
    let before = community().await;
    let files = tempfile::tempdir().unwrap();
    let file = dump_path(files.path());
    let header = backup::backup(
        before.storage().await.as_ref(),
        &file,
        false,
        &mut std::io::sink(),
    )
    .await
    .unwrap();
    assert!(header.counts.rows > 50, "{header:?}");
    let whole = std::fs::read(&file).unwrap();
    let last_line = whole[..whole.len() - 1]
        .iter()
        .rposition(|b| *b == b'\n')
        .unwrap()
        + 1;
    for cut in [whole.len() * 2 / 3, last_line] {
        std::fs::write(&file, &whole[..cut]).unwrap();
        let target = fresh_target().await;
        let storage = target.open().await;
        let e = backup::restore(storage.as_ref(), &file, false, &mut std::io::sink())
            .await
            .unwrap_err();
        assert!(format!("{e:#}").contains("cut short"), "{e:#}");
        assert!(storage.is_empty().await.unwrap());
        assert_eq!(storage.max_seq().await.unwrap(), 0);
        assert_ne!(
            storage.meta("instance_id").await.unwrap(),
            before.storage().await.meta("instance_id").await.unwrap(),
            "not even the meta was written"
        );
    }
}

#[tokio::test]
async fn a_restore_with_a_new_instance_sends_every_device_back_to_the_start() {
    let before = community().await;
    let files = tempfile::tempdir().unwrap();
    let file = dump_path(files.path());
    let file_s = file.display().to_string();
    cli("backup", &["--to", &file_s], &config_of(&before.location()))
        .await
        .unwrap();
    let target = fresh_target().await;
    let out = cli(
        "restore",
        &["--from", &file_s, "--new-instance"],
        &target.config(),
    )
    .await
    .unwrap();
    assert!(out.contains("new instance id"), "{out}");

    let after = serve_storage(target.open().await, PASSWORD, Some("admin")).await;
    let token = after.token("wangfang", PHONE).await;
    let (status, _) = page(&after, &token, &before.cursor).await;
    assert_eq!(status, 410, "a cursor from before is not served");
    assert_eq!(after.state().await, before.server.state().await);
}

/// The move the README describes: the embedded database of a street office that has grown, to
/// the backend of this run (PostgreSQL under `cargo xtask test`'s second run).
#[tokio::test]
async fn the_embedded_database_moves_to_the_backend_of_this_run() {
    let dir = tempfile::tempdir().unwrap();
    let source: Arc<dyn Storage> =
        Arc::new(server::storage::sqlite::SqliteStorage::open_dir(dir.path()).unwrap());
    server::demo::seed(source.as_ref(), server::demo::Size::Small)
        .await
        .unwrap();
    let target = fresh_target().await;
    let from = dir.path().display().to_string();
    let out = cli(
        "migrate",
        &["--from", &from, "--to", &target.location],
        &config_of(&from),
    )
    .await
    .unwrap();
    assert!(out.contains("sha256 are equal"), "{out}");
    assert_same_database(source.as_ref(), target.open().await.as_ref(), false).await;
    let refused = cli(
        "migrate",
        &["--from", &from, "--to", &target.location],
        &config_of(&from),
    )
    .await
    .unwrap_err();
    assert!(refused.contains("not empty"), "{refused}");
}
