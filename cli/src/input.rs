//! Reading claims and history: CSV, a JSON array, or JSON Lines, from a file or stdin (and
//! Parquet, through [`crate::parquet`]).
//!
//! Claims stream: CSV and JSON Lines are read a block at a time (CSV: about 4 MiB of input, its
//! records parsed and its claims prepared on every core; see the `skill-subsidy-csv` crate), and
//! each row goes to the caller in file order, so a million-row file is never held in memory as
//! text. (A JSON array is one document and is read whole.) Nothing is dropped: a row that cannot
//! be read (a quote left open, a record over 1 MiB, a JSON Lines line over [`MAX_LINE_BYTES`],
//! a malformed JSON line) becomes a claim with a `malformed_row` error on the line where it
//! starts, which the engine reports as `invalid`. CSV is RFC 4180 as Python's `csv` module reads
//! it: a quoted field may hold line breaks (LF, CRLF or a lone CR, as Excel's Alt+Enter writes
//! them), and a record ends at LF, CRLF or a lone CR outside quotes. A quote left open to the end
//! of the file is not allowed to swallow it: that row is reported with its line, and the lines
//! after it are read again as rows of their own.

use crate::csv_input;
use skill_subsidy::{ClaimErrorKind, FieldError, FieldSource, RawClaim, RawValue};
use skill_subsidy_csv::Cells;
use std::cell::Cell;
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

/// Longest JSON Lines line read, in bytes; a longer line becomes an invalid row and is skipped
/// without being held in memory. (CSV records have their own limit, 1 MiB:
/// [`skill_subsidy_csv::MAX_RECORD_BYTES`].)
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// Input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// A JSON array of objects (or one object).
    Json,
    /// One JSON object per line.
    Jsonl,
    /// A Parquet file, or a folder of them (`.parquet`; read by `crate::parquet`).
    Parquet,
}

impl Format {
    /// The format a file name implies.
    pub fn from_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            "parquet" => Some(Format::Parquet),
            _ => None,
        }
    }
}

/// Where a row came from: a line of a CSV or JSON Lines file, or a record of a JSON array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// 1-based line.
    Line(u32),
    /// 1-based position in the array.
    Record(u32),
    /// 1-based row of a sheet (a workbook, read by `crate::xlsx`).
    Row(u32),
}

impl Location {
    /// Where it was read, in Chinese: 第 N 行 (a line of a file, a row of a sheet), 第 N 条记录.
    pub fn zh(self) -> String {
        match self {
            Location::Line(n) | Location::Row(n) => format!("第 {n} 行"),
            Location::Record(n) => format!("第 {n} 条记录"),
        }
    }

    /// The same kind of location, at number `n`.
    pub fn numbered(self, n: u32) -> Location {
        match self {
            Location::Line(_) => Location::Line(n),
            Location::Record(_) => Location::Record(n),
            Location::Row(_) => Location::Row(n),
        }
    }

    /// The line or record number, from 1.
    pub fn number(self) -> u32 {
        match self {
            Location::Line(n) | Location::Record(n) | Location::Row(n) => n,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(n) => write!(f, "line {n}"),
            Location::Record(n) => write!(f, "record {n}"),
            Location::Row(n) => write!(f, "row {n}"),
        }
    }
}

/// Where each row of a file was read, in input order: a number a row (4 bytes; a file's rows
/// are all lines, all records or all rows, so the kind is kept once a run of rows).
#[derive(Debug, Default)]
pub struct Locations {
    numbers: Vec<u32>,
    /// Where each run of one kind starts, and its kind (a location of that kind, numbered 0).
    kinds: Vec<(usize, Location)>,
}

impl Locations {
    /// Makes room, as far as memory allows.
    pub fn reserve(&mut self, rows: usize) {
        let _ = self.numbers.try_reserve(rows);
    }

    pub fn push(&mut self, location: Location) {
        let kind = location.numbered(0);
        if self.kinds.last().is_none_or(|(_, k)| *k != kind) {
            self.kinds.push((self.numbers.len(), kind));
        }
        self.numbers.push(location.number());
    }

