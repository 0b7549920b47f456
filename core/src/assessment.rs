//! Assessments (审核结果): the engine's answer for one claim, and its record (SPEC §7.3).

use crate::calendar::YearMonth;
use crate::claim::FieldError;
use crate::engine::VersionRef;
use crate::money::format_yuan;
use crate::reasons::{Reasons, Status};
use crate::rules::{Fund, Payee};
use crate::trace::Trace;
use compact_str::CompactString;
use rust_decimal::Decimal;
use serde::Serialize;

/// The answer for one claim, complete in itself: its claim id, program, fund, payee and
/// catalogue version are named, so it can be read, stored or sent without the [`Engine`] that
/// made it ([`Assessment::record`] is its record, SPEC §7.3).
///
/// The names are small strings kept inline (no allocation for ids up to 24 bytes), so making
/// and cloning one costs no more than copying it. A batch keeps one assessment for all the
/// rows that share it ([`BatchResult`](crate::BatchResult)), not one a claim.
///
/// [`Engine`]: crate::Engine
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Assessment {
    /// The claim's id as given (an application's id, for an apprenticeship application).
    pub claim_id: CompactString,
    /// Approved, rejected or invalid.
    pub status: Status,
    /// Rounded to the fen; zero unless approved.
    pub amount: Decimal,
    /// Reasons in check order; empty when approved.
    pub reasons: Reasons,
    /// Field errors of an invalid claim.
    pub errors: Vec<FieldError>,
    /// The program's id, when the program was found.
    pub program: Option<CompactString>,
    /// The fund that pays the program, when it was found.
    pub fund: Option<Fund>,
    /// Who the program pays, when it was found.
    pub payee: Option<Payee>,
    /// The id of the catalogue version used (`2021-q2`), when one was found.
    pub catalogue_version: Option<CompactString>,
    /// Month of payment, for approved claims.
    pub payment_month: Option<YearMonth>,
    /// The explanation, when asked for.
    pub trace: Option<Box<Trace>>,
    /// For an apprenticeship assessed alone: an estimate of its review (the session it would
    /// reach and its staged payments). It is approved only at that session (SPEC §8).
    pub estimate: Option<Box<Estimate>>,
    /// The program's index in the engine that made it (its names are above).
    pub(crate) program_index: Option<u16>,
    /// The catalogue version's indices in the engine's ruleset.
    pub(crate) version: Option<VersionRef>,
}

/// Equal when every field shown is equal (the engine's own indices aside): an assessment read
/// back from its record equals the one written.
impl PartialEq for Assessment {
    fn eq(&self, other: &Assessment) -> bool {
        let (a, b) = (self, other);
        (&a.claim_id, a.status, a.amount, a.reasons, &a.errors, &a.program, a.fund, a.payee, &a.catalogue_version, a.payment_month)
            == (&b.claim_id, b.status, b.amount, b.reasons, &b.errors, &b.program, b.fund, b.payee, &b.catalogue_version, b.payment_month)
            && a.trace == b.trace
            && a.estimate == b.estimate
    }
}

impl Eq for Assessment {}

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
            claim_id: CompactString::default(),
            status: Status::Invalid,
            amount: Decimal::ZERO,
            reasons: Reasons::NONE,
            errors,
            program: None,
            fund: None,
            payee: None,
            catalogue_version: None,
            payment_month: None,
            trace: None,
            estimate: None,
            program_index: None,
            version: None,
        }
    }

    pub(crate) fn rejected(program: Option<u16>, reasons: Reasons, version: Option<VersionRef>) -> Assessment {
        Assessment { status: Status::Rejected, reasons, program_index: program, version, ..Assessment::invalid(Vec::new()) }
    }

    pub(crate) fn approved(program: u16, amount: Decimal, version: Option<VersionRef>, month: YearMonth) -> Assessment {
        Assessment {
            status: Status::Approved,
            amount,
            program_index: Some(program),
            version,
            payment_month: Some(month),
            ..Assessment::invalid(Vec::new())
        }
    }

    /// Whether the claim is approved.
    #[must_use]
    pub fn is_approved(&self) -> bool {
        self.status == Status::Approved
    }

    /// The record of the assessment (SPEC §7.3), ready to serialise as JSON, JSON Lines or
    /// CSV ([`AssessmentRecord::csv_row`]).
    ///
    /// ```
    /// use skill_subsidy::{Engine, Ruleset, Claim, calendar::parse_date};
    /// let engine = Engine::new(Ruleset::wuxi_2021()?);
    /// let claim = Claim::new("C1", "pre_job", "P1", parse_date("2021-05-10")?, parse_date("2021-05-20")?);
    /// let assessment = engine.assess(&claim);
    /// let record = assessment.record();
    /// assert_eq!((record.claim_id, record.program, record.fund), ("C1", Some("pre_job"), Some("special_account")));
    /// # Ok::<(), skill_subsidy::Error>(())
    /// ```
    #[must_use]
    pub fn record(&self) -> AssessmentRecord<'_> {
        AssessmentRecord {
            claim_id: &self.claim_id,
            status: self.status,
            amount: self.amount,
            reasons: self.reasons,
            errors: &self.errors,
            program: self.program.as_deref(),
            fund: self.fund.map(Fund::code),
            payee: self.payee.map(Payee::code),
            catalogue_version: self.catalogue_version.as_deref(),
            payment_month: self.payment_month,
            trace: self.trace.as_deref(),
            estimate: self.estimate.as_deref(),
        }
    }
}

/// The record of an assessment as JSON, JSON Lines and CSV carry it ([`Assessment::record`]).
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct AssessmentRecord<'a> {
    /// As given (a row of a table batch has its id in the table: set it here).
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
    /// The record under another claim id: a row of a table batch, whose id is in the table.
    #[must_use]
    pub fn with_claim_id(mut self, claim_id: &'a str) -> AssessmentRecord<'a> {
        self.claim_id = claim_id;
        self
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
