//! Chinese all the way with `--lang zh` or a Chinese locale (issue 19, point 4; SPEC §10): the
//! help of every command, usage errors, file errors, "line N", "… and N more", program and
//! reason names in the summary and in what-if.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(args: &[&str], lang: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_subsidy"));
    command.args(args).current_dir(root()).env_remove("LC_ALL").env_remove("LC_MESSAGES").env_remove("LANG");
    if let Some(lang) = lang {
        command.env("LANG", lang);
    }
    command.output().expect("subsidy runs")
}

fn zh(args: &[&str]) -> Output {
    let mut all = vec!["--lang", "zh"];
    all.extend_from_slice(args);
    run(&all, None)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every command, as its words on the command line.
const COMMANDS: [&[&str]; 18] = [
    &[],
    &["assess"],
    &["apprenticeship"],
    &["whatif"],
    &["explain"],
    &["demo-data"],
    &["rules"],
    &["rules", "check"],
    &["rules", "export"],
    &["ledger"],
    &["ledger", "report"],
    &["ledger", "export"],
    &["ledger", "import"],
    &["ledger", "outcomes"],
    &["ledger", "batches"],
    &["columns"],
    &["schema"],
    &["serve"],
];

#[test]
fn the_help_of_every_command_is_in_chinese() {
    for words in COMMANDS {
        let mut args = words.to_vec();
        args.push("--help");
        let out = zh(&args);
        let help = text(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{words:?}");
        assert!(help.contains("用法：") && help.contains("显示帮助"), "{words:?}:\n{help}");
        for english in ["Usage:", "Options:", "Arguments:", "Commands:", "Print help", "Possible values"] {
            assert!(!help.contains(english), "{words:?} says {english:?}:\n{help}");
        }
    }
}

#[test]
fn a_chinese_locale_is_enough_and_lang_en_overrides_it() {
    let help = text(&run(&["assess", "--help"], Some("zh_CN.UTF-8")).stdout);
    assert!(help.contains("用法：") && help.contains("将申请作为一个批次审核"), "{help}");
    let help = text(&run(&["--lang", "en", "assess", "--help"], Some("zh_CN.UTF-8")).stdout);
    assert!(help.contains("Usage:"), "{help}");
    let missing = run(&["assess", "no-such-file.csv"], Some("zh_CN.UTF-8"));
    assert!(text(&missing.stderr).contains("没有那个文件或目录"), "{}", text(&missing.stderr));
}

#[test]
fn usage_errors_are_said_in_chinese_and_exit_two() {
    let out = zh(&["assess", "examples/claims.csv", "--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    let said = text(&out.stderr);
    assert!(said.starts_with("错误：不认识的参数 --bogus") && said.contains("用法：subsidy assess"), "{said}");
    let out = zh(&["assess", "examples/claims.csv", "--format", "xml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("不是 --format <FORMAT> 的有效取值") || text(&out.stderr).contains("有效取值"),
        "{}",
        text(&out.stderr)
    );
    let out = zh(&["explain", "examples/claims.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("缺少必需的参数：--claim"), "{}", text(&out.stderr));
    let out = zh(&["asess"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("不认识的命令 asess") && text(&out.stderr).contains("assess"), "{}", text(&out.stderr));
}

#[test]
fn a_missing_file_is_said_in_chinese_with_its_path() {
    let out = zh(&["assess", "examples/no-such-file.csv"]);
    assert_eq!(out.status.code(), Some(1));
    let said = text(&out.stderr);
    assert!(said.contains("examples/no-such-file.csv") && said.contains("没有那个文件或目录"), "{said}");
    assert!(!said.contains("No such file"), "{said}");
}

#[test]
fn invalid_claims_are_listed_by_chinese_line_and_the_rest_counted_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.csv");
    let mut csv = String::from("claim_id,program,person_id,event_date,applied_on\n");
    for i in 0..25 {
        csv.push_str(&format!("B{i},pre_job,P{i},2021-02-30,2021-03-01\n"));
    }
    std::fs::write(&file, csv).unwrap();
    let out = zh(&["assess", file.to_str().unwrap(), "--out", dir.path().join("o.jsonl").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let said = text(&out.stderr);
    assert!(said.contains("第 2 行 B0") && said.contains("… 另有 5 条"), "{said}");
    assert!(!said.contains("line 2"), "{said}");
}

#[test]
fn program_and_reason_names_are_chinese_in_the_summary_and_in_whatif() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.csv");
    let summary = text(&zh(&["assess", "examples/claims-2021-04.csv", "--out", out.to_str().unwrap()]).stdout);
    assert!(summary.contains("就业技能培训") && summary.contains("该人员类别不属于本项目补贴对象"), "{summary}");
    let whatif = text(&zh(&["whatif", "examples/claims-2021-04.csv", "--set", "shortage.rate=0.20"]).stdout);
    assert!(whatif.contains("就业技能培训") && whatif.contains("该人员类别不属于本项目补贴对象"), "{whatif}");
    assert!(!whatif.contains("skills_training") && !whatif.contains("group_not_eligible"), "{whatif}");
}

#[test]
fn header_errors_are_said_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("no-id.csv");
    std::fs::write(&file, "program,person_id\npre_job,P1\n").unwrap();
    let out = zh(&["assess", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let said = text(&out.stderr);
    // The missing column, the names it may be written as, and the columns recognised (headers.rs).
    assert!(said.contains("第 1 行") && said.contains("表头缺少“申请编号（claim_id）”列（可写作：claim_id、申请编号"), "{said}");
    assert!(said.contains("已识别的列：补贴项目（program）"), "{said}");
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    let said = text(&zh(&["assess", empty.to_str().unwrap()]).stderr);
    assert!(said.contains("文件为空"), "{said}");
}