    /// Where row `i` was read.
    pub fn get(&self, i: usize) -> Option<Location> {
        let n = *self.numbers.get(i)?;
        let run = self.kinds.partition_point(|(start, _)| *start <= i).checked_sub(1)?;
        Some(self.kinds[run].1.numbered(n))
    }

    pub fn len(&self) -> usize {
        self.numbers.len()
    }
}

/// What a claims file held, besides its rows.
#[derive(Debug)]
pub struct Source {
    /// The format read.
    pub format: Format,
    /// CSV columns that are not claim fields.
    pub extra_columns: Vec<String>,
}

/// A problem with the input as a whole (it cannot be opened, or is not what its format says).
#[derive(Debug)]
pub struct InputError(pub String);

/// A reader that counts the bytes read, for a progress bar.
struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// Opens `path` (`-` for stdin), decoded to UTF-8 as the reading options say (encoding.rs).
fn open(path: &str) -> Result<Box<dyn Read>, InputError> {
    let reading = crate::reading::get();
    if path == "-" {
        return crate::encoding::decoded(Box::new(std::io::stdin().lock()), path, reading.encoding, reading.lang);
    }
    let file = std::fs::File::open(path).map_err(|e| InputError(format!("{path}: {e}")))?;
    crate::encoding::decoded(Box::new(file), path, reading.encoding, reading.lang)
}

/// Opens `path` (`-` for stdin) and decides its format: the given one, the extension's, or
/// for stdin a look at the first byte (`[` JSON, `{` JSON Lines, otherwise CSV).
/// An opened input that counts what it reads.
type Input = BufReader<Counting<Box<dyn Read>>>;

fn prepare_input(path: &str, format: Option<Format>, count: &Rc<Cell<u64>>) -> Result<(Input, Format), InputError> {
    if format == Some(Format::Parquet) || Format::from_path(Path::new(path)) == Some(Format::Parquet) {
        return Err(InputError(format!("{path}: Parquet is read from a .parquet file or a folder of them, not a stream")));
    }
    let inner = open(path)?;
    let mut reader = BufReader::with_capacity(1 << 20, Counting { inner, count: Rc::clone(count) });
    let format = match format.or_else(|| Format::from_path(Path::new(path))) {
        Some(f) => f,
        None if path == "-" => {
            let head = reader.fill_buf().map_err(|e| InputError(format!("{path}: {e}")))?;
            match head.iter().find(|b| !b.is_ascii_whitespace()) {
                Some(b'[') => Format::Json,
                Some(b'{') => Format::Jsonl,
                _ => Format::Csv,
            }
        }
        None => {
            return Err(InputError(format!("{path}: cannot tell the format from the extension; use .csv, .json or .jsonl, or --format")))
        }
    };
    Ok((reader, format))
}

/// Reads claims from `path`, handing each to `each` with its location and the bytes read so far.
pub fn read_claims(
    path: &str,
    format: Option<Format>,
    mut each: impl FnMut(&dyn FieldSource, Location, u64),
) -> Result<Source, InputError> {
    if crate::parquet::is_parquet(path) {
        let read = |fields: &dyn FieldSource| RawClaim::from_source(fields);
        return crate::parquet::read_claims_prepared(path, read, |raw: &mut RawClaim, location, bytes| each(raw, location, bytes));
    }
    if crate::xlsx::is_workbook(path) {
        return crate::xlsx::read_claims_prepared(
            path,
            |f: &dyn FieldSource| RawClaim::from_source(f),
            |raw: &mut RawClaim, location, bytes| each(raw, location, bytes),
        );
    }
    let count = Rc::new(Cell::new(0));
    let (reader, format) = prepare_input(path, format, &count)?;
    let mut unlisted = None;
    let extra_columns = match format {
        // CSV, as people make it: dates and money normalised (crate::normalised), changes listed.
        Format::Csv => csv_input::read_rows(reader, path, "claim_id", &mut |cells: Cells<'_>, location| {
            let (cells, changes) = crate::normalised::Normalised::new(&cells, crate::reading::get().normalise);
            if let Err(e) = crate::normalised::log(path, location, &changes) {
                unlisted.get_or_insert(e);
            }
            each(&cells, location, count.get());
        })?,
        Format::Jsonl => {
            read_jsonl(reader, path, &mut |raw: RawClaim, location| each(&raw, location, count.get()))?;
            Vec::new()
        }
        Format::Json => {
            read_json(reader, path, &mut |raw: RawClaim, location| each(&raw, location, count.get()))?;
            Vec::new()
        }
        Format::Parquet => Vec::new(), // read above (prepare_input refuses it)
    };
    if let Some(e) = unlisted {
        return Err(e);
    }
    Ok(Source { format, extra_columns })
}

