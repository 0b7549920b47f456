//! Writing assessment records: a JSON array, JSON Lines, CSV or Parquet, chosen by the extension.
//! CSV is for people: its cells are safe to open in a spreadsheet (spreadsheet.rs).

use crate::input::Format;
use crate::spreadsheet::{self, Formulas};
use skill_subsidy::{AssessmentRecord, BatchResult, Engine};
use std::io::{BufWriter, Write};
use std::ops::Range;
use std::path::Path;

/// Writes one record per claim, in input order, to `path` (`-` or `None`: stdout as JSON Lines);
/// `formulas` says what CSV does with cells a spreadsheet would run.
pub fn write_records(engine: &Engine, path: Option<&Path>, result: &BatchResult, formulas: Formulas) -> std::io::Result<()> {
    let format = match path {
        Some(p) if p != Path::new("-") => Format::from_path(p).ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{}: write .csv, .json, .jsonl or .parquet", p.display()))
        })?,
        _ => Format::Jsonl,
    };
    if let (Format::Parquet, Some(path)) = (format, path) {
        return crate::parquet::write_records(engine, path, result);
    }
    let sink: Box<dyn Write> = match path {
        Some(p) if p != Path::new("-") => {
            if let Some(parent) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)?;
            }
            Box::new(std::fs::File::create(p)?)
        }
        _ => Box::new(std::io::stdout().lock()),
    };
    let mut out = BufWriter::with_capacity(1 << 20, sink);
    if format == Format::Csv {
        let mut header = csv::Writer::from_writer(&mut out);
        header.write_record(AssessmentRecord::CSV_HEADER)?;
        header.flush()?;
    } else if format == Format::Json {
        out.write_all(b"[")?;
    }
    // Records are formatted a block at a time on every core, and written in order.
    let rows = result.len();
    for start in (0..rows).step_by(BLOCK) {
        let block = start..(start + BLOCK).min(rows);
        let parts = skill_subsidy::parallel::chunks(block.len(), |range| {
            format_records(engine, format, formulas, result, block.start + range.start..block.start + range.end)
        });
        for part in parts {
            out.write_all(&part?)?;
        }
    }
    if format == Format::Json {
        out.write_all(if rows == 0 { b"]\n" } else { b"\n]\n" })?;
    }
    out.flush()
}

/// Records formatted at a time.
const BLOCK: usize = 32 * 1024;

/// The bytes of the records of `rows` in `format` (a JSON array puts a comma before all but
/// the first of the whole output).
fn format_records(
    engine: &Engine,
    format: Format,
    formulas: Formulas,
    result: &BatchResult,
    rows: Range<usize>,
) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(rows.len() * 96);
    let first = rows.start;
    let items = rows.map(|i| (result.claim_id(i), result.assessment(i)));
    match format {
        Format::Csv => {
            let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(&mut out);
            let mut row: [String; 10] = Default::default();
            let numbers = AssessmentRecord::CSV_HEADER.map(|column| column == "amount");
            for (id, a) in items {
                engine.record(id, &a).write_csv_row(&mut row);
                spreadsheet::make_safe(&mut row, &numbers, formulas);
                w.write_record(&row)?;
            }
            w.flush()?;
        }
        Format::Json => {
            for (i, (id, a)) in items.enumerate() {
                out.write_all(if first + i == 0 { b"\n" } else { b",\n" })?;
                serde_json::to_writer(&mut out, &engine.record(id, &a))?;
            }
        }
        Format::Parquet => {} // written by crate::parquet
        Format::Jsonl => {
            for (id, a) in items {
                serde_json::to_writer(&mut out, &engine.record(id, &a))?;
                out.write_all(b"\n")?;
            }
        }
    }
    Ok(out)
}
