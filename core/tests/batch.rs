//! Batches against a plain sequential model of SPEC §7.2, and the invariants of SPEC §7.2/§11:
//! any input order gives the same result; splitting by person and merging with one global
//! budget pass gives the same result; the total is the sum of approved amounts; commitments
//! never exceed the opening balance.

use proptest::prelude::*;
use skill_subsidy::calendar::Date;
use skill_subsidy::rules::{Calculation, Fund};
use skill_subsidy::trace::{Counted, StepId};
use skill_subsidy::Level;
use skill_subsidy::{Claim, Closings, Decimal, Engine, HistoryRecord, Overrides, Report, Ruleset, Status};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The default ruleset with a small special account that closes when spent (so that it runs
/// out in tests), or as it ships: a spending goal that refuses no claim.
fn engine_for(closing: bool) -> &'static Engine {
    static CLOSING: OnceLock<Engine> = OnceLock::new();
    static GOAL: OnceLock<Engine> = OnceLock::new();
    if closing {
        CLOSING.get_or_init(|| {
            let base = Engine::new(Ruleset::wuxi_2021().unwrap());
            let overrides = r#"{"accounts.wuxi-2021.opening_balance": "30000.00", "accounts.wuxi-2021.closes_when_spent": "true"}"#;
            base.with_overrides(&Overrides::from_json_str(overrides).unwrap()).unwrap()
        })
    } else {
        GOAL.get_or_init(|| Engine::new(Ruleset::wuxi_2021().unwrap()))
    }
}

/// One claim's outcome, comparable across runs.
type Outcome = (Status, String, Decimal);

