//! Rows of a CSV file with a header: claims (SPEC §7.1) and records of other fields (history,
//! applications, outcomes), each row with the line it starts on, read from [`Records`].
//!
//! A row that cannot be read as it stands — a quote left open, too long, a number of fields
//! other than the header's — is still a row: it carries a `malformed_row` error saying where and
//! what, and shows only its first column's worth of identity (the claim id), so nothing is
//! dropped and no other value of it (a person id) is shown.

use crate::records::{Block, Record, Records};
use skill_subsidy::{ClaimErrorKind, Field, FieldError, FieldSource, RawRef, RawValue};
use std::fmt;
use std::io::{self, Read};

/// A problem with the file as a whole: it cannot be read, or its header is not usable.
#[derive(Debug)]
pub enum HeaderError {
    /// Reading failed.
    Io(io::Error),
    /// The header row is missing or wrong; the message names no value of the data.
    Header(String),
    /// The header lacks the required column: its line and its names (as mapped), for the caller
    /// to say which names it may have. Shown, it names only the claim fields found: a file
    /// without a header would otherwise put its first row, personal ids included, into a message.
    Missing { line: u32, required: String, names: Vec<String> },
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderError::Io(e) => e.fmt(f),
            HeaderError::Header(message) => f.write_str(message),
            HeaderError::Missing { line, required, names } => {
                let known: Vec<&str> = names.iter().filter_map(|h| Field::parse(h)).map(|f| f.name()).collect();
                write!(
                    f,
                    "line {line}: the header has no {required} column ({} columns; claim fields among them: {})",
                    names.len(),
                    if known.is_empty() { "none — is the header row missing?".to_string() } else { known.join(", ") }
                )
            }
        }
    }
}

impl std::error::Error for HeaderError {}

impl From<io::Error> for HeaderError {
    fn from(e: io::Error) -> Self {
        HeaderError::Io(e)
    }
}

/// A CSV file's header, read: its names, where each claim field is, and the other columns.
#[derive(Debug, Clone)]
pub struct Header {
    names: Vec<String>,
    columns: [Option<usize>; Field::COUNT],
    /// Only the claim id's column: what a row with a record error shows.
    claim_id_only: [Option<usize>; Field::COUNT],
    /// The required column, shown by a record row with an error (its id).
    required: usize,
    extra: Vec<String>,
}

impl Header {
    /// Reads a header from its record; it must name the `required` column.
    ///
    /// # Errors
    ///
    /// The header's quotes do not balance, it is not UTF-8, it lacks `required`, or it names a
    /// column twice.
    pub fn from_record(record: &Record<'_>, required: &str) -> Result<Header, HeaderError> {
        Header::from_record_mapped(record, required, &|names| names)
    }

    /// As [`Header::from_record`], the names read through `map` first (the names people write
    /// for a field — 申请编号, `Claim_ID` — made its name).
    ///
    /// # Errors
    ///
    /// As [`Header::from_record`].
    pub fn from_record_mapped(
        record: &Record<'_>,
        required: &str,
        map: &dyn Fn(Vec<String>) -> Vec<String>,
    ) -> Result<Header, HeaderError> {
        let line = record.line;
        if record.problem.is_some() {
            return Err(HeaderError::Header(format!("line {line}: the header's quotes do not balance, or it is too long")));
        }
        let names: Vec<String> = record
            .fields()
            .map(|f| {
                std::str::from_utf8(f)
                    .map(|s| s.trim().to_string())
                    .map_err(|_| HeaderError::Header(format!("line {line}: the header is not UTF-8")))
            })
            .collect::<Result<_, _>>()?;
        let names = map(names);
        let fields: Vec<Option<Field>> = names.iter().map(|h| Field::parse(h)).collect();
        let extra: Vec<String> = names.iter().zip(&fields).filter(|(_, f)| f.is_none()).map(|(h, _)| h.clone()).collect();
        let mut columns = [None; Field::COUNT];
        for (i, f) in fields.iter().enumerate() {
            if let Some(f) = f {
                columns[*f as usize] = Some(i);
            }
        }
        let Some(required_at) = names.iter().position(|h| h == required) else {
            return Err(HeaderError::Missing { line, required: required.to_string(), names });
        };
        if let Some(twice) = names.iter().enumerate().find_map(|(i, h)| names[..i].contains(h).then_some(h)) {
            return Err(HeaderError::Header(format!("line {line}: the column {twice} appears twice in the header")));
        }
        let mut claim_id_only = [None; Field::COUNT];
        claim_id_only[Field::ClaimId as usize] = columns[Field::ClaimId as usize];
        Ok(Header { names, columns, claim_id_only, required: required_at, extra })
    }

