//! The `serde` feature (issue 18, point 4): what one program writes, another reads back equal —
//! claims, history, overrides, assessments, batch results and reports — in a build without
//! serde_json's `arbitrary_precision`, money kept as decimal strings.

use serde::de::DeserializeOwned;
use serde::Serialize;
use skill_subsidy::calendar::parse_date;
use skill_subsidy::{Assessment, BatchResult, Claim, Engine, HistoryRecord, Level, Overrides, Report, Ruleset};
use std::fmt::Debug;

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) -> String {
    let text = serde_json::to_string(value).unwrap();
    let back: T = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(&back, value, "{text}");
    text
}

fn claim(id: &str, person: &str, fee: &str) -> Claim {
    let mut c = Claim::new(id, "skills_training", person, parse_date("2021-05-10").unwrap(), parse_date("2021-05-20").unwrap());
    c.occupation = Some("6-18-02-04".into());
    c.level = Some(Level::L4);
    c.institution = Some("WX-JG-001".into());
    c.fee_paid = Some(fee.parse().unwrap());
    c
}

#[test]
fn a_claim_is_written_as_its_json_object_and_read_back_checked() {
    let text = round_trip(&claim("C1", "P1", "1230.10"));
    assert!(text.contains(r#""fee_paid":"1230.10""#), "{text}");
    // A claim the text reader would refuse is refused by the deserializer too.
    let negative = text.replace(r#""fee_paid":"1230.10""#, r#""fee_paid":"-100.00""#);
    let err = serde_json::from_str::<Claim>(&negative).unwrap_err().to_string();
    assert!(err.contains("negative_money"), "{err}");
}

#[test]
fn history_records_and_overrides_read_back_equal() {
    let record = HistoryRecord::new(
        "P1",
        "skills_training",
        parse_date("2021-03-01").unwrap(),
        parse_date("2021-03-05").unwrap(),
        "1500.00".parse().unwrap(),
    );
    let text = round_trip(&record);
    assert!(text.contains(r#""amount":"1500.00""#), "{text}");
    let from = parse_date("2021-07-01").unwrap();
    let overrides = Overrides::new()
        .set("shortage.rate", "0.20")
        .set_for(
            "programs.skills_training.amounts.3",
            skill_subsidy::calendar::Period::new(from, skill_subsidy::calendar::Date::MAX).expect("an open-ended period"),
            "2200",
        )
        .set("shortage.rate", "0.25");
    let text = round_trip(&overrides);
    assert_eq!(text, r#"{"shortage.rate":"0.20","programs.skills_training.amounts.3":{"2021-07-01..":"2200"},"shortage.rate":"0.25"}"#);
}

#[test]
fn an_assessment_reads_back_without_its_engine() {
    let engine = Engine::new(Ruleset::wuxi_2021().unwrap());
    let explained = engine.explain(&claim("C1", "P1", "1230.10"));
    assert_eq!((explained.claim_id.as_str(), explained.program.as_deref()), ("C1", Some("skills_training")));
    let text = round_trip(&explained);
    // Its JSON is the record the CLI writes.
    assert_eq!(text, serde_json::to_string(&explained.record()).unwrap());
    round_trip(&engine.assess(&claim("C2", "P2", "-1")));
    let back: Assessment = serde_json::from_str(&text).unwrap();
    assert_eq!(back.catalogue_version, explained.catalogue_version);
}

#[test]
fn a_batch_result_and_its_report_read_back_equal() {
    let engine = Engine::new(Ruleset::wuxi_2021().unwrap());
    let claims = [claim("C1", "P1", "1800.00"), claim("C2", "P1", "1800.00"), claim("C3", "P2", "0.001")];
    let result = engine.assess_batch(&claims, &[]).unwrap();
    let text = serde_json::to_string(&result).unwrap();
    let back: BatchResult = serde_json::from_str(&text).unwrap();
    assert_eq!(back.assessments(), result.assessments());
    assert_eq!(back.report, result.report);
    assert_eq!(back.assessment(1).claim_id, "C2");
    round_trip::<Report>(&result.report);
}
