//! Reading claims and history: CSV, a JSON array, or JSON Lines, from a file or stdin (and
//! Parquet, through [`crate::parquet`]).
//!
//! Claims stream: each row goes to the caller as soon as it is read, so a million-row file is
//! never held in memory. Nothing is dropped: a row that cannot be read (broken quoting, a line
//! longer than [`MAX_LINE_BYTES`], invalid UTF-8, a malformed JSON line) becomes a claim with a
//! record error, which the engine reports as `invalid`. In CSV a claim is one line: claims have
//! no field that may hold a line break, so a quote left open spoils one line, not the rest of
//! the file.

use skill_subsidy::claim::{ClaimErrorKind, Field, FieldError, FieldSource, RawClaim, RawRef, RawValue};
use std::cell::Cell;
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

/// Longest line read, in bytes; a longer line becomes an invalid row and is skipped without
/// being held in memory.
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
        return crate::parquet::read_claims_prepared(path, read, |raw, location, bytes| each(&raw, location, bytes));
    }
    if crate::xlsx::is_workbook(path) {
        return crate::xlsx::read_claims_prepared(
            path,
            |f: &dyn FieldSource| RawClaim::from_source(f),
            |raw, location, bytes| each(&raw, location, bytes),
        );
    }
    let count = Rc::new(Cell::new(0));
    let (reader, format) = prepare_input(path, format, &count)?;
    let mut unlisted = None;
    let extra_columns = match format {
        Format::Csv => read_csv(reader, path, "claim_id", &mut |cells: Cells<'_>, location| {
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
/// every core for CSV, a block of lines at a time — and its result to `each`, in file order.
pub fn read_claims_prepared<T: Send>(
    path: &str,
    format: Option<Format>,
    prepare: impl Fn(&dyn FieldSource) -> T + Sync,
    mut each: impl FnMut(T, Location, u64),
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
    let source = read_claims_prepared_from(reader, path, format, prepare, |(item, changes), location| {
        if let Err(e) = crate::normalised::log(path, location, &changes) {
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
    mut each: impl FnMut(T, Location),
) -> Result<Source, InputError> {
    let extra_columns = match format {
        Format::Csv => read_csv_parallel(reader, name, &prepare, &mut each)?,
        Format::Jsonl => {
            read_jsonl(reader, name, &mut |raw: RawClaim, location| each(prepare(&raw), location))?;
            Vec::new()
        }
        Format::Json => {
            read_json(reader, name, &mut |raw: RawClaim, location| each(prepare(&raw), location))?;
            Vec::new()
        }
        Format::Parquet => Vec::new(), // read above (prepare_input refuses it)
    };
    Ok(Source { format, extra_columns })
}

/// A record of named fields (a history row).
pub type Record = Vec<(String, RawValue)>;

/// Reads records of any fields (history, applications, outcomes) from `path`; a CSV header must
/// name the `required` column. A row that cannot be read is an error.
pub fn read_records(path: &str, required: &str) -> Result<Vec<(Location, Record)>, InputError> {
    if crate::parquet::is_parquet(path) {
        return crate::parquet::read_records(path, required);
    }
    let mut records = match crate::xlsx::is_workbook(path) {
        true => crate::xlsx::read_records(path, required)?,
        false => {
            let count = Rc::new(Cell::new(0));
            let (reader, format) = prepare_input(path, None, &count)?;
            if format != Format::Csv {
                return read_records_from(reader, path, format, required);
            }
            read_records_from(reader, path, format, required)?
        }
    };
    crate::normalised::records(path, &mut records)?;
    Ok(records)
}

/// [`read_records`] from an opened input (a part of a request), named `name` in messages.
pub fn read_records_from(
    mut reader: impl BufRead,
    name: &str,
    format: Format,
    required: &str,
) -> Result<Vec<(Location, Record)>, InputError> {
    let mut records: Vec<(Location, Result<Record, String>)> = Vec::new();
    match format {
        Format::Csv => {
            read_csv(reader, name, required, &mut |cells: Cells<'_>, location| {
                let record = match &cells.record_error {
                    Some(e) => Err(e.value.clone().unwrap_or_else(|| e.message_en.clone())),
                    None => Ok(cells.record()),
                };
                records.push((location, record));
            })?;
        }
        Format::Parquet => {} // read above (prepare_input refuses it)
        Format::Jsonl | Format::Json => {
            let mut text = Vec::new();
            reader.read_to_end(&mut text).map_err(|e| InputError(format!("{name}: {e}")))?;
            let parse = |bytes: &[u8]| {
                serde_json::from_slice::<Fields>(bytes).map(|f| f.0).map_err(|e| format!("not a JSON object: {}", json_problem(&e)))
            };
            if format == Format::Jsonl {
                for (i, line) in text.split(|&b| b == b'\n').enumerate() {
                    if !line.iter().all(u8::is_ascii_whitespace) {
                        records.push((Location::Line(i as u32 + 1), parse(line)));
                    }
                }
            } else {
                let items: Vec<Fields> = match text.iter().find(|b| !b.is_ascii_whitespace()) {
                    Some(b'{') => vec![serde_json::from_slice(&text).map_err(|e| InputError(format!("{name}: {}", json_problem(&e))))?],
                    _ => serde_json::from_slice(&text)
                        .map_err(|e| InputError(format!("{name}: not a JSON array of records: {}", json_problem(&e))))?,
                };
                records.extend(items.into_iter().enumerate().map(|(i, f)| (Location::Record(i as u32 + 1), Ok(f.0))));
            }
        }
    }
    let problems: Vec<String> = records.iter().filter_map(|(l, r)| r.as_ref().err().map(|e| format!("{l}: {e}"))).collect();
    if !problems.is_empty() {
        return Err(InputError(format!("{name}: {} rows cannot be read:\n  {}", problems.len(), problems.join("\n  "))));
    }
    Ok(records.into_iter().filter_map(|(l, r)| r.ok().map(|r| (l, r))).collect())
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

/// Splits one CSV line into fields (RFC 4180 quoting, `""` inside quotes).
struct CsvLine {
    reader: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
}

impl CsvLine {
    fn new() -> CsvLine {
        // Lines are already split on '\n' (a trailing '\r' removed): a record never ends inside
        // a line, so a stray '\r' stays in its field (and makes it invalid) instead of ending
        // the record and dropping the rest of the line.
        let reader = csv_core::ReaderBuilder::new().terminator(csv_core::Terminator::Any(b'\n')).build();
        CsvLine { reader, out: vec![0; 4096], ends: vec![0; 64] }
    }

    /// The fields, or `None` when the line's quotes do not balance.
    fn split<'a>(&'a mut self, line: &[u8]) -> Option<Vec<&'a [u8]>> {
        if line.iter().filter(|&&b| b == b'"').count() % 2 == 1 {
            return None;
        }
        self.reader.reset();
        let (mut input, mut nout, mut nend) = (line, 0, 0);
        loop {
            // Once the line is consumed, an empty input tells csv-core the record has ended.
            let (result, nin, o, e) = self.reader.read_record(input, &mut self.out[nout..], &mut self.ends[nend..]);
            input = &input[nin..];
            nout += o;
            nend += e;
            match result {
                csv_core::ReadRecordResult::OutputFull => self.out.resize(self.out.len() * 2, 0),
                csv_core::ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                csv_core::ReadRecordResult::InputEmpty => {}
                csv_core::ReadRecordResult::Record | csv_core::ReadRecordResult::End => break,
            }
        }
        let mut start = 0;
        Some(
            self.ends[..nend]
                .iter()
                .map(|&end| {
                    let field = &self.out[start..end];
                    start = end;
                    field
                })
                .collect(),
        )
    }
}

/// One CSV row, borrowed from the line it was read from: its cells by header, or what was wrong
/// with it. Reading a claim from it allocates nothing but the claim's own small strings.
pub struct Cells<'a> {
    header: &'a [String],
    /// For each claim field, its column.
    columns: &'a [Option<usize>; Field::COUNT],
    /// Header names that are not claim fields.
    extra: &'a [String],
    cells: &'a [&'a [u8]],
    record_error: Option<FieldError>,
}

impl FieldSource for Cells<'_> {
    fn value(&self, field: Field) -> Option<RawRef<'_>> {
        // With a record error the cells are not read (only the claim id, to find the row).
        let cell = self.cells.get(self.columns[field as usize]?)?;
        Some(match std::str::from_utf8(cell) {
            Ok("") => RawRef::Null,
            Ok(text) => RawRef::Text(text),
            Err(_) => RawRef::NotUtf8,
        })
    }

    fn unknown_fields(&self) -> &[String] {
        self.extra
    }

    fn record_error(&self) -> Option<&FieldError> {
        self.record_error.as_ref()
    }
}

