//! The ledger's promises, one by one: idempotent by claim id, a reused id never paid twice,
//! invalid claims not recorded, a late claim decided against what is committed, history out and
//! in again, outcomes recorded once, and the faults — a full disk, a busy ledger, two writers at
//! once, a ledger of a newer schema — leaving the ledger as it was.

mod common;

use common::*;
use skill_subsidy::calendar::parse_date;
use skill_subsidy::{Claim, ClaimErrorKind, Engine, HistoryRecord, Outcome, OutcomeKind, Ruleset, Status};
use skill_subsidy_ledger::{ApplicationInput, ClaimInput, Disposition, Input, Ledger, LedgerError};
use std::time::Duration;

fn engine() -> Engine {
    Engine::new(Ruleset::wuxi_2021().unwrap())
}

fn date(s: &str) -> skill_subsidy::calendar::Date {
    parse_date(s).unwrap()
}

/// A certificate claim of skills_training (就业技能培训) at a level, for a person.
fn certificate(id: &str, person: &str, level: &str, applied_on: &str) -> Claim {
    let mut c = Claim::new(id, "skills_training", person, date("2021-01-10"), date(applied_on));
    c.occupation = Some("6-18-02-04".into());
    c.level = skill_subsidy::Level::parse(level);
    c.institution = Some("WX-JG-001".into());
    c.fee_paid = Some(skill_subsidy::Decimal::from(3000));
    c
}

fn valid(claims: &[Claim]) -> Input {
    Input::claims(claims.iter().cloned().map(ClaimInput::Valid).collect())
}

/// What the ledger holds, to compare before and after.
fn state(ledger: &mut Ledger) -> (usize, String, usize) {
    let report = ledger.report(&engine(), None).unwrap().to_json().to_string();
    (ledger.history().unwrap().len(), report, ledger.batches().unwrap().len())
}

#[test]
fn the_same_claims_again_are_already_decided_and_nothing_is_committed_twice() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path().join("l.db")).unwrap();
    let claims: Vec<ClaimInput> = common::claims(&example("claims.csv"));
    let first = ledger.assess(&engine(), Input::claims(claims.clone())).unwrap();
    assert_eq!(first.batch, Some(1));
    let before = state(&mut ledger);
    // Written otherwise (the fee as 1930 rather than 1930.00), the same claims are the same.
    let again = ledger.assess(&engine(), Input::claims(claims)).unwrap();
    assert_eq!(again.batch, None);
    assert!(again.claims.iter().all(|d| *d == Disposition::AlreadyDecided { batch: 1 } || *d == Disposition::NotCommitted));
    for (a, b) in first.result.assessments().iter().zip(&again.result.assessments()) {
        assert_eq!((a.status, a.amount, a.reasons, a.payment_month), (b.status, b.amount, b.reasons, b.payment_month));
    }
    assert_eq!(state(&mut ledger), before, "nothing was written");
}

#[test]
fn a_claim_id_reused_for_other_content_is_invalid_and_never_paid_twice() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path().join("l.db")).unwrap();
    ledger.assess(&engine(), valid(&[certificate("C1", "P1", "4", "2021-03-01")])).unwrap();
    let before = state(&mut ledger);
    // The same id, another level: a second claim under a decided id.
    let run = ledger.assess(&engine(), valid(&[certificate("C1", "P1", "3", "2021-03-01")])).unwrap();
    let a = &run.result.assessments()[0];
    assert_eq!(a.status, Status::Invalid);
    assert_eq!(a.errors[0].code, ClaimErrorKind::ClaimIdReused);
    assert_eq!(run.claims, [Disposition::NotCommitted]);
    assert_eq!(run.batch, None);
    assert_eq!(state(&mut ledger), before);
    // Its report counts it as invalid, and pays nothing.
    assert_eq!((run.result.report.invalid, run.result.report.approved.count), (1, 0));
}

#[test]
fn an_invalid_claim_is_not_recorded_and_may_come_again_corrected_under_its_id() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path().join("l.db")).unwrap();
    let bad = ClaimInput::Invalid {
        claim_id: "C7".into(),
        errors: vec![skill_subsidy::FieldError::new(ClaimErrorKind::BadDate, "applied_on", Some("2021-02-30".into()))],
    };
    let run = ledger.assess(&engine(), Input::claims(vec![bad])).unwrap();
    assert_eq!((run.claims[0], run.batch), (Disposition::NotCommitted, None));
    let run = ledger.assess(&engine(), valid(&[certificate("C7", "P1", "4", "2021-03-01")])).unwrap();
    assert_eq!(run.claims, [Disposition::Committed]);
    assert_eq!(run.result.assessments()[0].status, Status::Approved);
}

