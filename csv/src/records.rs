//! CSV records (RFC 4180) from a stream of UTF-8 bytes, a block at a time, each record with the
//! line it starts on (SPEC §12: malformed input never drops a row).
//!
//! A record is what Python's `csv.reader` (default dialect) reads: fields split on `,`; a field
//! in `"` may hold commas, `""` and line breaks; a record ends at LF, CRLF or a lone CR outside
//! quotes; blank lines are no records. Fields are parsed by `csv-core`, the `csv` crate's own
//! parser, but for a line without a quote (nearly every line of a claims file), which is split at
//! its commas with `memchr` to the same fields (the tests compare the two). A block is about [`BLOCK_BYTES`] of input, split at line breaks into one part per core
//! and parsed in parallel: each part is parsed as if it began a record, and when the part before
//! it ends inside a quoted field (a line break in quotes), the rest of the block is parsed again
//! from that record on, in one piece. So a file is parsed exactly as it would be in one piece,
//! while only a block and one record's carry-over are ever held.
//!
//! Two things end a record early, each giving the record a [`Problem`] instead of losing rows:
//! a record longer than the per-record limit ([`MAX_RECORD_BYTES`]), and a quote left open to
//! the end of the file (or past the limit). When a quote is left open, the record is reported on
//! the line where it starts, and the lines after that line are read again as records of their
//! own — where Python's reader would read the rest of the file into one field.

use std::fmt;
use std::io::{self, Read};

/// The longest record read, in bytes (its line breaks included): 1 MiB. Claims have no field
/// near that size (an address with a line break from Alt+Enter is tens of bytes, an 80 KB
/// pasted note is read); a longer record is one row with [`Problem::TooLong`], and memory stays
/// bounded even when a quote is left open in a large file.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// Input read at a time: 4 MiB, about 30,000 claims.
pub const BLOCK_BYTES: usize = 4 << 20;

/// Parts of a block smaller than this are not parsed on a core of their own (by default).
const MIN_PART_BYTES: usize = 256 << 10;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Why a record could not be read as it stands. Its row is still reported, on the line where
/// it starts, with the fields read before the problem (so a claim keeps its id when the id came
/// first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The record is longer than the limit (in bytes, line breaks included).
    TooLong {
        /// The limit.
        limit: usize,
    },
    /// A quote opened in this record is never closed before the end of the file; the lines
    /// after its first line were read again as records.
    QuoteNotClosed,
    /// A quoted field that starts in this record runs past the limit (a quote left open?);
    /// the lines after its first line were read again as records.
    QuoteRunsPastLimit {
        /// The limit.
        limit: usize,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::TooLong { limit } => write!(f, "the record is longer than {limit} bytes"),
            Problem::QuoteNotClosed => f.write_str(
                "a quote opened in this row is never closed (a quote left open?); the lines after this one are read as rows of their own",
            ),
            Problem::QuoteRunsPastLimit { limit } => write!(
                f,
                "a quoted field that starts in this row runs past {limit} bytes (a quote left open?); the lines after this one are read as rows of their own"
            ),
        }
    }
}

/// A record's place in its block.
#[derive(Debug, Clone)]
struct Row {
    line: u32,
    /// Where its fields' bytes start in the block's data.
    data_start: usize,
    /// Where its field ends start in the block's ends, and how many there are.
    ends_start: usize,
    fields: usize,
    problem: Option<Problem>,
}

/// Records read together: their fields' bytes, and where each record and field is.
#[derive(Debug, Default)]
pub struct Block {
    data: Vec<u8>,
    /// Field ends, relative to the start of their record's data.
    ends: Vec<usize>,
    rows: Vec<Row>,
}

/// One record of a block.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// The 1-based line the record starts on (LF, CRLF and a lone CR each end a line).
    pub line: u32,
    data: &'a [u8],
    ends: &'a [usize],
    /// What stopped the record being read as it stands.
    pub problem: Option<&'a Problem>,
}

