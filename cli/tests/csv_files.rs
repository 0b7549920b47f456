//! CSV as Excel and Python write it, through `subsidy` (issue 14 points 3 and 7, SPEC §12):
//! every data row gives exactly one record, in order, with the claim id Python's csv module reads
//! (cli/tests/data/csv, made by make.py); rows that cannot be read keep their id and line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn subsidy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_subsidy")).args(args).current_dir(root()).output().expect("subsidy runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn records(run: &Output) -> Vec<serde_json::Value> {
    text(&run.stdout).lines().map(|l| serde_json::from_str(l).expect("a JSON record a line")).collect()
}

/// The claim ids Python's csv module reads from `name`, the header left out.
fn python_ids(name: &str) -> Vec<String> {
    let expected: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root().join("cli/tests/data/csv/expected.json")).unwrap()).unwrap();
    expected[name].as_array().unwrap()[1..].iter().map(|r| r["fields"][0].as_str().unwrap().to_string()).collect()
}

#[test]
fn every_row_of_every_file_gives_one_record_in_order() {
    for name in ["excel_alt_enter.csv", "python_crlf.csv", "lone_cr.csv", "bare_cr_in_row.csv", "big_multiline_field.csv"] {
        let path = format!("cli/tests/data/csv/{name}");
        let run = subsidy(&["assess", &path]);
        let out = records(&run);
        let ids: Vec<String> = out.iter().map(|r| r["claim_id"].as_str().unwrap_or("").to_string()).collect();
        assert_eq!(ids, python_ids(name), "{name}: {}", text(&run.stderr));
        for r in &out {
            let codes: Vec<&str> =
                r["errors"].as_array().map(|e| e.iter().filter_map(|e| e["code"].as_str()).collect()).unwrap_or_default();
            assert!(!codes.contains(&"malformed_row"), "{name}: {r}");
        }
    }
}

#[test]
fn a_row_with_a_quote_left_open_keeps_its_claim_id_and_line() {
    let run = subsidy(&["assess", "cli/tests/data/csv/open_quote_at_end.csv"]);
    assert_eq!(run.status.code(), Some(1));
    let out = records(&run);
    let ids: Vec<&str> = out.iter().map(|r| r["claim_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["C001", "C002", "C003"]);
    assert_eq!(out[2]["status"], "invalid");
    assert_eq!(out[2]["errors"][0]["code"], "malformed_row");
    let stderr = text(&run.stderr);
    assert!(stderr.contains("line 4") && stderr.contains("a quote opened in this row is never closed"), "{stderr}");
    assert!(!stderr.contains("P003"), "{stderr}");
}

#[test]
fn a_quote_left_open_mid_file_loses_no_row_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("claims.csv");
    let rows: Vec<String> = (1..=6).map(|i| format!("C{i},pre_job,P{i},E1,2021-05-10,2021-05-20")).collect();
    let broken = rows[1].replace("pre_job", "\"pre_job");
    let body = format!("claim_id,program,person_id,enterprise_id,event_date,applied_on\n{}\n{broken}\n{}\n", rows[0], rows[2..].join("\n"));
    std::fs::write(&file, body).unwrap();
    let run = subsidy(&["assess", file.to_str().unwrap()]);
    let out = records(&run);
    let ids: Vec<&str> = out.iter().map(|r| r["claim_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["C1", "C2", "C3", "C4", "C5", "C6"]);
    assert_eq!(out[1]["errors"][0]["code"], "malformed_row");
    assert!(out.iter().enumerate().all(|(i, r)| i == 1 || r["errors"].as_array().is_none_or(|e| e.is_empty())), "{out:?}");
}

#[test]
fn a_history_row_that_cannot_be_read_names_its_line_once() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history.csv");
    std::fs::write(&history, "person_id,program,event_date,applied_on,amount\nP1,\"skills_training,2021-01-05,2021-01-20,1000\n").unwrap();
    let run = subsidy(&["assess", "examples/claim.json", "--history", history.to_str().unwrap()]);
    assert_ne!(run.status.code(), Some(0));
    let stderr = text(&run.stderr);
    assert!(stderr.contains("line 2: a quote opened"), "{stderr}");
    assert!(!stderr.contains("line 2: line 2"), "{stderr}");
}

#[test]
fn a_json_array_with_a_byte_order_mark_is_read_like_csv_and_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("claims.json");
    let claim = std::fs::read_to_string(root().join("examples/claim.json")).unwrap();
    std::fs::write(&file, format!("\u{feff}[{claim}]")).unwrap();
    let run = subsidy(&["assess", file.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert_eq!(records(&run).len(), 1);
}

#[test]
fn an_unreadable_application_row_is_that_applications_error_and_the_rest_are_reviewed() {
    let dir = tempfile::tempdir().unwrap();
    let apps = dir.path().join("apps.csv");
    std::fs::write(
        &apps,
        "application_id,enterprise_id,person_id,occupation,target_level,start_date,months,submitted_on,institution\n\
         A1,E1,P1,6-18-02-04,4,2021-05-01,12,2021-04-01,WX-JG-001\n\
         A2,E1,\"P2,6-18-02-04,4,2021-05-01,12,2021-04-01,WX-JG-001\n\
         A3,E1,P3,6-18-02-04,4,2021-05-01,12,2021-04-01,WX-JG-001\n",
    )
    .unwrap();
    let out = dir.path().join("apps.json");
    let run = subsidy(&["apprenticeship", apps.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
    let stderr = text(&run.stderr);
    assert!(stderr.contains("line 3") && stderr.contains("A2") && !stderr.contains("P2"), "{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let apps = doc["applications"].as_array().unwrap();
    let ids: Vec<&str> = apps.iter().map(|a| a["application_id"].as_str().unwrap_or("")).collect();
    assert_eq!(ids, ["A1", "A2", "A3"], "{doc}");
    assert_eq!(apps[1]["status"], "invalid");
}
