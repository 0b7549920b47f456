//! Files as Excel and WPS write them, through `subsidy assess` (issue 19, docs/columns.md): GBK
//! CSV with CRLF and Chinese headers, CSV UTF-8 with a BOM, dates and money as people type them,
//! and workbooks written by `rust_xlsxwriter` (here) and by Python's openpyxl
//! (tests/data/xlsx/openpyxl.xlsx, made by the script beside it).

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::Value;
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

/// The records of a run that wrote JSON Lines to stdout: (claim id, status, amount, error and reason codes).
fn records(run: &Output) -> Vec<(String, String, String, Vec<String>)> {
    text(&run.stdout)
        .lines()
        .map(|l| {
            let r: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            let codes: Vec<String> = r["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap().to_string()).collect();
            let reasons = r["reasons"].as_array().unwrap().iter().map(|e| e.as_str().unwrap().to_string());
            let codes = codes.into_iter().chain(reasons).collect();
            (r["claim_id"].as_str().unwrap().into(), r["status"].as_str().unwrap().into(), r["amount"].as_str().unwrap().into(), codes)
        })
        .collect()
}

/// A claims CSV as Excel on Chinese Windows saves it: Chinese headers, CRLF, a quoted amount
/// with a thousands separator, dates and money typed the way clerks type them.
const CLAIMS: &str = "申请编号,补贴项目,身份证号,企业标识,人员类别,市（县）区,职业编码,技能等级,取证日期,申请日期,培训机构,实际缴费\r\n\
    WX-1,skills_training,P0000396,,unemployed,经开区,4-03-02-05,4,2021/3/21,2021年3月23日,WX-JG-003,\"1,150.00\"\r\n\
    WX-2,skills_training,P0000397,,unemployed,经开区,4-03-02-05,4,2021-3-21,2021-03-23,WX-JG-003,660.00元\r\n\
    WX-3,skills_training,P0000398,,unemployed,经开区,4-03-02-05,4,2021-03-21,2021-03-23,WX-JG-003,￥１０００．１\r\n\
    WX-4,skills_training,P0000399,,unemployed,经开区,4-03-02-05,4,3/21/2021,2021-03-23,WX-JG-003,¥1000\r\n";

fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

#[test]
fn a_gbk_csv_from_excel_is_read_with_its_chinese_headers_dates_and_money() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claims.csv");
    std::fs::write(&path, gbk(CLAIMS)).unwrap();
    let list = dir.path().join("normalised.csv");
    let run = subsidy(&["assess", path.to_str().unwrap(), "--normalised", list.to_str().unwrap()]);
    let got = records(&run);
    assert_eq!(got.len(), 4, "{}", text(&run.stderr));
    assert_eq!((got[0].1.as_str(), got[0].2.as_str()), ("approved", "1150.00"));
    assert_eq!((got[1].1.as_str(), got[1].2.as_str()), ("approved", "660.00"));
    assert_eq!((got[2].1.as_str(), got[2].2.as_str()), ("approved", "1000.10"));
    // Month first or day first cannot be told: never guessed.
    assert_eq!((got[3].1.as_str(), got[3].3.as_slice()), ("invalid", ["bad_date".to_string()].as_slice()));
    assert_eq!(run.status.code(), Some(1));
    let listed = std::fs::read_to_string(&list).unwrap();
    let shown = path.to_str().unwrap();
    for row in [
        "file,location,id,field,original,normalised".to_string(),
        format!("{shown},line 2,WX-1,event_date,2021/3/21,2021-03-21"),
        format!("{shown},line 2,WX-1,applied_on,2021年3月23日,2021-03-23"),
        format!("{shown},line 2,WX-1,fee_paid,\"1,150.00\",1150.00"),
        format!("{shown},line 3,WX-2,fee_paid,660.00元,660.00"),
        format!("{shown},line 4,WX-3,fee_paid,￥１０００．１,1000.1"),
    ] {
        assert!(listed.lines().any(|l| l == row), "{row} not in\n{listed}");
    }
    assert!(!listed.contains("P00003"), "person ids are never listed");
}

