//! Runs the shared conformance vectors of `tests/vectors/*.json` (the same files the Python and
//! browser tests run). Each case gives a claim (and optional overrides) and the expected status,
//! amount, reasons, errors, catalogue version, payment month and trace step ids.
//!
//! The format is documented in `tests/vectors/README.md`.

use serde_json::Value;
use skill_subsidy::{Engine, FieldMode, Overrides, RawClaim, Ruleset};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// An embedded ruleset id, or a folder relative to the workspace.
fn load_ruleset(name: &str) -> Ruleset {
    if let Ok(r) = Ruleset::embedded(name) {
        return r;
    }
    let dir = workspace().join(name);
    let mut files = Vec::new();
    let mut stack = vec![dir.clone()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("ruleset {name}: {e}")) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                let rel = path.strip_prefix(&dir).unwrap().to_string_lossy().replace('\\', "/");
                files.push((rel, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    Ruleset::from_files(files.iter().map(|(p, t)| (p.as_str(), t.as_str()))).unwrap_or_else(|e| panic!("{e}"))
}

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    v.map(|v| v.as_array().unwrap_or(&Vec::new()).iter().map(|s| s.as_str().unwrap_or_default().to_string()).collect())
}

pub fn vector_files(kind: &str) -> Vec<(PathBuf, Value)> {
    let mut out = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(workspace().join("tests/vectors"))
        .expect("tests/vectors exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if doc["kind"].as_str().unwrap_or("claim") == kind {
            out.push((path, doc));
        }
    }
    out
}

/// The engine a case runs on: the file's, or a variant with the case's overrides.
fn case_engine(base: &Engine, case: &Value, label: &str) -> Option<Engine> {
    let overrides = case.get("overrides")?;
    Some(base.with_overrides(&Overrides::from_json(overrides).unwrap()).unwrap_or_else(|e| panic!("{label}: {e}")))
}

/// Runs `check` on every case of the vector files of `kind`, on the engine the case names (the
/// file's ruleset, with the case's overrides), and fails listing each case's problems.
fn check_cases(kind: &str, mut check: impl FnMut(&Engine, &Value, &str) -> Vec<String>) {
    let mut engines: BTreeMap<String, Engine> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut count = 0;
    for (path, doc) in vector_files(kind) {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let ruleset = doc["ruleset"].as_str().unwrap_or("wuxi-2021").to_string();
        let base = engines.entry(ruleset.clone()).or_insert_with(|| Engine::new(load_ruleset(&ruleset)));
        for case in doc["cases"].as_array().expect("cases") {
            count += 1;
            let label = format!("{file} / {}", case["name"].as_str().unwrap_or("?"));
            let variant = case_engine(base, case, &label);
            let problems = check(variant.as_ref().unwrap_or(base), case, &label);
            if !problems.is_empty() {
                failures.push(format!("{label}:\n    {}", problems.join("\n    ")));
            }
        }
    }
    assert!(count > 0, "no {kind} vectors found");
    assert!(failures.is_empty(), "{} of {count} {kind} vector cases failed:\n  {}", failures.len(), failures.join("\n  "));
}

#[test]
fn claim_vectors_give_the_expected_assessments_and_traces() {
    check_cases("claim", |engine, case, _| {
        let mode = if case["lenient"].as_bool() == Some(true) { FieldMode::Lenient } else { FieldMode::Strict };
        let raw = RawClaim::from_json(&case["claim"]);
        let a = engine.assess_raw(&raw, mode, true);
        let claim_id = raw.claim_id_text();
        assert_eq!(a.claim_id, claim_id, "an assessment carries its claim id as given");
        let record = a.record();
        let got = serde_json::to_value(&record).unwrap();
        let expect = &case["expect"];
        let mut problems = Vec::new();
        for key in ["status", "amount", "catalogue_version", "payment_month"] {
            if let Some(want) = expect.get(key) {
                if &got[key] != want {
                    problems.push(format!("{key}: expected {want}, got {}", got[key]));
                }
            }
        }
        let reasons = strings(got.get("reasons")).unwrap_or_default();
        if let Some(want) = strings(expect.get("reasons")) {
            if reasons != want {
                problems.push(format!("reasons: expected {want:?}, got {reasons:?}"));
            }
        }
        if let Some(want) = strings(expect.get("errors")) {
            let errors: Vec<String> = a.errors.iter().map(|e| format!("{}:{}", e.field, e.code.code())).collect();
            if errors != want {
                problems.push(format!("errors: expected {want:?}, got {errors:?}"));
            }
        }
        if let Some(want) = strings(expect.get("steps")) {
            let steps = a.trace.as_ref().map(|t| t.step_ids()).unwrap_or_default();
            if steps != want {
                problems.push(format!("steps: expected {want:?}, got {steps:?}"));
            }
        }
        if let Some(want) = expect.get("estimate") {
            contains(&got["estimate"], want, "estimate", &mut problems);
        }
        problems
    });
}

