//! User administration against a real server on a real SQLite file: the admin-only users API,
//! what a change of a user does to their tokens and cursors, and the `server user` command line.

mod common;

use common::fixture::Fixture;
use common::TestServer;
use model::entities::{grid, household, user_profile};
use model::Role;
use serde_json::{json, Value};

/// The community's users: role, user name, name, and how many of its grids, from the first.
const USERS: &[(Role, &str, &str, usize)] = &[
    (Role::Admin, "admin", "管理员", 0),
    (Role::Supervisor, "zhaomin", "赵敏", 5),
    (Role::GridWorker, "wangfang", "王芳", 2),
    (Role::Volunteer, "chenjing", "陈静", 0),
];

/// Five grids with a household of one resident each, and [`USERS`].
async fn community() -> TestServer {
    let mut f = Fixture::new().await;
    let grids: Vec<String> = (1..=5).map(|i| f.grid(&format!("第{i}网格"))).collect();
    for (i, grid) in grids.iter().enumerate() {
        let home = f.household(grid, &format!("{} 号楼 101", i + 1));
        f.resident(&home, &format!("居民{i}"), &[]);
    }
    for &(role, username, name, n) in USERS {
        f.user(role, username, name, &grids[..n]).await;
    }
    f.start().await
}

async fn admin(s: &TestServer) -> String {
    s.token("admin", "admin-laptop").await
}

