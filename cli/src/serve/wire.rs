//! The types on the wire, as the OpenAPI document describes them (`/openapi.json`).
//!
//! Requests are *described* here, not deserialised into these types: a claim is read as raw
//! fields and checked by the core (`RawClaim`, `FieldMode`), as every file of the command line
//! is, so no request skips a field check. Money is a decimal string (`"3000.00"`, exact), dates
//! are `YYYY-MM-DD`. A claim, history record or application also takes money and counts as JSON
//! numbers (their exact text is kept); the document shows the string form, which generated
//! clients should send. Responses are written by the core's records; tests check that every
//! member they write is described here, and that the claim's fields are the core's.
//!
//! Codes (reasons, error codes, step ids) are strings, not enums: a ruleset or a later version
//! may add one, and a client must not fail on it.

// These types exist for their schemas only; the service never builds them.
#![allow(dead_code)]

use super::problem::Problem;
use std::collections::BTreeMap;
use utoipa::{IntoResponses, ToSchema};

/// A claim (补贴申请, SPEC §6): one request for one program for one person. Unknown members
/// make a claim invalid unless `fields=lenient`.
#[derive(ToSchema)]
#[schema(as = Claim)]
#[serde(deny_unknown_fields)]
pub struct ClaimIn {
    /// Unique within a batch.
    #[schema(min_length = 1, max_length = 200, example = "WX2021-000123")]
    claim_id: String,
    /// A program id of the ruleset (`GET /v1/rules` lists them).
    #[schema(min_length = 1, max_length = 200, example = "skills_training")]
    program: String,
    /// Opaque id of the trainee (may be a resident ID number): never logged, never repeated in
    /// an error.
    #[schema(min_length = 1, max_length = 200)]
    person_id: String,
    /// The employer, for enterprise-paid programs.
    #[schema(min_length = 1, max_length = 200)]
    enterprise_id: Option<String>,
    /// `employee` (default), `unemployed`, `rural_migrant`, `graduate`, `low_income_family`,
    /// `school_leaver`, `other`.
    #[schema(pattern = "^(employee|unemployed|rural_migrant|graduate|low_income_family|school_leaver|other)$", example = "employee")]
    group: Option<String>,
    /// 市（县）区, for reports.
    #[schema(min_length = 1, max_length = 200)]
    district: Option<String>,
    /// Occupation code, for level tables and apprenticeships.
    #[schema(min_length = 1, max_length = 200, example = "6-18-02-04")]
    occupation: Option<String>,
    /// Skill level: `5` `4` `3` `2` `1` `S` `T`.
    #[schema(pattern = "^[54321ST]$", example = "3")]
    level: Option<String>,
    /// Certificate, hire or completion date: picks the catalogue version.
    #[schema(value_type = String, format = Date, example = "2021-08-02")]
    event_date: String,
    /// Application date: claim window, annual limit, queue order, payment month.
    #[schema(value_type = String, format = Date, example = "2021-08-20")]
    applied_on: String,
    /// Training institution id.
    #[schema(min_length = 1, max_length = 200, example = "WX-JG-001")]
    institution: Option<String>,
    /// Fee actually paid, yuan, at most two decimals.
    #[schema(pattern = r"^[0-9]{1,12}(\.[0-9]{1,2}0*)?$", example = "3000.00")]
    fee_paid: Option<String>,
    /// Months claimed (以工代训).
    #[schema(minimum = 1, maximum = 1200)]
    months: Option<u32>,
    /// Months of unemployment-insurance contributions (技能提升补贴).
    #[schema(minimum = 0, maximum = 1200)]
    ui_contribution_months: Option<u32>,
    /// Approved project id (项目制培训).
    #[schema(min_length = 1, max_length = 200)]
    project: Option<String>,
    /// The evaluation institution (评价机构) that certified the level, where the ruleset keeps
    /// a catalogue of them.
    #[schema(min_length = 1, max_length = 200)]
    evaluator: Option<String>,
}

/// A subsidy paid before (已享受补贴记录): it counts toward the limits of later claims.
#[derive(ToSchema)]
#[schema(as = HistoryRecord)]
#[serde(deny_unknown_fields)]
pub struct HistoryIn {
    #[schema(min_length = 1, max_length = 200)]
    person_id: String,
    #[schema(min_length = 1, max_length = 200)]
    program: String,
    #[schema(min_length = 1, max_length = 200)]
    enterprise_id: Option<String>,
    #[schema(min_length = 1, max_length = 200)]
    occupation: Option<String>,
    #[schema(pattern = "^[54321ST]$")]
    level: Option<String>,
    #[schema(value_type = String, format = Date)]
    event_date: String,
    #[schema(value_type = String, format = Date)]
    applied_on: String,
    /// Yuan paid.
    #[schema(pattern = r"^[0-9]{1,12}(\.[0-9]{1,2}0*)?$", example = "2000.00")]
    amount: String,
    /// The approved project (项目制培训), counted toward the plan's targets.
    #[schema(min_length = 1, max_length = 200)]
    project: Option<String>,
    /// An apprenticeship's months: it is held while it runs (one at a time).
    #[schema(minimum = 1, maximum = 1200)]
    months: Option<u32>,
}

