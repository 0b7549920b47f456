//! The `serde` feature (issue 18): `Serialize` and `Deserialize` for the public data types, in
//! the shapes the project's JSON already has, so that what one program writes another reads
//! back equal.
//!
//! - [`Claim`]: a claim object (SPEC §6); reading one checks it as the text reader does (a
//!   claim that would be `invalid` is an error of the deserializer, with every field error).
//! - [`HistoryRecord`]: a history record with the claim's field names (SPEC §7.2), checked alike.
//! - [`Overrides`]: the override document (`{"path": value, "path": {"FROM..TO": value}}`), in
//!   order.
//! - [`Assessment`]: its record (SPEC §7.3) with the trace and estimate when it has them.
//! - [`ApplicationResult`]: `{application_id, assessment, session, schedule}`.
//! - [`BatchResult`]: `{assessments, applications, report}`, each row's assessment whole.
//! - [`Report`]: the wire form ([`Report::to_wire`], lossless and versioned), not the published
//!   report ([`Report::to_json`]), which shows derived figures and cannot be read back.
//!
//! Money is a decimal string, written and read here (two places where the record has them), not
//! through rust_decimal's own serde impl: whatever rust_decimal features the embedding program
//! turns on change nothing.

use crate::apprenticeship::{ApplicationResult, Payment, PaymentKind, Schedule};
use crate::assessment::{Assessment, Estimate};
use crate::batch::BatchResult;
use crate::calendar::{parse_date, Date, Period, YearMonth};
use crate::claim::{Claim, FieldError, FieldMode, RawClaim, RawValue};
use crate::history::HistoryRecord;
use crate::overrides::Overrides;
use crate::reasons::{Reason, Reasons, Status};
use crate::report::Report;
use crate::rules::{Fund, Payee};
use crate::trace::Trace;
use compact_str::CompactString;
use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Field errors as one deserializer error message (person ids are never shown in them).
fn field_errors<E: serde::de::Error>(what: &str, errors: &[FieldError]) -> E {
    let list: Vec<String> = errors.iter().map(|e| format!("{}: {} ({})", e.field, e.message_en, e.code.code())).collect();
    E::custom(format!("{what} does not validate: {}", list.join("; ")))
}

fn date<E: serde::de::Error>(text: &str) -> Result<Date, E> {
    parse_date(text).map_err(|e| E::custom(format!("{text:?}: {e}")))
}

fn month<E: serde::de::Error>(text: &str) -> Result<YearMonth, E> {
    YearMonth::parse(text).ok_or_else(|| E::custom(format!("{text:?} is not a month YYYY-MM")))
}

/// A field's value as JSON has it: a count as a number, anything else as its text.
struct FieldValue<'a>(&'a RawValue);

impl Serialize for FieldValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            RawValue::Number(n) => match n.parse::<u64>() {
                Ok(n) => s.serialize_u64(n),
                Err(_) => s.serialize_str(n),
            },
            RawValue::Text(t) => s.serialize_str(t),
            RawValue::Bool(b) => s.serialize_bool(*b),
            RawValue::Null | RawValue::Other(_) | RawValue::NotUtf8 => s.serialize_none(),
        }
    }
}

fn serialize_fields<'a, S: Serializer>(fields: impl Iterator<Item = (&'a str, &'a RawValue)>, s: S) -> Result<S::Ok, S::Error> {
    let fields: Vec<_> = fields.collect();
    let mut map = s.serialize_map(Some(fields.len()))?;
    for (name, value) in fields {
        map.serialize_entry(name, &FieldValue(value))?;
    }
    map.end()
}

impl Serialize for Claim {
    /// The claim object a JSON file holds (`fee_paid` as a decimal string, dates `YYYY-MM-DD`).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let raw = self.text_form();
        serialize_fields(crate::claim::Field::ALL.iter().filter_map(|f| Some((f.name(), raw.get(*f)?))), s)
    }
}

impl<'de> Deserialize<'de> for Claim {
    /// Reads a claim object and checks it as the text reader does (strict: an unknown field is
    /// an error).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Claim, D::Error> {
        let raw = RawClaim::deserialize(d)?;
        Claim::read(&raw, FieldMode::Strict).map_err(|errors| field_errors("the claim", &errors))
    }
}

impl Serialize for HistoryRecord {
    /// A history record with the claim's field names (`amount` as a decimal string).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let fields = self.text_form();
        serialize_fields(fields.iter().map(|(k, v)| (*k, v)), s)
    }
}

impl<'de> Deserialize<'de> for HistoryRecord {
    /// Reads a history record and checks it as the text reader does.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<HistoryRecord, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        HistoryRecord::from_json(&value, false).map_err(|errors| field_errors("the history record", &errors))
    }
}

impl Serialize for Overrides {
    /// The override document, one entry per override in order (a path may come twice).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Ranged<'a>(Period, &'a str);
        impl Serialize for Ranged<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry(&self.0.to_string(), self.1)?;
                map.end()
            }
        }
        let mut map = s.serialize_map(Some(self.items().len()))?;
        for o in self.items() {
            match o.range {
                Some(range) => map.serialize_entry(&o.path, &Ranged(range, &o.value))?,
                None => map.serialize_entry(&o.path, &o.value)?,
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Overrides {
    /// Reads an override document in document order ([`Overrides::from_json_str`]); its values
    /// are checked against a ruleset when applied.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Overrides, D::Error> {
        let document = crate::overrides::Document::deserialize(d)?;
        Overrides::from_document(document).map_err(|e| D::Error::custom(e.to_string()))
    }
}

impl<'de> Deserialize<'de> for Reasons {
    /// Reason codes, in any order.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Reasons, D::Error> {
        let codes = Vec::<String>::deserialize(d)?;
        let mut reasons = Reasons::NONE;
        for code in codes {
            let reason =
                Reason::ALL.iter().find(|r| r.code() == code).ok_or_else(|| D::Error::custom(format!("unknown reason {code:?}")))?;
            reasons.add(*reason);
        }
        Ok(reasons)
    }
}

