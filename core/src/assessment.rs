//! Assessments (审核结果): the engine's answer for one claim, and its record (SPEC §7.3).

use crate::calendar::YearMonth;
use crate::claim::FieldError;
use crate::engine::{Engine, VersionRef};
use crate::money::format_yuan;
use crate::reasons::{Reasons, Status};
use crate::trace::Trace;
use rust_decimal::Decimal;
use serde::Serialize;

/// The answer for one claim. Compact (no strings on the fast path): the record
/// ([`Engine::record`]) adds the names.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Assessment {
    /// Approved, rejected or invalid.
    pub status: Status,
    /// Rounded to the fen; zero unless approved.
    pub amount: Decimal,
    /// Reasons in check order; empty when approved.
    pub reasons: Reasons,
    /// Field errors of an invalid claim.
    pub errors: Vec<FieldError>,
    /// Index of the program in the engine, when the program was found.
    pub(crate) program: Option<u16>,
    /// The catalogue version used, when one was found.
    pub catalogue_version: Option<VersionRef>,
    /// Month of payment, for approved claims.
    pub payment_month: Option<YearMonth>,
    /// The explanation, when asked for.
    pub trace: Option<Box<Trace>>,
    /// For an apprenticeship assessed alone: an estimate of its review (the session it would
    /// reach and its staged payments). It is approved only at that session (SPEC §8).
    pub estimate: Option<Box<Estimate>>,
}

/// What an apprenticeship assessed on its own would get at its review (SPEC §8): an estimate,
/// since approval happens only at the session, in order, with the account and any quota.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Estimate {
    /// The review session (会审) the application would reach.
    pub session: crate::calendar::Date,
    /// Its staged payments if approved there, with no outcome yet (completed with a certificate).
    pub schedule: crate::apprenticeship::Schedule,
}

impl Assessment {
    pub(crate) fn invalid(errors: Vec<FieldError>) -> Assessment {
        Assessment {
            status: Status::Invalid,
            amount: Decimal::ZERO,
            reasons: Reasons::NONE,
            errors,
            program: None,
            catalogue_version: None,
            payment_month: None,
            trace: None,
            estimate: None,
        }
    }

    pub(crate) fn rejected(program: Option<u16>, reasons: Reasons, version: Option<VersionRef>) -> Assessment {
        Assessment {
            status: Status::Rejected,
            amount: Decimal::ZERO,
            reasons,
            errors: Vec::new(),
            program,
            catalogue_version: version,
            payment_month: None,
            trace: None,
            estimate: None,
        }
    }

    pub(crate) fn approved(program: u16, amount: Decimal, version: Option<VersionRef>, month: YearMonth) -> Assessment {
        Assessment {
            status: Status::Approved,
            amount,
            reasons: Reasons::NONE,
            errors: Vec::new(),
            program: Some(program),
            catalogue_version: version,
            payment_month: Some(month),
            trace: None,
            estimate: None,
        }
    }

    /// Whether the claim is approved.
    #[must_use]
    pub fn is_approved(&self) -> bool {
        self.status == Status::Approved
    }
}

/// The record of an assessment as JSON, JSON Lines and CSV carry it.
#[derive(Debug, Clone, Serialize)]
pub struct AssessmentRecord<'a> {
    /// As given.
    pub claim_id: &'a str,
    /// `approved`, `rejected` or `invalid`.
    pub status: Status,
    /// Two decimal places when written; `"0.00"` unless approved.
    #[serde(serialize_with = "serialize_yuan")]
    pub amount: Decimal,
    /// Reason codes in check order.
    pub reasons: Reasons,
    /// Field errors of an invalid claim.
    pub errors: &'a [FieldError],
    /// Program id, when found.
    pub program: Option<&'a str>,
    /// Fund, when the program was found.
    pub fund: Option<&'static str>,
    /// Payee, when the program was found.
    pub payee: Option<&'static str>,
    /// Catalogue version id, when one was found.
    pub catalogue_version: Option<&'a str>,
    /// `YYYY-MM`, approved claims only.
    #[serde(serialize_with = "serialize_opt_month")]
    pub payment_month: Option<YearMonth>,
    /// The explanation, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<&'a Trace>,
    /// An apprenticeship assessed alone: the session it would reach and its staged payments,
    /// an estimate.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "serialize_estimate")]
    pub estimate: Option<&'a Estimate>,
}