impl Cells<'_> {
    /// The cells as named values (for history rows, which are not claims).
    fn record(&self) -> Record {
        self.header
            .iter()
            .zip(self.cells)
            .map(|(h, c)| {
                let value = match std::str::from_utf8(c) {
                    Ok("") => RawValue::Null,
                    Ok(t) => RawValue::Text(t.to_string()),
                    Err(_) => RawValue::NotUtf8,
                };
                (h.clone(), value)
            })
            .collect()
    }
}

fn row_error(location: Location, detail: String) -> FieldError {
    FieldError::new(ClaimErrorKind::MalformedRow, "", Some(format!("{location}: {detail}")))
}

/// A CSV file's header, read: its names, where each claim field is, and the other columns.
struct Header {
    names: Vec<String>,
    columns: [Option<usize>; Field::COUNT],
    /// Only the claim id's column: what a row with a record error shows.
    claim_id_only: [Option<usize>; Field::COUNT],
    extra: Vec<String>,
}

impl Header {
    /// Reads the header line; it must name the `required` column.
    fn read<R: BufRead>(lines: &mut Lines<R>, splitter: &mut CsvLine, path: &str, required: &str) -> Result<Header, InputError> {
        let io = |e: std::io::Error| InputError(format!("{path}: {e}"));
        let names: Vec<String> = match lines.next().map_err(io)? {
            None => return Err(InputError(format!("{path}: the file is empty; a CSV starts with a header row"))),
            Some((_, Line::TooLong(n))) => return Err(InputError(format!("{path}: the header line is {n} bytes long"))),
            Some((_, Line::Text(text))) => {
                let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
                let fields =
                    splitter.split(text).ok_or_else(|| InputError(format!("{path}: line 1: the header's quotes do not balance")))?;
                fields
                    .iter()
                    .map(|f| {
                        std::str::from_utf8(f)
                            .map(|s| s.trim().to_string())
                            .map_err(|_| InputError(format!("{path}: line 1: the header is not UTF-8")))
                    })
                    .collect::<Result<_, _>>()?
            }
        };
        let names = crate::headers::canonical(names, required);
        if names.iter().any(|h| h.contains('\r')) {
            return Err(InputError(format!(
                "{path}: line 1: a carriage return inside the header: lines must end with LF or CRLF, not CR alone"
            )));
        }
        let fields: Vec<Option<Field>> = names.iter().map(|h| Field::parse(h)).collect();
        let extra: Vec<String> = names.iter().zip(&fields).filter(|(_, f)| f.is_none()).map(|(h, _)| h.clone()).collect();
        let mut columns = [None; Field::COUNT];
        for (i, f) in fields.iter().enumerate() {
            if let Some(f) = f {
                columns[*f as usize] = Some(i);
            }
        }
        if !names.iter().any(|h| h == required) {
            return Err(crate::headers::missing(path, required, &names, crate::reading::get().lang));
        }
        if let Some(twice) = names.iter().enumerate().find_map(|(i, h)| names[..i].contains(h).then_some(h)) {
            return Err(InputError(format!("{path}: line 1: the column {twice} appears twice in the header")));
        }
        let mut claim_id_only = [None; Field::COUNT];
        claim_id_only[Field::ClaimId as usize] = columns[Field::ClaimId as usize];
        Ok(Header { names, columns, claim_id_only, extra })
    }