/// Reads claims from `path` like [`read_claims`], but hands each row to `prepare` first — on
/// every core for CSV, a block of records at a time — and its result to `each`, in file order
/// (lent where it was prepared, not moved).
pub fn read_claims_prepared<T: Send>(
    path: &str,
    format: Option<Format>,
    prepare: impl Fn(&dyn FieldSource) -> T + Sync,
    mut each: impl FnMut(&mut T, Location, u64),
) -> Result<Source, InputError> {
    if crate::parquet::is_parquet(path) {
        return crate::parquet::read_claims_prepared(path, prepare, each);
    }
    if crate::xlsx::is_workbook(path) {
        return crate::xlsx::read_claims_prepared(path, prepare, each);
    }
    let count = Rc::new(Cell::new(0));
    let (reader, format) = prepare_input(path, format, &count)?;
    if format != Format::Csv {
        return read_claims_prepared_from(reader, path, format, prepare, |item, location| each(item, location, count.get()));
    }
    // CSV, as people make it: dates and money normalised (crate::normalised), changes listed.
    let mut unlisted = None;
    let prepare = |fields: &dyn FieldSource| crate::normalised::prepare(fields, &prepare);
    let source = read_claims_prepared_from(reader, path, format, prepare, |(item, changes): &mut (T, _), location| {
        if let Err(e) = crate::normalised::log(path, location, changes) {
            unlisted.get_or_insert(e);
        }
        each(item, location, count.get());
    })?;
    if let Some(e) = unlisted {
        return Err(e);
    }
    Ok(source)
}

/// [`read_claims_prepared`] from an opened input (a request body), named `name` in messages.
pub fn read_claims_prepared_from<T: Send>(
    reader: impl BufRead,
    name: &str,
    format: Format,
    prepare: impl Fn(&dyn FieldSource) -> T + Sync,
    mut each: impl FnMut(&mut T, Location),
) -> Result<Source, InputError> {
    let extra_columns = match format {
        Format::Csv => csv_input::read_claims_parallel(reader, name, &prepare, &mut each)?,
        Format::Jsonl => {
            read_jsonl(reader, name, &mut |raw: RawClaim, location| each(&mut prepare(&raw), location))?;
            Vec::new()
        }
        Format::Json => {
            read_json(reader, name, &mut |raw: RawClaim, location| each(&mut prepare(&raw), location))?;
            Vec::new()
        }
        Format::Parquet => Vec::new(), // read above (prepare_input refuses it)
    };
    Ok(Source { format, extra_columns })
}

/// A record of named fields (a history row).
pub type Record = Vec<(String, RawValue)>;

/// A row of a records file: its fields, or what stops it being read. A row that cannot be read
/// keeps its id (the required column) when that was read.
pub struct Row {
    /// Where the row starts.
    pub location: Location,
    /// The fields read.
    pub fields: Record,
    /// Why the row cannot be read, its location first.
    pub problem: Option<String>,
}

/// Reads records of any fields (history, outcomes) from `path`; a CSV header must name the
/// `required` column. A row that cannot be read is an error of the whole file.
pub fn read_records(path: &str, required: &str) -> Result<Vec<(Location, Record)>, InputError> {
    refuse_problems(path, read_rows(path, required)?)
}