impl<'a> Record<'a> {
    /// The number of fields.
    #[must_use]
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when the record has no field (only a record with a problem can be so).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Field `i`, unquoted.
    #[must_use]
    pub fn field(&self, i: usize) -> Option<&'a [u8]> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.data.get(start..end)
    }

    /// The record's fields' bytes as text when they are all UTF-8: checked once for the record,
    /// not once for each field read ([`Record::field_text`]).
    #[must_use]
    pub fn text(&self) -> Option<&'a str> {
        std::str::from_utf8(self.data).ok()
    }

    /// Field `i` out of `text`, the record's [`Record::text`]; `None` where there is no field `i`,
    /// or where it does not start and end on a character (a character split across two fields:
    /// each is then not UTF-8 on its own, and [`Record::field`] tells).
    #[must_use]
    pub fn field_text(&self, text: &'a str, i: usize) -> Option<&'a str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        text.get(start..end)
    }

    /// The fields, in order.
    pub fn fields(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).filter_map(|i| self.field(i))
    }

    /// True for a line of spaces or tabs alone (one field of ASCII white space), which is not a
    /// row of data. (Empty lines are no records at all.)
    #[must_use]
    pub fn is_blank(&self) -> bool {
        self.problem.is_none() && self.len() == 1 && self.data.iter().all(u8::is_ascii_whitespace)
    }
}

impl Block {
    /// The number of records.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when the block holds no record.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Record `i`.
    #[must_use]
    pub fn get(&self, i: usize) -> Option<Record<'_>> {
        let row = self.rows.get(i)?;
        let ends = &self.ends[row.ends_start..row.ends_start + row.fields];
        let data_end = row.data_start + ends.last().copied().unwrap_or(0);
        Some(Record { line: row.line, data: &self.data[row.data_start..data_end], ends, problem: row.problem.as_ref() })
    }

    /// The records, in order.
    pub fn iter(&self) -> impl Iterator<Item = Record<'_>> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    fn clear(&mut self) {
        self.data.clear();
        self.ends.clear();
        self.rows.clear();
    }

    /// Appends `other`'s records, their lines moved on by `lines`.
    fn append(&mut self, other: &Block, lines: u32) {
        let (data, ends) = (self.data.len(), self.ends.len());
        self.data.extend_from_slice(&other.data);
        self.ends.extend_from_slice(&other.ends);
        self.rows.extend(other.rows.iter().map(|r| Row {
            line: r.line.saturating_add(lines),
            data_start: r.data_start + data,
            ends_start: r.ends_start + ends,
            fields: r.fields,
            problem: r.problem.clone(),
        }));
    }

    /// Adds a record with a problem: the fields completed in `first_line` (the record's first
    /// line, without its line break), read on their own.
    fn push_problem(&mut self, line: u32, first_line: &[u8], problem: Problem) {
        let data_start = self.data.len();
        let ends_start = self.ends.len();
        self.data.resize(data_start + first_line.len(), 0);
        let mut ends = vec![0; 8];
        let (mut rdr, mut pos, mut nout, mut nend) = (csv_core::Reader::new(), 0, 0, 0);
        let mut cap = first_read_end(first_line, 0);
        loop {
            let (res, nin, o, e) = rdr.read_record(&first_line[pos..cap], &mut self.data[data_start + nout..], &mut ends[nend..]);
            (pos, nout, nend) = (pos + nin, nout + o, nend + e);
            match res {
                csv_core::ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
                csv_core::ReadRecordResult::InputEmpty if cap < first_line.len() => cap = first_line.len(),
                // The output has room for the whole line, so only the end of the line stops it:
                // the fields ended so far are the ones read.
                _ => break,
            }
        }
        self.data.truncate(data_start + nout);
        self.ends.extend_from_slice(&ends[..nend]);
        self.rows.push(Row { line, data_start, ends_start, fields: nend, problem: Some(problem) });
    }
}

/// Where the first call to a fresh `csv-core` reader must stop: it strips a UTF-8 BOM from the
/// first input it sees, which is right only at the start of the file (done by [`Records`]). A
/// part that starts with one is fed its first byte alone, so the BOM stays in the field as
/// Python reads it.
fn first_read_end(bytes: &[u8], pos: usize) -> usize {
    if bytes[pos..].starts_with(BOM) {
        pos + 1
    } else {
        bytes.len()
    }
}

