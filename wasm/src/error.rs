//! Every error the browser module hands to JavaScript, in one place (as polars'
//! `polars-python/src/error.rs` maps its errors for Python).
//!
//! Nothing is thrown: errors are data in the returned object, each with a stable snake_case
//! code. There are three families, one shape each:
//!
//! - a claim's field errors ([`FieldError`], the core's own): `{code, field, value?,
//!   message_en, message_zh}`, in the record of an `invalid` claim (SPEC §7.3);
//! - rules and what-if override errors ([`RulesErrors`], the core's own): `{code, file, path,
//!   line, message}`;
//! - problems with the arguments themselves ([`InputError`], this module's): `{code, field,
//!   value?, message_en, message_zh}`, like a field error; a history record's errors add its
//!   `index`.

use serde::Serialize;
use serde_json::{json, Value};
use skill_subsidy::{ClaimErrorKind, FieldError, RulesErrors};

/// A problem with an argument of a module function (not with a claim's fields).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    /// A list was expected (`claims`, `history`).
    NotAnArray {
        /// The argument.
        field: &'static str,
    },
    /// An object was expected (`overrides`, the files of a ruleset).
    NotAnObject {
        /// The argument.
        field: &'static str,
    },
    /// A `YYYY-MM-DD` date that exists was expected (`catalogue(date)`).
    BadDate {
        /// The argument.
        field: &'static str,
        /// What was given, shortened.
        value: String,
    },
    /// The value could not be written as JSON (a cycle, a getter that throws).
    NotJson {
        /// The argument.
        field: &'static str,
    },
}

impl InputError {
    /// The stable code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            InputError::NotAnArray { .. } => "not_an_array",
            InputError::NotAnObject { .. } => "not_an_object",
            InputError::BadDate { .. } => "bad_date",
            InputError::NotJson { .. } => "not_json",
        }
    }

    /// `{code, field, value?, message_en, message_zh}`.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let (field, value, en, zh) = match self {
            InputError::NotAnArray { field } => (*field, None, format!("`{field}` must be an array"), format!("“{field}”应为数组")),
            InputError::NotAnObject { field } => (*field, None, format!("`{field}` must be an object"), format!("“{field}”应为对象")),
            InputError::BadDate { field, value } => (
                *field,
                Some(value.as_str()),
                format!("`{field}` must be a calendar date written YYYY-MM-DD (got {value:?})"),
                format!("“{field}”应为 YYYY-MM-DD 格式的有效日期（实际为 {value:?}）"),
            ),
            InputError::NotJson { field } => (
                *field,
                None,
                format!("`{field}` cannot be read as JSON (a cycle, or a value that throws when read)"),
                format!("“{field}”无法读取为 JSON（存在循环引用或读取时出错）"),
            ),
        };
        let mut out = json!({ "code": self.code(), "field": field, "message_en": en, "message_zh": zh });
        if let (Some(v), Value::Object(m)) = (value, &mut out) {
            m.insert("value".into(), Value::String(v.to_string()));
        }
        out
    }
}

/// A list of input errors.
#[must_use]
pub fn input_errors(errors: &[InputError]) -> Value {
    Value::Array(errors.iter().map(InputError::to_json).collect())
}

/// The record error of a claim that could not be read as JSON: it is `invalid`, like any
/// record that is not an object (the core's `not_an_object`, for the record as a whole).
#[must_use]
pub fn claim_not_json() -> FieldError {
    FieldError::new(ClaimErrorKind::NotAnObject, "", Some("a value that cannot be read as JSON".into()))
}

/// A history record's field errors, each with the record's position in `history`.
#[must_use]
pub fn history_errors(index: usize, errors: &[FieldError]) -> Vec<Value> {
    errors
        .iter()
        .map(|e| {
            let mut v = to_json(e);
            if let Value::Object(m) = &mut v {
                m.insert("index".into(), Value::from(index));
                m.insert("field".into(), Value::String(format!("history[{index}].{}", e.field).trim_end_matches('.').to_string()));
            }
            v
        })
        .collect()
}

/// Rules or override errors: `[{code, file, path, line, message}]`.
#[must_use]
pub fn rules_errors(errors: &RulesErrors) -> Value {
    to_json(errors)
}

/// Override errors (`[{code, file, path, line, message}]`) as a claim's field errors, for the
/// record of a claim assessed under a bad override document: field `overrides`, the path as
/// the value.
#[must_use]
pub fn overrides_as_field_errors(rules_errors: &Value) -> Value {
    let list = rules_errors.as_array().map(Vec::as_slice).unwrap_or_default();
    Value::Array(
        list.iter()
            .map(|e| {
                let message = e["message"].as_str().unwrap_or_default();
                json!({ "code": e["code"], "field": "overrides", "value": e["path"],
                        "message_en": format!("what-if override {}: {message}", e["path"].as_str().unwrap_or_default()),
                        "message_zh": format!("假设分析参数“{}”有误：{message}", e["path"].as_str().unwrap_or_default()) })
            })
            .collect(),
    )
}

/// Writes a value that the core defines as JSON text (see [`to_json`] on why it cannot fail).
#[must_use]
pub fn to_text<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| internal(&e).to_string())
}

fn internal(e: &serde_json::Error) -> Value {
    json!({ "errors": [{ "code": "internal", "field": "", "message_en": format!("could not serialise the result: {e}"),
                         "message_zh": "结果无法序列化" }] })
}

/// Serialises a value that the core defines. The core's records, traces and errors serialise
/// without fail (string keys, no custom errors); should one ever fail, the failure comes back
/// as data, not as a panic.
#[must_use]
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or_else(|e| internal(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_errors_carry_a_code_the_argument_and_both_languages() {
        let e = InputError::BadDate { field: "date", value: "2021-02-30".into() }.to_json();
        assert_eq!(e["code"], "bad_date");
        assert_eq!(e["field"], "date");
        assert_eq!(e["value"], "2021-02-30");
        assert!(e["message_zh"].as_str().unwrap().contains("YYYY-MM-DD"));
        assert!(InputError::NotAnArray { field: "claims" }.to_json().get("value").is_none());
    }

    #[test]
    fn a_history_error_names_the_record_it_belongs_to() {
        let errors = [FieldError::new(ClaimErrorKind::BadMoney, "amount", Some("NaN".into()))];
        let out = history_errors(2, &errors);
        assert_eq!(out[0]["index"], 2);
        assert_eq!(out[0]["field"], "history[2].amount");
        assert_eq!(out[0]["code"], "bad_money");
        let whole = history_errors(0, &[FieldError::new(ClaimErrorKind::NotAnObject, "", None)]);
        assert_eq!(whole[0]["field"], "history[0]");
    }
}
