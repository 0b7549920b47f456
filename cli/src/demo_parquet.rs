//! `subsidy demo-data --parts K --out DIR`: the demo year as a Parquet data set partitioned by
//! person (SPEC §11), for the scale-out benchmarks: `DIR/claims/`, `DIR/history/` and
//! `DIR/applications/` each hold `part-00000.parquet` … one file per bucket of persons (the
//! CRC-32 of the trimmed `person_id` modulo K, `skill_subsidy::partition::person_bucket`), so
//! that Dask and Spark use them as they are; `DIR/outcomes/part-00000.parquet` holds every
//! apprenticeship's outcome.
//!
//! The rows are the demo generator's (crate `skill-subsidy-demo`, the same as the CSV files),
//! typed as a data engineer would store them: dates as `date32`, money as `decimal128(18, 2)`,
//! counts as `int32`, the rest as text.

use crate::Failure;
use arrow_array::{ArrayRef, Date32Array, Decimal128Array, Int32Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use skill_subsidy::partition::person_bucket;
use skill_subsidy::Ruleset;
use skill_subsidy_demo as demo;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Claims generated at a time (on every core).
const BLOCK: u64 = 256 * 1024;
/// Rows a part holds before they are written as a row group.
const GROUP_ROWS: usize = 128 * 1024;

/// How a column is stored.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Date,
    Money,
    Count,
}

fn kind_of(name: &str) -> Kind {
    match name {
        "event_date" | "applied_on" | "start_date" | "submitted_on" | "outcome_date" => Kind::Date,
        "fee_paid" | "amount" => Kind::Money,
        "months" | "ui_contribution_months" => Kind::Count,
        _ => Kind::Text,
    }
}

/// One table's parts: rows of text cells by bucket, written as row groups to a file per part.
struct Parts {
    schema: SchemaRef,
    kinds: Vec<Kind>,
    person: Option<usize>,
    rows: Vec<Vec<Vec<String>>>,
    writers: Vec<ArrowWriter<std::fs::File>>,
    paths: Vec<(PathBuf, PathBuf)>,
}

impl Parts {
    /// Parts of a table with the columns of a CSV `header`, `count` files in `dir` (split by
    /// person when the table has `person_id`).
    fn new(dir: &Path, header: &str, count: u32) -> Result<Parts, Failure> {
        let names: Vec<&str> = header.trim_end().split(',').collect();
        let kinds: Vec<Kind> = names.iter().map(|n| kind_of(n)).collect();
        let fields: Vec<Field> = names
            .iter()
            .zip(&kinds)
            .map(|(n, k)| {
                let t = match k {
                    Kind::Text => DataType::Utf8,
                    Kind::Date => DataType::Date32,
                    Kind::Money => DataType::Decimal128(18, 2),
                    Kind::Count => DataType::Int32,
                };
                Field::new(*n, t, true)
            })
            .collect();
        let schema = Arc::new(Schema::new(fields));
        std::fs::create_dir_all(dir).map_err(|e| Failure(format!("{}: {e}", dir.display())))?;
        let properties = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
        let (mut writers, mut paths) = (Vec::new(), Vec::new());
        for k in 0..count {
            let path = dir.join(format!("part-{k:05}.parquet"));
            let aside = dir.join(format!(".part-{k:05}.parquet.tmp"));
            let file = std::fs::File::create(&aside).map_err(|e| Failure(format!("{}: {e}", aside.display())))?;
            writers.push(ArrowWriter::try_new(file, Arc::clone(&schema), Some(properties.clone())).map_err(fail)?);
            paths.push((aside, path));
        }
        let person = names.iter().position(|n| *n == "person_id");
        Ok(Parts { schema, kinds, person, rows: vec![Vec::new(); count as usize], writers, paths })
    }

    /// Adds a row given as a CSV line of the generator (its cells hold no comma or quote).
    fn push(&mut self, line: &str) -> Result<(), Failure> {
        let cells: Vec<String> = line.trim_end_matches('\n').split(',').map(str::to_string).collect();
        let part = match self.person {
            Some(at) => person_bucket(cells.get(at).map_or("", String::as_str), self.rows.len() as u32) as usize,
            None => 0,
        };
        self.rows[part].push(cells);
        if self.rows[part].len() >= GROUP_ROWS {
            self.flush(part)?;
        }
        Ok(())
    }

