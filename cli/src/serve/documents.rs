//! The documents the service serves as they are, made once at start: the resolved rules
//! (`GET /v1/rules`), the claim's JSON Schema (`GET /v1/schema`), the OpenAPI document
//! (`GET /openapi.json`) and the health answer (`GET /healthz`).

use super::app::Shared;
use super::wire;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use skill_subsidy::Engine;

/// The documents, as the bytes sent.
pub struct Documents {
    rules: Bytes,
    schema: Bytes,
    openapi: Bytes,
    health: Bytes,
}

impl Documents {
    pub fn new(engine: &Engine) -> Documents {
        let health = wire::Health { status: "ok", ruleset: engine.ruleset().id.clone(), version: env!("CARGO_PKG_VERSION") };
        Documents {
            rules: to_bytes(&engine.export_json()),
            schema: to_bytes(&skill_subsidy::claim_schema(Some(engine.ruleset()))),
            openapi: to_bytes(&super::openapi::document()),
            health: to_bytes(&health),
        }
    }
}

/// Serialising these values (JSON values and derived types, whose map keys are strings)
/// cannot fail.
fn to_bytes(value: &impl serde::Serialize) -> Bytes {
    Bytes::from(serde_json::to_vec(value).unwrap_or_default())
}

fn json(bytes: &Bytes) -> Response {
    let mut response = bytes.clone().into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// The resolved ruleset: programs, amounts, catalogue versions, shortage lists, institutions,
/// accounts, sessions (docs/export.md), with the service's overrides applied.
#[utoipa::path(get, path = "/v1/rules", operation_id = "getRules", tag = "rules",
    responses((status = 200, description = "The export of the ruleset served (docs/export.md)", body = Object)))]
pub async fn rules(State(state): State<Shared>) -> Response {
    json(&state.documents.rules)
}

/// The JSON Schema (draft 2020-12) of a claim, with the served ruleset's programs.
#[utoipa::path(get, path = "/v1/schema", operation_id = "getClaimSchema", tag = "rules",
    responses((status = 200, description = "JSON Schema of a claim", body = Object)))]
pub async fn schema(State(state): State<Shared>) -> Response {
    json(&state.documents.schema)
}

/// Whether the service is up, and which ruleset it serves.
#[utoipa::path(get, path = "/healthz", operation_id = "health", tag = "service",
    responses((status = 200, description = "Up", body = wire::Health)))]
pub async fn health(State(state): State<Shared>) -> Response {
    json(&state.documents.health)
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", operation_id = "getOpenApi", tag = "service",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)))]
pub async fn openapi(State(state): State<Shared>) -> Response {
    json(&state.documents.openapi)
}
