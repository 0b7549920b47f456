//! # skill-subsidy-wasm
//!
//! The browser module of skill-subsidy: the core engine compiled to WebAssembly, with the
//! default ruleset (Wuxi 2021) embedded, so a page estimates a subsidy without sending anything
//! anywhere. Built with `wasm-bindgen --target web`: a plain ES module with TypeScript types.
//!
//! ```js
//! import init, { estimate } from "./pkg/skill_subsidy_wasm.js";
//! await init();
//! const record = estimate({ claim_id: "C1", program: "skills_training", person_id: "P1",
//!   occupation: "6-18-02-04", level: "3", institution: "WX-JG-001", fee_paid: "3000.00",
//!   event_date: "2021-08-02", applied_on: "2021-08-20" });
//! record.amount; // "2600.00"
//! ```
//!
//! The binding is thin: it reads the page's objects as JSON (numbers keep their exact
//! decimal text), calls the core, and writes the core's records back; errors are data
//! ([`error`]), never exceptions. The conversions live in [`estimate`] and [`describe`] as
//! plain functions on JSON values, tested natively; this file only crosses the boundary.

pub mod describe;
pub mod error;
pub mod estimate;
mod types;

use estimate::{ClaimInput, Options};
use serde_json::{json, Value};
use skill_subsidy::{Engine, Overrides, RulesErrors, Ruleset};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

// JSON across the boundary. A number the page holds as a float is written by JSON.stringify in
// its shortest round-trip form (1500.1 → "1500.1", SPEC §4), and the core reads that text
// exactly. The replacer turns a non-finite number or a BigInt into its text, so that `NaN` is an
// error the claim reports rather than a silent null. A value JSON cannot hold (a cycle) is None.
thread_local! {
    static EXACT: Closure<dyn Fn(JsValue, JsValue) -> JsValue> = Closure::new(|_key: JsValue, value: JsValue| exact(value));
}

fn exact(value: JsValue) -> JsValue {
    if let Some(n) = value.as_f64() {
        if !n.is_finite() {
            return JsValue::from_str(if n.is_nan() {
                "NaN"
            } else if n > 0.0 {
                "Infinity"
            } else {
                "-Infinity"
            });
        }
    } else if value.is_bigint() {
        if let Ok(text) = js_sys::BigInt::unchecked_from_js(value.clone()).to_string(10) {
            return text.into();
        }
    }
    value
}

/// Reads a JavaScript value as JSON; `None` when it cannot be written as JSON.
fn read(value: &JsValue) -> Option<Value> {
    let text = EXACT.with(|replacer| js_sys::JSON::stringify_with_replacer(value, replacer.as_ref())).ok()?;
    // `undefined` (and a function) stringify to undefined: no value, as JSON's null.
    let text = JsValue::from(text).as_string().unwrap_or_else(|| "null".into());
    serde_json::from_str(&text).ok()
}

fn from_json(text: &str) -> JsValue {
    // The text was written by serde_json a moment ago: it parses.
    js_sys::JSON::parse(text).unwrap_or(JsValue::NULL)
}

fn write(value: &Value) -> JsValue {
    from_json(&value.to_string())
}

