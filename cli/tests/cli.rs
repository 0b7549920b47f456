//! The `subsidy` command as a user runs it: files in, records out, exit codes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn subsidy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_subsidy")).args(args).current_dir(root()).output().expect("subsidy runs")
}

fn subsidy_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_subsidy"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("subsidy runs");
    child.stdin.take().expect("stdin").write_all(input).expect("write stdin");
    child.wait_with_output().expect("subsidy ends")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn assessing_the_sample_writes_one_record_per_claim_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let rows = std::fs::read_to_string(root().join("examples/bad-claims.csv")).unwrap().lines().count() - 1;
    for ext in ["csv", "json", "jsonl"] {
        let out = dir.path().join(format!("out.{ext}"));
        let run = subsidy(&["assess", "examples/bad-claims.csv", "--out", out.to_str().unwrap()]);
        // The sample holds invalid rows on purpose: exit code 1, every row still assessed.
        assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
        let written = std::fs::read_to_string(&out).unwrap();
        let records = match ext {
            "csv" => written.lines().count() - 1,
            "json" => serde_json::from_str::<Vec<serde_json::Value>>(&written).unwrap().len(),
            _ => written.lines().filter(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()).count(),
        };
        assert_eq!(records, rows, "{ext}");
        assert!(text(&run.stdout).contains("approved"), "{}", text(&run.stdout));
        assert!(text(&run.stderr).contains("line 2"), "invalid rows are listed with their line: {}", text(&run.stderr));
    }
}

