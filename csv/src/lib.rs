//! Claims and records in CSV for skill-subsidy (SPEC §7.1, §12): RFC 4180 as Python's `csv`
//! module reads it, streamed a block at a time and parsed on every core.
//!
//! Where to start: [`CsvRows`] reads a file with a header into rows that are claims
//! ([`skill_subsidy::FieldSource`]) or named records; [`Records`] is the layer below,
//! records of fields with the line each starts on, for any reader of UTF-8 bytes. Neither
//! opens files: they take a [`std::io::Read`], so the command line, the HTTP service and the
//! fuzzer share them.
//!
//! Nothing is dropped: a quoted line break stays in its field; a row that cannot be read as it
//! stands (a quote left open, a record over [`MAX_RECORD_BYTES`], a wrong number of fields) is a
//! row with a `malformed_row` error on the line where it starts. Memory stays bounded: a block
//! ([`BLOCK_BYTES`] of input) and one unfinished record at a time.

mod records;
mod rows;

pub use records::{Block, Problem, Record, Records, BLOCK_BYTES, MAX_RECORD_BYTES};
pub use rows::{Cells, CsvRows, Header, HeaderError, NamedRecord, Rows};