    /// Hands the row of `line` to `f` as cells (with a record error when it cannot be split into
    /// the header's fields); `None` for a blank line.
    fn row<T>(&self, splitter: &mut CsvLine, line: Line<'_>, location: Location, f: impl FnOnce(Cells<'_>) -> T) -> Option<T> {
        let (error, row) = match line {
            Line::TooLong(n) => (Some(row_error(location, format!("the line is {n} bytes long (at most {MAX_LINE_BYTES})"))), Vec::new()),
            Line::Text(text) if text.iter().all(u8::is_ascii_whitespace) => return None,
            Line::Text(text) => match splitter.split(text) {
                None => (Some(row_error(location, "its quotes do not balance (a quote left open?)".into())), Vec::new()),
                Some(row) if row.len() != self.names.len() => {
                    (Some(row_error(location, format!("{} fields, the header has {}", row.len(), self.names.len()))), row)
                }
                Some(row) => (None, row),
            },
        };
        // A row with a record error shows only its claim id (to find the row).
        let columns = if error.is_some() { &self.claim_id_only } else { &self.columns };
        Some(f(Cells { header: &self.names, columns, extra: &self.extra, cells: &row, record_error: error }))
    }
}

/// Reads a CSV file row by row; returns the columns that are not claim fields.
fn read_csv(
    reader: impl BufRead,
    path: &str,
    required: &str,
    each: &mut dyn FnMut(Cells<'_>, Location),
) -> Result<Vec<String>, InputError> {
    let mut lines = Lines::new(reader);
    let mut splitter = CsvLine::new();
    let header = Header::read(&mut lines, &mut splitter, path, required)?;
    while let Some((number, line)) = lines.next().map_err(|e| InputError(format!("{path}: {e}")))? {
        let location = Location::Line(number as u32);
        header.row(&mut splitter, line, location, |cells| each(cells, location));
    }
    Ok(header.extra)
}

/// Lines read at a time by [`read_csv_parallel`].
const BLOCK_LINES: usize = 16 * 1024;

/// Lines of a file held together: their bytes, and each line's number and span (or length, when
/// too long to keep).
#[derive(Default)]
struct Block {
    bytes: Vec<u8>,
    lines: Vec<(u32, usize, usize, Option<usize>)>,
}

impl Block {
    fn line(&self, k: usize) -> (Location, Line<'_>) {
        let (number, start, end, too_long) = self.lines[k];
        let line = match too_long {
            Some(n) => Line::TooLong(n),
            None => Line::Text(&self.bytes[start..end]),
        };
        (Location::Line(number), line)
    }
}

/// Reads a CSV file a block of lines at a time; each block's rows go through `prepare` on every
/// core, and the results to `each` in file order. Returns the columns that are not claim fields.
fn read_csv_parallel<T: Send>(
    reader: impl BufRead,
    path: &str,
    prepare: &(dyn Fn(&dyn FieldSource) -> T + Sync),
    each: &mut dyn FnMut(T, Location),
) -> Result<Vec<String>, InputError> {
    let mut lines = Lines::new(reader);
    let mut splitter = CsvLine::new();
    let header = Header::read(&mut lines, &mut splitter, path, "claim_id")?;
    let mut block = Block::default();
    loop {
        block.bytes.clear();
        block.lines.clear();
        while block.lines.len() < BLOCK_LINES {
            let Some((number, line)) = lines.next().map_err(|e| InputError(format!("{path}: {e}")))? else { break };
            let start = block.bytes.len();
            let too_long = match line {
                Line::Text(text) => {
                    block.bytes.extend_from_slice(text);
                    None
                }
                Line::TooLong(n) => Some(n),
            };
            block.lines.push((number as u32, start, block.bytes.len(), too_long));
        }
        if block.lines.is_empty() {
            break;
        }
        let parts = skill_subsidy::parallel::chunks(block.lines.len(), |range| {
            let mut splitter = CsvLine::new();
            range
                .filter_map(|k| {
                    let (location, line) = block.line(k);
                    header.row(&mut splitter, line, location, |cells| (prepare(&cells), location))
                })
                .collect::<Vec<(T, Location)>>()
        });
        for (item, location) in parts.into_iter().flatten() {
            each(item, location);
        }
    }
    Ok(header.extra)
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
    // Claims are read straight into raw claims, which see every key (a repeated field is an
    // error) and turn an element that is not an object into an invalid claim.
    let items: Vec<RawClaim> = match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => {
            vec![serde_json::from_slice(&bytes).map_err(|e| InputError(format!("{path}: not a JSON claim object: {}", json_problem(&e))))?]
        }
        _ => serde_json::from_slice(&bytes).map_err(|e| InputError(format!("{path}: not a JSON array of claims: {}", json_problem(&e))))?,
    };
    for (i, raw) in items.into_iter().enumerate() {
        each(raw, Location::Record(i as u32 + 1));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_bytes(bytes: &[u8]) -> Result<Vec<RawClaim>, InputError> {
        let mut rows = Vec::new();
        read_csv(BufReader::new(bytes), "t.csv", "claim_id", &mut |cells: Cells<'_>, _| rows.push(RawClaim::from_source(&cells)))?;
        Ok(rows)
    }

    fn csv(text: &str) -> Vec<RawClaim> {
        csv_bytes(text.as_bytes()).unwrap_or_else(|e| panic!("{}", e.0))
    }

    #[test]
    fn quoted_fields_with_commas_and_escaped_quotes_are_read() {
        let rows = csv("claim_id,program,district\r\n\"C,1\",\"pre\"\"job\",梁溪区\n");
        assert_eq!(rows[0].get(Field::ClaimId), Some(&RawValue::Text("C,1".into())));
        assert_eq!(rows[0].get(Field::Program), Some(&RawValue::Text("pre\"job".into())));
        assert_eq!(rows[0].get(Field::District), Some(&RawValue::Text("梁溪区".into())));
    }

    #[test]
    fn a_quote_left_open_spoils_one_line_not_the_rest() {
        let rows = csv("claim_id,program\nC1,\"pre_job\nC2,pre_job\n");
        assert_eq!(rows.len(), 2);
        assert!(rows[0].record_error.is_some());
        assert_eq!(rows[1].get(Field::ClaimId), Some(&RawValue::Text("C2".into())));
    }

    #[test]
    fn an_over_long_line_is_reported_and_skipped() {
        let long = "x".repeat(MAX_LINE_BYTES + 10);
        let rows = csv(&format!("claim_id,program\n{long},a\nC2,b\n"));
        assert_eq!(rows.len(), 2);
        assert!(rows[0].record_error.as_ref().unwrap().value.as_ref().unwrap().contains("bytes long"));
        assert!(rows[1].record_error.is_none());
    }

    #[test]
    fn a_bare_carriage_return_never_drops_a_claim() {
        let rows = csv("claim_id,program\nC1,pre_job\rC2,pre_job\nC3,x\n");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].claim_id_text(), "C3");
        let cr_only = csv_bytes(b"claim_id,program\rC1,pre_job\rC2,pre_job\r");
        assert!(cr_only.err().unwrap().0.contains("carriage return"));
    }

    #[test]
    fn a_missing_header_is_reported_without_echoing_the_data() {
        let e = csv_bytes(b"C1,skills_training,320211199001011234\n").err().unwrap();
        assert!(!e.0.contains("3202111990"), "{}", e.0);
        let twice = csv_bytes(b"claim_id,enterprise_id,enterprise_id\n").err().unwrap();
        assert!(twice.0.contains("enterprise_id appears twice"), "{}", twice.0);
    }

    #[test]
    fn invalid_utf8_is_marked_on_its_field() {
        let rows = csv_bytes(b"claim_id,program\nC1,pre\xff\n").unwrap();
        assert_eq!(rows[0].get(Field::Program), Some(&RawValue::NotUtf8));
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
    fn a_row_with_the_wrong_number_of_fields_keeps_its_claim_id() {
        let rows = csv("claim_id,program\nC1,pre_job,extra\n");
        assert_eq!(rows[0].claim_id_text(), "C1");
        assert!(rows[0].record_error.is_some());
    }
}
