//! A table's rows into a batch (SPEC §13): a block of rows read on every core while the block
//! before is added on the calling thread. A row's own fields — its ids, enterprise, dates and
//! fee — are read per row into columns of the part (an integer id or a fee in whole fen taken
//! from the column without text, a date column of one text read once a block; where every own
//! field is given so, a row costs its numbers written as text). Every other field — what its
//! shape and district depend on — is read once per group of rows with the same text, found a
//! column at a time (`group.rs`: a column of one text costs nothing, a dictionary-encoded one
//! its codes, a text or integer column a lookup a row); each group is then looked up among the
//! distinct texts met so far, where the rows are added, and each distinct text gives one claim
//! read and one shape per segment of the program's timeline. Adding a row then costs a lookup of
//! its shape among its text's and its raw entry (shared with the last row of its shape of the
//! same dates); its columns are appended a run of rows at a time.
//!
//! A part of a block whose rows fall into many groups (a realistic year: most rows a text of
//! their own) is read a row at a time on every core instead ([`ROWS_A_GROUP`]).
//!
//! A row is read whole by the batch's row path — which gives its errors, its trace or its
//! review — when one of its fields does not validate, when it is traced, or when its program is
//! assessed apart (an apprenticeship). The result is the row path's, to the fen (the tests of
//! `core/tests/table.rs` compare them).

use super::own::{self, OwnRows};
use super::{Chunk, ClaimTable, TableRow};
use crate::batch::rows::{FEE_ABSENT, NONE};
use crate::batch::shapes::Shapes;
use crate::batch::{Batch, Prepared, TraceScope};
use crate::calendar::Date;
use crate::claim::{Claim, Field, FieldMode, FieldSource, OwnFields, RawRef, RawValue};
use crate::engine::Engine;
use rustc_hash::FxHashMap;
use std::hash::{BuildHasher, Hasher};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

/// The fields rows share a claim by: every field but a row's own ([`OwnFields`]).
const SHARED: [Field; 10] = [
    Field::Program,
    Field::Group,
    Field::District,
    Field::Occupation,
    Field::Level,
    Field::Institution,
    Field::Months,
    Field::UiContributionMonths,
    Field::Project,
    Field::Evaluator,
];

/// Placeholders for the own fields when the shared ones are read as a claim.
const PLACEHOLDER_DATE: &str = "2000-01-01";

/// Rows read on every core at a time.
const BLOCK: usize = 1 << 16;

/// Adds the rows of a table to a batch, in order.
pub(super) fn add(batch: &mut Batch<'_>, table: &ClaimTable<'_>, mode: FieldMode) {
    let rows = table.rows();
    if matches!(batch.trace, TraceScope::All) {
        // Every row explained: each is read whole anyway.
        batch.add_rows(rows, mode, |i| table.row(i));
        return;
    }
    batch.reserve(rows);
    let unknown = &table.unknown;
    let dictionaries: Vec<[Option<Vec<&str>>; SHARED.len()]> =
        table.chunks.iter().map(|chunk| SHARED.map(|f| chunk.columns[f as usize].and_then(|c| c.dictionary()))).collect();
    let blocks: Vec<(usize, Range<usize>)> = (table.chunks.iter().enumerate())
        .flat_map(|(c, chunk)| (0..chunk.rows).step_by(BLOCK).map(move |start| (c, start..chunk.rows.min(start + BLOCK))))
        .collect();
    let engine = batch.engine;
    let mut keys = Keys::default();
    // Once a part of a large block fell into many groups, the parts after it are read a row at a
    // time without grouping first (a realistic year: grouping finds nothing to share). Parts of
    // one block read at once may or may not see it: the two ways give the same rows (the tests
    // of `core/tests/table.rs` compare them), so the result does not depend on which.
    let many = AtomicBool::new(false);
    // A block is read on every core while the one before is added on this thread.
    crate::parallel::pipeline(
        blocks.len(),
        |k| {
            let (c, block) = blocks[k].clone();
            crate::parallel::chunks(block.len(), |part| {
                let rows = block.start + part.start..block.start + part.end;
                read(engine, mode, &table.chunks[c], rows, &dictionaries[c], unknown, (&many, block.len()))
            })
        },
        |k, parts| {
            let chunk = &table.chunks[blocks[k].0];
            for part in parts {
                match part.read {
                    PartRead::Prepared(prepared) => batch.add_prepared_all(&prepared),
                    PartRead::Own(own) => push_part(batch, &mut keys, chunk, part.start, &own, mode, unknown),
                }
            }
        },
    );
}

