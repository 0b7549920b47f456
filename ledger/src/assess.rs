//! A batch against the ledger (SPEC v2 §10): its claims and applications are decided with
//! everything the ledger holds as history, and what this batch decided is committed in one
//! transaction — all of it, or (on any error, a kill, a full disk) none of it.
//!
//! Each claim (and application) is first looked up by its id:
//! - not on record: decided now, and committed (approved or rejected);
//! - on record with the same content: *already decided* — not decided again, shown as decided
//!   then;
//! - on record with other content: `invalid` (`claim_id_reused`), never a second payment;
//! - invalid, or given twice in the batch: `invalid` as in any batch, and not committed.
//!
//! The core decides the rest exactly as one batch would, with two additions from the ledger: an
//! account that closed (资金用完即止) stays closed from the claim at which it closed, and the
//! apprenticeships already approved hold their places in a yearly quota.

use crate::batches::{self, Counts, Provenance};
use crate::decisions::{self, Decided, Found, Recorded};
use crate::outcomes::Check;
use crate::{content, history, Ledger, LedgerError, Place};
use rusqlite::Transaction;
use skill_subsidy::{
    Application, ApplicationResult, BatchResult, BudgetInput, Claim, ClaimErrorKind, Closings, CompactString, Engine, FieldError,
    QuotaCandidate, Status,
};
use std::collections::HashMap;

/// A claim as read: valid, or its id as given and its errors.
#[derive(Debug, Clone)]
// Most rows are valid claims: boxing the large variant would allocate for each.
#[allow(clippy::large_enum_variant)]
pub enum ClaimInput {
    /// Validated.
    Valid(Claim),
    /// Not valid.
    Invalid {
        /// As given (may be empty).
        claim_id: String,
        /// Every field error.
        errors: Vec<FieldError>,
    },
}

/// An apprenticeship application as read: valid (with its outcome when known), or its id as
/// given and its errors.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
pub enum ApplicationInput {
    /// Validated.
    Valid(Application),
    /// Not valid.
    Invalid {
        /// As given (may be empty).
        application_id: String,
        /// Every field error.
        errors: Vec<FieldError>,
    },
}

/// A batch for the ledger.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Input {
    /// Claims, in input order.
    pub claims: Vec<ClaimInput>,
    /// Apprenticeship applications, in input order.
    pub applications: Vec<ApplicationInput>,
    /// What the input is called (a file name), recorded with the batch.
    pub source: Option<String>,
    /// Explain every claim decided now.
    pub trace: bool,
}

impl Input {
    /// A batch of claims alone.
    #[must_use]
    pub fn claims(claims: Vec<ClaimInput>) -> Input {
        Input { claims, ..Input::default() }
    }

    /// With these applications.
    #[must_use]
    pub fn with_applications(mut self, applications: Vec<ApplicationInput>) -> Input {
        self.applications = applications;
        self
    }

    /// Named (recorded with the batch).
    #[must_use]
    pub fn with_source(mut self, source: &str) -> Input {
        self.source = Some(source.to_string());
        self
    }

    /// Explaining every claim decided now.
    #[must_use]
    pub fn with_trace(mut self, trace: bool) -> Input {
        self.trace = trace;
        self
    }
}

/// What became of a claim or application of the batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Disposition {
    /// Decided by this batch and committed.
    Committed,
    /// Decided by an earlier batch (its number): shown as decided then, not committed again.
    AlreadyDecided {
        /// The batch that decided it.
        batch: i64,
    },
    /// `invalid` (its errors say why, `claim_id_reused` among them when its id was taken):
    /// not decided, not committed.
    NotCommitted,
}

/// A batch run against the ledger.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Run {
    /// Every claim and application in input order — those decided before as they were
    /// decided — and the report of what this batch decided (SPEC §9; history: the ledger).
    pub result: BatchResult,
    /// What became of each claim, in input order.
    pub claims: Vec<Disposition>,
    /// What became of each application, in input order.
    pub applications: Vec<Disposition>,
    /// The batch committed, or `None` when there was nothing new to commit.
    pub batch: Option<i64>,
    /// Outcomes of applications already on record that this batch recorded.
    pub outcomes_recorded: usize,
}

impl Run {
    /// How many claims and applications had each disposition: committed, already decided, not
    /// committed.
    #[must_use]
    pub fn counts(&self) -> (usize, usize, usize) {
        let all = || self.claims.iter().chain(&self.applications);
        let committed = all().filter(|d| **d == Disposition::Committed).count();
        let earlier = all().filter(|d| matches!(d, Disposition::AlreadyDecided { .. })).count();
        (committed, earlier, all().count() - committed - earlier)
    }
}

