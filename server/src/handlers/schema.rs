//! `GET /api/v1/schema`: every entity and field with its type and who may read and write it.

use axum::Json;
use model::wire::SchemaResponse;

use crate::auth::AuthUser;

pub async fn get(_caller: AuthUser) -> Json<SchemaResponse> {
    Json(model::schema::schema_response())
}