#[test]
fn a_claim_id_given_twice_in_a_batch_makes_both_invalid_even_when_on_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path().join("l.db")).unwrap();
    let c = certificate("C1", "P1", "4", "2021-03-01");
    ledger.assess(&engine(), valid(std::slice::from_ref(&c))).unwrap();
    let run = ledger.assess(&engine(), valid(&[c.clone(), c])).unwrap();
    let codes: Vec<&str> = run.result.assessments().iter().map(|a| a.errors[0].code.code()).collect();
    assert_eq!(codes, ["duplicate_claim_id", "duplicate_claim_id"]);
    assert_eq!(run.batch, None);
}

#[test]
fn a_late_claim_is_decided_against_what_is_committed_and_reopens_nothing() {
    // P1's fourth certificate subsidy of 2021, applied for in February but sent after the
    // three of March, April and May were committed: the annual limit (3, S9) is used up. One
    // batch of all four would have paid February's and refused May's; the ledger never takes
    // back a committed decision.
    let occupations = ["6-18-02-04", "6-31-01-03", "6-18-01-01", "6-18-01-02"];
    let claim = |i: usize, applied_on: &str| {
        let mut c = certificate(&format!("C{i}"), "P1", "4", applied_on);
        c.occupation = Some(occupations[i].into());
        c
    };
    let (feb, months) = (claim(0, "2021-02-15"), [claim(1, "2021-03-15"), claim(2, "2021-04-15"), claim(3, "2021-05-15")]);
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path().join("l.db")).unwrap();
    for c in &months {
        let run = ledger.assess(&engine(), valid(std::slice::from_ref(c))).unwrap();
        assert_eq!(run.result.assessments()[0].status, Status::Approved, "{}", c.claim_id);
    }
    let late = ledger.assess(&engine(), valid(std::slice::from_ref(&feb))).unwrap();
    assert_eq!(late.result.assessments()[0].reasons.joined(), "annual_limit_reached");
    let engine = engine();
    let mut one = engine.batch();
    for c in months.iter().chain([&feb]) {
        one.add(c);
    }
    let one = one.finish();
    let refused: Vec<String> =
        one.assessments().into_iter().filter(|a| a.status == Status::Rejected).map(|a| a.claim_id.to_string()).collect();
    assert_eq!(refused, ["C3"]);
}

#[test]
fn the_ledger_exported_as_history_decides_the_next_month_as_the_ledger_does() {
    let engine = engine();
    let claims = common::claims(&example("demo-2021.csv"));
    let (before, after): (Vec<ClaimInput>, Vec<ClaimInput>) =
        claims.into_iter().partition(|c| claim_month(c).month() <= 6 && claim_month(c).year() == 2021);
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path().join("l.db")).unwrap();
    ledger.import_history(&history(&example("history-2021.csv")), None).unwrap();
    ledger.assess(&engine, Input::claims(before)).unwrap();
    let exported: Vec<HistoryRecord> = ledger.history().unwrap();
    let mut batch = engine.batch();
    for h in &exported {
        batch.add_history(h).unwrap();
    }
    for c in &after {
        if let ClaimInput::Valid(c) = c {
            batch.add(c);
        }
    }
    let with_history = batch.finish();
    let with_ledger = ledger.assess(&engine, Input::claims(after)).unwrap();
    assert_eq!(with_history.assessments(), with_ledger.result.assessments());
    assert_eq!(with_history.report, with_ledger.result.report);
}

#[test]
fn the_same_history_is_imported_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path().join("l.db")).unwrap();
    let records = history(&example("history-2021.csv"));
    assert_eq!(ledger.import_history(&records, Some("history-2021.csv")).unwrap().records, records.len());
    let err = ledger.import_history(&records, Some("copy.csv")).unwrap_err();
    assert_eq!(err.code(), "already_imported");
    assert!(err.to_string().contains("batch 1"), "{err}");
    assert_eq!(ledger.history().unwrap().len(), records.len());
}

#[test]
fn an_outcome_is_recorded_once_and_a_different_one_is_refused_with_the_others() {
    let engine = engine();
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path().join("l.db")).unwrap();
    let apps = applications(&example("applications-2021.csv"), &[]);
    ledger.assess(&engine, Input::default().with_applications(apps.clone())).unwrap();
    let approved: Vec<String> = ledger
        .assess(&engine, Input::default().with_applications(apps))
        .unwrap()
        .result
        .applications
        .iter()
        .filter(|r| r.assessment.status == Status::Approved)
        .map(|r| r.application_id.to_string())
        .collect();
    let certified = |id: &str| (id.to_string(), Outcome::new(OutcomeKind::CompletedCertified, None));
    let withdrawn = |id: &str| (id.to_string(), Outcome::new(OutcomeKind::Withdrawn, Some(date("2021-09-01"))));
    let first = ledger.record_outcomes(&engine, &[certified(&approved[0])], None).unwrap();
    assert_eq!((first.recorded, first.unchanged), (1, 0));
    let same = ledger.record_outcomes(&engine, &[certified(&approved[0])], None).unwrap();
    assert_eq!((same.batch, same.recorded, same.unchanged), (None, 0, 1));
    let before = state(&mut ledger);
    let err = ledger.record_outcomes(&engine, &[withdrawn(&approved[1]), withdrawn(&approved[0]), certified("NO-SUCH")], None).unwrap_err();
    let LedgerError::Outcomes { problems, .. } = &err else { panic!("{err}") };
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains("completed_certified is on record") && problems[1].contains("NO-SUCH: no such application"),
        "{problems:?}"
    );
    assert_eq!(state(&mut ledger), before, "none of the outcomes was recorded, the good one neither");
}

