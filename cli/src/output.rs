//! Writing assessment records: a JSON array, JSON Lines, CSV or Parquet, chosen by the extension.
//! CSV is for people: its cells are safe to open in a spreadsheet (spreadsheet.rs).

use crate::input::Format;
use crate::spreadsheet::{self, Formulas};
use skill_subsidy::{Assessment, AssessmentRecord, Engine};
use std::io::{BufWriter, Write};
use std::path::Path;

/// Writes one record per claim, in input order, to `path` (`-` or `None`: stdout as JSON Lines);
/// `formulas` says what CSV does with cells a spreadsheet would run.
pub fn write_records<'a>(
    engine: &Engine,
    path: Option<&Path>,
    items: impl Iterator<Item = (&'a str, &'a Assessment)>,
    formulas: Formulas,
) -> std::io::Result<()> {
    let format = match path {
        Some(p) if p != Path::new("-") => Format::from_path(p).ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{}: write .csv, .json, .jsonl or .parquet", p.display()))
        })?,
        _ => Format::Jsonl,
    };
    if let (Format::Parquet, Some(path)) = (format, path) {
        return crate::parquet::write_records(engine, path, items);
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
    let items: Vec<(&str, &Assessment)> = items.collect();
    for (b, block) in items.chunks(BLOCK).enumerate() {
        let parts = skill_subsidy::parallel::chunks(block.len(), |range| {
            format_records(engine, format, formulas, b * BLOCK + range.start, &block[range])
        });
        for part in parts {
            out.write_all(&part?)?;
        }
    }
    if format == Format::Json {
        out.write_all(if items.is_empty() { b"]\n" } else { b"\n]\n" })?;
    }
    out.flush()
}

/// Records formatted at a time.
const BLOCK: usize = 32 * 1024;

/// The bytes of `items` in `format`; `first` is the position of the first in the whole output
/// (a JSON array puts a comma before all but the first).
fn format_records(
    engine: &Engine,
    format: Format,
    formulas: Formulas,
    first: usize,
    items: &[(&str, &Assessment)],
) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(items.len() * 96);
    match format {
        Format::Csv => {
            let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(&mut out);
            let mut row: [String; 10] = Default::default();
            let numbers = AssessmentRecord::CSV_HEADER.map(|column| column == "amount");
            for (id, a) in items {
                engine.record(id, a).write_csv_row(&mut row);
                spreadsheet::make_safe(&mut row, &numbers, formulas);
                w.write_record(&row)?;
            }
            w.flush()?;
        }
        Format::Json => {
            for (i, (id, a)) in items.iter().enumerate() {
                out.write_all(if first + i == 0 { b"\n" } else { b",\n" })?;
                serde_json::to_writer(&mut out, &engine.record(id, a))?;
            }
        }
        Format::Parquet => {} // written by crate::parquet
        Format::Jsonl => {
            for (id, a) in items {
                serde_json::to_writer(&mut out, &engine.record(id, a))?;
                out.write_all(b"\n")?;
            }
        }
    }
    Ok(out)
}
