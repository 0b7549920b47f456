//! An apprenticeship claim assessed on its own is an **estimate** (SPEC §8, v2): an
//! apprenticeship is approved only at a review session (会审), so the page is told the session
//! the application would reach and its staged payments — the advance the month after the
//! session, the settlement the month after the training ends — as the core's batch would
//! decide them, marked as an estimate. The session and the payments come from the core
//! (`Engine::review_application`, `Engine::schedule`); nothing of the calendar is worked out here.
//!
//! The claim stands for the application: `event_date` is the training's start date, `applied_on`
//! the day the enterprise submits it, `level` the target level.
//!
//! This is `estimateApprenticeship`, apart from `estimate`: the core still assesses a lone
//! apprenticeship claim as a plain claim (paid the month after it is applied for), and
//! `estimate` gives what the core gives, as the shared vectors check.

use crate::error;
use crate::estimate::{self as plain, raw_claim, ClaimInput, Options};
use serde::Serialize;
use serde_json::{json, Value};
use skill_subsidy::rules::Calculation;
use skill_subsidy::{Application, AssessmentRecord, Claim, Engine, Payment};

/// The record of an apprenticeship estimate: the assessment record (SPEC §7.3) of the
/// application reviewed at its session, and what the review would give.
#[derive(Serialize)]
struct Estimate<'a> {
    #[serde(flatten)]
    record: AssessmentRecord<'a>,
    /// Always true: no apprenticeship is approved but at a review session.
    estimate: bool,
    /// The review session the application would reach (`YYYY-MM-DD`), if any.
    session: Option<String>,
    /// The staged payments, for an approved estimate (advance, then settlement).
    payments: Vec<Payment>,
    /// What the enterprise would be paid in all, for an approved estimate.
    final_amount: Option<String>,
}

/// Whether the claim is of an apprenticeship program.
#[must_use]
pub fn is_apprenticeship(engine: &Engine, claim: &Claim) -> bool {
    engine.program(&claim.program).is_some_and(|p| matches!(p.calculation, Calculation::Apprenticeship { .. }))
}

/// The application a claim stands for; `None` when a field an application needs is missing
/// (the plain assessment then says which, `required_by_program`).
fn application(claim: &Claim) -> Option<Application> {
    let mut value = json!({
        "application_id": claim.claim_id.as_str(),
        "enterprise_id": claim.enterprise_id.as_deref()?,
        "person_id": claim.person_id.as_str(),
        "occupation": claim.occupation.as_deref()?,
        "target_level": claim.level?.code(),
        "start_date": claim.event_date.to_string(),
        "months": claim.months?,
        "submitted_on": claim.applied_on.to_string(),
        "institution": claim.institution.as_deref()?,
    });
    if let (Some(district), Value::Object(map)) = (&claim.district, &mut value) {
        map.insert("district".into(), district.as_str().into());
    }
    Application::from_json(&value, false).ok()
}

/// The record of a claim as JSON text: for an apprenticeship, the estimate of its review; for
/// any other claim (or an invalid one), the record `estimate` gives.
#[must_use]
pub fn estimate_claim(engine: &Engine, input: &ClaimInput<'_>, options: Options) -> String {
    match Claim::parse(&raw_claim(input), options.mode()) {
        Ok(claim) if is_apprenticeship(engine, &claim) => estimate(engine, &claim, options.trace),
        _ => plain::estimate(engine, input, options),
    }
}

