//! Errors as RFC 9457 problem details (`application/problem+json`), each with a stable `code`.
//!
//! A client switches on `code` (the same snake_case codes as everywhere else: a claim's field
//! errors carry `code`, `field`, `message_en`, `message_zh`; an override's carry `code`, `path`,
//! `message`). `title` and `detail` are for people, in English or, when the request's
//! `Accept-Language` prefers it, Chinese. No message repeats a value from the request except
//! the claim field errors' own `value`, which the core never gives for `person_id`.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use skill_subsidy::{FieldError, RulesError};
use utoipa::ToSchema;

/// The media type of a problem.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// What went wrong with a request, by stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// The body is not JSON, or not the JSON this endpoint takes.
    MalformedJson,
    /// The body (or a part of it) cannot be read as the format its type names.
    MalformedBody,
    /// A query parameter has a value the endpoint does not take.
    BadQuery,
    /// The claim's fields are malformed (`errors` lists them).
    InvalidClaim,
    /// The claim names a program the ruleset does not have.
    UnknownProgram,
    /// A history record is malformed (`errors` lists them).
    InvalidHistory,
    /// A what-if override names a missing path or has a bad value (`errors` lists them).
    InvalidOverrides,
    /// The body is larger than the server takes.
    BodyTooLarge,
    /// The body's `Content-Type` is not one the endpoint reads.
    UnsupportedMediaType,
    /// None of the types in `Accept` can be written.
    NotAcceptable,
    /// No such endpoint.
    NotFound,
    /// The endpoint does not take this method.
    MethodNotAllowed,
    /// The request took longer than the server's time limit.
    Timeout,
    /// A fault of the server (logged with the request id).
    Internal,
}

impl Code {
    /// The stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Code::MalformedJson => "malformed_json",
            Code::MalformedBody => "malformed_body",
            Code::BadQuery => "bad_query",
            Code::InvalidClaim => "invalid_claim",
            Code::UnknownProgram => "unknown_program",
            Code::InvalidHistory => "invalid_history",
            Code::InvalidOverrides => "invalid_overrides",
            Code::BodyTooLarge => "body_too_large",
            Code::UnsupportedMediaType => "unsupported_media_type",
            Code::NotAcceptable => "not_acceptable",
            Code::NotFound => "not_found",
            Code::MethodNotAllowed => "method_not_allowed",
            Code::Timeout => "timeout",
            Code::Internal => "internal",
        }
    }

    fn status(self) -> StatusCode {
        match self {
            Code::MalformedJson | Code::MalformedBody | Code::BadQuery => StatusCode::BAD_REQUEST,
            Code::InvalidClaim | Code::UnknownProgram | Code::InvalidHistory | Code::InvalidOverrides => StatusCode::UNPROCESSABLE_ENTITY,
            Code::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Code::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Code::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
            Code::NotFound => StatusCode::NOT_FOUND,
            Code::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Code::Timeout => StatusCode::SERVICE_UNAVAILABLE,
            Code::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The short title, in English and Chinese.
    fn title(self) -> (&'static str, &'static str) {
        match self {
            Code::MalformedJson => ("The body is not the JSON this endpoint takes", "请求体不是本接口接受的 JSON"),
            Code::MalformedBody => ("The body cannot be read", "无法读取请求体"),
            Code::BadQuery => ("A query parameter is not valid", "查询参数无效"),
            Code::InvalidClaim => ("The claim is invalid", "补贴申请信息有误"),
            Code::UnknownProgram => ("The program is not in the ruleset", "补贴项目不在本规则中"),
            Code::InvalidHistory => ("A history record is invalid", "已享受补贴记录有误"),
            Code::InvalidOverrides => ("The overrides are invalid", "假设分析的参数调整有误"),
            Code::BodyTooLarge => ("The body is too large", "请求体过大"),
            Code::UnsupportedMediaType => ("The body's media type is not supported", "不支持该请求体类型"),
            Code::NotAcceptable => ("No acceptable response type", "无法提供所要求的响应类型"),
            Code::NotFound => ("No such endpoint", "接口不存在"),
            Code::MethodNotAllowed => ("Method not allowed", "不支持该请求方法"),
            Code::Timeout => ("The request took too long", "请求处理超时"),
            Code::Internal => ("Internal error", "服务内部错误"),
        }
    }
}

/// Language of `title` and `detail`, from `Accept-Language`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Chinese, when `Accept-Language` names `zh` before `en`.
    Zh,
}

impl Lang {
    /// The language a request prefers: the first of `zh` and `en` in `Accept-Language` (quality
    /// values aside: clients that send both put their choice first).
    pub fn of(headers: &HeaderMap) -> Lang {
        let Some(value) = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()) else { return Lang::En };
        for tag in value.split(',') {
            let tag = tag.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
            if tag == "zh" || tag.starts_with("zh-") {
                return Lang::Zh;
            }
            if tag == "en" || tag.starts_with("en-") {
                return Lang::En;
            }
        }
        Lang::En
    }

    fn pick(self, (en, zh): (&str, &str)) -> String {
        match self {
            Lang::En => en.to_string(),
            Lang::Zh => zh.to_string(),
        }
    }
}