/// What the ledger says of one row, before the batch.
enum Plan {
    /// Decided now.
    New,
    /// On record with the same content.
    Decided(Recorded),
    /// Invalid: its own errors, its id given twice in the batch (the core marks it), or its id
    /// reused (the error to add).
    Invalid(Option<FieldError>),
}

/// What the ledger says of each row of a batch: `id` gives a row's id and whether it is valid;
/// `lookup` what the ledger holds under a valid row's id (against its content). A row whose id
/// is given twice in the batch is left to the core, which makes every copy invalid; a row whose
/// id is on record with other content is invalid with `claim_id_reused` on `field`.
fn plan<T>(
    rows: &[T],
    field: &str,
    id: fn(&T) -> (&str, bool),
    mut lookup: impl FnMut(&T) -> Result<Option<Found>, LedgerError>,
) -> Result<Vec<Plan>, LedgerError> {
    let mut given: HashMap<&str, usize> = HashMap::with_capacity(rows.len());
    for row in rows {
        *given.entry(id(row).0.trim()).or_default() += 1;
    }
    rows.iter()
        .map(|row| {
            let (row_id, valid) = id(row);
            if !valid {
                return Ok(Plan::Invalid(None));
            }
            if given.get(row_id).is_some_and(|n| *n > 1) {
                return Ok(Plan::New);
            }
            Ok(match lookup(row)? {
                None => Plan::New,
                Some(Found::Same(r)) => Plan::Decided(r),
                Some(Found::Other) => Plan::Invalid(Some(FieldError::new(ClaimErrorKind::ClaimIdReused, field, Some(row_id.to_string())))),
            })
        })
        .collect()
}

/// A claim's id, and whether it is valid.
fn claim_key(c: &ClaimInput) -> (&str, bool) {
    match c {
        ClaimInput::Valid(c) => (c.claim_id.as_str(), true),
        ClaimInput::Invalid { claim_id, .. } => (claim_id.as_str(), false),
    }
}

/// An application's id, and whether it is valid.
fn application_key(a: &ApplicationInput) -> (&str, bool) {
    match a {
        ApplicationInput::Valid(a) => (a.application_id.as_str(), true),
        ApplicationInput::Invalid { application_id, .. } => (application_id.as_str(), false),
    }
}

fn plan_claims(tx: &Transaction<'_>, place: Place<'_>, claims: &[ClaimInput]) -> Result<Vec<Plan>, LedgerError> {
    // A first batch has nothing to look up.
    let any = decisions::any_claim(tx, place)?;
    plan(claims, "claim_id", claim_key, |c| match c {
        ClaimInput::Valid(c) if any => decisions::claim(tx, place, &c.claim_id, || content::of_claim(c)),
        _ => Ok(None),
    })
}

fn plan_applications(tx: &Transaction<'_>, place: Place<'_>, apps: &[ApplicationInput]) -> Result<Vec<Plan>, LedgerError> {
    plan(apps, "application_id", application_key, |a| match a {
        ApplicationInput::Valid(a) => decisions::application(tx, place, &a.application_id, || content::of_application(a)),
        ApplicationInput::Invalid { .. } => Ok(None),
    })
}

/// The closing points for this batch: where its own claims would close each account, or where
/// the account closed before (the earlier of the two), for the accounts that close when spent;
/// and each year's quota of apprentices filled by the applications on record first.
fn closings(
    engine: &Engine,
    batch_input: &BudgetInput,
    on_record: &[(String, skill_subsidy::calendar::Date, String)],
    approved: Vec<QuotaCandidate>,
) -> Closings {
    let ledger_input = BudgetInput { quota_candidates: approved, ..BudgetInput::default() };
    let mut closings = Closings::compute(engine, [batch_input, &ledger_input]);
    let closes = crate::report::closing_accounts(engine);
    for (i, account) in engine.ruleset().accounts.iter().enumerate() {
        let Some((_, date, claim_id)) = on_record.iter().find(|(id, _, _)| *id == account.id) else { continue };
        if !closes.contains(&account.id) {
            // A run that does not close the account (a spending goal) refuses nothing for it.
            continue;
        }
        if let Some(slot) = closings.closed_at.get_mut(i) {
            let earlier = slot.as_ref().is_none_or(|(d, id)| (*date, claim_id.as_bytes()) < (*d, id.as_bytes()));
            if earlier {
                *slot = Some((*date, CompactString::from(claim_id.as_str())));
            }
        }
    }
    closings
}