/// Adds the rows of a part read as own fields and groups, in order.
fn push_part(batch: &mut Batch<'_>, keys: &mut Keys, chunk: &Chunk<'_>, start: usize, own: &OwnRows, mode: FieldMode, unknown: &[String]) {
    let keyed: Vec<u32> =
        own.groups.iter().map(|&(h, r)| keys.find_or_add(batch.engine, h, &TableRow::some(chunk, r, unknown, SHARED), mode)).collect();
    let mut enterprises = own.enterprises.iter().peekable();
    let mut run = Run::new(own.group.len());
    for (i, &group) in own.group.iter().enumerate() {
        let r = start + i;
        let enterprise = enterprises.next_if(|(k, _)| *k as usize == i).map(|(_, e)| e.as_str());
        let whole = |batch: &mut Batch<'_>, run: &mut Run| {
            run.flush(batch, own, i);
            batch.add_fields(&TableRow::new(chunk, r, unknown), mode);
        };
        // A group of none: one of its own fields does not validate.
        let Some(key) = keyed.get(group as usize).map(|&k| &mut keys.list[k as usize]) else {
            whole(batch, &mut run);
            continue;
        };
        let Some(shared) = &key.shared else {
            whole(batch, &mut run);
            continue;
        };
        let (event_date, applied_on, fen) = (own.event_date[i], own.applied_on[i], own.fen[i]);
        // Read again, rarely: a row assessed on its own, and the first row of a shape.
        let fields = || own::of_row(chunk, r, unknown);
        if key.apart || batch.trace.covers(own.claim_ids.get(i)) {
            match fields() {
                Some(fields) => {
                    run.flush(batch, own, i);
                    let claim = fields.into_claim(shared);
                    batch.push_claim(&claim, own.given_id(i).unwrap_or(&claim.claim_id));
                }
                None => whole(batch, &mut run),
            }
            continue;
        }
        let flags = u8::from(enterprise.is_some()) | u8::from(fen != FEE_ABSENT) << 1;
        match key.raws.of(batch, key.program, shared, (event_date, applied_on), flags, fields) {
            Some(raw) => {
                run.raws.push(raw);
                run.enterprises.push(batch.enterprises.opt(enterprise));
            }
            None => whole(batch, &mut run),
        }
    }
    run.flush(batch, own, own.group.len());
}

/// Rows of a part added by their shapes and not yet put into the batch: from `from`, each with
/// its raw entry and interned enterprise.
struct Run {
    from: usize,
    /// The part's ids given with spaces met so far.
    given: usize,
    raws: Vec<u32>,
    enterprises: Vec<u32>,
}

impl Run {
    fn new(n: usize) -> Run {
        Run { from: 0, given: 0, raws: Vec::with_capacity(n), enterprises: Vec::with_capacity(n) }
    }

    /// Puts the run into the batch; the next starts after row `at` (a row added on its own).
    fn flush(&mut self, batch: &mut Batch<'_>, own: &OwnRows, at: usize) {
        let range = self.from..self.from + self.raws.len();
        let first = batch.len();
        batch.push_shaped_rows((&own.claim_ids, &own.person_ids), range.clone(), (&own.person, &own.fen), &self.raws, &self.enterprises);
        // The ids given with spaces around them, as given (the part's, in row order: those before
        // the run were rows added on their own).
        let pending = &own.given_ids[self.given..];
        let end = pending.partition_point(|(i, _)| (*i as usize) < range.end);
        let taken = pending[..end].iter().filter(|(i, _)| *i as usize >= range.start);
        batch.given_ids.extend(taken.map(|(i, id)| ((first + *i as usize - range.start) as u32, id.clone())));
        self.given += end;
        self.raws.clear();
        self.enterprises.clear();
        self.from = at + 1;
    }
}

/// What the parallel read found of a part of a block.
struct Part {
    /// Its first row in its chunk.
    start: usize,
    read: PartRead,
}

/// A part of a block as read.
enum PartRead {
    /// Its rows' own fields, a column each, and its groups of rows with the same shared fields
    /// (boxed: one a part).
    Own(Box<OwnRows>),
    /// Its rows read whole where the part was read (a part of many groups).
    Prepared(Vec<Prepared>),
}