/// The estimate of an apprenticeship claim, as JSON text.
#[must_use]
pub fn estimate(engine: &Engine, claim: &Claim, trace: bool) -> String {
    let plain = || if trace { engine.explain(claim) } else { engine.assess(claim) };
    // An application carries no group (SPEC §8): the claim's group is checked as any claim's,
    // so a group the program does not serve is rejected, not silently taken for an employee.
    let serves_group = engine.program(&claim.program).is_some_and(|p| p.groups.value.contains(claim.group));
    let (assessment, session) = match application(claim).filter(|_| serves_group) {
        Some(app) => {
            let (assessment, session) = engine.review_application(&app, trace);
            let schedule = session.filter(|_| assessment.is_approved()).map(|s| engine.schedule(&app, s, assessment.amount));
            (assessment, session.map(|s| (s, schedule)))
        }
        None => (plain(), None),
    };
    let (payments, final_amount) = match session.as_ref().and_then(|(_, s)| s.as_ref()) {
        Some(schedule) => (schedule.payments.clone(), Some(skill_subsidy::money::format_yuan(schedule.final_amount))),
        None => (Vec::new(), None),
    };
    error::to_text(&Estimate {
        record: engine.record(&claim.claim_id, &assessment),
        estimate: true,
        session: session.map(|(s, _)| s.to_string()),
        payments,
        final_amount,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use skill_subsidy::{FieldMode, RawClaim, Ruleset};

    fn engine() -> Engine {
        Engine::new(Ruleset::wuxi_2021().expect("the embedded ruleset loads (core/tests/load_embedded.rs)"))
    }

    fn claim(fields: Value) -> Claim {
        let mut base = json!({"claim_id": "A1", "program": "apprenticeship", "person_id": "P1", "enterprise_id": "E1",
                              "occupation": "6-31-01-10", "level": "3", "institution": "WX-JG-016", "months": 24,
                              "event_date": "2021-03-01", "applied_on": "2021-03-10"});
        for (k, v) in fields.as_object().unwrap() {
            base[k] = v.clone();
        }
        Claim::parse(&RawClaim::from_json(&base), FieldMode::Strict).unwrap()
    }

    fn parse(text: String) -> Value {
        serde_json::from_str(&text).expect("the module writes JSON")
    }

    /// Submitted 2021-03-10: the first session at least 7 days later is 2021-04-20; the
    /// advance (50% of a year's 5,000) is paid in May, the rest the month after the 24 months.
    #[test]
    fn an_apprenticeship_claim_is_an_estimate_with_its_session_and_payments() {
        let out = parse(estimate(&engine(), &claim(json!({})), true));
        assert_eq!(out["estimate"], true);
        assert_eq!(out["status"], "approved");
        assert_eq!(out["amount"], "10000.00");
        assert_eq!(out["session"], "2021-04-20");
        assert_eq!(out["payment_month"], Value::Null, "paid in stages, not the month after");
        assert_eq!(
            out["payments"],
            json!([{"month": "2021-05", "amount": "2500.00", "kind": "advance"},
                                           {"month": "2023-04", "amount": "7500.00", "kind": "settlement"}])
        );
        assert_eq!(out["final_amount"], "10000.00");
        assert_eq!(out["trace"]["steps"][0]["step"], "review_session");
    }

    /// The same as the batch: the application reviewed through `Engine::review_application`.
    #[test]
    fn the_estimate_is_the_review_the_batch_would_make() {
        let e = engine();
        // The cut-off is 7 days: submitted a week before the session, it is reviewed there;
        // a day later, at the next.
        let out = parse(estimate(&e, &claim(json!({"applied_on": "2021-06-13"})), false));
        assert_eq!(out["session"], "2021-06-20");
        let out = parse(estimate(&e, &claim(json!({"applied_on": "2021-06-14"})), false));
        assert_eq!(out["session"], "2021-08-20");
    }

    #[test]
    fn too_late_for_the_last_session_is_rejected_no_review_session() {
        let out = parse(estimate(&engine(), &claim(json!({"event_date": "2021-12-15", "applied_on": "2021-12-15"})), true));
        assert_eq!(out["status"], "rejected");
        assert_eq!(out["reasons"], json!(["no_review_session"]));
        assert_eq!(out["session"], Value::Null);
        assert_eq!(out["payments"], json!([]));
        assert_eq!(out["estimate"], true);
    }

    #[test]
    fn a_group_the_program_does_not_serve_is_rejected_as_for_any_claim() {
        let out = parse(estimate(&engine(), &claim(json!({"group": "unemployed"})), true));
        assert_eq!(out["status"], "rejected");
        assert_eq!(out["reasons"], json!(["group_not_eligible"]));
        assert_eq!(out["session"], Value::Null);
    }

    #[test]
    fn a_claim_of_another_program_or_an_invalid_one_is_the_plain_record() {
        let e = engine();
        let options = Options::read(&Value::Null, false);
        let welder = json!({"claim_id": "C1", "program": "skills_training", "person_id": "P1", "occupation": "6-18-02-04", "level": "3",
                            "institution": "WX-JG-001", "fee_paid": "3000", "event_date": "2021-08-02", "applied_on": "2021-08-20"});
        let out = parse(estimate_claim(&e, &ClaimInput::Json(&welder), options));
        assert_eq!(out["amount"], "2600.00");
        assert!(out.get("estimate").is_none());
        let bad = json!({"claim_id": "C1", "program": "apprenticeship", "person_id": "P1", "months": "x"});
        let out = parse(estimate_claim(&e, &ClaimInput::Json(&bad), options));
        assert_eq!(out["status"], "invalid");
        let good = json!({"claim_id": "A1", "program": "apprenticeship", "person_id": "P1", "enterprise_id": "E1", "occupation": "6-31-01-10",
                          "level": "3", "institution": "WX-JG-016", "months": 24, "event_date": "2021-03-01", "applied_on": "2021-03-10"});
        assert_eq!(parse(estimate_claim(&e, &ClaimInput::Json(&good), options))["session"], "2021-04-20");
    }

    #[test]
    fn other_programs_are_not_apprenticeships() {
        let e = engine();
        assert!(is_apprenticeship(&e, &claim(json!({}))));
        assert!(!is_apprenticeship(&e, &claim(json!({"program": "skills_training"}))));
        assert!(!is_apprenticeship(&e, &claim(json!({"program": "no_such_program"}))));
    }
}
