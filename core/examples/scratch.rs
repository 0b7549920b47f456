use skill_subsidy::*;
fn main() {
    let engine = Engine::new(Ruleset::wuxi_2021().unwrap());
    let raw = RawClaim::from_json(
        &serde_json::json!({"claim_id":"C1","program":"skills_training","person_id":"P1","occupation":"6-18-02-04","level":"3","event_date":"2021-08-02","applied_on":"2021-08-20","institution":"WX-JG-001","fee_paid":"2466.67"}),
    );
    let a = engine.assess_raw(&raw, FieldMode::Strict, true);
    println!("{}", serde_json::to_string_pretty(&engine.record("C1", &a)).unwrap());
}