/// Whether every key of `want` has the same value in `got` (objects compared key by key,
/// recursively; anything else compared whole).
fn contains(got: &Value, want: &Value, at: &str, problems: &mut Vec<String>) {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            for (k, wv) in w {
                contains(g.get(k).unwrap_or(&Value::Null), wv, &format!("{at}.{k}"), problems);
            }
        }
        _ if got != want => problems.push(format!("{at}: expected {want}, got {got}")),
        _ => {}
    }
}

#[test]
fn batch_vectors_give_the_expected_assessments_and_report_in_any_order() {
    use skill_subsidy::{Application, HistoryRecord};
    check_cases("batch", |engine, case, label| {
        let claims: Vec<RawClaim> = case["claims"].as_array().map(|c| c.iter().map(RawClaim::from_json).collect()).unwrap_or_default();
        let applications: Vec<Value> = case["applications"].as_array().cloned().unwrap_or_default();
        let history: Vec<HistoryRecord> = case["history"]
            .as_array()
            .map(|h| h.iter().map(|r| HistoryRecord::from_json(r, false).unwrap_or_else(|e| panic!("{label}: history {e:?}"))).collect())
            .unwrap_or_default();
        // The input order, reversed, and rotated by one: the result must not change.
        let orders =
            |n: usize| -> [Vec<usize>; 3] { [(0..n).collect(), (0..n).rev().collect(), (0..n).map(|i| (i + 1) % n.max(1)).collect()] };
        let (claim_orders, app_orders) = (orders(claims.len()), orders(applications.len()));
        let mut problems = Vec::new();
        for k in 0..3 {
            let mut batch = engine.batch();
            for h in &history {
                batch.add_history(h).unwrap();
            }
            for &i in &app_orders[k] {
                match Application::from_json(&applications[i], false) {
                    Ok(app) => batch.add_application(&app),
                    Err(errors) => batch.add_invalid_application(applications[i]["application_id"].as_str().unwrap_or_default(), errors),
                }
            }
            for &i in &claim_orders[k] {
                batch.add_raw(&claims[i], FieldMode::Strict);
            }
            let result = batch.finish();
            let by_id: BTreeMap<&str, Value> =
                (0..result.len()).map(|i| (result.claim_id(i), serde_json::to_value(result.assessment(i).record()).unwrap())).collect();
            let label = ["as given", "reversed", "rotated"][k];
            let apps: BTreeMap<&str, Value> = result.applications.iter().map(|a| (a.application_id.as_str(), a.to_json())).collect();
            for want in case["expect"]["applications"].as_array().into_iter().flatten() {
                let id = want["application_id"].as_str().unwrap_or_default();
                match apps.get(id) {
                    Some(got) => contains(got, want, &format!("{label} {id}"), &mut problems),
                    None => problems.push(format!("{label}: no application {id}")),
                }
            }
            for want in case["expect"]["assessments"].as_array().into_iter().flatten() {
                let id = want["claim_id"].as_str().unwrap_or_default();
                match by_id.get(id) {
                    Some(got) => contains(got, want, &format!("{label} {id}"), &mut problems),
                    None => problems.push(format!("{label}: no claim {id}")),
                }
            }
            if let Some(report) = case["expect"].get("report") {
                contains(&result.report.to_json(), report, &format!("{label} report"), &mut problems);
            }
        }
        problems
    });
}
