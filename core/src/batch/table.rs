//! Claims given as columns (a data frame, a table): a batch (SPEC §7.2) computed a shape at a
//! time.
//!
//! A year of claims repeats itself: a few hundred occupations, seven levels, a program or two,
//! the days of a year. What checks 1–7 decide of a claim depends only on its *shape* — every
//! field but its ids and the fee paid — and the fee only caps the amount: `min(amount, fee)`,
//! which commutes with the one rounding because a fee is whole fen. So each distinct shape is
//! assessed once, by the same engine call as any claim, and a row costs reading its cells, a
//! lookup and a minimum. When no two eligible claims share a person, and no account would run
//! out, checks 8–12 decide each claim alone ([`CheckRules::lone`]): the batch's decisions are
//! then the shapes' decisions too.
//!
//! A row the shortcut does not cover (an id or a fee that does not validate, a fee of nothing)
//! is assessed on its own; a table the shortcut does not cover (a person with several claims,
//! an id given twice, an account that runs out, no claim allowed a year) goes through
//! [`Batch`] row by row. The result is the same either way, to the fen; the tests compare them.

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
/// frames' arrays). The two shortcuts let a column of integers or of money skip the text.
pub trait ClaimColumn: Sync {
    /// The cell at `row`; a number or a date may be written into `scratch`.
    fn cell(&self, row: usize, scratch: &mut CompactString) -> ColumnCell<'_>;

    /// The cell as a whole number, when the column holds integers and the cell is not null.
    fn integer(&self, _row: usize) -> Option<i64> {
        None
    }

