//! Claims given as columns (a data frame, a table): a batch (SPEC §7.2) computed a shape at a
//! time.
//!
//! A year of claims repeats itself: a few hundred occupations, seven levels, a program or two,
//! the days of a year. What checks 1–7 decide of a claim depends only on its *shape* — every
//! field but its ids and the fee paid — and the fee only caps the amount: `min(amount, fee)`,
//! which commutes with the one rounding because a fee is whole fen. So each distinct shape is
//! assessed once, by the same engine call as any claim, and a row costs reading its cells, a
//! lookup and a minimum. When no two rows share a person id (or its hash), and no account would
//! run out, checks 8–12 decide each claim alone ([`CheckRules::lone`]): the batch's decisions
//! are then the shapes' decisions too.
//!
//! A row the shortcut does not cover (an id, an enterprise or a fee that does not validate, a
//! fee of nothing) is assessed on its own; a table it does not cover (a person id or claim id
//! given twice — told from the ids alone, before any shape is assessed —, an account that runs
//! out, no claim allowed a year) goes through [`Batch`] row by row. The result is the same
//! either way, to the fen; the tests compare them.

use super::person::CheckRules;
use super::{build_report, fen_of, hash, BatchResult, Closings, Counted, Decision, Names};
use crate::assessment::Assessment;
use crate::claim::{has_control, Claim, Field, FieldMode, FieldSource, RawClaim, RawRef, RawValue, MAX_FIELD_BYTES};
use crate::engine::Engine;
use crate::money::parse_money;
use crate::reasons::{Reasons, Status};
use crate::report::Report;
use compact_str::CompactString;
use rust_decimal::Decimal;
use rustc_hash::{FxHashMap, FxHashSet};
use std::ops::Range;

/// A cell as a column gives it: borrowed from the column, or written into the caller's scratch
/// string (a number or a date, which a column may hold without text).
#[derive(Debug, Clone, Copy)]
pub enum ColumnCell<'a> {
    /// Borrowed from the column (or a value without text: null, a boolean, a kind).
    Value(RawRef<'a>),
    /// A number, written into the scratch string.
    Number,
    /// Text (a date), written into the scratch string.
    Text,
}

impl<'a> ColumnCell<'a> {
    /// The value, with `scratch` holding what was written.
    #[must_use]
    pub fn raw<'s>(&self, scratch: &'s str) -> RawRef<'s>
    where
        'a: 's,
    {
        match *self {
            ColumnCell::Value(r) => r,
            ColumnCell::Number => RawRef::Number(scratch),
            ColumnCell::Text => RawRef::Text(scratch),
        }
    }
}

/// One column of a table of claims, read cell by cell (a binding implements it over its
/// frames' arrays). The shortcuts (every method but [`Self::cell`]) let a column skip the text:
/// integers and money as numbers, a block of rows at a time, a block of one text at a look, a
/// dictionary-encoded column as its codes. Each must agree with [`Self::cell`].
pub trait ClaimColumn: Sync {
    /// The cell at `row`; a number or a date may be written into `scratch`.
    fn cell(&self, row: usize, scratch: &mut CompactString) -> ColumnCell<'_>;

    /// The cell as a whole number, when the column holds integers and the cell is not null: a
    /// shortcut that must agree with [`Self::cell`], whose text is then the number's decimal
    /// digits (ids are told apart by it).
    fn integer(&self, _row: usize) -> Option<i64> {
        None
    }

    /// The cell as an amount in whole fen, when it is a number whose text (as [`Self::cell`]
    /// gives it) is money in whole fen: a shortcut that must agree with reading that text. A
    /// negative value is not money (the text is read instead).
    fn fen(&self, _row: usize) -> Option<i64> {
        None
    }

    /// When every cell of `rows` is text ([`RawRef::Text`] borrowed from the column), appends
    /// each to `out`, in order, and returns true; otherwise returns false and appends nothing.
    /// Read a block of rows at a time, a column skips the per-cell dispatch.
    fn texts<'s>(&'s self, _rows: Range<usize>, _out: &mut Vec<&'s str>) -> bool {
        false
    }

    /// When the column is dictionary-encoded (pandas `category`, polars `Categorical`) with text
    /// values: the values, in order. With [`Self::codes`], a block of such a column costs a
    /// lookup a row.
    fn dictionary(&self) -> Option<Vec<&str>> {
        None
    }

    /// When the column is dictionary-encoded and no cell of `rows` is null, appends each cell's
    /// index into [`Self::dictionary`] to `out`, in order, and returns true; otherwise returns
    /// false and appends nothing.
    fn codes(&self, _rows: Range<usize>, _out: &mut Vec<u32>) -> bool {
        false
    }

    /// When every cell of `rows` is the same text ([`RawRef::Text`] borrowed from the column),
    /// that text: a column of one value (a program, a date) then costs nothing a row. A shortcut
    /// that may answer `None` whenever a cheap look cannot tell.
    fn same_text(&self, _rows: Range<usize>) -> Option<&str> {
        None
    }

    /// When [`Self::integer`] gives every cell of `rows`, appends each to `out`, in order, and
    /// returns true; otherwise returns false and appends nothing.
    fn integers(&self, _rows: Range<usize>, _out: &mut Vec<i64>) -> bool {
        false
    }

    /// Appends [`Self::fen`] of each cell of `rows` to `out`, in order (a negative value, or −1
    /// for `None`: the cell's text is read instead), and returns true; or returns false and
    /// appends nothing (then each cell is asked on its own).
    fn fens(&self, _rows: Range<usize>, _out: &mut Vec<i64>) -> bool {
        false
    }
}

const FIELDS: usize = Field::ALL.len();

/// A part of a table (one record batch of a stream): its rows and its columns by claim field.
struct Chunk<'a> {
    start: usize,
    rows: usize,
    columns: [Option<&'a dyn ClaimColumn>; FIELDS],
}

/// Claims as columns, in one or more chunks of rows that share the columns' names.
///
/// ```
/// use skill_subsidy::{ColumnCell, ClaimColumn, ClaimTable, CompactString, Engine, Field, FieldMode, RawRef, Ruleset, Status};
/// struct Texts(Vec<&'static str>);
/// impl ClaimColumn for Texts {
///     fn cell(&self, row: usize, _: &mut CompactString) -> ColumnCell<'_> {
///         ColumnCell::Value(RawRef::Text(self.0[row]))
///     }
/// }
/// let columns = [
///     (Field::ClaimId, Texts(vec!["C1", "C2"])),
///     (Field::Program, Texts(vec!["pre_job", "pre_job"])),
///     (Field::PersonId, Texts(vec!["P1", "P2"])),
///     (Field::EnterpriseId, Texts(vec!["E1", "E1"])),
///     (Field::EventDate, Texts(vec!["2021-05-10", "2021-05-10"])),
///     (Field::AppliedOn, Texts(vec!["2021-05-20", "2021-05-20"])),
/// ];
/// let mut table = ClaimTable::new(Vec::new());
/// table.push_chunk(2, columns.iter().map(|(f, c)| (*f, c as &dyn ClaimColumn)));
/// let engine = Engine::new(Ruleset::wuxi_2021()?);
/// let result = engine.assess_table(&table, FieldMode::Strict);
/// assert_eq!(result.assessment(1).map(|a| a.status), Some(Status::Approved));
/// assert_eq!(result.report.approved.amount.to_string(), "600.00");
/// # Ok::<(), skill_subsidy::RulesErrors>(())
/// ```
pub struct ClaimTable<'a> {
    chunks: Vec<Chunk<'a>>,
    unknown: Vec<String>,
}