async fn send(
    s: &TestServer,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = s.client.request(method, s.url(path));
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn create(s: &TestServer, token: &str, body: Value) -> (u16, Value) {
    send(
        s,
        reqwest::Method::POST,
        "/api/v1/users",
        Some(token),
        Some(body),
    )
    .await
}

async fn patch(s: &TestServer, token: &str, id: &str, body: Value) -> (u16, Value) {
    let path = format!("/api/v1/users/{id}");
    send(s, reqwest::Method::PATCH, &path, Some(token), Some(body)).await
}

async fn list(s: &TestServer, token: &str) -> (u16, Value) {
    send(s, reqwest::Method::GET, "/api/v1/users", Some(token), None).await
}

/// Every grid of the community, with names, in order.
async fn all_grids(s: &TestServer) -> Vec<(String, String)> {
    let r = s
        .login("zhaomin", common::fixture::PASSWORD, "grids-probe")
        .await;
    let body: Value = r.json().await.unwrap();
    let ids = body["user"]["grids"].as_array().unwrap();
    let names = body["user"]["grid_names"].as_array().unwrap();
    ids.iter()
        .zip(names)
        .map(|(i, n)| (i.as_str().unwrap().into(), n.as_str().unwrap().into()))
        .collect()
}

/// The grids named by the records of grid-scoped entities a pull returned, and the grid
/// records themselves.
fn grids_seen(changes: &[Value]) -> std::collections::BTreeSet<String> {
    changes
        .iter()
        .filter_map(|c| match (c["entity"].as_str(), c["field"].as_str()) {
            (Some(grid::NAME), _) => c["id"].as_str(),
            (Some(_), Some(model::schema::GRID_ID)) => c["value"].as_str(),
            _ => None,
        })
        .map(str::to_owned)
        .collect()
}

fn households(changes: &[Value]) -> usize {
    changes
        .iter()
        .filter(|c| c["entity"] == household::NAME && c["field"] == household::field::GRID_ID)
        .count()
}

async fn new_worker(s: &TestServer, admin: &str, username: &str, grid: &str) -> Value {
    let (status, body) = create(
        s,
        admin,
        json!({"username": username, "name": "孙丽", "role": "grid_worker", "grids": [grid], "password": "sunli-pass-1"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body
}

#[tokio::test]
async fn an_admin_creates_a_grid_worker_who_logs_in_and_pulls_only_their_grid() {
    let s = community().await;
    let admin = admin(&s).await;
    let grids = all_grids(&s).await;
    let (third, third_name) = &grids[2];
    let user = new_worker(&s, &admin, "sunli", third).await;
    assert_eq!(user["username"], "sunli");
    assert_eq!(user["name"], "孙丽");
    assert_eq!(user["role"], "grid_worker");
    assert_eq!(user["grids"], json!([third]));
    assert_eq!(user["disabled"], false);

    let r = s.login("sunli", "sunli-pass-1", "phone-s").await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["user"]["grid_names"], json!([third_name]));
    let token = body["token"].as_str().unwrap();
    let (changes, _) = s.pull_all(token, None, 5000).await;
    assert!(households(&changes) > 0, "their grid's households arrive");
    assert_eq!(grids_seen(&changes), [third.clone()].into());

    // Others can see who the new user is, by the profile the server wrote.
    let profile: Vec<&Value> = changes
        .iter()
        .filter(|c| c["entity"] == user_profile::NAME && c["id"] == user["id"])
        .collect();
    assert!(profile
        .iter()
        .any(|c| c["field"] == user_profile::field::NAME && c["value"] == "孙丽"));
    assert!(profile
        .iter()
        .any(|c| c["field"] == user_profile::field::ROLE && c["value"] == "grid_worker"));
}

#[tokio::test]
async fn only_admins_may_use_the_users_endpoints() {
    let s = community().await;
    let admin = admin(&s).await;
    let (_, listed) = list(&s, &admin).await;
    let someone = listed["users"][0]["id"].as_str().unwrap().to_owned();
    let grids = all_grids(&s).await;
    let body = json!({"username": "x1", "name": "x", "role": "grid_worker", "grids": [grids[0].0], "password": "long-enough"});
    for who in ["zhaomin", "wangfang", "chenjing"] {
        let token = s.token(who, "phone-z").await;
        assert_eq!(list(&s, &token).await.0, 403, "{who} lists");
        let (status, err) = create(&s, &token, body.clone()).await;
        assert_eq!(
            (status, err["error"].as_str()),
            (403, Some("forbidden")),
            "{who} creates"
        );
        assert_eq!(
            patch(&s, &token, &someone, json!({"disabled": true}))
                .await
                .0,
            403,
            "{who} changes"
        );
        // Refused before the body is read: no hint from a 400 either.
        let r = s
            .client
            .post(s.url("/api/v1/users"))
            .header("authorization", format!("Bearer {token}"))
            .body("not json")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
    }
    for (method, path) in [
        (reqwest::Method::GET, "/api/v1/users".to_owned()),
        (reqwest::Method::POST, "/api/v1/users".to_owned()),
        (reqwest::Method::PATCH, format!("/api/v1/users/{someone}")),
    ] {
        let (status, err) = send(&s, method, &path, None, Some(body.clone())).await;
        assert_eq!((status, err["error"].as_str()), (401, Some("unauthorized")));
    }
    let (_, after) = list(&s, &admin).await;
    assert_eq!(after, listed, "nothing changed");
}

#[tokio::test]
async fn disabling_a_user_stops_their_token_at_once_and_enabling_lets_them_log_in_again() {
    let s = community().await;
    let admin = admin(&s).await;
    let grids = all_grids(&s).await;
    let user = new_worker(&s, &admin, "sunli", &grids[0].0).await;
    let id = user["id"].as_str().unwrap();
    let token = s.token_with("sunli", "sunli-pass-1", "phone-s").await;
    assert_eq!(s.pull_page(&token, "?limit=1").await.0, 200);

    let (status, body) = patch(&s, &admin, id, json!({"disabled": true})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["disabled"], true);
    let (status, err) = s.pull_page(&token, "?limit=1").await;
    assert_eq!((status, err["error"].as_str()), (401, Some("unauthorized")));
    assert_eq!(
        s.login("sunli", "sunli-pass-1", "phone-s").await.status(),
        401
    );

    let (status, _) = patch(&s, &admin, id, json!({"disabled": false})).await;
    assert_eq!(status, 200);
    assert_eq!(
        s.pull_page(&token, "?limit=1").await.0,
        401,
        "the old token stays revoked"
    );
    let fresh = s.token_with("sunli", "sunli-pass-1", "phone-s").await;
    assert_eq!(s.pull_page(&fresh, "?limit=1").await.0, 200);
}

#[tokio::test]
async fn a_new_password_replaces_the_old_one_and_revokes_tokens() {
    let s = community().await;
    let admin = admin(&s).await;
    let grids = all_grids(&s).await;
    let user = new_worker(&s, &admin, "sunli", &grids[0].0).await;
    let id = user["id"].as_str().unwrap();
    let token = s.token_with("sunli", "sunli-pass-1", "phone-s").await;

    let (status, err) = patch(&s, &admin, id, json!({"password": "short"})).await;
    assert_eq!((status, err["error"].as_str()), (422, Some("invalid")));
    assert_eq!(
        s.pull_page(&token, "?limit=1").await.0,
        200,
        "a refused change revokes nothing"
    );

    let (status, body) = patch(&s, &admin, id, json!({"password": "brand-new-pass"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(s.pull_page(&token, "?limit=1").await.0, 401);
    assert_eq!(
        s.login("sunli", "sunli-pass-1", "phone-s").await.status(),
        401
    );
    assert_eq!(
        s.login("sunli", "brand-new-pass", "phone-s").await.status(),
        200
    );
}

#[tokio::test]
async fn new_grids_make_the_old_cursor_reset_and_a_fresh_pull_brings_the_new_grid() {
    let s = community().await;
    let admin = admin(&s).await;
    let grids = all_grids(&s).await;
    let user = new_worker(&s, &admin, "sunli", &grids[0].0).await;
    let id = user["id"].as_str().unwrap();
    let token = s.token_with("sunli", "sunli-pass-1", "phone-s").await;
    let (first, cursor) = s.pull_all(&token, None, 5000).await;
    assert_eq!(grids_seen(&first), [grids[0].0.clone()].into());

    let (status, body) = patch(&s, &admin, id, json!({"grids": [grids[4].0]})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["grids"], json!([grids[4].0]));
    let (status, err) = s.pull_page(&token, &format!("?cursor={cursor}")).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (410, Some("reset_required"))
    );
    let (fresh, _) = s.pull_all(&token, None, 5000).await;
    assert_eq!(grids_seen(&fresh), [grids[4].0.clone()].into());
    assert!(households(&fresh) > 0);
    // Their profile says where they work now (issue 16), so a door goes only to who sees it.
    let profile_grids = fresh
        .iter()
        .rev()
        .find(|c| c["entity"] == "user_profile" && c["id"] == id && c["field"] == "grids")
        .map(|c| c["value"].clone());
    assert_eq!(profile_grids, Some(json!(grids[4].0)));

    // A change of name only is no change of scope: the cursor stays good.
    let (_, cursor) = s.pull_all(&token, None, 5000).await;
    assert_eq!(
        patch(&s, &admin, id, json!({"name": "孙丽丽"})).await.0,
        200
    );
    assert_eq!(
        s.pull_page(&token, &format!("?cursor={cursor}")).await.0,
        200
    );
}

#[tokio::test]
async fn bad_input_is_refused_with_reasons_and_writes_nothing() {
    let s = community().await;
    let admin = admin(&s).await;
    let grids = all_grids(&s).await;
    let (_, before) = list(&s, &admin).await;

    let (status, err) = create(
        &s,
        &admin,
        json!({"username": "wangfang", "name": "王芳", "role": "grid_worker", "grids": [grids[0].0], "password": "long-enough"}),
    )
    .await;
    assert_eq!((status, err["error"].as_str()), (422, Some("invalid")));
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("用户名已被使用 (user name is taken)"),
        "{err}"
    );
    assert_eq!(
        err["details"][0]["message"],
        "用户名已被使用 (user name is taken)"
    );

    let refused = [
        json!({"username": "Bad Name", "role": "admin", "password": "long-enough"}),
        json!({"username": &"x".repeat(33), "role": "admin", "password": "long-enough"}),
        json!({"username": "ok", "role": "admin", "password": "short"}),
        json!({"username": "ok", "role": "grid_worker", "grids": [], "password": "long-enough"}),
        json!({"username": "ok", "role": "grid_worker", "grids": ["no-such-grid"], "password": "long-enough"}),
        json!({"username": "ok", "role": "volunteer", "grids": [grids[0].0], "password": "long-enough"}),
    ];
    for body in refused {
        let (status, err) = create(&s, &admin, body.clone()).await;
        assert_eq!(
            (status, err["error"].as_str()),
            (422, Some("invalid")),
            "{body}: {err}"
        );
        assert!(!err["details"].as_array().unwrap().is_empty());
    }
    for body in [
        json!({"username": "ok"}),
        json!({"username": "ok", "role": "king", "password": "long-enough"}),
    ] {
        let (status, err) = create(&s, &admin, body).await;
        assert_eq!((status, err["error"].as_str()), (400, Some("malformed")));
    }
    let (status, _) = patch(&s, &admin, "no-such-user", json!({"name": "x"})).await;
    assert_eq!(status, 404);
    let (_, after) = list(&s, &admin).await;
    assert_eq!(after, before);

    // An admin needs no grids, and becoming a volunteer drops them.
    let (status, body) = create(
        &s,
        &admin,
        json!({"username": "admin2", "role": "admin", "password": "long-enough"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        body["name"], "admin2",
        "the user name stands in for a missing name"
    );
    let w = new_worker(&s, &admin, "sunli", &grids[0].0).await;
    let (status, body) = patch(
        &s,
        &admin,
        w["id"].as_str().unwrap(),
        json!({"role": "volunteer"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["grids"], json!([]));
}

#[tokio::test]
async fn an_admin_cannot_lock_themself_out() {
    let s = community().await;
    let admin = admin(&s).await;
    let (_, listed) = list(&s, &admin).await;
    let me = listed["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "admin")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, err) = patch(&s, &admin, &me, json!({"disabled": true})).await;
    assert_eq!(status, 422);
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("disable your own account"),
        "{err}"
    );
    let (status, err) = patch(&s, &admin, &me, json!({"role": "supervisor"})).await;
    assert_eq!(status, 422);
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("your own admin role"),
        "{err}"
    );
    assert_eq!(list(&s, &admin).await.0, 200, "still an admin");
    // Their own name is theirs to change.
    assert_eq!(
        patch(&s, &admin, &me, json!({"name": "管理员"})).await.0,
        200
    );
}

#[tokio::test]
async fn the_list_never_holds_a_password_hash() {
    let s = community().await;
    let admin = admin(&s).await;
    let (status, body) = list(&s, &admin).await;
    assert_eq!(status, 200);
    let users = body["users"].as_array().unwrap();
    assert_eq!(users.len(), USERS.len());
    let text = body.to_string();
    assert!(!text.contains("argon2"), "{text}");
    assert!(!text.contains("password"), "{text}");
    for u in users {
        let mut keys: Vec<&str> = u.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(
            keys,
            ["disabled", "grids", "id", "name", "role", "username"]
        );
    }
}

fn cli(dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("user")
        .args(args)
        .env("KNOCK_DATA_DIR", dir)
        .envs(server::storage::scratch::env_for(dir))
        .env_remove("KNOCK_ADDR")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_command_line_adds_lists_and_disables_users_of_a_running_server() {
    let s = community().await;
    let dir = s.data_dir.clone();
    let grids = all_grids(&s).await;
    let (third, third_name) = &grids[2];

    // A grid by name, and no password: one is made and printed once.
    let (ok, out, err) = cli(
        &dir,
        &[
            "add",
            "sunli",
            "--role",
            "grid_worker",
            "--name",
            "孙丽",
            "--grids",
            third_name,
        ],
    );
    assert!(ok, "{out}{err}");
    let password = out
        .lines()
        .find_map(|l| l.strip_prefix("password: "))
        .expect("the made password is printed")
        .to_owned();
    let r = s.login("sunli", &password, "phone-s").await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["user"]["grids"], json!([third]));
    let token = body["token"].as_str().unwrap().to_owned();

    let (ok, out, _) = cli(&dir, &["list"]);
    assert!(ok);
    let line = out.lines().find(|l| l.starts_with("sunli\t")).unwrap();
    assert_eq!(
        line,
        format!("sunli\tgrid_worker\t孙丽\t{third_name}\tactive")
    );
    assert!(!out.contains("argon2"));

    let (ok, _, err) = cli(
        &dir,
        &[
            "add",
            "sunli",
            "--role",
            "admin",
            "--password",
            "long-enough",
        ],
    );
    assert!(!ok);
    assert!(err.contains("user name is taken"), "{err}");
    let (ok, _, err) = cli(
        &dir,
        &[
            "add",
            "zhou",
            "--role",
            "grid_worker",
            "--grids",
            "没有的网格",
        ],
    );
    assert!(!ok);
    assert!(err.contains("没有的网格"), "{err}");
    let (ok, _, err) = cli(&dir, &["frobnicate", "x"]);
    assert!(!ok);
    assert!(err.contains("usage"), "{err}");

    let (ok, out, err) = cli(&dir, &["disable", "sunli"]);
    assert!(ok, "{out}{err}");
    assert_eq!(s.pull_page(&token, "?limit=1").await.0, 401);
    assert_eq!(s.login("sunli", &password, "phone-s").await.status(), 401);
    let (_, out, _) = cli(&dir, &["list"]);
    assert!(out
        .lines()
        .any(|l| l.starts_with("sunli\t") && l.ends_with("\tdisabled")));

    let (ok, _, _) = cli(&dir, &["enable", "sunli"]);
    assert!(ok);
    let (ok, out, _) = cli(&dir, &["passwd", "sunli", "--password", "chosen-pass"]);
    assert!(ok);
    assert!(
        !out.contains("chosen-pass"),
        "a chosen password is not echoed"
    );
    assert_eq!(
        s.login("sunli", "chosen-pass", "phone-s").await.status(),
        200
    );
    let (ok, out, err) = cli(
        &dir,
        &[
            "set",
            "sunli",
            "--grids",
            &grids[4].0,
            "--role",
            "supervisor",
        ],
    );
    assert!(ok, "{out}{err}");
    assert!(out.contains(&grids[4].1), "{out}");
}