/// The engine in use and the last what-if variant, kept between calls (the page calls on every
/// keystroke: the ruleset is loaded and compiled once).
struct State {
    engine: Option<Result<Rc<Engine>, RulesErrors>>,
    /// The embedded rulesets loaded so far, by id: a page that switches years loads each once.
    embedded: Vec<(&'static str, Rc<Engine>)>,
    /// The override document's text and its engine (or its errors).
    variant: Option<(String, Result<Rc<Engine>, RulesErrors>)>,
}

thread_local! {
    static STATE: RefCell<State> = const { RefCell::new(State { engine: None, embedded: Vec::new(), variant: None }) };
}

/// The engine of an embedded ruleset, loaded on first use and kept.
fn embedded(state: &mut State, id: &str) -> Result<Rc<Engine>, RulesErrors> {
    if let Some((_, engine)) = state.embedded.iter().find(|(known, _)| *known == id) {
        return Ok(engine.clone());
    }
    let engine = Rc::new(Engine::new(Ruleset::embedded(id)?));
    // `Ruleset::embedded` found it, so it is one of the ids (kept as the 'static text).
    if let Some(known) = Ruleset::embedded_ids().into_iter().find(|known| *known == id) {
        state.embedded.push((known, engine.clone()));
    }
    Ok(engine)
}

fn engine() -> Result<Rc<Engine>, RulesErrors> {
    // The last guard: should the core ever panic, the console shows why (the call then throws).
    console_error_panic_hook::set_once();
    STATE.with(|state| {
        let mut state = state.borrow_mut();
        if let Some(engine) = &state.engine {
            return engine.clone();
        }
        // The default is the first embedded ruleset (Wuxi 2021).
        let default = Ruleset::embedded_ids().first().copied().unwrap_or("wuxi-2021");
        let made = embedded(&mut state, default);
        state.engine = Some(made.clone());
        made
    })
}

/// Runs `f` (which writes JSON text) with the engine; if the ruleset could not be loaded,
/// returns its errors as data.
fn with_engine(f: impl FnOnce(&Engine) -> String) -> JsValue {
    let out = match engine() {
        Ok(engine) => f(&engine),
        Err(errors) => json!({ "errors": error::rules_errors(&errors) }).to_string(),
    };
    from_json(&out)
}

/// The options object, if any: `{lenient?, trace?, overrides?, applications?}`.
fn options(value: Option<JsValue>) -> Value {
    value.and_then(|v| read(&v)).unwrap_or(Value::Null)
}

/// Runs `f` with the engine, or with its variant when the options carry `overrides`; a bad
/// override document gives `refused(errors)` instead.
fn with_engine_for(options: &Value, f: impl FnOnce(&Engine) -> String, refused: impl FnOnce(Value) -> String) -> JsValue {
    match options.get("overrides") {
        None | Some(Value::Null) => with_engine(f),
        Some(overrides) => with_engine(|engine| match variant(engine, Some(overrides)) {
            Ok(variant) => f(&variant),
            Err(errors) => refused(error::rules_errors(&errors)),
        }),
    }
}

/// Assesses one claim and explains it: the assessment record (SPEC §7.3) with its trace.
/// Money in and out as decimal strings (numbers are accepted). Malformed input gives an
/// `invalid` record with its `errors`; nothing is thrown. With `options.overrides`, the claim
/// is assessed under those what-if changes (a bad document: an `invalid` record listing them).
// Typed in types.rs (an optional `options?: EstimateOptions` is not expressible here).
#[wasm_bindgen(js_name = estimate, skip_typescript)]
pub fn js_estimate(claim: JsValue, options: Option<JsValue>) -> JsValue {
    let options = self::options(options);
    let claim_json = read(&claim);
    let input = claim_json.as_ref().map_or(ClaimInput::Unreadable, ClaimInput::Json);
    with_engine_for(
        &options,
        |engine| estimate::estimate(engine, &input, Options::read(&options, true)),
        |errors| estimate::refused_record(&input, errors),
    )
}

/// Assesses claims as one batch — first come first served by (`applied_on`, `claim_id`), the
/// limits, the special account — with the history of earlier subsidies:
/// `{records, applications, report, errors}`. Records are in input order, without traces unless asked.
/// With `options.overrides`, the batch runs under those what-if changes; `options.applications`
/// adds apprenticeship applications (SPEC §8), whose results come back in `applications`;
/// `options.explain` (a claim id) explains that claim where the batch decided it (SPEC §7.4).
#[wasm_bindgen(js_name = estimateBatch, skip_typescript)]
pub fn js_estimate_batch(claims: JsValue, history: Option<JsValue>, options: Option<JsValue>) -> JsValue {
    let options = self::options(options);
    let claims = read(&claims);
    let history = match history {
        None => Some(Value::Null),
        Some(h) => read(&h),
    };
    with_engine_for(
        &options,
        |engine| {
            let explain = options.get("explain").and_then(Value::as_str);
            let asked = Options::read(&options, false);
            estimate::estimate_batch(engine, claims.as_ref(), history.as_ref(), options.get("applications"), asked, explain)
        },
        |errors| json!({ "records": [], "applications": [], "report": null, "errors": errors }).to_string(),
    )
}

/// One claim under the rules as they are and under an override document (SPEC §5:
/// `{"shortage.rate": "0.20"}`): `{baseline, variant, errors}`. Bad overrides leave `variant`
/// null and list `{code, path, message}` in `errors`.
#[wasm_bindgen(js_name = whatif, skip_typescript)]
pub fn js_whatif(overrides: JsValue, claim: JsValue, options: Option<JsValue>) -> JsValue {
    let options = Options::read(&self::options(options), true);
    let claim_json = read(&claim);
    let overrides_json = read(&overrides);
    with_engine(|engine| {
        let variant = variant(engine, overrides_json.as_ref());
        let input = claim_json.as_ref().map_or(ClaimInput::Unreadable, ClaimInput::Json);
        estimate::whatif(engine, variant.as_deref(), &input, options)
    })
}

/// The engine for an override document, reusing the last one when the document is the same.
fn variant(engine: &Engine, overrides: Option<&Value>) -> Result<Rc<Engine>, RulesErrors> {
    let key = overrides.map(Value::to_string).unwrap_or_default();
    let cached = STATE.with(|s| s.borrow().variant.as_ref().filter(|(k, _)| *k == key).map(|(_, v)| v.clone()));
    if let Some(v) = cached {
        return v;
    }
    let document = overrides.cloned().unwrap_or(Value::Null);
    let made = Overrides::from_json(&document).and_then(|o| engine.with_overrides(&o)).map(Rc::new);
    STATE.with(|s| s.borrow_mut().variant = Some((key, made.clone())));
    made
}

/// The programs, with names, kind, payee, fund, levels, groups and the fields each needs.
#[wasm_bindgen(js_name = programs, unchecked_return_type = "ProgramInfo[]")]
pub fn js_programs() -> JsValue {
    with_engine(|engine| describe::programs(engine).to_string())
}

/// The catalogues in force on a date (`YYYY-MM-DD`): occupations (levels offered, shortage
/// flag) and institutions (with the occupations each trains).
#[wasm_bindgen(js_name = catalogue, unchecked_return_type = "CatalogueInForce")]
pub fn js_catalogue(#[wasm_bindgen(unchecked_param_type = "string")] date: JsValue) -> JsValue {
    let date = date.as_string();
    with_engine(|engine| describe::catalogue(engine, date.as_deref()).to_string())
}

/// The ruleset: id, names, status, jurisdiction, sources, levels, groups, shortage, accounts.
#[wasm_bindgen(js_name = rulesetInfo, unchecked_return_type = "RulesetInfo")]
pub fn js_ruleset_info() -> JsValue {
    with_engine(|engine| describe::ruleset_info(engine).to_string())
}

/// Every reason code in check order, with its messages in English and Chinese.
#[wasm_bindgen(js_name = reasons, unchecked_return_type = "ReasonInfo[]")]
pub fn js_reasons() -> JsValue {
    write(&describe::reasons())
}

/// The JSON Schema of a claim for the ruleset in use.
#[wasm_bindgen(js_name = claimSchema, unchecked_return_type = "object")]
pub fn js_claim_schema() -> JsValue {
    with_engine(|engine| skill_subsidy::claim_schema(Some(engine.ruleset())).to_string())
}

/// The embedded rulesets, the default first: id, names, status, the period each covers, and
/// whether it is the one in use (`current`). Each is loaded once, the first time (some tens of
/// milliseconds), and kept for `loadRuleset`; none is made current.
#[wasm_bindgen(js_name = rulesets, unchecked_return_type = "RulesetSummary[]")]
pub fn js_rulesets() -> JsValue {
    let current = engine().ok();
    let list: Vec<Value> = Ruleset::embedded_ids()
        .into_iter()
        .map(|id| match STATE.with(|s| embedded(&mut s.borrow_mut(), id)) {
            Ok(engine) => {
                let mut summary = describe::ruleset_summary(&engine);
                let in_use = current.as_ref().is_some_and(|c| Rc::ptr_eq(c, &engine));
                if let Value::Object(m) = &mut summary {
                    m.insert("current".into(), in_use.into());
                }
                summary
            }
            Err(errors) => json!({ "id": id, "errors": error::rules_errors(&errors) }),
        })
        .collect();
    write(&Value::Array(list))
}

/// Switches the ruleset used by every function: an embedded ruleset's id (`"wuxi-2023"`), or a
/// bureau's own as an object of files `{ "ruleset.toml": "…", "programs.toml": "…", … }`
/// (paths relative to the ruleset folder). Loading is strict; on any problem the ruleset in use
/// is kept and `errors` lists every one: `{ruleset, errors}`.
#[wasm_bindgen(js_name = loadRuleset, unchecked_return_type = "LoadResult")]
pub fn js_load_ruleset(#[wasm_bindgen(unchecked_param_type = "string | Record<string, string>")] source: JsValue) -> JsValue {
    let loaded = match read(&source) {
        Some(Value::String(id)) => STATE.with(|s| embedded(&mut s.borrow_mut(), &id)),
        Some(Value::Object(files)) => {
            let texts: Vec<(&str, &str)> = files.iter().filter_map(|(path, text)| Some((path.as_str(), text.as_str()?))).collect();
            if texts.len() == files.len() {
                Ruleset::from_files(texts).map(|rules| Rc::new(Engine::new(rules)))
            } else {
                return write(&json!({ "ruleset": null, "errors": [error::InputError::NotAnObject { field: "files" }.to_json()] }));
            }
        }
        _ => return write(&json!({ "ruleset": null, "errors": [error::InputError::NotAnObject { field: "source" }.to_json()] })),
    };
    match loaded {
        Ok(engine) => {
            let info = describe::ruleset_info(&engine);
            STATE.with(|s| {
                let mut s = s.borrow_mut();
                s.engine = Some(Ok(engine));
                s.variant = None;
            });
            write(&json!({ "ruleset": info, "errors": [] }))
        }
        Err(errors) => write(&json!({ "ruleset": null, "errors": error::rules_errors(&errors) })),
    }
}
