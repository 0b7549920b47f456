//! Writing assessment records: a JSON array, JSON Lines or CSV, chosen by the extension.

use crate::input::Format;
use skill_subsidy::{Assessment, AssessmentRecord, Engine};
use std::io::{BufWriter, Write};
use std::path::Path;

/// Writes one record per claim, in input order, to `path` (`-` or `None`: stdout as JSON Lines).
pub fn write_records<'a>(
    engine: &Engine,
    path: Option<&Path>,
    items: impl Iterator<Item = (&'a str, &'a Assessment)>,
) -> std::io::Result<()> {
    let format = match path {
        Some(p) if p != Path::new("-") => Format::from_path(p).ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{}: write .csv, .json or .jsonl", p.display()))
        })?,
        _ => Format::Jsonl,
    };
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
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(AssessmentRecord::CSV_HEADER)?;
            let mut row: [String; 10] = Default::default();
            for (id, a) in items {
                engine.record(id, a).write_csv_row(&mut row);
                w.write_record(&row)?;
            }
            w.flush()?;
        }
        Format::Json => {
            out.write_all(b"[")?;
            for (i, (id, a)) in items.enumerate() {
                out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
                serde_json::to_writer(&mut out, &engine.record(id, a))?;
            }
            out.write_all(b"\n]\n")?;
        }
        Format::Jsonl => {
            for (id, a) in items {
                serde_json::to_writer(&mut out, &engine.record(id, a))?;
                out.write_all(b"\n")?;
            }
        }
    }
    out.flush()
}
