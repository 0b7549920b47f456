//! Every policy value says honestly where it comes from (SPEC §5.1): a trace never prints
//! `confirmed` for a sample catalogue entry or list, whatever the entry cites.

use skill_subsidy::calendar::parse_date;
use skill_subsidy::rules::Confidence;
use skill_subsidy::Level;
use skill_subsidy::{Claim, Engine, Ruleset};

#[test]
fn no_trace_step_calls_a_sample_catalogue_entry_confirmed() {
    let engine = Engine::new(Ruleset::wuxi_2021().unwrap());
    let rules = engine.ruleset();
    let occupations = rules.catalogue("occupations").unwrap();
    let mut steps = 0;
    for version in &occupations.versions {
        for (i, o) in version.occupations().iter().enumerate() {
            let on = version.period.from;
            let mut claim = Claim::new(&format!("C{i}"), "skills_training", "P1", on, on);
            claim.occupation = Some(o.code.as_str().into());
            claim.level = o.levels.iter().find(|l| *l != Level::T);
            claim.institution = Some("WX-JG-001".into());
            claim.evaluator = Some("WX-PJ-001".into());
            claim.fee_paid = Some("9000".parse().unwrap());
            let trace = engine.explain(&claim).trace.unwrap();
            for step in trace.steps.iter().filter(|s| s.rule.as_deref().is_some_and(|r| r.starts_with("catalogues."))) {
                steps += 1;
                assert_ne!(step.confidence, Some(Confidence::Confirmed), "{} {}: {:?}", version.id, o.code, step);
            }
        }
    }
    assert!(steps > 1000, "only {steps} catalogue steps were looked at");
}

#[test]
fn the_values_the_audit_named_are_not_confirmed() {
    let rules = Ruleset::wuxi_2021().unwrap();
    for path in [
        "payment.months_after_application",
        "programs.apprenticeship.review.cutoff_days",
        "programs.pre_job.amount",
        "programs.enterprise_upgrade.counts_toward_annual_limit",
        "programs.pre_job.counts_toward_annual_limit",
        "programs.online.counts_toward_annual_limit",
        "programs.project.counts_toward_annual_limit",
        "accounts.wuxi-2021.opening_balance",
    ] {
        let p = rules.param(path).unwrap_or_else(|| panic!("{path}"));
        assert_ne!(rules.confidence_of(&p.citation), Some(Confidence::Confirmed), "{path}");
    }
    let program = |id: &str| rules.program(id).unwrap();
    assert_ne!(rules.confidence_of(&program("on_job").groups.citation), Some(Confidence::Confirmed));
    let review = match &program("apprenticeship").calculation {
        skill_subsidy::rules::Calculation::Apprenticeship { review, .. } => review,
        _ => unreachable!("the apprenticeship program is of the apprenticeship kind"),
    };
    assert_eq!(rules.confidence_of(&review.sessions.citation), Some(Confidence::Illustrative));
    assert_ne!(rules.confidence_of(&rules.shortage.as_ref().unwrap().levels.citation), Some(Confidence::Confirmed));
    for version in &rules.catalogue("shortage").unwrap().versions {
        assert_eq!(rules.confidence_of(&version.citation), Some(Confidence::Illustrative), "{}", version.id);
    }
    // What the seed does state is confirmed: the spending goal.
    let goal = rules.param("accounts.wuxi-2021.spending_target").unwrap();
    assert_eq!(rules.confidence_of(&goal.citation), Some(Confidence::Confirmed));
}

#[test]
fn a_dated_value_is_named_with_its_range_and_its_own_source_in_the_trace() {
    let engine = Engine::new(Ruleset::wuxi_2021().unwrap());
    let explain = |applied: &str| {
        let mut c = Claim::new("A1", "apprenticeship", "P1", parse_date("2021-09-01").unwrap(), parse_date(applied).unwrap());
        c.enterprise_id = Some("E1".into());
        c.occupation = Some("6-18-01-01".into());
        c.level = Some(Level::L4);
        c.institution = Some("WX-JG-001".into());
        c.months = Some(12);
        engine.explain(&c)
    };
    let after = explain("2021-07-01");
    let base = after.trace.as_ref().unwrap().steps.iter().find(|s| s.step.code() == "base_amount").unwrap().clone();
    assert_eq!(after.amount.to_string(), "5000.00");
    assert_eq!(base.range.as_deref(), Some("2021-06-22.."));
    assert_eq!(base.citation.as_deref(), Some("S20"));
    assert!(base.note_en.contains("from 2021-06-22"), "{}", base.note_en);
    let before = explain("2021-04-01");
    let base = before.trace.as_ref().unwrap().steps.iter().find(|s| s.step.code() == "base_amount").unwrap().clone();
    assert_eq!(before.amount.to_string(), "4000.00");
    assert_eq!((base.range, base.citation.as_deref()), (None, Some("S23")));
}
