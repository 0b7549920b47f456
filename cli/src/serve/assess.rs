//! `POST /v1/assess`: one claim, assessed alone, with its explanation.
//!
//! A claim assessed alone is checked as one claim (SPEC §7.1): the cross-claim limits need a
//! batch. An invalid claim, or one for a program the ruleset does not have, is a problem
//! (422) rather than an answer: the request itself is wrong (the claim schema at `/v1/schema`
//! lists the programs). In a batch the same claim is a record, `invalid` or
//! `rejected: unknown_program`, since a batch drops no row.

use super::app::Shared;
use super::body::{self, Kind};
use super::params::Params;
use super::problem::{ApiError, Code, ProblemItem};
use super::wire;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use skill_subsidy::Reason;
use skill_subsidy::{FieldMode, RawClaim, Status};

/// Assess one claim.
#[utoipa::path(
    post,
    path = "/v1/assess",
    operation_id = "assess",
    tag = "claims",
    params(Params),
    request_body(content = wire::ClaimIn, content_type = "application/json"),
    responses(
        (status = 200, description = "The claim's record, `approved` or `rejected`, with its trace", body = wire::AssessmentRecord),
        wire::Problems,
    )
)]
pub async fn handle(
    State(state): State<Shared>,
    query: Result<Query<Params>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let params = Params::read(query)?;
    body::kind(&headers, &[Kind::Json])?;
    let limit = state.limits.max_claim_body;
    body::check_length(&headers, limit)?;
    let bytes = body::read_all(body, limit).await?;
    let raw: RawClaim = serde_json::from_slice(&bytes).map_err(|e| {
        let what = crate::input::json_problem(&e);
        ApiError::new(
            Code::MalformedJson,
            format!("the body is not a JSON claim object: {what}"),
            format!("请求体不是 JSON 格式的补贴申请：{what}"),
        )
    })?;
    let engine = &state.engine;
    let assessment = engine.assess_raw(&raw, params.field_mode().unwrap_or(FieldMode::Strict), true);
    if assessment.status == Status::Invalid {
        let n = assessment.errors.len();
        return Err(ApiError::new(
            Code::InvalidClaim,
            format!("field errors: {n}; each is in `errors` with its code"),
            format!("共 {n} 处字段错误，详见 errors"),
        )
        .with_errors(assessment.errors.iter().map(|e| ProblemItem::field(e, None)).collect()));
    }
    if assessment.reasons.contains(Reason::UnknownProgram) {
        let item = ProblemItem {
            code: Reason::UnknownProgram.code().to_string(),
            field: Some("program".into()),
            message_en: Some(Reason::UnknownProgram.message_en().into()),
            message_zh: Some(Reason::UnknownProgram.message_zh().into()),
            ..ProblemItem::default()
        };
        return Err(ApiError::new(
            Code::UnknownProgram,
            "the program is not in the ruleset; GET /v1/rules lists its programs",
            "补贴项目不在本规则中；可用项目见 GET /v1/rules",
        )
        .with_errors(vec![item]));
    }
    let id = raw.claim_id_text();
    let json = serde_json::to_vec(&assessment.record().with_claim_id(&id))
        .map_err(|_| ApiError::new(Code::Internal, "the record could not be written", "无法生成审核结果"))?;
    let mut response = json.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(response)
}
