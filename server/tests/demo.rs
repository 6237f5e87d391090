//! The demo accounts: the server alone seeds none; seeded, each database has passwords of its
//! own, printed as `demo account: <role> <user name> <password>` at every start, and a printed
//! password logs its user in.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;

use server::storage::scratch;
use server::storage::{Storage, UserUpdate};
use server::{demo, AppState, Config};

/// `(role, user name, password)` of each printed line; panics on a line of another form.
fn parse(lines: &[String]) -> Vec<(String, String, String)> {
    lines
        .iter()
        .map(|l| {
            let rest = l.strip_prefix("demo account: ").expect(l);
            let parts: Vec<&str> = rest.split(' ').collect();
            assert_eq!(parts.len(), 3, "{l}");
            (parts[0].into(), parts[1].into(), parts[2].into())
        })
        .collect()
}

async fn seeded() -> (tempfile::TempDir, Arc<dyn Storage>) {
    let dir = tempfile::tempdir().unwrap();
    let storage = scratch::fresh_in(dir.path()).await.unwrap();
    demo::seed(storage.as_ref(), demo::Size::Small)
        .await
        .unwrap();
    (dir, storage)
}

#[tokio::test]
async fn each_database_gets_its_own_demo_passwords_printed_in_the_stated_form() {
    let (_a, first) = seeded().await;
    let (_b, second) = seeded().await;
    let one = parse(&demo::account_lines(first.as_ref()).await.unwrap());
    let two = parse(&demo::account_lines(second.as_ref()).await.unwrap());

    let expected: Vec<(String, String)> = demo::ACCOUNTS
        .iter()
        .map(|a| (a.role.as_str().to_owned(), a.username.to_owned()))
        .collect();
    for printed in [&one, &two] {
        let who: Vec<(String, String)> = printed
            .iter()
            .map(|(r, u, _)| (r.clone(), u.clone()))
            .collect();
        assert_eq!(who, expected);
        for (_, user, password) in printed.iter() {
            assert!(password.len() >= 12, "{user}: {password}");
            assert_ne!(password, "knock-demo");
            assert_ne!(password, "knock-admin");
        }
    }
    for ((_, user, p1), (_, _, p2)) in one.iter().zip(&two) {
        assert_ne!(p1, p2, "{user} has the same password in two databases");
    }
    // Within one database no two accounts share one either.
    let mut distinct: Vec<&String> = one.iter().map(|(_, _, p)| p).collect();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), one.len());

    // Another start prints the same lines: they are kept in the database.
    let reopened = scratch::reopen(_a.path()).await.unwrap();
    assert_eq!(
        parse(&demo::account_lines(reopened.as_ref()).await.unwrap()),
        one,
        "a restart prints the same passwords"
    );
}

#[tokio::test]
async fn a_printed_password_logs_in_and_the_old_fixed_one_does_not() {
    let (dir, storage) = seeded().await;
    let printed = parse(&demo::account_lines(storage.as_ref()).await.unwrap());
    let config = Config::from_lookup(|k| match k {
        "KNOCK_DATA_DIR" => Some(dir.path().display().to_string()),
        "KNOCK_DIST_DIR" => Some(dir.path().join("dist").display().to_string()),
        _ => None,
    })
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let limits = server::serve::Limits::from(&config);
    let app = server::app(AppState::new(storage.clone(), config));
    tokio::spawn(server::serve::serve(
        listener,
        app,
        limits,
        std::future::pending(),
    ));
    let client = reqwest::Client::new();
    let login = |user: String, password: String| {
        let client = client.clone();
        let url = format!("{base}/api/v1/login");
        async move {
            let r = client
                .post(url)
                .json(&serde_json::json!({"username": user, "password": password, "device_id": "demo-test"}))
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            (status, r.json::<serde_json::Value>().await.unwrap())
        }
    };
    for (role, user, password) in &printed {
        let (status, body) = login(user.clone(), password.clone()).await;
        assert_eq!(status, 200, "{user}: {body}");
        assert_eq!(body["user"]["role"], role.as_str());
    }
    let (status, body) = login("wangfang".into(), "knock-demo".into()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_credentials"))
    );

    // An account given a new password is no longer printed with the old one.
    let wangfang = storage.user_by_username("wangfang").await.unwrap().unwrap();
    storage
        .update_user(
            &wangfang.id,
            UserUpdate {
                password_hash: Some(server::auth::hash_password("changed-by-admin").unwrap()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let now = demo::account_lines(storage.as_ref()).await.unwrap();
    assert_eq!(now.len(), printed.len() - 1);
    assert!(!now.iter().any(|l| l.contains(" wangfang ")));
}

/// The server binary on `dir`, `KNOCK_DEMO` set to `demo` (or unset): stopped once it has
/// answered, with the `demo account:` lines it printed.
fn run_binary(dir: &std::path::Path, demo: Option<&str>) -> Vec<String> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
    match demo {
        Some(v) => command.env("KNOCK_DEMO", v),
        None => command.env_remove("KNOCK_DEMO"),
    };
    let mut child = command
        .env("KNOCK_ADDR", "127.0.0.1:0")
        .env("KNOCK_DATA_DIR", dir)
        .envs(scratch::env_for(dir))
        .env("KNOCK_DIST_DIR", dir.join("dist"))
        .env("KNOCK_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    // The log shares stdout: the banner is the first line of its own form.
    let url = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("Knock is serving at ").map(str::to_owned))
        .expect("the server prints where it serves");
    // Answering means it is past start-up: every line it prints at start is out.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let status = rt.block_on(async {
        reqwest::get(format!("{url}api/v1/health"))
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);
    child.kill().unwrap();
    child.wait().unwrap();
    lines
        .map_while(Result::ok)
        .filter(|l| l.starts_with("demo account:"))
        .collect()
}

#[test]
fn the_server_alone_seeds_no_demo() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    drop(rt.block_on(scratch::fresh_in(dir.path())).unwrap());
    let printed = run_binary(dir.path(), None);
    assert_eq!(printed, Vec::<String>::new());
    let storage = rt.block_on(scratch::reopen(dir.path())).unwrap();
    assert_eq!(rt.block_on(storage.user_count()).unwrap(), 0);
}

