//! `GET /api/v1/health`: answers without a token so probes and the app's reachability check can call it.

use axum::Json;
use model::wire::Health;

pub async fn get() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        server_time_ms: crate::now_ms(),
    })
}
