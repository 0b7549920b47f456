//! Claims, history, applications and outcomes from a workbook (.xlsx, also .xlsm, .xlsb, .xls and
//! .ods; issue 19, SPEC §10): the first sheet or `--sheet NAME`, its first row the header (named
//! as in a CSV file, docs/columns.md), then one claim per row, located by its row number in the
//! sheet. Nothing is dropped: only wholly empty rows are skipped, and a value in a column without
//! a header makes its row invalid.
//!
//! Cells are read as a CSV cell's text would be:
//! - text as it is; a date cell (a number with a date format) as its date, `YYYY-MM-DD` (a
//!   date-time that is not midnight keeps its time, and is refused as a date);
//! - a number as the shortest decimal that reads back as the same double (`1930.1` stays
//!   `1930.1`, which the engine reads exactly as 1930.10, never `1930.0999…`). A cell holds a
//!   double, written in the file with up to 17 significant digits (`1930.0999999999999`); for a
//!   number typed with at most 15 significant digits, as every amount of money is, the shortest
//!   decimal of that double is the number typed. A number with more
//!   than 15 digits in a text field (a resident ID typed as a number) was already rounded by the
//!   spreadsheet: it is refused rather than read as a different id;
//! - a plain number in a date column is an Excel date serial (44276 → 2021-03-21), a
//!   normalisation (listed with `--normalised`, refused with `--strict`).

use crate::headers::Table;
use crate::input::{InputError, Location, Record, Source};
use crate::normalised::Change;
use calamine::{Data, DataType, Range, Reader};
use skill_subsidy::{normalise::date_from_excel_serial, normalise::ValueKind};
use skill_subsidy::{ClaimErrorKind, Field, FieldError, FieldSource, RawClaim, RawValue};
use std::path::Path;

/// Whether `path` names a workbook.
pub fn is_workbook(path: &str) -> bool {
    Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["xlsx", "xlsm", "xlsb", "xls", "ods"].iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// The sheet asked for (`--sheet`), or the first.
fn sheet(path: &str) -> Result<Range<Data>, InputError> {
    let mut book = calamine::open_workbook_auto(path).map_err(|e| InputError(format!("{path}: {e}")))?;
    let names = book.sheet_names();
    let name = match &crate::reading::get().sheet {
        Some(asked) => names.iter().find(|n| *n == asked).cloned().ok_or_else(|| {
            InputError(format!(
                "{path}: no sheet {asked:?} (sheets: {})",
                names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ")
            ))
        })?,
        None => names.first().cloned().ok_or_else(|| InputError(format!("{path}: the workbook has no sheet")))?,
    };
    book.worksheet_range(&name).map_err(|e| InputError(format!("{path}: sheet {name:?}: {e}")))
}

/// A sheet's header and its data rows with their row numbers.
struct Sheet {
    /// Field names (or the header's own text) by column; `None` for a column without a header.
    names: Vec<Option<String>>,
    range: Range<Data>,
}

impl Sheet {
    fn read(path: &str, required: &str) -> Result<Sheet, InputError> {
        let range = sheet(path)?;
        let header = range.rows().next().ok_or_else(|| InputError(format!("{path}: the sheet is empty; it starts with a header row")))?;
        let texts: Vec<String> = header.iter().map(|c| number_text(c).unwrap_or_else(|| c.to_string())).collect();
        let names = crate::headers::canonical(texts, required);
        if !names.iter().any(|n| n == required) {
            return Err(crate::headers::missing(path, required, &names, crate::reading::get().lang));
        }
        if let Some(twice) = names.iter().enumerate().find_map(|(i, h)| (!h.is_empty() && names[..i].contains(h)).then_some(h)) {
            return Err(InputError(format!("{path}: row 1: the column {twice} appears twice in the header")));
        }
        let names = names.into_iter().map(|n| (!n.is_empty()).then_some(n)).collect();
        Ok(Sheet { names, range })
    }

    /// The data rows that hold anything, with their row numbers in the sheet (1-based).
    fn rows(&self) -> impl Iterator<Item = (Location, &[Data])> {
        let first = self.range.start().map_or(0, |(row, _)| row);
        self.range
            .rows()
            .enumerate()
            .skip(1)
            .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
            .map(move |(i, cells)| (Location::Row(first + i as u32 + 1), cells))
    }

    /// A value in a column without a header, as a row error.
    fn stray(&self, cells: &[Data], location: Location) -> Option<FieldError> {
        let column = cells.iter().enumerate().position(|(i, c)| !c.is_empty() && self.names.get(i).is_none_or(Option::is_none))?;
        Some(FieldError::new(
            ClaimErrorKind::MalformedRow,
            "",
            Some(format!("{location}: a value in column {} without a header", column + 1)),
        ))
    }
}

/// The shortest decimal text of a number cell, if it is one.
fn number_text(cell: &Data) -> Option<String> {
    match cell {
        Data::Int(i) => Some(i.to_string()),
        Data::Float(f) if f.is_finite() => Some(format!("{f}")),
        _ => None,
    }
}

/// A cell as a value of a field of `kind`, and the change made when a number is read as a date
/// serial.
fn value(cell: &Data, kind: Option<ValueKind>, normalise: bool) -> (RawValue, Option<(String, String)>) {
    if let Some(text) = number_text(cell) {
        let serial = match cell {
            Data::Int(i) => Some(*i),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e9 => Some(*f as i64),
            _ => None,
        };
        return match (kind, serial.and_then(date_from_excel_serial)) {
            (Some(ValueKind::Date), Some(date)) if normalise => (RawValue::Text(date.to_string()), Some((text, date.to_string()))),
            (None, _) if matches!(cell, Data::Float(f) if f.abs() >= 1e15) => {
                (RawValue::Other("a number of more than 15 digits, rounded by the spreadsheet (store ids as text)"), None)
            }
            _ => (RawValue::Number(text), None),
        };
    }
    let value = match cell {
        Data::Empty => RawValue::Null,
        Data::String(s) if s.is_empty() => RawValue::Null,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => RawValue::Text(s.clone()),
        Data::Bool(b) => RawValue::Bool(*b),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, h, min, s, ms) = d.to_ymd_hms_milli();
            let date = format!("{y:04}-{m:02}-{day:02}");
            RawValue::Text(if (h, min, s, ms) == (0, 0, 0, 0) { date } else { format!("{date} {h:02}:{min:02}:{s:02}") })
        }
        Data::DateTime(_) => RawValue::Other("a duration"),
        Data::Error(_) => RawValue::Other("a spreadsheet error"),
        Data::Int(_) | Data::Float(_) => RawValue::Other("a number that is not finite"),
    };
    (value, None)
}

