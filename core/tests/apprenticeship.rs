//! Enterprise apprenticeships: review sessions, one apprenticeship at a time, the quota, the
//! account, staged payments by outcome, and the overlap with enterprise upgrading claims.

use proptest::prelude::*;
use skill_subsidy::calendar::{parse_date, Date, YearMonth};
use skill_subsidy::Level;
use skill_subsidy::{Application, Claim, Decimal, Engine, Outcome, OutcomeKind, PaymentKind, Ruleset, Status};

fn d(s: &str) -> Date {
    parse_date(s).unwrap()
}

fn app(id: &str, person: &str, submitted: &str, start: &str, months: u32, level: Level) -> Application {
    let json = serde_json::json!({
        "application_id": id, "enterprise_id": "E1", "person_id": person, "occupation": "6-18-02-04",
        "target_level": level.code(), "start_date": start, "months": months.to_string(), "submitted_on": submitted,
        "institution": "WX-JG-001", "district": "新吴区",
    });
    Application::from_json(&json, false).unwrap_or_else(|e| panic!("{e:?}"))
}

fn engine() -> Engine {
    Engine::new(Ruleset::wuxi_2021().unwrap())
}

#[test]
fn an_application_goes_to_the_first_session_at_least_the_cut_off_later() {
    let e = engine();
    // Sessions on the 20th of every second month; a cut-off of 7 days.
    assert_eq!(e.review_session(d("2021-04-13")), Some(d("2021-04-20")), "submitted exactly the cut-off before");
    assert_eq!(e.review_session(d("2021-04-14")), Some(d("2021-06-20")), "a day later misses it");
    assert_eq!(e.review_session(d("2021-12-13")), Some(d("2021-12-20")));
    assert_eq!(e.review_session(d("2021-12-14")), None, "after the last session's cut-off");
    let (late, session) = e.review_application(&app("A1", "P1", "2021-12-14", "2022-01-01", 12, Level::L3), true);
    assert_eq!((late.status, late.reasons.joined(), session), (Status::Rejected, "no_review_session".to_string(), None));
    assert_eq!(late.trace.unwrap().step_ids(), ["review_session"]);
}

#[test]
fn the_amount_is_the_rate_times_months_over_twelve_and_staged_by_outcome() {
    let e = engine();
    let mut a = app("A1", "P1", "2021-04-01", "2021-05-01", 18, Level::L3);
    let (review, session) = e.review_application(&a, false);
    assert_eq!((review.status, review.amount.to_string()), (Status::Approved, "7500.00".to_string())); // 5000 × 18 / 12
    let session = session.unwrap();
    assert_eq!(session, d("2021-04-20"));
    let month = |s: &str| YearMonth::parse(s).unwrap();
    // No outcome: the forecast assumes completion with a certificate.
    let s = e.schedule(&a, session, review.amount);
    let got: Vec<_> = s.payments.iter().map(|p| (p.month, p.amount.to_string(), p.kind)).collect();
    assert_eq!(
        got,
        [(month("2021-05"), "2500.00".into(), PaymentKind::Advance), (month("2022-12"), "5000.00".into(), PaymentKind::Settlement)]
    );
    // Completed without a certificate: 50% of the amount (S26), less the advance.
    a.outcome = Some(Outcome::new(OutcomeKind::CompletedUncertified, None));
    let s = e.schedule(&a, session, review.amount);
    assert_eq!((s.final_amount.to_string(), s.payments[1].amount.to_string()), ("3750.00".into(), "1250.00".into()));
    // Withdrawn: the advance is recovered the month after, the rest is released.
    a.outcome = Some(Outcome::new(OutcomeKind::Withdrawn, Some(d("2021-09-15"))));
    let s = e.schedule(&a, session, review.amount);
    let got: Vec<_> = s.payments.iter().map(|p| (p.month, p.amount.to_string(), p.kind)).collect();
    assert_eq!(
        got,
        [(month("2021-05"), "2500.00".into(), PaymentKind::Advance), (month("2021-10"), "-2500.00".into(), PaymentKind::Recovery)]
    );
    assert_eq!(s.final_amount, Decimal::ZERO);
}

