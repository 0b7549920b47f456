//! Text from input is data, never instructions (SPEC §12): CSV written for people holds no cell
//! a spreadsheet would run as a formula, and nothing printed on a terminal carries a control
//! character or a bidi override from input. Outcomes that do not validate are their
//! application's error, not the end of the run.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn subsidy(args: &[&str]) -> Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    Command::new(env!("CARGO_BIN_EXE_subsidy")).args(args).current_dir(root).output().expect("subsidy runs")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write a test file");
    path
}

/// A claim of the 岗前培训 program (300 yuan) with `claim_id`, as a JSON object.
fn pre_job(claim_id: &str, person: &str) -> serde_json::Value {
    serde_json::json!({"claim_id": claim_id, "program": "pre_job", "person_id": person, "enterprise_id": "E1",
                       "event_date": "2021-05-10", "applied_on": "2021-05-20"})
}

/// The cells of a CSV file, as a spreadsheet's CSV import reads them.
fn cells(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_path(path).expect("a CSV file");
    reader.records().map(|r| r.expect("a CSV record").iter().map(str::to_string).collect()).collect()
}

const HOSTILE_IDS: [&str; 6] = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)", "\tx", "\rx"];

#[test]
fn a_claim_id_that_a_spreadsheet_would_run_is_written_as_text_in_csv() {
    let dir = tempfile::tempdir().unwrap();
    let claims: Vec<serde_json::Value> = HOSTILE_IDS.iter().enumerate().map(|(i, id)| pre_job(id, &format!("P{i}"))).collect();
    let input = write(dir.path(), "claims.json", &serde_json::to_string(&claims).unwrap());
    let out = dir.path().join("out.csv");
    let run = subsidy(&["assess", input.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let rows = cells(&out);
    assert_eq!(rows[0][0], "claim_id");
    assert_eq!(rows.len(), HOSTILE_IDS.len() + 1, "{}", String::from_utf8_lossy(&run.stderr));
    // Records keep the input order: each id comes back with a leading quote, and nothing else
    // changed (ids with a tab or CR are invalid: control characters).
    for (row, id) in rows[1..].iter().zip(HOSTILE_IDS) {
        assert_eq!(row[0], format!("'{id}"));
        let expected = if id.starts_with(['\t', '\r']) { ("invalid", "0.00") } else { ("approved", "300.00") };
        assert_eq!((row[1].as_str(), row[2].as_str()), expected, "{row:?}");
    }
    assert!(rows.iter().flatten().all(|c| !c.starts_with(['=', '+', '-', '@', '\t', '\r'])), "{rows:?}");
}

#[test]
fn csv_formulas_keep_writes_the_cells_as_they_are_for_machines() {
    let dir = tempfile::tempdir().unwrap();
    let input = write(dir.path(), "claims.json", &serde_json::to_string(&[pre_job(HOSTILE_IDS[0], "P1")]).unwrap());
    let out = dir.path().join("out.csv");
    let run = subsidy(&["assess", input.to_str().unwrap(), "--out", out.to_str().unwrap(), "--csv-formulas", "keep"]);
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(cells(&out)[1][0], HOSTILE_IDS[0]);
}

#[test]
fn a_field_name_that_would_run_is_written_as_text_in_the_errors_column() {
    let dir = tempfile::tempdir().unwrap();
    let mut claim = pre_job("C1", "P1");
    claim["=1+2"] = serde_json::json!("x");
    let input = write(dir.path(), "claims.json", &serde_json::to_string(&[claim]).unwrap());
    let out = dir.path().join("out.csv");
    subsidy(&["assess", input.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let rows = cells(&out);
    // The errors column holds the message, which names the field inside backquotes.
    let message = "`=1+2` is not a claim field (use lenient mode to ignore extra fields) [unknown_field]";
    assert_eq!((rows[1][1].as_str(), rows[1][4].as_str()), ("invalid", message));
}

/// No control character or bidi override from input in `bytes`; line feeds and the summary's
/// own layout aside.
fn assert_terminal_safe(bytes: &[u8], what: &str) {
    let text = String::from_utf8_lossy(bytes);
    let bad: Vec<char> = text.chars().filter(|c| (c.is_control() && *c != '\n') || ('\u{202A}'..='\u{202E}').contains(c)).collect();
    assert!(bad.is_empty(), "{what}: {bad:?} in\n{text}");
}

#[test]
fn control_characters_in_claim_ids_are_escaped_on_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    // Invalid claims (no program) are listed on stderr with their id; the ids carry ESC, CR and LF.
    let ids = ["C1\u{1b}[2J", "C2\rOVERWRITTEN", "C3\nFORGED: 0 claims are invalid", "C4\u{202e}gpj.exe"];
    let claims: Vec<serde_json::Value> = ids
        .iter()
        .map(|id| serde_json::json!({"claim_id": id, "person_id": "P1", "event_date": "2021-05-10", "applied_on": "2021-05-20"}))
        .collect();
    let input = write(dir.path(), "claims.json", &serde_json::to_string(&claims).unwrap());
    let out = dir.path().join("out.jsonl");
    let run = subsidy(&["assess", input.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    assert_terminal_safe(&run.stderr, "stderr");
    assert_terminal_safe(&run.stdout, "the summary");
    let stderr = String::from_utf8_lossy(&run.stderr);
    for shown in ["C1\\u{1b}[2J", "C2\\u{d}OVERWRITTEN", "C3\\u{a}FORGED", "C4\\u{202e}gpj.exe"] {
        assert!(stderr.contains(shown), "{shown} in {stderr}");
    }
    assert!(!stderr.lines().any(|l| l.starts_with("FORGED")), "{stderr}");
}

#[test]
fn an_institution_id_with_control_characters_is_escaped_in_messages_and_explanations() {
    let dir = tempfile::tempdir().unwrap();
    let claim = serde_json::json!({"claim_id": "C1", "program": "skills_training", "person_id": "P1", "occupation": "6-18-02-04",
        "level": "3", "event_date": "2021-08-02", "applied_on": "2021-08-20", "institution": "WX-JG-001\u{1b}]0;pwned\u{7}\r\n", "fee_paid": "3000"});
    let input = write(dir.path(), "claim.json", &serde_json::to_string(&claim).unwrap());
    let assess = subsidy(&["assess", input.to_str().unwrap(), "--out", dir.path().join("o.json").to_str().unwrap()]);
    assert_terminal_safe(&assess.stderr, "assess");
    assert!(String::from_utf8_lossy(&assess.stderr).contains("invalid_characters"));
    let explain = subsidy(&["explain", input.to_str().unwrap(), "--claim", "C1"]);
    assert_terminal_safe(&explain.stdout, "explain");
    assert!(String::from_utf8_lossy(&explain.stdout).contains("invalid_characters"));
    // A bidi override is not a control character: it passes validation, and is escaped when shown.
    let claim = serde_json::json!({"claim_id": "C\u{202e}1", "program": "pre_job", "person_id": "P1", "enterprise_id": "E\u{202e}1",
        "event_date": "2021-05-10", "applied_on": "2021-05-20"});
    let input = write(dir.path(), "bidi.json", &serde_json::to_string(&claim).unwrap());
    let explain = subsidy(&["explain", input.to_str().unwrap(), "--claim", "C\u{202e}1"]);
    assert_terminal_safe(&explain.stdout, "explain");
    assert!(String::from_utf8_lossy(&explain.stdout).contains("C\\u{202e}1"), "{}", String::from_utf8_lossy(&explain.stdout));
}

#[test]
fn control_characters_in_history_files_are_escaped_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let claims = write(dir.path(), "claims.json", &serde_json::to_string(&[pre_job("C1", "P1")]).unwrap());
    let history = write(
        dir.path(),
        "history.jsonl",
        "{\"person_id\":\"P1\",\"program\":\"pre_job\\u001b[2J\",\"event_date\":\"2021-13-01\\u001b[31m\\r\\nFORGED\",\"applied_on\":\"2021-01-02\",\"amount\":\"300\"}\n",
    );
    let run = subsidy(&["assess", claims.to_str().unwrap(), "--history", history.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    assert_terminal_safe(&run.stderr, "history error");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("invalid_characters") && !stderr.lines().any(|l| l.starts_with("FORGED")), "{stderr}");
    // A CSV history whose header names a column twice, the name holding ESC and CR.
    let history = write(dir.path(), "history.csv", "person_id,pro\u{1b}[2Jgram\r,pro\u{1b}[2Jgram\r,event_date\nP1,a,b,2021-01-01\n");
    let run = subsidy(&["assess", claims.to_str().unwrap(), "--history", history.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    assert_terminal_safe(&run.stderr, "history header");
}

#[test]
fn a_bidi_override_in_an_enterprise_id_is_escaped_in_the_apprenticeship_table() {
    let dir = tempfile::tempdir().unwrap();
    let applications = write(
        dir.path(),
        "applications.csv",
        "application_id,enterprise_id,person_id,occupation,target_level,start_date,months,submitted_on,institution\n\
         A1,E\u{202e}1,P1,4-01-02-02,4,2021-06-30,12,2021-06-05,WX-JG-011\n",
    );
    let run = subsidy(&["apprenticeship", applications.to_str().unwrap()]);
    assert_terminal_safe(&run.stdout, "apprenticeship");
    assert!(String::from_utf8_lossy(&run.stdout).contains("E\\u{202e}1"), "{}", String::from_utf8_lossy(&run.stdout));
}

#[test]
fn a_bad_outcome_date_is_that_applications_error_not_the_end_of_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let outcomes = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/outcomes-2021.csv")).unwrap();
    let mut lines: Vec<String> = outcomes.lines().map(str::to_string).collect();
    let id = lines[1].split(',').next().unwrap().to_string();
    lines[1] = format!("{id},completed_certified,2021-13-45");
    lines.push("NO-SUCH-APPLICATION,withdrawn,2021-05-01".into());
    let outcomes = write(dir.path(), "outcomes.csv", &(lines.join("\n") + "\n"));
    let out = dir.path().join("out.json");
    let run = subsidy(&[
        "apprenticeship",
        "examples/applications-2021.csv",
        "--outcomes",
        outcomes.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("{id}: `outcome_date` must be a calendar date")) && stderr.contains("bad_date"), "{stderr}");
    assert!(stderr.contains("NO-SUCH-APPLICATION"), "an outcome for no application is named: {stderr}");
    // Every application still has its result; the one with the bad outcome is invalid.
    let written: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let results = written["applications"].as_array().unwrap();
    let applications = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/applications-2021.csv")).unwrap();
    assert_eq!(results.len(), applications.lines().count() - 1);
    let bad = results.iter().find(|r| r["application_id"] == id.as_str()).unwrap();
    assert_eq!(bad["status"], "invalid", "{bad}");
}
