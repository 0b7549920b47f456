//! Enterprise apprenticeships (企业新型学徒制): applications reviewed at the bimonthly joint
//! sessions (每双月学徒制会审), approved in order while the account (and any quota) allows, paid
//! in stages — an advance after the session, the settlement after the end — by outcome.
//!
//! An application is reviewed as a claim of the apprenticeship program dated at its session:
//! the same catalogue, institution, level and duration checks apply, and the amount is the
//! program's rate × months / 12, rounded once. Approvals then enter the batch's
//! first-come-first-served queue at the session date (SPEC §8).

use crate::assessment::Assessment;
use crate::calendar::{add_months, Date, YearMonth};
use crate::claim::record::NamedFields;
use crate::claim::{Claim, ClaimErrorKind, FieldError, RawValue};
use crate::engine::steps::note;
use crate::engine::Engine;
use crate::level::Level;
use crate::money::round_to_fen;
use crate::reasons::Reason;
use crate::rules::{Calculation, Program, ReviewRules};
use crate::trace::{StepId, StepOutcome, Trace, Tracer};
use compact_str::CompactString;
use rust_decimal::Decimal;
use serde::Serialize;

/// How an apprenticeship ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OutcomeKind {
    /// Completed with a certificate at the target level: the full amount.
    CompletedCertified,
    /// Completed without it: the uncertified share of the amount (S26).
    CompletedUncertified,
    /// Left before the end: the advance is recovered and the rest released.
    Withdrawn,
}

impl OutcomeKind {
    /// The code used in files.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            OutcomeKind::CompletedCertified => "completed_certified",
            OutcomeKind::CompletedUncertified => "completed_uncertified",
            OutcomeKind::Withdrawn => "withdrawn",
        }
    }

    /// Reads an outcome code.
    #[must_use]
    pub fn parse(code: &str) -> Option<OutcomeKind> {
        [OutcomeKind::CompletedCertified, OutcomeKind::CompletedUncertified, OutcomeKind::Withdrawn].into_iter().find(|o| o.code() == code)
    }
}

/// An outcome and its date (the withdrawal date for `withdrawn`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Outcome {
    /// What happened.
    pub kind: OutcomeKind,
    /// When (required for a withdrawal).
    pub date: Option<Date>,
}

impl Outcome {
    /// An outcome and its date (the withdrawal date for `withdrawn`; a file must give it, and a
    /// withdrawal built without one has its advance recovered the month after the session).
    #[must_use]
    pub fn new(kind: OutcomeKind, date: Option<Date>) -> Outcome {
        Outcome { kind, date }
    }
}

/// An apprenticeship application (学徒制申请).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Application {
    /// Unique within a batch.
    pub application_id: CompactString,
    /// The employer, which is paid.
    pub enterprise_id: CompactString,
    /// The apprentice.
    pub person_id: CompactString,
    /// Occupation trained for.
    pub occupation: CompactString,
    /// Target level (4, 3, 2 or 1).
    pub target_level: Level,
    /// First day of training.
    pub start_date: Date,
    /// Duration in months.
    pub months: u32,
    /// When the enterprise submitted it.
    pub submitted_on: Date,
    /// The training institution (企校双师).
    pub institution: CompactString,
    /// District, for reports.
    pub district: Option<CompactString>,
    /// How it ended, when known.
    pub outcome: Option<Outcome>,
}

impl Application {
    /// The fields of an application, as a file's columns or a JSON object's keys name them.
    pub const FIELDS: [&'static str; 12] = [
        "application_id",
        "enterprise_id",
        "person_id",
        "occupation",
        "target_level",
        "start_date",
        "months",
        "submitted_on",
        "institution",
        "district",
        "outcome",
        "outcome_date",
    ];

    /// An application that could not be read, standing in for it in a batch's results.
    pub(crate) fn placeholder(application_id: &str) -> Application {
        Application {
            application_id: application_id.into(),
            enterprise_id: CompactString::default(),
            person_id: CompactString::default(),
            occupation: CompactString::default(),
            target_level: Level::L4,
            start_date: Date::MIN,
            months: 0,
            submitted_on: Date::MIN,
            institution: CompactString::default(),
            district: None,
            outcome: None,
        }
    }