impl<'a> ClaimTable<'a> {
    /// A table without rows whose other columns (not claim fields) are `unknown`.
    #[must_use]
    pub fn new(unknown: Vec<String>) -> ClaimTable<'a> {
        ClaimTable { chunks: Vec::new(), unknown }
    }

    /// Adds `rows` rows, with these columns by claim field.
    pub fn push_chunk(&mut self, rows: usize, columns: impl IntoIterator<Item = (Field, &'a dyn ClaimColumn)>) {
        let mut slots: [Option<&'a dyn ClaimColumn>; FIELDS] = [None; FIELDS];
        for (field, column) in columns {
            slots[field as usize] = Some(column);
        }
        self.chunks.push(Chunk { start: self.rows(), rows, columns: slots });
    }

    /// Rows in every chunk.
    #[must_use]
    pub fn rows(&self) -> usize {
        self.chunks.last().map_or(0, |c| c.start + c.rows)
    }

    /// Row `row` of the table, as a claim's fields.
    #[must_use]
    pub fn row(&self, row: usize) -> TableRow<'a, '_> {
        let at = self.chunks.partition_point(|c| c.start + c.rows <= row);
        match self.chunks.get(at) {
            Some(chunk) => TableRow::new(chunk, row - chunk.start, &self.unknown),
            None => TableRow::empty(&self.unknown),
        }
    }
}

/// One row of a [`ClaimTable`], as the core's field source: text borrowed from the columns,
/// numbers and dates written into small inline strings (no allocation).
pub struct TableRow<'a, 't> {
    cells: [Option<ColumnCell<'a>>; FIELDS],
    scratch: [CompactString; FIELDS],
    unknown: &'t [String],
}

impl<'a, 't> TableRow<'a, 't> {
    fn new(chunk: &Chunk<'a>, row: usize, unknown: &'t [String]) -> TableRow<'a, 't> {
        let mut out = TableRow::empty(unknown);
        for ((column, cell), scratch) in chunk.columns.iter().zip(out.cells.iter_mut()).zip(out.scratch.iter_mut()) {
            if let Some(column) = *column {
                *cell = Some(column.cell(row, scratch));
            }
        }
        out
    }

    fn empty(unknown: &'t [String]) -> TableRow<'a, 't> {
        TableRow { cells: [None; FIELDS], scratch: Default::default(), unknown }
    }
}

impl FieldSource for TableRow<'_, '_> {
    fn value(&self, field: Field) -> Option<RawRef<'_>> {
        let i = field as usize;
        Some(self.cells[i]?.raw(&self.scratch[i]))
    }

    fn unknown_fields(&self) -> &[String] {
        self.unknown
    }
}

/// The result of a table: the assessments its rows share, which one each row has, and each
/// row's amount. One row per input row, in input order.
#[derive(Debug, Clone)]
pub struct TableResult {
    /// The assessments the rows refer to: one per shape of claim, one per row assessed on its
    /// own (and one per row when the table went through the batch). An approved one holds its
    /// amount before the fee cap; a row's amount is in [`TableResult::fen`].
    pub shapes: Vec<Assessment>,
    /// Each row's assessment, an index into `shapes`.
    pub shape_of: Vec<u32>,
    /// Each row's amount in fen (zero unless approved).
    pub fen: Vec<i64>,
    /// The report.
    pub report: Report,
}

impl TableResult {
    /// Rows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.shape_of.len()
    }

    /// Whether there are no rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.shape_of.is_empty()
    }

    /// The assessment of row `row`, with its amount.
    #[must_use]
    pub fn assessment(&self, row: usize) -> Option<Assessment> {
        let mut a = self.shapes.get(*self.shape_of.get(row)? as usize)?.clone();
        a.amount = if a.status == Status::Approved { Decimal::new(*self.fen.get(row)?, 2) } else { Decimal::ZERO };
        Some(a)
    }

    /// A batch's result as a table's: one shape per row.
    fn from_batch(result: BatchResult) -> TableResult {
        let fen = result.assessments.iter().map(|a| i64::try_from(fen_of(a.amount)).unwrap_or(i64::MAX)).collect();
        TableResult { shape_of: (0..result.assessments.len() as u32).collect(), shapes: result.assessments, fen, report: result.report }
    }
}

impl Engine {
    /// Assesses a table of claims as one batch (no history, no applications): the same result
    /// as adding its rows to a [`Batch`](super::Batch) in order, each distinct shape of claim
    /// assessed once (see the module's documentation).
    #[must_use]
    pub fn assess_table(&self, table: &ClaimTable<'_>, mode: FieldMode) -> TableResult {
        self.table_by_shapes(table, mode).unwrap_or_else(|| self.table_by_rows(table, mode))
    }

    /// The table through [`Batch`](super::Batch), row by row.
    pub(crate) fn table_by_rows(&self, table: &ClaimTable<'_>, mode: FieldMode) -> TableResult {
        let mut batch = self.batch();
        batch.add_rows(table.rows(), mode, |i| table.row(i));
        TableResult::from_batch(batch.finish())
    }

