//! Login against a real server on a real SQLite file: the contract of `POST /api/v1/login`.

mod common;

use common::fixture::{Fixture, PASSWORD};
use common::TestServer;
use model::Role;
use serde_json::Value;

/// Two grids, a grid worker of both, another grid worker and a supervisor.
async fn community() -> TestServer {
    let mut f = Fixture::new().await;
    let grids = [f.grid("东区第一网格"), f.grid("东区第二网格")];
    f.user(Role::GridWorker, "wangfang", "王芳", &grids).await;
    f.user(Role::GridWorker, "liqiang", "李强", &grids[1..])
        .await;
    f.user(Role::Supervisor, "zhaomin", "赵敏", &grids).await;
    f.start().await
}

#[tokio::test]
async fn a_grid_worker_logs_in_and_gets_a_device_bound_token() {
    let s = community().await;
    let r = s.login("wangfang", PASSWORD, "phone-a").await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    let token = body["token"].as_str().unwrap();
    assert_eq!(token.len(), 64);
    assert_eq!(body["user"]["name"], "王芳");
    assert_eq!(body["user"]["role"], "grid_worker");
    assert_eq!(body["user"]["grids"].as_array().unwrap().len(), 2);
    assert_eq!(
        body["user"]["grid_names"],
        serde_json::json!(["东区第一网格", "东区第二网格"])
    );
    let now = server::now_ms();
    assert!((body["server_time_ms"].as_i64().unwrap() - now).abs() < 60_000);

    // The token opens authenticated endpoints; logout revokes it.
    let auth = format!("Bearer {token}");
    let r = s
        .client
        .post(s.url("/api/v1/logout"))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = s
        .client
        .post(s.url("/api/v1/logout"))
        .header("authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "unauthorized");
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_401() {
    let s = community().await;
    let wrong = s.login("wangfang", "not-the-password", "phone-a").await;
    assert_eq!(wrong.status(), 401);
    let wrong: Value = wrong.json().await.unwrap();
    let unknown = s.login("nobody-here", PASSWORD, "phone-a").await;
    assert_eq!(unknown.status(), 401);
    let unknown: Value = unknown.json().await.unwrap();
    assert_eq!(wrong["error"], "invalid_credentials");
    assert_eq!(
        wrong, unknown,
        "the answer must not hint which part was wrong"
    );
    assert!(wrong.get("token").is_none());
}

#[tokio::test]
async fn malformed_bodies_are_400_malformed() {
    let s = community().await;
    let cases: Vec<(String, Option<&str>)> = vec![
        ("{not json".into(), Some("application/json")),
        (
            format!(r#"{{"username":"wangfang","password":"{PASSWORD}"}}"#),
            Some("application/json"),
        ),
        (
            format!(
                r#"{{"username":"wangfang","password":"{PASSWORD}","device_id":"Bad Device!"}}"#
            ),
            Some("application/json"),
        ),
        (
            format!(r#"{{"username":"wangfang","password":"{PASSWORD}","device_id":"d1"}}"#),
            None,
        ),
        ("".into(), Some("application/json")),
    ];
    for (body, ctype) in cases {
        let mut req = s.client.post(s.url("/api/v1/login")).body(body.clone());
        if let Some(c) = ctype {
            req = req.header("content-type", c);
        }
        let r = req.send().await.unwrap();
        if ctype.is_none() {
            // JSON without a content type is still JSON: the body decides, and this one is good.
            assert_eq!(r.status(), 200, "{body}");
            continue;
        }
        assert_eq!(r.status(), 400, "{body}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"], "malformed");
        assert!(!v["message"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
async fn repeated_failures_for_one_user_name_are_429_even_with_the_right_password() {
    let s = community().await;
    for _ in 0..5 {
        assert_eq!(s.login("liqiang", "guess", "phone-b").await.status(), 401);
    }
    let r = s.login("liqiang", PASSWORD, "phone-b").await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().get("retry-after").is_some());
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "too_many_attempts");
    // Another user is not locked by liqiang's failures.
    assert_eq!(s.login("wangfang", PASSWORD, "phone-a").await.status(), 200);
}

#[tokio::test]
async fn health_answers_without_a_token_and_unknown_api_paths_are_json_404() {
    let s = community().await;
    let r = s.client.get(s.url("/api/v1/health")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], "ok");
    let r = s.client.get(s.url("/api/v1/nope")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"], "not_found");
}

#[tokio::test]
async fn accounts_and_tokens_survive_a_restart_on_the_same_database() {
    let first = community().await;
    let token = first.token("zhaomin", "laptop-1").await;
    if !server::storage::scratch::on_postgres() {
        assert!(
            first.data_dir.join("knock.sqlite3").exists(),
            "a real SQLite file on disk"
        );
    }

    let second = first.restart().await;
    let r = second
        .client
        .post(second.url("/api/v1/logout"))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        204,
        "a token issued before the restart still works"
    );
    assert_eq!(
        second.login("zhaomin", PASSWORD, "laptop-1").await.status(),
        200
    );
}
