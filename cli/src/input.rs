//! Reading claims: CSV, a JSON array, or JSON Lines, from a file or stdin.
//!
//! Nothing is dropped: a row that cannot be read (broken quoting, a line longer than
//! [`MAX_LINE_BYTES`], invalid UTF-8, a malformed JSON line) becomes a claim with a record
//! error, which the engine reports as `invalid`. In CSV a claim is one line: claims have no
//! field that may hold a line break, so a quote left open spoils one line, not the rest of
//! the file.

use skill_subsidy::claim::{ClaimErrorKind, Field, FieldError, RawClaim, RawValue};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Longest line read, in bytes; a longer line becomes an invalid row and is skipped without
/// being held in memory.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// Input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// A JSON array of claim objects.
    Json,
    /// One JSON object per line.
    Jsonl,
}

impl Format {
    /// The format a file name implies.
    pub fn from_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            _ => None,
        }
    }
}

/// One claim as read, with where it came from.
pub struct Row {
    pub raw: RawClaim,
    /// `line 12` or `record 3`.
    pub location: String,
}

/// What a file held.
pub struct Input {
    /// The format read.
    pub format: Format,
    pub rows: Vec<Row>,
    /// CSV columns that are not claim fields.
    pub extra_columns: Vec<String>,
}

/// A problem with the input as a whole (it cannot be opened, or is not what its format says).
#[derive(Debug)]
pub struct InputError(pub String);