    /// The table a shape at a time; `None` when checks 8–12 need the persons' claims together.
    pub(crate) fn table_by_shapes(&self, table: &ClaimTable<'_>, mode: FieldMode) -> Option<TableResult> {
        let checks = CheckRules::new(self);
        if checks.annual_claims == 0 {
            return None;
        }
        // The ids first: a table whose claim ids or persons repeat goes the batch's way before
        // any shape is assessed.
        let mut ids_read = Vec::new();
        for (index, chunk) in table.chunks.iter().enumerate() {
            ids_read.extend(crate::parallel::chunks(chunk.rows, |range| IdsRead::read(table, index, range)));
        }
        // Ids given twice: at a look for increasing integers, else by their hashes.
        for field in [Field::ClaimId, Field::PersonId] {
            fn ids(r: &IdsRead, field: Field) -> &Ids {
                if field == Field::ClaimId {
                    &r.claim_ids
                } else {
                    &r.persons
                }
            }
            if Ids::increasing(&ids_read.iter().map(|r| ids(r, field)).collect::<Vec<_>>()) {
                continue;
            }
            for read in &mut ids_read {
                let column = table.chunks[read.chunk].columns[field as usize];
                let ids = if field == Field::ClaimId { &mut read.claim_ids } else { &mut read.persons };
                if let Some(column) = column {
                    ids.hash(column, read.range.clone());
                }
            }
            if !Ids::distinct(&ids_read.iter().map(|r| ids(r, field)).collect::<Vec<_>>()) {
                return None;
            }
        }
        let rows = table.rows();
        let (mut shape_of, mut fen) = (vec![0u32; rows], vec![0i64; rows]);
        let mut parts = in_pieces(table, &mut shape_of, &mut fen, |index, start, shape_of, fen| {
            Part::read(self, table, index, start, shape_of, fen, mode, &ids_read)
        });
        drop(ids_read);
        // The parts' shapes as one list: each part's key field ids mapped to ids for the whole
        // table, then keys compared as ids.
        let mut shapes: Vec<Shape> = Vec::new();
        let mut fields: [Interned; KEY_FIELDS.len()] = Default::default();
        let mut global: MixMap<[u32; KEY], u32> = MixMap::default();
        let mut maps: Vec<Vec<u32>> = Vec::with_capacity(parts.len());
        for part in &mut parts {
            let ids: Vec<Vec<u32>> = part
                .fields
                .iter()
                .zip(&mut fields)
                .map(|(local, all)| {
                    local.values.iter().zip(&local.raws).map(|((tag, text), raw)| all.id(*tag, text, raw.as_raw_ref())).collect()
                })
                .collect();
            let mut map = Vec::with_capacity(part.shapes.len());
            for shape in std::mem::take(&mut part.shapes) {
                let key = shape.key.map(|mut key| {
                    for (k, ids) in key.iter_mut().zip(&ids) {
                        *k = ids.get(*k as usize).copied().unwrap_or(ABSENT);
                    }
                    key
                });
                let id = match key.as_ref().and_then(|k| global.get(k)) {
                    Some(&id) => id,
                    None => {
                        let id = shapes.len() as u32;
                        if let Some(key) = key {
                            global.insert(key, id);
                        }
                        shapes.push(shape);
                        id
                    }
                };
                map.push(id);
            }
            maps.push(map);
        }
        // Checks 8–12 for a lone claim, once per approved shape (they do not look at the amount).
        let mut scratch = self.batch();
        let mut entries = Vec::new();
        for (id, shape) in shapes.iter_mut().enumerate() {
            let (Some(claim), Some(program), Status::Approved) = (&shape.claim, shape.assessment.program, shape.assessment.status) else {
                continue;
            };
            let entry = scratch.entry(0, program, claim, shape.assessment.amount, None);
            if let Decision::Rejected(reason) = entry.decision {
                let a = &mut shape.assessment;
                a.status = Status::Rejected;
                a.reasons = Reasons::from(reason);
                a.amount = Decimal::ZERO;
                a.payment_month = None;
                a.estimate = None;
            } else {
                entries.push((id, entry));
            }
        }
        // Every row: its shape among all, its amount, and the shapes' counts and sums, on every
        // core (a piece of rows at a time, through the parts it overlaps).
        let approved: Vec<bool> = shapes.iter().map(|s| s.assessment.status == Status::Approved).collect();
        let mut counts = vec![(0u64, 0i128); shapes.len()];
        let pieces = in_pieces(table, &mut shape_of, &mut fen, |index, start, shape_of, fen| {
            let mut counts = vec![(0u64, 0i128); approved.len()];
            for (part, map) in parts.iter().zip(&maps).filter(|(p, _)| p.chunk == index) {
                let from = part.range.start.max(start);
                let to = part.range.end.min(start + shape_of.len());
                for k in from.saturating_sub(start)..to.saturating_sub(start) {
                    let id = map.get(shape_of[k] as usize).copied().unwrap_or_default();
                    shape_of[k] = id;
                    if !approved[id as usize] {
                        fen[k] = 0;
                    }
                    let c = &mut counts[id as usize];
                    c.0 += 1;
                    c.1 += i128::from(fen[k]);
                }
            }
            counts
        });
        for piece in pieces {
            for (c, p) in counts.iter_mut().zip(piece) {
                c.0 += p.0;
                c.1 += p.1;
            }
        }
        drop(parts);
        // An account that the claims would overdraw closes in the queue: that needs the queue.
        let mut committed = vec![0i128; self.rules.accounts.len()];
        for (id, entry) in &entries {
            if let Some(account) = entry.account.filter(|_| checks.special[usize::from(entry.program)]) {
                committed[usize::from(account)] += counts[*id].1;
            }
        }
        for (account, fen) in committed.into_iter().enumerate() {
            let Some(opening) = self.closing_balance(account) else { continue };
            if Decimal::try_from_i128_with_scale(fen, 2).map_or(true, |sum| sum > opening) {
                return None;
            }
        }
        let approved = entries.iter().filter(|(id, _)| counts[*id].0 > 0).map(|(id, entry)| Counted {
            entry,
            payment_month: shapes[*id].assessment.payment_month,
            count: counts[*id].0,
            fen: counts[*id].1,
        });
        let statuses = shapes.iter().zip(&counts).filter(|(_, c)| c.0 > 0).map(|(s, c)| (&s.assessment, c.0));
        let names = Names { districts: &scratch.districts, occupations: &scratch.occupations, projects: &scratch.projects };
        let report = build_report(self, &checks, &[], &[], names, &Closings::none(), statuses, approved);
        Some(TableResult { shapes: shapes.into_iter().map(|s| s.assessment).collect(), shape_of, fen, report })
    }
}

/// `f` on the rows of each chunk of the table, split in pieces across the cores: the chunk's
/// index, the piece's first row within the chunk, and the piece's rows of `shape_of` and `fen`.
fn in_pieces<T: Send>(
    table: &ClaimTable<'_>,
    shape_of: &mut [u32],
    fen: &mut [i64],
    f: impl Fn(usize, usize, &mut [u32], &mut [i64]) -> T + Sync,
) -> Vec<T> {
    let mut out = Vec::new();
    let (mut shapes_left, mut fen_left) = (shape_of, fen);
    for (index, chunk) in table.chunks.iter().enumerate() {
        let (shape_here, shape_rest) = std::mem::take(&mut shapes_left).split_at_mut(chunk.rows);
        let (fen_here, fen_rest) = std::mem::take(&mut fen_left).split_at_mut(chunk.rows);
        (shapes_left, fen_left) = (shape_rest, fen_rest);
        out.extend(crate::parallel::split_mut(shape_here, fen_here, |start, shape_of, fen| f(index, start, shape_of, fen)));
    }
    out
}

/// A key field's value as read: a kind tag and its text.
type KeyCell = (u8, CompactString);

/// The fields that make a claim's shape (every field but the ids and the fee paid, which are
/// read for each row), and two more places in a key: whether an enterprise and a fee are given.
const KEY_FIELDS: [Field; Field::COUNT - 4] = {
    // Field::ALL but the four read for each row, in order.
    let mut out = [Field::Program; Field::COUNT - 4];
    let (mut i, mut k) = (0, 0);
    while i < Field::ALL.len() {
        let field = Field::ALL[i];
        if !matches!(field, Field::ClaimId | Field::PersonId | Field::EnterpriseId | Field::FeePaid) {
            out[k] = field;
            k += 1;
        }
        i += 1;
    }
    out
};
const KEY: usize = KEY_FIELDS.len() + 2;
/// A key place for a column the table does not have.
const ABSENT: u32 = u32::MAX;

const TEXT: u8 = 1;

