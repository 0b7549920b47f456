//! The README's "Embed it / In Rust" example, as a crate of its own would write it.

#[test]
fn the_readme_example_runs() -> Result<(), Box<dyn std::error::Error>> {
    use skill_subsidy::{calendar::parse_date, Claim, Engine, Level, Overrides, Ruleset};
    let engine = Engine::new(Ruleset::wuxi_2021()?);
    let mut claim = Claim::new("C1", "skills_training", "P1", parse_date("2021-08-02")?, parse_date("2021-08-20")?);
    claim.occupation = Some("6-18-02-04".into());
    claim.level = Some(Level::L3);
    claim.institution = Some("WX-JG-001".into());
    claim.fee_paid = Some("3000.00".parse()?);
    let explained = engine.explain(&claim); // engine.assess(&claim) without the trace
    assert_eq!(explained.amount.to_string(), "2600.00");
    assert_eq!(explained.program.as_deref(), Some("skills_training"));
    println!("{}", serde_json::to_string(&explained.record())?); // the record of SPEC §7.3
    let variant = engine.with_overrides(&Overrides::new().set("shortage.rate", "0.20"))?;
    assert_eq!(variant.explain(&claim).amount.to_string(), "2400.00");
    Ok(())
}