    /// The column names, trimmed.
    #[must_use]
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The columns that are not claim fields.
    #[must_use]
    pub fn extra_columns(&self) -> &[String] {
        &self.extra
    }

    /// The row of `record` as cells, with a record error when it cannot be read as the header's
    /// fields; `None` for a blank line.
    #[must_use]
    pub fn row<'a>(&'a self, record: Record<'a>) -> Option<Cells<'a>> {
        if record.is_blank() {
            return None;
        }
        let line = record.line;
        let error = match record.problem {
            Some(problem) => Some(row_error(line, &problem.to_string())),
            None if record.len() != self.names.len() => {
                Some(row_error(line, &format!("{} fields, the header has {}", record.len(), self.names.len())))
            }
            None => None,
        };
        // A row with a record error shows only its claim id (to find the row).
        let columns = if error.is_some() { &self.claim_id_only } else { &self.columns };
        Some(Cells { header: self, columns, text: record.text(), record, record_error: error })
    }
}

/// The `malformed_row` error of a row: where it starts and what is wrong, no value of it.
fn row_error(line: u32, detail: &str) -> FieldError {
    FieldError::new(ClaimErrorKind::MalformedRow, "", Some(format!("line {line}: {detail}")))
}

/// A record of named fields (a history row, an application).
pub type NamedRecord = Vec<(String, RawValue)>;

/// One CSV row, borrowed from its block: its cells by header, or what was wrong with it. Reading
/// a claim from it allocates nothing but the claim's own small strings.
#[derive(Debug)]
pub struct Cells<'a> {
    header: &'a Header,
    /// For each claim field, its column.
    columns: &'a [Option<usize>; Field::COUNT],
    record: Record<'a>,
    /// The record's bytes as text, when they are all UTF-8 (nearly always): its cells are then
    /// slices of it, not checked one by one.
    text: Option<&'a str>,
    record_error: Option<FieldError>,
}

fn raw_value(cell: &[u8]) -> RawValue {
    match std::str::from_utf8(cell) {
        Ok("") => RawValue::Null,
        Ok(t) => RawValue::Text(t.to_string()),
        Err(_) => RawValue::NotUtf8,
    }
}

impl Cells<'_> {
    /// The line the row starts on.
    #[must_use]
    pub fn line(&self) -> u32 {
        self.record.line
    }

    /// The cells as named values (a record that is not a claim). With a record error, only
    /// the required column (the record's id), when it was read.
    #[must_use]
    pub fn named(&self) -> NamedRecord {
        let header = self.header;
        if self.record_error.is_some() {
            let id = self.record.field(header.required).map(raw_value);
            return id.map(|v| vec![(header.names[header.required].clone(), v)]).unwrap_or_default();
        }
        header.names.iter().zip(self.record.fields()).map(|(h, c)| (h.clone(), raw_value(c))).collect()
    }
}

impl FieldSource for Cells<'_> {
    fn value(&self, field: Field) -> Option<RawRef<'_>> {
        // With a record error the cells are not read (only the claim id, to find the row).
        let column = self.columns[field as usize]?;
        if let Some(cell) = self.text.and_then(|text| self.record.field_text(text, column)) {
            return Some(if cell.is_empty() { RawRef::Null } else { RawRef::Text(cell) });
        }
        let cell = self.record.field(column)?;
        Some(match std::str::from_utf8(cell) {
            Ok("") => RawRef::Null,
            Ok(text) => RawRef::Text(text),
            Err(_) => RawRef::NotUtf8,
        })
    }

    fn unknown_fields(&self) -> &[String] {
        &self.header.extra
    }

    fn record_error(&self) -> Option<&FieldError> {
        self.record_error.as_ref()
    }
}

