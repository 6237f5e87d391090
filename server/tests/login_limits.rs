//! What a login attacker meets on a real server: bounded bodies and names, failures counted per
//! user name and client, per client and per name, parallel guesses reserved before they are
//! checked, and devices that hold a token syncing whatever happens at the login door.
//! Clients are told apart by their loopback address (127.0.0.x): each is a client to the server.

mod common;

use common::fixture::{Fixture, PASSWORD};
use common::TestServer;
use model::entities::household;
use model::Role;
use serde_json::{json, Value};

/// A grid worker with a household in her grid, and a supervisor.
async fn community() -> (TestServer, String) {
    let mut f = Fixture::new().await;
    let grid = f.grid("东区第一网格");
    f.user(
        Role::GridWorker,
        "wangfang",
        "王芳",
        std::slice::from_ref(&grid),
    )
    .await;
    f.user(
        Role::Supervisor,
        "zhaomin",
        "赵敏",
        std::slice::from_ref(&grid),
    )
    .await;
    let hh = f.household(&grid, "幸福路1号");
    (f.start().await, hh)
}

/// A client whose requests come from 127.0.0.`last`.
fn client_at(last: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, last]))
        .build()
        .unwrap()
}

async fn login_from(
    s: &TestServer,
    client: &reqwest::Client,
    username: &str,
    password: &str,
) -> (u16, Value) {
    let r = client
        .post(s.url("/api/v1/login"))
        .json(&json!({"username": username, "password": password, "device_id": "phone-x"}))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    if status == 429 {
        assert!(r.headers().get("retry-after").is_some(), "429 says when");
    }
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_login_body_over_4_kib_is_413_too_large_and_a_long_name_is_a_wrong_name() {
    let (s, _) = community().await;
    let huge = "a".repeat(5 * 1024);
    let (status, body) = login_from(&s, &s.client, &huge, PASSWORD).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"], "too_large");

    // A name no account can have (over 32 characters) is answered as an unknown one, and as
    // often as it comes: nothing is counted for it.
    let long = "a".repeat(3 * 1024);
    for _ in 0..40 {
        let (status, body) = login_from(&s, &s.client, &long, PASSWORD).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(body["error"], "invalid_credentials");
    }
    let (status, _) = login_from(&s, &s.client, "wangfang", PASSWORD).await;
    assert_eq!(
        status, 200,
        "the client is not locked by names that cannot exist"
    );
}

#[tokio::test]
async fn twenty_parallel_wrong_guesses_get_at_most_five_answers_of_wrong_password() {
    let (s, _) = community().await;
    let mut guesses = tokio::task::JoinSet::new();
    for i in 0..20 {
        let (client, url) = (s.client.clone(), s.url("/api/v1/login"));
        guesses.spawn(async move {
            let r = client
                .post(url)
                .json(&json!({"username": "wangfang", "password": format!("guess-{i}"), "device_id": "phone-x"}))
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.unwrap_or(Value::Null))
        });
    }
    let answers = guesses.join_all().await;
    let wrong = answers.iter().filter(|(st, _)| *st == 401).count();
    let refused = answers
        .iter()
        .filter(|(st, b)| *st == 429 && b["error"] == "too_many_attempts")
        .count();
    assert!(wrong <= 5, "{wrong} guesses were checked: {answers:?}");
    assert_eq!(wrong + refused, 20, "{answers:?}");
}

#[tokio::test]
async fn a_stranger_cannot_lock_a_user_out_of_the_client_they_log_in_from() {
    let (s, _) = community().await;
    let stranger = client_at(2);
    for _ in 0..5 {
        let (status, body) = login_from(&s, &stranger, "wangfang", "guess").await;
        assert_eq!(status, 401, "{body}");
    }
    let (status, body) = login_from(&s, &stranger, "wangfang", PASSWORD).await;
    assert_eq!(status, 429, "the stranger's client is locked for the name");
    assert_eq!(body["error"], "too_many_attempts");

    let (status, body) = login_from(&s, &client_at(1), "wangfang", PASSWORD).await;
    assert_eq!(status, 200, "wangfang's own client is not: {body}");
}

#[tokio::test]
async fn one_password_sprayed_over_many_names_locks_the_client_that_sprays() {
    let (s, _) = community().await;
    let sprayer = client_at(3);
    for i in 0..30 {
        let (status, _) = login_from(&s, &sprayer, &format!("user{i}"), "123456789").await;
        assert_eq!(status, 401);
    }
    let (status, body) = login_from(&s, &sprayer, "user30", "123456789").await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"], "too_many_attempts");
    let (status, _) = login_from(&s, &sprayer, "zhaomin", PASSWORD).await;
    assert_eq!(status, 429, "from that client no name is tried any more");
    let (status, _) = login_from(&s, &client_at(4), "zhaomin", PASSWORD).await;
    assert_eq!(status, 200, "other clients are not locked");
}

#[tokio::test]
async fn a_locked_name_does_not_stop_a_device_that_holds_a_token_from_syncing() {
    let (s, hh) = community().await;
    let token = s.token("wangfang", "phone-a").await;
    for _ in 0..5 {
        s.login("wangfang", "guess", "phone-b").await;
    }
    assert_eq!(s.login("wangfang", PASSWORD, "phone-b").await.status(), 429);

    let stamp = common::stamp(server::now_ms(), 0, "phone-a");
    let (status, body) = s
        .push(
            &token,
            "phone-a",
            vec![common::change(
                household::NAME,
                &hh,
                household::field::PHONE,
                json!("13800000001"),
                &stamp,
            )],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["applied"], 1);
    let (status, body) = s.pull_page(&token, "").await;
    assert_eq!(status, 200, "{body}");
}

/// A login through a reverse proxy at 127.0.0.9 that names the client it served.
async fn login_via(
    s: &TestServer,
    from: &reqwest::Client,
    forwarded_for: &str,
    password: &str,
) -> u16 {
    from.post(s.url("/api/v1/login"))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"username": "wangfang", "password": password, "device_id": "phone-x"}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn behind_a_trusted_proxy_clients_are_told_apart_and_elsewhere_the_header_is_ignored() {
    let mut f = Fixture::new().await;
    let grid = f.grid("东区第一网格");
    f.user(Role::GridWorker, "wangfang", "王芳", &[grid]).await;
    let s = f
        .start_with(&[("KNOCK_TRUSTED_PROXIES", "127.0.0.9")])
        .await;
    let proxy = client_at(9);
    for _ in 0..5 {
        assert_eq!(login_via(&s, &proxy, "203.0.113.5", "guess").await, 401);
    }
    assert_eq!(
        login_via(&s, &proxy, "203.0.113.5", PASSWORD).await,
        429,
        "the guesser behind the proxy is locked for the name"
    );
    assert_eq!(
        login_via(&s, &proxy, "203.0.113.6", PASSWORD).await,
        200,
        "another client behind the same proxy is not"
    );

    // A client that is not a trusted proxy cannot pose as many by naming addresses of its own.
    let direct = client_at(10);
    for i in 0..5 {
        let claimed = format!("198.51.100.{i}");
        assert_eq!(login_via(&s, &direct, &claimed, "guess").await, 401);
    }
    assert_eq!(
        login_via(&s, &direct, "198.51.100.99", PASSWORD).await,
        429,
        "its own address is what is counted"
    );
}
