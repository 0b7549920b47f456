//! Running a batch from files: claims stream into the engine's batch as they are read, history
//! comes first, and a progress bar shows on a terminal for large inputs.

use crate::input::{self, Format, Location};
use crate::lang::Lang;
use crate::Failure;
use indicatif::{ProgressBar, ProgressStyle};
use skill_subsidy::{BatchResult, Engine, FieldError, FieldMode, FieldSource, HistoryRecord, Prepared, RawClaim};
use std::io::IsTerminal;

/// Inputs larger than this get a progress bar (on a terminal).
const PROGRESS_FROM_BYTES: u64 = 8 << 20;

/// A batch run and where each claim came from.
pub struct Run {
    pub result: BatchResult,
    /// Where each claim was read, in input order.
    pub locations: input::Locations,
    pub source: input::Source,
    /// History records read.
    pub history: usize,
    /// Each claim's values of the kept fields (`--keep`), in input order; empty when none are.
    pub kept: Vec<Box<[String]>>,
}

/// Strict for JSON, lenient for CSV and Parquet (exports often carry extra columns), unless asked.
pub fn field_mode(strict: bool, lenient: bool, format: Format) -> FieldMode {
    match (strict, lenient, format) {
        (true, _, _) => FieldMode::Strict,
        (_, true, _) | (_, _, Format::Csv | Format::Parquet) => FieldMode::Lenient,
        _ => FieldMode::Strict,
    }
}

/// The claims a CSV or JSON Lines file of `bytes` may hold, about: a claim's row is rarely under 48
/// bytes. A guess for making room, never a limit; at most 16M rows (about 1.5 GB of address
/// space reserved), past which the columns grow as they fill.
fn rows_at_most(bytes: u64) -> usize {
    usize::try_from(bytes / 48).unwrap_or(usize::MAX).min(1 << 24)
}

pub fn format_of(path: &str, format: Option<Format>) -> Format {
    format.or_else(|| Format::from_path(std::path::Path::new(path))).unwrap_or(Format::Csv)
}

/// Reads a history file (the same formats as claims; fields of SPEC §7.2). Every row must be
/// readable: history decides limits for every later claim, so a bad row stops the run.
pub fn read_history(path: &str, lang: Lang) -> Result<Vec<HistoryRecord>, Failure> {
    Ok(read_history_located(path, lang)?.into_iter().map(|(_, h)| h).collect())
}

/// Reads a history file as [`read_history`] does, each record with where it was read (which
/// explanations name: "history line N").
pub fn read_history_located(path: &str, lang: Lang) -> Result<Vec<(Location, HistoryRecord)>, Failure> {
    let records = input::read_records(path, "person_id")?;
    let lenient = matches!(format_of(path, None), Format::Csv | Format::Parquet) || crate::parquet::is_parquet(path);
    history_from_records(&records, lenient).map_err(|invalid| {
        let problems: Vec<String> = invalid
            .iter()
            .map(|(location, errors)| {
                let text: Vec<String> =
                    errors.iter().map(|e| format!("{} ({})", lang.pick(&e.message_en, &e.message_zh), e.code.code())).collect();
                format!("{}: {}", crate::lang::location(*location, lang), text.join("; "))
            })
            .collect();
        let mut shown: Vec<String> = problems.iter().take(20).cloned().collect();
        if problems.len() > 20 {
            shown.push(crate::lang::and_more(problems.len() - 20, lang));
        }
        Failure(format!(
            "{path}: {} {}:\n  {}",
            problems.len(),
            lang.pick("history rows are invalid", "条已享受补贴记录有误"),
            shown.join("\n  ")
        ))
    })
}

/// Rows that did not validate: each one's location and errors.
pub type InvalidRows = Vec<(Location, Vec<FieldError>)>;

/// History records from rows read (a file, a request): all of them, each with its location, or
/// every invalid row's location and errors.
pub fn history_from_records(records: &[(Location, input::Record)], lenient: bool) -> Result<Vec<(Location, HistoryRecord)>, InvalidRows> {
    let mut out = Vec::with_capacity(records.len());
    let mut invalid = Vec::new();
    for (location, fields) in records {
        match HistoryRecord::parse(fields.iter().map(|(k, v)| (k.as_str(), v)), lenient) {
            Ok(h) => out.push((*location, h)),
            Err(errors) => invalid.push((*location, errors)),
        }
    }
    if invalid.is_empty() {
        Ok(out)
    } else {
        Err(invalid)
    }
}