/// An apprenticeship application (企业新型学徒制, SPEC §8), reviewed at the bimonthly session,
/// with its outcome when known.
#[derive(ToSchema)]
#[schema(as = Application)]
#[serde(deny_unknown_fields)]
pub struct ApplicationIn {
    #[schema(min_length = 1, max_length = 200)]
    application_id: String,
    #[schema(min_length = 1, max_length = 200)]
    enterprise_id: String,
    #[schema(min_length = 1, max_length = 200)]
    person_id: String,
    #[schema(min_length = 1, max_length = 200)]
    occupation: String,
    /// `4`, `3`, `2` or `1`.
    #[schema(pattern = "^[4321]$")]
    target_level: String,
    #[schema(value_type = String, format = Date)]
    start_date: String,
    /// 12 to 24.
    #[schema(minimum = 12, maximum = 24)]
    months: u32,
    #[schema(value_type = String, format = Date)]
    submitted_on: String,
    #[schema(min_length = 1, max_length = 200)]
    institution: String,
    #[schema(min_length = 1, max_length = 200)]
    district: Option<String>,
    /// `completed_certified`, `completed_uncertified` or `withdrawn`.
    #[schema(pattern = "^(completed_certified|completed_uncertified|withdrawn)$")]
    outcome: Option<String>,
    /// Required for a withdrawal.
    #[schema(value_type = Option<String>, format = Date)]
    outcome_date: Option<String>,
}

/// A batch in one JSON object. (A batch may also come as `text/csv` or `application/x-ndjson`
/// claims alone, or as a `multipart/form-data` form with the files `claims`, `history` and
/// `applications`.)
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    claims: Vec<ClaimIn>,
    /// Earlier subsidies; every record must be valid.
    history: Option<Vec<HistoryIn>>,
    /// Apprenticeship applications, reviewed in the same batch.
    applications: Option<Vec<ApplicationIn>>,
}

/// A what-if run: the claims under the rules as they are and as changed.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatIfRequest {
    /// Rule values by path: `{"shortage.rate": "0.20"}`, or by date range:
    /// `{"programs.skills_training.amounts.3": {"2021-07-01..2021-12-31": "2200"}}`.
    #[schema(value_type = Object, example = json!({"shortage.rate": "0.20"}))]
    overrides: BTreeMap<String, serde_json::Value>,
    claims: Vec<ClaimIn>,
    history: Option<Vec<HistoryIn>>,
}

/// `approved`, `rejected` or `invalid`.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum Status {
    Approved,
    Rejected,
    Invalid,
}

/// One claim's answer (SPEC §7.3).
#[derive(ToSchema)]
pub struct AssessmentRecord {
    claim_id: String,
    status: Status,
    /// Yuan, two decimals; `"0.00"` unless approved.
    #[schema(example = "2600.00")]
    amount: String,
    /// Reason codes of a rejection, in check order (`unknown_program`, `annual_limit_reached`, …).
    reasons: Vec<String>,
    /// Field errors of an invalid claim.
    errors: Vec<FieldErrorOut>,
    program: Option<String>,
    /// `special_account`, `unemployment_insurance` or `employment_fund`.
    fund: Option<String>,
    /// `individual` or `enterprise`.
    payee: Option<String>,
    /// The catalogue version in force on `event_date`.
    catalogue_version: Option<String>,
    /// `YYYY-MM`, approved claims only.
    #[schema(example = "2021-09")]
    payment_month: Option<String>,
    /// The explanation (always from `/v1/assess`; in a batch with `trace=true`).
    trace: Option<Trace>,
    /// An apprenticeship assessed alone: an estimate of its review (SPEC §8).
    estimate: Option<Estimate>,
}

/// What an apprenticeship assessed alone would get at its review: an estimate, since it is
/// approved only at the bimonthly session (会审), in order, with the account.
#[derive(ToSchema)]
pub struct Estimate {
    /// Always `true`.
    estimate: bool,
    /// The review session it would reach.
    #[schema(value_type = String, format = Date)]
    session: String,
    /// Its staged payments if approved there (no outcome yet: completed with a certificate).
    payments: Vec<Payment>,
    /// What the enterprise would be paid in the end, yuan.
    final_amount: String,
}

/// What is wrong with one field of a claim.
#[derive(ToSchema)]
#[schema(as = FieldError)]
pub struct FieldErrorOut {
    /// Stable code (`missing_field`, `bad_date`, `negative_money`, …).
    code: String,
    /// The field (`""` for the record as a whole).
    field: String,
    /// The offending value, shortened; never given for `person_id`.
    value: Option<String>,
    message_en: String,
    message_zh: String,
}

