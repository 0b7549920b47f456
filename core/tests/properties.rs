//! Invariants of single-claim assessment, checked on generated claims.

use proptest::prelude::*;
use skill_subsidy::calendar::Date;
use skill_subsidy::rules::{Calculation, Entries};
use skill_subsidy::Group;
use skill_subsidy::Level;
use skill_subsidy::{Assessment, Claim, Decimal, Engine, FieldMode, Overrides, RawClaim, RawValue, Ruleset, Status};
use std::sync::OnceLock;

struct World {
    engine: Engine,
    programs: Vec<String>,
    occupations: Vec<String>,
    institutions: Vec<String>,
    projects: Vec<String>,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let rules = Ruleset::wuxi_2021().expect("embedded ruleset loads");
        let mut occupations: Vec<String> = Vec::new();
        let mut institutions: Vec<String> = Vec::new();
        for c in &rules.catalogues {
            for v in &c.versions {
                match &v.entries {
                    Entries::Occupations(list) => occupations.extend(list.iter().map(|o| o.code.clone())),
                    Entries::Institutions(list) => institutions.extend(list.iter().map(|i| i.id.clone())),
                    _ => {}
                }
            }
        }
        occupations.sort();
        occupations.dedup();
        institutions.sort();
        institutions.dedup();
        World {
            programs: rules.programs.iter().map(|p| p.id.clone()).collect(),
            projects: rules.projects.iter().map(|p| p.id.clone()).collect(),
            occupations,
            institutions,
            engine: Engine::new(rules),
        }
    })
}

fn pick(list: &'static [String]) -> impl Strategy<Value = String> {
    prop_oneof![4 => (0..list.len()).prop_map(move |i| list[i].clone()), 1 => "[A-Z0-9-]{1,12}"]
}

fn date() -> impl Strategy<Value = Date> {
    (0i64..900).prop_map(|d| Date::from_ymd_opt(2020, 9, 1).unwrap() + chrono::Duration::days(d))
}

fn fen() -> impl Strategy<Value = Decimal> {
    (0i64..1_000_000).prop_map(|f| Decimal::new(f, 2))
}

prop_compose! {
    fn claim()(
        program in pick(&world().programs),
        occupation in proptest::option::weighted(0.95, pick(&world().occupations)),
        level in proptest::option::weighted(0.95, proptest::sample::select(Level::ALL.to_vec())),
        group in proptest::sample::select(Group::ALL.to_vec()),
        event in date(),
        lag in -20i64..420,
        institution in proptest::option::weighted(0.95, pick(&world().institutions)),
        fee in proptest::option::weighted(0.95, fen()),
        months in proptest::option::weighted(0.95, 1u32..30),
        ui in proptest::option::weighted(0.95, 0u32..40),
        project in proptest::option::weighted(0.95, pick(&world().projects)),
        enterprise in proptest::option::weighted(0.9, "E[0-9]{3}"),
    ) -> Claim {
        let mut c = Claim::new("C", &program, "P", event, event + chrono::Duration::days(lag));
        c.occupation = occupation.map(Into::into);
        c.level = level;
        c.group = group;
        c.institution = institution.map(Into::into);
        c.fee_paid = fee;
        c.months = months;
        c.ui_contribution_months = ui;
        c.project = project.map(Into::into);
        c.enterprise_id = enterprise.map(Into::into);
        c
    }
}