fn key_cell(raw: RawRef<'_>) -> (u8, &str) {
    match raw {
        RawRef::Null => (0, ""),
        RawRef::Text(s) => (TEXT, s),
        RawRef::Number(s) => (2, s),
        RawRef::Bool(b) => (3, if b { "true" } else { "false" }),
        RawRef::Other(kind) => (4, kind),
        RawRef::NotUtf8 => (5, ""),
    }
}

fn owned(raw: RawRef<'_>) -> RawValue {
    match raw {
        RawRef::Null => RawValue::Null,
        RawRef::Text(s) => RawValue::Text(s.to_string()),
        RawRef::Number(s) => RawValue::Number(s.to_string()),
        RawRef::Bool(b) => RawValue::Bool(b),
        RawRef::Other(kind) => RawValue::Other(kind),
        RawRef::NotUtf8 => RawValue::NotUtf8,
    }
}

/// A hasher that mixes every bit into the low ones: keys made of small ids differ in a few
/// bits, which FxHash would leave out of the bits a hash table indexes by.
#[derive(Default)]
struct Mix(u64);

impl Mix {
    #[inline]
    fn add(&mut self, word: u64) {
        // MurmurHash3's 64-bit finaliser.
        let mut x = self.0 ^ word;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^= x >> 33;
        self.0 = x.rotate_left(17);
    }
}

impl std::hash::Hasher for Mix {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
}

type MixMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<Mix>>;

/// One key field's values, as small ids (a part's, or the whole table's).
#[derive(Default)]
struct Interned {
    values: Vec<KeyCell>,
    /// The values as the claim's fields.
    raws: Vec<RawValue>,
    /// By a hash of the value: the first value seen with that hash (others, rare, in `ids`).
    by_hash: MixMap<u64, u32>,
    ids: FxHashMap<KeyCell, u32>,
    last: u32,
    /// Short texts' ids by their bytes, direct-mapped ([`CACHE`] slots, made on first use).
    cache: Vec<(Short, u32)>,
}

const CACHE: usize = 4096;

/// A text of at most 16 bytes as two words and its length (with its kind tag): equal exactly
/// when the texts are. The words are overlapping windows, so no byte is copied one by one.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Short {
    a: u64,
    b: u64,
    len: u16,
}

impl Short {
    const EMPTY: Short = Short { a: 0, b: 0, len: u16::MAX };

    #[inline]
    fn of(tag: u8, text: &str) -> Option<Short> {
        let s = text.as_bytes();
        let n = s.len();
        let word = |w: &[u8]| w.try_into().map_or(0, u64::from_le_bytes);
        let (a, b) = match n {
            0..=7 => (s.iter().enumerate().fold(0u64, |a, (i, &c)| a | u64::from(c) << (8 * i)), 0),
            8..=16 => (word(&s[..8]), word(&s[n - 8..])),
            _ => return None,
        };
        Some(Short { a, b, len: (n as u16) | u16::from(tag) << 8 })
    }

    #[inline]
    fn slot(self) -> usize {
        let x = (self.a ^ self.b.rotate_left(29) ^ u64::from(self.len)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (x >> 52) as usize % CACHE
    }
}

impl Interned {
    /// A text's id in a column that varies: through the cache by its bytes first.
    #[inline]
    fn varying(&mut self, text: &str) -> u32 {
        if let Some(short) = Short::of(TEXT, text) {
            if let Some((key, id)) = self.cache.get(short.slot()) {
                if *key == short {
                    return *id;
                }
            }
        }
        self.id(TEXT, text, RawRef::Text(text))
    }

    #[inline]
    fn text(&mut self, text: &str) -> u32 {
        if self.values.get(self.last as usize).is_some_and(|v| v.0 == TEXT && same(&v.1, text)) {
            return self.last;
        }
        self.id(TEXT, text, RawRef::Text(text))
    }

    fn raw(&mut self, raw: RawRef<'_>) -> u32 {
        let (tag, text) = key_cell(raw);
        self.id(tag, text, raw)
    }

    #[inline]
    fn id(&mut self, tag: u8, text: &str, raw: RawRef<'_>) -> u32 {
        let is = |v: &KeyCell| v.0 == tag && same(&v.1, text);
        // Columns often hold one value, or runs of one.
        if self.values.get(self.last as usize).is_some_and(is) {
            return self.last;
        }
        // Short text (codes, levels, dates) through a small cache by its bytes.
        if let Some(short) = Short::of(tag, text) {
            let slot = short.slot();
            if self.cache.is_empty() {
                self.cache = vec![(Short::EMPTY, 0); CACHE];
            }
            if self.cache[slot].0 == short {
                self.last = self.cache[slot].1;
                return self.last;
            }
            let id = self.lookup(tag, text, raw);
            self.cache[slot] = (short, id);
            self.last = id;
            return id;
        }
        let id = self.lookup(tag, text, raw);
        self.last = id;
        id
    }

    fn lookup(&mut self, tag: u8, text: &str, raw: RawRef<'_>) -> u32 {
        let is = |v: &KeyCell| v.0 == tag && same(&v.1, text);
        let h = hash(text) ^ u64::from(tag);
        match self.by_hash.get(&h) {
            Some(&id) if is(&self.values[id as usize]) => id,
            _ => self.slow_id(h, tag, text, raw),
        }
    }

