//! Parquet through `subsidy` (SPEC §10, §11): a demo data set partitioned by person, assessed
//! from its folder, gives the CSV run's report and records to the fen; typed columns are read
//! as their text; a data set whose files differ, or Parquet on stdin, is refused clearly.

use arrow_array::cast::AsArray;
use arrow_array::{ArrayRef, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn subsidy(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_subsidy")).args(args).current_dir(root()).output().expect("subsidy runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temporary path")
}

/// Every row of a Parquet file, each cell as text (null as `None`).
fn rows(file: &Path) -> (Vec<String>, Vec<Vec<Option<String>>>) {
    let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(file).unwrap()).unwrap();
    let names = reader.schema().fields().iter().map(|f| f.name().clone()).collect();
    let mut out = Vec::new();
    for batch in reader.build().unwrap() {
        let batch = batch.unwrap();
        let columns: Vec<ArrayRef> = batch.columns().iter().map(|c| arrow_cast::cast(c, &arrow_schema::DataType::Utf8).unwrap()).collect();
        for r in 0..batch.num_rows() {
            out.push(columns.iter().map(|c| (!c.is_null(r)).then(|| c.as_string::<i32>().value(r).to_string())).collect());
        }
    }
    (names, out)
}

fn write(file: &Path, columns: Vec<(&str, ArrayRef)>) {
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let mut writer = ArrowWriter::try_new(std::fs::File::create(file).unwrap(), batch.schema(), None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

#[test]
fn a_demo_data_set_partitioned_by_person_gives_the_csv_runs_report_and_records() {
    let dir = tempfile::tempdir().unwrap();
    let (set, csv) = (dir.path().join("set"), dir.path().join("csv"));
    // Outputs go only into folders that exist.
    std::fs::create_dir(&csv).unwrap();
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let n = "30000";
    let made = subsidy(&["demo-data", "--claims", n, "--parts", "4", "--out", path(&set)]);
    assert!(made.status.success(), "{}", text(&made.stderr));
    for table in ["claims", "history", "applications"] {
        for k in 0..4u32 {
            let (names, rows) = rows(&set.join(table).join(format!("part-{k:05}.parquet")));
            let at = names.iter().position(|n| n == "person_id").unwrap();
            assert!(!rows.is_empty(), "{table} part {k}");
            // Each file holds the persons of its bucket, and only them.
            assert!(rows.iter().all(|r| skill_subsidy::partition::person_bucket(r[at].as_deref().unwrap(), 4) == k), "{table} part {k}");
        }
    }
    let made = subsidy(&[
        "demo-data",
        "--claims",
        n,
        "--out",
        path(&csv.join("claims.csv")),
        "--history-out",
        path(&csv.join("history.csv")),
        "--applications-out",
        path(&csv.join("applications.csv")),
        "--outcomes-out",
        path(&csv.join("outcomes.csv")),
    ]);
    assert!(made.status.success(), "{}", text(&made.stderr));

    let (records, report) = (dir.path().join("out/records.parquet"), dir.path().join("report.json"));
    let from_parquet = subsidy(&[
        "assess",
        path(&set.join("claims")),
        "--history",
        path(&set.join("history")),
        "--applications",
        path(&set.join("applications")),
        "--outcomes",
        path(&set.join("outcomes")),
        "--set",
        "accounts.wuxi-2021.closes_when_spent=true",
        "--set",
        "accounts.wuxi-2021.opening_balance=20000000",
        "--out",
        path(&records),
        "--report",
        path(&report),
    ]);
    assert!(from_parquet.status.success(), "{}", text(&from_parquet.stderr));
    let (csv_records, csv_report) = (dir.path().join("records.csv"), dir.path().join("report-csv.json"));
    let from_csv = subsidy(&[
        "assess",
        path(&csv.join("claims.csv")),
        "--history",
        path(&csv.join("history.csv")),
        "--applications",
        path(&csv.join("applications.csv")),
        "--outcomes",
        path(&csv.join("outcomes.csv")),
        "--set",
        "accounts.wuxi-2021.closes_when_spent=true",
        "--set",
        "accounts.wuxi-2021.opening_balance=20000000",
        "--out",
        path(&csv_records),
        "--report",
        path(&csv_report),
    ]);
    assert!(from_csv.status.success(), "{}", text(&from_csv.stderr));
    let parsed = |p: &Path| serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(p).unwrap()).unwrap();
    let report = parsed(&report);
    assert_eq!(report, parsed(&csv_report));
    assert!(report["rejections"]["budget_exhausted"].as_u64().unwrap() > 0, "the account closes: {}", report["rejections"]);

    let (names, mut got) = rows(&records);
    assert_eq!(names, skill_subsidy::AssessmentRecord::CSV_HEADER);
    let mut want: Vec<Vec<Option<String>>> =
        csv::Reader::from_path(&csv_records).unwrap().records().map(|r| r.unwrap().iter().map(|c| Some(c.to_string())).collect()).collect();
    got.sort();
    want.sort();
    // The CSV writes absent values as empty cells (Parquet has them null) and the payment month
    // as 202103 (a spreadsheet would make 2021-03 a date).
    let as_csv: Vec<Vec<Option<String>>> = got
        .into_iter()
        .map(|r| {
            r.into_iter()
                .enumerate()
                .map(|(i, c)| Some(c.unwrap_or_default()).map(|c| if i == 9 { c.replace('-', "") } else { c }))
                .collect()
        })
        .collect();
    assert_eq!(as_csv.len(), 30_000);
    assert_eq!(as_csv, want);
}

#[test]
fn the_amount_is_an_exact_decimal_and_typed_columns_are_read_as_their_text() {
    let dir = tempfile::tempdir().unwrap();
    let claims = dir.path().join("claims.parquet");
    let day = |s: &str| {
        let d = skill_subsidy::calendar::parse_date(s).unwrap();
        (d - skill_subsidy::calendar::parse_date("1970-01-01").unwrap()).num_days() as i32
    };
    write(
        &claims,
        vec![
            ("claim_id", Arc::new(Int64Array::from(vec![1, 2, 3])) as ArrayRef),
            ("program", Arc::new(StringArray::from(vec!["online", "online", "online"]))),
            ("person_id", Arc::new(Int64Array::from(vec![320_201, 320_202, 320_203]))),
            ("enterprise_id", Arc::new(StringArray::from(vec!["E1", "E2", "E3"]))),
            // A float fee is its shortest text: 450.1 stays 450.1; 0.1 + 0.2 is not money.
            ("fee_paid", Arc::new(Float64Array::from(vec![450.1, 0.1 + 0.2, 650.0]))),
            ("event_date", Arc::new(Date32Array::from(vec![day("2021-05-10"); 3]))),
            ("applied_on", Arc::new(StringArray::from(vec!["2021-05-20"; 3]))),
            ("note", Arc::new(StringArray::from(vec!["an export's own column"; 3]))),
        ],
    );
    let out = dir.path().join("records.parquet");
    let run = subsidy(&["assess", path(&claims), "--out", path(&out)]);
    assert_eq!(run.status.code(), Some(1), "one claim is invalid: {}", text(&run.stderr));
    assert!(text(&run.stderr).contains("record 2"), "{}", text(&run.stderr));
    assert!(text(&run.stderr).contains("note"), "the extra column is named: {}", text(&run.stderr));
    let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&out).unwrap()).unwrap();
    assert_eq!(reader.schema().field_with_name("amount").unwrap().data_type(), &arrow_schema::DataType::Decimal128(18, 2));
    let (_, records) = rows(&out);
    let amounts: Vec<_> = records.iter().map(|r| (r[0].clone().unwrap(), r[1].clone().unwrap(), r[2].clone().unwrap())).collect();
    assert_eq!(
        amounts,
        [
            ("1".into(), "approved".into(), "450.10".into()),
            ("2".into(), "invalid".into(), "0.00".into()),
            ("3".into(), "approved".into(), "500.00".into())
        ]
    );
    assert_eq!(records[1][4].as_deref(), Some("fee_paid:money_precision"));
}

