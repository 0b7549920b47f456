//! The demo year generator's output pinned by checksum (SPEC §13, the benchmarks' workloads): a
//! small year of the Wuxi 2021 rules — claims, history, apprenticeship applications and their
//! outcomes, as the CSV text `subsidy demo-data` writes — must stay the same bit for bit, so
//! the generator can move or change shape without changing the data.

use sha2::{Digest, Sha256};
use skill_subsidy::Ruleset;
use skill_subsidy_demo as demo;

/// The CSV files of `claims` claims of `year` and `applications` applications, in one text.
fn year_text(rules: &Ruleset, claims: u64, year: i32, applications: u64) -> String {
    let generator = demo::Generator::new(rules, demo::Options { claims, year });
    let mut text = String::from(demo::CSV_HEADER);
    for i in 0..claims {
        demo::write_claim(&mut text, &generator.claim(i));
    }
    text.push_str(demo::HISTORY_HEADER);
    for h in generator.history() {
        demo::write_history(&mut text, &h);
    }
    let mut outcomes = String::from(demo::OUTCOMES_HEADER);
    text.push_str(demo::APPLICATIONS_HEADER);
    for i in 0..applications {
        let (row, outcome) = generator.application(i);
        text.push_str(&row);
        outcomes.push_str(outcome.as_deref().unwrap_or_default());
    }
    text + &outcomes
}

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn a_small_demo_year_is_the_same_bit_for_bit() {
    let rules = Ruleset::wuxi_2021().unwrap();
    let text = year_text(&rules, 5_000, 2021, 100);
    assert_eq!(text.lines().count(), 5_347);
    assert_eq!(sha256(&text), "019781cf9c74809ba700957bd77bbdd74835c40eae1937c6702c841b8c4af065");
}

#[test]
fn a_demo_year_of_the_2023_rules_is_the_same_bit_for_bit() {
    // Another ruleset and year: the catalogues drawn from are the ruleset's own, by date.
    let rules = Ruleset::embedded("wuxi-2023").unwrap();
    let text = year_text(&rules, 2_000, 2023, 40);
    assert_eq!(sha256(&text), "938ab1953361fdff712f3b48794e8243ead78831e2fb685baf56bf1c2c0b3865");
}
