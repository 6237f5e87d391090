//! Two servers on one PostgreSQL database behave as one server: a token, a logout, a disabled
//! user, a new password or a new scope given to either holds on both; a pull cursor from one
//! continues on the other; the dashboard of one never lags a write acknowledged by the other;
//! and incremental pulls in tiny pages, alternating between the two while devices push through
//! both, miss nothing that a fresh full pull returns.
//!
//! Several servers need a database they can share: these run in the PostgreSQL pass of
//! `cargo xtask test` (`KNOCK_TEST_POSTGRES`); on the embedded SQLite, one process owns the file
//! and they say so and stop.

mod common;

use std::collections::BTreeMap;

use common::fixture::{Fixture, PASSWORD};
use common::{change, stamp, TestServer};
use model::entities::resident;
use model::schema::GRID_ID;
use model::Role;
use serde_json::{json, Value};

/// A community with two grids, and two servers on its database.
struct Pair {
    a: TestServer,
    b: TestServer,
    east: String,
    west: String,
}

async fn pair() -> Option<Pair> {
    if !server::storage::scratch::on_postgres() {
        eprintln!("several servers share a PostgreSQL database only: set KNOCK_TEST_POSTGRES (cargo xtask test does)");
        return None;
    }
    let mut f = Fixture::new().await;
    let east = f.grid("东区第一网格");
    let west = f.grid("西区网格");
    f.user(Role::Admin, "admin", "管理员", &[]).await;
    f.user(
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
    let home = f.household(&east, "幸福里 1 号楼 101");
    f.resident(&home, "刘桂兰", &[]);
    let a = f.start().await;
    let shared = server::storage::scratch::reopen(&a.data_dir).await.unwrap();
    let b = common::serve_storage(shared, PASSWORD, Some("admin")).await;
    Some(Pair { a, b, east, west })
}

async fn send(
    s: &TestServer,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Value,
) -> u16 {
    s.client
        .request(method, s.url(path))
        .header("authorization", format!("Bearer {token}"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn user_id(s: &TestServer, admin: &str, username: &str) -> String {
    let users: Value = s
        .client
        .get(s.url("/api/v1/users"))
        .header("authorization", format!("Bearer {admin}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let found = users["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == username);
    found.unwrap()["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn tokens_logouts_disabled_users_passwords_and_scopes_hold_on_every_server() {
    let Some(p) = pair().await else { return };
    let admin = p.a.token("admin", "admin-laptop").await;
    let wang = user_id(&p.a, &admin, "wangfang").await;

    // Issued by A, accepted by B; logged out on B, refused by A.
    let token = p.a.token("wangfang", "phone-1").await;
    assert_eq!(p.b.pull_page(&token, "").await.0, 200);
    assert_eq!(
        send(
            &p.b,
            reqwest::Method::POST,
            "/api/v1/logout",
            &token,
            json!({})
        )
        .await,
        204
    );
    assert_eq!(p.a.pull_page(&token, "").await.0, 401);

    // Disabled on A: B refuses the token and the password at once.
    let token = p.b.token("wangfang", "phone-1").await;
    let path = format!("/api/v1/users/{wang}");
    assert_eq!(
        send(
            &p.a,
            reqwest::Method::PATCH,
            &path,
            &admin,
            json!({"disabled": true})
        )
        .await,
        200
    );
    assert_eq!(p.b.pull_page(&token, "").await.0, 401);
    assert_eq!(
        p.b.login("wangfang", PASSWORD, "phone-1").await.status(),
        401
    );
    assert_eq!(
        send(
            &p.a,
            reqwest::Method::PATCH,
            &path,
            &admin,
            json!({"disabled": false})
        )
        .await,
        200
    );

    // A new password set on B ends the token on A, and the new password logs in on A.
    let token = p.a.token("wangfang", "phone-1").await;
    let new = "a-new-password-1";
    assert_eq!(
        send(
            &p.b,
            reqwest::Method::PATCH,
            &path,
            &admin,
            json!({"password": new})
        )
        .await,
        200
    );
    assert_eq!(p.a.pull_page(&token, "").await.0, 401);
    let token = p.a.token_with("wangfang", new, "phone-1").await;

    // A cursor from A continues on B; after a scope change made on A, B answers it 410.
    let (_, cursor) = p.a.pull_all(&token, None, 2).await;
    let (status, page) = p.b.pull_page(&token, &format!("?cursor={cursor}")).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        page["changes"],
        json!([]),
        "nothing new: the cursor is understood on B"
    );
    let grids = json!({"grids": [p.east, p.west]});
    assert_eq!(
        send(&p.a, reqwest::Method::PATCH, &path, &admin, grids).await,
        200
    );
    let (status, page) = p.b.pull_page(&token, &format!("?cursor={cursor}")).await;
    assert_eq!(
        (status, page["error"].as_str()),
        (410, Some("reset_required")),
        "{page}"
    );
}

async fn dashboard(s: &TestServer, token: &str) -> Value {
    let r = s
        .client
        .get(s.url("/api/v1/dashboard"))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mut figures: Value = r.json().await.unwrap();
    // The server's clock at answering is the one part that differs from one answer to the next.
    figures.as_object_mut().unwrap().remove("server_time_ms");
    figures
}

#[tokio::test]
async fn a_dashboard_never_lags_a_write_another_server_acknowledged() {
    let Some(p) = pair().await else { return };
    let sup = p.b.token("zhaomin", "sup-laptop").await;
    let before = dashboard(&p.b, &sup).await;
    assert_eq!(dashboard(&p.b, &sup).await, before, "cached and the same");
    // A new resident written through A.
    let token = p.a.token("wangfang", "phone-1").await;
    let id = uuid::Uuid::new_v4().to_string();
    let h = stamp(server::now_ms(), 0, "phone-1");
    let changes = vec![
        change(resident::NAME, &id, GRID_ID, json!(p.east), &h),
        change(
            resident::NAME,
            &id,
            resident::field::NAME,
            json!("新居民"),
            &h,
        ),
        change(
            resident::NAME,
            &id,
            resident::field::COND_DIABETES,
            json!(true),
            &h,
        ),
    ];
    assert_eq!(p.a.push(&token, "phone-1", changes).await.0, 200);
    let after = dashboard(&p.b, &sup).await;
    assert_ne!(
        after, before,
        "B's cached snapshot is not served after A's write"
    );
    assert_eq!(after, dashboard(&p.a, &sup).await);
}

/// What a device holds after applying pulled changes: (entity, id, field) -> (value, stamp).
type Held = BTreeMap<(String, String, String), (Value, String)>;

fn apply(held: &mut Held, changes: &[Value]) {
    for c in changes {
        let key = (
            c["entity"].as_str().unwrap().to_owned(),
            c["id"].as_str().unwrap().to_owned(),
            c["field"].as_str().unwrap().to_owned(),
        );
        let hlc = c["hlc"].as_str().unwrap().to_owned();
        let newer = held
            .get(&key)
            .is_none_or(|(_, h)| model::merge::wins(&hlc, Some(h)));
        if newer {
            held.insert(key, (c["value"].clone(), hlc));
        }
    }
}

#[tokio::test]
async fn tiny_incremental_pulls_alternating_servers_during_pushes_through_both_miss_nothing() {
    let Some(p) = pair().await else { return };
    let p = std::sync::Arc::new(p);
    let reader = p.a.token("admin", "reader").await;
    let mut pushers = Vec::new();
    for d in 0..4 {
        let p = p.clone();
        pushers.push(tokio::spawn(async move {
            let device = format!("pusher-{d}");
            let s = if d % 2 == 0 { &p.a } else { &p.b };
            let token = s.token("wangfang", &device).await;
            let ids: Vec<String> = (0..3).map(|_| uuid::Uuid::new_v4().to_string()).collect();
            for round in 0..15u16 {
                let h = stamp(server::now_ms(), round, &device);
                let mut changes = Vec::new();
                for (i, id) in ids.iter().enumerate() {
                    if round == 0 {
                        changes.push(change(resident::NAME, id, GRID_ID, json!(p.east), &h));
                    }
                    let name = format!("设备{d}居民{i}第{round}次");
                    changes.push(change(
                        resident::NAME,
                        id,
                        resident::field::NAME,
                        json!(name),
                        &h,
                    ));
                    changes.push(change(
                        resident::NAME,
                        id,
                        resident::field::NOTES,
                        json!(format!("第{round}轮")),
                        &h,
                    ));
                }
                // Alternate servers too, as a balancer would.
                let s = if round % 2 == 0 {
                    s
                } else if d % 2 == 0 {
                    &p.b
                } else {
                    &p.a
                };
                let (status, body) = s.push(&token, &device, changes).await;
                assert_eq!(status, 200, "{body}");
            }
        }));
    }
    // Pull in pages of 3 while they push, alternating servers page by page.
    let mut held = Held::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0u32;
    loop {
        let s = if pages.is_multiple_of(2) { &p.a } else { &p.b };
        pages += 1;
        let q = match &cursor {
            Some(c) => format!("?cursor={c}&limit=3"),
            None => "?limit=3".to_owned(),
        };
        let (status, page) = s.pull_page(&reader, &q).await;
        assert_eq!(status, 200, "{page}");
        apply(&mut held, page["changes"].as_array().unwrap());
        cursor = Some(page["cursor"].as_str().unwrap().to_owned());
        let caught_up = !page["has_more"].as_bool().unwrap();
        if caught_up && pushers.iter().all(|t| t.is_finished()) {
            break;
        }
        if caught_up {
            tokio::task::yield_now().await;
        }
    }
    for t in pushers {
        t.await.unwrap();
    }
    // One more pass after the last push was acknowledged, still in tiny pages.
    loop {
        let (status, page) =
            p.b.pull_page(
                &reader,
                &format!("?cursor={}&limit=3", cursor.as_ref().unwrap()),
            )
            .await;
        assert_eq!(status, 200, "{page}");
        apply(&mut held, page["changes"].as_array().unwrap());
        cursor = Some(page["cursor"].as_str().unwrap().to_owned());
        if !page["has_more"].as_bool().unwrap() {
            break;
        }
    }
    let fresh = p.a.state().await;
    assert_eq!(held.len(), fresh.len(), "pages pulled: {pages}");
    assert_eq!(
        held, fresh,
        "incremental pulls hold exactly what a fresh full pull returns"
    );
    assert!(
        pages > 20,
        "the pulls interleaved with the pushes ({pages} pages)"
    );
}
