//! Estimates: one claim, a batch, and one claim under a what-if override document. Each takes
//! JSON values (the JavaScript objects of the page, read exactly), calls the core and writes
//! JSON text; the records are the core's own (SPEC §7.3), so they are the same as from Rust,
//! the CLI and Python. Records are written straight to text, not through `serde_json::Value`:
//! an explained estimate is then several times faster (the page estimates on every keystroke).

use crate::error::{self, InputError};
use serde::Serialize;
use serde_json::{json, Value};
use skill_subsidy::{Application, AssessmentRecord, Engine, FieldMode, HistoryRecord, RawClaim, RulesErrors};

/// What a caller may ask for, from an optional options object `{lenient?, trace?}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Unknown fields are ignored instead of making a claim invalid.
    pub lenient: bool,
    /// Records carry their trace.
    pub trace: bool,
}

impl Options {
    /// Reads the options; absent keys (or no object at all) keep the defaults.
    #[must_use]
    pub fn read(value: &Value, trace_by_default: bool) -> Options {
        Options {
            lenient: value.get("lenient").and_then(Value::as_bool).unwrap_or(false),
            trace: value.get("trace").and_then(Value::as_bool).unwrap_or(trace_by_default),
        }
    }

    pub(crate) fn mode(self) -> FieldMode {
        if self.lenient {
            FieldMode::Lenient
        } else {
            FieldMode::Strict
        }
    }
}

/// A claim as the page gave it; `None` when it could not be read as JSON.
pub enum ClaimInput<'a> {
    /// The claim's JSON.
    Json(&'a Value),
    /// Unreadable (a cycle …): an `invalid` record.
    Unreadable,
}

pub(crate) fn raw_claim(claim: &ClaimInput<'_>) -> RawClaim {
    match claim {
        ClaimInput::Json(value) => RawClaim::from_json(value),
        ClaimInput::Unreadable => {
            let mut raw = RawClaim::default();
            raw.record_error = Some(error::claim_not_json());
            raw
        }
    }
}

/// The record of one claim, with its trace unless the options say otherwise.
#[must_use]
pub fn estimate(engine: &Engine, claim: &ClaimInput<'_>, options: Options) -> String {
    let raw = raw_claim(claim);
    let assessment = engine.assess_raw(&raw, options.mode(), options.trace);
    error::to_text(&assessment.record())
}

/// The record of a claim that cannot be assessed because the what-if overrides asked for are
/// wrong: `invalid`, with one error per override problem (field `overrides`).
#[must_use]
pub fn refused_record(claim: &ClaimInput<'_>, rules_errors: Value) -> String {
    json!({
        "claim_id": raw_claim(claim).claim_id_text(), "status": "invalid", "amount": "0.00", "reasons": [],
        "errors": error::overrides_as_field_errors(&rules_errors),
        "program": null, "fund": null, "payee": null, "catalogue_version": null, "payment_month": null,
    })
    .to_string()
}

#[derive(Serialize)]
struct WhatIfResult<'a> {
    baseline: AssessmentRecord<'a>,
    variant: Option<AssessmentRecord<'a>>,
    errors: Value,
}

/// The same claim under the rules as they are and with `overrides` applied:
/// `{baseline, variant, errors}`. A bad override document leaves `variant` null and lists
/// its problems in `errors`.
#[must_use]
pub fn whatif(engine: &Engine, variant: Result<&Engine, &RulesErrors>, claim: &ClaimInput<'_>, options: Options) -> String {
    let raw = raw_claim(claim);
    let baseline = engine.assess_raw(&raw, options.mode(), options.trace);
    match variant {
        Ok(variant) => {
            let changed = variant.assess_raw(&raw, options.mode(), options.trace);
            let out = WhatIfResult { baseline: baseline.record(), variant: Some(changed.record()), errors: json!([]) };
            error::to_text(&out)
        }
        Err(errors) => error::to_text(&WhatIfResult { baseline: baseline.record(), variant: None, errors: error::rules_errors(errors) }),
    }
}

#[derive(Serialize)]
struct BatchResult<'a> {
    records: Vec<AssessmentRecord<'a>>,
    applications: Vec<Value>,
    report: Value,
    errors: [(); 0],
}