impl Ledger {
    /// Decides a batch against everything the ledger holds and commits what it decided, in one
    /// transaction. See the [module docs](crate) for what is decided, shown or refused.
    pub fn assess(&mut self, engine: &Engine, input: Input) -> Result<Run, LedgerError> {
        let provenance = Provenance::of(engine);
        let (tx, place) = self.begin()?;
        let claim_plans = plan_claims(&tx, place, &input.claims)?;
        let app_plans = plan_applications(&tx, place, &input.applications)?;

        // The core's batch: the ledger as history, then what is new.
        let mut batch = engine.batch().with_trace(input.trace);
        for h in history::committed(&tx, place)? {
            batch.add_history(&h).map_err(|e| place.unreadable(format!("a history record: {e}")))?;
        }
        for (c, plan) in input.claims.iter().zip(&claim_plans) {
            match (c, plan) {
                (_, Plan::Decided(_)) => {}
                (ClaimInput::Valid(claim), Plan::Invalid(Some(reused))) => batch.add_invalid(&claim.claim_id, vec![reused.clone()]),
                (ClaimInput::Valid(claim), _) => batch.add(claim),
                (ClaimInput::Invalid { claim_id, errors }, _) => batch.add_invalid(claim_id, errors.clone()),
            }
        }
        for (a, plan) in input.applications.iter().zip(&app_plans) {
            match (a, plan) {
                (_, Plan::Decided(_)) => {}
                (ApplicationInput::Valid(app), Plan::Invalid(Some(reused))) => {
                    batch.add_invalid_application(&app.application_id, vec![reused.clone()]);
                }
                (ApplicationInput::Valid(app), _) => batch.add_application(app),
                (ApplicationInput::Invalid { application_id, errors }, _) => batch.add_invalid_application(application_id, errors.clone()),
            }
        }
        let on_record = decisions::closings(&tx, place)?;
        let partition = batch.into_partition();
        let closings = closings(engine, partition.budget_input(), &on_record, approved_applications(&tx, place)?);
        let result = partition.settle(&closings);

        // The batch's rows in input order: decided now (the core's k-th), or before.
        let mut decided_claims = (0..result.len()).map(|row| result.status(row));
        let claims: Vec<Disposition> = claim_plans
            .iter()
            .map(|plan| match plan {
                Plan::Decided(r) => Disposition::AlreadyDecided { batch: r.batch },
                _ => disposition(decided_claims.next()),
            })
            .collect();
        let mut decided_apps = result.applications.iter();
        let applications: Vec<Disposition> = app_plans
            .iter()
            .map(|plan| match plan {
                Plan::Decided(r) => Disposition::AlreadyDecided { batch: r.batch },
                _ => disposition(decided_apps.next().map(|a| a.assessment.status)),
            })
            .collect();

        // Outcomes given with applications already on record are recorded as they arrive.
        let mut outcomes = Vec::new();
        let mut problems = Vec::new();
        for (a, plan) in input.applications.iter().zip(&app_plans) {
            let (ApplicationInput::Valid(app), Plan::Decided(r)) = (a, plan) else { continue };
            let Some(outcome) = app.outcome.filter(|_| r.status == Status::Approved) else { continue };
            match crate::outcomes::check(&tx, place, engine, &app.application_id, outcome)? {
                Check::New => outcomes.push((app.application_id.as_str(), outcome)),
                Check::Same | Check::NotApproved => {}
                Check::Refused(problem) => problems.push(problem),
            }
        }
        if !problems.is_empty() {
            return Err(LedgerError::Outcomes { path: place.path.to_string(), problems });
        }

        let all = || claims.iter().chain(&applications);
        let committed = all().filter(|d| **d == Disposition::Committed).count();
        let earlier = all().filter(|d| matches!(d, Disposition::AlreadyDecided { .. })).count();
        let counts = Counts {
            rows_given: all().count(),
            committed: committed + outcomes.len(),
            already_decided: earlier,
            not_committed: all().count() - committed - earlier,
        };
        let batch_id = if counts.committed == 0 {
            None
        } else {
            let id = batches::insert(&tx, place, "assess", input.source.as_deref(), None, Some(&provenance), &counts)?;
            commit_decisions(&tx, place, engine, id, &input, &result, &claims, &applications)?;
            for (application_id, outcome) in &outcomes {
                crate::outcomes::record(&tx, place, engine, id, application_id, *outcome)?;
            }
            for (i, closed) in closings.closed_at.iter().enumerate() {
                let (Some((date, claim_id)), Some(account)) = (closed, engine.ruleset().accounts.get(i)) else { continue };
                if !on_record.iter().any(|(a, d, c)| *a == account.id && d == date && c == claim_id.as_str()) {
                    decisions::record_closing(&tx, place, id, &account.id, *date, claim_id)?;
                }
            }
            Some(id)
        };
        let result = in_input_order(&tx, place, engine, &input, result, &claim_plans, &app_plans)?;
        if batch_id.is_some() {
            tx.commit().map_err(|e| place.error(e))?;
        }
        // Otherwise nothing was new: the transaction ends unwritten, the ledger as it was.
        Ok(Run { result, claims, applications, batch: batch_id, outcomes_recorded: outcomes.len() })
    }
}