/// Rows of a CSV file with a header, a block at a time.
///
/// ```
/// use skill_subsidy::{FieldSource, RawClaim};
/// use skill_subsidy_csv::CsvRows;
/// let text = "claim_id,program,district\nC1,pre_job,\"滨湖\n区\"\nC2,\"pre_job\n";
/// let mut rows = CsvRows::new(text.as_bytes(), "claim_id").unwrap();
/// let mut claims = Vec::new();
/// while let Some(block) = rows.next_block().unwrap() {
///     claims.extend((0..block.len()).filter_map(|i| block.row(i)).map(|c| (c.line(), RawClaim::from_source(&c))));
/// }
/// assert_eq!(claims.len(), 2);
/// assert_eq!((claims[1].0, claims[1].1.claim_id_text()), (4, "C2".to_string()));
/// assert!(claims[1].1.record_error.is_some());
/// ```
pub struct CsvRows<R> {
    records: Records<R>,
    header: Header,
    /// The header's block still has rows to give.
    first: bool,
}

impl<R: Read> CsvRows<R> {
    /// Reads the header of `input` (UTF-8 bytes; a leading BOM is skipped); it must name the
    /// `required` column.
    ///
    /// # Errors
    ///
    /// The input cannot be read, is empty, or its header is not usable.
    pub fn new(input: R, required: &str) -> Result<CsvRows<R>, HeaderError> {
        CsvRows::from_records(Records::new(input), required)
    }

    /// As [`CsvRows::new`], the header's names read through `map` (see
    /// [`Header::from_record_mapped`]).
    ///
    /// # Errors
    ///
    /// As [`CsvRows::new`].
    pub fn new_mapped(input: R, required: &str, map: &dyn Fn(Vec<String>) -> Vec<String>) -> Result<CsvRows<R>, HeaderError> {
        CsvRows::read_header(Records::new(input), required, map)
    }

    /// As [`CsvRows::new`], from records read with other sizes.
    ///
    /// # Errors
    ///
    /// As [`CsvRows::new`].
    pub fn from_records(records: Records<R>, required: &str) -> Result<CsvRows<R>, HeaderError> {
        CsvRows::read_header(records, required, &|names| names)
    }

    fn read_header(mut records: Records<R>, required: &str, map: &dyn Fn(Vec<String>) -> Vec<String>) -> Result<CsvRows<R>, HeaderError> {
        let block = records.next_block()?;
        let record = block
            .and_then(|b| b.get(0))
            .ok_or_else(|| HeaderError::Header("the file is empty; a CSV starts with a header row".to_string()))?;
        let header = Header::from_record_mapped(&record, required, map)?;
        Ok(CsvRows { records, header, first: true })
    }

    /// The header.
    #[must_use]
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The next block of rows, or `None` at the end of the file.
    ///
    /// # Errors
    ///
    /// An error reading the input.
    pub fn next_block(&mut self) -> io::Result<Option<Rows<'_>>> {
        let skip = usize::from(std::mem::take(&mut self.first));
        let block = if skip == 1 { Some(self.records.block()) } else { self.records.next_block()? };
        Ok(block.map(|block| Rows { header: &self.header, block, skip }))
    }
}

/// A block of rows.
pub struct Rows<'a> {
    header: &'a Header,
    block: &'a Block,
    skip: usize,
}

impl<'a> Rows<'a> {
    /// The number of records in the block (blank lines among them).
    #[must_use]
    pub fn len(&self) -> usize {
        self.block.len() - self.skip
    }