    fn slow_id(&mut self, h: u64, tag: u8, text: &str, raw: RawRef<'_>) -> u32 {
        let key = (tag, CompactString::from(text));
        if let Some(&id) = self.ids.get(&key) {
            return id;
        }
        let id = self.values.len() as u32;
        self.values.push(key.clone());
        self.raws.push(owned(raw));
        self.ids.insert(key, id);
        self.by_hash.entry(h).or_insert(id);
        id
    }
}

/// Whether two texts are equal; short ones (codes, dates) compared as [`Short`]s, without a call.
#[inline]
fn same(a: &str, b: &str) -> bool {
    match (Short::of(0, a), Short::of(0, b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// A claim's id, person or enterprise as read.
enum Id {
    Absent,
    Int(i64),
    /// Valid text, by the hash of its trimmed text.
    Text(u64),
    /// Not valid: the hash of its trimmed text when it has text (an invalid claim's id still
    /// counts among the batch's ids; the batch compares an invalid claim's id untrimmed, so
    /// trimming can only find more ids given twice, which sends the table the batch's way).
    Bad(Option<u64>),
}

impl Id {
    fn valid(&self) -> bool {
        matches!(self, Id::Int(_) | Id::Text(_))
    }
}

/// Text as an id field reads it (`FieldReader::text`): empty is absent; blank, too long or with
/// control characters is not valid (a blank one still counts among a batch's ids).
fn text_id(s: &str) -> Id {
    if s.is_empty() {
        Id::Absent
    } else if s.len() > MAX_FIELD_BYTES || has_control(s) || s.trim().is_empty() {
        Id::Bad(Some(hash(s.trim())))
    } else {
        Id::Text(hash(s.trim()))
    }
}

fn read_id(column: &dyn ClaimColumn, row: usize, scratch: &mut CompactString) -> Id {
    if let Some(i) = column.integer(row) {
        return Id::Int(i);
    }
    let cell = column.cell(row, scratch);
    match cell.raw(scratch) {
        RawRef::Null => Id::Absent,
        RawRef::Text(s) => text_id(s),
        // A number is never absent (`FieldReader::present`): even empty, it is an id.
        RawRef::Number(s) if s.len() > MAX_FIELD_BYTES || has_control(s) => Id::Bad(Some(hash(s.trim()))),
        RawRef::Number(s) => Id::Text(hash(s.trim())),
        _ => Id::Bad(None),
    }
}

/// The fee paid as read from its text: whole fen, absent, or not valid (`None`).
fn read_fee(column: &dyn ClaimColumn, row: usize, scratch: &mut CompactString) -> Option<i64> {
    let cell = column.cell(row, scratch);
    match cell.raw(scratch) {
        RawRef::Null => Some(FEE_ABSENT),
        RawRef::Text(s) if s.trim().is_empty() => Some(FEE_ABSENT),
        RawRef::Text(s) | RawRef::Number(s) if s.len() <= MAX_FIELD_BYTES && !has_control(s) => {
            parse_money(s.trim()).ok().map(fen_of).and_then(|f| i64::try_from(f).ok())
        }
        _ => None,
    }
}

/// Whether each row of `rows` gives an enterprise (into `given`); a row whose enterprise does
/// not validate is marked `slow`.
fn read_enterprises<'c>(
    column: Option<&'c dyn ClaimColumn>,
    rows: Range<usize>,
    slow: &mut [bool],
    given: &mut Vec<bool>,
    ints: &mut Vec<i64>,
    texts: &mut Vec<&'c str>,
    scratch: &mut CompactString,
) {
    given.clear();
    let Some(column) = column else { return };
    ints.clear();
    if column.integers(rows.clone(), ints) && ints.len() == rows.len() {
        given.resize(rows.len(), true);
        return;
    }
    texts.clear();
    let mut mark = |k: usize, id: Id| {
        slow[k] |= matches!(id, Id::Bad(_));
        given.push(!matches!(id, Id::Absent));
    };
    if column.texts(rows.clone(), texts) && texts.len() == rows.len() {
        for (k, s) in texts.iter().enumerate() {
            mark(k, text_id(s));
        }
    } else {
        for (k, row) in rows.enumerate() {
            mark(k, read_id(column, row, scratch));
        }
    }
}

/// Each row's fee in fen (into `fees`): [`FEE_ABSENT`], or [`FEE_BAD`] for a row then marked
/// `slow`.
fn read_fees(column: Option<&dyn ClaimColumn>, rows: Range<usize>, slow: &mut [bool], fees: &mut Vec<i64>, scratch: &mut CompactString) {
    fees.clear();
    let Some(column) = column else { return };
    if !column.fens(rows.clone(), fees) || fees.len() != rows.len() {
        fees.clear();
        fees.extend(rows.clone().map(|row| column.fen(row).unwrap_or(-1)));
    }
    // Mostly none: a look without an early exit first.
    if !fees.iter().fold(false, |any, &f| any | (f < 0)) {
        return;
    }
    for (k, fee) in fees.iter_mut().enumerate().filter(|(_, f)| **f < 0) {
        *fee = read_fee(column, rows.start + k, scratch).unwrap_or(FEE_BAD);
        slow[k] |= *fee == FEE_BAD;
    }
}

/// A row's fee: absent.
const FEE_ABSENT: i64 = -1;
/// A row's fee: not valid money (the row is read on its own, for its errors).
const FEE_BAD: i64 = -2;

/// Ids of rows, for the test that none is given twice.
#[derive(Default)]
struct Ids {
    ints: usize,
    texts: usize,
    /// Integers given in strictly increasing order: distinct without a hash set.
    increasing: bool,
    first: Option<i64>,
    last: Option<i64>,
    /// The ids' hashes; left empty for increasing integers until [`Ids::hash`] asks.
    hashes: Vec<u64>,
    hashed: bool,
}

impl Ids {
    /// The ids of `rows` of a required id field; rows whose id is missing or not valid are marked
    /// `slow` (read on their own: they are invalid).
    fn read(column: Option<&dyn ClaimColumn>, rows: Range<usize>, slow: &mut [bool], scratch: &mut CompactString) -> Ids {
        let mut ids = Ids { increasing: true, hashed: true, ..Ids::default() };
        let Some(column) = column else {
            slow.fill(true);
            return ids;
        };
        // A column of integers: a look at their order, and their hashes only when out of order.
        if let Some(ints) = Ids::integers(column, rows.clone()) {
            return ints;
        }
        let mut texts = Vec::with_capacity(rows.len());
        if column.texts(rows.clone(), &mut texts) && texts.len() == rows.len() {
            for (k, s) in texts.into_iter().enumerate() {
                let id = text_id(s);
                slow[k] |= !id.valid();
                ids.push(&id);
            }
        } else {
            for (k, row) in rows.enumerate() {
                let id = read_id(column, row, scratch);
                slow[k] |= !id.valid();
                ids.push(&id);
            }
        }
        ids
    }

    /// The ids of a column of integers, a block at a time (`None` when a block is not all
    /// integers): their order, and their hashes only when they are not increasing.
    fn integers(column: &dyn ClaimColumn, rows: Range<usize>) -> Option<Ids> {
        let mut ids = Ids { increasing: true, ..Ids::default() };
        let mut block = Vec::with_capacity(BLOCK);
        for range in blocks(rows.clone()) {
            block.clear();
            if !column.integers(range.clone(), &mut block) || block.len() != range.len() {
                return None;
            }
            // Without an early exit, the look at the order is a few instructions a row.
            let after = |last: Option<i64>, first: Option<&i64>| last.zip(first).is_none_or(|(l, f)| l < *f);
            ids.increasing &= after(ids.last, block.first()) && block.windows(2).fold(true, |ok, w| ok & (w[0] < w[1]));
            ids.ints += block.len();
            ids.first = ids.first.or(block.first().copied());
            ids.last = block.last().copied().or(ids.last);
        }
        if !ids.increasing {
            ids.hash(column, rows);
        }
        Some(ids)
    }

    #[inline]
    fn order(&mut self, i: i64) {
        self.ints += 1;
        self.increasing &= self.last.is_none_or(|last| last < i);
        self.first = self.first.or(Some(i));
        self.last = Some(i);
    }

    /// The hashes of a column of integers, read again.
    fn hash(&mut self, column: &dyn ClaimColumn, rows: Range<usize>) {
        if !self.hashed {
            self.hashes.reserve(rows.len());
            let mut block = Vec::with_capacity(BLOCK);
            for range in blocks(rows.clone()) {
                block.clear();
                column.integers(range, &mut block);
                self.hashes.extend(block.iter().map(|&i| hash_int(i)));
            }
            self.hashed = true;
        }
    }

    fn push(&mut self, id: &Id) {
        match *id {
            Id::Int(i) => {
                self.order(i);
                self.hashes.push(hash_int(i));
            }
            Id::Text(h) | Id::Bad(Some(h)) => {
                self.texts += 1;
                self.hashes.push(h);
            }
            Id::Absent | Id::Bad(None) => {}
        }
    }

    /// Whether the parts' ids (in order) are strictly increasing integers: distinct at a look.
    fn increasing(parts: &[&Ids]) -> bool {
        let mut last: Option<i64> = None;
        parts.iter().all(|p| {
            let ok = p.texts == 0 && p.increasing && last.zip(p.first).is_none_or(|(l, f)| l < f);
            last = p.last.or(last);
            ok
        })
    }

    /// Whether no id is given twice across the parts (every part hashed). A hash shared by two
    /// ids counts as given twice: the batch then decides, comparing the ids themselves.
    fn distinct(parts: &[&Ids]) -> bool {
        let (ints, texts) = parts.iter().fold((0, 0), |(i, t), p| (i + p.ints, t + p.texts));
        if ints > 0 && texts > 0 {
            // Integers and text in one column (chunks of different types): compare as the batch does.
            return false;
        }
        let mut seen = FxHashSet::with_capacity_and_hasher(ints + texts, Default::default());
        parts.iter().flat_map(|p| &p.hashes).all(|h| seen.insert(*h))
    }
}

fn hash_int(i: i64) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(i)
}

/// A distinct assessment of a part: of a shape (its key of local ids), or of one row.
struct Shape {
    key: Option<[u32; KEY]>,
    /// The claim as read, when it was valid (for the batch's entry).
    claim: Option<Claim>,
    assessment: Assessment,
}

/// What a row needs of its shape: whether it is approved, whether the fee caps it, its amount.
#[derive(Clone, Copy)]
struct Hot {
    approved: bool,
    caps: bool,
    fen: i64,
}

/// A shape's fields: the key's values, placeholders for the ids, and (when a fee is given) a
/// fee that caps nothing.
struct ShapeSource<'t> {
    raw: RawClaim,
    unknown: &'t [String],
}

impl FieldSource for ShapeSource<'_> {
    fn value(&self, field: Field) -> Option<RawRef<'_>> {
        self.raw.value(field)
    }

    fn unknown_fields(&self) -> &[String] {
        self.unknown
    }
}

