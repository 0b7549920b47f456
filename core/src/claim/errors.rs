//! What can be wrong with a claim's fields: stable codes, and messages in English and Chinese.

use super::{Field, MAX_FIELD_BYTES};
use serde::Serialize;

/// What is wrong with a claim's field. The codes are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ClaimErrorKind {
    /// A required field is absent or empty.
    MissingField,
    /// A field that claims do not have (strict mode).
    UnknownField,
    /// A field given twice in one record.
    RepeatedField,
    /// A boolean, array or object where text or a number belongs.
    WrongType,
    /// Not a calendar date written `YYYY-MM-DD`.
    BadDate,
    /// Not a plain decimal amount.
    BadMoney,
    /// A negative amount.
    NegativeMoney,
    /// More precise than the fen.
    MoneyPrecision,
    /// Above 999,999,999,999.99 yuan.
    MoneyOutOfRange,
    /// Not a whole number.
    BadInteger,
    /// A number outside its range (`months` below 1, or above 1200).
    OutOfRange,
    /// Not a level code.
    UnknownLevel,
    /// Not a group code.
    UnknownGroup,
    /// Control characters in text.
    InvalidCharacters,
    /// Text longer than 200 bytes.
    TooLong,
    /// Bytes that are not UTF-8.
    InvalidUtf8,
    /// A row that could not be read (broken quoting, too long, wrong number of fields).
    MalformedRow,
    /// The record is not an object.
    NotAnObject,
    /// The same claim id twice in one batch.
    DuplicateClaimId,
    /// A field the claim's program needs is absent.
    RequiredByProgram,
    /// A claim id a ledger already holds for a claim with other content: the id was decided
    /// once, and a second claim under it could be a second payment.
    ClaimIdReused,
}

impl ClaimErrorKind {
    /// The stable snake_case code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            ClaimErrorKind::MissingField => "missing_field",
            ClaimErrorKind::UnknownField => "unknown_field",
            ClaimErrorKind::RepeatedField => "repeated_field",
            ClaimErrorKind::WrongType => "wrong_type",
            ClaimErrorKind::BadDate => "bad_date",
            ClaimErrorKind::BadMoney => "bad_money",
            ClaimErrorKind::NegativeMoney => "negative_money",
            ClaimErrorKind::MoneyPrecision => "money_precision",
            ClaimErrorKind::MoneyOutOfRange => "money_out_of_range",
            ClaimErrorKind::BadInteger => "bad_integer",
            ClaimErrorKind::OutOfRange => "out_of_range",
            ClaimErrorKind::UnknownLevel => "unknown_level",
            ClaimErrorKind::UnknownGroup => "unknown_group",
            ClaimErrorKind::InvalidCharacters => "invalid_characters",
            ClaimErrorKind::TooLong => "too_long",
            ClaimErrorKind::InvalidUtf8 => "invalid_utf8",
            ClaimErrorKind::MalformedRow => "malformed_row",
            ClaimErrorKind::NotAnObject => "not_an_object",
            ClaimErrorKind::DuplicateClaimId => "duplicate_claim_id",
            ClaimErrorKind::RequiredByProgram => "required_by_program",
            ClaimErrorKind::ClaimIdReused => "claim_id_reused",
        }
    }

    fn messages(self, field: &str, value: Option<&str>) -> (String, String) {
        let zh_field: &str = match Field::parse(field) {
            Some(f) => f.name_zh(),
            None => field,
        };
        let got_en = value.map(|v| format!(" (got {v:?})")).unwrap_or_default();
        let got_zh = value.map(|v| format!("（实际为 {v:?}）")).unwrap_or_default();
        match self {
            ClaimErrorKind::MissingField => (format!("`{field}` is required"), format!("缺少必填字段“{zh_field}”（{field}）")),
            ClaimErrorKind::UnknownField => (
                format!("`{field}` is not a claim field (use lenient mode to ignore extra fields)"),
                format!("“{field}”不是补贴申请的字段（宽松模式下可忽略多余字段）"),
            ),
            ClaimErrorKind::RepeatedField => (
                format!("`{field}` is given more than once: which value is meant?"),
                format!("字段“{zh_field}”重复出现，无法确定取值"),
            ),
            ClaimErrorKind::WrongType => (format!("`{field}` must be text or a number{got_en}"), format!("“{zh_field}”应为文本或数字{got_zh}")),
            ClaimErrorKind::BadDate => (
                format!("`{field}` must be a calendar date written YYYY-MM-DD{got_en}"),
                format!("“{zh_field}”应为 YYYY-MM-DD 格式的有效日期{got_zh}"),
            ),
            ClaimErrorKind::BadMoney => (
                format!("`{field}` must be an amount of yuan written as a plain decimal, like 1950.00{got_en}"),
                format!("“{zh_field}”应为以元为单位的金额，如 1950.00{got_zh}"),
            ),
            ClaimErrorKind::NegativeMoney => (format!("`{field}` cannot be negative{got_en}"), format!("“{zh_field}”不能为负数{got_zh}")),
            ClaimErrorKind::MoneyPrecision => (
                format!("`{field}` is more precise than the fen (0.01 yuan){got_en}"),
                format!("“{zh_field}”精度不能超过分（0.01元）{got_zh}"),
            ),
            ClaimErrorKind::MoneyOutOfRange => (
                format!("`{field}` is above 999,999,999,999.99 yuan{got_en}"),
                format!("“{zh_field}”超出金额上限 999,999,999,999.99 元{got_zh}"),
            ),
            ClaimErrorKind::BadInteger => (format!("`{field}` must be a whole number{got_en}"), format!("“{zh_field}”应为整数{got_zh}")),
            ClaimErrorKind::OutOfRange => (
                format!("`{field}` is out of range (months from 1 to 1200; contribution months from 0){got_en}"),
                format!("“{zh_field}”超出允许范围{got_zh}"),
            ),
            ClaimErrorKind::UnknownLevel => (
                format!("`{field}` must be one of 5, 4, 3, 2, 1, S, T{got_en}"),
                format!("“{zh_field}”应为 5、4、3、2、1、S、T 之一{got_zh}"),
            ),
            ClaimErrorKind::UnknownGroup => (
                format!("`{field}` must be one of employee, unemployed, rural_migrant, graduate, low_income_family, school_leaver, other{got_en}"),
                format!("“{zh_field}”不是有效的人员类别{got_zh}"),
            ),
            ClaimErrorKind::InvalidCharacters => (format!("`{field}` contains control characters{got_en}"), format!("“{zh_field}”含有控制字符{got_zh}")),
            ClaimErrorKind::TooLong => (format!("`{field}` is longer than {MAX_FIELD_BYTES} bytes"), format!("“{zh_field}”超过 {MAX_FIELD_BYTES} 字节")),
            ClaimErrorKind::InvalidUtf8 => (format!("`{field}` is not valid UTF-8 text"), format!("“{zh_field}”不是有效的 UTF-8 文本")),
            ClaimErrorKind::MalformedRow => (format!("the row could not be read{got_en}"), format!("该行无法读取{got_zh}")),
            ClaimErrorKind::NotAnObject => (format!("a claim must be an object of fields{got_en}"), format!("补贴申请应为字段对象{got_zh}")),
            ClaimErrorKind::DuplicateClaimId => (
                format!("`{field}` appears more than once in this batch{got_en}"),
                format!("“{zh_field}”在本批次中重复{got_zh}"),
            ),
            ClaimErrorKind::RequiredByProgram => (
                format!("`{field}` is required by this claim's program"),
                format!("该补贴项目要求填写“{zh_field}”（{field}）"),
            ),
            ClaimErrorKind::ClaimIdReused => (
                format!("`{field}` was already decided in the ledger for a claim with other content; a corrected claim needs a new id{got_en}"),
                format!("“{zh_field}”已在台账中用于内容不同的申请并已作出决定；更正后的申请须使用新的编号{got_zh}"),
            ),
        }
    }
}

