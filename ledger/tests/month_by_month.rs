//! Month by month equals one batch (SPEC v2 §10): the demo year (20,000 claims, its history,
//! 400 apprenticeship applications and their outcomes) split by the month each enters the
//! queue — a claim's `applied_on`, an application's review session — and run month after month
//! through one ledger decides every claim and application as one batch of the whole year does,
//! to the fen, and the ledger's report equals the batch's report, key for key. With the special
//! account a spending goal (wuxi-2021 as shipped) and with it closing when spent.

mod common;

use common::*;
use skill_subsidy::calendar::YearMonth;
use skill_subsidy::money::format_yuan;
use skill_subsidy::{BatchResult, Engine, Overrides, Ruleset, Status};
use skill_subsidy_ledger::{ApplicationInput, ClaimInput, Disposition, Input, Ledger, MonthRange};
use std::collections::{BTreeMap, BTreeSet};

/// What a claim or application was decided: status, amount, reasons, payment month or session.
type Decision = (Status, String, String, String);

fn decisions(result: &BatchResult) -> BTreeMap<String, Decision> {
    let mut out = BTreeMap::new();
    for a in result.assessments() {
        let id = &a.claim_id;
        let month = a.payment_month.map(|m| m.to_string()).unwrap_or_default();
        out.insert(format!("claim {id}"), (a.status, format_yuan(a.amount), a.reasons.joined(), month));
    }
    for r in &result.applications {
        let a = &r.assessment;
        let session = r.session.map(|d| d.to_string()).unwrap_or_default();
        out.insert(format!("application {}", r.application_id), (a.status, format_yuan(a.amount), a.reasons.joined(), session));
    }
    out
}

/// The payments of each application as a result shows them.
fn schedules(result: &BatchResult) -> BTreeMap<String, String> {
    result
        .applications
        .iter()
        .filter_map(|r| {
            let s = r.schedule.as_ref()?;
            let payments: Vec<String> = s.payments.iter().map(|p| format!("{} {:?} {}", p.month, p.kind, format_yuan(p.amount))).collect();
            Some((r.application_id.to_string(), format!("{} = {}", payments.join(", "), format_yuan(s.final_amount))))
        })
        .collect()
}

/// Keys of two JSON values that differ, for a readable failure.
fn differences(a: &serde_json::Value, b: &serde_json::Value, at: &str, out: &mut Vec<String>) {
    match (a, b) {
        (serde_json::Value::Object(x), serde_json::Value::Object(y)) => {
            for k in x.keys().chain(y.keys()).collect::<BTreeSet<_>>() {
                differences(
                    x.get(k).unwrap_or(&serde_json::Value::Null),
                    y.get(k).unwrap_or(&serde_json::Value::Null),
                    &format!("{at}.{k}"),
                    out,
                );
            }
        }
        _ if a != b => out.push(format!("{at}: {a} ≠ {b}")),
        _ => {}
    }
}

fn assert_same_decisions<T: PartialEq + std::fmt::Debug>(got: &BTreeMap<String, T>, want: &BTreeMap<String, T>, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}");
    let differ: Vec<String> =
        want.iter().filter(|(id, d)| got.get(*id) != Some(d)).map(|(id, d)| format!("{id}: {:?}, one batch {d:?}", got.get(id))).collect();
    assert!(
        differ.is_empty(),
        "{what}: {} decisions differ from one batch's:\n{}",
        differ.len(),
        differ[..differ.len().min(20)].join("\n")
    );
}

fn assert_same_json(ledger: &serde_json::Value, batch: &serde_json::Value, what: &str) {
    let mut diff = Vec::new();
    differences(ledger, batch, "", &mut diff);
    assert!(
        diff.is_empty(),
        "{what}: the ledger's report differs from one batch's at {} keys:\n{}",
        diff.len(),
        diff[..diff.len().min(20)].join("\n")
    );
}

