//! The demo year's files read for the ledger's tests: claims, history, applications and
//! outcomes as the CLI reads them (CSV, extra columns ignored).

#![allow(dead_code)]

use skill_subsidy::calendar::{parse_date, YearMonth};
use skill_subsidy::{Application, Claim, Engine, FieldMode, HistoryRecord, Outcome, OutcomeKind, RawClaim, RawValue};
use skill_subsidy_ledger::{ApplicationInput, ClaimInput};

pub fn example(name: &str) -> String {
    format!("{}/../examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Each row of a CSV file as (column, value) pairs.
pub fn rows(path: &str) -> Vec<Vec<(String, RawValue)>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    reader.records().map(|r| headers.iter().cloned().zip(r.unwrap().iter().map(|v| RawValue::Text(v.to_string()))).collect()).collect()
}

pub fn claims(path: &str) -> Vec<ClaimInput> {
    rows(path)
        .into_iter()
        .map(|fields| {
            let mut raw = RawClaim::default();
            for (k, v) in fields {
                raw.set(&k, v);
            }
            match Claim::parse(&raw, FieldMode::Lenient) {
                Ok(c) => ClaimInput::Valid(c),
                Err(e) => ClaimInput::Invalid { claim_id: raw.claim_id_text(), errors: e.into_field_errors() },
            }
        })
        .collect()
}

pub fn history(path: &str) -> Vec<HistoryRecord> {
    rows(path).iter().map(|f| HistoryRecord::parse(f.iter().map(|(k, v)| (k.as_str(), v)), true).unwrap()).collect()
}

pub fn outcomes(path: &str) -> Vec<(String, Outcome)> {
    rows(path)
        .iter()
        .map(|f| {
            let get = |name: &str| match &f.iter().find(|(k, _)| k == name).unwrap().1 {
                RawValue::Text(s) => s.clone(),
                _ => unreachable!(),
            };
            let kind = OutcomeKind::parse(&get("outcome")).unwrap();
            (get("application_id"), Outcome::new(kind, parse_date(&get("outcome_date")).ok()))
        })
        .collect()
}

/// Applications, with their outcomes when `outcomes` are given.
pub fn applications(path: &str, outcomes: &[(String, Outcome)]) -> Vec<ApplicationInput> {
    rows(path)
        .iter()
        .map(|f| match Application::parse(f.iter().map(|(k, v)| (k.as_str(), v)), true) {
            Ok(mut app) => {
                app.outcome = outcomes.iter().find(|(id, _)| *id == app.application_id).map(|(_, o)| *o);
                ApplicationInput::Valid(app)
            }
            Err(errors) => ApplicationInput::Invalid { application_id: Application::id_of(f.iter().map(|(k, v)| (k.as_str(), v))), errors },
        })
        .collect()
}

/// The month a claim enters the queue in: its `applied_on`'s.
pub fn claim_month(c: &ClaimInput) -> YearMonth {
    match c {
        ClaimInput::Valid(c) => YearMonth::of(c.applied_on),
        ClaimInput::Invalid { .. } => panic!("the demo year has no invalid claim"),
    }
}

/// The month an application enters the queue in: its review session's (SPEC §7.2), or the month
/// it was submitted when no session is left for it.
pub fn application_month(engine: &Engine, a: &ApplicationInput) -> YearMonth {
    match a {
        ApplicationInput::Valid(a) => YearMonth::of(engine.review_session(a.submitted_on).unwrap_or(a.submitted_on)),
        ApplicationInput::Invalid { .. } => panic!("the demo year has no invalid application"),
    }
}
