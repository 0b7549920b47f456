//! The JSON Schema of a claim (`subsidy schema`) and the validator accept the same values: a
//! claim the schema passes is not refused for the shape of a field, and a field the validator
//! reads the schema passes. Checked with a JSON Schema validator, on the fields whose form the
//! issue found in doubt: counts of months, ids given as numbers, levels.
//!
//! The schema describes a value after the reader trims surrounding spaces (a CSV convenience);
//! values here have none.

use proptest::prelude::*;
use skill_subsidy::{Claim, FieldMode, RawClaim, Ruleset};

fn schema() -> &'static jsonschema::Validator {
    static SCHEMA: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        let rules = Ruleset::wuxi_2021().expect("the default ruleset");
        jsonschema::validator_for(&skill_subsidy::claim_schema(Some(&rules))).expect("the claim schema is a schema")
    })
}

/// A valid on_job claim with `field` set to `value`, written as JSON text (so a number keeps
/// the form it is written in).
fn claim_with(field: &str, value: &str) -> String {
    let mut fields = vec![
        ("claim_id", "\"C1\"".to_string()),
        ("program", "\"on_job\"".to_string()),
        ("person_id", "\"P1\"".to_string()),
        ("enterprise_id", "\"E1\"".to_string()),
        ("event_date", "\"2021-05-10\"".to_string()),
        ("applied_on", "\"2021-05-20\"".to_string()),
        ("months", "3".to_string()),
    ];
    match fields.iter_mut().find(|(name, _)| *name == field) {
        Some(slot) => slot.1 = value.to_string(),
        None => fields.push((field, value.to_string())),
    }
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
    format!("{{{}}}", body.join(", "))
}

/// Whether the schema and the validator agree on `field` = `value` (JSON text).
fn agree(field: &str, value: &str) -> Result<(), String> {
    let text = claim_with(field, value);
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{text}: {e}"))?;
    let by_schema = schema().is_valid(&json);
    let raw: RawClaim = serde_json::from_str(&text).map_err(|e| format!("{text}: {e}"))?;
    let by_reader = match Claim::parse(&raw, FieldMode::Strict) {
        Ok(_) => true,
        Err(errors) => !errors.field_errors().iter().any(|e| e.field == field),
    };
    if by_schema == by_reader {
        Ok(())
    } else {
        Err(format!("{field} = {value}: the schema says {by_schema}, the validator {by_reader}"))
    }
}

#[test]
fn months_as_the_issue_found_them() {
    // `+3` was accepted by the validator against the schema's digits-only pattern; `1e2` as text
    // is not a whole number written in digits; 1e2 as a JSON number is the integer 100.
    for value in [
        "\"+3\"",
        "\"1e2\"",
        "\"3.0\"",
        "\"-3\"",
        "\"0\"",
        "\"007\"",
        "\"1200\"",
        "\"1201\"",
        "3",
        "3.0",
        "1e2",
        "1.5",
        "0",
        "-1",
        "1201",
        "1.2e1",
        "\"\u{4e09}\"",
    ] {
        agree("months", value).unwrap();
    }
}

#[test]
fn ids_given_as_numbers_are_read_as_written_and_the_schema_says_so() {
    for field in ["claim_id", "person_id", "enterprise_id", "district"] {
        for value in ["7", "320211199001011234", "1.5", "\"C1\"", "true", "[]", "null", "\"\""] {
            agree(field, value).unwrap();
        }
    }
}

#[test]
fn levels_as_codes_and_as_numbers() {
    for value in ["\"3\"", "3", "3.0", "\"S\"", "\"T\"", "6", "\"6\"", "0", "\"s\"", "null", "\"\""] {
        agree("level", value).unwrap();
    }
}

proptest! {
    #[test]
    fn counts_written_as_text_agree(text in "[-+0-9eE.]{1,6}") {
        agree("months", &format!("\"{text}\"")).map_err(TestCaseError::fail)?;
        agree("ui_contribution_months", &format!("\"{text}\"")).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn counts_written_as_json_numbers_agree(whole in -5i64..3000, fraction in prop::option::of(0u32..100), exponent in prop::option::of(-2i32..4)) {
        let mut number = whole.to_string();
        if let Some(f) = fraction {
            number.push_str(&format!(".{f}"));
        }
        if let Some(e) = exponent {
            number.push_str(&format!("e{e}"));
        }
        agree("months", &number).map_err(TestCaseError::fail)?;
        agree("ui_contribution_months", &number).map_err(TestCaseError::fail)?;
    }
}