/// The plain reading of SPEC §7.2: claims in (applied_on, claim_id) order, each checked against
/// everything approved before it and the history; the account closes at the first claim it
/// cannot pay, and stays closed — when it closes when spent; a spending goal refuses no claim.
/// An apprenticeship sent as a claim is approved only at a review session: `needs_review`.
fn model(engine: &Engine, claims: &[Claim], history: &[HistoryRecord]) -> Vec<Outcome> {
    let rules = engine.ruleset();
    let number = |path: &str| engine.value(path).unwrap().number();
    let flag = |path: &str| engine.value(path).unwrap().flag();
    let annual = number("limits.annual_claims");
    let program = |id: &str| rules.program(id);
    let counts = |id: &str| program(id).is_none_or(|p| flag(&format!("programs.{}.counts_toward_annual_limit", p.id)));
    let level_table = |id: &str| program(id).is_none_or(|p| matches!(p.calculation, Calculation::LevelTable { .. }));
    let group = |id: &str| program(id).and_then(|p| p.exclusivity_group.as_ref().map(|g| g.value.clone()));
    let special = |id: &str| program(id).is_some_and(|p| p.fund == Fund::SpecialAccount);
    let account_on = |d: Date| rules.accounts.iter().find(|a| a.fund == Fund::SpecialAccount && a.period.contains(d));

    let mut ids: HashMap<&str, usize> = HashMap::new();
    for c in claims {
        *ids.entry(&c.claim_id).or_default() += 1;
    }
    let mut out: Vec<Outcome> = Vec::new();
    let mut order = Vec::new();
    for (i, c) in claims.iter().enumerate() {
        let a = engine.assess(c);
        if ids[c.claim_id.as_str()] > 1 {
            out.push((Status::Invalid, String::new(), Decimal::ZERO));
        } else {
            if a.status == Status::Approved {
                order.push(i);
            }
            out.push((a.status, a.reasons.joined(), a.amount));
        }
    }
    order.sort_by(|&a, &b| {
        (claims[a].applied_on, claims[a].claim_id.as_bytes()).cmp(&(claims[b].applied_on, claims[b].claim_id.as_bytes()))
    });

    // Subsidies paid: (person, program, occupation, level, enterprise, applied_on, amount).
    type Paid = (String, String, Option<String>, Option<Level>, Option<String>, Date, Decimal);
    let mut paid: Vec<Paid> = history
        .iter()
        .map(|h| {
            (
                h.person_id.to_string(),
                h.program.to_string(),
                h.occupation.as_ref().map(|s| s.to_string()),
                h.level,
                h.enterprise_id.as_ref().map(|s| s.to_string()),
                h.applied_on,
                h.amount,
            )
        })
        .collect();
    let mut committed: HashMap<String, Decimal> = HashMap::new();
    for h in history {
        if special(&h.program) {
            if let Some(a) = account_on(h.applied_on) {
                *committed.entry(a.id.clone()).or_default() += h.amount;
            }
        }
    }
    let mut closed: Vec<String> = Vec::new();
    for i in order {
        let c = &claims[i];
        let person = c.person_id.as_str();
        let year = |d: Date| chrono::Datelike::year(&d);
        let decision: Result<Decimal, &str> = (|| {
            if program(&c.program).is_some_and(|p| matches!(p.calculation, Calculation::Apprenticeship { .. })) {
                return Err("needs_review");
            }
            let occ = c.occupation.as_ref().map(|s| s.to_string());
            if level_table(&c.program) && occ.is_some() && c.level.is_some() {
                let mine = paid.iter().filter(|p| p.0 == person && level_table(&p.1) && p.2 == occ);
                if flag("limits.once_per_occupation_level") && mine.clone().any(|p| p.3 == c.level) {
                    return Err("duplicate_level");
                }
                if flag("limits.no_lower_level_after_higher") && mine.clone().any(|p| p.3.is_some_and(|l| l.is_above(c.level.unwrap()))) {
                    return Err("lower_than_subsidised_level");
                }
            }
            if counts(&c.program) {
                let n = paid.iter().filter(|p| p.0 == person && counts(&p.1) && year(p.5) == year(c.applied_on)).count();
                if Decimal::from(n) >= annual {
                    return Err("annual_limit_reached");
                }
            }
            let mut amount = out[i].2;
            if let (Some(g), Some(e)) = (group(&c.program), c.enterprise_id.as_ref()) {
                let before: Decimal = paid
                    .iter()
                    .filter(|p| {
                        p.0 == person
                            && p.4.as_deref() == Some(e.as_str())
                            && year(p.5) == year(c.applied_on)
                            && group(&p.1).as_deref() == Some(g.as_str())
                    })
                    .map(|p| p.6)
                    .sum();
                amount -= before;
                if amount <= Decimal::ZERO {
                    return Err("exclusive_with_other_program");
                }
            }
            if special(&c.program) {
                let Some(account) = account_on(c.applied_on) else { return Err("no_account_in_force") };
                if closed.contains(&account.id) {
                    return Err("budget_exhausted");
                }
                let closes = flag(&format!("accounts.{}.closes_when_spent", account.id));
                let opening = if closes { number(&format!("accounts.{}.opening_balance", account.id)) } else { Decimal::MAX };
                let total = committed.entry(account.id.clone()).or_default();
                if *total + amount > opening {
                    closed.push(account.id.clone());
                    return Err("budget_exhausted");
                }
                *total += amount;
            }
            Ok(amount)
        })();
        match decision {
            Ok(amount) => {
                out[i] = (Status::Approved, String::new(), amount);
                paid.push((
                    person.to_string(),
                    c.program.to_string(),
                    c.occupation.as_ref().map(|s| s.to_string()),
                    c.level,
                    c.enterprise_id.as_ref().map(|s| s.to_string()),
                    c.applied_on,
                    amount,
                ));
            }
            Err(reason) => out[i] = (Status::Rejected, reason.to_string(), Decimal::ZERO),
        }
    }
    out
}

fn outcomes(result: &skill_subsidy::BatchResult) -> Vec<Outcome> {
    result.assessments().into_iter().map(|a| (a.status, a.reasons.joined(), a.amount)).collect()
}

// Claims drawn from a small world, so that persons repeat occupations, levels, programs and
// enterprises, and the small account runs out.
const OCCUPATIONS: [&str; 4] = ["6-18-02-04", "6-18-01-01", "4-10-01-06", "6-31-01-03"];
const PROGRAMS: [&str; 7] = ["skills_training", "enterprise_upgrade", "ui_skill_upgrade", "pre_job", "on_job", "online", "apprenticeship"];

