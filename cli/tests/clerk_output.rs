//! Outputs clerks can open (issue 19, points 2 and 3; SPEC §10): CSV with a BOM, Chinese headers
//! and reasons, the payment month kept as text, the claim's own fields carried along, errors
//! with their message and value, .xlsx with numbers as numbers; and files handled safely: an
//! input is never overwritten, a missing folder is an error, an output is replaced whole.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn subsidy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_subsidy")).args(args).current_dir(root()).env_remove("LANG").output().expect("subsidy runs")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The rows of a CSV file (header first), the BOM left to the caller.
fn rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let bytes = bytes.strip_prefix("\u{FEFF}".as_bytes()).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes);
    reader.records().map(|r| r.expect("a CSV record").iter().map(str::to_string).collect()).collect()
}

/// Two claims: one approved (1,500.00 yuan for a skills-training certificate, applied for in
/// April, paid in May), one whose fee is not an amount and whose district is a formula; their
/// person ids are `P-SECRET-1` and `P-SECRET-2`.
fn claims(dir: &Path) -> PathBuf {
    let file = dir.join("claims.csv");
    std::fs::write(
        &file,
        "claim_id,program,person_id,group,district,occupation,level,event_date,applied_on,institution,fee_paid\n\
         C1,skills_training,P-SECRET-1,rural_migrant,梁溪区,6-18-01-07,4,2021-03-03,2021-04-02,WX-JG-001,1620.00\n\
         C2,skills_training,P-SECRET-2,rural_migrant,=HYPERLINK(\"x\"),6-18-01-07,4,2021-03-03,2021-04-02,WX-JG-001,abc\n",
    )
    .unwrap();
    file
}

#[test]
fn records_csv_starts_with_a_bom_for_excel_and_bom_false_leaves_it_out() {
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (claims(dir.path()), dir.path().join("out.csv"));
    subsidy(&["assess", path(&input), "--out", path(&out)]);
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBFclaim_id,status,amount"), "{}", text(&bytes[..40]));
    subsidy(&["assess", path(&input), "--out", path(&out), "--bom=false"]);
    assert!(std::fs::read(&out).unwrap().starts_with(b"claim_id,status,amount"));
}

#[test]
fn lang_zh_writes_chinese_headers_and_reasons_with_the_codes_beside_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let run = subsidy(&["--lang", "zh", "assess", "examples/claims-2021-04.csv", "--out", path(&out)]);
    assert!(run.status.code().is_some(), "{}", text(&run.stderr));
    let rows = rows(&std::fs::read(&out).unwrap());
    let header = &rows[0];
    assert_eq!(header[..6], ["申请编号", "审核结果", "补贴金额（元）", "原因", "原因代码", "错误"]);
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rejected = rows.iter().find(|r| r[at("审核结果")] == "不予补贴").expect("a rejected claim");
    assert!(rejected[at("原因")].chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{rejected:?}");
    assert!(rejected[at("原因代码")].chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == ';'), "{rejected:?}");
    let approved = rows.iter().find(|r| r[at("审核结果")] == "予以补贴").expect("an approved claim");
    assert!(["职业技能提升行动专账", "失业保险基金", "就业补助资金"].contains(&approved[at("资金来源")].as_str()));

    // --codes: the codes under the Chinese headers, no second column of them.
    subsidy(&["--lang", "zh", "assess", "examples/claims-2021-04.csv", "--out", path(&out), "--codes"]);
    let rows = self::rows(&std::fs::read(&out).unwrap());
    assert!(!rows[0].contains(&"原因代码".to_string()));
    assert!(rows[1..].iter().all(|r| ["approved", "rejected", "invalid"].contains(&r[1].as_str())));
}