/// Reads rows of any fields (applications) from `path`, each with what stops it being read.
pub fn read_rows(path: &str, required: &str) -> Result<Vec<Row>, InputError> {
    if crate::parquet::is_parquet(path) {
        let records = crate::parquet::read_records(path, required)?;
        return Ok(records.into_iter().map(|(location, fields)| Row { location, fields, problem: None }).collect());
    }
    let mut rows = if crate::xlsx::is_workbook(path) {
        let records = crate::xlsx::read_records(path, required)?;
        records.into_iter().map(|(location, fields)| Row { location, fields, problem: None }).collect()
    } else {
        let count = Rc::new(Cell::new(0));
        let (reader, format) = prepare_input(path, None, &count)?;
        if format != Format::Csv {
            return read_rows_from(reader, path, format, required);
        }
        read_rows_from(reader, path, format, required)?
    };
    // Workbooks and CSV, as people make them: dates and money normalised, changes listed.
    for row in &mut rows {
        crate::normalised::record(path, row.location, &mut row.fields)?;
    }
    Ok(rows)
}

/// [`read_records`] from an opened input (a part of a request), named `name` in messages.
pub fn read_records_from(reader: impl BufRead, name: &str, format: Format, required: &str) -> Result<Vec<(Location, Record)>, InputError> {
    refuse_problems(name, read_rows_from(reader, name, format, required)?)
}

/// The rows' records, or every problem as one error of the file `name`.
fn refuse_problems(name: &str, rows: Vec<Row>) -> Result<Vec<(Location, Record)>, InputError> {
    let problems: Vec<&str> = rows.iter().filter_map(|r| r.problem.as_deref()).collect();
    if !problems.is_empty() {
        return Err(InputError(format!("{name}: {} rows cannot be read:\n  {}", problems.len(), problems.join("\n  "))));
    }
    Ok(rows.into_iter().map(|r| (r.location, r.fields)).collect())
}

/// [`read_rows`] from an opened input, named `name` in messages.
pub fn read_rows_from(mut reader: impl BufRead, name: &str, format: Format, required: &str) -> Result<Vec<Row>, InputError> {
    let mut rows = Vec::new();
    match format {
        Format::Csv => {
            csv_input::read_rows(reader, name, required, &mut |cells: Cells<'_>, location| {
                // The record error's value already names the line.
                let problem = cells.record_error().map(|e| e.value.clone().unwrap_or_else(|| format!("{location}: {}", e.message_en)));
                rows.push(Row { location, fields: cells.named(), problem });
            })?;
        }
        Format::Parquet => {} // read by read_rows (prepare_input refuses it)
        Format::Jsonl | Format::Json => {
            let mut text = Vec::new();
            reader.read_to_end(&mut text).map_err(|e| InputError(format!("{name}: {e}")))?;
            let text = without_bom(&text);
            if format == Format::Jsonl {
                for (i, line) in text.split(|&b| b == b'\n').enumerate() {
                    if line.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    let location = Location::Line(i as u32 + 1);
                    rows.push(match serde_json::from_slice::<Fields>(line) {
                        Ok(f) => Row { location, fields: f.0, problem: None },
                        Err(e) => Row {
                            location,
                            fields: Vec::new(),
                            problem: Some(format!("{location}: not a JSON object: {}", json_problem(&e))),
                        },
                    });
                }
            } else {
                let items: Vec<Fields> = match text.iter().find(|b| !b.is_ascii_whitespace()) {
                    Some(b'{') => vec![serde_json::from_slice(text).map_err(|e| InputError(format!("{name}: {}", json_problem(&e))))?],
                    _ => serde_json::from_slice(text)
                        .map_err(|e| InputError(format!("{name}: not a JSON array of records: {}", json_problem(&e))))?,
                };
                rows.extend(items.into_iter().enumerate().map(|(i, f)| Row {
                    location: Location::Record(i as u32 + 1),
                    fields: f.0,
                    problem: None,
                }));
            }
        }
    }
    Ok(rows)
}