fn date(day: i64) -> Date {
    Date::from_ymd_opt(2021, 1, 4).unwrap() + chrono::Duration::days(day)
}

prop_compose! {
    fn claim()(
        id in 0u32..400, person in 0u32..12, program in 0usize..PROGRAMS.len(), occupation in 0usize..OCCUPATIONS.len(),
        level in proptest::sample::select(vec![Level::L5, Level::L4, Level::L3, Level::L2, Level::L1]),
        day in 0i64..340, lag in 0i64..40, enterprise in 0u32..2, fee in 20_000i64..400_000, months in 1u32..6, ui in 6u32..30,
        late_year in proptest::bool::weighted(0.05),
    ) -> Claim {
        let event = if late_year { date(day + 365) } else { date(day) };
        let mut c = Claim::new(&format!("C{id:03}"), PROGRAMS[program], &format!("P{person}"), event, event + chrono::Duration::days(lag));
        c.occupation = Some(OCCUPATIONS[occupation].into());
        c.level = Some(level);
        c.institution = Some("WX-JG-001".into());
        c.enterprise_id = Some(format!("E{enterprise}").into());
        c.fee_paid = Some(Decimal::new(fee, 2));
        c.months = Some(months);
        c.ui_contribution_months = Some(ui);
        c
    }
}

prop_compose! {
    fn history_record()(person in 0u32..12, program in 0usize..PROGRAMS.len(), occupation in 0usize..OCCUPATIONS.len(),
                        level in proptest::sample::select(vec![Level::L5, Level::L4, Level::L3, Level::L2]), day in 0i64..200, amount in 0i64..300_000) -> HistoryRecord {
        let mut h = HistoryRecord::new(&format!("P{person}"), PROGRAMS[program], date(day), date(day + 5), Decimal::new(amount, 2));
        h.occupation = Some(OCCUPATIONS[occupation].into());
        h.level = Some(level);
        h.enterprise_id = Some("E0".into());
        h
    }
}

fn batch() -> impl Strategy<Value = (Vec<Claim>, Vec<HistoryRecord>)> {
    (proptest::collection::vec(claim(), 0..80), proptest::collection::vec(history_record(), 0..6))
}