/// The options of a batch run.
pub struct Options<'a> {
    pub file: &'a str,
    pub format: Option<Format>,
    pub strict: bool,
    pub lenient: bool,
    pub history: Option<&'a str>,
    pub trace: bool,
    /// Explain only this claim, where the batch decides it (`subsidy explain`).
    pub explain: Option<&'a str>,
    pub lang: Lang,
    /// Apprenticeship applications (with their outcomes applied), reviewed in the same batch.
    pub applications: &'a [crate::apprenticeship::Read],
    /// Claim fields carried into the records (`--keep`).
    pub keep: &'a [skill_subsidy::Field],
}

/// Assesses a claims file as one batch.
pub fn assess(engine: &Engine, o: &Options<'_>) -> Result<Run, Failure> {
    let history = match o.history {
        Some(path) => read_history_located(path, o.lang)?,
        None => Vec::new(),
    };
    let mut batch = match o.explain {
        Some(id) => engine.batch().trace_only([id]),
        None => engine.batch().with_trace(o.trace),
    };
    for (location, h) in &history {
        batch.add_history_at(h, location.number()).map_err(|e| Failure(e.to_string()))?;
    }
    crate::apprenticeship::add_to(&mut batch, o.applications);
    let mode = field_mode(o.strict, o.lenient, format_of(o.file, o.format));
    let size = if o.file == "-" { None } else { std::fs::metadata(o.file).ok().map(|m| m.len()) };
    let bar = progress_bar(size, o.lang);
    let mut locations = input::Locations::default();
    let mut kept = Vec::new();
    // A CSV or JSON Lines file, not a workbook or Parquet (compressed: their size says little).
    let text = matches!(format_of(o.file, o.format), Format::Csv | Format::Jsonl)
        && !crate::parquet::is_parquet(o.file)
        && !crate::xlsx::is_workbook(o.file);
    if let Some(rows) = size.filter(|_| text).map(rows_at_most) {
        // Room made once rather than columns doubled (and copied) a million rows long: what is
        // reserved and never written takes no memory, and what memory does not allow is not
        // reserved.
        batch.reserve(rows);
        locations.reserve(rows);
        if !o.keep.is_empty() {
            let _ = kept.try_reserve(rows);
        }
    }
    let source = input::read_claims_prepared(
        o.file,
        o.format,
        |fields: &dyn FieldSource| {
            let values = (!o.keep.is_empty()).then(|| crate::records_csv::kept_values(fields, o.keep));
            (engine.prepare(fields, mode), values)
        },
        |(prepared, values): &mut (Prepared, Option<Box<[String]>>), location, bytes| {
            batch.add_prepared(prepared);
            kept.extend(values.take());
            locations.push(location);
            if locations.len() % 16_384 == 0 {
                if let Some(bar) = &bar {
                    bar.set_position(bytes);
                }
            }
        },
    )?;
    if let Some(bar) = &bar {
        bar.set_message(o.lang.pick("checking limits and the account…", "核对限额与专账…").to_string());
    }
    let result = batch.finish();
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(Run { result, locations, source, history: history.len(), kept })
}

/// Reads every raw claim of a file into memory (for what-if runs, which assess them twice).
pub fn read_all(o: &Options<'_>) -> Result<(Vec<RawClaim>, FieldMode), Failure> {
    let mut rows = Vec::new();
    input::read_claims(o.file, o.format, |fields, _, _| rows.push(RawClaim::from_source(fields)))?;
    Ok((rows, field_mode(o.strict, o.lenient, format_of(o.file, o.format))))
}

fn progress_bar(size: Option<u64>, lang: Lang) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() || size.is_some_and(|s| s < PROGRESS_FROM_BYTES) {
        return None;
    }
    let bar = match size {
        Some(total) => ProgressBar::new(total).with_style(
            ProgressStyle::with_template("{spinner} {msg} [{bar:40}] {bytes}/{total_bytes} ({eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner(),
    };
    bar.set_message(lang.pick("reading claims", "读取申请").to_string());
    Some(bar)
}