#[test]
fn a_person_holds_one_apprenticeship_at_a_time_in_queue_order() {
    let e = engine();
    let mut batch = e.batch();
    batch.add_application(&app("A2", "P1", "2021-04-01", "2021-05-01", 12, Level::L3));
    batch.add_application(&app("A1", "P1", "2021-04-01", "2021-09-01", 12, Level::L2));
    batch.add_application(&app("A3", "P1", "2021-08-01", "2022-09-01", 12, Level::L3));
    let r = batch.finish();
    let got: Vec<_> = r.applications.iter().map(|a| (a.application_id.to_string(), a.assessment.reasons.joined())).collect();
    // A1 and A2 share a session; A1 comes first by id and holds the place (to 2022-08-31); A3
    // starts after A1 ends.
    assert_eq!(got, [("A2".into(), "already_apprenticed".into()), ("A1".into(), String::new()), ("A3".into(), String::new())]);
    assert_eq!(r.report.progress.by_month.values().map(|c| c.apprentices).sum::<u64>(), 2);
}

#[test]
fn an_apprentices_enterprise_upgrade_claims_for_the_same_enterprise_are_refused_while_it_runs() {
    let e = engine();
    let claim = |id: &str, enterprise: &str, event: &str, level: Level| {
        let mut c = Claim::new(id, "enterprise_upgrade", "P1", d(event), d(event) + chrono::Duration::days(10));
        c.enterprise_id = Some(enterprise.into());
        c.occupation = Some("6-18-02-04".into());
        c.level = Some(level);
        c.institution = Some("WX-JG-001".into());
        c.fee_paid = Some(Decimal::new(200000, 2));
        c
    };
    let mut batch = e.batch();
    batch.add_application(&app("A1", "P1", "2021-04-01", "2021-05-01", 12, Level::L3));
    batch.add(&claim("C-same", "E1", "2021-08-01", Level::L4));
    batch.add(&claim("C-other", "E2", "2021-08-02", Level::L3));
    batch.add(&claim("C-before", "E1", "2021-03-01", Level::L5));
    let r = batch.finish();
    let reasons: Vec<String> = r.assessments().into_iter().map(|a| a.reasons.joined()).collect();
    assert_eq!(reasons, ["apprenticeship_overlap", "", ""]);
    // With the flag off, the same claim is paid.
    let off = e
        .with_overrides(&skill_subsidy::Overrides::from_json_str(r#"{"programs.apprenticeship.review.overlap": "false"}"#).unwrap())
        .unwrap();
    let mut batch = off.batch();
    batch.add_application(&app("A1", "P1", "2021-04-01", "2021-05-01", 12, Level::L3));
    batch.add(&claim("C-same", "E1", "2021-08-01", Level::L4));
    assert_eq!(batch.finish().status(0), Status::Approved);
}

#[test]
fn a_quota_admits_applications_in_queue_order_and_the_rest_are_quota_full() {
    let files: Vec<(String, String)> = Ruleset::wuxi_2021()
        .unwrap()
        .to_files()
        .into_iter()
        .map(|(p, t)| {
            if p == "programs.toml" {
                (p, t.replace("overlap = {", "quota = { value = 2, source = \"seed\" }\noverlap = {"))
            } else {
                (p, t)
            }
        })
        .collect();
    let e = Engine::new(Ruleset::from_files(files.iter().map(|(p, t)| (p.as_str(), t.as_str()))).unwrap_or_else(|err| panic!("{err}")));
    let mut batch = e.batch();
    for (id, submitted) in [("A4", "2021-01-10"), ("A3", "2021-03-01"), ("A2", "2021-03-01"), ("A1", "2021-06-01")] {
        batch.add_application(&app(id, &format!("P{id}"), submitted, "2021-07-01", 12, Level::L4));
    }
    let r = batch.finish();
    let got: Vec<_> = r.applications.iter().map(|a| (a.application_id.to_string(), a.assessment.reasons.joined())).collect();
    // Sessions: A4 2021-02-20; A2, A3 2021-04-20 (A2 first by id); A1 2021-06-20.
    assert_eq!(
        got,
        [
            ("A4".into(), String::new()),
            ("A3".into(), "quota_full".into()),
            ("A2".into(), String::new()),
            ("A1".into(), "quota_full".into())
        ]
    );
}

#[test]
fn approvals_commit_their_full_amount_at_the_session_against_the_account() {
    let e = engine()
        .with_overrides(
            &skill_subsidy::Overrides::from_json_str(
                r#"{"accounts.wuxi-2021.opening_balance": "10000", "accounts.wuxi-2021.closes_when_spent": "true"}"#,
            )
            .unwrap(),
        )
        .unwrap();
    let mut batch = e.batch();
    batch.add_application(&app("A1", "P1", "2021-04-01", "2021-05-01", 18, Level::L3)); // 7500
    batch.add_application(&app("A2", "P2", "2021-04-01", "2021-05-01", 12, Level::L4)); // 4000: would exceed
    let r = batch.finish();
    let reasons: Vec<String> = r.applications.iter().map(|a| a.assessment.reasons.joined()).collect();
    assert_eq!(reasons, ["", "budget_exhausted"]);
    let ledger = &r.report.accounts["wuxi-2021"];
    assert_eq!(ledger.committed.to_string(), "7500.00");
    assert_eq!(ledger.paid_by_month.values().sum::<Decimal>().to_string(), "7500.00");
}

proptest! {
    #[test]
    fn every_schedule_pays_its_final_amount_and_never_before_approval(
        level in proptest::sample::select(vec![Level::L4, Level::L3, Level::L2, Level::L1]),
        months in 12u32..=24, submitted in 0i64..330, delay in 0i64..120,
        outcome in proptest::option::of((0usize..3, 0i64..700)),
    ) {
        let e = engine();
        let submitted = d("2021-01-01") + chrono::Duration::days(submitted);
        let start = submitted + chrono::Duration::days(delay);
        let mut a = app("A", "P", &submitted.to_string(), &start.to_string(), months, level);
        a.outcome = outcome.map(|(k, days)| {
            Outcome::new(
                [OutcomeKind::CompletedCertified, OutcomeKind::CompletedUncertified, OutcomeKind::Withdrawn][k],
                Some(start + chrono::Duration::days(days)),
            )
        });
        let (review, session) = e.review_application(&a, false);
        if let (Status::Approved, Some(session)) = (review.status, session) {
            let s = e.schedule(&a, session, review.amount);
            let paid: Decimal = s.payments.iter().map(|p| p.amount).sum();
            prop_assert_eq!(paid, s.final_amount);
            prop_assert!(s.final_amount <= review.amount && s.final_amount >= Decimal::ZERO);
            prop_assert!(s.payments.iter().all(|p| p.month > YearMonth::of(session)), "{:?}", s.payments);
        }
    }
}

/// An application built in code with 0 months or an empty person id is `invalid`, with the
/// errors the same application read from JSON gets (issue 18).
#[test]
fn a_typed_application_is_checked_as_its_json_is() {
    let mut typed = app("A1", "P1", "2021-04-01", "2021-05-01", 12, Level::L3);
    typed.months = 0;
    typed.person_id = "".into();
    let json = serde_json::json!({
        "application_id": "A1", "enterprise_id": "E1", "person_id": "", "occupation": "6-18-02-04",
        "target_level": "3", "start_date": "2021-05-01", "months": 0, "submitted_on": "2021-04-01",
        "institution": "WX-JG-001", "district": "新吴区",
    });
    let from_text: Vec<&str> = Application::from_json(&json, false).unwrap_err().iter().map(|e| e.code.code()).collect();
    assert_eq!(from_text, ["missing_field", "out_of_range"]);
    let e = engine();
    let mut batch = e.batch();
    batch.add_application(&typed);
    let r = batch.finish();
    let got: Vec<&str> = r.applications[0].assessment.errors.iter().map(|e| e.code.code()).collect();
    assert_eq!(got, from_text);
    assert_eq!(r.applications[0].assessment.status, skill_subsidy::Status::Invalid);
}