/// Splits claims and history by person into `parts`, runs pass 1 in each, pass 2 over all, pass 3
/// in each, and merges: the §11 recipe for a distributed run.
fn split_run(engine: &Engine, claims: &[Claim], history: &[HistoryRecord], parts: u32) -> (HashMap<String, Outcome>, Report) {
    let part_of = |person: &str| person.trim_start_matches('P').parse::<u32>().unwrap_or(0) % parts;
    let mut partitions = Vec::new();
    for k in 0..parts {
        let mut b = engine.batch();
        for h in history.iter().filter(|h| part_of(&h.person_id) == k) {
            b.add_history(h).unwrap();
        }
        for c in claims.iter().filter(|c| part_of(&c.person_id) == k) {
            b.add(c);
        }
        partitions.push(b.into_partition());
    }
    let closings = Closings::compute(engine, partitions.iter().map(|p| p.budget_input()));
    let mut report = Report::default();
    let mut by_id = HashMap::new();
    for p in partitions {
        let r = p.settle(&closings);
        report.merge(&r.report);
        for (id, a) in (0..r.len()).map(|i| (r.claim_id(i), r.assessment(i))) {
            by_id.insert(id.to_string(), (a.status, a.reasons.joined(), a.amount));
        }
    }
    (by_id, report)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn a_batch_decides_as_the_plain_sequential_reading_of_the_rules((claims, history) in batch(), closing in any::<bool>()) {
        let engine = engine_for(closing);
        let result = engine.assess_batch(&claims, &history).unwrap();
        prop_assert_eq!(outcomes(&result), model(engine, &claims, &history));
    }

    #[test]
    fn any_input_order_gives_the_same_result((claims, history) in batch(), seed in any::<u64>(), closing in any::<bool>()) {
        let engine = engine_for(closing);
        let whole = engine.assess_batch(&claims, &history).unwrap();
        let mut shuffled: Vec<(usize, Claim)> = claims.iter().cloned().enumerate().collect();
        let mut rng = seed;
        for i in (1..shuffled.len()).rev() {
            rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (rng >> 33) as usize % (i + 1));
        }
        let again = engine.assess_batch(&shuffled.iter().map(|(_, c)| c.clone()).collect::<Vec<_>>(), &history).unwrap();
        for ((original, _), a) in shuffled.iter().zip(again.assessments()) {
            let b = whole.assessment(*original);
            prop_assert_eq!((a.status, a.reasons, a.amount), (b.status, b.reasons, b.amount));
        }
        prop_assert_eq!(&again.report, &whole.report);
    }

    #[test]
    fn splitting_by_person_and_merging_with_one_budget_pass_equals_the_whole((claims, history) in batch(), parts in 1u32..5, closing in any::<bool>()) {
        let engine = engine_for(closing);
        // Claim ids must be unique for a split run to be comparable by id.
        let mut seen = std::collections::HashSet::new();
        let claims: Vec<Claim> = claims.into_iter().filter(|c| seen.insert(c.claim_id.clone())).collect();
        let whole = engine.assess_batch(&claims, &history).unwrap();
        let (by_id, report) = split_run(engine, &claims, &history, parts);
        for (id, a) in (0..whole.len()).map(|i| (whole.claim_id(i), whole.assessment(i))) {
            prop_assert_eq!(&by_id[id], &(a.status, a.reasons.joined(), a.amount), "claim {}", id);
        }
        prop_assert_eq!(report, whole.report);
    }

    #[test]
    fn the_total_is_the_sum_of_approved_amounts_and_never_above_a_closing_account((claims, history) in batch(), closing in any::<bool>()) {
        let result = engine_for(closing).assess_batch(&claims, &history).unwrap();
        let sum: Decimal = result.assessments().into_iter().filter(|a| a.status == Status::Approved).map(|a| a.amount).sum();
        prop_assert_eq!(result.report.approved.amount, sum);
        let by_program: Decimal = result.report.by_program.values().map(|t| t.amount).sum();
        prop_assert_eq!(by_program, sum);
        prop_assert!(result.assessments().into_iter().all(|a| a.amount >= Decimal::ZERO));
        for ledger in result.report.accounts.values() {
            let opening = ledger.opening_balance.unwrap_or_default();
            if ledger.closes_when_spent {
                prop_assert!(ledger.committed <= opening || ledger.history_committed > Decimal::ZERO);
                prop_assert!(ledger.committed + ledger.history_committed <= opening.max(ledger.history_committed));
            }
            // Every payment is of a commitment; what is paid in the period and after adds up.
            let paid: Decimal = ledger.paid_by_month.values().copied().sum();
            prop_assert_eq!(paid, ledger.paid_in_period() + ledger.paid_after_period());
        }
        if !closing {
            prop_assert!(result.assessments().into_iter().all(|a| !a.reasons.contains(skill_subsidy::Reason::BudgetExhausted)));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// SPEC §7.4: a claim of a batch is explained where it was decided — the same decision,
    /// the same steps as explaining every claim, and the cross-claim steps name what counted.
    #[test]
    fn explaining_a_claim_of_a_batch_gives_the_batch_decision_and_names_what_counted(
        (claims, history) in batch(), pick in any::<proptest::sample::Index>(), closing in any::<bool>()
    ) {
        prop_assume!(!claims.is_empty());
        let engine = engine_for(closing);
        let whole = engine.assess_batch(&claims, &history).unwrap();
        let id = claims[pick.index(claims.len())].claim_id.clone();
        let run = |b: skill_subsidy::Batch<'_>| {
            let mut b = b;
            for h in &history {
                b.add_history(h).unwrap();
            }
            b.add_all(&claims);
            b.finish()
        };
        let explained = run(engine.batch().trace_only([id.as_str()]));
        let every = run(engine.batch().with_trace(true));
        prop_assert_eq!(outcomes(&explained), outcomes(&whole));
        prop_assert_eq!(&explained.report, &whole.report);
        let key = |j: usize| (claims[j].applied_on, claims[j].claim_id.as_bytes());
        for k in 0..claims.len() {
            let a = explained.assessment(k);
            if claims[k].claim_id != id {
                prop_assert!(a.trace.is_none());
                continue;
            }
            let trace = a.trace.as_ref().unwrap();
            let all = every.assessment(k);
            prop_assert_eq!(Some(trace), all.trace.as_ref());
            for step in &trace.steps {
                for counted in &step.counted {
                    match counted {
                        Counted::Claim(other) => {
                            let j = claims.iter().position(|c| c.claim_id == other.as_str()).unwrap();
                            prop_assert!(key(j) < key(k) || (step.step == StepId::Budget && key(j) <= key(k)), "{:?} names {} queued after it", step.step, other);
                            if step.step == StepId::Budget {
                                // The claim at which the account closed: the first it could not pay.
                                prop_assert_eq!(whole.assessment(j).reasons.joined(), "budget_exhausted");
                            } else {
                                prop_assert_eq!(&claims[j].person_id, &claims[k].person_id);
                                prop_assert_eq!(whole.status(j), Status::Approved);
                            }
                        }
                        Counted::History(line) => {
                            let h = &history[*line as usize - 1];
                            prop_assert_eq!(&h.person_id, &claims[k].person_id);
                        }
                        other => prop_assert!(false, "no applications here: {:?}", other),
                    }
                }
                if step.step == StepId::AnnualLimit {
                    prop_assert_eq!(step.before.clone(), Some(step.counted.len().to_string()));
                }
            }
            let failed = trace.steps.iter().filter(|s| s.outcome == skill_subsidy::trace::StepOutcome::Fail).count();
            prop_assert_eq!(failed > 0, a.status != Status::Approved, "{:?}", trace.step_ids());
        }
    }
}