#[test]
fn a_full_disk_is_reported_and_leaves_the_ledger_as_before_the_batch() {
    let engine = engine();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.db");
    let mut ledger = Ledger::open(&path).unwrap();
    ledger.import_history(&history(&example("history-2021.csv")), None).unwrap();
    let before = state(&mut ledger);
    let pages: i64 = rusqlite::Connection::open(&path).unwrap().pragma_query_value(None, "page_count", |r| r.get(0)).unwrap();
    // A disk with room for a few more pages: the batch's 20,000 decisions need hundreds.
    ledger.limit_pages_for_tests(pages + 8).unwrap();
    let err = ledger.assess(&engine, Input::claims(common::claims(&example("demo-2021.csv")))).unwrap_err();
    assert_eq!(err.code(), "disk_full", "{err}");
    assert!(err.to_string().contains("nothing of this batch was written"), "{err}");
    assert_eq!(state(&mut ledger), before);
    // Reopened (the limit gone, as when space is freed), the batch commits whole.
    drop(ledger);
    let mut ledger = Ledger::open(&path).unwrap();
    assert_eq!(state(&mut ledger), before);
    let run = ledger.assess(&engine, Input::claims(common::claims(&example("demo-2021.csv")))).unwrap();
    assert_eq!(run.counts().0, 20_000);
}

#[test]
fn a_busy_ledger_is_waited_for_then_refused_with_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.db");
    drop(Ledger::open(&path).unwrap());
    // Another writer holds the ledger (a commit that takes long): it opens all the same.
    let holder = rusqlite::Connection::open(&path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let mut ledger = Ledger::open(&path).unwrap().with_wait(Duration::from_millis(200)).unwrap();
    let started = std::time::Instant::now();
    let err = ledger.assess(&engine(), valid(&[certificate("C1", "P1", "4", "2021-03-01")])).unwrap_err();
    assert!(started.elapsed() >= Duration::from_millis(200), "it waited before refusing");
    assert_eq!(err.code(), "ledger_busy");
    assert!(err.to_string().contains("nothing was committed"), "{err}");
    // A reader is never kept waiting by a writer.
    assert_eq!(ledger.history().unwrap().len(), 0);
    holder.execute_batch("ROLLBACK").unwrap();
    assert_eq!(ledger.assess(&engine(), valid(&[certificate("C1", "P1", "4", "2021-03-01")])).unwrap().batch, Some(1));
}

#[test]
fn two_writers_at_once_are_served_one_after_the_other() {
    // Two months of the demo year committed at the same moment from two connections: the
    // ledger ends as one order or the other would leave it, never a mix.
    let claims = common::claims(&example("demo-2021.csv"));
    let part = |m: u32| -> Vec<ClaimInput> {
        claims.iter().filter(|c| claim_month(c).year() == 2021 && claim_month(c).month() == m).cloned().collect()
    };
    let (may, june) = (part(5), part(6));
    let sequential = |first: &[ClaimInput], second: &[ClaimInput]| {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::open(dir.path().join("l.db")).unwrap();
        ledger.assess(&engine(), Input::claims(first.to_vec())).unwrap();
        ledger.assess(&engine(), Input::claims(second.to_vec())).unwrap();
        ledger.report(&engine(), None).unwrap()
    };
    let (may_first, june_first) = (sequential(&may, &june), sequential(&june, &may));
    assert_ne!(may_first, june_first, "the order matters for these months, so a mix would show");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.db");
    Ledger::open(&path).unwrap();
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(2));
    let writers: Vec<_> = [may, june]
        .into_iter()
        .map(|part| {
            let (path, barrier) = (path.clone(), barrier.clone());
            std::thread::spawn(move || {
                let mut ledger = Ledger::open(&path).unwrap();
                barrier.wait();
                ledger.assess(&engine(), Input::claims(part)).unwrap().batch
            })
        })
        .collect();
    let batches: Vec<Option<i64>> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    assert!(batches.contains(&Some(1)) && batches.contains(&Some(2)), "{batches:?}");
    let both = Ledger::open(&path).unwrap().report(&engine(), None).unwrap();
    assert!(both == may_first || both == june_first);
}

