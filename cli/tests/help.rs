//! Help that is right (issue 19, point 6; SPEC §6, §8, §10): the columns the tool reads are the
//! columns the help names, `subsidy columns` lists them all, no help text points into the SPEC,
//! and `explain` without `--claim` is a usage error.

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

/// The names in the header row of an example file.
fn header(file: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join(file)).unwrap();
    text.lines().next().unwrap().split(',').map(str::to_string).collect()
}

#[test]
fn assess_help_names_the_application_columns_the_tool_reads() {
    let help = text(&subsidy(&["assess", "--help"]).stdout);
    let words = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("target_level") && !words.contains("certified_level") && !words.contains("fee_paid, submitted_on"), "{help}");
    // The example applications file (which the tool reads) has the columns the help names.
    for column in header("examples/applications-2021.csv") {
        assert!(words.contains(&column), "help does not name {column}:\n{help}");
    }
}

#[test]
fn columns_lists_every_column_of_claims_history_and_applications_in_both_languages() {
    let listed = text(&subsidy(&["columns"]).stdout);
    let names: Vec<&str> = listed.lines().filter_map(|l| l.strip_prefix("  ")).filter_map(|l| l.split_whitespace().next()).collect();
    for file in ["examples/claims.csv", "examples/history-2021.csv", "examples/applications-2021.csv", "examples/outcomes-2021.csv"] {
        for column in header(file) {
            assert!(names.contains(&column.as_str()), "{column} of {file} is not listed:\n{listed}");
        }
    }
    for field in skill_subsidy::Field::ALL {
        let line = listed.lines().find(|l| l.split_whitespace().next() == Some(field.name())).unwrap();
        assert!(line.contains(field.name_zh()), "{line}");
    }
    let claim_id = listed.lines().find(|l| l.trim_start().starts_with("claim_id")).unwrap();
    assert!(claim_id.contains("required"), "{claim_id}");
    let district = listed.lines().find(|l| l.trim_start().starts_with("district")).unwrap();
    assert!(district.contains("optional"), "{district}");
    let zh = text(&subsidy(&["--lang", "zh", "columns"]).stdout);
    assert!(zh.contains("必填") && zh.contains("选填") && zh.contains("补贴申请"), "{zh}");
}

#[test]
fn no_help_text_points_into_the_spec() {
    for words in [&["--help"][..], &["assess", "--help"], &["ledger", "report", "--help"], &["whatif", "--help"], &["explain", "--help"]] {
        for lang in ["en", "zh"] {
            let mut args = vec!["--lang", lang];
            args.extend_from_slice(words);
            let help = text(&subsidy(&args).stdout);
            assert!(!help.contains("SPEC") && !help.contains('§'), "{words:?} {lang}:\n{help}");
        }
    }
}

#[test]
fn explain_without_claim_is_a_usage_error() {
    let run = subsidy(&["explain", "examples/claims.csv"]);
    assert_eq!(run.status.code(), Some(2), "{}", text(&run.stderr));
    assert!(text(&run.stderr).contains("--claim"), "{}", text(&run.stderr));
    // A file of one claim needs --claim too (the claim is explained within its batch); a claim
    // chosen is explained.
    assert_eq!(subsidy(&["explain", "examples/claim.json"]).status.code(), Some(2));
    assert_eq!(subsidy(&["explain", "examples/claims.csv", "--claim", "EX-001"]).status.code(), Some(0));
}