/// The default rules with an account of 500.00 that closes when spent.
fn account_of_500() -> Engine {
    Engine::new(Ruleset::wuxi_2021().unwrap())
        .with_overrides(
            &Overrides::from_json_str(r#"{"accounts.wuxi-2021.opening_balance": "500", "accounts.wuxi-2021.closes_when_spent": "true"}"#)
                .unwrap(),
        )
        .unwrap()
}

/// A new hire's pre-job training (300.00) claimed by enterprise E1 on a day of May 2021.
fn hire(id: &str, person: &str, day: u32) -> Claim {
    let d = Date::from_ymd_opt(2021, 5, day).unwrap();
    let mut c = Claim::new(id, "pre_job", person, d, d);
    c.enterprise_id = Some("E1".into());
    c
}

#[test]
fn the_account_closes_at_the_first_claim_it_cannot_pay_even_if_a_later_one_would_fit() {
    let engine = account_of_500();
    let mut online = hire("C3", "P3", 12);
    online.program = "online".into();
    online.fee_paid = Some(Decimal::new(10000, 2)); // 100.00 would fit
    let claims = vec![hire("C1", "P1", 10), hire("C2", "P2", 11), online];
    let result = engine.assess_batch(&claims, &[]).unwrap();
    let reasons: Vec<String> = result.assessments().into_iter().map(|a| a.reasons.joined()).collect();
    assert_eq!(reasons, ["", "budget_exhausted", "budget_exhausted"]);
    assert_eq!(result.report.accounts["wuxi-2021"].committed.to_string(), "300.00");
}

#[test]
fn a_batch_trace_adds_checks_8_to_12_and_moves_payment_last() {
    let engine = Engine::new(Ruleset::wuxi_2021().unwrap());
    let d = Date::from_ymd_opt(2021, 8, 2).unwrap();
    let welder = |id: &str| {
        let mut c = Claim::new(id, "skills_training", "P1", d, d + chrono::Duration::days(5));
        c.occupation = Some("6-18-02-04".into());
        c.level = Some(Level::L3);
        c.institution = Some("WX-JG-001".into());
        c.fee_paid = Some(Decimal::new(300000, 2));
        c
    };
    let mut batch = engine.batch().with_trace(true);
    batch.add(&welder("A"));
    batch.add(&welder("B"));
    let result = batch.finish();
    let steps = |i: usize| result.assessment(i).trace.as_ref().unwrap().step_ids();
    let first = steps(0);
    assert_eq!(&first[first.len() - 5..], ["duplicate_level", "lower_level", "annual_limit", "budget", "payment"]);
    let second = steps(1);
    assert_eq!(second.last(), Some(&"duplicate_level"), "{second:?}");
    assert!(!second.contains(&"payment"), "a refused claim is not paid");
    assert_eq!(result.assessment(1).reasons.joined(), "duplicate_level");
}

#[test]
fn claims_added_together_on_every_core_decide_as_claims_added_one_by_one() {
    // Enough claims that the per-claim checks run on several threads, a block while the one
    // before is added (three blocks), from a world small enough that persons repeat and the
    // small account runs out; some rows are malformed, some claims are not as a reader would
    // hold them (an id given with spaces, a negative fee).
    let engine = engine_for(true);
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let claims: Vec<Claim> = (0..40_000)
        .map(|i| {
            let mut c = proptest::strategy::ValueTree::current(&claim().new_tree(&mut runner).unwrap());
            c.claim_id = format!("C{i:05}").into();
            c.person_id = format!("P{}", i % 10_000).into();
            match i % 1_000 {
                3 => c.claim_id = format!(" C{i:05} ").into(),
                5 => c.fee_paid = Some(Decimal::new(-100, 2)),
                _ => {}
            }
            c
        })
        .collect();
    let whole = engine.assess_batch(&claims, &[]).unwrap();
    let mut one_by_one = engine.batch();
    for c in &claims {
        one_by_one.add(c);
    }
    let one_by_one = one_by_one.finish();
    assert_eq!(outcomes(&whole), outcomes(&one_by_one));
    assert_eq!(whole.report, one_by_one.report);
    // Persons' runs gathered on several cores too, some with history: the plain reading of the
    // spec agrees.
    let history: Vec<HistoryRecord> = (0..40)
        .map(|p| {
            let mut h =
                HistoryRecord::new(&format!("P{}", p * 7), PROGRAMS[p % 6], date(p as i64), date(p as i64 + 5), Decimal::new(50_000, 2));
            h.occupation = Some(OCCUPATIONS[p % 4].into());
            h.level = Some(Level::L4);
            h
        })
        .collect();
    let valid: Vec<Claim> = claims.iter().filter(|c| c.fee_paid.is_none_or(|f| !f.is_sign_negative())).cloned().collect();
    assert_eq!(outcomes(&engine.assess_batch(&valid, &history).unwrap()), model(engine, &valid, &history));
    assert!(whole.report.rejections.len() >= 3, "{:?}", whole.report.rejections);
    assert_eq!(whole.report.invalid, 40);
    assert!((0..whole.len()).all(|i| whole.claim_id(i) == one_by_one.claim_id(i) && whole.claim_id(i) == claims[i].claim_id));
    assert_eq!(whole.assessment(1_003).claim_id, " C01003 ");
    // The report counts each claim once, by its status and reasons (a shape of this small world
    // has many outcomes: months of payment, windows, refusals).
    let all = whole.assessments();
    let count = |status: Status| all.iter().filter(|a| a.status == status).count() as u64;
    assert_eq!(
        (whole.report.claims, whole.report.rejected, whole.report.invalid),
        (all.len() as u64, count(Status::Rejected), count(Status::Invalid))
    );
    let mut rejections: std::collections::BTreeMap<skill_subsidy::Reason, u64> = Default::default();
    for a in all.iter().filter(|a| a.status == Status::Rejected) {
        a.reasons.iter().for_each(|r| *rejections.entry(r).or_default() += 1);
    }
    assert_eq!(whole.report.rejections, rejections);
    // With history, applications and some claims explained: the same, traces included.
    let only: Vec<&str> = claims.iter().step_by(331).map(|c| c.claim_id.trim()).collect();
    let application = |id: &str, person: &str| {
        let json = serde_json::json!({
            "application_id": id, "enterprise_id": "E1", "person_id": person, "occupation": "6-18-02-04", "target_level": "3",
            "start_date": "2021-05-01", "months": "12", "submitted_on": "2021-03-01", "institution": "WX-JG-001",
        });
        skill_subsidy::Application::from_json(&json, false).unwrap()
    };
    let run = |all: bool| {
        let mut b = engine.batch().trace_only(only.iter());
        for h in &history {
            b.add_history(h).unwrap();
        }
        b.add_application(&application("A1", "P1"));
        b.add_application(&application("A2", "P-only-an-application"));
        if all {
            b.add_all(&claims);
        } else {
            claims.iter().for_each(|c| b.add(c));
        }
        format!("{:?}", b.finish().into_parts())
    };
    let (together, one_by_one) = (run(true), run(false));
    assert!(together.contains("trace: Some"));
    assert_eq!(together, one_by_one);
    // Rows read on every core: the same, malformed rows invalid in their place.
    let rows: Vec<skill_subsidy::RawClaim> = claims
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut json = serde_json::json!({
                "claim_id": c.claim_id.as_str(), "program": c.program.as_str(), "person_id": c.person_id.as_str(),
                "enterprise_id": c.enterprise_id.as_deref(), "occupation": c.occupation.as_deref(), "level": c.level.map(|l| l.code()),
                "event_date": c.event_date.to_string(), "applied_on": c.applied_on.to_string(), "institution": c.institution.as_deref(),
                "fee_paid": c.fee_paid.map(|f| f.to_string()), "months": c.months, "ui_contribution_months": c.ui_contribution_months,
                "group": c.group.code(),
            });
            if i % 1_000 == 7 {
                json["event_date"] = "2021-02-30".into();
            }
            skill_subsidy::RawClaim::from_json(&json)
        })
        .collect();
    let mut read = engine.batch();
    read.add_rows(rows.len(), skill_subsidy::FieldMode::Strict, |i| &rows[i]);
    let read = read.finish();
    let mut sequential = engine.batch();
    for r in &rows {
        sequential.add_raw(r, skill_subsidy::FieldMode::Strict);
    }
    let sequential = sequential.finish();
    assert_eq!(outcomes(&read), outcomes(&sequential));
    assert_eq!(read.report, sequential.report);
    assert_eq!(read.report.invalid, 80);
    assert!((0..read.len()).all(|i| read.claim_id(i) == sequential.claim_id(i)));
}