/// Claims as one batch (first come first served, limits, the special account) with the
/// history of earlier subsidies and any apprenticeship applications (SPEC §8, which enter the
/// queue at their review session): `{records, applications, report, errors}`. The records and
/// applications are in input order. A malformed claim or application is `invalid` like any
/// other; a malformed history record stops the batch (its limits could not be trusted) and is
/// listed in `errors`. With `explain`, only the claim with that id carries a trace: the steps of
/// its batch (SPEC §7.4), naming the earlier claims and history records (`{"history": n}`, the
/// record's position from 1) that counted.
#[must_use]
pub fn estimate_batch(
    engine: &Engine,
    claims: Option<&Value>,
    history: Option<&Value>,
    applications: Option<&Value>,
    options: Options,
    explain: Option<&str>,
) -> String {
    let mut problems: Vec<Value> = Vec::new();
    let claims: &[Value] = match claims {
        Some(Value::Array(list)) => list,
        Some(_) => {
            problems.push(InputError::NotAnArray { field: "claims" }.to_json());
            &[]
        }
        None => {
            problems.push(InputError::NotJson { field: "claims" }.to_json());
            &[]
        }
    };
    let mut past = Vec::new();
    match history {
        Some(Value::Null) => {}
        Some(Value::Array(list)) => {
            for (i, h) in list.iter().enumerate() {
                match HistoryRecord::from_json(h, options.lenient) {
                    Ok(record) => past.push(record),
                    Err(errors) => problems.extend(error::history_errors(i, &errors)),
                }
            }
        }
        Some(_) => problems.push(InputError::NotAnArray { field: "history" }.to_json()),
        None => problems.push(InputError::NotJson { field: "history" }.to_json()),
    }
    let applications: &[Value] = match applications {
        None | Some(Value::Null) => &[],
        Some(Value::Array(list)) => list,
        Some(_) => {
            problems.push(InputError::NotAnArray { field: "applications" }.to_json());
            &[]
        }
    };
    if !problems.is_empty() {
        return json!({ "records": [], "applications": [], "report": null, "errors": problems }).to_string();
    }
    let mut batch = match explain {
        Some(id) => engine.batch().trace_only([id]),
        None => engine.batch().with_trace(options.trace),
    };
    for (i, h) in past.iter().enumerate() {
        if let Err(e) = batch.add_history(h) {
            let problems = error::history_errors(i, e.field_errors());
            return json!({ "records": [], "applications": [], "report": null, "errors": problems }).to_string();
        }
    }
    for app in applications {
        match Application::from_json(app, options.lenient) {
            Ok(app) => batch.add_application(&app),
            Err(errors) => batch.add_invalid_application(&application_id(app), errors),
        }
    }
    for claim in claims {
        batch.add_raw(&RawClaim::from_json(claim), options.mode());
    }
    let result = batch.finish();
    let assessments: Vec<skill_subsidy::Assessment> = result.assessments();
    let out = BatchResult {
        records: assessments.iter().map(skill_subsidy::Assessment::record).collect(),
        applications: result.applications.iter().map(skill_subsidy::ApplicationResult::to_json).collect(),
        report: result.report.to_json(),
        errors: [],
    };
    error::to_text(&out)
}

