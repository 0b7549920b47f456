//! Dates and money normalised as a CSV or .xlsx file is read (issue 19): `2021/3/21` →
//! `2021-03-21`, `1,930.00元` → `1930.00`, by the core's pure rules
//! ([`skill_subsidy::normalise`]), for claims, history, applications and outcomes. Not with
//! `--strict`, and never for JSON or Parquet, whose values come from programs. With
//! `--normalised FILE` every change is listed as a CSV row: file, location, id (the claim or
//! application id; empty for history, whose person id is never written), field, original,
//! normalised.

use crate::input::{InputError, Location, Record};
use skill_subsidy::normalise::ValueKind;
use skill_subsidy::{Field, FieldError, FieldSource, RawRef, RawValue};
use std::fs::File;
use std::path::Path;

/// One value normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub id: String,
    pub field: String,
    pub original: String,
    pub normalised: String,
}

/// A claim's fields, its dates and money normalised.
pub struct Normalised<'a> {
    inner: &'a dyn FieldSource,
    values: Vec<(Field, String)>,
}

impl<'a> Normalised<'a> {
    /// The fields of `inner`, normalised when `on`; and the changes made.
    pub fn new(inner: &'a dyn FieldSource, on: bool) -> (Normalised<'a>, Vec<Change>) {
        let mut values = Vec::new();
        let mut changes = Vec::new();
        if on && inner.record_error().is_none() {
            for field in [Field::EventDate, Field::AppliedOn, Field::FeePaid] {
                let (Some(RawRef::Text(text)), Some(kind)) = (inner.value(field), ValueKind::of_field(field)) else { continue };
                if let Some(plain) = kind.normalise(text) {
                    changes.push(Change {
                        id: inner.claim_id_text(),
                        field: field.name().to_string(),
                        original: text.to_string(),
                        normalised: plain.clone(),
                    });
                    values.push((field, plain));
                }
            }
        }
        (Normalised { inner, values }, changes)
    }
}

impl FieldSource for Normalised<'_> {
    fn value(&self, field: Field) -> Option<RawRef<'_>> {
        match self.values.iter().find(|(f, _)| *f == field) {
            Some((_, text)) => Some(RawRef::Text(text)),
            None => self.inner.value(field),
        }
    }
    fn unknown_fields(&self) -> &[String] {
        self.inner.unknown_fields()
    }
    fn repeated_fields(&self) -> &[String] {
        self.inner.repeated_fields()
    }
    fn record_error(&self) -> Option<&FieldError> {
        self.inner.record_error()
    }
    fn claim_id_text(&self) -> String {
        self.inner.claim_id_text()
    }
}

/// `prepare` of a claim read from `path`, normalised as the reading options say, with the
/// changes made (listed by [`log`] as the claim reaches the batch, in file order).
pub fn prepare<T>(fields: &dyn FieldSource, prepare: &dyn Fn(&dyn FieldSource) -> T) -> (T, Vec<Change>) {
    let (normalised, changes) = Normalised::new(fields, crate::reading::get().normalise);
    // Nearly every row is already plain: read as it is, not through the wrapper.
    let prepared = if normalised.values.is_empty() { prepare(fields) } else { prepare(&normalised) };
    (prepared, changes)
}

/// Normalises the dates and money of a record read (history, applications, outcomes) as the
/// reading options say, listing the changes.
pub fn record(path: &str, location: Location, record: &mut Record) -> Result<(), InputError> {
    if !crate::reading::get().normalise {
        return Ok(());
    }
    let id = record
        .iter()
        .find(|(k, _)| k == "application_id")
        .and_then(|(_, v)| match v {
            RawValue::Text(s) | RawValue::Number(s) => Some(s.clone()),
            _ => None,
        })
        .unwrap_or_default();
    let mut changes = Vec::new();
    for (name, value) in record.iter_mut() {
        let (RawValue::Text(text), Some(kind)) = (&*value, ValueKind::of_name(name)) else { continue };
        if let Some(plain) = kind.normalise(text) {
            changes.push(Change { id: id.clone(), field: name.clone(), original: text.clone(), normalised: plain.clone() });
            *value = RawValue::Text(plain);
        }
    }
    log(path, location, &changes)
}

pub fn log(path: &str, location: Location, changes: &[Change]) -> Result<(), InputError> {
    if changes.is_empty() {
        return Ok(());
    }
    let Some(log) = &crate::reading::get().log else { return Ok(()) };
    let mut log = log.lock().map_err(|_| InputError("the normalisation list could not be written".into()))?;
    log.write(path, location, changes)
}

/// The list of normalisations (`--normalised FILE`): CSV, safe to open in a spreadsheet.
pub struct Log {
    writer: csv::Writer<File>,
    path: String,
}

impl Log {
    /// Creates the list at `path`, with its header.
    pub fn create(path: &Path) -> Result<Log, InputError> {
        let shown = path.display().to_string();
        let file = File::create(path).map_err(|e| InputError(format!("{shown}: {e}")))?;
        let mut log = Log { writer: csv::Writer::from_writer(file), path: shown };
        log.row(&["file", "location", "id", "field", "original", "normalised"])?;
        Ok(log)
    }

    fn row(&mut self, cells: &[&str]) -> Result<(), InputError> {
        let safe: Vec<_> = cells.iter().map(|c| crate::spreadsheet::cell(c, false, crate::spreadsheet::Formulas::Escape)).collect();
        self.writer.write_record(safe.iter().map(|c| c.as_ref())).map_err(|e| InputError(format!("{}: {e}", self.path)))
    }

    fn write(&mut self, file: &str, location: Location, changes: &[Change]) -> Result<(), InputError> {
        let location = location.to_string();
        for c in changes {
            self.row(&[file, &location, &c.id, &c.field, &c.original, &c.normalised])?;
        }
        Ok(())
    }

    /// Writes out what is buffered.
    pub fn flush(&mut self) -> Result<(), InputError> {
        self.writer.flush().map_err(|e| InputError(format!("{}: {e}", self.path)))
    }
}
