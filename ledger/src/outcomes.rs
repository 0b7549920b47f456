//! Apprenticeship outcomes as they arrive (SPEC §8): completed with or without the certificate,
//! or withdrawn. An outcome changes what an approved apprenticeship pays — the settlement, or
//! the advance recovered — so its staged payments are scheduled again, by the rules that
//! approved it. An outcome is recorded once: the same again changes nothing, another one is
//! refused (an outcome is a fact; a correction is made in the bureau's system of record). An
//! outcome of an application that was not approved pays nothing and is passed over, as one
//! batch passes it over; one of an application the ledger does not hold is refused.

use crate::batches::{self, Counts, Provenance};
use crate::content;
use crate::decisions;
use crate::{Ledger, LedgerError, Place};
use rusqlite::{params, OptionalExtension, Transaction};
use skill_subsidy::money::format_yuan;
use skill_subsidy::{Application, Engine, Outcome, OutcomeKind, RawValue};

/// What recording outcomes did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OutcomesRecorded {
    /// The batch that recorded them, `None` when every one was on record already.
    pub batch: Option<i64>,
    /// Outcomes recorded now.
    pub recorded: usize,
    /// Outcomes that were on record already, the same.
    pub unchanged: usize,
    /// Outcomes of applications that were not approved: nothing to pay, passed over.
    pub not_approved: usize,
}

/// What an outcome given means for the ledger.
pub(crate) enum Check {
    /// Not on record yet: to record.
    New,
    /// On record already, the same.
    Same,
    /// Its application was not approved: nothing to pay.
    NotApproved,
    /// It cannot be recorded (the line says why, naming the application).
    Refused(String),
}

fn describe(o: Outcome) -> String {
    match o.date {
        Some(d) => format!("{} on {d}", o.kind.code()),
        None => o.kind.code().to_string(),
    }
}

/// What `outcome` for `application_id` means for the ledger.
pub(crate) fn check(
    tx: &Transaction<'_>,
    place: Place<'_>,
    engine: &Engine,
    application_id: &str,
    outcome: Outcome,
) -> Result<Check, LedgerError> {
    let row: Option<(String, i64, Option<String>, Option<String>)> = tx
        .query_row("SELECT status, batch_id, outcome, outcome_date FROM applications WHERE application_id = ?1", [application_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()
        .map_err(|e| place.error(e))?;
    let Some((status, batch, kind, date)) = row else {
        return Ok(Check::Refused(format!("{application_id}: no such application in the ledger")));
    };
    if status != "approved" {
        return Ok(Check::NotApproved);
    }
    let ruleset = batches::ruleset_of(tx, place, batch)?;
    if ruleset.as_deref() != Some(engine.ruleset().id.as_str()) {
        return Ok(Check::Refused(format!(
            "{application_id}: was approved under ruleset {}, and its payments are scheduled by those rules (give them with --rules)",
            ruleset.as_deref().unwrap_or("?")
        )));
    }
    let Some(kind) = kind else { return Ok(Check::New) };
    let recorded = Outcome::new(
        OutcomeKind::parse(&kind).ok_or_else(|| place.unreadable(format!("outcome {kind:?}")))?,
        date.map(|d| decisions::date(place, &d)).transpose()?,
    );
    Ok(if recorded == outcome {
        Check::Same
    } else {
        Check::Refused(format!(
            "{application_id}: {} is on record (batch {batch}); {} cannot replace it",
            describe(recorded),
            describe(outcome)
        ))
    })
}

/// Records `outcome` for an approved application and schedules its payments again.
pub(crate) fn record(
    tx: &Transaction<'_>,
    place: Place<'_>,
    engine: &Engine,
    batch: i64,
    application_id: &str,
    outcome: Outcome,
) -> Result<(), LedgerError> {
    let Some((recorded, stored)) = decisions::application_on_record(tx, place, application_id)? else {
        return Err(place.unreadable(format!("application {application_id} vanished")));
    };
    let mut fields = content::as_fields(content::application_columns(), &stored);
    fields.push(("application_id", RawValue::Text(application_id.to_string())));
    let mut app = Application::parse(fields.iter().map(|(k, v)| (*k, v)), false)
        .map_err(|_| place.unreadable(format!("the content of application {application_id}")))?;
    app.outcome = Some(outcome);
    let session = recorded.session.ok_or_else(|| place.unreadable(format!("the session of application {application_id}")))?;
    let schedule = engine.schedule(&app, session, recorded.amount);
    tx.execute(
        "UPDATE applications SET outcome = ?2, outcome_date = ?3, outcome_batch_id = ?4, final_amount = ?5 WHERE application_id = ?1",
        params![application_id, outcome.kind.code(), outcome.date.map(|d| d.to_string()), batch, format_yuan(schedule.final_amount)],
    )
    .map_err(|e| place.error(e))?;
    decisions::write_payments(tx, place, application_id, &schedule)
}

impl Ledger {
    /// Records apprenticeship outcomes (`application_id`, outcome) as they arrive, in one
    /// transaction, scheduling each apprenticeship's payments again by `engine`'s rules (those
    /// that approved it). Refuses them all, naming each, when one is for an application not on
    /// record, or differs from an outcome on record; passes over those of applications that
    /// were not approved.
    pub fn record_outcomes(
        &mut self,
        engine: &Engine,
        outcomes: &[(String, Outcome)],
        source: Option<&str>,
    ) -> Result<OutcomesRecorded, LedgerError> {
        let provenance = Provenance::of(engine);
        let (tx, place) = self.begin()?;
        let (mut new, mut problems, mut unchanged, mut not_approved) = (Vec::new(), Vec::new(), 0, 0);
        let mut given: std::collections::HashMap<&str, Outcome> = std::collections::HashMap::new();
        for (id, outcome) in outcomes {
            if let Some(first) = given.insert(id, *outcome) {
                if first != *outcome {
                    problems.push(format!("{id}: given twice, as {} and as {}", describe(first), describe(*outcome)));
                }
                continue;
            }
            match check(&tx, place, engine, id, *outcome)? {
                Check::New => new.push((id, *outcome)),
                Check::Same => unchanged += 1,
                Check::NotApproved => not_approved += 1,
                Check::Refused(problem) => problems.push(problem),
            }
        }
        if !problems.is_empty() {
            return Err(LedgerError::Outcomes { path: place.path.to_string(), problems });
        }
        if new.is_empty() {
            return Ok(OutcomesRecorded { batch: None, recorded: 0, unchanged, not_approved });
        }
        let counts = Counts { rows_given: outcomes.len(), committed: new.len(), already_decided: unchanged, not_committed: not_approved };
        let batch = batches::insert(&tx, place, "outcomes", source, None, Some(&provenance), &counts)?;
        for (id, outcome) in &new {
            record(&tx, place, engine, batch, id, *outcome)?;
        }
        tx.commit().map_err(|e| place.error(e))?;
        Ok(OutcomesRecorded { batch: Some(batch), recorded: new.len(), unchanged, not_approved })
    }
}