/// The id of an application as given (text or a number), for the result of one that is invalid.
fn application_id(app: &Value) -> String {
    match app.get("application_id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use skill_subsidy::{Overrides, Ruleset};

    fn parse(text: String) -> Value {
        serde_json::from_str(&text).expect("the module writes JSON")
    }

    fn engine() -> Engine {
        Engine::new(Ruleset::wuxi_2021().expect("the embedded ruleset loads (core/tests/load_embedded.rs)"))
    }

    fn welder() -> Value {
        json!({"claim_id": "C1", "program": "skills_training", "person_id": "P1", "occupation": "6-18-02-04", "level": "3",
               "institution": "WX-JG-001", "fee_paid": 3000, "event_date": "2021-08-02", "applied_on": "2021-08-20"})
    }

    #[test]
    fn a_welders_senior_certificate_is_uplifted_and_explained() {
        let record = parse(estimate(&engine(), &ClaimInput::Json(&welder()), Options::read(&Value::Null, true)));
        assert_eq!(record["status"], "approved");
        assert_eq!(record["amount"], "2600.00");
        assert_eq!(record["payment_month"], "2021-09");
        assert_eq!(record["trace"]["trace_version"], 1);
        let steps: Vec<&str> = record["trace"]["steps"].as_array().unwrap().iter().map(|s| s["step"].as_str().unwrap()).collect();
        assert!(steps.contains(&"shortage_uplift"), "{steps:?}");
    }

    #[test]
    fn malformed_input_is_an_invalid_record_not_an_error() {
        let e = engine();
        let record = parse(estimate(&e, &ClaimInput::Json(&json!([1, 2])), Options::read(&Value::Null, true)));
        assert_eq!(record["status"], "invalid");
        assert_eq!(record["errors"][0]["code"], "not_an_object");
        let unreadable = parse(estimate(&e, &ClaimInput::Unreadable, Options::read(&Value::Null, false)));
        assert_eq!(unreadable["status"], "invalid");
        assert!(unreadable.get("trace").is_none());
        let mut nan = welder();
        nan["fee_paid"] = json!("NaN");
        let record = parse(estimate(&e, &ClaimInput::Json(&nan), Options::read(&Value::Null, true)));
        assert_eq!(record["errors"][0]["code"], "bad_money");
        assert_eq!(record["errors"][0]["field"], "fee_paid");
    }

    #[test]
    fn whatif_gives_both_records_or_the_override_errors() {
        let e = engine();
        let variant = e.with_overrides(&Overrides::from_json_str(r#"{"shortage.rate": "0.20"}"#).unwrap());
        let out = parse(whatif(&e, variant.as_ref(), &ClaimInput::Json(&welder()), Options::read(&Value::Null, true)));
        assert_eq!(out["baseline"]["amount"], "2600.00");
        assert_eq!(out["variant"]["amount"], "2400.00");
        let bad = e.with_overrides(&Overrides::from_json_str(r#"{"shortage.rat": "0.20"}"#).unwrap());
        let out = parse(whatif(&e, bad.as_ref(), &ClaimInput::Json(&welder()), Options::read(&Value::Null, true)));
        assert_eq!(out["variant"], Value::Null);
        assert_eq!(out["errors"][0]["code"], "unknown_path");
        assert_eq!(out["errors"][0]["path"], "shortage.rat");
    }

    #[test]
    fn a_claim_under_a_bad_override_document_is_invalid_with_the_problems() {
        let e = engine();
        let errors = e.with_overrides(&Overrides::from_json_str(r#"{"shortage.rat": "0.20"}"#).unwrap()).err().unwrap();
        let record = parse(refused_record(&ClaimInput::Json(&welder()), error::rules_errors(&errors)));
        assert_eq!(record["claim_id"], "C1");
        assert_eq!(record["status"], "invalid");
        assert_eq!(record["errors"][0]["field"], "overrides");
        assert_eq!(record["errors"][0]["code"], "unknown_path");
        assert_eq!(record["errors"][0]["value"], "shortage.rat");
        assert!(record["errors"][0]["message_zh"].as_str().unwrap().contains("shortage.rat"));
    }

    #[test]
    fn a_batch_decides_in_queue_order_and_reports() {
        let e = engine();
        let claims = json!([
            {"claim_id": "B", "program": "pre_job", "person_id": "P1", "enterprise_id": "E1", "event_date": "2021-05-10", "applied_on": "2021-05-20"},
            {"claim_id": "A", "program": "pre_job", "person_id": "P1", "enterprise_id": "E1", "event_date": "2021-05-10", "applied_on": "2021-05-20"},
            "not a claim"
        ]);
        let out = parse(estimate_batch(&e, Some(&claims), Some(&Value::Null), None, Options::read(&Value::Null, false), None));
        let records = out["records"].as_array().unwrap();
        assert_eq!(records.len(), 3, "every input row appears in the output");
        assert_eq!(records[0]["reasons"][0], "exclusive_with_other_program");
        assert_eq!(records[1]["status"], "approved");
        assert_eq!(records[2]["status"], "invalid");
        assert_eq!(out["report"]["approved_amount"], "300.00");
        assert!(records[1].get("trace").is_none());
    }

    #[test]
    fn a_malformed_history_or_argument_is_listed_not_thrown() {
        let e = engine();
        let history = json!([{"person_id": "P1", "program": "skills_training", "event_date": "2021-02-30", "applied_on": "2021-03-01", "amount": "1"}]);
        let out = parse(estimate_batch(&e, Some(&json!([])), Some(&history), None, Options::read(&Value::Null, false), None));
        assert_eq!(out["report"], Value::Null);
        assert_eq!(out["errors"][0]["field"], "history[0].event_date");
        let out =
            parse(estimate_batch(&e, Some(&json!({"claim_id": "C1"})), Some(&json!(7)), None, Options::read(&Value::Null, false), None));
        let codes: Vec<&str> = out["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["not_an_array", "not_an_array"]);
    }
}