/// One problem with one field of a claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[non_exhaustive]
pub struct FieldError {
    /// What is wrong.
    pub code: ClaimErrorKind,
    /// The field (`""` for the record as a whole).
    pub field: String,
    /// The offending value, shortened; never shown for `person_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// English message.
    pub message_en: String,
    /// Chinese message.
    pub message_zh: String,
}

impl FieldError {
    /// An error with its messages.
    #[must_use]
    pub fn new(code: ClaimErrorKind, field: &str, value: Option<String>) -> FieldError {
        let (message_en, message_zh) = code.messages(field, value.as_deref());
        FieldError { code, field: field.to_string(), value, message_en, message_zh }
    }
}

impl From<crate::money::MoneyError> for ClaimErrorKind {
    fn from(e: crate::money::MoneyError) -> Self {
        use crate::money::MoneyError;
        match e {
            MoneyError::Negative => ClaimErrorKind::NegativeMoney,
            MoneyError::BelowFen => ClaimErrorKind::MoneyPrecision,
            MoneyError::TooLarge => ClaimErrorKind::MoneyOutOfRange,
            _ => ClaimErrorKind::BadMoney,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reused_claim_id_is_named_in_both_languages_under_its_stable_code() {
        let e = FieldError::new(ClaimErrorKind::ClaimIdReused, "claim_id", Some("WX21-0000001".into()));
        assert_eq!(e.code.code(), "claim_id_reused");
        assert_eq!(serde_json::to_value(e.code).unwrap(), "claim_id_reused");
        assert!(e.message_en.contains("already decided") && e.message_en.contains("\"WX21-0000001\""), "{}", e.message_en);
        assert!(e.message_zh.contains("申请编号") && e.message_zh.contains("新的编号"), "{}", e.message_zh);
    }
}