#[test]
fn an_explained_rejection_names_the_history_lines_and_claims_that_counted() {
    let engine = Engine::new(Ruleset::wuxi_2021().unwrap());
    let d = |m: u32, day: u32| Date::from_ymd_opt(2021, m, day).unwrap();
    let certificate = |id: &str, occupation: &str, applied: Date| {
        let mut c = Claim::new(id, "skills_training", "P1", applied - chrono::Duration::days(5), applied);
        c.occupation = Some(occupation.into());
        c.level = Some(Level::L4);
        c.institution = Some("WX-JG-001".into());
        c.fee_paid = Some(Decimal::new(300000, 2));
        c
    };
    let mut earlier = HistoryRecord::new("P1", "skills_training", d(2, 1), d(2, 10), Decimal::new(150000, 2));
    earlier.occupation = Some("6-31-01-03".into());
    earlier.level = Some(Level::L4);
    // Three a year at most: the history record (line 7 of its file) and A and B use them up.
    let claims = [
        certificate("D", "6-18-01-01", d(6, 1)),
        certificate("A", "6-18-02-04", d(3, 1)),
        certificate("B", "4-10-01-06", d(4, 1)),
        certificate("E", "6-18-02-04", d(7, 1)),
    ];
    let mut batch = engine.batch().trace_only(["D", "E"]);
    batch.add_history_at(&earlier, 7).unwrap();
    batch.add_all(&claims);
    let result = batch.finish();
    let step = |i: usize, id: StepId| result.assessment(i).trace.as_ref().unwrap().steps.iter().find(|s| s.step == id).cloned().unwrap();
    assert_eq!(result.assessment(0).reasons.joined(), "annual_limit_reached");
    let limit = step(0, StepId::AnnualLimit);
    assert_eq!(limit.counted, [Counted::History(7), Counted::Claim("A".into()), Counted::Claim("B".into())]);
    assert!(limit.note_en.ends_with("(counted: history line 7, claim A, claim B)"), "{}", limit.note_en);
    assert!(limit.note_zh.ends_with("（计入：已享受记录第 7 行、申请 A、申请 B）"), "{}", limit.note_zh);
    // E repeats A's occupation and level: A is named, not the others.
    assert_eq!(result.assessment(3).reasons.joined(), "duplicate_level");
    assert_eq!(step(3, StepId::DuplicateLevel).counted, [Counted::Claim("A".into())]);
    assert!(result.assessment(1).trace.is_none() && result.assessment(2).trace.is_none());
}

