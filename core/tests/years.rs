//! The same claims under the Wuxi 2021 and 2023 rules: a second real ruleset shows the engine is
//! general (Jiangsu's A/B/C classes, Wuxi's explicit +20% table) and lets analysts compare years.

use skill_subsidy::calendar::Date;
use skill_subsidy::Level;
use skill_subsidy::{Claim, Decimal, Engine, Ruleset, Status};

#[test]
fn every_embedded_ruleset_loads() {
    assert_eq!(Ruleset::embedded_ids(), ["wuxi-2021", "wuxi-2023"]);
    for id in Ruleset::embedded_ids() {
        let rules = Ruleset::embedded(id).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(rules.id, id);
    }
}

/// A claim dated in 2021, and the same claim two years later.
fn both(claim: &Claim) -> (Claim, Claim) {
    use chrono::Datelike;
    let later = |d: Date| d.with_year(d.year() + 2).unwrap_or(d);
    let mut c2023 = claim.clone();
    c2023.event_date = later(claim.event_date);
    c2023.applied_on = later(claim.applied_on);
    (claim.clone(), c2023)
}

fn certificate(id: &str, program: &str, occupation: &str, level: Level, fee: i64) -> Claim {
    let d = Date::from_ymd_opt(2021, 9, 6).unwrap();
    let mut c = Claim::new(id, program, &format!("P-{id}"), d, d + chrono::Duration::days(10));
    c.occupation = Some(occupation.into());
    c.level = Some(level);
    c.institution = Some("WX-JG-001".into());
    c.fee_paid = Some(Decimal::new(fee * 100, 2));
    c.enterprise_id = Some("E1".into());
    c.months = Some(3);
    c
}

#[test]
fn the_same_claims_pay_what_each_years_rules_say() {
    let (r2021, r2023) = (Engine::new(Ruleset::wuxi_2021().unwrap()), Engine::new(Ruleset::embedded("wuxi-2023").unwrap()));
    let cases: [(Claim, &str, &str); 5] = [
        // 焊工, category A, on both shortage lists, level 3: 2000 × 1.30 in 2021; Wuxi's published 2400 in 2023.
        (certificate("C1", "skills_training", "6-18-02-04", Level::L3, 5000), "2600.00", "2400.00"),
        // The same at level 4: no uplift below 高级工; Jiangsu's class A standard equals Wuxi 2021's.
        (certificate("C2", "skills_training", "6-18-02-04", Level::L4, 5000), "1500.00", "1500.00"),
        // 家政服务员, category C (life services), level 4: 1500 in 2021, class C 1000 in 2023.
        (certificate("C3", "skills_training", "4-10-01-06", Level::L4, 5000), "1500.00", "1000.00"),
        // 岗前培训 per new hire: 300 in 2021 (S13), 350 in 2023 (S3).
        (certificate("C4", "pre_job", "", Level::L5, 0), "300.00", "350.00"),
        // 以工代训 was a 2020–2021 measure: the 2023 rules have no such program.
        (certificate("C5", "on_job", "", Level::L5, 0), "1500.00", "unknown_program"),
    ];
    for (claim, want_2021, want_2023) in cases {
        let (a, b) = both(&claim);
        let (x, y) = (r2021.assess(&a), r2023.assess(&b));
        assert_eq!(x.amount.to_string(), want_2021, "{} in 2021: {:?}", claim.claim_id, x.reasons);
        match y.status {
            Status::Approved => assert_eq!(y.amount.to_string(), want_2023, "{} in 2023", claim.claim_id),
            _ => assert_eq!(y.reasons.joined(), want_2023, "{} in 2023", claim.claim_id),
        }
    }
}

#[test]
fn a_batch_compared_across_years_differs_by_program_and_adds_up_in_each() {
    let (r2021, r2023) = (Engine::new(Ruleset::wuxi_2021().unwrap()), Engine::new(Ruleset::embedded("wuxi-2023").unwrap()));
    let claims: Vec<Claim> = (0..40)
        .map(|i| {
            let occupation = ["6-18-02-04", "4-10-01-06", "6-18-01-01", "6-31-01-03"][i % 4];
            let level = [Level::L5, Level::L4, Level::L3, Level::L2][i % 3];
            certificate(&format!("Y{i:02}"), "skills_training", occupation, level, 1800 + 100 * i as i64)
        })
        .collect();
    let (c2021, c2023): (Vec<Claim>, Vec<Claim>) = claims.iter().map(both).unzip();
    let (x, y) = (r2021.assess_batch(&c2021, &[]).unwrap(), r2023.assess_batch(&c2023, &[]).unwrap());
    for r in [&x, &y] {
        let sum: Decimal = r.assessments().into_iter().filter(|a| a.status == Status::Approved).map(|a| a.amount).sum();
        assert_eq!(r.report.approved.amount, sum);
    }
    assert_eq!(x.report.approved.count, y.report.approved.count, "the same claims are eligible in both years");
    assert_ne!(x.report.approved.amount, y.report.approved.amount, "but the standards differ");
    // 2021's fund is the special account; 2023's programs are paid from the employment fund.
    assert!(x.report.by_fund.contains_key("special_account"));
    assert!(y.report.by_fund.contains_key("employment_fund") && !y.report.by_fund.contains_key("special_account"));
}