/// The largest amount of money (SPEC §4): a fee that caps no subsidy.
const NO_CAP: &str = "999999999999.99";

/// Where a part finds the shape of a key that is not in its [`Dense`] array: the last key, a
/// direct-mapped cache of recent keys, a map by the packed key, or (a key that does not pack) a
/// map by the key.
struct Finder {
    last: Option<(u128, u32)>,
    recent: Vec<(u128, u32)>,
    by_packed: MixMap<u128, u32>,
    by_key: MixMap<[u32; KEY], u32>,
}

impl Default for Finder {
    fn default() -> Finder {
        Finder { last: None, recent: vec![(0, NO_SHAPE); SHAPE_CACHE], by_packed: MixMap::default(), by_key: MixMap::default() }
    }
}

impl Finder {
    /// The shape of a key (packed when it packs), assessed when new.
    fn find(
        &mut self,
        part: &mut Part,
        engine: &Engine,
        table: &ClaimTable<'_>,
        mode: FieldMode,
        packed: Option<u128>,
        key_of: impl Fn() -> [u32; KEY],
    ) -> u32 {
        let Some(p) = packed else {
            let key = key_of();
            return match self.by_key.get(&key) {
                Some(&id) => id,
                None => {
                    let id = part.add_shape(engine, table, key, mode);
                    self.by_key.insert(key, id);
                    id
                }
            };
        };
        if let Some((q, id)) = self.last {
            if p == q {
                return id;
            }
        }
        let slot = ((p as u64 ^ (p >> 64) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 52) as usize % SHAPE_CACHE;
        let id = match self.recent.get(slot) {
            Some(&(key, id)) if key == p && id != NO_SHAPE => id,
            _ => {
                let id = match self.by_packed.get(&p) {
                    Some(&id) => id,
                    None => {
                        let id = part.add_shape(engine, table, key_of(), mode);
                        self.by_packed.insert(p, id);
                        id
                    }
                };
                if let Some(entry) = self.recent.get_mut(slot) {
                    *entry = (p, id);
                }
                id
            }
        };
        self.last = Some((p, id));
        id
    }
}

/// Bits of a [`Dense`] array's index at most (a million slots).
const DENSE_BITS: u32 = 20;

/// A part's shapes by their key as an index into a plain array: each key field's id in as many
/// bits as its values so far need, then the two flags. When a field outgrows its bits the array
/// is made again, larger, with the shapes known; past [`DENSE_BITS`] it is given up (keys are then
/// found by the [`Finder`] alone).
struct Dense {
    bits: Vec<u32>,
    table: Vec<u32>,
    on: bool,
    /// Each key field's largest id in a block (kept for the next block).
    most: Vec<u32>,
}

impl Dense {
    fn new(fields: usize) -> Dense {
        Dense { bits: vec![1; fields], table: vec![NO_SHAPE; 1 << (fields + 2)], on: true, most: Vec::with_capacity(fields) }
    }

    #[inline]
    fn at(&self, ids: impl Iterator<Item = u32>, flags: u32) -> Option<usize> {
        let mut index = 0usize;
        for (id, &bits) in ids.zip(&self.bits) {
            if id >> bits != 0 {
                return None;
            }
            index = (index << bits) | id as usize;
        }
        Some((index << 2) | flags as usize)
    }

    /// The slots of a block's keys, into `index` (the array grown first when one of the block's
    /// ids does not fit); false when the array is off. Computed a key field at a time over the
    /// whole block: a few instructions a row, without a branch.
    fn block(&mut self, ids: &[BlockIds], flags: &[u32], shapes: &[Shape], fields: &[usize], index: &mut Vec<u32>) -> bool {
        if !self.on {
            return false;
        }
        // An id fits when the block's largest does.
        let mut most = std::mem::take(&mut self.most);
        most.clear();
        most.extend(ids.iter().map(|v| v.constant.unwrap_or_else(|| v.rows.iter().copied().max().unwrap_or(0))));
        let fits = self.at(most.iter().copied(), 0).is_some() || self.grow(&most, shapes, fields);
        self.most = most;
        if !fits {
            return false;
        }
        index.clear();
        index.resize(flags.len(), 0);
        for (values, &bits) in ids.iter().zip(&self.bits) {
            match values.constant {
                Some(id) => index.iter_mut().for_each(|x| *x = (*x << bits) | id),
                None => index.iter_mut().zip(&values.rows).for_each(|(x, &id)| *x = (*x << bits) | id),
            }
        }
        index.iter_mut().zip(flags).for_each(|(x, &f)| *x = (*x << 2) | f);
        true
    }