/// The number of line breaks in `bytes` (LF, CRLF and a lone CR each count once; a CR at the
/// very end counts as a lone CR).
fn line_breaks(bytes: &[u8]) -> u32 {
    let mut n: u32 = 0;
    for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        if bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n') {
            n = n.saturating_add(1);
        }
    }
    n
}

/// The end of the first line of `bytes` (after its line break), if it has one in `bytes`; a CR
/// at the very end is taken as a lone CR.
fn first_line_end(bytes: &[u8]) -> Option<usize> {
    let i = memchr::memchr2(b'\n', b'\r', bytes)?;
    Some(if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') { i + 2 } else { i + 1 })
}

/// The first line of `bytes`, without its line break.
fn head_line(bytes: &[u8]) -> &[u8] {
    let end = memchr::memchr2(b'\n', b'\r', bytes).unwrap_or(bytes.len());
    &bytes[..end]
}

/// How far a part was parsed.
#[derive(Debug, Clone, Copy)]
struct Parsed {
    /// Bytes of the part taken by whole records (and blank lines). Less than the part when it
    /// ends inside a record (only when `at_end` is false).
    consumed: usize,
    /// Line breaks in the bytes consumed.
    lines: u32,
}

/// Parses `bytes`, which begin a record, into `out` (lines counted from `first_line`). With
/// `at_end` the bytes are the end of the file: the last record is ended there, and a quote left
/// open is a [`Problem`]. Otherwise a record the bytes end inside is left for the caller.
fn parse(bytes: &[u8], first_line: u32, at_end: bool, limit: usize, out: &mut Block) -> Parsed {
    parse_records(bytes, first_line, at_end, limit, out, true)
}

/// [`parse`], reading lines without a quote itself ([`quote_free`]) when `quote_free`, or every
/// record through `csv-core` (the tests compare the two).
fn parse_records(bytes: &[u8], first_line: u32, at_end: bool, limit: usize, out: &mut Block, quote_free: bool) -> Parsed {
    use csv_core::ReadRecordResult as R;
    let base = out.data.len();
    // Fields' bytes are never more than the input's.
    out.data.resize(base + bytes.len(), 0);
    let mut nout_total = 0;
    let mut ends = vec![0usize; 32];
    let mut rdr = csv_core::Reader::new();
    let mut fresh = true;
    let (mut pos, mut line) = (0usize, first_line);
    loop {
        // Blank lines, counted here (csv-core would skip them too).
        while let Some(&b) = bytes.get(pos) {
            if b != b'\n' && b != b'\r' {
                break;
            }
            pos += if b == b'\r' && bytes.get(pos + 1) == Some(&b'\n') { 2 } else { 1 };
            line = line.saturating_add(1);
        }
        if pos >= bytes.len() {
            break;
        }
        let (start, data_start) = (pos, nout_total);
        // Nearly every line of a claims file has no quote: split at its commas, as csv-core
        // would, without csv-core's byte-at-a-time reading. Not a reader's first record, whose
        // first read csv-core must see (a BOM there is stripped only at the start of the file).
        if quote_free && !fresh {
            let ends_start = out.ends.len();
            if let Some((next, written)) = self::quote_free(&bytes[pos..], limit, &mut out.data[base + nout_total..], &mut out.ends) {
                out.rows.push(Row { line, data_start: base + data_start, ends_start, fields: out.ends.len() - ends_start, problem: None });
                nout_total += written;
                pos += next;
                // No line break but the one that ends it.
                line = line.saturating_add(1);
                continue;
            }
        }
        let mut cap = if fresh { first_read_end(bytes, pos) } else { bytes.len() };
        fresh = false;
        let mut nend = 0;
        let ended = loop {
            let (res, nin, nout, e) = rdr.read_record(&bytes[pos..cap], &mut out.data[base + nout_total..], &mut ends[nend..]);
            pos += nin;
            nout_total += nout;
            nend += e;
            match res {
                R::Record | R::End => break true,
                R::OutputEndsFull => ends.resize(ends.len() * 2, 0),
                // Cannot happen (the output is as long as the input), but growing is harmless.
                R::OutputFull => out.data.resize(out.data.len() + 64, 0),
                R::InputEmpty if cap < bytes.len() => cap = bytes.len(),
                R::InputEmpty => break false,
            }
        };
        let mut problem = None;
        if !ended {
            if !at_end {
                // The part ends inside this record: the caller reads on, or parses again.
                nout_total = data_start;
                pos = start;
                break;
            }
            // The end of the file: a record in an open quote is spoiled; any other ends here.
            // A line break ends it as the end of the file would, unless it falls in quotes.
            // (csv-core's `Reader::clone` cannot serve as a probe: a clone does not keep the state.)
            if out.data.len() <= base + nout_total {
                out.data.resize(base + nout_total + 1, 0);
            }
            let (res, _, nout, e) = loop {
                let r = rdr.read_record(b"\n", &mut out.data[base + nout_total..], &mut ends[nend..]);
                if r.0 != R::OutputEndsFull {
                    break r;
                }
                ends.resize(ends.len() * 2, 0);
            };
            if res == R::Record {
                nout_total += nout;
                nend += e;
            } else {
                problem = Some(Problem::QuoteNotClosed);
            }
        }
        if problem.is_none() {
            // A CR ends the record for csv-core; the LF of a CRLF belongs to the same line break.
            if bytes.get(pos.wrapping_sub(1)) == Some(&b'\r') && bytes.get(pos) == Some(&b'\n') {
                pos += 1;
            }
            if pos - start > limit {
                problem = Some(Problem::TooLong { limit });
            }
        }
        match problem {
            Some(problem @ (Problem::QuoteNotClosed | Problem::QuoteRunsPastLimit { .. })) => {
                // Read again from the line after the record's first line.
                nout_total = data_start;
                let mut spoiled = Block::default();
                spoiled.push_problem(0, head_line(&bytes[start..]), problem);
                append_at(out, base, &mut nout_total, &spoiled, line);
                pos = start + first_line_end(&bytes[start..]).unwrap_or(bytes.len() - start);
                line = line.saturating_add(1);
                rdr = csv_core::Reader::new();
                fresh = true;
                continue;
            }
            Some(problem @ Problem::TooLong { .. }) => {
                nout_total = data_start;
                let mut spoiled = Block::default();
                spoiled.push_problem(0, head_line(&bytes[start..]), problem);
                append_at(out, base, &mut nout_total, &spoiled, line);
            }
            None => {
                let ends_start = out.ends.len();
                out.ends.extend_from_slice(&ends[..nend]);
                out.rows.push(Row { line, data_start: base + data_start, ends_start, fields: nend, problem: None });
            }
        }
        line = line.saturating_add(line_breaks(&bytes[start..pos]));
    }
    out.data.truncate(base + nout_total);
    Parsed { consumed: pos, lines: line.saturating_sub(first_line) }
}

/// The record at the start of `bytes` when its line has no quote: its fields are then the line
/// split at its commas, as `csv-core` reads such a line. Writes the fields' bytes to `data` and
/// appends their ends (relative to the record's data) to `ends`; returns where its line break
/// ends and the bytes written. `None` (nothing written) when the line has a quote, when no line
/// break surely ends it within `bytes` (a CR last might be half a CRLF), or when the record is
/// longer than `limit`: `csv-core` reads it then.
fn quote_free(bytes: &[u8], limit: usize, data: &mut [u8], ends: &mut Vec<usize>) -> Option<(usize, usize)> {
    let e = memchr::memchr2(b'\n', b'\r', bytes)?;
    let line = &bytes[..e];
    if memchr::memchr(b'"', line).is_some() || data.len() < line.len() {
        return None;
    }
    let end = match (bytes[e], bytes.get(e + 1)) {
        (b'\r', Some(b'\n')) => e + 2,
        (b'\r', None) => return None,
        _ => e + 1,
    };
    if end > limit {
        return None;
    }
    // A byte at a time: a line's fields are a few bytes each, shorter than what a search for
    // the next comma and a copy of each field cost to start.
    let data = &mut data[..line.len()];
    let mut written = 0;
    for &b in line {
        if b == b',' {
            ends.push(written);
        } else {
            data[written] = b;
            written += 1;
        }
    }
    ends.push(written);
    Some((end, written))
}

/// Appends the one record of `spoiled` to `out` while `out.data` is sized for the part being
/// parsed: its bytes go where the next record's would.
fn append_at(out: &mut Block, base: usize, nout_total: &mut usize, spoiled: &Block, line: u32) {
    let row = &spoiled.rows[0];
    let at = base + *nout_total;
    let n = spoiled.data.len();
    if out.data.len() < at + n {
        out.data.resize(at + n, 0);
    }
    out.data[at..at + n].copy_from_slice(&spoiled.data);
    let ends_start = out.ends.len();
    out.ends.extend_from_slice(&spoiled.ends);
    out.rows.push(Row { line, data_start: at, ends_start, fields: row.fields, problem: row.problem.clone() });
    *nout_total += n;
}

/// Parses `bytes` (which begin a record) in parts on every core, as [`parse`] would in one piece.
fn parse_parallel(bytes: &[u8], first_line: u32, at_end: bool, sizes: &Sizes, out: &mut Block) -> Parsed {
    let limit = sizes.limit;
    let parts = sizes.threads.min(bytes.len() / sizes.min_part).max(1);
    // Part boundaries just after an LF (a CRLF is never split).
    let mut bounds = vec![0];
    for k in 1..parts {
        let from = (bytes.len() * k / parts).max(*bounds.last().unwrap_or(&0));
        if let Some(i) = memchr::memchr(b'\n', &bytes[from..]) {
            if from + i + 1 < bytes.len() {
                bounds.push(from + i + 1);
            }
        }
    }
    bounds.dedup();
    bounds.push(bytes.len());
    if bounds.len() == 2 {
        return parse(bytes, first_line, at_end, limit, out);
    }
    let last = bounds.len() - 2;
    let results: Vec<(Block, Parsed)> = std::thread::scope(|scope| {
        let handles: Vec<_> = bounds
            .windows(2)
            .enumerate()
            .map(|(k, w)| {
                let part = &bytes[w[0]..w[1]];
                scope.spawn(move || {
                    let mut block = Block::default();
                    let parsed = parse(part, 0, at_end && k == last, limit, &mut block);
                    (block, parsed)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    });
    let mut lines = 0u32;
    for (k, (block, parsed)) in results.iter().enumerate() {
        out.append(block, first_line.saturating_add(lines));
        lines = lines.saturating_add(parsed.lines);
        let part_len = bounds[k + 1] - bounds[k];
        if k < last && parsed.consumed < part_len {
            // This part ends inside a record (a line break in quotes): the parts after it began
            // inside it. Parse the rest again, from that record, in one piece.
            let from = bounds[k] + parsed.consumed;
            let rest = parse(&bytes[from..], first_line.saturating_add(lines), at_end, limit, out);
            return Parsed { consumed: from + rest.consumed, lines: lines.saturating_add(rest.lines) };
        }
    }
    Parsed { consumed: bounds[last] + results[last].1.consumed, lines }
}

/// The end of the last whole line of `bytes` that is surely a line's end: after an LF, or after
/// a CR known not to be followed by an LF.
fn last_line_end(bytes: &[u8]) -> Option<usize> {
    let mut upto = bytes.len();
    loop {
        let i = memchr::memrchr2(b'\n', b'\r', &bytes[..upto])?;
        if bytes[i] == b'\n' || i + 1 < bytes.len() {
            return Some(i + 1);
        }
        upto = i;
    }
}

/// Records from a stream of UTF-8 bytes (a leading BOM is skipped), a block at a time.
///
/// ```
/// use skill_subsidy_csv::Records;
/// let mut records = Records::new("id,place\r\nC1,\"滨湖\n区\"\rC2,x\n".as_bytes());
/// let block = records.next_block().unwrap().unwrap();
/// let lines: Vec<u32> = block.iter().map(|r| r.line).collect();
/// assert_eq!(lines, [1, 2, 4]);
/// assert_eq!(block.get(1).unwrap().field(1), Some("滨湖\n区".as_bytes()));
/// ```
pub struct Records<R> {
    inner: R,
    buf: Vec<u8>,
    /// The line `buf` starts on.
    line: u32,
    eof: bool,
    started: bool,
    /// Input is being skipped to the next line break (after a line longer than the limit).
    skipping: bool,
    /// An LF at the start of the next input belongs to a CR already taken.
    skip_lf: bool,
    sizes: Sizes,
    block: Block,
}

/// How much is read and parsed at a time.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    limit: usize,
    block_bytes: usize,
    threads: usize,
    /// Parts of a block smaller than this are not parsed on a core of their own.
    min_part: usize,
}

impl<R: Read> Records<R> {
    /// Records of `inner`, with the limit [`MAX_RECORD_BYTES`], parsed on every core.
    pub fn new(inner: R) -> Records<R> {
        let threads = std::thread::available_parallelism().map_or(1, usize::from).clamp(1, 16);
        Records::with_sizes(inner, MAX_RECORD_BYTES, BLOCK_BYTES, threads)
    }

    /// Records of `inner` with another record limit and block size, parsed in up to `threads`
    /// parts at once (tests and the fuzzer use small ones to reach every path on small inputs).
    pub fn with_sizes(inner: R, limit: usize, block_bytes: usize, threads: usize) -> Records<R> {
        Records {
            inner,
            buf: Vec::new(),
            line: 1,
            eof: false,
            started: false,
            skipping: false,
            skip_lf: false,
            sizes: Sizes {
                limit: limit.max(1),
                block_bytes: block_bytes.max(1),
                threads: threads.max(1),
                min_part: MIN_PART_BYTES.min(block_bytes / 4).max(1),
            },
            block: Block::default(),
        }
    }

    /// The block read last (empty before the first call to [`Records::next_block`]).
    #[must_use]
    pub fn block(&self) -> &Block {
        &self.block
    }

    /// The next block of records, in file order, or `None` at the end of the input.
    ///
    /// # Errors
    ///
    /// An error reading the input.
    pub fn next_block(&mut self) -> io::Result<Option<&Block>> {
        self.block.clear();
        while self.block.is_empty() {
            if self.eof && self.buf.is_empty() {
                return Ok(None);
            }
            self.fill()?;
            let end = if self.eof { Some(self.buf.len()) } else { last_line_end(&self.buf) };
            if let Some(end) = end.filter(|&e| e > 0) {
                let parsed = parse_parallel(&self.buf[..end], self.line, self.eof, &self.sizes, &mut self.block);
                self.buf.drain(..parsed.consumed);
                self.line = self.line.saturating_add(parsed.lines);
            }
            if !self.eof && self.buf.len() > self.sizes.limit {
                self.spoil_carry();
            }
        }
        Ok(Some(&self.block))
    }

    /// The record at the start of `buf` is longer than the limit and not ended: it is a row with
    /// a problem, and reading goes on at the line after its first line.
    fn spoil_carry(&mut self) {
        let head = head_line(&self.buf);
        let problem = if head.len() < self.buf.len() {
            Problem::QuoteRunsPastLimit { limit: self.sizes.limit }
        } else {
            Problem::TooLong { limit: self.sizes.limit }
        };
        let head = &head[..head.len().min(self.sizes.limit)];
        self.block.push_problem(self.line, head, problem);
        match first_line_end(&self.buf) {
            Some(end) => {
                self.skip_lf = self.buf[end - 1] == b'\r' && end == self.buf.len();
                self.buf.drain(..end);
            }
            None => {
                self.buf.clear();
                self.skipping = true;
            }
        }
        self.line = self.line.saturating_add(1);
    }

    /// Reads until `buf` holds a block's worth more, or the input ends.
    fn fill(&mut self) -> io::Result<()> {
        let target = self.sizes.block_bytes.max(self.buf.len() + self.sizes.block_bytes / 4 + 1);
        while (self.buf.len() < target || (!self.started && self.buf.len() < BOM.len())) && !self.eof {
            let old = self.buf.len();
            let want = target.saturating_sub(old).max(8 << 10);
            self.buf.resize(old + want, 0);
            let n = loop {
                match self.inner.read(&mut self.buf[old..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        self.buf.truncate(old);
                        return Err(e);
                    }
                }
            };
            self.buf.truncate(old + n);
            if n == 0 {
                self.eof = true;
                break;
            }
            if self.skip_lf {
                self.skip_lf = false;
                if self.buf[old] == b'\n' {
                    self.buf.remove(old);
                }
            }
            if self.skipping {
                match first_line_end(&self.buf[old..]) {
                    Some(end) => {
                        self.skipping = false;
                        self.skip_lf = self.buf[old + end - 1] == b'\r' && old + end == self.buf.len();
                        self.buf.drain(old..old + end);
                    }
                    None => self.buf.truncate(old),
                }
            }
        }
        if !self.started && (self.buf.len() >= BOM.len() || self.eof) {
            self.started = true;
            if self.buf.starts_with(BOM) {
                self.buf.drain(..BOM.len());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8], limit: usize, block: usize, threads: usize) -> Vec<(u32, Vec<String>, Option<Problem>)> {
        let mut records = Records::with_sizes(bytes, limit, block, threads);
        let mut out = Vec::new();
        while let Some(block) = records.next_block().unwrap() {
            for r in block.iter() {
                out.push((r.line, r.fields().map(|f| String::from_utf8_lossy(f).into_owned()).collect(), r.problem.cloned()));
            }
        }
        out
    }

    fn fields(rows: &[(u32, Vec<String>, Option<Problem>)]) -> Vec<(u32, Vec<&str>)> {
        rows.iter().map(|(l, f, _)| (*l, f.iter().map(String::as_str).collect())).collect()
    }

    #[test]
    fn quoted_line_breaks_of_every_kind_stay_in_their_field() {
        let rows = read(b"a,b\r\n1,\"x\ny\"\r\n2,\"x\r\ny\"\n3,\"x\ry\"\r4,z", MAX_RECORD_BYTES, BLOCK_BYTES, 1);
        assert_eq!(
            fields(&rows),
            [(1, vec!["a", "b"]), (2, vec!["1", "x\ny"]), (4, vec!["2", "x\r\ny"]), (6, vec!["3", "x\ry"]), (8, vec!["4", "z"])]
        );
    }

    #[test]
    fn a_lone_carriage_return_ends_a_record_as_python_reads_it() {
        let rows = read(b"claim_id,program\nC1,pre_job\rC2,pre_job\nC3,x\n", MAX_RECORD_BYTES, BLOCK_BYTES, 1);
        assert_eq!(fields(&rows)[1..], [(2, vec!["C1", "pre_job"]), (3, vec!["C2", "pre_job"]), (4, vec!["C3", "x"])]);
    }

    #[test]
    fn a_quote_left_open_to_the_end_is_one_problem_and_the_lines_after_it_are_read_again() {
        let rows = read(b"id,p\nC1,\"pre\nC2,x\n\nC3,y\n", MAX_RECORD_BYTES, BLOCK_BYTES, 1);
        assert_eq!(fields(&rows), [(1, vec!["id", "p"]), (2, vec!["C1"]), (3, vec!["C2", "x"]), (5, vec!["C3", "y"])]);
        assert_eq!(rows[1].2, Some(Problem::QuoteNotClosed));
    }

    #[test]
    fn a_record_past_the_limit_is_a_problem_and_reading_goes_on() {
        let text = b"id,p\nC1,\"aaaaaaaaaaaaaaaaaaaaaaaa\naaaaaaaaaaaaaaaaaaaa\naaaaaaaaaaaaa\"\nC2,x\n";
        for block in [4, 16, 1000] {
            let rows = read(text, 30, block, 2);
            let lines: Vec<u32> = rows.iter().map(|r| r.0).collect();
            assert!(lines.contains(&2) && rows.last().unwrap().1 == ["C2", "x"], "block {block}: {rows:?}");
            assert!(rows[1].2.is_some(), "{rows:?}");
        }
        let long_line = format!("id,p\n{},x\nC2,y\r\nC3,z\n", "a".repeat(100));
        let rows = read(long_line.as_bytes(), 30, 8, 1);
        assert_eq!(fields(&rows)[2..], [(3, vec!["C2", "y"]), (4, vec!["C3", "z"])]);
        assert_eq!(rows[1].2, Some(Problem::TooLong { limit: 30 }));
    }

    /// A record as parsed: its line, its fields and its problem.
    type ParsedRecord = (u32, Vec<Vec<u8>>, Option<Problem>);

    /// A part's records as parsed, and how far it went (bytes, line breaks).
    fn parsed(bytes: &[u8], at_end: bool, limit: usize, quote_free: bool) -> (Vec<ParsedRecord>, usize, u32) {
        let mut block = Block::default();
        let p = parse_records(bytes, 1, at_end, limit, &mut block, quote_free);
        let rows = block.iter().map(|r| (r.line, r.fields().map(<[u8]>::to_vec).collect(), r.problem.cloned())).collect();
        (rows, p.consumed, p.lines)
    }

    #[test]
    fn lines_without_quotes_are_read_as_csv_core_reads_them() {
        let cases: [&[u8]; 8] = [
            b"a,b\nc,,d\r\ne\rf,\n",
            b"\xEF\xBB\xBFid,x\n\xEF\xBB\xBFC1,y\n",
            b"id\nC1,\"q\nr\",s\nC2,t\r",
            b"id\n   \n,\n,,\r\n\r\n\nlast",
            b"id,x\nC1,abcdefghijklmnop\nC2,y\n",
            b"id\nC1,x\r",
            b"id\nC1,a\"b,c\nC2,d\n",
            b"",
        ];
        for bytes in cases {
            for at_end in [true, false] {
                for limit in [4, 12, MAX_RECORD_BYTES] {
                    let slow = parsed(bytes, at_end, limit, false);
                    assert_eq!(
                        parsed(bytes, at_end, limit, true),
                        slow,
                        "{:?} at_end {at_end} limit {limit}",
                        String::from_utf8_lossy(bytes)
                    );
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn any_bytes_are_read_the_same_with_and_without_the_quote_free_lines(
            bytes in proptest::collection::vec(proptest::sample::select(vec![b'a', b'1', b',', b',', b'"', b'\n', b'\r', b' ', 0xEF, 0xBB, 0xBF]), 0..160),
            at_end in proptest::bool::ANY,
            limit in proptest::sample::select(vec![3usize, 9, 40, MAX_RECORD_BYTES]),
        ) {
            proptest::prop_assert_eq!(parsed(&bytes, at_end, limit, true), parsed(&bytes, at_end, limit, false));
        }
    }

    #[test]
    fn parts_and_blocks_of_any_size_read_the_same_records() {
        let mut text = String::from("\u{feff}id,note\r\n");
        for i in 0..400 {
            match i % 5 {
                0 => text.push_str(&format!("C{i},\"line\nbreak\"\r\n")),
                1 => text.push_str(&format!("C{i},plain\r")),
                2 => text.push_str(&format!("C{i},\"a,\"\"b\"\"\"\n\n")),
                3 => text.push_str(&format!("\u{feff}C{i},bom\n")),
                _ => text.push_str(&format!("C{i},\"x\r\ny\r\"\r\n")),
            }
        }
        let whole = read(text.as_bytes(), MAX_RECORD_BYTES, BLOCK_BYTES, 1);
        assert_eq!(whole.len(), 401);
        assert_eq!(whole[4].1[0], "\u{feff}C3");
        for (block, threads) in [(7, 1), (64, 3), (1000, 4), (4096, 16)] {
            assert_eq!(read(text.as_bytes(), MAX_RECORD_BYTES, block, threads), whole, "block {block}, threads {threads}");
        }
        let parts = {
            let mut out = Block::default();
            let sizes = Sizes { limit: MAX_RECORD_BYTES, block_bytes: 64, threads: 7, min_part: 16 };
            parse_parallel(text.as_bytes(), 1, true, &sizes, &mut out);
            out.len()
        };
        assert_eq!(parts, 401);
    }
}