/// What became of a row the batch decided, by its status.
fn disposition(status: Option<Status>) -> Disposition {
    match status {
        Some(Status::Approved | Status::Rejected) => Disposition::Committed,
        _ => Disposition::NotCommitted,
    }
}

/// Writes the decisions of the rows this batch decided.
#[allow(clippy::too_many_arguments)]
fn commit_decisions(
    tx: &Transaction<'_>,
    place: Place<'_>,
    engine: &Engine,
    batch: i64,
    input: &Input,
    result: &BatchResult,
    claims: &[Disposition],
    applications: &[Disposition],
) -> Result<(), LedgerError> {
    let mut decided = result.assessments().into_iter();
    for (c, d) in input.claims.iter().zip(claims) {
        if matches!(d, Disposition::AlreadyDecided { .. }) {
            continue;
        }
        let Some(a) = decided.next() else { break };
        if let (ClaimInput::Valid(claim), Disposition::Committed) = (c, d) {
            let row =
                Decided { id: &claim.claim_id, content: content::of_claim(claim), assessment: &a, commits_on: Some(claim.applied_on) };
            decisions::insert_claim(tx, place, engine, batch, row)?;
        }
    }
    let mut decided = result.applications.iter();
    for (a, d) in input.applications.iter().zip(applications) {
        if matches!(d, Disposition::AlreadyDecided { .. }) {
            continue;
        }
        let Some(r) = decided.next() else { break };
        if let (ApplicationInput::Valid(app), Disposition::Committed) = (a, d) {
            let row = Decided {
                id: &app.application_id,
                content: content::of_application(app),
                assessment: &r.assessment,
                commits_on: r.session,
            };
            let outcome = app.outcome.filter(|_| r.assessment.status == Status::Approved);
            decisions::insert_application(tx, place, engine, batch, &row, outcome, r.schedule.as_ref())?;
        }
    }
    Ok(())
}

/// The approved applications on record, as places taken in their year's quota.
fn approved_applications(tx: &Transaction<'_>, place: Place<'_>) -> Result<Vec<QuotaCandidate>, LedgerError> {
    let mut stmt = tx
        .prepare("SELECT application_id, session FROM applications WHERE status = 'approved' AND session IS NOT NULL")
        .map_err(|e| place.error(e))?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))).map_err(|e| place.error(e))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, session) = row.map_err(|e| place.error(e))?;
        let session = decisions::date(place, &session)?;
        out.push(QuotaCandidate { year: chrono::Datelike::year(&session), applied_on: session, claim_id: id.into() });
    }
    Ok(out)
}

/// The batch's result with the rows decided before put back in their places, as decided then
/// (an application with its payments as on record, an outcome this batch recorded included).
fn in_input_order(
    tx: &Transaction<'_>,
    place: Place<'_>,
    engine: &Engine,
    input: &Input,
    result: BatchResult,
    claim_plans: &[Plan],
    app_plans: &[Plan],
) -> Result<BatchResult, LedgerError> {
    if !claim_plans.iter().chain(app_plans).any(|p| matches!(p, Plan::Decided(_))) {
        return Ok(result);
    }
    let (rows, applications, report) = result.into_parts();
    let mut decided = rows.into_iter();
    let mut out = Vec::with_capacity(claim_plans.len());
    for (c, plan) in input.claims.iter().zip(claim_plans) {
        let row = match (plan, c) {
            (Plan::Decided(r), ClaimInput::Valid(claim)) => Some(r.shown(engine.assess(claim))),
            (Plan::Decided(_), ClaimInput::Invalid { .. }) => None,
            _ => decided.next(),
        };
        out.extend(row);
    }
    let mut decided = applications.into_iter();
    let mut app_results = Vec::with_capacity(app_plans.len());
    for (a, plan) in input.applications.iter().zip(app_plans) {
        match (plan, a) {
            (Plan::Decided(r), ApplicationInput::Valid(app)) => {
                let (assessed, _) = engine.review_application(app, false);
                let schedule = decisions::schedule(tx, place, &app.application_id)?;
                app_results.push(ApplicationResult::new(&app.application_id, r.shown(assessed), r.session, schedule));
            }
            (Plan::Decided(_), ApplicationInput::Invalid { .. }) => {}
            _ => app_results.extend(decided.next()),
        }
    }
    Ok(BatchResult::from_parts(out, app_results, report))
}