    /// The last day of training: `start_date` + `months`, less a day.
    #[must_use]
    pub fn end_date(&self) -> Date {
        add_months(self.start_date, self.months).and_then(|d| d.pred_opt()).unwrap_or(Date::MAX)
    }

    /// Reads an application from named fields (a JSON object's entries or a CSV row). Unknown
    /// fields are errors unless `lenient`. On failure, returns every field error; the value of
    /// `person_id` never appears in one.
    pub fn parse<'a>(fields: impl IntoIterator<Item = (&'a str, &'a RawValue)>, lenient: bool) -> Result<Application, Vec<FieldError>> {
        let mut f = NamedFields::read(&Application::FIELDS, fields, lenient);
        let application_id = f.text(0, true);
        let enterprise_id = f.text(1, true);
        let person_id = f.text(2, true);
        let occupation = f.text(3, true);
        let target_level = f.level(4, true);
        let start_date = f.date(5, true);
        let months = f.count(6, true, 1);
        let submitted_on = f.date(7, true);
        let institution = f.text(8, true);
        let district = f.text(9, false);
        let outcome_kind = f.parsed(10, false, ClaimErrorKind::WrongType, OutcomeKind::parse);
        let outcome_date = f.date(11, false);
        if outcome_kind == Some(OutcomeKind::Withdrawn) && outcome_date.is_none() && !f.given(11) {
            f.errors.push(FieldError::new(ClaimErrorKind::MissingField, "outcome_date", None));
        }
        // A date without the outcome it dates is not an outcome that can be applied.
        if outcome_date.is_some() && outcome_kind.is_none() && !f.errors.iter().any(|e| e.field == "outcome") {
            f.errors.push(FieldError::new(ClaimErrorKind::MissingField, "outcome", None));
        }
        let errors = f.errors;
        match (application_id, enterprise_id, person_id, occupation, target_level, start_date, months, submitted_on, institution) {
            (Some(a), Some(e), Some(p), Some(o), Some(l), Some(s), Some(m), Some(sub), Some(i)) if errors.is_empty() => Ok(Application {
                application_id: a,
                enterprise_id: e,
                person_id: p,
                occupation: o,
                target_level: l,
                start_date: s,
                months: m,
                submitted_on: sub,
                institution: i,
                district,
                outcome: outcome_kind.map(|kind| Outcome { kind, date: outcome_date }),
            }),
            _ => Err(errors),
        }
    }

    /// Checks the application's fields as [`Application::parse`] checks them when read from text
    /// (a `months` of 0, an empty id, text with control characters …): the application as that
    /// reader holds it, or every field error.
    pub fn checked(&self) -> Result<Application, Vec<FieldError>> {
        let text = |s: &CompactString| RawValue::Text(s.to_string());
        let mut fields = vec![
            ("application_id", text(&self.application_id)),
            ("enterprise_id", text(&self.enterprise_id)),
            ("person_id", text(&self.person_id)),
            ("occupation", text(&self.occupation)),
            ("target_level", RawValue::Text(self.target_level.code().into())),
            ("start_date", RawValue::Text(self.start_date.to_string())),
            ("months", RawValue::Number(self.months.to_string())),
            ("submitted_on", RawValue::Text(self.submitted_on.to_string())),
            ("institution", text(&self.institution)),
        ];
        if let Some(d) = &self.district {
            fields.push(("district", text(d)));
        }
        if let Some(o) = self.outcome {
            fields.push(("outcome", RawValue::Text(o.kind.code().into())));
            if let Some(d) = o.date {
                fields.push(("outcome_date", RawValue::Text(d.to_string())));
            }
        }
        Application::parse(fields.iter().map(|(k, v)| (*k, v)), false)
    }

    /// Reads an application from a JSON object.
    pub fn from_json(value: &serde_json::Value, lenient: bool) -> Result<Application, Vec<FieldError>> {
        let Some(map) = value.as_object() else {
            return Err(vec![FieldError::new(ClaimErrorKind::NotAnObject, "", None)]);
        };
        let values: Vec<(&str, RawValue)> = map.iter().map(|(k, v)| (k.as_str(), RawValue::from_json(v))).collect();
        Application::parse(values.iter().map(|(k, v)| (*k, v)), lenient)
    }

    /// The id as given, for results of applications that fail validation.
    #[must_use]
    pub fn id_of<'a>(fields: impl IntoIterator<Item = (&'a str, &'a RawValue)>) -> String {
        fields
            .into_iter()
            .find(|(k, _)| *k == "application_id")
            .and_then(|(_, v)| match v {
                RawValue::Text(s) | RawValue::Number(s) => Some(s.clone()),
                _ => None,
            })
            .unwrap_or_default()
    }
}

