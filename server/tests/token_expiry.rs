//! Tokens end after an idle period (`KNOCK_TOKEN_IDLE_DAYS`, default 30), renewed by use. The
//! clock is moved by writing a token's last use into the real database, not by waiting.

mod common;

use common::fixture::Fixture;
use common::TestServer;
use model::Role;

const DAY_MS: i64 = 24 * 3600 * 1000;

async fn community(vars: &[(&str, &str)]) -> TestServer {
    let mut f = Fixture::new().await;
    let grid = f.grid("东区第一网格");
    f.user(Role::GridWorker, "wangfang", "王芳", &[grid]).await;
    f.start_with(vars).await
}

/// The server's database, opened beside it as a second process would.
async fn db(s: &TestServer) -> std::sync::Arc<dyn server::storage::Storage> {
    server::storage::scratch::reopen(&s.data_dir).await.unwrap()
}

/// The owner of a token, as every request reads it.
async fn owner(
    db: &std::sync::Arc<dyn server::storage::Storage>,
    hash: &str,
) -> Option<server::storage::TokenOwner> {
    db.token_owner_named_by(hash, server::cover::COVER_DAYS)
        .await
        .unwrap()
        .map(|(owner, _)| owner)
}

/// Sets when the token was last used, as if that much time had passed since.
async fn set_last_used(s: &TestServer, token: &str, ms: i64) {
    let db = db(s).await;
    let hash = server::auth::token_hash(token);
    assert!(owner(&db, &hash).await.is_some());
    db.touch_token(&hash, ms).await.unwrap();
}

async fn last_used(s: &TestServer, token: &str) -> i64 {
    let hash = server::auth::token_hash(token);
    owner(&db(s).await, &hash)
        .await
        .expect("a live token")
        .last_used_ms
}

#[tokio::test]
async fn a_token_unused_for_over_30_days_is_401_unauthorized_as_a_revoked_one() {
    let s = community(&[]).await;
    let token = s.token("wangfang", "phone-a").await;
    set_last_used(&s, &token, server::now_ms() - 31 * DAY_MS).await;
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
        (last_used(&s, &token).await - now).abs() < 60_000,
        "a login is a use"
    );

    set_last_used(&s, &token, now - 29 * DAY_MS).await;
    assert_eq!(s.pull_page(&token, "").await.0, 200);
    let renewed = last_used(&s, &token).await;
    assert!(renewed >= now, "used on day 29, it starts 30 days again");

    let recent = server::now_ms() - 10 * 60 * 1000;
    set_last_used(&s, &token, recent).await;
    assert_eq!(s.pull_page(&token, "").await.0, 200);
    assert_eq!(
        last_used(&s, &token).await,
        recent,
        "used ten minutes ago: a pull writes nothing"
    );
}

#[tokio::test]
async fn the_idle_period_is_knock_token_idle_days() {
    let s = community(&[("KNOCK_TOKEN_IDLE_DAYS", "1")]).await;
    let fresh = s.token("wangfang", "phone-a").await;
    let stale = s.token("wangfang", "phone-b").await;
    set_last_used(&s, &fresh, server::now_ms() - 20 * 3600 * 1000).await;
    set_last_used(&s, &stale, server::now_ms() - 2 * DAY_MS).await;
    assert_eq!(s.pull_page(&fresh, "").await.0, 200);
    assert_eq!(s.pull_page(&stale, "").await.0, 401);
}