#[test]
fn a_ledger_of_a_newer_schema_is_refused_with_a_clear_message_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.db");
    let mut ledger = Ledger::open(&path).unwrap();
    ledger.assess(&engine(), valid(&[certificate("C1", "P1", "4", "2021-03-01")])).unwrap();
    drop(ledger);
    rusqlite::Connection::open(&path).unwrap().pragma_update(None, "user_version", skill_subsidy_ledger::SCHEMA_VERSION + 1).unwrap();
    let written = std::fs::read(&path).unwrap();
    let err = Ledger::open(&path).unwrap_err();
    assert_eq!(err.code(), "newer_schema");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: written by a newer version of skill-subsidy (ledger schema {}; this version reads schemas up to {}); use that version or a later one — nothing was changed",
            path.display(),
            skill_subsidy_ledger::SCHEMA_VERSION + 1,
            skill_subsidy_ledger::SCHEMA_VERSION
        )
    );
    assert_eq!(std::fs::read(&path).unwrap(), written, "left as it was");
    assert_eq!(Ledger::open_existing(dir.path().join("none.db")).unwrap_err().code(), "ledger_missing");
    assert!(!dir.path().join("none.db").exists());
}

#[test]
fn a_file_that_is_not_a_ledger_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claims.csv");
    std::fs::write(&path, "claim_id,program\nC1,online\n").unwrap();
    assert_eq!(Ledger::open(&path).unwrap_err().code(), "not_a_ledger");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "claim_id,program\nC1,online\n");
}

#[test]
fn an_application_decided_before_is_shown_with_its_session_and_payments() {
    let engine = engine();
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path().join("l.db")).unwrap();
    let apps = applications(&example("applications-2021.csv"), &[]);
    let first = ledger.assess(&engine, Input::default().with_applications(apps.clone())).unwrap();
    let again = ledger.assess(&engine, Input::default().with_applications(apps)).unwrap();
    assert_eq!(again.batch, None);
    for (a, b) in first.result.applications.iter().zip(&again.result.applications) {
        assert_eq!((&a.application_id, a.session, &a.schedule), (&b.application_id, b.session, &b.schedule));
        assert_eq!(
            (a.assessment.status, a.assessment.amount, a.assessment.reasons),
            (b.assessment.status, b.assessment.amount, b.assessment.reasons)
        );
    }
    let reused: Vec<ApplicationInput> = applications(&example("applications-2021.csv"), &[])
        .into_iter()
        .take(1)
        .map(|a| match a {
            ApplicationInput::Valid(mut app) => {
                app.months += 1;
                ApplicationInput::Valid(app)
            }
            other => other,
        })
        .collect();
    let run = ledger.assess(&engine, Input::default().with_applications(reused)).unwrap();
    assert_eq!(run.result.applications[0].assessment.errors[0].code.code(), "claim_id_reused");
    assert_eq!(run.result.applications[0].assessment.errors[0].field, "application_id");
}

#[test]
fn the_places_of_a_yearly_quota_taken_in_earlier_batches_stay_taken() {
    // tests/rulesets/apprenticeship-quota: two apprentices a year. The vector's applications,
    // each with its session's month, through the ledger: February's approval holds its place,
    // so April admits one more and June none — as one batch of all of them does.
    let engine = Engine::new(Ruleset::from_dir(format!("{}/../tests/rulesets/apprenticeship-quota", env!("CARGO_MANIFEST_DIR"))).unwrap());
    let vector: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{}/../tests/vectors/batch_apprenticeship_quota.json", env!("CARGO_MANIFEST_DIR"))).unwrap(),
    )
    .unwrap();
    let case = &vector["cases"][0];
    let apps: Vec<skill_subsidy::Application> =
        case["applications"].as_array().unwrap().iter().map(|a| skill_subsidy::Application::from_json(a, false).unwrap()).collect();
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path().join("l.db")).unwrap();
    let mut decided = std::collections::BTreeMap::new();
    let sessions: std::collections::BTreeSet<_> = apps.iter().map(|a| engine.review_session(a.submitted_on)).collect();
    for session in sessions {
        let month: Vec<ApplicationInput> =
            apps.iter().filter(|a| engine.review_session(a.submitted_on) == session).cloned().map(ApplicationInput::Valid).collect();
        for r in ledger.assess(&engine, Input::default().with_applications(month)).unwrap().result.applications {
            decided.insert(r.application_id.to_string(), (r.assessment.status.code(), r.assessment.reasons.joined()));
        }
    }
    for want in case["expect"]["applications"].as_array().unwrap() {
        let reasons: Vec<&str> = want["reasons"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
        let id = want["application_id"].as_str().unwrap();
        assert_eq!(decided[id], (want["status"].as_str().unwrap(), reasons.join(";")), "{id}");
    }
}
