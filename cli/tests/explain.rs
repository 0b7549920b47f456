//! `subsidy explain FILE --claim ID` explains a claim where its batch decided it (SPEC §7.4): for
//! every kind of cross-claim rejection in the demo year, the explanation gives the batch's
//! decision, and its failing step names what counted — claims the batch approved earlier, or
//! history lines of the same file — and for `budget_exhausted` the claim at which the account
//! closed.

use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn subsidy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_subsidy")).args(args).current_dir(root()).output().expect("subsidy runs")
}

const DEMO: [&str; 7] = [
    "examples/demo-2021.csv",
    "--history",
    "examples/history-2021.csv",
    "--applications",
    "examples/applications-2021.csv",
    "--outcomes",
    "examples/outcomes-2021.csv",
];

/// The batch's records by claim id, in input order.
fn assess(extra: &[&str]) -> (Vec<String>, HashMap<String, Value>) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("records.jsonl");
    let mut args = vec!["assess"];
    args.extend(DEMO);
    args.extend(extra);
    args.extend(["--out", out.to_str().unwrap()]);
    let run = subsidy(&args);
    assert!(run.status.code().is_some_and(|c| c <= 1), "{}", String::from_utf8_lossy(&run.stderr));
    let records: Vec<Value> = std::fs::read_to_string(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let order = records.iter().map(|r| r["claim_id"].as_str().unwrap().to_string()).collect();
    (order, records.into_iter().map(|r| (r["claim_id"].as_str().unwrap().to_string(), r)).collect())
}

fn explain(id: &str, extra: &[&str]) -> Value {
    let mut args = vec!["explain"];
    args.extend(DEMO);
    args.extend(extra);
    args.extend(["--claim", id, "--json"]);
    let run = subsidy(&args);
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    serde_json::from_slice(&run.stdout).unwrap()
}

/// For up to `n` claims refused for each reason (and some approved), the explanation's decision
/// is the batch's, and what its steps name is consistent with the batch.
fn explanations_agree(extra: &[&str], reasons: &[&str], n: usize) {
    let (order, records) = assess(extra);
    let history_lines = std::fs::read_to_string(root().join("examples/history-2021.csv")).unwrap().lines().count() as u64;
    let mut picked: Vec<&String> = Vec::new();
    for reason in reasons {
        picked.extend(order.iter().filter(|id| records[*id]["reasons"].as_array().unwrap().iter().any(|r| r == reason)).take(n));
    }
    picked.extend(order.iter().filter(|id| records[*id]["status"] == "approved").step_by(997).take(n));
    let mut named = 0;
    for id in picked {
        let explained = explain(id, extra);
        let record = &records[id];
        for field in ["status", "amount", "reasons", "payment_month"] {
            assert_eq!(explained[field], record[field], "{id}: explain says {field} {}, the batch {}", explained[field], record[field]);
        }
        assert_eq!(explained["batch"]["claims"], order.len());
        for step in explained["trace"]["steps"].as_array().unwrap() {
            let Some(counted) = step.get("counted") else { continue };
            for c in counted.as_array().unwrap() {
                named += 1;
                if let Some(line) = c["history"].as_u64() {
                    assert!((2..=history_lines).contains(&line), "{id}: history line {line}");
                } else if let Some(other) = c["claim"].as_str() {
                    let expected = if step["step"] == "budget" { "rejected" } else { "approved" };
                    assert_eq!(records[other]["status"], expected, "{id}: {} names {other}", step["step"]);
                    if step["step"] == "budget" {
                        assert_eq!(records[other]["reasons"][0], "budget_exhausted");
                    }
                } else {
                    assert!(c["application"].is_string(), "{c}");
                }
            }
        }
        if record["status"] == "rejected" {
            let failed = explained["trace"]["steps"].as_array().unwrap().iter().find(|s| s["outcome"] == "fail").cloned().unwrap();
            if record["reasons"][0] != "needs_review" {
                assert!(failed.get("counted").is_some(), "{id}: the failing step {} names nothing", failed["step"]);
            }
        }
    }
    assert!(named > 0);
}

#[test]
fn explain_gives_the_batch_decision_for_every_cross_claim_rejection() {
    explanations_agree(&[], &["annual_limit_reached", "exclusive_with_other_program", "duplicate_level", "lower_than_subsidised_level"], 3);
}

#[test]
fn explain_names_the_claim_at_which_a_closing_account_ran_out() {
    let closing = ["--set", "accounts.wuxi-2021.opening_balance=10000000", "--set", "accounts.wuxi-2021.closes_when_spent=true"];
    explanations_agree(&closing, &["budget_exhausted"], 3);
    let (order, records) = assess(&closing);
    let id = order.iter().find(|id| records[*id]["reasons"][0] == "budget_exhausted").unwrap();
    let mut args = vec!["explain"];
    args.extend(DEMO);
    args.extend(closing);
    args.extend(["--claim", id]);
    let text = String::from_utf8_lossy(&subsidy(&args).stdout).into_owned();
    assert!(text.contains("decided in the batch of examples/demo-2021.csv, line"), "{text}");
    assert!(text.contains("it closed at WX21-") && text.contains(" left, less than that claim's amount"), "{text}");
}

#[test]
fn explain_names_history_lines_in_chinese_and_needs_a_claim() {
    let (order, records) = assess(&[]);
    let id = order.iter().find(|id| records[*id]["reasons"][0] == "annual_limit_reached").unwrap();
    let mut args = vec!["explain"];
    args.extend(DEMO);
    args.extend(["--claim", id, "--lang", "zh"]);
    let text = String::from_utf8_lossy(&subsidy(&args).stdout).into_owned();
    assert!(text.contains("在批次中决定：examples/demo-2021.csv 第"), "{text}");
    assert!(text.contains("（计入："), "{text}");
    let unknown = subsidy(&["explain", "examples/demo-2021.csv", "--claim", "NO-SUCH"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no claim NO-SUCH"));
    let usage = subsidy(&["explain", "examples/demo-2021.csv"]);
    assert_eq!(usage.status.code(), Some(2), "explain without --claim is a usage error");
}

/// A claim id given with surrounding spaces: its record shows it as given (SPEC §7.3), and
/// `explain --claim` finds it by the id without them, as the batch compares ids.
#[test]
fn a_claim_id_given_with_spaces_is_shown_as_given_and_found_without_them() {
    let dir = tempfile::tempdir().unwrap();
    let claims = dir.path().join("claims.jsonl");
    std::fs::write(
        &claims,
        concat!(
            r#"{"claim_id": " V-1 ", "program": "pre_job", "person_id": "P1", "enterprise_id": "E1", "event_date": "2021-05-10", "applied_on": "2021-05-20"}"#,
            "\n",
            r#"{"claim_id": "V-2", "program": "pre_job", "person_id": "P2", "enterprise_id": "E1", "event_date": "2021-05-10", "applied_on": "2021-05-20"}"#,
            "\n"
        ),
    )
    .unwrap();
    let out = dir.path().join("records.jsonl");
    let run = subsidy(&["assess", claims.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let ids: Vec<String> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["claim_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, [" V-1 ", "V-2"]);
    let run = subsidy(&["explain", claims.to_str().unwrap(), "--claim", "V-1", "--json"]);
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let explained: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(explained["status"], "approved", "{explained}");
}