#[test]
fn the_payment_month_is_written_so_a_spreadsheet_does_not_make_it_a_date_and_json_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let (input, csv, jsonl) = (claims(dir.path()), dir.path().join("out.csv"), dir.path().join("out.jsonl"));
    subsidy(&["assess", path(&input), "--out", path(&csv)]);
    let rows = rows(&std::fs::read(&csv).unwrap());
    let month = rows[0].iter().position(|h| h == "payment_month").unwrap();
    assert_eq!(rows[1][month], "202105");
    subsidy(&["--lang", "zh", "assess", path(&input), "--out", path(&jsonl)]);
    let first: serde_json::Value = serde_json::from_str(std::fs::read_to_string(&jsonl).unwrap().lines().next().unwrap()).unwrap();
    // JSON Lines are for machines: the same in any language.
    assert_eq!((first["payment_month"].as_str(), first["status"].as_str()), (Some("2021-05"), Some("approved")));
}

#[test]
fn keep_carries_the_claims_own_fields_made_safe_and_person_ids_stay_off_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (claims(dir.path()), dir.path().join("out.csv"));
    let run = subsidy(&["assess", path(&input), "--out", path(&out), "--keep", "person_id,district,level"]);
    let rows = rows(&std::fs::read(&out).unwrap());
    assert_eq!(rows[0][10..], ["person_id", "district", "level"]);
    assert_eq!(rows[1][10..], ["P-SECRET-1", "梁溪区", "4"]);
    // A kept field that a spreadsheet would run is text.
    assert_eq!(rows[2][11], "'=HYPERLINK(\"x\")");
    let printed = format!("{}{}", text(&run.stdout), text(&run.stderr));
    assert!(!printed.contains("P-SECRET"), "{printed}");

    subsidy(&["--lang", "zh", "assess", path(&input), "--out", path(&out), "--keep", "all"]);
    let header = &self::rows(&std::fs::read(&out).unwrap())[0];
    assert!(header.contains(&"人员标识".to_string()) && header.contains(&"实际缴纳培训费".to_string()), "{header:?}");
    assert_eq!(header.len(), 11 + skill_subsidy::Field::ALL.len() - 1);

    let wrong = subsidy(&["assess", path(&input), "--out", path(&out), "--keep", "target_level"]);
    assert_eq!(wrong.status.code(), Some(2), "{}", text(&wrong.stderr));
}

#[test]
fn errors_hold_the_message_and_the_value_in_the_runs_language() {
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (claims(dir.path()), dir.path().join("out.csv"));
    subsidy(&["assess", path(&input), "--out", path(&out)]);
    let errors = &rows(&std::fs::read(&out).unwrap())[2][4];
    assert!(errors.contains("`fee_paid`") && errors.contains("\"abc\"") && errors.ends_with("[bad_money]"), "{errors}");
    subsidy(&["--lang", "zh", "assess", path(&input), "--out", path(&out)]);
    let errors = &rows(&std::fs::read(&out).unwrap())[2][5];
    assert!(errors.contains("实际缴纳培训费") && errors.contains("\"abc\""), "{errors}");
}

#[test]
fn out_equal_to_an_input_is_refused_however_it_is_spelled() {
    let dir = tempfile::tempdir().unwrap();
    let input = claims(dir.path());
    let before = std::fs::read(&input).unwrap();
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    let same = sub.join("..").join("claims.csv");
    for out in [input.clone(), same] {
        let run = subsidy(&["assess", path(&input), "--out", path(&out)]);
        assert_eq!(run.status.code(), Some(1));
        assert!(text(&run.stderr).contains(path(&out)) && text(&run.stderr).contains("input"), "{}", text(&run.stderr));
        assert_eq!(std::fs::read(&input).unwrap(), before);
    }
    let history = dir.path().join("history.csv");
    std::fs::copy(root().join("examples/history-2021.csv"), &history).unwrap();
    let run = subsidy(&["assess", path(&input), "--history", path(&history), "--report", path(&history)]);
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
    let applications = dir.path().join("applications.csv");
    std::fs::copy(root().join("examples/applications-2021.csv"), &applications).unwrap();
    let before = std::fs::read(&applications).unwrap();
    let run = subsidy(&["apprenticeship", path(&applications), "--out", path(&applications)]);
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
    assert_eq!(std::fs::read(&applications).unwrap(), before);
}

