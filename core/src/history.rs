//! History (已享受补贴记录): subsidies paid before a batch, given by the caller. They count
//! toward the once-per-level rule, the annual limit and exclusivity, and those of
//! special-account programs whose `applied_on` falls in an account's period are already
//! committed against it.

use crate::calendar::{parse_date, Date};
use crate::claim::{ClaimErrorKind, FieldError, RawValue};
use crate::level::Level;
use crate::money::{parse_money, MoneyError};
use compact_str::CompactString;
use rust_decimal::Decimal;

/// One subsidy paid earlier, with the claim's field names (SPEC §7.2).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HistoryRecord {
    /// The person subsidised.
    pub person_id: CompactString,
    /// The program that paid.
    pub program: CompactString,
    /// The employer, for enterprise-paid programs.
    pub enterprise_id: Option<CompactString>,
    /// The occupation, for certificate subsidies.
    pub occupation: Option<CompactString>,
    /// The level, for certificate subsidies.
    pub level: Option<Level>,
    /// The certificate, hire or completion date.
    pub event_date: Date,
    /// The application date.
    pub applied_on: Date,
    /// What was paid, in yuan.
    pub amount: Decimal,
}

/// The fields of a history record.
pub const HISTORY_FIELDS: [&str; 8] =
    ["person_id", "program", "enterprise_id", "occupation", "level", "event_date", "applied_on", "amount"];

impl HistoryRecord {
    /// A record with its required fields.
    #[must_use]
    pub fn new(person_id: &str, program: &str, event_date: Date, applied_on: Date, amount: Decimal) -> HistoryRecord {
        HistoryRecord {
            person_id: person_id.into(),
            program: program.into(),
            enterprise_id: None,
            occupation: None,
            level: None,
            event_date,
            applied_on,
            amount,
        }
    }

    /// Reads a record from named fields (a JSON object's entries or a CSV row). Unknown fields
    /// are errors unless `lenient`. On failure, returns every field error.
    pub fn parse<'a>(fields: impl IntoIterator<Item = (&'a str, &'a RawValue)>, lenient: bool) -> Result<HistoryRecord, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut values: [Option<&RawValue>; 8] = [None; 8];
        for (name, value) in fields {
            match HISTORY_FIELDS.iter().position(|f| *f == name) {
                Some(i) => values[i] = Some(value),
                None if lenient => {}
                None => errors.push(FieldError::new(ClaimErrorKind::UnknownField, name, None)),
            }
        }
        let text = |i: usize, required: bool, errors: &mut Vec<FieldError>| -> Option<CompactString> {
            let name = HISTORY_FIELDS[i];
            match values[i] {
                None | Some(RawValue::Null) => None,
                Some(RawValue::Text(s) | RawValue::Number(s)) if s.trim().is_empty() => None,
                Some(RawValue::Text(s) | RawValue::Number(s))
                    if s.len() > crate::claim::MAX_FIELD_BYTES || s.chars().any(char::is_control) =>
                {
                    errors.push(FieldError::new(ClaimErrorKind::InvalidCharacters, name, None));
                    return None;
                }
                Some(RawValue::Text(s) | RawValue::Number(s)) => Some(CompactString::from(s.trim())),
                Some(RawValue::NotUtf8) => {
                    errors.push(FieldError::new(ClaimErrorKind::InvalidUtf8, name, None));
                    return None;
                }
                Some(_) => {
                    errors.push(FieldError::new(ClaimErrorKind::WrongType, name, None));
                    return None;
                }
            }
            .or_else(|| {
                if required {
                    errors.push(FieldError::new(ClaimErrorKind::MissingField, name, None));
                }
                None
            })
        };
        let person_id = text(0, true, &mut errors);
        let program = text(1, true, &mut errors);
        let enterprise_id = text(2, false, &mut errors);
        let occupation = text(3, false, &mut errors);
        let level = text(4, false, &mut errors).and_then(|l| {
            let level = Level::parse(&l);
            if level.is_none() {
                errors.push(FieldError::new(ClaimErrorKind::UnknownLevel, "level", Some(l.to_string())));
            }
            level
        });
        let date = |i: usize, errors: &mut Vec<FieldError>| {
            let t = text(i, true, errors)?;
            let d = parse_date(&t);
            if d.is_none() {
                errors.push(FieldError::new(ClaimErrorKind::BadDate, HISTORY_FIELDS[i], Some(t.to_string())));
            }
            d
        };
        let event_date = date(5, &mut errors);
        let applied_on = date(6, &mut errors);
        let amount = text(7, true, &mut errors).and_then(|t| match parse_money(&t) {
            Ok(a) => Some(a),
            Err(e) => {
                let kind = match e {
                    MoneyError::Negative => ClaimErrorKind::NegativeMoney,
                    MoneyError::BelowFen => ClaimErrorKind::MoneyPrecision,
                    MoneyError::TooLarge => ClaimErrorKind::MoneyOutOfRange,
                    _ => ClaimErrorKind::BadMoney,
                };
                errors.push(FieldError::new(kind, "amount", Some(t.to_string())));
                None
            }
        });
        match (person_id, program, event_date, applied_on, amount) {
            (Some(person_id), Some(program), Some(event_date), Some(applied_on), Some(amount)) if errors.is_empty() => {
                Ok(HistoryRecord { person_id, program, enterprise_id, occupation, level, event_date, applied_on, amount })
            }
            _ => Err(errors),
        }
    }

    /// Reads a record from a JSON object.
    pub fn from_json(value: &serde_json::Value, lenient: bool) -> Result<HistoryRecord, Vec<FieldError>> {
        let Some(map) = value.as_object() else {
            return Err(vec![FieldError::new(ClaimErrorKind::NotAnObject, "", None)]);
        };
        let values: Vec<(&str, RawValue)> = map.iter().map(|(k, v)| (k.as_str(), RawValue::from_json(v))).collect();
        HistoryRecord::parse(values.iter().map(|(k, v)| (*k, v)), lenient)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_history_record_reads_like_a_claim_and_reports_every_error() {
        let ok = serde_json::json!({"person_id": "P1", "program": "skills_training", "occupation": "6-18-02-04", "level": "3",
                                    "event_date": "2021-03-01", "applied_on": "2021-03-10", "amount": "2000.00"});
        let record = HistoryRecord::from_json(&ok, false).unwrap();
        assert_eq!(record.level, Some(Level::L3));
        let bad = serde_json::json!({"person_id": "P1", "program": "x", "event_date": "2021-02-30", "applied_on": "2021-03-10", "amount": "NaN", "colour": 1});
        let codes: Vec<&str> = HistoryRecord::from_json(&bad, false).unwrap_err().iter().map(|e| e.code.code()).collect();
        assert_eq!(codes, ["unknown_field", "bad_date", "bad_money"]);
    }
}