    fn flush(&mut self, part: usize) -> Result<(), Failure> {
        let rows = std::mem::take(&mut self.rows[part]);
        if rows.is_empty() {
            return Ok(());
        }
        let columns: Vec<ArrayRef> = self
            .kinds
            .iter()
            .enumerate()
            .map(|(i, kind)| -> Result<ArrayRef, Failure> {
                Ok(match kind {
                    Kind::Text => Arc::new(StringArray::from_iter(rows.iter().map(|r| cell(r, i)))),
                    Kind::Date => Arc::new(Date32Array::from_iter(rows.iter().map(|r| cell(r, i).and_then(days)))),
                    Kind::Count => Arc::new(Int32Array::from_iter(rows.iter().map(|r| cell(r, i).and_then(|c| c.parse().ok())))),
                    Kind::Money => Arc::new(
                        Decimal128Array::from_iter(rows.iter().map(|r| cell(r, i).and_then(fen)))
                            .with_precision_and_scale(18, 2)
                            .map_err(|e| Failure(e.to_string()))?,
                    ),
                })
            })
            .collect::<Result<_, _>>()?;
        let batch = RecordBatch::try_new(Arc::clone(&self.schema), columns).map_err(|e| Failure(e.to_string()))?;
        self.writers[part].write(&batch).map_err(fail)
    }

    /// Writes what is left and puts every file in its place.
    fn finish(mut self) -> Result<(), Failure> {
        for part in 0..self.rows.len() {
            self.flush(part)?;
        }
        for (writer, (aside, path)) in self.writers.into_iter().zip(&self.paths) {
            writer.close().map_err(fail)?;
            std::fs::rename(aside, path).map_err(|e| Failure(format!("{}: {e}", path.display())))?;
        }
        Ok(())
    }
}

fn fail(e: parquet::errors::ParquetError) -> Failure {
    Failure(e.to_string())
}

/// Cell `i` of a row; empty is absent.
fn cell(row: &[String], i: usize) -> Option<&str> {
    row.get(i).filter(|c| !c.is_empty()).map(String::as_str)
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
fn days(text: &str) -> Option<i32> {
    let date = skill_subsidy::calendar::parse_date(text).ok()?;
    let epoch = skill_subsidy::calendar::parse_date("1970-01-01").ok()?;
    i32::try_from((date - epoch).num_days()).ok()
}

/// Whole fen of an amount in yuan.
fn fen(text: &str) -> Option<i128> {
    let mut amount: skill_subsidy::Decimal = text.parse().ok()?;
    amount.rescale(2);
    Some(amount.mantissa())
}

/// Writes the data set: `claims` claims of `year`, the generator's history, `applications`
/// apprenticeship applications and their outcomes, in `parts` buckets of persons under `dir`.
pub fn write(rules: &Ruleset, claims: u64, year: i32, applications: u64, dir: &Path, parts: u32) -> Result<(), Failure> {
    if parts == 0 {
        return Err(Failure("--parts must be at least 1".into()));
    }
    let generator = demo::Generator::new(rules, demo::Options { claims, year });
    let mut table = Parts::new(&dir.join("claims"), demo::CSV_HEADER, parts)?;
    for start in (0..claims).step_by(BLOCK as usize) {
        let len = BLOCK.min(claims - start) as usize;
        let lines = skill_subsidy::parallel::map(len, |j| {
            let mut line = String::new();
            demo::write_claim(&mut line, &generator.claim(start + j as u64));
            line
        });
        for line in &lines {
            table.push(line)?;
        }
    }
    table.finish()?;
    let mut history = Parts::new(&dir.join("history"), demo::HISTORY_HEADER, parts)?;
    for h in generator.history() {
        let mut line = String::new();
        demo::write_history(&mut line, &h);
        history.push(&line)?;
    }
    history.finish()?;
    let mut apps = Parts::new(&dir.join("applications"), demo::APPLICATIONS_HEADER, parts)?;
    let mut outcomes = Parts::new(&dir.join("outcomes"), demo::OUTCOMES_HEADER, 1)?;
    for i in 0..applications {
        let (row, outcome) = generator.application(i);
        apps.push(&row)?;
        if let Some(outcome) = outcome {
            outcomes.push(&outcome)?;
        }
    }
    apps.finish()?;
    outcomes.finish()
}