fn the_year_month_by_month_equals_one_batch(engine: &Engine) {
    let history = history(&example("history-2021.csv"));
    let outcomes = outcomes(&example("outcomes-2021.csv"));
    let claims = claims(&example("demo-2021.csv"));
    let with_outcomes = applications(&example("applications-2021.csv"), &outcomes);
    let without_outcomes = applications(&example("applications-2021.csv"), &[]);

    // One batch of the whole year.
    let mut batch = engine.batch();
    for h in &history {
        batch.add_history(h).unwrap();
    }
    for a in &with_outcomes {
        if let ApplicationInput::Valid(app) = a {
            batch.add_application(app);
        }
    }
    for c in &claims {
        if let ClaimInput::Valid(claim) = c {
            batch.add(claim);
        }
    }
    let year = batch.finish();

    // Month after month through one ledger, outcomes recorded in the month after they happen.
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = Ledger::open(dir.path().join("wuxi-2021.db")).unwrap();
    ledger.import_history(&history, Some("history-2021.csv")).unwrap();
    let months: BTreeSet<YearMonth> =
        claims.iter().map(claim_month).chain(without_outcomes.iter().map(|a| application_month(engine, a))).collect();
    let mut by_month = BTreeMap::new();
    let mut recorded = 0;
    for month in &months {
        let input = Input::claims(claims.iter().filter(|c| claim_month(c) == *month).cloned().collect())
            .with_applications(without_outcomes.iter().filter(|a| application_month(engine, a) == *month).cloned().collect())
            .with_source(&format!("demo-{month}.csv"));
        let run = ledger.assess(engine, input).unwrap();
        assert!(run.claims.iter().chain(&run.applications).all(|d| *d == Disposition::Committed), "{month}");
        assert!(run.batch.is_some(), "{month}");
        // A period of one month reports what that month's batch reported (before outcomes
        // change the apprenticeships' payments: none has happened by then here).
        if month.year() == 2021 && month.month() <= 4 {
            let period = MonthRange { first: *month, last: *month };
            assert_same_json(
                &ledger.report(engine, Some(period)).unwrap().to_json(),
                &run.result.report.to_json(),
                &format!("period {month}"),
            );
        }
        by_month.extend(decisions(&run.result));
        // An outcome is known in its month, once its application was decided.
        let known = |(id, o): &&(String, skill_subsidy::Outcome)| {
            let app = without_outcomes.iter().find(|a| matches!(a, ApplicationInput::Valid(app) if app.application_id == *id)).unwrap();
            o.date.is_some_and(|d| YearMonth::of(d).max(application_month(engine, app)) == *month)
        };
        let arrived: Vec<(String, skill_subsidy::Outcome)> = outcomes.iter().filter(known).cloned().collect();
        recorded += ledger.record_outcomes(engine, &arrived, Some("outcomes")).unwrap().recorded;
    }
    // The rest are recorded at the end, all of them: those recorded already are unchanged.
    let rest = ledger.record_outcomes(engine, &outcomes, Some("outcomes")).unwrap();
    let approved = |id: &str| year.applications.iter().any(|r| r.application_id == id && r.assessment.status == Status::Approved);
    assert_eq!(recorded + rest.recorded, outcomes.iter().filter(|(id, _)| approved(id)).count());
    assert_eq!(rest.not_approved, outcomes.iter().filter(|(id, _)| !approved(id)).count());

    // Claim for claim, application for application, to the fen.
    let one = decisions(&year);
    assert_same_decisions(&by_month, &one, "month by month");
    // The whole report: counts, sums, accounts, payments, progress, two-month cuts.
    assert_same_json(&ledger.report(engine, None).unwrap().to_json(), &year.report.to_json(), "the year");

    // Running every month again commits nothing, shows the same decisions, and the applications
    // with the payments their outcomes left.
    let mut again = BTreeMap::new();
    let mut shown = BTreeMap::new();
    for month in &months {
        let input = Input::claims(claims.iter().filter(|c| claim_month(c) == *month).cloned().collect())
            .with_applications(with_outcomes.iter().filter(|a| application_month(engine, a) == *month).cloned().collect());
        let run = ledger.assess(engine, input).unwrap();
        assert_eq!(run.batch, None, "{month}: nothing new");
        assert!(run.claims.iter().chain(&run.applications).all(|d| matches!(d, Disposition::AlreadyDecided { .. })));
        again.extend(decisions(&run.result));
        shown.extend(schedules(&run.result));
    }
    assert_same_decisions(&again, &one, "run again");
    assert_same_decisions(&shown, &schedules(&year), "payments");
    assert_same_json(&ledger.report(engine, None).unwrap().to_json(), &year.report.to_json(), "the year, run twice");
}

#[test]
fn the_demo_year_month_by_month_equals_one_batch_with_the_account_a_spending_goal() {
    let engine = Engine::new(Ruleset::wuxi_2021().unwrap());
    the_year_month_by_month_equals_one_batch(&engine);
}

#[test]
fn the_demo_year_month_by_month_equals_one_batch_with_the_account_closing_when_spent() {
    // About half of what the year commits: the account closes in the middle of the year.
    let closing =
        Overrides::new().set("accounts.wuxi-2021.closes_when_spent", "true").set("accounts.wuxi-2021.opening_balance", "10000000");
    let engine = Engine::new(Ruleset::wuxi_2021().unwrap()).with_overrides(&closing).unwrap();
    let refused = {
        let mut batch = engine.batch();
        for c in claims(&example("demo-2021.csv")) {
            if let ClaimInput::Valid(claim) = c {
                batch.add(&claim);
            }
        }
        batch.finish().report.rejections.iter().find(|(r, _)| r.code() == "budget_exhausted").map_or(0, |(_, n)| *n)
    };
    assert!(refused > 1000, "the account should close mid-year ({refused} refused)");
    the_year_month_by_month_equals_one_batch(&engine);
}
