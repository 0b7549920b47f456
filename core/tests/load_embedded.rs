use skill_subsidy::Ruleset;

#[test]
fn the_default_ruleset_loads_without_problems() {
    match Ruleset::wuxi_2021() {
        Ok(r) => {
            assert_eq!(r.programs.len(), 8);
        }
        Err(e) => panic!("{e}"),
    }
}