    /// True when the block holds no record.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `i` of the block; `None` for a blank line.
    #[must_use]
    pub fn row(&self, i: usize) -> Option<Cells<'a>> {
        self.header.row(self.block.get(i + self.skip)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use skill_subsidy::RawClaim;

    fn csv_bytes(bytes: &[u8]) -> Result<Vec<(u32, RawClaim)>, HeaderError> {
        let mut rows = CsvRows::new(bytes, "claim_id")?;
        let mut out = Vec::new();
        while let Some(block) = rows.next_block()? {
            out.extend((0..block.len()).filter_map(|i| block.row(i)).map(|c| (c.line(), RawClaim::from_source(&c))));
        }
        Ok(out)
    }

    fn csv(text: &str) -> Vec<RawClaim> {
        csv_bytes(text.as_bytes()).unwrap_or_else(|e| panic!("{e}")).into_iter().map(|(_, c)| c).collect()
    }

    #[test]
    fn quoted_fields_with_commas_and_escaped_quotes_are_read() {
        let rows = csv("claim_id,program,district\r\n\"C,1\",\"pre\"\"job\",梁溪区\n");
        assert_eq!(rows[0].get(Field::ClaimId), Some(&RawValue::Text("C,1".into())));
        assert_eq!(rows[0].get(Field::Program), Some(&RawValue::Text("pre\"job".into())));
        assert_eq!(rows[0].get(Field::District), Some(&RawValue::Text("梁溪区".into())));
    }

    #[test]
    fn a_line_break_in_quotes_is_part_of_the_field() {
        let rows = csv("claim_id,program,district\nC1,pre_job,\"滨湖\n区\"\nC2,pre_job,\"滨湖\r\n区\"\r\n");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].get(Field::District), Some(&RawValue::Text("滨湖\n区".into())));
        assert_eq!(rows[1].get(Field::District), Some(&RawValue::Text("滨湖\r\n区".into())));
        assert!(rows.iter().all(|r| r.record_error.is_none()));
    }

    #[test]
    fn a_row_with_a_quote_left_open_keeps_its_claim_id_and_the_rows_after_it() {
        let rows = csv_bytes(b"claim_id,program\nC1,\"pre_job\nC2,pre_job\n").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].0, rows[0].1.claim_id_text()), (2, "C1".to_string()));
        let error = rows[0].1.record_error.as_ref().unwrap();
        assert!(error.value.as_deref().unwrap().starts_with("line 2: a quote opened"), "{error:?}");
        assert_eq!((rows[1].0, rows[1].1.claim_id_text()), (3, "C2".to_string()));
        assert!(rows[1].1.record_error.is_none());
    }

    #[test]
    fn a_bare_carriage_return_never_drops_a_claim() {
        let rows = csv("claim_id,program\nC1,pre_job\rC2,pre_job\nC3,x\n");
        let ids: Vec<String> = rows.iter().map(RawClaim::claim_id_text).collect();
        assert_eq!(ids, ["C1", "C2", "C3"]);
        let cr_only = csv("claim_id,program\rC1,pre_job\rC2,pre_job\r");
        assert_eq!(cr_only.len(), 2);
    }

    #[test]
    fn a_missing_header_is_reported_without_echoing_the_data() {
        let e = csv_bytes(b"C1,skills_training,320211199001011234\n").err().unwrap();
        assert!(!e.to_string().contains("3202111990"), "{e}");
        let twice = csv_bytes(b"claim_id,enterprise_id,enterprise_id\n").err().unwrap();
        assert!(twice.to_string().contains("enterprise_id appears twice"), "{twice}");
        assert!(csv_bytes(b"").err().unwrap().to_string().contains("empty"));
    }

    #[test]
    fn invalid_utf8_is_marked_on_its_field() {
        let rows = csv_bytes(b"claim_id,program\nC1,pre\xff\n").unwrap();
        assert_eq!(rows[0].1.get(Field::Program), Some(&RawValue::NotUtf8));
    }

    #[test]
    fn a_character_split_across_two_fields_is_not_utf8_in_either() {
        // 滨 is E6 BB A8: the record's bytes are UTF-8 as a whole, each field is not.
        let rows = csv_bytes(
            b"claim_id,program,district
C1,\xe6\xbb,\xa8\nC2,x,\xe6\xbb\xa8\n",
        )
        .unwrap();
        assert_eq!(rows[0].1.get(Field::Program), Some(&RawValue::NotUtf8));
        assert_eq!(rows[0].1.get(Field::District), Some(&RawValue::NotUtf8));
        assert_eq!(rows[1].1.get(Field::District), Some(&RawValue::Text("滨".into())));
    }

    #[test]
    fn a_row_with_the_wrong_number_of_fields_keeps_its_claim_id() {
        let rows = csv("claim_id,program\nC1,pre_job,extra\n");
        assert_eq!(rows[0].claim_id_text(), "C1");
        assert!(rows[0].record_error.is_some());
    }

    #[test]
    fn blank_lines_are_not_rows() {
        let rows = csv_bytes(b"claim_id,program\n\n  \r\nC1,x\n\t\n").unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, 4);
    }
}
