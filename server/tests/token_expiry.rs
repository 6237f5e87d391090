//! Tokens end after an idle period (`KNOCK_TOKEN_IDLE_DAYS`, default 30), renewed by use. The
//! clock is moved by writing a token's last use into the real SQLite file, not by waiting.

mod common;

use common::fixture::Fixture;
use common::TestServer;
use model::Role;

const DAY_MS: i64 = 24 * 3600 * 1000;

async fn community(vars: &[(&str, &str)]) -> TestServer {
    let mut f = Fixture::new();
    let grid = f.grid("东区第一网格");
    f.user(Role::GridWorker, "wangfang", "王芳", &[grid]).await;
    f.start_with(vars).await
}

fn db(s: &TestServer) -> rusqlite::Connection {
    rusqlite::Connection::open(s.data_dir.join("knock.sqlite3")).unwrap()
}

/// Sets when the token was last used, as if that much time had passed since.
fn set_last_used(s: &TestServer, token: &str, ms: i64) {
    let n = db(s)
        .execute(
            "UPDATE tokens SET last_used_at = ?1 WHERE token_hash = ?2",
            rusqlite::params![ms, server::auth::token_hash(token)],
        )
        .unwrap();
    assert_eq!(n, 1);
}

fn last_used(s: &TestServer, token: &str) -> i64 {
    db(s)
        .query_row(
            "SELECT last_used_at FROM tokens WHERE token_hash = ?1",
            [server::auth::token_hash(token)],
            |r| r.get(0),
        )
        .unwrap()
}

#[tokio::test]
async fn a_token_unused_for_over_30_days_is_401_unauthorized_as_a_revoked_one() {
    let s = community(&[]).await;
    let token = s.token("wangfang", "phone-a").await;
    set_last_used(&s, &token, server::now_ms() - 31 * DAY_MS);
    let (status, body) = s.pull_page(&token, "").await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "unauthorized");
    let (status, body) = s.push(&token, "phone-a", vec![]).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "unauthorized");

    // Logging in again gives a working token.
    let token = s.token("wangfang", "phone-a").await;
    assert_eq!(s.pull_page(&token, "").await.0, 200);
}

#[tokio::test]
async fn use_renews_a_token_but_writes_at_most_once_an_hour() {
    let s = community(&[]).await;
    let token = s.token("wangfang", "phone-a").await;
    let now = server::now_ms();
    assert!(
        (last_used(&s, &token) - now).abs() < 60_000,
        "a login is a use"
    );

    set_last_used(&s, &token, now - 29 * DAY_MS);
    assert_eq!(s.pull_page(&token, "").await.0, 200);
    let renewed = last_used(&s, &token);
    assert!(renewed >= now, "used on day 29, it starts 30 days again");

    let recent = server::now_ms() - 10 * 60 * 1000;
    set_last_used(&s, &token, recent);
    assert_eq!(s.pull_page(&token, "").await.0, 200);
    assert_eq!(
        last_used(&s, &token),
        recent,
        "used ten minutes ago: a pull writes nothing"
    );
}

#[tokio::test]
async fn the_idle_period_is_knock_token_idle_days() {
    let s = community(&[("KNOCK_TOKEN_IDLE_DAYS", "1")]).await;
    let fresh = s.token("wangfang", "phone-a").await;
    let stale = s.token("wangfang", "phone-b").await;
    set_last_used(&s, &fresh, server::now_ms() - 20 * 3600 * 1000);
    set_last_used(&s, &stale, server::now_ms() - 2 * DAY_MS);
    assert_eq!(s.pull_page(&fresh, "").await.0, 200);
    assert_eq!(s.pull_page(&stale, "").await.0, 401);
}