impl<'a> AssessmentRecord<'a> {
    pub(crate) fn new(engine: &'a Engine, claim_id: &'a str, a: &'a Assessment) -> AssessmentRecord<'a> {
        let program = engine.program_of(a);
        AssessmentRecord {
            claim_id,
            status: a.status,
            amount: a.amount,
            reasons: a.reasons,
            errors: &a.errors,
            program: program.map(|p| p.id.as_str()),
            fund: program.map(|p| p.fund.code()),
            payee: program.map(|p| p.payee.code()),
            catalogue_version: a.catalogue_version.map(|v| engine.version_id(v)),
            payment_month: a.payment_month,
            trace: a.trace.as_deref(),
            estimate: a.estimate.as_deref(),
        }
    }

    /// The CSV row: the same columns, reasons joined with `;`, errors as `field:code` joined
    /// with `;`, no trace.
    #[must_use]
    pub fn csv_row(&self) -> [String; 10] {
        let mut row: [String; 10] = Default::default();
        self.write_csv_row(&mut row);
        row
    }

    /// Writes the CSV row into `row`, reusing its strings (no allocation once they are grown).
    pub fn write_csv_row(&self, row: &mut [String; 10]) {
        use std::fmt::Write as _;
        for cell in row.iter_mut() {
            cell.clear();
        }
        row[0].push_str(self.claim_id);
        row[1].push_str(self.status.code());
        if self.amount.scale() == 2 {
            let _ = write!(row[2], "{}", self.amount);
        } else {
            row[2].push_str(&format_yuan(self.amount));
        }
        for (i, r) in self.reasons.iter().enumerate() {
            if i > 0 {
                row[3].push(';');
            }
            row[3].push_str(r.code());
        }
        for (i, e) in self.errors.iter().enumerate() {
            let _ = write!(row[4], "{}{}:{}", if i > 0 { ";" } else { "" }, e.field, e.code.code());
        }
        row[5].push_str(self.program.unwrap_or_default());
        row[6].push_str(self.fund.unwrap_or_default());
        row[7].push_str(self.payee.unwrap_or_default());
        row[8].push_str(self.catalogue_version.unwrap_or_default());
        if let Some(m) = self.payment_month {
            let _ = write!(row[9], "{m}");
        }
    }

    /// The CSV header matching [`AssessmentRecord::csv_row`].
    pub const CSV_HEADER: [&'static str; 10] =
        ["claim_id", "status", "amount", "reasons", "errors", "program", "fund", "payee", "catalogue_version", "payment_month"];
}

pub(crate) fn serialize_yuan<S: serde::Serializer>(amount: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_yuan(*amount))
}

pub(crate) fn serialize_month<S: serde::Serializer>(month: &YearMonth, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(month)
}

fn serialize_opt_month<S: serde::Serializer>(month: &Option<YearMonth>, s: S) -> Result<S::Ok, S::Error> {
    match month {
        Some(m) => s.collect_str(m),
        None => s.serialize_none(),
    }
}

fn serialize_estimate<S: serde::Serializer>(estimate: &Option<&Estimate>, s: S) -> Result<S::Ok, S::Error> {
    match estimate {
        Some(e) => serde_json::json!({
            "estimate": true,
            "session": e.session.to_string(),
            "payments": e.schedule.payments,
            "final_amount": format_yuan(e.schedule.final_amount),
        })
        .serialize(s),
        None => s.serialize_none(),
    }
}
