//! The embedding program's own JSON parses as serde_json and rust_decimal document it, with
//! skill-subsidy linked in (issue 18, point 5): the core turns on neither serde_json's
//! `arbitrary_precision` nor `preserve_order`, nor rust_decimal's `serde-str`.

use rust_decimal::Decimal;
use skill_subsidy::{Engine, FieldMode, Overrides, RawClaim, Ruleset, Status};

#[test]
fn a_decimal_reads_from_a_json_number_and_from_a_string() {
    assert_eq!(serde_json::from_str::<Decimal>("12.5").unwrap(), Decimal::new(125, 1));
    assert_eq!(serde_json::from_str::<Decimal>("\"12.5\"").unwrap(), Decimal::new(125, 1));
}

#[test]
fn map_keys_keep_serde_jsons_default_order() {
    let value: serde_json::Value = serde_json::from_str(r#"{"b": 1, "a": 2}"#).unwrap();
    assert_eq!(value.as_object().unwrap().keys().collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(serde_json::to_string(&value).unwrap(), r#"{"a":2,"b":1}"#);
}

#[test]
fn a_json_number_is_a_double_here() {
    // Without `arbitrary_precision` serde_json keeps a fraction as an f64: "1.10" is 1.1.
    let n: serde_json::Number = serde_json::from_str("1.10").unwrap();
    assert_eq!(n.to_string(), "1.1");
}

fn claim_json(fee: &str) -> String {
    format!(
        r#"{{"claim_id": "C1", "program": "skills_training", "person_id": "P1", "group": "unemployed",
            "occupation": "6-18-02-04", "level": "4", "institution": "WX-JG-001",
            "event_date": "2021-05-10", "applied_on": "2021-05-20", "months": 1, "fee_paid": {fee}}}"#
    )
}

/// Without `arbitrary_precision` the core reads a JSON number as serde_json hands it over: an
/// integer exactly, a fraction as its shortest round-trip text (as the Python binding reads a
/// float); money in a string keeps its text in every build.
#[test]
fn claims_read_from_json_text_keep_their_money() {
    let engine = Engine::new(Ruleset::wuxi_2021().unwrap());
    let assess = |fee: &str| {
        let raw: RawClaim = serde_json::from_str(&claim_json(fee)).unwrap();
        engine.assess_raw(&raw, FieldMode::Strict, false)
    };
    for (fee, status, amount) in [
        ("1200", Status::Approved, "1200.00"),
        ("1230.10", Status::Approved, "1230.10"),
        ("\"1230.10\"", Status::Approved, "1230.10"),
        ("1800.00", Status::Approved, "1500.00"),
        ("0.30000000000000004", Status::Invalid, "0.00"),
        ("1e300", Status::Invalid, "0.00"),
    ] {
        let a = assess(fee);
        assert_eq!((a.status, skill_subsidy::money::format_yuan(a.amount)), (status, amount.to_string()), "fee {fee}: {a:?}");
    }
    // A bare number is a claim with a record error, as with `arbitrary_precision`.
    for text in ["3", "-7", "1.5", "33333333333333333333333333"] {
        let raw: RawClaim = serde_json::from_str(text).unwrap();
        let a = engine.assess_raw(&raw, FieldMode::Strict, false);
        assert_eq!(a.errors[0].code.code(), "not_an_object", "{text}");
    }
}

/// An override document keeps its order (a later override for the same path wins) though
/// this build's `serde_json::Value` sorts keys.
#[test]
fn an_override_document_keeps_its_order() {
    let doc = r#"{"shortage.rate": 0.3, "programs.skills_training.amounts.3": {"2021-07-01..": 2200, "..2021-06-30": "2100"}, "shortage.rate": 0.25}"#;
    let overrides = Overrides::from_json_str(doc).unwrap();
    let got: Vec<(&str, &str)> = overrides.items().iter().map(|o| (o.path.as_str(), o.value.as_str())).collect();
    assert_eq!(
        got,
        [
            ("shortage.rate", "0.3"),
            ("programs.skills_training.amounts.3", "2200"),
            ("programs.skills_training.amounts.3", "2100"),
            ("shortage.rate", "0.25")
        ]
    );
    let variant = Engine::new(Ruleset::wuxi_2021().unwrap()).with_overrides(&overrides).unwrap();
    assert_eq!(variant.value("shortage.rate").unwrap().to_text(), "0.25");
}