    /// The cell as an amount in whole fen, when it is a number whose text (as [`Self::cell`]
    /// gives it) is money in whole fen: a shortcut that must agree with reading that text.
    fn fen(&self, _row: usize) -> Option<i64> {
        None
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

/// The result of a table: the distinct assessments, which one each row has, and each row's
/// amount. One row per input row, in input order.
#[derive(Debug, Clone)]
pub struct TableResult {
    /// The distinct assessments. An approved one holds its amount before the fee cap; a row's
    /// amount is in [`TableResult::fen`].
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
        a.amount = Decimal::new(self.fen[row], 2);
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
        let mut parts = Vec::new();
        for chunk in &table.chunks {
            let read = crate::parallel::chunks(chunk.rows, |range| Part::read(self, table, chunk, range, mode));
            parts.extend(read);
        }
        if !Ids::distinct(parts.iter().map(|p| &p.claim_ids)) || !Ids::distinct(parts.iter().map(|p| &p.persons)) {
            return None;
        }
        // The parts' shapes as one list.
        let mut shapes: Vec<Shape> = Vec::new();
        let mut global: FxHashMap<Vec<KeyCell>, u32> = FxHashMap::default();
        let mut maps: Vec<Vec<u32>> = Vec::with_capacity(parts.len());
        for part in &mut parts {
            let mut map = Vec::with_capacity(part.shapes.len());
            for shape in std::mem::take(&mut part.shapes) {
                let key = shape.key.map(|key| part.owned_key(&key));
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
            let entry = scratch.entry(0, program, claim, shape.assessment.amount);
            if let Decision::Rejected(reason) = entry.decision {
                let a = &mut shape.assessment;
                a.status = Status::Rejected;
                a.reasons = Reasons::from(reason);
                a.amount = Decimal::ZERO;
                a.payment_month = None;
            } else {
                entries.push((id, entry));
            }
        }
        // Every row: its shape, its amount, and the shapes' counts and sums.
        let rows = table.rows();
        let (mut shape_of, mut fen) = (Vec::with_capacity(rows), Vec::with_capacity(rows));
        let mut counts = vec![(0u64, 0i128); shapes.len()];
        for (part, map) in parts.iter().zip(&maps) {
            for (&local, &amount) in part.rows.iter().zip(&part.fen) {
                let id = map[local as usize];
                let paid = if shapes[id as usize].assessment.status == Status::Approved { amount } else { 0 };
                let c = &mut counts[id as usize];
                c.0 += 1;
                c.1 += i128::from(paid);
                shape_of.push(id);
                fen.push(paid);
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
        for (account, fen) in self.rules.accounts.iter().zip(committed) {
            let opening = self.base_values[account.opening_balance.0 as usize].number();
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
        let names = Names { districts: &scratch.districts, occupations: &scratch.occupations };
        let report = build_report(self, &checks, &[], &[], names, &Closings::none(), statuses, approved);
        Some(TableResult { shapes: shapes.into_iter().map(|s| s.assessment).collect(), shape_of, fen, report })
    }
}

/// A key field's value as read: a kind tag and its text.
type KeyCell = (u8, CompactString);

/// The fields that make a claim's shape (every field but the ids and the fee paid, which are
/// read for each row), and two more places in a key: whether an enterprise and a fee are given.
const KEY_FIELDS: [Field; 11] = [
    Field::Program,
    Field::Group,
    Field::District,
    Field::Occupation,
    Field::Level,
    Field::EventDate,
    Field::AppliedOn,
    Field::Institution,
    Field::Months,
    Field::UiContributionMonths,
    Field::Project,
];
const KEY: usize = KEY_FIELDS.len() + 2;
/// A key place for a column the table does not have.
const ABSENT: u32 = u32::MAX;

fn key_cell(raw: RawRef<'_>) -> (u8, &str) {
    match raw {
        RawRef::Null => (0, ""),
        RawRef::Text(s) => (1, s),
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

/// One key field's values seen by a part, as small ids.
#[derive(Default)]
struct Interned {
    values: Vec<KeyCell>,
    /// The values as the claim's fields.
    raws: Vec<RawValue>,
    ids: FxHashMap<KeyCell, u32>,
    last: u32,
}

impl Interned {
    fn id(&mut self, raw: RawRef<'_>) -> u32 {
        let (tag, text) = key_cell(raw);
        // Columns often hold one value, or runs of one.
        if self.values.get(self.last as usize).is_some_and(|v| v.0 == tag && v.1 == text) {
            return self.last;
        }
        let key = (tag, CompactString::from(text));
        let id = match self.ids.get(&key) {
            Some(&id) => id,
            None => {
                let id = self.values.len() as u32;
                self.values.push(key.clone());
                self.raws.push(owned(raw));
                self.ids.insert(key, id);
                id
            }
        };
        self.last = id;
        id
    }
}

/// A claim's id or person as read for the test that no two rows share one.
enum Id {
    Absent,
    Int(i64),
    /// Valid text, by the hash of its trimmed text.
    Text(u64),
    /// Not valid: the hash of its trimmed text when it has text (an invalid claim's id still
    /// counts among the batch's ids).
    Bad(Option<u64>),
}

fn read_id(column: Option<&dyn ClaimColumn>, row: usize, scratch: &mut CompactString) -> Id {
    let Some(column) = column else { return Id::Absent };
    if let Some(i) = column.integer(row) {
        return Id::Int(i);
    }
    let cell = column.cell(row, scratch);
    match cell.raw(scratch) {
        RawRef::Null => Id::Absent,
        RawRef::Text("") => Id::Absent,
        // Missing, but a batch still counts its text among the ids given.
        RawRef::Text(s) | RawRef::Number(s) if s.len() > MAX_FIELD_BYTES || has_control(s) || s.trim().is_empty() => {
            Id::Bad(Some(hash(s.trim())))
        }
        RawRef::Text(s) | RawRef::Number(s) => Id::Text(hash(s.trim())),
        _ => Id::Bad(None),
    }
}

/// The fee paid as read.
enum Fee {
    Absent,
    Fen(i64),
    /// Not valid money: the row is read on its own, for its errors.
    Bad,
}

fn read_fee(column: Option<&dyn ClaimColumn>, row: usize, scratch: &mut CompactString) -> Fee {
    let Some(column) = column else { return Fee::Absent };
    if let Some(fen) = column.fen(row) {
        return Fee::Fen(fen);
    }
    let cell = column.cell(row, scratch);
    match cell.raw(scratch) {
        RawRef::Null => Fee::Absent,
        RawRef::Text(s) if s.trim().is_empty() => Fee::Absent,
        RawRef::Text(s) | RawRef::Number(s) if s.len() <= MAX_FIELD_BYTES && !has_control(s) => {
            match parse_money(s.trim()).map(fen_of).map(i64::try_from) {
                Ok(Ok(fen)) => Fee::Fen(fen),
                _ => Fee::Bad,
            }
        }
        _ => Fee::Bad,
    }
}

/// Ids of rows, for the test that none is given twice.
#[derive(Default)]
struct Ids {
    ints: usize,
    texts: usize,
    /// Integers given in strictly increasing order (then distinct without a hash set).
    increasing: bool,
    first: Option<i64>,
    last: Option<i64>,
    hashes: Vec<u64>,
}

impl Ids {
    fn new() -> Ids {
        Ids { increasing: true, ..Ids::default() }
    }

    fn push(&mut self, id: &Id) {
        match *id {
            Id::Int(i) => {
                self.ints += 1;
                self.increasing &= self.last.is_none_or(|last| last < i);
                self.first = self.first.or(Some(i));
                self.last = Some(i);
                self.hashes.push(hash_int(i));
            }
            Id::Text(h) | Id::Bad(Some(h)) => {
                self.texts += 1;
                self.hashes.push(h);
            }
            Id::Absent | Id::Bad(None) => {}
        }
    }

    /// Whether no id is given twice across the parts (in order). A hash shared by two ids
    /// counts as given twice: the batch then decides, comparing the ids themselves.
    fn distinct<'p>(parts: impl Iterator<Item = &'p Ids> + Clone) -> bool {
        let (ints, texts) = parts.clone().fold((0, 0), |(i, t), p| (i + p.ints, t + p.texts));
        if ints > 0 && texts > 0 {
            // Integers and text in one column (chunks of different types): compare as the batch does.
            return false;
        }
        let mut last: Option<i64> = None;
        let increasing = parts.clone().all(|p| {
            let ok = p.increasing && last.zip(p.first).is_none_or(|(l, f)| l < f);
            last = p.last.or(last);
            ok
        });
        if texts == 0 && increasing {
            return true;
        }
        let mut seen = FxHashSet::with_capacity_and_hasher(ints + texts, Default::default());
        parts.flat_map(|p| &p.hashes).all(|h| seen.insert(*h))
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
    /// Whether the fee caps the amount.
    caps: bool,
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

/// The rows of one chunk of a table that one thread read.
struct Part {
    fields: [Interned; KEY_FIELDS.len()],
    shapes: Vec<Shape>,
    by_key: FxHashMap<[u32; KEY], u32>,
    /// Per row: its shape (local) and amount in fen.
    rows: Vec<u32>,
    fen: Vec<i64>,
    claim_ids: Ids,
    /// The persons of the eligible claims.
    persons: Ids,
}

impl Part {
    fn read(engine: &Engine, table: &ClaimTable<'_>, chunk: &Chunk<'_>, range: Range<usize>, mode: FieldMode) -> Part {
        let mut part = Part {
            fields: Default::default(),
            shapes: Vec::new(),
            by_key: FxHashMap::default(),
            rows: Vec::with_capacity(range.len()),
            fen: Vec::with_capacity(range.len()),
            claim_ids: Ids::new(),
            persons: Ids::new(),
        };
        let column = |f: Field| chunk.columns[f as usize];
        let keyed: Vec<(usize, &dyn ClaimColumn)> = KEY_FIELDS.iter().enumerate().filter_map(|(k, f)| column(*f).map(|c| (k, c))).collect();
        let mut scratch = CompactString::default();
        let mut key = [ABSENT; KEY];
        let mut last: Option<([u32; KEY], u32)> = None;
        for row in range {
            let claim_id = read_id(column(Field::ClaimId), row, &mut scratch);
            let person = read_id(column(Field::PersonId), row, &mut scratch);
            let enterprise = read_id(column(Field::EnterpriseId), row, &mut scratch);
            let fee = read_fee(column(Field::FeePaid), row, &mut scratch);
            part.claim_ids.push(&claim_id);
            let valid_ids = matches!(claim_id, Id::Int(_) | Id::Text(_))
                && matches!(person, Id::Int(_) | Id::Text(_))
                && !matches!(enterprise, Id::Bad(_));
            let by_shape = valid_ids && !matches!(fee, Fee::Bad);
            let mut found = None;
            if by_shape {
                for &(k, c) in &keyed {
                    let cell = c.cell(row, &mut scratch);
                    key[k] = part.fields[k].id(cell.raw(&scratch));
                }
                key[KEY - 2] = u32::from(!matches!(enterprise, Id::Absent));
                key[KEY - 1] = u32::from(!matches!(fee, Fee::Absent));
                let id = match last {
                    Some((k, id)) if k == key => id,
                    _ => match part.by_key.get(&key) {
                        Some(&id) => id,
                        None => part.add_shape(engine, table, key, mode),
                    },
                };
                last = Some((key, id));
                let shape = &part.shapes[id as usize];
                let a = &shape.assessment;
                let amount = if a.status == Status::Approved { i64::try_from(fen_of(a.amount)).unwrap_or(i64::MAX) } else { 0 };
                let amount = match fee {
                    Fee::Fen(fee) if shape.caps => amount.min(fee),
                    _ => amount,
                };
                // A fee of nothing leaves nothing to pay: the row is read on its own for that.
                if a.status != Status::Approved || amount > 0 {
                    found = Some((id, amount));
                }
            }
            let (id, amount) = found.unwrap_or_else(|| part.add_row(engine, table, chunk, row, mode));
            if part.shapes[id as usize].assessment.status == Status::Approved {
                part.persons.push(&person);
            }
            part.rows.push(id);
            part.fen.push(amount);
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
        let id = self.push(engine.prepare(&source, mode, false), engine, Some(key));
        self.by_key.insert(key, id);
        id
    }

    /// Assesses one row on its own.
    fn add_row(&mut self, engine: &Engine, table: &ClaimTable<'_>, chunk: &Chunk<'_>, row: usize, mode: FieldMode) -> (u32, i64) {
        let source = TableRow::new(chunk, row, &table.unknown);
        let id = self.push(engine.prepare(&source, mode, false), engine, None);
        let a = &self.shapes[id as usize].assessment;
        (id, i64::try_from(fen_of(a.amount)).unwrap_or(i64::MAX))
    }

    fn push(&mut self, prepared: super::Prepared, engine: &Engine, key: Option<[u32; KEY]>) -> u32 {
        let (claim, assessment) = prepared.into_parts();
        let caps = claim.as_ref().is_some_and(|c| engine.fee_caps(c));
        self.shapes.push(Shape { key, claim, assessment, caps });
        (self.shapes.len() - 1) as u32
    }

    /// A key of local ids as the values themselves (to merge the parts' shapes).
    fn owned_key(&self, key: &[u32; KEY]) -> Vec<KeyCell> {
        let mut out: Vec<KeyCell> = KEY_FIELDS
            .iter()
            .enumerate()
            .map(|(k, _)| self.fields[k].values.get(key[k] as usize).cloned().unwrap_or((u8::MAX, CompactString::default())))
            .collect();
        out.push((u8::MAX, CompactString::from(key[KEY - 2].to_string())));
        out.push((u8::MAX, CompactString::from(key[KEY - 1].to_string())));
        out
    }
}