#[test]
fn out_into_a_missing_folder_is_an_error_naming_the_path_and_nothing_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let input = claims(dir.path());
    let out = dir.path().join("typo").join("out.csv");
    let run = subsidy(&["assess", path(&input), "--out", path(&out)]);
    assert_eq!(run.status.code(), Some(1));
    assert!(text(&run.stderr).contains(path(&out)), "{}", text(&run.stderr));
    assert!(!dir.path().join("typo").exists());
    let zh = subsidy(&["--lang", "zh", "assess", path(&input), "--report", path(&out)]);
    assert!(text(&zh.stderr).contains("不存在") && text(&zh.stderr).contains(path(&out)), "{}", text(&zh.stderr));
}

#[cfg(unix)]
#[test]
fn an_existing_output_is_replaced_by_a_new_file_not_rewritten_in_place() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (claims(dir.path()), dir.path().join("out.csv"));
    std::fs::write(&out, "old records\n").unwrap();
    // A second name for the old file: a file rewritten in place would change under it too.
    let link = dir.path().join("yesterday.csv");
    std::fs::hard_link(&out, &link).unwrap();
    std::fs::set_permissions(&out, std::os::unix::fs::PermissionsExt::from_mode(0o640)).unwrap();
    let old_inode = std::fs::metadata(&out).unwrap().ino();
    subsidy(&["assess", path(&input), "--out", path(&out)]);
    let new = std::fs::metadata(&out).unwrap();
    assert_ne!(new.ino(), old_inode, "written to a new file and renamed over the old one");
    assert_eq!(new.mode() & 0o777, 0o640, "with the old file's permissions");
    // A new file has the permissions of a file created plainly, not a temporary file's 0600.
    let fresh = dir.path().join("fresh.csv");
    subsidy(&["assess", path(&input), "--out", path(&fresh)]);
    let plain = dir.path().join("plain");
    std::fs::write(&plain, "").unwrap();
    assert_eq!(std::fs::metadata(&fresh).unwrap().mode() & 0o777, std::fs::metadata(&plain).unwrap().mode() & 0o777);
    std::fs::remove_file(&fresh).unwrap();
    std::fs::remove_file(&plain).unwrap();
    assert_eq!(std::fs::read_to_string(&link).unwrap(), "old records\n");
    assert!(rows(&std::fs::read(&out).unwrap()).len() == 3);
    // Nothing is left beside it.
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
}

#[test]
fn xlsx_out_has_the_csv_columns_with_amounts_as_numbers_and_text_as_text() {
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let dir = tempfile::tempdir().unwrap();
    let (input, csv, xlsx) = (claims(dir.path()), dir.path().join("out.csv"), dir.path().join("out.xlsx"));
    for out in [&csv, &xlsx] {
        let run = subsidy(&["--lang", "zh", "assess", path(&input), "--out", path(out), "--keep", "person_id,district"]);
        assert_eq!(run.status.code(), Some(1), "one claim is invalid: {}", text(&run.stderr));
    }
    let want = rows(&std::fs::read(&csv).unwrap());
    let mut book: Xlsx<_> = open_workbook(&xlsx).expect("an .xlsx file");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    let got: Vec<Vec<Data>> = sheet.rows().map(<[Data]>::to_vec).collect();
    assert_eq!(got.len(), want.len());
    for (r, (got, want)) in got.iter().zip(&want).enumerate() {
        for (c, want) in want.iter().enumerate() {
            let cell = got.get(c).cloned().unwrap_or(Data::Empty);
            match (r, c) {
                (1.., 2) => assert_eq!(cell, Data::Float(want.parse().unwrap()), "row {r}: the amount is a number"),
                _ if want.is_empty() => assert_eq!(cell, Data::Empty, "row {r} column {c}"),
                _ => assert_eq!(cell, Data::String(want.clone()), "row {r} column {c}: text stays text"),
            }
        }
    }
    assert_eq!(got[1][2], Data::Float(1500.0));
    // The payment month is text, not a date; the formula stays text.
    assert!(got[1].contains(&Data::String("202105".into())));
    assert!(got[2].contains(&Data::String("'=HYPERLINK(\"x\")".into())));
}
