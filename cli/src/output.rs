//! Writing assessment records: a JSON array, JSON Lines, CSV, .xlsx or Parquet, chosen by the
//! extension (SPEC §7.3, §10). JSON, JSON Lines and Parquet are for machines and keep the
//! record's codes; CSV and .xlsx are for people (records_csv.rs: a BOM, Chinese headers and
//! texts with `--lang zh`, kept claim fields, cells safe to open). A file is written aside and
//! renamed into place (files.rs).

use crate::files::{self, Output};
use crate::input::Format;
use crate::lang::Lang;
use crate::records_csv::Layout;
use crate::Failure;
use skill_subsidy::{BatchResult, Engine};
use std::io::{BufWriter, Write};
use std::ops::Range;
use std::path::Path;

/// How records for people are written.
pub struct People<'a> {
    pub layout: &'a Layout,
    /// Claim `i`'s values of the kept fields (empty when none are kept).
    pub kept: &'a [Box<[String]>],
    /// A UTF-8 byte order mark first in CSV (Excel and WPS then read Chinese right).
    pub bom: bool,
    pub lang: Lang,
}

/// What `--out` names.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Records(Format),
    Xlsx,
}

fn target(path: &Path, lang: Lang) -> Result<Target, Failure> {
    if path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) {
        return Ok(Target::Xlsx);
    }
    Format::from_path(path).map(Target::Records).ok_or_else(|| {
        Failure(format!(
            "{}: {}",
            files::shown(path),
            lang.pick("write .csv, .xlsx, .json, .jsonl or .parquet", "请写入 .csv、.xlsx、.json、.jsonl 或 .parquet 文件")
        ))
    })
}

/// Writes one record per claim, in input order, to `path` (`-` or `None`: stdout as JSON Lines).
pub fn write_records(engine: &Engine, path: Option<&Path>, result: &BatchResult, people: &People<'_>) -> Result<(), Failure> {
    let Some(path) = path.filter(|p| *p != Path::new("-")) else {
        let out = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
        return match write_stream(out, engine, Format::Jsonl, result, people, &mut |_| ()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
            _ => Ok(()),
        };
    };
    let lang = people.lang;
    let target = target(path, lang)?;
    let mut out = Output::create(path, lang)?;
    match target {
        Target::Records(Format::Parquet) => {
            crate::parquet::write_records(out.temp_path(), result).map_err(|e| out.failure(&e))?;
        }
        Target::Records(format) => {
            let mut early = out.early_sync();
            let file = BufWriter::with_capacity(1 << 20, out.file());
            write_stream(file, engine, format, result, people, &mut |bytes| early.wrote(bytes)).map_err(|e| out.failure(&e))?;
            early.finish().map_err(|e| out.failure(&e))?;
        }
        Target::Xlsx => {
            let sheet = lang.pick("records", "审核结果");
            crate::records_xlsx::write(&mut BufWriter::new(out.file()), people.layout, engine, result, people.kept, sheet)
                .map_err(|e| Failure(format!("{}: {e}", files::shown(path))))?;
        }
    }
    out.commit()
}

/// Writes the records to `out`, telling `wrote` the bytes of each block.
fn write_stream(
    mut out: impl Write,
    engine: &Engine,
    format: Format,
    result: &BatchResult,
    people: &People<'_>,
    wrote: &mut dyn FnMut(usize),
) -> std::io::Result<()> {
    if format == Format::Csv {
        if people.bom {
            out.write_all("\u{FEFF}".as_bytes())?;
        }
        let mut header = csv::Writer::from_writer(&mut out);
        header.write_record(people.layout.header())?;
        header.flush()?;
    } else if format == Format::Json {
        out.write_all(b"[")?;
    }
    // Records are formatted a block at a time on every core, and written in order.
    let rows = result.len();
    for start in (0..rows).step_by(BLOCK) {
        let block = start..(start + BLOCK).min(rows);
        let parts = skill_subsidy::parallel::chunks(block.len(), |range| {
            format_records(engine, format, people, result, block.start + range.start..block.start + range.end)
        });
        for part in parts {
            let part = part?;
            out.write_all(&part)?;
            wrote(part.len());
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
    people: &People<'_>,
    result: &BatchResult,
    rows: Range<usize>,
) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(rows.len() * 96);
    let items = rows.map(|i| (i, result.record(i)));
    match format {
        Format::Csv => {
            let mut scratch = String::new();
            for (i, record) in items {
                let kept = people.kept.get(i).map_or(&[][..], |k| &k[..]);
                people.layout.write_csv(engine, &record, kept, &mut scratch, &mut out);
            }
        }
        Format::Json => {
            for (i, record) in items {
                out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
                serde_json::to_writer(&mut out, &record)?;
            }
        }
        Format::Parquet => {} // written by crate::parquet
        Format::Jsonl => {
            for (_, record) in items {
                serde_json::to_writer(&mut out, &record)?;
                out.write_all(b"\n")?;
            }
        }
    }
    Ok(out)
}