#[test]
fn an_explained_budget_refusal_names_the_claim_at_which_the_account_closed_and_what_was_left() {
    let engine = account_of_500();
    let claims = [hire("C1", "P1", 10), hire("C2", "P2", 11), hire("C3", "P3", 12)];
    let mut batch = engine.batch().trace_only(["C3"]);
    batch.add_all(&claims);
    let result = batch.finish();
    assert_eq!(result.assessment(2).reasons.joined(), "budget_exhausted");
    let trace = result.assessment(2).trace.clone().unwrap();
    let budget = trace.steps.iter().find(|s| s.step == StepId::Budget).unwrap();
    assert_eq!(budget.counted, [Counted::Claim("C2".into())]);
    assert_eq!(budget.after.as_deref(), Some("200.00"));
    assert!(budget.note_en.contains("it closed at C2, applied on 2021-05-11, with 200.00 left"), "{}", budget.note_en);
    assert!(budget.note_zh.contains("当时余额 200.00 元"), "{}", budget.note_zh);
}

/// Rows of different shapes (other levels, so other amounts) whose records show the same program,
/// catalogue version, status, reasons and month share one outcome, and each row still has its
/// own amount: the one it gets alone.
#[test]
fn rows_whose_records_differ_only_in_id_and_amount_share_one_outcome() {
    let engine = Engine::new(Ruleset::wuxi_2021().unwrap());
    let day = Date::from_ymd_opt(2021, 5, 10).unwrap();
    let claims: Vec<Claim> = [(Level::L5, 999_900), (Level::L4, 999_900), (Level::L3, 999_900), (Level::L4, 50_000)]
        .into_iter()
        .enumerate()
        .map(|(i, (level, fee))| {
            let mut c = Claim::new(&format!("C{i}"), "skills_training", &format!("P{i}"), day, day);
            c.occupation = Some("6-18-02-04".into());
            c.level = Some(level);
            c.institution = Some("WX-JG-001".into());
            c.fee_paid = Some(Decimal::new(fee, 2));
            c
        })
        .collect();
    let result = engine.assess_batch(&claims, &[]).unwrap();
    let alone: Vec<_> = claims.iter().map(|c| engine.assess(c)).collect();
    let amounts: Vec<Decimal> = alone.iter().map(|a| a.amount).collect();
    assert!(alone.iter().all(|a| a.status == Status::Approved), "{alone:?}");
    assert_eq!(amounts.iter().collect::<std::collections::HashSet<_>>().len(), 4, "four amounts: {amounts:?}");
    for (row, a) in alone.iter().enumerate() {
        let got = result.assessment(row);
        assert_eq!((got.status, got.amount, &got.program, &got.catalogue_version), (a.status, a.amount, &a.program, &a.catalogue_version));
    }
    assert_eq!(result.outcomes().len(), 1);
    assert_eq!(result.outcomes()[0].amount, Decimal::ZERO);
}