#[test]
fn the_server_with_knock_demo_prints_the_same_accounts_at_every_start() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    drop(rt.block_on(scratch::fresh_in(dir.path())).unwrap());
    let first = run_binary(dir.path(), Some("1"));
    let parsed = parse(&first);
    assert_eq!(parsed.len(), demo::ACCOUNTS.len(), "{first:?}");
    let again = run_binary(dir.path(), Some("1"));
    assert_eq!(again, first);
    // Without KNOCK_DEMO the same database is served, its passwords not printed.
    let quiet = run_binary(dir.path(), Some("0"));
    assert_eq!(quiet, Vec::<String>::new());
}

/// Servers sharing one PostgreSQL database may start at the same moment: one seeds the demo,
/// the other finds it seeded, and both print the same accounts.
#[test]
fn two_servers_starting_together_on_one_empty_database_seed_the_demo_once() {
    if !scratch::on_postgres() {
        eprintln!("two servers share a PostgreSQL database only: set KNOCK_TEST_POSTGRES");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    drop(rt.block_on(scratch::fresh_in(dir.path())).unwrap());
    let (one, two) = std::thread::scope(|s| {
        let one = s.spawn(|| run_binary(dir.path(), Some("1")));
        let two = s.spawn(|| run_binary(dir.path(), Some("1")));
        (one.join().unwrap(), two.join().unwrap())
    });
    assert_eq!(parse(&one).len(), demo::ACCOUNTS.len(), "{one:?}");
    assert_eq!(one, two, "the same accounts, seeded once");
    let storage = rt.block_on(scratch::reopen(dir.path())).unwrap();
    assert_eq!(
        rt.block_on(storage.user_count()).unwrap(),
        demo::ACCOUNTS.len() as u64
    );
}

/// The demo shows who changed what: the office's and 王芳's edits of one resident's phone are in
/// its history, and the supervisor has the contest to settle.
#[tokio::test]
async fn the_demo_has_one_overwrite_for_the_supervisor_to_settle() {
    let (_dir, storage) = seeded().await;
    let flagged = storage.contests_since(0, None, 100).await.unwrap();
    assert_eq!(flagged.len(), 1, "{flagged:?}");
    let k = &flagged[0].contest;
    assert_eq!(
        (k.entity.as_str(), k.field.as_str()),
        ("resident", model::entities::resident::field::PHONE)
    );
    assert_eq!(
        flagged[0].current_hlc.as_deref(),
        Some(k.arrived.1.as_str())
    );
    let history = storage.history_of(&k.entity, &k.id, 10, 100).await.unwrap();
    let devices: Vec<&str> = history.iter().map(|e| e.device_id.as_str()).collect();
    assert_eq!(devices, ["demo-phone-wangfang", "demo-office-pc"]);
    let wang = storage.user_by_username("wangfang").await.unwrap().unwrap();
    assert_eq!(history[0].user_id, wang.id);
}