/// The explanation of an assessment (docs/trace.md), versioned.
#[derive(ToSchema)]
pub struct Trace {
    trace_version: u32,
    ruleset: String,
    catalogue_version: Option<String>,
    steps: Vec<Step>,
}

/// `pass`, `fail` (a check) or `info` (a value computed or looked up).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum StepOutcome {
    Pass,
    Fail,
    Info,
}

/// How far a rule value is supported by its source.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum Confidence {
    Confirmed,
    Inferred,
    Illustrative,
}

/// One step of an explanation.
#[derive(ToSchema)]
pub struct Step {
    /// Stable step id (`program`, `catalogue`, `base_amount`, `shortage_uplift`, `fee_cap`, …).
    step: String,
    outcome: StepOutcome,
    /// The rule path read (the path a what-if override uses).
    rule: Option<String>,
    /// Citation key(s) of the rule (`S9`, `seed:附件2/2`).
    citation: Option<String>,
    /// Title and document number of the first cited source.
    document: Option<String>,
    url: Option<String>,
    confidence: Option<Confidence>,
    before: Option<String>,
    after: Option<String>,
    note_en: String,
    note_zh: String,
    /// Cross-claim steps only: what counted — the batch's earlier claims and applications (by
    /// id) and history records (by line), or for `budget` the claim at which the account closed.
    #[schema(required = false)]
    counted: Vec<Counted>,
}

/// Something a cross-claim check counted.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum Counted {
    /// A claim of the batch, by id.
    Claim(String),
    /// An apprenticeship application of the batch, by id.
    Application(String),
    /// A history record, by its line (or position from 1).
    History(u32),
}

/// One staged payment of an apprenticeship.
#[derive(ToSchema)]
pub struct Payment {
    #[schema(example = "2021-05")]
    month: String,
    /// Yuan; negative for a recovery.
    amount: String,
    /// `advance`, `settlement` or `recovery`.
    kind: String,
}

/// One apprenticeship application's answer: its review and payments.
#[derive(ToSchema)]
pub struct ApplicationRecord {
    application_id: String,
    status: Status,
    /// Committed at the session, yuan.
    amount: String,
    reasons: Vec<String>,
    errors: Vec<FieldErrorOut>,
    program: Option<String>,
    fund: Option<String>,
    payee: Option<String>,
    catalogue_version: Option<String>,
    /// The review session's date.
    #[schema(value_type = Option<String>, format = Date)]
    session: Option<String>,
    /// Approved applications: the staged payments.
    payments: Option<Vec<Payment>>,
    /// Approved applications: what the enterprise is paid in the end.
    final_amount: Option<String>,
    trace: Option<Trace>,
}

/// A batch's answer. Streamed: records come as they are written. With
/// `Accept: application/x-ndjson` the same comes as lines `{"claim": …}`, then
/// `{"application": …}`, then one `{"report": …}`.
#[derive(ToSchema)]
pub struct BatchResponse {
    /// One record per claim, in input order.
    claims: Vec<AssessmentRecord>,
    /// One per application, in input order.
    applications: Vec<ApplicationRecord>,
    report: Report,
}

/// The batch report (SPEC §9; shape in docs/report.md): counts by status and reason, approved
/// amounts by program, level, district, fund, occupation and month, the special account,
/// payments by month, targets and projection.
#[derive(ToSchema)]
pub struct Report(BTreeMap<String, serde_json::Value>);

/// The baseline and variant reports of a what-if run, and their difference by the same keys.
#[derive(ToSchema)]
pub struct WhatIfResponse {
    /// The overrides applied.
    #[schema(value_type = Object)]
    overrides: BTreeMap<String, serde_json::Value>,
    baseline: Report,
    variant: Report,
    /// Baseline, variant and delta by the report's keys.
    #[schema(value_type = Object)]
    difference: BTreeMap<String, serde_json::Value>,
}

/// The service is up, and which rules it serves.
#[derive(ToSchema, serde::Serialize)]
pub struct Health {
    /// `ok`.
    pub status: &'static str,
    /// The ruleset served.
    #[schema(example = "wuxi-2021")]
    pub ruleset: String,
    /// The service's version.
    pub version: &'static str,
}

/// The problems a `POST` endpoint answers with, as `application/problem+json` (the endpoint's
/// description says which codes it gives).
#[derive(IntoResponses)]
pub enum Problems {
    /// `malformed_json`, `malformed_body`, `bad_query`.
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// `body_too_large`: one claim over 64 KiB, a batch or what-if over `--max-body`.
    #[response(status = 413, content_type = "application/problem+json")]
    TooLarge(Problem),
    /// `unsupported_media_type`.
    #[response(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Problem),
    /// `invalid_claim` or `unknown_program` (one claim), `invalid_history` (a batch),
    /// `invalid_overrides` (what-if); each error in `errors`.
    #[response(status = 422, content_type = "application/problem+json")]
    Unprocessable(Problem),
    /// `timeout`.
    #[response(status = 503, content_type = "application/problem+json")]
    Timeout(Problem),
}