#[test]
fn a_data_set_whose_files_differ_or_parquet_on_stdin_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let set = dir.path().join("claims");
    std::fs::create_dir(&set).unwrap();
    let ids = |v: Vec<&str>| Arc::new(StringArray::from(v)) as ArrayRef;
    write(&set.join("a.parquet"), vec![("claim_id", ids(vec!["C1"])), ("person_id", ids(vec!["P1"]))]);
    write(&set.join("b.parquet"), vec![("claim_id", ids(vec!["C2"])), ("person", ids(vec!["P2"]))]);
    let run = subsidy(&["assess", path(&set)]);
    assert_eq!(run.status.code(), Some(1));
    assert!(text(&run.stderr).contains("b.parquet") && text(&run.stderr).contains("columns differ"), "{}", text(&run.stderr));

    let run = subsidy(&["assess", "-", "--format", "parquet"]);
    assert_eq!(run.status.code(), Some(1));
    assert!(text(&run.stderr).contains("not a stream"), "{}", text(&run.stderr));

    std::fs::write(dir.path().join("fake.parquet"), "claim_id\nC1\n").unwrap();
    let run = subsidy(&["assess", path(&dir.path().join("fake.parquet"))]);
    assert_eq!(run.status.code(), Some(1));
    assert!(text(&run.stderr).contains("not Parquet"), "{}", text(&run.stderr));
}