/// A part with more groups than one in this many rows is read a row at a time on every core
/// ([`Engine::prepare`]), as the row path reads it: each group would be looked up, and each new
/// text of the shared fields read as a claim, on the one thread that adds. A realistic year has
/// that many (the demo year: 109,575 texts in 300,000 rows, from 7–106 values a column); W1
/// about 2,050 in a part of 32,768 rows.
const ROWS_A_GROUP: usize = 4;

/// Rows of a block one of whose parts' many groups mean that the rest of the table is read a row
/// at a time.
const MANY_SEEN_IN: usize = 4096;

/// Reads rows `rows` of a chunk: their own fields row by row (what a column gives for the whole
/// block taken once), their shared fields once per group of rows with the same text.
fn read(
    engine: &Engine,
    mode: FieldMode,
    chunk: &Chunk<'_>,
    rows: Range<usize>,
    dictionaries: &[Option<Vec<&str>>],
    unknown: &[String],
    (many, block): (&AtomicBool, usize),
) -> Part {
    let whole = || {
        let prepared = rows.clone().map(|r| engine.prepare(&TableRow::new(chunk, r, unknown), mode)).collect();
        Part { start: rows.start, read: PartRead::Prepared(prepared) }
    };
    if many.load(Ordering::Relaxed) {
        return whole();
    }
    let (of_row, first): (Vec<u32>, Vec<usize>) = match super::group::group(chunk, rows.clone(), &SHARED, dictionaries) {
        Some(g) => (g.of_row, g.first.iter().map(|&i| rows.start + i as usize).collect()),
        // A column read cell by cell: each row its own group.
        None => ((0..rows.len() as u32).collect(), rows.clone().collect()),
    };
    // Many groups would cost a claim read each, on the thread that adds.
    if first.len() * ROWS_A_GROUP > rows.len() {
        // A few rows say little of the rest (the last rows of a chunk, say).
        if block >= MANY_SEEN_IN {
            many.store(true, Ordering::Relaxed);
        }
        return whole();
    }
    let groups = first.into_iter().map(|r| (key_hash(&TableRow::some(chunk, r, unknown, SHARED)), r)).collect();
    let own = OwnRows::read(chunk, rows.clone(), unknown, groups, &of_row);
    Part { start: rows.start, read: PartRead::Own(Box::new(own)) }
}

/// The raw entries of a distinct text's rows.
#[derive(Default)]
struct KeyRaws {
    /// The batch's id of its district (`NONE` until a row needs it, or when it has none).
    district: u32,
    /// Its shapes met so far: (whether an enterprise and a fee are given, the segment of the
    /// program's timeline, the shape).
    shapes: Vec<(u8, usize, u32)>,
}

impl KeyRaws {
    /// The raw entry of a row with these dates and flags, of program `program`, whose shared
    /// fields read as the claim `shared` (its shape found among the key's, or from its own fields
    /// `own` read again; the raw entry shared as [`Batch::raw_at`] shares it). `None` when its
    /// own fields no longer read.
    fn of(
        &mut self,
        batch: &mut Batch<'_>,
        program: Option<u16>,
        shared: &Claim,
        (event_date, applied_on): (Date, Date),
        flags: u8,
        own: impl FnOnce() -> Option<OwnFields>,
    ) -> Option<u32> {
        let engine = batch.engine;
        let segment = program.map_or(0, |p| engine.programs[usize::from(p)].segment_index(event_date));
        let shape = match self.shapes.iter().find(|s| s.0 == flags && s.1 == segment) {
            Some(s) => s.2,
            None => {
                let claim = own()?.into_claim(shared);
                let shape = batch.shapes.of(engine, &claim, &mut batch.occupations, &mut batch.projects);
                self.shapes.push((flags, segment, shape));
                shape
            }
        };
        if self.district == NONE {
            self.district = batch.districts.opt(shared.district.as_deref());
        }
        Some(batch.raw_at(shape, event_date, applied_on, self.district))
    }
}

/// The distinct texts of the shared fields met so far.
#[derive(Default)]
struct Keys {
    by_hash: FxHashMap<u64, Vec<u32>>,
    list: Vec<Key>,
}

