//! `POST /v1/whatif`: the same claims under the rules as they are and as changed by overrides
//! (SPEC §5, §9): the baseline report, the variant's, and their difference by the same keys.

use super::app::{LogNote, RequestId, Shared};
use super::body::{self, Kind};
use super::params::Params;
use super::problem::{ApiError, Code, ProblemItem};
use super::request::{self, Members};
use super::wire;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use skill_subsidy::{FieldMode, Overrides, RawClaim, RulesErrors};
use std::sync::Arc;

/// Compare the claims under changed rules.
#[utoipa::path(
    post,
    path = "/v1/whatif",
    operation_id = "whatIf",
    tag = "claims",
    params(Params),
    request_body(content = wire::WhatIfRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Baseline, variant and difference", body = wire::WhatIfResponse),
        wire::Problems,
    )
)]
pub async fn handle(
    State(state): State<Shared>,
    Extension(id): Extension<RequestId>,
    query: Result<Query<Params>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let params = Params::read(query)?;
    body::kind(&headers, &[Kind::Json])?;
    let limit = state.limits.max_body;
    body::check_length(&headers, limit)?;
    let turn = state.batch_turn(&id, "/v1/whatif").await?;
    let (reader, overflow) = body::blocking_reader(body, limit);
    let engine = Arc::clone(&state.engine);
    let mode = params.field_mode().unwrap_or(FieldMode::Strict);
    let work = move || {
        // Held by the work itself, as for a batch: a run given up still counts until it ends.
        let _turn = turn;
        let content = request::read_json(reader, Members::WhatIf, mode, &overflow, limit, |f, _| RawClaim::from_source(f))?;
        let given = content.overrides.ok_or_else(|| {
            ApiError::new(
                Code::MalformedJson,
                "a what-if run needs `overrides`: rule values by path",
                "假设分析需要 overrides：按路径给出的规则取值",
            )
        })?;
        let overrides = Overrides::from_json(&given).map_err(invalid_overrides)?;
        let whatif = engine.whatif_raw(&content.claims, mode, &content.history).map_err(request::history_refused)?;
        let variant = whatif.variant(&overrides).map_err(invalid_overrides)?;
        let document = serde_json::json!({
            "overrides": given,
            "baseline": whatif.baseline().report.to_json(),
            "variant": variant.result.report.to_json(),
            "difference": variant.diff().to_json(),
        });
        let bytes = serde_json::to_vec(&document).map_err(|_| internal())?;
        Ok((bytes, content.claims.len()))
    };
    let (bytes, claims) = tokio::task::spawn_blocking(work).await.map_err(|_| internal())??;
    let mut response = bytes.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response.extensions_mut().insert(LogNote { claims: Some(claims), applications: None });
    Ok(response)
}

fn invalid_overrides(errors: RulesErrors) -> ApiError {
    let n = errors.errors().len();
    ApiError::new(
        Code::InvalidOverrides,
        format!("invalid overrides: {n}; each is in `errors` with its code and path"),
        format!("共 {n} 处参数调整有误，详见 errors"),
    )
    .with_errors(errors.errors().iter().map(ProblemItem::rule).collect())
}

fn internal() -> ApiError {
    ApiError::new(Code::Internal, "the service could not run the what-if", "服务无法完成假设分析")
}