/// What a payment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PaymentKind {
    /// Paid the month after the session.
    Advance,
    /// Paid the month after the training ends.
    Settlement,
    /// The advance recovered the month after a withdrawal (a negative payment).
    Recovery,
}

/// One staged payment to the enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Payment {
    /// The month it is paid in.
    #[serde(serialize_with = "crate::assessment::serialize_month")]
    pub month: YearMonth,
    /// Yuan; negative for a recovery.
    #[serde(serialize_with = "crate::assessment::serialize_yuan")]
    pub amount: Decimal,
    /// Which stage.
    pub kind: PaymentKind,
}

/// The staged payments of an approved apprenticeship, and the amount finally paid.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Schedule {
    /// Payments in month order (their sum is `final_amount`).
    pub payments: Vec<Payment>,
    /// What the enterprise is paid in the end (the forecast without an outcome).
    pub final_amount: Decimal,
}

impl Payment {
    /// A payment as recorded (a ledger's record of an earlier batch).
    #[must_use]
    pub fn new(month: YearMonth, amount: Decimal, kind: PaymentKind) -> Payment {
        Payment { month, amount, kind }
    }
}

impl Schedule {
    /// A schedule as recorded (a ledger's record of an earlier batch): its payments and the
    /// amount finally paid.
    #[must_use]
    pub fn new(payments: Vec<Payment>, final_amount: Decimal) -> Schedule {
        Schedule { payments, final_amount }
    }
}

impl Engine {
    /// The first apprenticeship program of the ruleset, with its review rules.
    pub(crate) fn apprenticeship_program(&self) -> Option<(u16, &Program, &ReviewRules)> {
        self.rules.programs.iter().enumerate().find_map(|(i, p)| match &p.calculation {
            Calculation::Apprenticeship { review, .. } => {
                self.program_index.get(&p.id).or(Some(i as u16)).map(|idx| (idx, p, review.as_ref()))
            }
            _ => None,
        })
    }

    /// The session an application is reviewed at: the first at least the cut-off after it was
    /// submitted.
    #[must_use]
    pub fn review_session(&self, submitted_on: Date) -> Option<Date> {
        let (_, _, review) = self.apprenticeship_program()?;
        let cutoff = crate::engine::compile::count(self.base_values[review.cutoff_days.0 as usize]);
        let earliest = submitted_on.checked_add_days(chrono::Days::new(u64::from(cutoff)))?;
        review.sessions.value.iter().copied().find(|s| *s >= earliest)
    }

    /// Reviews one application on its own (everything but the order of the queue, the person's
    /// other apprenticeships, the quota and the account): its session, and its eligibility and
    /// amount as a claim of the apprenticeship program on the session date.
    #[must_use]
    pub fn review_application(&self, app: &Application, explain: bool) -> (Assessment, Option<Date>) {
        let (a, session) = self.review_unnamed(app, explain);
        (self.named(&app.application_id, a), session)
    }