fn same(a: &Assessment, b: &Assessment) -> bool {
    a.status == b.status && a.amount == b.amount && a.reasons == b.reasons && a.errors == b.errors && a.payment_month == b.payment_month
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn amounts_are_never_negative_and_only_approved_claims_have_one(claim in claim()) {
        let a = world().engine.assess(&claim);
        prop_assert!(a.amount >= Decimal::ZERO);
        if a.status != Status::Approved {
            prop_assert_eq!(a.amount, Decimal::ZERO);
        }
        prop_assert_eq!(a.amount.scale(), if a.status == Status::Approved { 2 } else { a.amount.scale() });
    }

    #[test]
    fn a_capped_amount_never_exceeds_the_fee_paid(claim in claim()) {
        let engine = &world().engine;
        let a = engine.assess(&claim);
        if let Some(program) = a.program.as_deref().and_then(|id| engine.program(id)) {
            let caps = program.caps_at_fee.is_some_and(|p| engine.ruleset().params.get(p).value.flag())
                || matches!(program.calculation, Calculation::CappedFee { .. });
            if caps && a.status == Status::Approved {
                prop_assert!(a.amount <= claim.fee_paid.unwrap_or_default());
            }
        }
    }

    #[test]
    fn the_uplift_never_lowers_an_amount(claim in claim(), rate in 0u32..=100) {
        let engine = &world().engine;
        let no_uplift = engine
            .ruleset()
            .programs
            .iter()
            .filter(|p| p.shortage_uplift.is_some())
            .fold(Overrides::new(), |o, p| o.set(&format!("programs.{}.shortage_uplift", p.id), "false"));
        let other_rate = Overrides::new().set("shortage.rate", &format!("0.{rate:02}"));
        let with = engine.with_overrides(&other_rate).unwrap().assess(&claim);
        let without = engine.with_overrides(&no_uplift).unwrap().assess(&claim);
        prop_assert_eq!(with.status, without.status);
        prop_assert!(with.amount >= without.amount, "{} < {}", with.amount, without.amount);
    }

    #[test]
    fn overriding_another_programs_values_changes_nothing(claim in claim(), other in 0usize..8, value in 0u32..5000) {
        let engine = &world().engine;
        let rules = engine.ruleset();
        let other = &rules.programs[other];
        prop_assume!(other.id != claim.program);
        let prefix = format!("programs.{}.", other.id);
        let mut overrides = Overrides::new();
        for (_, p) in rules.params.iter().filter(|(_, p)| p.path.starts_with(&prefix)) {
            let text = match p.kind {
                skill_subsidy::rules::ParamKind::Flag => (value % 2 == 0).to_string(),
                skill_subsidy::rules::ParamKind::Rate => "0.5".to_string(),
                _ => value.to_string(),
            };
            overrides = overrides.set(&p.path, &text);
        }
        let variant = engine.with_overrides(&overrides).unwrap();
        prop_assert!(same(&engine.assess(&claim), &variant.assess(&claim)));
    }

    #[test]
    fn saving_and_reloading_the_ruleset_changes_no_result(claim in claim()) {
        static RELOADED: OnceLock<Engine> = OnceLock::new();
        let reloaded = RELOADED.get_or_init(|| {
            let files = world().engine.ruleset().to_files();
            Engine::new(Ruleset::from_files(files.iter().map(|(p, t)| (p.as_str(), t.as_str()))).unwrap_or_else(|e| panic!("{e}")))
        });
        let (a, b) = (world().engine.explain(&claim), reloaded.explain(&claim));
        prop_assert!(same(&a, &b));
        let steps = |x: &Assessment| x.trace.as_ref().map(|t| t.steps.iter().map(|s| (s.step, s.rule.clone(), s.citation.clone(), s.after.clone())).collect::<Vec<_>>());
        prop_assert_eq!(steps(&a), steps(&b));
    }

    #[test]
    fn any_fields_at_all_give_an_assessment_never_a_panic(
        fields in proptest::collection::vec((
            prop_oneof![proptest::sample::select(skill_subsidy::Field::ALL.iter().map(|f| f.name().to_string()).collect::<Vec<_>>()), ".{0,12}"],
            prop_oneof![".{0,40}".prop_map(RawValue::Text), "[-0-9.e]{1,30}".prop_map(RawValue::Number), Just(RawValue::Null), any::<bool>().prop_map(RawValue::Bool), Just(RawValue::NotUtf8)],
        ), 0..20)
    ) {
        let mut raw = RawClaim::default();
        for (name, value) in fields {
            raw.set(&name, value);
        }
        let a = world().engine.assess_raw(&raw, FieldMode::Strict, true);
        prop_assert!(a.trace.is_some());
        if a.status == Status::Invalid {
            prop_assert!(!a.errors.is_empty());
        }
    }
}

#[test]
fn the_saved_ruleset_is_the_same_ruleset() {
    let rules = Ruleset::wuxi_2021().unwrap();
    let files = rules.to_files();
    let again = Ruleset::from_files(files.iter().map(|(p, t)| (p.as_str(), t.as_str()))).unwrap();
    // The same values with the same citations (the writer may list them in another order).
    let values = |r: &Ruleset| {
        let mut v: Vec<_> = r.params.iter().map(|(_, p)| (p.path.clone(), p.value, p.citation.clone())).collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    };
    assert_eq!(values(&rules), values(&again));
    assert_eq!(rules.catalogues.len(), again.catalogues.len());
    for (a, b) in rules.catalogues.iter().zip(&again.catalogues) {
        assert_eq!(
            a.versions.iter().map(|v| (&v.id, v.period, &v.entries)).collect::<Vec<_>>(),
            b.versions.iter().map(|v| (&v.id, v.period, &v.entries)).collect::<Vec<_>>()
        );
    }
    assert_eq!(rules.export_json(), again.export_json());
}