    /// Makes the array again with enough bits for ids up to `most`, with the shapes known;
    /// false (and the array off) past [`DENSE_BITS`].
    fn grow(&mut self, most: &[u32], shapes: &[Shape], fields: &[usize]) -> bool {
        for (&id, bits) in most.iter().zip(&mut self.bits) {
            while *bits < 32 && id >> *bits != 0 {
                *bits += 1;
            }
        }
        let total = self.bits.iter().sum::<u32>() + 2;
        if total > DENSE_BITS {
            self.on = false;
            self.table = Vec::new();
            return false;
        }
        self.table = vec![NO_SHAPE; 1 << total];
        for (id, shape) in shapes.iter().enumerate() {
            let Some(key) = shape.key else { continue };
            let flags = key[KEY - 2] << 1 | key[KEY - 1];
            if let Some(at) = self.at(fields.iter().map(|f| key[*f]), flags) {
                self.table[at] = id as u32;
            }
        }
        true
    }
}

/// Slots of a part's direct-mapped cache of recent shape keys.
const SHAPE_CACHE: usize = 4096;
/// An empty slot.
const NO_SHAPE: u32 = u32::MAX;

/// Rows read a block at a time: the block's columns stay in the cache.
const BLOCK: usize = 4096;

/// `rows` in blocks of [`BLOCK`] rows (the last one shorter).
fn blocks(rows: Range<usize>) -> impl Iterator<Item = Range<usize>> {
    rows.clone().step_by(BLOCK).map(move |from| from..(from + BLOCK).min(rows.end))
}

/// The rows of one chunk of a table that one thread read.
struct Part {
    chunk: usize,
    range: Range<usize>,
    fields: [Interned; KEY_FIELDS.len()],
    shapes: Vec<Shape>,
    hot: Vec<Hot>,
}

/// The ids of a piece of a chunk's rows (read before anything else: a table whose persons or
/// claim ids repeat goes the batch's way at once), and which rows are read on their own.
struct IdsRead {
    chunk: usize,
    range: Range<usize>,
    claim_ids: Ids,
    persons: Ids,
    /// A missing or malformed claim id or person id.
    slow: Vec<bool>,
}

impl IdsRead {
    fn read(table: &ClaimTable<'_>, chunk: usize, range: Range<usize>) -> IdsRead {
        let column = |f: Field| table.chunks[chunk].columns[f as usize];
        let mut scratch = CompactString::default();
        let mut slow = vec![false; range.len()];
        let claim_ids = Ids::read(column(Field::ClaimId), range.clone(), &mut slow, &mut scratch);
        let persons = Ids::read(column(Field::PersonId), range.clone(), &mut slow, &mut scratch);
        IdsRead { chunk, range, claim_ids, persons, slow }
    }
}

/// A dictionary-encoded column's values, each given its id when a row first has it: a
/// dictionary may hold many values no row has (polars' categories are shared by every column).
struct Codes<'c> {
    values: Vec<&'c str>,
    ids: Vec<u32>,
}

/// A dictionary value no row has had yet.
const UNSEEN: u32 = u32::MAX - 1;

impl<'c> Codes<'c> {
    fn new(values: Vec<&'c str>) -> Codes<'c> {
        Codes { ids: vec![UNSEEN; values.len()], values }
    }

    #[inline]
    fn id(&mut self, code: u32, interned: &mut Interned) -> u32 {
        let code = code as usize;
        match self.ids.get(code) {
            Some(&id) if id != UNSEEN => id,
            _ => {
                let id = self.values.get(code).map_or(ABSENT, |value| interned.text(value));
                if let Some(slot) = self.ids.get_mut(code) {
                    *slot = id;
                }
                id
            }
        }
    }
}

/// A key field's ids in a block of rows: one for every row (`constant`), or one per row.
#[derive(Default)]
struct BlockIds {
    constant: Option<u32>,
    rows: Vec<u32>,
}

impl BlockIds {
    #[inline]
    fn get(&self, r: usize) -> u32 {
        match self.constant {
            Some(id) => id,
            None => self.rows.get(r).copied().unwrap_or(ABSENT),
        }
    }

    /// The ids of a block's dictionary codes; false, having read nothing, when a code is not one
    /// of the dictionary's.
    fn codes(&mut self, codes: &[u32], dictionary: &mut Codes<'_>, interned: &mut Interned) -> bool {
        if codes.iter().any(|&c| c as usize >= dictionary.values.len()) {
            return false;
        }
        self.rows.clear();
        self.constant = match codes.split_first() {
            Some((first, rest)) if rest.iter().all(|c| c == first) => Some(dictionary.id(*first, interned)),
            _ => {
                self.rows.extend(codes.iter().map(|&c| dictionary.id(c, interned)));
                None
            }
        };
        true
    }

    /// The ids of a block of rows of a key field's column: by the column's one text, its
    /// dictionary codes, its texts, or cell by cell.
    #[allow(clippy::too_many_arguments)]
    fn fill<'c>(
        &mut self,
        interned: &mut Interned,
        column: &'c dyn ClaimColumn,
        rows: Range<usize>,
        dictionary: Option<&mut Codes<'_>>,
        texts: &mut Vec<&'c str>,
        codes: &mut Vec<u32>,
        scratch: &mut CompactString,
    ) {
        if let Some(text) = column.same_text(rows.clone()) {
            self.rows.clear();
            self.constant = Some(interned.text(text));
            return;
        }
        codes.clear();
        if let Some(dictionary) = dictionary {
            if column.codes(rows.clone(), codes) && codes.len() == rows.len() && self.codes(codes, dictionary, interned) {
                return;
            }
        }
        texts.clear();
        if column.texts(rows.clone(), texts) && texts.len() == rows.len() {
            self.read(interned, texts);
            return;
        }
        self.constant = None;
        self.rows.clear();
        for row in rows {
            let cell = column.cell(row, scratch);
            self.rows.push(interned.raw(cell.raw(scratch)));
        }
    }

    /// The ids of a block's texts: one for a block of one value.
    fn read(&mut self, interned: &mut Interned, texts: &[&str]) {
        self.rows.clear();
        self.constant = match texts.split_first() {
            Some((first, rest)) if rest.iter().all(|s| same(s, first)) => Some(interned.text(first)),
            _ => {
                self.rows.extend(texts.iter().map(|s| interned.varying(s)));
                None
            }
        };
    }
}

/// A key packed in one integer: each present key field in `bits` bits, then the two flags.
struct Packing {
    fields: Vec<usize>,
    bits: u32,
}

impl Packing {
    fn new(fields: Vec<usize>) -> Packing {
        let bits = (126 / fields.len().max(1) as u32).min(32);
        Packing { fields, bits }
    }

    /// The packed key of row `r` of a block, if every id fits.
    #[inline]
    fn pack(&self, ids: &[BlockIds], r: usize, flags: u32) -> Option<u128> {
        let mut out = 0u128;
        for values in ids {
            let id = values.get(r);
            if self.bits < 32 && id >> self.bits != 0 {
                return None;
            }
            out = (out << self.bits) | u128::from(id);
        }
        Some((out << 2) | u128::from(flags))
    }
}