fn open(path: &str) -> Result<Box<dyn Read>, InputError> {
    if path == "-" {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    std::fs::File::open(path).map(|f| Box::new(f) as Box<dyn Read>).map_err(|e| InputError(format!("{path}: {e}")))
}

/// Reads claims from `path` (`-` for stdin). Without a format, the extension decides; stdin is
/// sniffed (`[` JSON, `{` JSON Lines, otherwise CSV). A `.json` file may hold one claim object.
pub fn read(path: &str, format: Option<Format>) -> Result<Input, InputError> {
    let mut reader = BufReader::with_capacity(1 << 20, open(path)?);
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
    match format {
        Format::Csv => read_csv(reader, path),
        Format::Jsonl => read_jsonl(reader, path),
        Format::Json => read_json(reader, path),
    }
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

fn malformed(location: &str, detail: String) -> RawClaim {
    let mut raw = RawClaim::default();
    raw.record_error = Some(FieldError::new(ClaimErrorKind::MalformedRow, "", Some(format!("{location}: {detail}"))));
    raw
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

fn read_csv(reader: impl BufRead, path: &str) -> Result<Input, InputError> {
    let mut lines = Lines::new(reader);
    let mut splitter = CsvLine::new();
    let io = |e: std::io::Error| InputError(format!("{path}: {e}"));
    // The header: the first line.
    let header: Vec<String> = match lines.next().map_err(io)? {
        None => return Err(InputError(format!("{path}: the file is empty; a CSV of claims starts with a header row"))),
        Some((_, Line::TooLong(n))) => return Err(InputError(format!("{path}: the header line is {n} bytes long"))),
        Some((_, Line::Text(text))) => {
            let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
            let fields = splitter.split(text).ok_or_else(|| InputError(format!("{path}: line 1: the header's quotes do not balance")))?;
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
    if header.iter().any(|h| h.contains('\r')) {
        return Err(InputError(format!(
            "{path}: line 1: a carriage return inside the header: lines must end with LF or CRLF, not CR alone"
        )));
    }
    let fields: Vec<Option<Field>> = header.iter().map(|h| Field::parse(h)).collect();
    let extra_columns: Vec<String> = header.iter().zip(&fields).filter(|(_, f)| f.is_none()).map(|(h, _)| h.clone()).collect();
    if !fields.contains(&Some(Field::ClaimId)) {
        // Only the claim fields found are named: a file without a header would otherwise put
        // its first row, personal ids included, into the message.
        let known: Vec<&str> = fields.iter().flatten().map(|f| f.name()).collect();
        return Err(InputError(format!(
            "{path}: line 1: the header has no claim_id column ({} columns; claim fields among them: {})",
            header.len(),
            if known.is_empty() { "none — is the header row missing?".to_string() } else { known.join(", ") }
        )));
    }
    if let Some(twice) = fields.iter().enumerate().find_map(|(i, f)| f.filter(|f| fields[..i].contains(&Some(*f)))) {
        return Err(InputError(format!("{path}: line 1: the column {} appears twice in the header", twice.name())));
    }

    let mut rows = Vec::new();
    while let Some((number, line)) = lines.next().map_err(io)? {
        let location = format!("line {number}");
        let raw = match line {
            Line::TooLong(n) => malformed(&location, format!("the line is {n} bytes long (at most {MAX_LINE_BYTES})")),
            Line::Text(text) if text.iter().all(u8::is_ascii_whitespace) => continue,
            Line::Text(text) => match splitter.split(text) {
                None => malformed(&location, "its quotes do not balance (a quote left open?)".into()),
                Some(cells) if cells.len() != header.len() => {
                    let mut raw = malformed(&location, format!("{} fields, the header has {}", cells.len(), header.len()));
                    // Keep the claim id when it can be read, so the row can be found.
                    if let Some(i) = fields.iter().position(|f| *f == Some(Field::ClaimId)) {
                        if let Some(Ok(id)) = cells.get(i).map(|c| std::str::from_utf8(c)) {
                            raw.set_field(Field::ClaimId, RawValue::Text(id.to_string()));
                        }
                    }
                    raw
                }
                Some(cells) => {
                    let mut raw = RawClaim::default();
                    for (cell, (name, field)) in cells.iter().zip(header.iter().zip(&fields)) {
                        let value = match std::str::from_utf8(cell) {
                            Ok("") => RawValue::Null,
                            Ok(text) => RawValue::Text(text.to_string()),
                            Err(_) => RawValue::NotUtf8,
                        };
                        match field {
                            Some(f) => raw.set_field(*f, value),
                            None => raw.unknown.push(name.clone()),
                        }
                    }
                    raw
                }
            },
        };
        rows.push(Row { raw, location });
    }
    Ok(Input { format: Format::Csv, rows, extra_columns })
}

fn read_jsonl(reader: impl BufRead, path: &str) -> Result<Input, InputError> {
    let mut lines = Lines::new(reader);
    let mut rows = Vec::new();
    while let Some((number, line)) = lines.next().map_err(|e| InputError(format!("{path}: {e}")))? {
        let location = format!("line {number}");
        let raw = match line {
            Line::TooLong(n) => malformed(&location, format!("the line is {n} bytes long (at most {MAX_LINE_BYTES})")),
            Line::Text(text) if text.iter().all(u8::is_ascii_whitespace) => continue,
            Line::Text(text) => match serde_json::from_slice::<RawClaim>(text) {
                Ok(raw) => raw,
                Err(e) => malformed(&location, format!("not a JSON object: {e}")),
            },
        };
        rows.push(Row { raw, location });
    }
    Ok(Input { format: Format::Jsonl, rows, extra_columns: Vec::new() })
}

fn read_json(mut reader: impl Read, path: &str) -> Result<Input, InputError> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).map_err(|e| InputError(format!("{path}: {e}")))?;
    // Claims are read straight into raw claims, which see every key (a repeated field is an
    // error) and turn an element that is not an object into an invalid claim.
    let items: Vec<RawClaim> = match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => vec![serde_json::from_slice(&bytes).map_err(|e| InputError(format!("{path}: not a JSON claim object: {e}")))?],
        _ => serde_json::from_slice(&bytes).map_err(|e| InputError(format!("{path}: not a JSON array of claims: {e}")))?,
    };
    let rows = items.into_iter().enumerate().map(|(i, raw)| Row { raw, location: format!("record {}", i + 1) }).collect();
    Ok(Input { format: Format::Json, rows, extra_columns: Vec::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv(text: &str) -> Input {
        read_csv(BufReader::new(text.as_bytes()), "test.csv").unwrap_or_else(|e| panic!("{}", e.0))
    }

    #[test]
    fn quoted_fields_with_commas_and_escaped_quotes_are_read() {
        let input = csv("claim_id,program,district\r\n\"C,1\",\"pre\"\"job\",梁溪区\n");
        assert_eq!(input.rows[0].raw.get(Field::ClaimId), Some(&RawValue::Text("C,1".into())));
        assert_eq!(input.rows[0].raw.get(Field::Program), Some(&RawValue::Text("pre\"job".into())));
        assert_eq!(input.rows[0].raw.get(Field::District), Some(&RawValue::Text("梁溪区".into())));
    }

    #[test]
    fn a_quote_left_open_spoils_one_line_not_the_rest() {
        let input = csv("claim_id,program\nC1,\"pre_job\nC2,pre_job\n");
        assert_eq!(input.rows.len(), 2);
        assert!(input.rows[0].raw.record_error.is_some());
        assert_eq!(input.rows[1].raw.get(Field::ClaimId), Some(&RawValue::Text("C2".into())));
    }

    #[test]
    fn an_over_long_line_is_reported_and_skipped() {
        let long = "x".repeat(MAX_LINE_BYTES + 10);
        let input = csv(&format!("claim_id,program\n{long},a\nC2,b\n"));
        assert_eq!(input.rows.len(), 2);
        assert!(input.rows[0].raw.record_error.as_ref().unwrap().value.as_ref().unwrap().contains("bytes long"));
        assert!(input.rows[1].raw.record_error.is_none());
    }

    #[test]
    fn a_bare_carriage_return_never_drops_a_claim() {
        let input = csv("claim_id,program\nC1,pre_job\rC2,pre_job\nC3,x\n");
        assert_eq!(input.rows.len(), 2);
        assert!(input.rows[0].raw.record_error.is_some(), "the line with a stray CR is reported");
        assert_eq!(input.rows[1].raw.claim_id_text(), "C3");
        let cr_only = read_csv(BufReader::new(&b"claim_id,program\rC1,pre_job\rC2,pre_job\r"[..]), "t.csv");
        assert!(cr_only.err().unwrap().0.contains("carriage return"));
    }

    #[test]
    fn a_missing_header_is_reported_without_echoing_the_data() {
        let e = read_csv(BufReader::new(&b"C1,skills_training,320211199001011234\n"[..]), "t.csv").err().unwrap();
        assert!(!e.0.contains("3202111990"), "{}", e.0);
        let twice = read_csv(BufReader::new(&b"claim_id,enterprise_id,enterprise_id\n"[..]), "t.csv").err().unwrap();
        assert!(twice.0.contains("enterprise_id appears twice"), "{}", twice.0);
    }

    #[test]
    fn invalid_utf8_is_marked_on_its_field() {
        let input = read_csv(BufReader::new(&b"claim_id,program\nC1,pre\xff\n"[..]), "t.csv").unwrap_or_else(|e| panic!("{}", e.0));
        assert_eq!(input.rows[0].raw.get(Field::Program), Some(&RawValue::NotUtf8));
    }

    #[test]
    fn a_row_with_the_wrong_number_of_fields_keeps_its_claim_id() {
        let input = csv("claim_id,program\nC1,pre_job,extra\n");
        assert_eq!(input.rows[0].raw.claim_id_text(), "C1");
        assert!(input.rows[0].raw.record_error.is_some());
    }
}