/// A staged payment as the record writes it.
#[derive(Deserialize)]
struct PaymentForm {
    month: String,
    amount: String,
    kind: PaymentKind,
}

fn payments<E: serde::de::Error>(forms: Vec<PaymentForm>) -> Result<Vec<Payment>, E> {
    forms.into_iter().map(|p| Ok(Payment { month: month(&p.month)?, amount: money(&p.amount)?, kind: p.kind })).collect()
}

fn money<E: serde::de::Error>(text: &str) -> Result<Decimal, E> {
    text.parse::<Decimal>().map_err(|_| E::custom(format!("{text:?} is not an amount of yuan")))
}

/// An apprenticeship's estimate as the record writes it.
#[derive(Deserialize)]
struct EstimateForm {
    session: String,
    payments: Vec<PaymentForm>,
    final_amount: String,
}

/// The record of an assessment (SPEC §7.3) as read back.
#[derive(Deserialize)]
struct AssessmentForm {
    claim_id: CompactString,
    status: Status,
    amount: String,
    reasons: Reasons,
    errors: Vec<FieldError>,
    program: Option<CompactString>,
    fund: Option<Fund>,
    payee: Option<Payee>,
    catalogue_version: Option<CompactString>,
    payment_month: Option<String>,
    #[serde(default)]
    trace: Option<Box<Trace>>,
    #[serde(default)]
    estimate: Option<EstimateForm>,
}

impl Serialize for Assessment {
    /// Its record (SPEC §7.3), as [`Assessment::record`] gives it.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.record().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Assessment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Assessment, D::Error> {
        let f = AssessmentForm::deserialize(d)?;
        let estimate = match f.estimate {
            Some(e) => Some(Box::new(Estimate {
                session: date(&e.session)?,
                schedule: Schedule { payments: payments(e.payments)?, final_amount: money(&e.final_amount)? },
            })),
            None => None,
        };
        Ok(Assessment {
            claim_id: f.claim_id,
            status: f.status,
            amount: money(&f.amount)?,
            reasons: f.reasons,
            errors: f.errors,
            program: f.program,
            fund: f.fund,
            payee: f.payee,
            catalogue_version: f.catalogue_version,
            payment_month: f.payment_month.as_deref().map(month).transpose()?,
            trace: f.trace,
            estimate,
            ..Assessment::invalid(Vec::new())
        })
    }
}

impl Serialize for Schedule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Schedule", 2)?;
        st.serialize_field("payments", &self.payments)?;
        st.serialize_field("final_amount", &crate::money::format_yuan(self.final_amount))?;
        st.end()
    }
}

#[derive(Deserialize)]
struct ScheduleForm {
    payments: Vec<PaymentForm>,
    final_amount: String,
}

impl Serialize for ApplicationResult {
    /// `{application_id, assessment, session, schedule}`.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("ApplicationResult", 4)?;
        st.serialize_field("application_id", &self.application_id)?;
        st.serialize_field("assessment", &self.assessment)?;
        st.serialize_field("session", &self.session.map(|d| d.to_string()))?;
        st.serialize_field("schedule", &self.schedule)?;
        st.end()
    }
}

#[derive(Deserialize)]
struct ApplicationResultForm {
    application_id: CompactString,
    assessment: Assessment,
    session: Option<String>,
    schedule: Option<ScheduleForm>,
}

impl<'de> Deserialize<'de> for ApplicationResult {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ApplicationResult, D::Error> {
        let f = ApplicationResultForm::deserialize(d)?;
        let schedule = match f.schedule {
            Some(s) => Some(Schedule { payments: payments(s.payments)?, final_amount: money(&s.final_amount)? }),
            None => None,
        };
        Ok(ApplicationResult::new(&f.application_id, f.assessment, f.session.as_deref().map(date).transpose()?, schedule))
    }
}

impl Serialize for Report {
    /// The wire form ([`Report::to_wire`]): every sum and count, lossless.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_wire().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Report {
    /// Reads the wire form ([`Report::from_wire`]).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Report, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        Report::from_wire(&value).ok_or_else(|| D::Error::custom("not a report in the wire form of this version"))
    }
}

impl Serialize for BatchResult {
    /// `{assessments, applications, report}`: each row's assessment whole, in input order.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Rows<'a>(&'a BatchResult);
        impl Serialize for Rows<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq((0..self.0.len()).map(|row| self.0.assessment(row)))
            }
        }
        let mut st = s.serialize_struct("BatchResult", 3)?;
        st.serialize_field("assessments", &Rows(self))?;
        st.serialize_field("applications", &self.applications)?;
        st.serialize_field("report", &self.report)?;
        st.end()
    }
}

#[derive(Deserialize)]
struct BatchResultForm {
    assessments: Vec<Assessment>,
    applications: Vec<ApplicationResult>,
    report: Report,
}

impl<'de> Deserialize<'de> for BatchResult {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<BatchResult, D::Error> {
        let f = BatchResultForm::deserialize(d)?;
        Ok(BatchResult::from_parts(f.assessments, f.applications, f.report))
    }
}