/// An error in an RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Problem)]
pub struct Problem {
    /// `urn:skill-subsidy:problem:` and the code.
    #[serde(rename = "type")]
    #[schema(example = "urn:skill-subsidy:problem:invalid_claim")]
    pub problem_type: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    #[schema(example = 422)]
    pub status: u16,
    /// What is wrong with this request.
    pub detail: String,
    /// The stable code (the last part of `type`).
    #[schema(example = "invalid_claim")]
    pub code: String,
    /// The id of the request, as in the `x-request-id` header and the server's log.
    pub request_id: String,
    /// The claim's field errors (`invalid_claim`, `unknown_program`, `invalid_history`) or the
    /// overrides' errors (`invalid_overrides`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemItem>,
}

/// One error inside a problem: a field of a claim or history record (`code`, `field`,
/// `message_en`, `message_zh`; `value` and `location` when known), or an override (`code`,
/// `path`, `message`). One flat type, so that generated clients get one class.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ProblemItem {
    /// Stable snake_case code: a claim error (`missing_field`, `bad_date`, `negative_money`, …,
    /// `unknown_program`) or an override error (`unknown_path`, `bad_override`).
    #[schema(example = "bad_date")]
    pub code: String,
    /// The claim or history field (`""` for the record as a whole).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "event_date")]
    pub field: Option<String>,
    /// The offending value, shortened; never given for `person_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// What is wrong with the field, in English.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_en: Option<String>,
    /// What is wrong with the field, in Chinese.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_zh: Option<String>,
    /// Where a history record is in the request (`record 3`, `line 3`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The override's rule path (`programs.skills_training.amounts.3`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// What is wrong with the override, in English.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl ProblemItem {
    /// A claim's or history record's field error, `location` where the record is.
    pub fn field(e: &FieldError, location: Option<String>) -> ProblemItem {
        ProblemItem {
            code: e.code.code().to_string(),
            field: Some(e.field.clone()),
            value: e.value.clone(),
            message_en: Some(e.message_en.clone()),
            message_zh: Some(e.message_zh.clone()),
            location,
            ..ProblemItem::default()
        }
    }

    /// An override's error.
    pub fn rule(e: &RulesError) -> ProblemItem {
        ProblemItem {
            code: e.kind.code().to_string(),
            path: Some(e.path.clone()),
            message: Some(e.message.clone()),
            ..ProblemItem::default()
        }
    }
}

/// A problem on its way to becoming a response: the code, the detail in both languages, and
/// the items. The request's language and id are added by [`ApiError::into_problem`].
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: Code,
    detail: (String, String),
    errors: Vec<ProblemItem>,
}

impl ApiError {
    /// A problem with its detail in English and Chinese.
    pub fn new(code: Code, en: impl Into<String>, zh: impl Into<String>) -> ApiError {
        ApiError { code, detail: (en.into(), zh.into()), errors: Vec::new() }
    }

    /// The problem with its items.
    pub fn with_errors(mut self, errors: Vec<ProblemItem>) -> ApiError {
        self.errors = errors;
        self
    }

    /// The document sent, in `lang`, for request `request_id`.
    pub fn into_problem(self, lang: Lang, request_id: &str) -> Problem {
        Problem {
            problem_type: format!("urn:skill-subsidy:problem:{}", self.code.code()),
            title: lang.pick(self.code.title()),
            status: self.code.status().as_u16(),
            detail: lang.pick((&self.detail.0, &self.detail.1)),
            code: self.code.code().to_string(),
            request_id: request_id.to_string(),
            errors: self.errors,
        }
    }
}

/// Handlers return `ApiError`; the response carries it in an extension until the request
/// middleware ([`super::app`]) renders it in the request's language with the request's id.
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.code.status().into_response();
        response.extensions_mut().insert(self);
        response
    }
}

impl Problem {
    /// The response: status, `application/problem+json`, the document.
    pub fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, body).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_chosen_only_when_it_comes_before_english() {
        let with = |v: &'static str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static(v));
            Lang::of(&h)
        };
        assert_eq!(with("zh-CN,zh;q=0.9,en;q=0.8"), Lang::Zh);
        assert_eq!(with("en-US,zh;q=0.5"), Lang::En);
        assert_eq!(with("fr"), Lang::En);
        assert_eq!(Lang::of(&HeaderMap::new()), Lang::En);
    }

    #[test]
    fn every_code_has_its_status_and_the_type_ends_with_the_code() {
        let p = ApiError::new(Code::BodyTooLarge, "big", "大").into_problem(Lang::Zh, "r1");
        assert_eq!((p.status, p.code.as_str(), p.detail.as_str()), (413, "body_too_large", "大"));
        assert!(p.problem_type.ends_with(":body_too_large"));
    }
}