#[test]
fn strict_refuses_what_would_be_normalised() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claims.csv");
    std::fs::write(&path, gbk(CLAIMS)).unwrap();
    let run = subsidy(&["assess", path.to_str().unwrap(), "--strict"]);
    let got = records(&run);
    assert_eq!(got[0].3, ["bad_date", "bad_date", "bad_money"]);
    assert_eq!(got[1].3, ["bad_date", "bad_money"]);
    assert!(got.iter().all(|r| r.1 == "invalid"));
}

#[test]
fn utf8_only_refuses_a_gbk_file_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claims.csv");
    std::fs::write(&path, gbk(CLAIMS)).unwrap();
    let run = subsidy(&["assess", path.to_str().unwrap(), "--encoding", "utf8"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(text(&run.stderr).contains("this file looks GBK-encoded: save as CSV UTF-8 or pass --encoding gbk"), "{}", text(&run.stderr));
    let zh = subsidy(&["--lang", "zh", "assess", path.to_str().unwrap(), "--encoding", "utf8"]);
    assert!(text(&zh.stderr).contains("此文件似乎是 GBK 编码"), "{}", text(&zh.stderr));
    let gbk = subsidy(&["assess", path.to_str().unwrap(), "--encoding", "gbk"]);
    assert_eq!(records(&gbk).len(), 4, "{}", text(&gbk.stderr));
}

#[test]
fn a_csv_utf8_with_a_bom_crlf_and_english_names_in_any_case_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claims.csv");
    let csv = "\u{feff} Claim_ID ,PROGRAM,Person_Id,Group,Occupation,Level,Event_Date,Applied_On,Institution,Fee_Paid\r\n\
               B-1,skills_training,P0000396,unemployed,4-03-02-05,4,2021-03-21,2021-03-23,WX-JG-003,1000.00\r\n";
    std::fs::write(&path, csv).unwrap();
    let run = subsidy(&["assess", path.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert_eq!(records(&run)[0].2, "1000.00");
}

#[test]
fn a_missing_key_column_lists_the_names_expected_in_chinese_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claims.csv");
    std::fs::write(&path, "编号,补贴项目\r\nC1,pre_job\r\n").unwrap();
    let en = subsidy(&["assess", path.to_str().unwrap()]);
    assert!(text(&en.stderr).contains("no claim_id column (write it as one of: claim_id, 申请编号, 申请号"), "{}", text(&en.stderr));
    let zh = subsidy(&["--lang", "zh", "assess", path.to_str().unwrap()]);
    let message = text(&zh.stderr);
    assert!(message.contains("表头缺少“申请编号（claim_id）”列") && message.contains("已识别的列：补贴项目（program）"), "{message}");
}

/// Claims written by rust_xlsxwriter: date cells, numbers, a resident id typed as a number, an
/// empty row; and the history of one of the persons, as a workbook too.
fn workbooks(dir: &Path) -> (PathBuf, PathBuf) {
    let date = Format::new().set_num_format("yyyy/m/d");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("申请表").unwrap();
    let header = ["申请编号", "补贴项目", "身份证号", "人员类别", "职业编码", "技能等级", "取证日期", "申请日期", "培训机构", "实际缴费"];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let rows: [(&str, &str, u32, f64); 3] =
        [("X-1", "P0000396", 21, 1000.1), ("X-2", "P0000397", 21, 660.0), ("X-3", "320211199001011234", 22, 1200.0)];
    for (i, (id, person, day, fee)) in rows.iter().enumerate() {
        // Row 4 (index 3) is left empty; X-3 is on row 5.
        let r = if i == 2 { 4 } else { i as u32 + 1 };
        sheet.write_string(r, 0, *id).unwrap();
        sheet.write_string(r, 1, "skills_training").unwrap();
        if i == 2 {
            sheet.write_number(r, 2, person.parse::<f64>().unwrap()).unwrap();
        } else {
            sheet.write_string(r, 2, *person).unwrap();
        }
        sheet.write_string(r, 3, "unemployed").unwrap();
        sheet.write_string(r, 4, "4-03-02-05").unwrap();
        sheet.write_number(r, 5, 4).unwrap();
        sheet.write_datetime_with_format(r, 6, ExcelDateTime::from_ymd(2021, 3, *day as u8).unwrap(), &date).unwrap();
        sheet.write_datetime_with_format(r, 7, ExcelDateTime::from_ymd(2021, 3, 23).unwrap(), &date).unwrap();
        sheet.write_string(r, 8, "WX-JG-003").unwrap();
        sheet.write_number(r, 9, *fee).unwrap();
    }
    let claims = dir.join("claims.xlsx");
    book.save(&claims).unwrap();

    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["身份证号", "补贴项目", "职业编码", "技能等级", "取证日期", "申请日期", "补贴金额"].iter().enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "P0000397").unwrap();
    sheet.write_string(1, 1, "skills_training").unwrap();
    sheet.write_string(1, 2, "4-03-02-05").unwrap();
    sheet.write_string(1, 3, "4").unwrap();
    sheet.write_datetime_with_format(1, 4, ExcelDateTime::from_ymd(2020, 5, 1).unwrap(), &date).unwrap();
    sheet.write_string(1, 5, "2020年5月9日").unwrap();
    sheet.write_string(1, 6, "1,500.00").unwrap();
    let history = dir.join("history.xlsx");
    book.save(&history).unwrap();
    (claims, history)
}