/// Reads the claims of a workbook: each row, normalised as the reading options say, through
/// `prepare`, then to `each` in sheet order.
pub fn read_claims_prepared<T>(
    path: &str,
    prepare: impl Fn(&dyn FieldSource) -> T,
    mut each: impl FnMut(&mut T, Location, u64),
) -> Result<Source, InputError> {
    let sheet = Sheet::read(path, "claim_id")?;
    let normalise = crate::reading::get().normalise;
    let fields: Vec<Option<Field>> = sheet.names.iter().map(|n| n.as_deref().and_then(Field::parse)).collect();
    let extra: Vec<String> = sheet.names.iter().zip(&fields).filter_map(|(n, f)| f.is_none().then(|| n.clone()).flatten()).collect();
    for (location, cells) in sheet.rows() {
        let mut raw = RawClaim::default();
        let mut serials = Vec::new();
        for (cell, field) in cells.iter().zip(&fields) {
            let Some(field) = *field else { continue };
            let (value, serial) = value(cell, ValueKind::of_field(field), normalise);
            serials.extend(serial.map(|(original, normalised)| (field, original, normalised)));
            raw.set_field(field, value);
        }
        raw.unknown = extra.clone();
        raw.record_error = sheet.stray(cells, location);
        let (mut prepared, mut changes) = crate::normalised::prepare(&raw, &prepare);
        let id = raw.claim_id_text();
        changes.extend(serials.into_iter().map(|(field, original, normalised)| Change {
            id: id.clone(),
            field: field.name().to_string(),
            original,
            normalised,
        }));
        crate::normalised::log(path, location, &changes)?;
        each(&mut prepared, location, 0);
    }
    // A sheet is a table with a header, read as a CSV file is (lenient about extra columns).
    Ok(Source { format: crate::input::Format::Csv, extra_columns: extra })
}

/// Reads records of any fields (history, applications, outcomes) from a workbook; the header must
/// name the `required` column. A row that cannot be read is an error.
pub fn read_records(path: &str, required: &str) -> Result<Vec<(Location, Record)>, InputError> {
    let sheet = Sheet::read(path, required)?;
    let normalise = crate::reading::get().normalise;
    let table = Table::of_required(required);
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (location, cells) in sheet.rows() {
        if let Some(e) = sheet.stray(cells, location) {
            problems.push(e.value.unwrap_or_default());
            continue;
        }
        let mut record = Record::new();
        let mut changes = Vec::new();
        for (cell, name) in cells.iter().zip(&sheet.names) {
            let Some(name) = name else { continue };
            let kind = table.field(name).and_then(ValueKind::of_name);
            let (value, serial) = value(cell, kind, normalise);
            if let Some((original, normalised)) = serial {
                changes.push(Change { id: String::new(), field: name.clone(), original, normalised });
            }
            record.push((name.clone(), value));
        }
        if let Some((_, RawValue::Text(id) | RawValue::Number(id))) = record.iter().find(|(k, _)| k == "application_id") {
            changes.iter_mut().for_each(|c| c.id.clone_from(id));
        }
        crate::normalised::log(path, location, &changes)?;
        out.push((location, record));
    }
    if !problems.is_empty() {
        return Err(InputError(format!("{path}: {} rows cannot be read:\n  {}", problems.len(), problems.join("\n  "))));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_as_their_shortest_decimal() {
        assert_eq!(value(&Data::Float(1930.1), Some(ValueKind::Money), true).0, RawValue::Number("1930.1".into()));
        assert_eq!(value(&Data::Float(660.0), Some(ValueKind::Money), true).0, RawValue::Number("660".into()));
        assert_eq!(value(&Data::Float(0.1 + 0.2), Some(ValueKind::Money), true).0, RawValue::Number("0.30000000000000004".into()));
        assert!(matches!(value(&Data::Float(320211199001011234.0), None, true).0, RawValue::Other(_)));
        assert_eq!(value(&Data::Float(44276.0), Some(ValueKind::Date), true).0, RawValue::Text("2021-03-21".into()));
        assert_eq!(value(&Data::Float(44276.0), Some(ValueKind::Date), false).0, RawValue::Number("44276".into()));
    }
}