/// One distinct text of the shared fields.
struct Key {
    values: [Option<RawValue>; SHARED.len()],
    /// The claim these fields give with placeholder ids and dates and neither enterprise nor
    /// fee, or `None` when one of them does not validate.
    shared: Option<Claim>,
    /// Its program's index in the engine, when known.
    program: Option<u16>,
    /// Assessed on its own (an apprenticeship), not by its shape.
    apart: bool,
    /// Its rows' raw entries.
    raws: KeyRaws,
}

impl Keys {
    fn find(&self, h: u64, row: &TableRow<'_, '_>) -> Option<u32> {
        self.by_hash.get(&h)?.iter().copied().find(|&k| self.list[k as usize].is(row))
    }

    fn find_or_add(&mut self, engine: &Engine, h: u64, row: &TableRow<'_, '_>, mode: FieldMode) -> u32 {
        if let Some(key) = self.find(h, row) {
            return key;
        }
        let values = SHARED.map(|f| row.value(f).map(owned));
        let source = SharedFields { values: &values, unknown: row.unknown_fields() };
        let shared = Claim::read(&source, mode).ok();
        let program = shared.as_ref().and_then(|c| engine.program_index.get(c.program.as_str()));
        let apart = shared.as_ref().is_some_and(|claim| Shapes::apart(engine, claim));
        let key = self.list.len() as u32;
        self.list.push(Key { values, shared, program, apart, raws: KeyRaws { district: NONE, ..KeyRaws::default() } });
        self.by_hash.entry(h).or_default().push(key);
        key
    }
}

impl Key {
    fn is(&self, row: &TableRow<'_, '_>) -> bool {
        SHARED.iter().zip(&self.values).all(|(&f, v)| match (v, row.value(f)) {
            (None, None) => true,
            (Some(v), Some(r)) => v.as_raw_ref() == r,
            _ => false,
        })
    }
}

/// The shared fields of a row with placeholder ids and dates, as a claim's field source.
struct SharedFields<'a> {
    values: &'a [Option<RawValue>; SHARED.len()],
    unknown: &'a [String],
}

impl FieldSource for SharedFields<'_> {
    fn value(&self, field: Field) -> Option<RawRef<'_>> {
        match field {
            Field::ClaimId | Field::PersonId => Some(RawRef::Text("0")),
            Field::EventDate | Field::AppliedOn => Some(RawRef::Text(PLACEHOLDER_DATE)),
            f => SHARED.iter().position(|&g| g == f).and_then(|i| self.values[i].as_ref()).map(RawValue::as_raw_ref),
        }
    }

    fn unknown_fields(&self) -> &[String] {
        self.unknown
    }
}

fn owned(r: RawRef<'_>) -> RawValue {
    match r {
        RawRef::Text(s) => RawValue::Text(s.to_string()),
        RawRef::Number(s) => RawValue::Number(s.to_string()),
        RawRef::Bool(b) => RawValue::Bool(b),
        RawRef::Null => RawValue::Null,
        RawRef::Other(kind) => RawValue::Other(kind),
        RawRef::NotUtf8 => RawValue::NotUtf8,
    }
}

/// A hash of a row's shared fields, each by its kind and text.
fn key_hash(row: &TableRow<'_, '_>) -> u64 {
    let mut h = rustc_hash::FxBuildHasher.build_hasher();
    for f in SHARED {
        match row.value(f) {
            None => h.write_u8(0),
            Some(RawRef::Text(s)) => {
                h.write_u8(1);
                h.write(s.as_bytes());
                h.write_usize(s.len());
            }
            Some(RawRef::Number(s)) => {
                h.write_u8(2);
                h.write(s.as_bytes());
                h.write_usize(s.len());
            }
            Some(RawRef::Bool(b)) => h.write_u8(3 + u8::from(b)),
            Some(RawRef::Null) => h.write_u8(5),
            Some(RawRef::Other(kind)) => {
                h.write_u8(6);
                h.write(kind.as_bytes());
            }
            Some(RawRef::NotUtf8) => h.write_u8(7),
        }
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_and_own_fields_are_every_field_once() {
        let mut all: Vec<Field> = SHARED.iter().chain(own::OWN_TEXT.iter()).copied().collect();
        all.sort_by_key(|f| *f as usize);
        assert_eq!(all, Field::ALL.to_vec());
    }
}