impl Part {
    /// Reads the rows of `chunk` from `start` on (as many as `shape_of` holds): the ids a column
    /// at a time, then a block at a time the fees and each key field as small ids, each row's
    /// shape by its key (each new shape assessed once) and its amount. Writes each row's shape
    /// (local) and amount.
    #[allow(clippy::too_many_arguments)]
    fn read(
        engine: &Engine,
        table: &ClaimTable<'_>,
        index: usize,
        start: usize,
        shape_of: &mut [u32],
        fen: &mut [i64],
        mode: FieldMode,
        ids_read: &[IdsRead],
    ) -> Part {
        let chunk = &table.chunks[index];
        let n = shape_of.len();
        let range = start..start + n;
        let column = |f: Field| chunk.columns[f as usize];
        let mut scratch = CompactString::default();
        // Rows read on their own: a missing or malformed id (as the ids were read), or fee.
        let mut slow = match ids_read.iter().find(|r| r.chunk == index && r.range == range) {
            Some(read) => read.slow.clone(),
            None => IdsRead::read(table, index, range.clone()).slow,
        };
        let mut part = Part { chunk: index, range: range.clone(), fields: Default::default(), shapes: Vec::new(), hot: Vec::new() };
        let keyed: Vec<(usize, &dyn ClaimColumn)> = KEY_FIELDS.iter().enumerate().filter_map(|(k, f)| column(*f).map(|c| (k, c))).collect();
        let packing = Packing::new(keyed.iter().map(|(k, _)| *k).collect());
        let (enterprise_column, fee_column) = (column(Field::EnterpriseId), column(Field::FeePaid));
        let mut ids: Vec<BlockIds> = keyed.iter().map(|_| BlockIds::default()).collect();
        let mut texts: Vec<&str> = Vec::with_capacity(BLOCK);
        let mut codes: Vec<u32> = Vec::with_capacity(BLOCK);
        // A dictionary-encoded column's values: its rows are then codes to look up.
        let mut dictionaries: Vec<Option<Codes<'_>>> = keyed.iter().map(|(_, c)| c.dictionary().map(Codes::new)).collect();
        let (mut given, mut fees, mut flags) = (Vec::with_capacity(BLOCK), Vec::with_capacity(BLOCK), Vec::with_capacity(BLOCK));
        let (mut ints, mut slots) = (Vec::with_capacity(BLOCK), Vec::with_capacity(BLOCK));
        let mut finder = Finder::default();
        let mut dense = Dense::new(keyed.len());
        for block in blocks(0..n) {
            let (from, to) = (block.start, block.end);
            let rows = range.start + from..range.start + to;
            let slow = &mut slow[from..to];
            read_enterprises(enterprise_column, rows.clone(), slow, &mut given, &mut ints, &mut texts, &mut scratch);
            read_fees(fee_column, rows.clone(), slow, &mut fees, &mut scratch);
            for (((k, c), out), dictionary) in keyed.iter().zip(&mut ids).zip(&mut dictionaries) {
                out.fill(&mut part.fields[*k], *c, rows.clone(), dictionary.as_mut(), &mut texts, &mut codes, &mut scratch);
            }
            // Each row's key: its fields' ids, and whether an enterprise and a fee are given.
            flags.clear();
            flags.extend((0..to - from).map(|r| {
                u32::from(given.get(r).copied().unwrap_or(false)) << 1 | u32::from(fees.get(r).is_some_and(|&f| f != FEE_ABSENT))
            }));
            // Each row's shape: from the array in one pass where it holds the key, else found
            // (and a new shape assessed once).
            let (shape_of, fen) = (&mut shape_of[from..to], &mut fen[from..to]);
            let by_slot = dense.block(&ids, &flags, &part.shapes, &packing.fields, &mut slots);
            if by_slot {
                shape_of.iter_mut().zip(&slots).for_each(|(id, &at)| *id = dense.table.get(at as usize).copied().unwrap_or(NO_SHAPE));
            } else {
                shape_of.fill(NO_SHAPE);
            }
            for (r, ((id, amount), &slow)) in shape_of.iter_mut().zip(fen.iter_mut()).zip(slow.iter()).enumerate() {
                let fee = fees.get(r).copied().unwrap_or(FEE_ABSENT);
                let mut found = None;
                if !slow {
                    if *id == NO_SHAPE {
                        // A key not seen before in this block (or one the array does not hold).
                        let flags = flags[r];
                        let key_of = || {
                            let mut key = [ABSENT; KEY];
                            for (f, values) in packing.fields.iter().zip(&ids) {
                                key[*f] = values.get(r);
                            }
                            key[KEY - 2] = flags >> 1;
                            key[KEY - 1] = flags & 1;
                            key
                        };
                        let mut find = |part: &mut Part| finder.find(part, engine, table, mode, packing.pack(&ids, r, flags), key_of);
                        *id = match slots.get(r).filter(|_| by_slot).and_then(|&at| Some((at, *dense.table.get(at as usize)?))) {
                            Some((at, NO_SHAPE)) => {
                                let id = find(&mut part);
                                if let Some(slot) = dense.table.get_mut(at as usize) {
                                    *slot = id;
                                }
                                id
                            }
                            Some((_, id)) => id,
                            None => find(&mut part),
                        };
                    }
                    let hot = part.hot[*id as usize];
                    let paid = if hot.caps && fee >= 0 { hot.fen.min(fee) } else { hot.fen };
                    // A fee of nothing leaves nothing to pay: the row is read on its own for that.
                    if !hot.approved || paid > 0 {
                        found = Some((*id, paid));
                    }
                }
                (*id, *amount) = found.unwrap_or_else(|| part.add_row(engine, table, chunk, rows.start + r, mode));
            }
        }
        part
    }

    /// Assesses a new shape: its fields, with placeholders for the ids and a fee that caps
    /// nothing.
    fn add_shape(&mut self, engine: &Engine, table: &ClaimTable<'_>, key: [u32; KEY], mode: FieldMode) -> u32 {
        let mut raw = RawClaim::default();
        for (k, field) in KEY_FIELDS.iter().enumerate() {
            if let Some(value) = self.fields[k].raws.get(key[k] as usize) {
                raw.set_field(*field, value.clone());
            }
        }
        raw.set_field(Field::ClaimId, RawValue::Text("0".into()));
        raw.set_field(Field::PersonId, RawValue::Text("0".into()));
        if key[KEY - 2] == 1 {
            raw.set_field(Field::EnterpriseId, RawValue::Text("0".into()));
        }
        if key[KEY - 1] == 1 {
            raw.set_field(Field::FeePaid, RawValue::Number(NO_CAP.into()));
        }
        let source = ShapeSource { raw, unknown: &table.unknown };
        self.push(engine.prepare(&source, mode, false), engine, Some(key))
    }

    /// Assesses one row on its own.
    fn add_row(&mut self, engine: &Engine, table: &ClaimTable<'_>, chunk: &Chunk<'_>, row: usize, mode: FieldMode) -> (u32, i64) {
        let source = TableRow::new(chunk, row, &table.unknown);
        let id = self.push(engine.prepare(&source, mode, false), engine, None);
        (id, self.hot[id as usize].fen)
    }

    fn push(&mut self, prepared: super::Prepared, engine: &Engine, key: Option<[u32; KEY]>) -> u32 {
        let (claim, assessment) = prepared.into_parts();
        let approved = assessment.status == Status::Approved;
        self.hot.push(Hot {
            approved,
            caps: claim.as_ref().is_some_and(|c| engine.fee_caps(c)),
            fen: if approved { i64::try_from(fen_of(assessment.amount)).unwrap_or(i64::MAX) } else { 0 },
        });
        self.shapes.push(Shape { key, claim, assessment });
        (self.shapes.len() - 1) as u32
    }
}