    fn review_unnamed(&self, app: &Application, explain: bool) -> (Assessment, Option<Date>) {
        let Some((_, program, _)) = self.apprenticeship_program() else {
            return (Assessment::rejected(None, Reason::UnknownProgram.into(), None), None);
        };
        let mut claim = Claim::new(&app.application_id, &program.id, &app.person_id, app.start_date, app.submitted_on);
        claim.enterprise_id = Some(app.enterprise_id.clone());
        claim.occupation = Some(app.occupation.clone());
        claim.level = Some(app.target_level);
        claim.institution = Some(app.institution.clone());
        claim.months = Some(app.months);
        claim.district = app.district.clone();
        if explain {
            let mut trace = Trace::new(&self.rules.id);
            let (mut a, session) = self.review_at_session(&claim, &mut trace);
            a.trace = Some(Box::new(trace));
            (a, session)
        } else {
            self.review_at_session(&claim, &mut crate::trace::NoTrace)
        }
    }

    /// Reviews a claim of the apprenticeship program as an application submitted on its
    /// `applied_on`: the first session at least the cut-off later, then the per-claim checks and
    /// the amount on the session date. Apprenticeship payments are staged, so the assessment
    /// has no payment month.
    pub(crate) fn review_at_session<T: Tracer>(&self, claim: &Claim, t: &mut T) -> (Assessment, Option<Date>) {
        let Some((index, _, review)) = self.apprenticeship_program() else {
            return (Assessment::rejected(None, Reason::UnknownProgram.into(), None), None);
        };
        let Some(date) = self.review_session(claim.applied_on) else {
            t.step(|| {
                let last = review.sessions.value.last().map(ToString::to_string).unwrap_or_default();
                self.rule_step(
                    StepId::ReviewSession,
                    StepOutcome::Fail,
                    Some(review.sessions.path.clone()),
                    Some(&review.sessions.citation),
                    (Some(claim.applied_on.to_string()), None),
                    note!("Submitted {}: too late for the last session ({last}) after the cut-off", claim.applied_on; "{} 提交，已赶不上最后一次会审（{last}）", claim.applied_on),
                )
            });
            return (Assessment::rejected(Some(index), Reason::NoReviewSession.into(), None), None);
        };
        t.step(|| {
            self.param_step(
                StepId::ReviewSession,
                StepOutcome::Pass,
                review.cutoff_days,
                crate::engine::compile::Values::plain(&self.base_values),
                (Some(claim.applied_on.to_string()), Some(date.to_string())),
                note!("Submitted {}: reviewed at the session of {date} (the first at least the cut-off later)", claim.applied_on;
                      "{} 提交，安排在 {date} 的学徒制会审", claim.applied_on),
            )
        });
        let mut at_session = claim.clone();
        at_session.event_date = date;
        at_session.applied_on = date;
        let mut a = self.run_plain(&at_session, crate::engine::Dated::Session, t);
        a.payment_month = None;
        (a, Some(date))
    }

    /// An apprenticeship claim assessed alone (the estimate form, `assess` of one claim): what
    /// its review would give — the session, the amount and the staged payments — marked as an
    /// estimate, since approval happens only at the session (SPEC §8). Its payment month is the
    /// advance's.
    pub(crate) fn estimate_apprenticeship<T: Tracer>(&self, claim: &Claim, t: &mut T) -> Assessment {
        let (mut a, session) = self.review_at_session(claim, t);
        let (Some(session), crate::reasons::Status::Approved) = (session, a.status) else { return a };
        let mut app = Application::placeholder(&claim.claim_id);
        app.start_date = claim.event_date;
        app.months = claim.months.unwrap_or_default();
        app.occupation = claim.occupation.clone().unwrap_or_default();
        app.target_level = claim.level.unwrap_or(Level::L4);
        let schedule = self.schedule(&app, session, a.amount);
        a.payment_month = schedule.payments.first().map(|p| p.month);
        t.step(|| {
            let payments: Vec<String> = schedule.payments.iter().map(|p| format!("{} {}", p.month, crate::money::format_yuan(p.amount))).collect();
            self.rule_step(
                StepId::ReviewSession,
                StepOutcome::Info,
                None,
                None,
                (None, Some(session.to_string())),
                note!("An estimate: the apprenticeship is approved only at the session of {session}, in order with the others; if approved it is paid {}", payments.join(", ");
                      "此为测算：学徒制须经 {session} 学徒制会审按序批准；批准后按 {} 分期拨付", payments.join("、")),
            )
        });
        a.estimate = Some(Box::new(crate::assessment::Estimate { session, schedule }));
        a
    }

