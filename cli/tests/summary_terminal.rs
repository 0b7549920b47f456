//! The summary and the what-if as a clerk reads them (issue 19, point 5; SPEC §9, §10): the
//! approved total by fund with a word on what the account is not charged, every line within 100
//! columns and what-if within 80 on a real terminal, one rule for signs, a warning when history
//! is missing, and `whatif --changed`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn subsidy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_subsidy")).args(args).current_dir(root()).env_remove("LANG").output().expect("subsidy runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Terminal columns of a line: CJK and full-width characters take two.
fn width(line: &str) -> usize {
    line.chars()
        .map(|c| {
            if ('\u{1100}'..='\u{115F}').contains(&c)
                || ('\u{2E80}'..='\u{A4CF}').contains(&c)
                || ('\u{AC00}'..='\u{D7A3}').contains(&c)
                || ('\u{F900}'..='\u{FAFF}').contains(&c)
                || ('\u{FE30}'..='\u{FE4F}').contains(&c)
                || ('\u{FF00}'..='\u{FF60}').contains(&c)
                || ('\u{FFE0}'..='\u{FFE6}').contains(&c)
            {
                2
            } else {
                1
            }
        })
        .sum()
}

fn assert_fits(text: &str, columns: usize, what: &str) {
    for line in text.lines() {
        assert!(width(line) <= columns, "{what}: a line of {} columns:\n{line}", width(line));
    }
}

#[test]
fn the_summary_splits_the_approved_total_by_fund_and_says_why_the_account_differs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.csv");
    let run = subsidy(&["assess", "examples/demo-2021.csv", "--history", "examples/history-2021.csv", "--out", out.to_str().unwrap()]);
    let summary = text(&run.stdout);
    let fund = |name: &str| {
        let line = summary.lines().find(|l| l.trim_start().starts_with(name)).unwrap_or_else(|| panic!("no {name}:\n{summary}"));
        line.split_whitespace().last().unwrap().replace(',', "").parse::<f64>().unwrap()
    };
    let (account, insurance) = (fund("special_account"), fund("unemployment_insurance"));
    let approved = summary.lines().find(|l| l.starts_with("Claims")).unwrap();
    assert!(approved.contains("19,971,735.43"), "{approved}");
    assert_eq!(format!("{:.2}", account + insurance), "19971735.43");
    let committed = summary.lines().find(|l| l.trim_start().starts_with("committed by this batch")).unwrap();
    assert!(committed.contains("17,345,585.43"), "{committed}");
    assert_eq!(format!("{account:.2}"), "17345585.43");
    let words = summary.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("Not charged to the special account (paid from other funds): unemployment insurance 2,626,150.00."),
        "{summary}"
    );
}

#[test]
fn every_line_of_the_summary_fits_in_100_columns_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.csv");
    for lang in ["en", "zh"] {
        let run = subsidy(&[
            "--lang",
            lang,
            "assess",
            "examples/demo-2021.csv",
            "--history",
            "examples/history-2021.csv",
            "--applications",
            "examples/applications-2021.csv",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_fits(&text(&run.stdout), 100, lang);
        assert_fits(&text(&subsidy(&["--lang", lang, "columns"]).stdout), 100, "columns");
    }
}

#[test]
fn whatif_fits_80_columns_on_a_terminal_of_80_columns() {
    for lang in ["en", "zh"] {
        let command = format!(
            "stty cols 80 rows 50; COLUMNS=80 {} --lang {lang} whatif examples/demo-2021.csv --history examples/history-2021.csv \
             --set shortage.rate=0.20 --set 'accounts.wuxi-2021.opening_balance=5000000' --set accounts.wuxi-2021.closes_when_spent=true",
            env!("CARGO_BIN_EXE_subsidy")
        );
        let run = Command::new("script").args(["-qec", &command, "/dev/null"]).current_dir(root()).output().expect("script runs");
        let shown = text(&run.stdout).replace('\r', "");
        assert!(shown.contains("What-if") || shown.contains("假设分析"), "{shown}");
        assert_fits(&shown, 80, lang);
    }
}

#[test]
fn differences_carry_a_sign_and_no_change_has_none() {
    let run = subsidy(&["whatif", "examples/demo-2021.csv", "--history", "examples/history-2021.csv", "--set", "shortage.rate=0.20"]);
    let shown = text(&run.stdout);
    let remaining = shown.lines().find(|l| l.trim_start().starts_with("remaining")).unwrap();
    assert!(remaining.trim_end().ends_with("+40,830.00"), "{remaining}");
    let all = shown.lines().find(|l| l.trim_start().starts_with("all programs")).unwrap();
    assert!(all.trim_end().ends_with("-82,880.00"), "{all}");
    assert!(!shown.contains("+0") && !shown.contains("-0.00"), "{shown}");
}

#[test]
fn a_batch_without_history_that_starts_after_the_account_is_warned() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.csv");
    let out = out.to_str().unwrap();
    let april = subsidy(&["assess", "examples/claims-2021-04.csv", "--out", out]);
    let said = text(&april.stderr);
    assert!(said.contains("warning: no --history given") && said.contains("2021-01-01") && said.contains("2021-04"), "{said}");
    let with_history = subsidy(&["assess", "examples/claims-2021-04.csv", "--history", "examples/history-2021.csv", "--out", out]);
    assert!(!text(&with_history.stderr).contains("warning"), "{}", text(&with_history.stderr));
    let year = subsidy(&["assess", "examples/demo-2021.csv", "--out", out]);
    assert!(!text(&year.stderr).contains("warning"), "a batch from the period's first month: {}", text(&year.stderr));
}

