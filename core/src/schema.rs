//! The JSON Schema of a claim (`subsidy schema`), from the same definitions the validator uses.

use crate::claim::{Field, MAX_FIELD_BYTES};
use crate::group::Group;
use crate::level::Level;
use crate::rules::Ruleset;
use serde_json::{json, Map, Value};

/// A plain decimal amount of yuan with at most two decimals.
pub const MONEY_PATTERN: &str = r"^[0-9]{1,12}(\.[0-9]{1,2}0*)?$";
/// A `YYYY-MM-DD` date (the validator also checks that the day exists).
pub const DATE_PATTERN: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

/// JSON Schema (draft 2020-12) of a claim; with a ruleset, `program` lists its program ids.
///
/// ```
/// let schema = skill_subsidy::schema::claim_schema(None);
/// assert_eq!(schema["required"][0], "claim_id");
/// ```
#[must_use]
pub fn claim_schema(rules: Option<&Ruleset>) -> Value {
    let text = |description: &str| json!({ "type": "string", "minLength": 1, "maxLength": MAX_FIELD_BYTES, "description": description });
    let money = json!({
        "description": "yuan, a plain decimal with at most two decimals; a string keeps it exact",
        "oneOf": [{ "type": "string", "pattern": MONEY_PATTERN }, { "type": "number", "minimum": 0 }],
    });
    let count = |min: u32, description: &str| json!({ "description": description, "oneOf": [{ "type": "integer", "minimum": min, "maximum": 1200 }, { "type": "string", "pattern": "^[0-9]+$" }] });
    let mut properties = Map::new();
    for field in Field::ALL {
        let schema = match field {
            Field::Program => match rules {
                Some(r) => {
                    json!({ "type": "string", "enum": r.programs.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), "description": "a program id of the ruleset" })
                }
                None => text("a program id of the ruleset"),
            },
            Field::Group => {
                json!({ "type": "string", "enum": Group::ALL.iter().map(|g| g.code()).collect::<Vec<_>>(), "default": "employee" })
            }
            Field::Level => json!({ "type": "string", "enum": Level::ALL.iter().map(|l| l.code()).collect::<Vec<_>>() }),
            Field::EventDate => {
                json!({ "type": "string", "format": "date", "pattern": DATE_PATTERN, "description": "certificate, hire or completion date: picks the catalogue version" })
            }
            Field::AppliedOn => {
                json!({ "type": "string", "format": "date", "pattern": DATE_PATTERN, "description": "application date: claim window, annual limit, queue order, payment month" })
            }
            Field::FeePaid => money.clone(),
            Field::Months => count(1, "months claimed"),
            Field::UiContributionMonths => count(0, "months of unemployment-insurance contributions"),
            Field::PersonId => text("opaque id of the trainee (never logged)"),
            other => text(other.name_zh()),
        };
        properties.insert(field.name().to_string(), schema);
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://skill-subsidy/claim.schema.json",
        "title": "Claim (补贴申请)",
        "type": "object",
        "required": ["claim_id", "program", "person_id", "event_date", "applied_on"],
        "properties": properties,
        "additionalProperties": false,
    })
}