/// `bytes` without a leading UTF-8 byte order mark (Windows tools write one; JSON forbids it,
/// but CSV and JSON Lines accept it, so a JSON document does too).
fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// What is wrong with JSON input, said without quoting it: serde's own messages can repeat a
/// value (`invalid type: string "3202…"`), and a value may be a person id.
pub fn json_problem(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax => format!("JSON syntax error at line {}, column {}", e.line(), e.column()),
        Category::Eof => format!("the JSON ends early, at line {}, column {}", e.line(), e.column()),
        Category::Data => format!("a value of the wrong kind at line {}, column {}", e.line(), e.column()),
        Category::Io => e.to_string(),
    }
}

/// A JSON object's fields in order, repeated keys kept (so they can be reported).
pub struct Fields(pub Record);

impl<'de> serde::Deserialize<'de> for Fields {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Fields, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Fields;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of fields")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
                let mut out = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value: serde_json::Value = map.next_value()?;
                    out.push((key, RawValue::from_json(&value)));
                }
                Ok(Fields(out))
            }
        }
        d.deserialize_map(Visitor)
    }
}

fn malformed_claim(error: FieldError) -> RawClaim {
    let mut raw = RawClaim::default();
    raw.record_error = Some(error);
    raw
}

/// A line of input, or how long an over-long line was.
enum Line<'a> {
    Text(&'a [u8]),
    TooLong(usize),
}

/// Lines of at most [`MAX_LINE_BYTES`]; a longer one is skipped without buffering it.
struct Lines<R> {
    inner: R,
    buf: Vec<u8>,
    number: usize,
}

impl<R: BufRead> Lines<R> {
    fn new(inner: R) -> Self {
        Lines { inner, buf: Vec::with_capacity(1024), number: 0 }
    }

    fn next(&mut self) -> std::io::Result<Option<(usize, Line<'_>)>> {
        self.buf.clear();
        let (mut length, mut seen) = (0usize, false);
        loop {
            let available = self.inner.fill_buf()?;
            if available.is_empty() {
                break;
            }
            seen = true;
            let (chunk, done) = match memchr::memchr(b'\n', available) {
                Some(i) => (i, true),
                None => (available.len(), false),
            };
            if length + chunk <= MAX_LINE_BYTES {
                self.buf.extend_from_slice(&available[..chunk]);
            }
            length += chunk;
            self.inner.consume(chunk + usize::from(done));
            if done {
                break;
            }
        }
        if !seen {
            return Ok(None);
        }
        self.number += 1;
        if length > MAX_LINE_BYTES {
            return Ok(Some((self.number, Line::TooLong(length))));
        }
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        Ok(Some((self.number, Line::Text(&self.buf))))
    }
}

fn row_error(location: Location, detail: String) -> FieldError {
    FieldError::new(ClaimErrorKind::MalformedRow, "", Some(format!("{location}: {detail}")))
}

fn read_jsonl(reader: impl BufRead, path: &str, each: &mut dyn FnMut(RawClaim, Location)) -> Result<(), InputError> {
    let mut lines = Lines::new(reader);
    while let Some((number, line)) = lines.next().map_err(|e| InputError(format!("{path}: {e}")))? {
        let location = Location::Line(number as u32);
        let raw = match line {
            Line::TooLong(n) => malformed_claim(row_error(location, format!("the line is {n} bytes long (at most {MAX_LINE_BYTES})"))),
            Line::Text(text) if text.iter().all(u8::is_ascii_whitespace) => continue,
            Line::Text(text) => match serde_json::from_slice::<RawClaim>(text) {
                Ok(raw) => raw,
                Err(e) => malformed_claim(row_error(location, format!("not a JSON object: {}", json_problem(&e)))),
            },
        };
        each(raw, location);
    }
    Ok(())
}