#[test]
fn valid_claims_exit_zero_and_records_go_to_stdout_without_out() {
    let run = subsidy(&["assess", "examples/claim.json"]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let record: serde_json::Value = serde_json::from_str(text(&run.stdout).trim()).unwrap();
    assert_eq!(record["amount"], "2466.67");
    assert_eq!(record["catalogue_version"], "2021-q3");
}

#[test]
fn claims_can_come_on_stdin_in_any_format() {
    let jsonl = std::fs::read_to_string(root().join("examples/claim.json")).unwrap().replace('\n', "");
    let other = jsonl.replace("WX2021-000123", "WX2021-000124").replace("P-7f3a", "P-8e4b");
    for (input, n) in [(format!("{jsonl}\n{other}\n"), 2), (format!("[{jsonl}]"), 1)] {
        let run = subsidy_stdin(&["assess", "-"], input.as_bytes());
        assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
        assert_eq!(text(&run.stdout).lines().count(), n);
    }
}

#[test]
fn malformed_csv_rows_come_out_invalid_and_the_rest_is_assessed() {
    let good = "G1,pre_job,P1,E1,2021-05-10,2021-05-20";
    let input = format!(
        "claim_id,program,person_id,enterprise_id,event_date,applied_on\n{good}\nB1,\"pre_job,P2,E1,2021-05-10,2021-05-20\nB2,pre_job,P3,E1,2021-02-30,2021-05-20\nB3,pre_job,P4,E1,2021-05-10\n{}\nB5,pre_job,P5,E\u{1}1,2021-05-10,2021-05-20\n",
        "x".repeat(100_000)
    );
    let mut bytes = input.into_bytes();
    bytes.extend_from_slice(b"B6,pre\xffjob,P6,E1,2021-05-10,2021-05-20\n");
    let run = subsidy_stdin(&["assess", "-", "--format", "csv"], &bytes);
    assert_eq!(run.status.code(), Some(1));
    let records: Vec<serde_json::Value> = text(&run.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(records.len(), 7, "every row appears");
    assert_eq!(records[0]["status"], "approved");
    let codes: Vec<String> = records[1..].iter().map(|r| r["errors"][0]["code"].as_str().unwrap_or("").to_string()).collect();
    assert_eq!(codes, ["malformed_row", "bad_date", "malformed_row", "malformed_row", "invalid_characters", "invalid_utf8"]);
    let stderr = text(&run.stderr);
    assert!(stderr.contains("line 3") && stderr.contains("a quote opened in this row is never closed"), "{stderr}");
}

#[test]
fn json_money_that_cannot_be_exact_is_invalid_not_rounded() {
    let line = r#"{"claim_id":"M1","program":"online","person_id":"P1","enterprise_id":"E1","event_date":"2021-05-10","applied_on":"2021-05-20","fee_paid":NUM}"#;
    for (num, code) in [("1e400", "bad_money"), ("\"NaN\"", "bad_money"), ("0.30000000000000004", "money_precision")] {
        let run = subsidy_stdin(&["assess", "-"], line.replace("NUM", num).as_bytes());
        assert_eq!(run.status.code(), Some(1));
        let record: serde_json::Value = serde_json::from_str(text(&run.stdout).trim()).unwrap();
        assert_eq!(record["errors"][0]["code"], code, "{num}");
    }
}

#[test]
fn explain_prints_the_steps_with_their_citations_in_chinese() {
    let run = subsidy(&["explain", "examples/claim.json", "--claim", "WX2021-000123", "--lang", "zh"]);
    assert_eq!(run.status.code(), Some(0));
    let out = text(&run.stdout);
    for expected in ["予以补贴，2466.67 元", "shortage_uplift", "shortage.rate", "锡人社办〔2021〕12号", "四舍五入"] {
        assert!(out.contains(expected), "{expected} missing from:\n{out}");
    }
    let json = subsidy(&["explain", "examples/claims.csv", "--claim", "EX-002", "--json"]);
    let record: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(record["trace"]["trace_version"], 1);
}

#[test]
fn what_if_overrides_change_the_amount_and_bad_ones_exit_one() {
    let run =
        subsidy(&["assess", "examples/claim.json", "--set", "shortage.rate=0.20", "--set", "programs.skills_training.caps_at_fee=false"]);
    let record: serde_json::Value = serde_json::from_str(text(&run.stdout).trim()).unwrap();
    assert_eq!(record["amount"], "2400.00");
    let bad = subsidy(&["assess", "examples/claim.json", "--set", "shortage.rat=0.2"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("unknown_path"), "{}", text(&bad.stderr));
}

#[test]
fn rules_check_refuses_an_account_that_closes_when_spent_without_a_balance() {
    let dir = tempfile::tempdir().unwrap();
    for (file, text) in Ruleset::files() {
        let path = dir.path().join(&file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = if file == "ruleset.toml" {
            let without_balance: String = text.lines().filter(|l| !l.starts_with("opening_balance")).collect::<Vec<_>>().join("\n");
            without_balance.replacen("closes_when_spent = { value = false", "closes_when_spent = { value = true", 1)
        } else {
            text
        };
        std::fs::write(path, text).unwrap();
    }
    let run = subsidy(&["rules", "check", dir.path().to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    let err = text(&run.stderr);
    assert!(err.contains("accounts.wuxi-2021.opening_balance") && err.contains("closes when spent"), "{err}");
}

#[test]
fn rules_check_reports_every_problem_with_file_and_line() {
    assert_eq!(subsidy(&["rules", "check", "rules/wuxi-2021"]).status.code(), Some(0));
    let dir = tempfile::tempdir().unwrap();
    for (file, text) in Ruleset::files() {
        let path = dir.path().join(&file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let text = if file == "programs.toml" {
            text.replacen("caps_at_fee", "caps_at_fees", 1).replacen("name_en", "name_english", 1)
        } else {
            text
        };
        std::fs::write(path, text).unwrap();
    }
    let run = subsidy(&["rules", "check", dir.path().to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    let err = text(&run.stderr);
    assert!(
        err.contains("programs.toml:") && err.contains("caps_at_fees") && err.contains("name_english") && err.contains("unknown_key"),
        "{err}"
    );
}

#[test]
fn export_and_schema_are_json_and_usage_errors_exit_two() {
    let export: serde_json::Value = serde_json::from_slice(&subsidy(&["rules", "export", "--json"]).stdout).unwrap();
    assert_eq!(export["export_version"], 1);
    assert_eq!(export["accounts"][0]["opening_balance"]["value"], "500000000.00");
    let schema: serde_json::Value = serde_json::from_slice(&subsidy(&["schema"]).stdout).unwrap();
    assert_eq!(schema["properties"]["program"]["enum"].as_array().unwrap().len(), 8);
    assert_eq!(subsidy(&["assess"]).status.code(), Some(2));
    assert_eq!(subsidy(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn the_w1_workload_through_the_cli_gives_the_anchors_total() {
    // The first 20,000 claims of W1 total 28,293,797.09 yuan in the anchors' reference.
    let dir = tempfile::tempdir().unwrap();
    let claims = dir.path().join("w1.csv");
    let mut csv = String::from(skill_subsidy_bench_header());
    for i in 0..20_000 {
        skill_subsidy_bench::write_csv_row(&mut csv, i);
    }
    std::fs::write(&claims, csv).unwrap();
    let out = dir.path().join("out.csv");
    let run = subsidy(&["assess", claims.to_str().unwrap(), "--rules", "tests/bench/w1", "--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert!(text(&run.stdout).contains("28,293,797.09"), "{}", text(&run.stdout));
}

fn skill_subsidy_bench_header() -> &'static str {
    skill_subsidy_bench::CSV_HEADER
}

struct Ruleset;

impl Ruleset {
    /// The files of the embedded default ruleset.
    fn files() -> Vec<(String, String)> {
        skill_subsidy::Ruleset::wuxi_2021().unwrap().to_files()
    }
}

fn records(stdout: &[u8]) -> Vec<serde_json::Value> {
    text(stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn duplicate_claim_ids_make_every_copy_invalid_and_the_rest_is_still_assessed() {
    let claim = std::fs::read_to_string(root().join("examples/claim.json")).unwrap().replace('\n', "");
    let other = claim.replace("WX2021-000123", "WX2021-000999").replace("P-7f3a", "P-1");
    let run = subsidy_stdin(&["assess", "-"], format!("{claim}\n{other}\n{claim}\n").as_bytes());
    assert_eq!(run.status.code(), Some(1));
    let out = records(&run.stdout);
    let statuses: Vec<&str> = out.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["invalid", "approved", "invalid"]);
    assert_eq!(out[0]["errors"][0]["code"], "duplicate_claim_id");
}

#[test]
fn history_counts_and_the_report_holds_the_account_and_its_projection() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history.csv");
    std::fs::write(&history, "person_id,program,occupation,level,event_date,applied_on,amount\nP-7f3a,skills_training,6-18-02-04,3,2021-03-01,2021-03-10,2000.00\n").unwrap();
    let report = dir.path().join("report.json");
    let run = subsidy(&["assess", "examples/claim.json", "--history", history.to_str().unwrap(), "--report", report.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert_eq!(records(&run.stdout)[0]["reasons"][0], "duplicate_level");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    assert_eq!(report["report_version"], 2);
    assert_eq!(report["rejections"]["duplicate_level"], 1);
    let account = &report["accounts"]["wuxi-2021"];
    assert_eq!(account["committed"]["history"], "2000.00");
    assert_eq!(account["balance"]["remaining"], "499998000.00");
    // The history claim of March is paid in April, within the period: spending toward the goal.
    assert_eq!(account["paid"]["by_month"]["2021-04"], "2000.00");
    assert_eq!(account["goal"]["target"], "500000000.00");
    assert_eq!(account["projection"]["status"], "goal");
    // A history row that cannot be read stops the run: it would decide later claims.
    std::fs::write(&history, "person_id,program,event_date,applied_on,amount\nP1,x,2021-02-30,2021-03-10,NaN\n").unwrap();
    let bad = subsidy(&["assess", "examples/claim.json", "--history", history.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("line 2") && text(&bad.stderr).contains("bad_date"), "{}", text(&bad.stderr));
}

#[test]
fn a_small_account_runs_out_in_the_demo_year_and_the_summary_says_when() {
    let run = subsidy(&[
        "assess",
        "examples/demo-2021.csv",
        "--set",
        "accounts.wuxi-2021.closes_when_spent=true",
        "--set",
        "accounts.wuxi-2021.opening_balance=5000000",
        "--out",
        "-",
        "--lang",
        "zh",
    ]);
    let stderr = text(&run.stderr);
    assert!(stderr.contains("budget_exhausted") && stderr.contains("已于该月用完"), "{stderr}");
    let out = records(&run.stdout);
    let paid: skill_subsidy::Decimal = out
        .iter()
        .filter(|r| r["fund"] == "special_account" && r["status"] == "approved")
        .map(|r| r["amount"].as_str().unwrap().parse::<skill_subsidy::Decimal>().unwrap())
        .sum();
    assert!(paid <= "5000000".parse().unwrap(), "{paid}");
}

#[test]
fn whatif_prints_the_difference_and_writes_baseline_variant_and_difference() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("whatif.json");
    let run = subsidy(&[
        "whatif",
        "examples/demo-2021.csv",
        "--history",
        "examples/history-2021.csv",
        "--set",
        "shortage.rate=0.20",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert!(text(&run.stdout).contains("shortage.rate=0.20"));
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
    let delta: skill_subsidy::Decimal = doc["difference"]["approved"]["delta"]["amount"].as_str().unwrap().parse().unwrap();
    assert!(delta < skill_subsidy::Decimal::ZERO, "a lower uplift pays less: {delta}");
    assert_eq!(doc["baseline"]["claims"], doc["variant"]["claims"]);
    assert_eq!(subsidy(&["whatif", "examples/demo-2021.csv"]).status.code(), Some(1), "whatif needs a --set");
}

#[test]
fn demo_data_is_deterministic_and_assessable() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    for path in [&a, &b] {
        assert_eq!(subsidy(&["demo-data", "--claims", "500", "--out", path.to_str().unwrap()]).status.code(), Some(0));
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let run = subsidy(&["assess", a.to_str().unwrap(), "--out", dir.path().join("o.jsonl").to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
}

#[test]
fn apprenticeship_prints_the_sessions_payments_and_cash_flow_and_writes_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("apprenticeships.json");
    let run = subsidy(&[
        "apprenticeship",
        "examples/applications-2021.csv",
        "--outcomes",
        "examples/outcomes-2021.csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let stdout = text(&run.stdout);
    for heading in ["Review sessions", "2021-02-20", "2021-12-20", "Payments by enterprise", "Cash flow by month", "no_review_session"] {
        assert!(stdout.contains(heading), "{heading} missing:\n{stdout}");
    }
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let apps = doc["applications"].as_array().unwrap();
    let rows = std::fs::read_to_string(root().join("examples/applications-2021.csv")).unwrap().lines().count() - 1;
    assert_eq!(apps.len(), rows, "one result per application");
    // The cash flow adds up to what the enterprises are finally paid, fen for fen.
    let fen = |v: &serde_json::Value| -> i64 {
        let s = v.as_str().unwrap();
        let (yuan, fen) = s.split_once('.').unwrap();
        let sign = if yuan.starts_with('-') { -1 } else { 1 };
        yuan.parse::<i64>().unwrap() * 100 + sign * fen.parse::<i64>().unwrap()
    };
    let finals: i64 = apps.iter().filter(|a| a["status"] == "approved").map(|a| fen(&a["final_amount"])).sum();
    let flow: i64 = doc["cash_flow"].as_object().unwrap().values().map(fen).sum();
    assert_eq!(finals, flow);
    assert!(apps.iter().any(|a| a["payments"].as_array().is_some_and(|p| p.iter().any(|p| p["kind"] == "recovery"))));
}

#[test]
fn the_main_job_reviews_apprenticeships_in_the_same_batch_as_claims() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let run = subsidy(&[
        "assess",
        "examples/demo-2021.csv",
        "--history",
        "examples/history-2021.csv",
        "--applications",
        "examples/applications-2021.csv",
        "--outcomes",
        "examples/outcomes-2021.csv",
        "--out",
        dir.path().join("out.csv").to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert!(text(&run.stdout).contains("Review sessions"));
    let doc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let apprentices = &doc["targets"]["wuxi-2021"]["measures"]["apprentices"];
    assert_eq!(apprentices["target"], 2800);
    assert!(apprentices["done"].as_u64().unwrap() > 300, "{apprentices}");
    assert!(doc["by"]["program"]["apprenticeship"]["count"].as_u64().unwrap() > 300);
}

#[test]
fn bad_applications_and_outcomes_are_reported_with_their_line_and_exit_one() {
    let dir = tempfile::tempdir().unwrap();
    let apps = dir.path().join("apps.csv");
    std::fs::write(
        &apps,
        "application_id,enterprise_id,person_id,occupation,target_level,start_date,months,submitted_on,institution\n\
         A1,E1,P1,6-18-02-04,4,2021-05-01,12,2021-04-01,WX-JG-001\n\
         A2,E1,P2,6-18-02-04,9,2021-05-01,twelve,2021-04-01,WX-JG-001\n",
    )
    .unwrap();
    let run = subsidy(&["apprenticeship", apps.to_str().unwrap(), "--lang", "zh"]);
    assert_eq!(run.status.code(), Some(1));
    let stderr = text(&run.stderr);
    assert!(stderr.contains("line 3") && stderr.contains("A2") && !stderr.contains("P2"), "{stderr}");
    assert!(text(&run.stdout).contains("2021-04-20"), "the valid application is still reviewed");
    let outcomes = dir.path().join("outcomes.csv");
    std::fs::write(&outcomes, "application_id,outcome,outcome_date\nA1,finished,2022-05-01\n").unwrap();
    let run = subsidy(&["apprenticeship", apps.to_str().unwrap(), "--outcomes", outcomes.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    assert!(text(&run.stderr).contains("line 2") && text(&run.stderr).contains("finished"), "{}", text(&run.stderr));
}

#[test]
fn a_file_of_many_blocks_comes_out_in_input_order_with_bad_rows_in_place() {
    // More lines than one block is read (16K) and more records than one is written (32K), so
    // several threads read and write: the output must still follow the input line for line.
    let dir = tempfile::tempdir().unwrap();
    let claims = dir.path().join("claims.csv");
    let run = subsidy(&["demo-data", "--claims", "40000", "--out", claims.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let mut lines: Vec<String> = std::fs::read_to_string(&claims).unwrap().lines().map(String::from).collect();
    for (k, at) in [17, 16_385, 33_000, 39_999].into_iter().enumerate() {
        lines[at] = match k {
            0 => format!("{},\"unbalanced", lines[at]),
            1 => "WX21-BAD,skills_training,P1".into(),
            2 => lines[at].replace("2021-", "2021-13-"),
            _ => String::from_utf8_lossy(b"WX21-LAST,pre_job,P\xff").into_owned(),
        };
    }
    std::fs::write(&claims, lines.join("\n") + "\n").unwrap();
    for ext in ["csv", "jsonl", "json"] {
        let out = dir.path().join(format!("out.{ext}"));
        let run = subsidy(&["assess", claims.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
        let written = std::fs::read_to_string(&out).unwrap();
        let ids: Vec<String> = match ext {
            "csv" => written.lines().skip(1).map(|l| l.split(',').next().unwrap_or_default().to_string()).collect(),
            "jsonl" => written
                .lines()
                .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["claim_id"].as_str().unwrap().to_string())
                .collect(),
            _ => serde_json::from_str::<Vec<serde_json::Value>>(&written)
                .unwrap()
                .iter()
                .map(|r| r["claim_id"].as_str().unwrap().to_string())
                .collect(),
        };
        assert_eq!(ids.len(), 40_000, "{ext}: every row has its record");
        for (i, id) in ids.iter().enumerate() {
            let line = &lines[i + 1];
            assert!(line.starts_with(id.as_str()) || id.is_empty(), "{ext}: record {i} is {id}, line is {line}");
        }
    }
}
