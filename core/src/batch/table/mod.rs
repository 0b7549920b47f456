//! Claims given as columns (a data frame, a table): the batch's rows read a column and a block
//! at a time, each column through the shortcuts it offers ([`ClaimColumn`]).

mod group;
mod own;
mod read;

use super::rows::hash;
use super::Batch;
use crate::claim::{Field, FieldMode, FieldSource, RawRef};
use compact_str::CompactString;
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

const FIELDS: usize = Field::COUNT;

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
/// assert_eq!(result.status(1), Status::Approved);
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
        match self.locate(row) {
            Some((chunk, r)) => TableRow::new(chunk, r, &self.unknown),
            None => TableRow::empty(&self.unknown),
        }
    }

    /// The chunk holding `row`, and the row within it.
    fn locate(&self, row: usize) -> Option<(&Chunk<'a>, usize)> {
        let chunk = self.chunks.get(self.chunks.partition_point(|c| c.start + c.rows <= row))?;
        Some((chunk, row - chunk.start))
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

    /// Only the cells of `fields` (the others read as absent), with the chunk and row.
    fn some(chunk: &Chunk<'a>, row: usize, unknown: &'t [String], fields: impl IntoIterator<Item = Field>) -> TableRow<'a, 't> {
        let mut out = TableRow::empty(unknown);
        for f in fields {
            let i = f as usize;
            if let Some(column) = chunk.columns[i] {
                out.cells[i] = Some(column.cell(row, &mut out.scratch[i]));
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

/// Adds the rows of a table to a batch.
pub(super) fn add(batch: &mut Batch<'_>, table: &ClaimTable<'_>, mode: FieldMode) {
    read::add(batch, table, mode);
}

/// Rows whose claim id another row of the batch also has (ids compared whole where their hashes
/// meet; an empty id is no id).
pub(super) fn duplicate_rows(batch: &Batch<'_>) -> Vec<u32> {
    let n = batch.rows.len();
    let hashes: Vec<u64> = crate::parallel::chunks(n, |range| {
        range
            .map(|r| {
                let id = batch.claim_id(r as u32);
                if id.is_empty() {
                    0
                } else {
                    hash(&id) | 1
                }
            })
            .collect::<Vec<u64>>()
    })
    .concat();
    // Most ids occur once: only those that may not are sorted by hash, and compared where their
    // hashes meet.
    let repeats = super::keys::Repeats::new(&hashes, &[]);
    let mut sorted: Vec<u64> = hashes.iter().copied().filter(|&h| h != 0 && repeats.maybe(h)).collect();
    super::keys::sort_keys(&mut sorted, |h| (h >> 60) as usize);
    let shared: std::collections::BTreeSet<u64> = sorted.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect();
    if shared.is_empty() {
        return Vec::new();
    }
    let mut by_hash: rustc_hash::FxHashMap<u64, Vec<u32>> = rustc_hash::FxHashMap::default();
    for (r, h) in hashes.iter().enumerate().filter(|(_, h)| shared.contains(h)) {
        by_hash.entry(*h).or_default().push(r as u32);
    }
    let mut out = Vec::new();
    for rows in by_hash.values() {
        let ids: Vec<String> = rows.iter().map(|&r| batch.claim_id(r).into_owned()).collect();
        for (k, &r) in rows.iter().enumerate() {
            if ids.iter().enumerate().any(|(j, id)| j != k && *id == ids[k]) {
                out.push(r);
            }
        }
    }
    out.sort_unstable();
    out
}