    /// The staged payments of an approved application of `amount`, reviewed at `session`.
    #[must_use]
    pub fn schedule(&self, app: &Application, session: Date, amount: Decimal) -> Schedule {
        let Some((index, program, review)) = self.apprenticeship_program() else {
            return Schedule { payments: Vec::new(), final_amount: Decimal::ZERO };
        };
        // The values in force at the session (a ranged what-if may change them mid-year).
        let segment = self.programs.get(usize::from(index)).map(|p| p.segment(session));
        let number = |id: crate::rules::ParamId| segment.map_or_else(|| self.base_values[id.0 as usize].number(), |s| s.number(id));
        // One year's rate at the target level (the table's row for the occupation's category).
        let rate = match &program.calculation {
            Calculation::Apprenticeship { rates, .. } => {
                let category = self
                    .rules
                    .catalogue(program.occupation_catalogue.as_deref().unwrap_or_default())
                    .and_then(|c| c.version_on(session))
                    .and_then(|v| v.occupations().iter().find(|o| o.code == app.occupation.as_str()).and_then(|o| o.category.clone()));
                rates.row(category.as_deref()).and_then(|row| row[app.target_level.index()]).map(number).unwrap_or_default()
            }
            _ => Decimal::ZERO,
        };
        let advance = round_to_fen(rate * number(review.advance_share)).min(amount);
        let after = |d: Date| YearMonth::of(d).plus(1);
        let mut payments = vec![Payment { month: after(session), amount: advance, kind: PaymentKind::Advance }];
        let final_amount = match app.outcome.map(|o| o.kind) {
            Some(OutcomeKind::Withdrawn) => {
                let month = app.outcome.and_then(|o| o.date).map_or(after(session), after).max(after(session));
                payments.push(Payment { month, amount: -advance, kind: PaymentKind::Recovery });
                Decimal::ZERO
            }
            // Share of the unrounded amount (rate × months / 12), so the fen is rounded once.
            Some(OutcomeKind::CompletedUncertified) => {
                let share = rate * Decimal::from(app.months) * number(review.uncertified_share) / Decimal::from(12);
                round_to_fen(share).min(amount)
            }
            _ => amount,
        };
        if app.outcome.map(|o| o.kind) != Some(OutcomeKind::Withdrawn) {
            let settlement = final_amount - advance;
            let end = add_months(app.start_date, app.months).unwrap_or(app.start_date);
            let month = after(end).max(after(session));
            let kind = if settlement < Decimal::ZERO { PaymentKind::Recovery } else { PaymentKind::Settlement };
            payments.push(Payment { month, amount: settlement, kind });
        }
        Schedule { payments, final_amount }
    }
}

/// The result for one application.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApplicationResult {
    /// As given.
    pub application_id: CompactString,
    /// Status, amount committed at the session, reasons, errors, trace.
    pub assessment: Assessment,
    /// The session it was reviewed at.
    pub session: Option<Date>,
    /// The staged payments (approved applications only).
    pub schedule: Option<Schedule>,
}

impl ApplicationResult {
    /// A result decided elsewhere — a ledger's record of an earlier batch — shown again as it
    /// was decided.
    #[must_use]
    pub fn new(application_id: &str, assessment: Assessment, session: Option<Date>, schedule: Option<Schedule>) -> ApplicationResult {
        ApplicationResult { application_id: application_id.into(), assessment, session, schedule }
    }

    /// The result as JSON (money as decimal strings).
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self.assessment.record()).unwrap_or_default();
        if let Some(map) = v.as_object_mut() {
            map.remove("claim_id");
            map.remove("payment_month");
            map.insert("application_id".into(), self.application_id.as_str().into());
            map.insert("session".into(), self.session.map(|d| d.to_string()).into());
            if let Some(s) = &self.schedule {
                map.insert("payments".into(), serde_json::to_value(&s.payments).unwrap_or_default());
                map.insert("final_amount".into(), crate::money::format_yuan(s.final_amount).into());
            }
        }
        v
    }
}
