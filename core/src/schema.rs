//! The JSON Schema of a claim (`subsidy schema`), from the same definitions the validator uses.

use crate::claim::{Field, MAX_FIELD_BYTES, MAX_MONTHS};
use crate::group::Group;
use crate::level::Level;
use crate::rules::Ruleset;
use serde_json::{json, Map, Value};

/// A plain decimal amount of yuan with at most two decimals.
pub(crate) const MONEY_PATTERN: &str = r"^[0-9]{1,12}(\.[0-9]{1,2}0*)?$";
/// A `YYYY-MM-DD` date (the validator also checks that the day exists).
pub(crate) const DATE_PATTERN: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
/// A count of months from 1 to 1200 written as text: digits alone (no sign, exponent or point).
pub(crate) const MONTHS_PATTERN: &str = r"^0*(1200|1[01][0-9]{2}|[1-9][0-9]{0,2})$";
/// A count of months from 0 to 1200 written as text.
pub(crate) const MONTHS_FROM_ZERO_PATTERN: &str = r"^0*(1200|1[01][0-9]{2}|[1-9][0-9]{0,2}|0)$";

/// The fields every claim gives.
const REQUIRED: [&str; 5] = ["claim_id", "program", "person_id", "event_date", "applied_on"];

/// JSON Schema (draft 2020-12) of a claim; with a ruleset, `program` lists its program ids.
///
/// ```
/// let schema = skill_subsidy::claim_schema(None);
/// assert_eq!(schema["required"][0], "claim_id");
/// ```
#[must_use]
pub fn claim_schema(rules: Option<&Ruleset>) -> Value {
    // Text fields take a JSON number too, read as written (a frame's integer ids, a bureau's
    // numeric enterprise codes): `7` is the id "7". Long ids, resident ID numbers above all, are
    // best sent as strings: a producer that holds numbers as doubles (JavaScript) loses digits
    // past 2^53, and "0012" and "X" endings exist only as text.
    let text = |description: &str| json!({ "type": ["string", "number"], "minLength": 1, "maxLength": MAX_FIELD_BYTES, "description": format!("{description}; a number is read as written") });
    let money = json!({
        "description": "yuan, a plain decimal with at most two decimals; a string keeps it exact",
        "oneOf": [{ "type": "string", "pattern": MONEY_PATTERN }, { "type": "number", "minimum": 0 }],
    });
    // The validator's rule (claim/count.rs): a whole JSON number, or text of digits alone.
    let count = |min: u32, description: &str| {
        let pattern = if min == 0 { MONTHS_FROM_ZERO_PATTERN } else { MONTHS_PATTERN };
        json!({ "description": description, "oneOf": [{ "type": "integer", "minimum": min, "maximum": MAX_MONTHS }, { "type": "string", "pattern": pattern }] })
    };
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
            Field::Level => {
                // The codes, and the numbered levels as JSON numbers (`"level": 3`).
                let mut codes: Vec<Value> = Level::ALL.iter().map(|l| json!(l.code())).collect();
                codes.extend(Level::ALL.iter().filter_map(|l| l.code().parse::<u8>().ok()).map(|n| json!(n)));
                json!({ "enum": codes })
            }
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
        // An optional field may be given empty or null: the reader takes either as absent (an
        // empty CSV cell, a `null` from a frame or a JSON library).
        let schema =
            if REQUIRED.contains(&field.name()) { schema } else { json!({ "anyOf": [schema, { "type": "null" }, { "const": "" }] }) };
        properties.insert(field.name().to_string(), schema);
    }
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://skill-subsidy/claim.schema.json",
        "title": "Claim (补贴申请)",
        "type": "object",
        "required": REQUIRED,
        "properties": properties,
        "additionalProperties": false,
    })
}
