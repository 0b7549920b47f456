//! The records of CSV files written as Excel and Python write them are the rows Python's `csv`
//! module reads, each on the line Python starts it (SPEC §12). The files and Python's rows are
//! made by `cli/tests/data/csv/make.py` (committed with them); rerun it after changing a file.

use skill_subsidy_csv::{Problem, Records, MAX_RECORD_BYTES};
use std::path::PathBuf;

fn data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../cli/tests/data/csv")
}

/// Our rows (blank ones left out, as make.py leaves them out): line, fields, problem.
fn ours(bytes: &[u8], block: usize, threads: usize) -> Vec<(u32, Vec<String>, Option<Problem>)> {
    let mut records = Records::with_sizes(bytes, MAX_RECORD_BYTES, block, threads);
    let mut out = Vec::new();
    while let Some(block) = records.next_block().unwrap() {
        for r in block.iter().filter(|r| !r.is_blank()) {
            let fields = r.fields().map(|f| String::from_utf8(f.to_vec()).unwrap()).collect();
            out.push((r.line, fields, r.problem.cloned()));
        }
    }
    out
}

fn python(name: &str) -> Vec<(u32, Vec<String>)> {
    let expected: serde_json::Value = serde_json::from_slice(&std::fs::read(data().join("expected.json")).unwrap()).unwrap();
    let rows = expected[name].as_array().unwrap_or_else(|| panic!("{name} is not in expected.json: rerun make.py"));
    rows.iter()
        .map(|r| {
            let fields = r["fields"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_string()).collect();
            (r["line"].as_u64().unwrap() as u32, fields)
        })
        .collect()
}

#[test]
fn every_file_reads_as_python_reads_it_in_blocks_of_any_size() {
    let names = ["excel_alt_enter.csv", "python_crlf.csv", "lone_cr.csv", "bare_cr_in_row.csv", "big_multiline_field.csv"];
    for name in names {
        let bytes = std::fs::read(data().join(name)).unwrap();
        let want = python(name);
        for (block, threads) in [(1 << 22, 1), (4096, 2), (64, 4), (7, 3)] {
            let got: Vec<(u32, Vec<String>)> = ours(&bytes, block, threads)
                .into_iter()
                .map(|(line, fields, problem)| {
                    assert_eq!(problem, None, "{name}: line {line}");
                    (line, fields)
                })
                .collect();
            assert_eq!(got.len(), want.len(), "{name}: the number of records (block {block})");
            assert_eq!(got, want, "{name} (block {block}, {threads} threads)");
        }
    }
}

#[test]
fn a_quote_left_open_at_the_end_is_reported_where_python_reads_on_to_the_end() {
    let name = "open_quote_at_end.csv";
    let bytes = std::fs::read(data().join(name)).unwrap();
    let want = python(name);
    let got = ours(&bytes, 1 << 22, 1);
    assert_eq!(got.len(), want.len());
    let last = want.len() - 1;
    for (g, w) in got[..last].iter().zip(&want[..last]) {
        assert_eq!((g.0, &g.1), (w.0, &w.1));
    }
    // Python reads the open field to the end of the file; we report the row on its line, with
    // the fields before the open quote (its claim id first).
    let (line, fields, problem) = &got[last];
    assert_eq!((*line, problem), (want[last].0, &Some(Problem::QuoteNotClosed)));
    assert_eq!(fields[..], want[last].1[..fields.len()]);
    assert_eq!(fields[0], "C003");
}