#[test]
fn an_xlsx_from_rust_xlsxwriter_is_read_cell_by_cell_with_its_history() {
    let dir = tempfile::tempdir().unwrap();
    let (claims, history) = workbooks(dir.path());
    let run = subsidy(&["assess", claims.to_str().unwrap(), "--history", history.to_str().unwrap()]);
    let got = records(&run);
    assert_eq!(got.len(), 3, "{}", text(&run.stderr));
    // A double 1000.1 is read as 1000.10 exactly.
    assert_eq!((got[0].0.as_str(), got[0].1.as_str(), got[0].2.as_str()), ("X-1", "approved", "1000.10"));
    // The person's level was subsidised before (history read from a workbook, its money normalised).
    assert_eq!(
        (got[1].0.as_str(), got[1].1.as_str(), got[1].3.as_slice()),
        ("X-2", "rejected", ["duplicate_level".to_string()].as_slice())
    );
    // A resident id typed as a number was rounded by the spreadsheet: refused, never misread.
    assert_eq!((got[2].0.as_str(), got[2].1.as_str(), got[2].3.as_slice()), ("X-3", "invalid", ["wrong_type".to_string()].as_slice()));
    let stderr = text(&run.stderr);
    assert!(stderr.contains("row 5 X-3"), "the sheet's own row number: {stderr}");
    assert!(!stderr.contains("3202111990"), "{stderr}");
}

#[test]
fn an_xlsx_from_openpyxl_is_read_from_the_sheet_asked_for() {
    let book = "cli/tests/data/xlsx/openpyxl.xlsx";
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("normalised.csv");
    let run = subsidy(&["assess", book, "--sheet", "申请", "--normalised", list.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let got: Vec<(String, String)> = records(&run).into_iter().map(|r| (r.0, r.2)).collect();
    let want = [("PY-1", "1000.10"), ("PY-2", "1150.00"), ("PY-3", "1200.00")];
    assert_eq!(got, want.map(|(a, b)| (a.to_string(), b.to_string())));
    let listed = std::fs::read_to_string(&list).unwrap();
    assert!(listed.contains(&format!("{book},row 5,PY-3,event_date,44276,2021-03-21")), "an Excel serial: {listed}");
    // The first sheet holds notes, not claims.
    let first = subsidy(&["assess", book]);
    assert!(text(&first.stderr).contains("no claim_id column"), "{}", text(&first.stderr));
    let missing = subsidy(&["assess", book, "--sheet", "Sheet9"]);
    assert!(text(&missing.stderr).contains("no sheet \"Sheet9\" (sheets: \"说明\", \"申请\")"), "{}", text(&missing.stderr));
}

#[test]
fn gbk_applications_with_chinese_headers_and_excel_dates_are_reviewed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("applications.csv");
    let csv = "申请编号,企业编号,身份证号,职业编码,目标等级,开始日期,培训月数,申请日期,培训机构,区县\r\n\
               WX21-A00001,E00414,P0014401,4-01-02-02,4,2021/6/30,12,2021年6月5日,WX-JG-011,宜兴市\r\n";
    std::fs::write(&path, gbk(csv)).unwrap();
    let run = subsidy(&["apprenticeship", path.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let out = text(&run.stdout);
    assert!(out.contains("2021-06-20          1        1        0         4,000.00"), "approved at the June session: {out}");
}
