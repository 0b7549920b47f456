//! History (已享受补贴记录): subsidies paid before a batch, given by the caller. They count
//! toward the once-per-level rule, the annual limit and exclusivity, and those of
//! special-account programs whose `applied_on` falls in an account's period are already
//! committed against it.

use crate::calendar::Date;
use crate::claim::record::NamedFields;
use crate::claim::{ClaimErrorKind, FieldError, RawValue};
use crate::level::Level;
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
    /// The approved project (项目制), for the count of projects toward the plan's targets.
    pub project: Option<CompactString>,
    /// For an apprenticeship: its duration in months, `event_date` being its start. While it
    /// runs the person holds no second apprenticeship and the enterprise's upgrading claims for
    /// the apprentice are refused (SPEC §8), as they would be within one batch.
    pub months: Option<u32>,
}

impl HistoryRecord {
    /// The fields of a history record, as a file's columns or a JSON object's keys name them.
    pub const FIELDS: [&'static str; 10] =
        ["person_id", "program", "enterprise_id", "occupation", "level", "event_date", "applied_on", "amount", "project", "months"];

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
            project: None,
            months: None,
        }
    }

    /// Reads a record from named fields (a JSON object's entries or a CSV row). Unknown fields
    /// are errors unless `lenient`. On failure, returns every field error.
    pub fn parse<'a>(fields: impl IntoIterator<Item = (&'a str, &'a RawValue)>, lenient: bool) -> Result<HistoryRecord, Vec<FieldError>> {
        let mut f = NamedFields::read(&HistoryRecord::FIELDS, fields, lenient);
        let person_id = f.text(0, true);
        let program = f.text(1, true);
        let enterprise_id = f.text(2, false);
        let occupation = f.text(3, false);
        let level = f.level(4, false);
        let event_date = f.date(5, true);
        let applied_on = f.date(6, true);
        let amount = f.money(7, true);
        let project = f.text(8, false);
        let months = f.count(9, false, 1);
        let errors = f.errors;
        match (person_id, program, event_date, applied_on, amount) {
            (Some(person_id), Some(program), Some(event_date), Some(applied_on), Some(amount)) if errors.is_empty() => {
                Ok(HistoryRecord { person_id, program, enterprise_id, occupation, level, event_date, applied_on, amount, project, months })
            }
            _ => Err(errors),
        }
    }

    /// Checks the record's fields as [`HistoryRecord::parse`] checks them when read from text (a
    /// negative `amount` or one finer than the fen, an empty `person_id`, `months` of 0 …): the
    /// record as that reader holds it (text trimmed), or every field error.
    pub fn checked(&self) -> Result<HistoryRecord, Vec<FieldError>> {
        let fields = self.text_form();
        HistoryRecord::parse(fields.iter().map(|(k, v)| (*k, v)), false)
    }

    /// The record's fields as a JSON object would give them.
    pub(crate) fn text_form(&self) -> Vec<(&'static str, RawValue)> {
        let text = |s: &CompactString| RawValue::Text(s.to_string());
        let mut fields = vec![
            ("person_id", text(&self.person_id)),
            ("program", text(&self.program)),
            ("event_date", RawValue::Text(self.event_date.to_string())),
            ("applied_on", RawValue::Text(self.applied_on.to_string())),
            ("amount", RawValue::Text(self.amount.to_string())),
        ];
        for (name, value) in [("enterprise_id", &self.enterprise_id), ("occupation", &self.occupation), ("project", &self.project)] {
            if let Some(v) = value {
                fields.push((name, text(v)));
            }
        }
        if let Some(level) = self.level {
            fields.push(("level", RawValue::Text(level.code().into())));
        }
        if let Some(months) = self.months {
            fields.push(("months", RawValue::Number(months.to_string())));
        }
        fields
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