fn read_json(mut reader: impl Read, path: &str, each: &mut dyn FnMut(RawClaim, Location)) -> Result<(), InputError> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).map_err(|e| InputError(format!("{path}: {e}")))?;
    let bytes = without_bom(&bytes);
    // Claims are read straight into raw claims, which see every key (a repeated field is an
    // error) and turn an element that is not an object into an invalid claim.
    let items: Vec<RawClaim> = match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => {
            vec![serde_json::from_slice(bytes).map_err(|e| InputError(format!("{path}: not a JSON claim object: {}", json_problem(&e))))?]
        }
        _ => serde_json::from_slice(bytes).map_err(|e| InputError(format!("{path}: not a JSON array of claims: {}", json_problem(&e))))?,
    };
    for (i, raw) in items.into_iter().enumerate() {
        each(raw, Location::Record(i as u32 + 1));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_give_back_what_was_pushed_in_four_bytes_a_row() {
        let mut at = Locations::default();
        let pushed = [Location::Line(2), Location::Line(4), Location::Record(1), Location::Record(2), Location::Row(9), Location::Line(7)];
        for l in pushed {
            at.push(l);
        }
        assert_eq!(at.len(), pushed.len());
        for (i, l) in pushed.iter().enumerate() {
            assert_eq!(at.get(i), Some(*l));
        }
        assert_eq!(at.get(pushed.len()), None);
    }

    #[test]
    fn json_errors_never_quote_the_input() {
        let id = "320211199001011234";
        let records = read_records_from(BufReader::new(format!("\"{id}\"").as_bytes()), "h.json", Format::Json, "person_id");
        let e = records.err().unwrap();
        assert!(!e.0.contains(id) && e.0.contains("wrong kind at line 1"), "{}", e.0);
        let lines = read_records_from(BufReader::new(format!("[\"{id}\"]\n").as_bytes()), "h.jsonl", Format::Jsonl, "person_id");
        assert!(!lines.err().unwrap().0.contains(id));
        let mut claims = Vec::new();
        let e = read_json(BufReader::new(format!("\"{id}\"").as_bytes()), "c.json", &mut |raw, _| claims.push(raw)).err().unwrap();
        assert!(!e.0.contains(id), "{}", e.0);
    }

    #[test]
    fn a_history_row_that_cannot_be_read_names_its_line_once() {
        let text = "person_id,program,paid_on,amount\nP1,\"skills_training,2021-01-05,1000\n";
        let e = read_records_from(text.as_bytes(), "h.csv", Format::Csv, "person_id").err().unwrap();
        assert!(e.0.contains("line 2: a quote opened"), "{}", e.0);
        assert_eq!(e.0.matches("line 2").count(), 1, "{}", e.0);
        let jsonl = read_records_from("{\"person_id\":1}\n{x\n".as_bytes(), "h.jsonl", Format::Jsonl, "person_id").err().unwrap();
        assert_eq!(jsonl.0.matches("line 2").count(), 1, "{}", jsonl.0);
    }

    #[test]
    fn a_json_array_with_a_byte_order_mark_is_read() {
        let mut claims = Vec::new();
        read_json("\u{feff}[{\"claim_id\":\"C1\"}]".as_bytes(), "c.json", &mut |raw, _| claims.push(raw)).unwrap();
        assert_eq!(claims[0].claim_id_text(), "C1");
        let records = read_records_from("\u{feff}[{\"person_id\":\"P1\"}]".as_bytes(), "h.json", Format::Json, "person_id").unwrap();
        assert_eq!(records.len(), 1);
    }

    #[test]
    fn an_application_row_that_cannot_be_read_is_a_row_with_its_id() {
        let text = "application_id,enterprise_id\nA1,\"E1\nA2,E2\n";
        let rows = read_rows_from(text.as_bytes(), "a.csv", Format::Csv, "application_id").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].fields, vec![("application_id".to_string(), RawValue::Text("A1".into()))]);
        assert!(rows[0].problem.as_deref().unwrap().starts_with("line 2: "));
        assert!(rows[1].problem.is_none());
    }
}