#[test]
fn whatif_changed_lists_exactly_the_claims_whose_decision_or_amount_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (changed, before, after) = (dir.path().join("changed.csv"), dir.path().join("before.jsonl"), dir.path().join("after.jsonl"));
    let set = ["--set", "accounts.wuxi-2021.opening_balance=5000000", "--set", "accounts.wuxi-2021.closes_when_spent=true"];
    let file = "examples/demo-2021.csv";
    let mut args = vec!["whatif", file, "--changed", changed.to_str().unwrap()];
    args.extend(set);
    let run = subsidy(&args);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    // The same claims assessed once each way.
    subsidy(&["assess", file, "--out", before.to_str().unwrap()]);
    let mut args = vec!["assess", file, "--out", after.to_str().unwrap()];
    args.extend(set);
    subsidy(&args);
    let records = |p: &Path| -> HashMap<String, (String, String)> {
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                (
                    v["claim_id"].as_str().unwrap().to_string(),
                    (v["status"].as_str().unwrap().to_string(), v["amount"].as_str().unwrap().to_string()),
                )
            })
            .collect()
    };
    let (b, a) = (records(&before), records(&after));
    let mut want: Vec<&String> = b.keys().filter(|id| b[*id] != a[*id]).collect();
    want.sort();
    let bytes = std::fs::read(&changed).unwrap();
    let mut reader = csv::Reader::from_reader(bytes.strip_prefix("\u{FEFF}".as_bytes()).unwrap());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["claim_id", "status_before", "status_after", "amount_before", "amount_after", "difference", "reasons_before", "reasons_after"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let mut got: Vec<String> = rows.iter().map(|r| r[0].to_string()).collect();
    got.sort();
    assert!(!want.is_empty() && got.iter().eq(want.iter().copied()), "{} changed, {} listed", want.len(), got.len());
    for r in &rows {
        assert_eq!((r[1].to_string(), r[3].to_string()), b[&r[0]]);
        assert_eq!((r[2].to_string(), r[4].to_string()), a[&r[0]]);
    }
    assert!(rows.iter().any(|r| &r[2] == "rejected" && r[7].contains("budget_exhausted")));
    let said = text(&run.stdout);
    let line = said.lines().find(|l| l.contains(" claims changed")).unwrap_or_else(|| panic!("{said}"));
    assert_eq!(line.split_whitespace().next().unwrap().replace(',', ""), want.len().to_string());
}

#[test]
fn the_ledgers_batches_fit_in_100_columns_with_the_source_path_on_its_own_line() {
    // (A path wider than a line is shown whole: it is not cut.)
    let dir = tempfile::tempdir().unwrap();
    let deep = dir.path().join("clerks-folder").join("二〇二一年四月");
    std::fs::create_dir_all(&deep).unwrap();
    let claims = deep.join("claims-2021-04.csv");
    std::fs::copy(root().join("examples/claims-2021-04.csv"), &claims).unwrap();
    let db = dir.path().join("ledger.db");
    let out = dir.path().join("o.csv");
    let run = subsidy(&["assess", claims.to_str().unwrap(), "--ledger", db.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    for lang in ["en", "zh"] {
        let batches = text(&subsidy(&["--lang", lang, "ledger", "batches", "--ledger", db.to_str().unwrap()]).stdout);
        assert!(batches.contains("claims-2021-04.csv"), "{batches}");
        assert_fits(&batches, 100, lang);
    }
}
