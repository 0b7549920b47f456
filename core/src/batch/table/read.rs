//! A table's rows into a batch (SPEC §13): a block of rows read on every core. A row's own
//! fields — its ids, enterprise, dates and fee — are read per row (an integer id or a fee in
//! whole fen taken from the column without text, a date column of one text read once a block).
//! Every other field — what its shape and district depend on — is read once per group of rows
//! with the same text, found a column at a time (`group.rs`: a column of one text costs nothing,
//! a dictionary-encoded one its codes); each group is looked up among the distinct texts met so
//! far, and each distinct text gives one claim read and one shape per segment of the program's
//! timeline. A row then costs its own fields, its group, a lookup of its shape among its text's
//! and its raw entry (shared with the last row of its shape of the same dates).
//!
//! A part of a block whose rows fall into many groups not met before (a realistic year: most
//! rows a text of their own) is read a row at a time on every core instead ([`ROWS_A_GROUP`]).
//!
//! A row is read whole by the batch's row path — which gives its errors, its trace or its
//! review — when one of its fields does not validate, when it is traced, or when its program is
//! assessed apart (an apprenticeship). The result is the row path's, to the fen (the tests of
//! `core/tests/table.rs` compare them).

use super::{Chunk, ClaimTable, TableRow};
use crate::batch::rows::{hash, NONE};
use crate::batch::shapes::Shapes;
use crate::batch::{Batch, Prepared, TraceScope};
use crate::calendar::Date;
use crate::claim::{read_date, Claim, Field, FieldMode, FieldSource, GivenFields, OwnFields, RawRef, RawValue};
use crate::engine::Engine;
use compact_str::ToCompactString;
use rustc_hash::FxHashMap;
use std::hash::{BuildHasher, Hasher};
use std::ops::Range;

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

/// A row's own fields that are read from its text (the ids and the fee may come as numbers).
const OWN_TEXT: [Field; 6] = [Field::ClaimId, Field::PersonId, Field::EnterpriseId, Field::EventDate, Field::AppliedOn, Field::FeePaid];

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
    let mut keys = Keys::default();
    for chunk in &table.chunks {
        let dictionaries = SHARED.map(|f| chunk.columns[f as usize].and_then(|c| c.dictionary()));
        for start in (0..chunk.rows).step_by(BLOCK) {
            let len = BLOCK.min(chunk.rows - start);
            let engine = batch.engine;
            let parts = crate::parallel::chunks(len, |part| {
                read(engine, mode, chunk, start + part.start..start + part.end, &dictionaries, &keys, unknown)
            });
            for part in parts {
                let keyed: Vec<u32> = part
                    .groups
                    .into_iter()
                    .map(|g| match g {
                        Group::Known(key) => key,
                        Group::New(h, r) => keys.find_or_add(batch.engine, h, &TableRow::some(chunk, r, unknown, SHARED), mode),
                    })
                    .collect();
                for (r, read) in (part.start..).zip(part.rows) {
                    match read {
                        Read::Own(group, own, person) => {
                            let key = &mut keys.list[keyed[group as usize] as usize];
                            push(batch, key, own, person, || TableRow::new(chunk, r, unknown), mode);
                        }
                        Read::Whole => batch.add_fields(&TableRow::new(chunk, r, unknown), mode),
                        Read::Prepared(prepared) => batch.add_prepared(&prepared),
                    }
                }
            }
        }
    }
}

/// What the parallel read found of a part of a block.
struct Part {
    /// Its first row in its chunk.
    start: usize,
    /// Each row's read.
    rows: Vec<Read>,
    /// The groups of its rows with the same shared fields.
    groups: Vec<Group>,
}

/// A row as read.
enum Read {
    /// Its group, its own fields and its person's hash.
    Own(u32, OwnFields, u64),
    /// One of its own fields does not validate.
    Whole,
    /// Read whole where the part was read (a part of many groups).
    Prepared(Prepared),
}

/// A part with more groups than one in this many rows is read a row at a time on every core
/// ([`Engine::prepare`]), as the row path reads it: each new text of the shared fields would be read
/// as a claim on the one thread that adds, and kept. A realistic year has that many (the demo
/// year: 109,575 texts in 300,000 rows, from 7–106 values a column), W1 a few hundred.
const ROWS_A_GROUP: usize = 4;

/// Rows with the same shared fields.
enum Group {
    /// Their key, met before this block.
    Known(u32),
    /// Not met before this block: the hash of their shared fields and their first row.
    New(u64, usize),
}

/// Reads rows `rows` of a chunk: their own fields row by row (what a column gives for the whole
/// block taken once), their shared fields once per group of rows with the same text.
#[allow(clippy::too_many_arguments)]
fn read(
    engine: &Engine,
    mode: FieldMode,
    chunk: &Chunk<'_>,
    rows: Range<usize>,
    dictionaries: &[Option<Vec<&str>>],
    keys: &Keys,
    unknown: &[String],
) -> Part {
    let (of_row, first): (Vec<u32>, Vec<usize>) = match super::group::group(chunk, rows.clone(), &SHARED, dictionaries) {
        Some(g) => (g.of_row, g.first.iter().map(|&i| rows.start + i as usize).collect()),
        // A column read cell by cell: each row its own group.
        None => ((0..rows.len() as u32).collect(), rows.clone().collect()),
    };
    let groups: Vec<Group> = first
        .into_iter()
        .map(|r| {
            let shared = TableRow::some(chunk, r, unknown, SHARED);
            let h = key_hash(&shared);
            keys.find(h, &shared).map_or(Group::New(h, r), Group::Known)
        })
        .collect();
    // Groups met before this block cost nothing more a row; many new ones, a claim read each.
    let new = groups.iter().filter(|g| matches!(g, Group::New(..))).count();
    if new * ROWS_A_GROUP > rows.len() {
        let prepared = rows.clone().map(|r| Read::Prepared(engine.prepare(&TableRow::new(chunk, r, unknown), mode))).collect();
        return Part { start: rows.start, rows: prepared, groups: Vec::new() };
    }
    let given = Given::read(chunk, rows.clone());
    let reads = rows
        .clone()
        .zip(of_row)
        .enumerate()
        .map(|(i, (r, group))| match own_fields(chunk, r, unknown, given.at(chunk, i, r)) {
            Some(own) => {
                let person = hash(&own.person_id);
                Read::Own(group, own, person)
            }
            None => Read::Whole,
        })
        .collect();
    Part { start: rows.start, rows: reads, groups }
}

/// What the columns of a row's own fields give for a whole block: integer ids and fees in fen a
/// block at a time, a date column of one text read once.
struct Given {
    claim_ids: Vec<i64>,
    person_ids: Vec<i64>,
    fens: Vec<i64>,
    event_date: Option<Date>,
    applied_on: Option<Date>,
}

impl Given {
    fn read(chunk: &Chunk<'_>, rows: Range<usize>) -> Given {
        let column = |f: Field| chunk.columns[f as usize];
        let integers = |f: Field| {
            let mut out = Vec::new();
            if !column(f).is_some_and(|c| c.integers(rows.clone(), &mut out)) {
                out.clear();
            }
            out
        };
        let mut fens = Vec::new();
        if !column(Field::FeePaid).is_some_and(|c| c.fens(rows.clone(), &mut fens)) {
            fens.clear();
        }
        let date = |f: Field| column(f).and_then(|c| c.same_text(rows.clone())).and_then(|text| read_date(f, RawRef::Text(text)));
        Given {
            claim_ids: integers(Field::ClaimId),
            person_ids: integers(Field::PersonId),
            fens,
            event_date: date(Field::EventDate),
            applied_on: date(Field::AppliedOn),
        }
    }

    /// The given fields of the block's `i`-th row, row `r` of the chunk (the columns asked row by
    /// row where the block gave nothing).
    fn at(&self, chunk: &Chunk<'_>, i: usize, r: usize) -> GivenFields {
        let column = |f: Field| chunk.columns[f as usize];
        let id =
            |block: &[i64], f: Field| block.get(i).copied().or_else(|| column(f).and_then(|c| c.integer(r))).map(|n| n.to_compact_string());
        let fee_fen = match self.fens.get(i) {
            Some(&fen) => (fen >= 0).then_some(fen),
            // A negative value is not money (ClaimColumn::fen): its text is read, as a block's.
            None => column(Field::FeePaid).and_then(|c| c.fen(r)).filter(|&fen| fen >= 0),
        };
        GivenFields {
            claim_id: id(&self.claim_ids, Field::ClaimId),
            person_id: id(&self.person_ids, Field::PersonId),
            fee_fen,
            event_date: self.event_date,
            applied_on: self.applied_on,
        }
    }
}

/// A row's own fields, those in `given` taken as they are.
fn own_fields(chunk: &Chunk<'_>, r: usize, unknown: &[String], given: GivenFields) -> Option<OwnFields> {
    let mut text = OWN_TEXT.into_iter().filter(|&f| {
        chunk.columns[f as usize].is_some()
            && match f {
                Field::ClaimId => given.claim_id.is_none(),
                Field::PersonId => given.person_id.is_none(),
                Field::FeePaid => given.fee_fen.is_none(),
                Field::EventDate => given.event_date.is_none(),
                Field::AppliedOn => given.applied_on.is_none(),
                _ => true,
            }
    });
    match text.next() {
        // Nothing left to read from the row (the usual case of a frame with typed columns).
        None => OwnFields::read(&NoFields(unknown), given),
        Some(first) => OwnFields::read(&TableRow::some(chunk, r, unknown, std::iter::once(first).chain(text)), given),
    }
}

/// Adds a row whose shared fields are `key`'s.
fn push<'t>(batch: &mut Batch<'_>, key: &mut Key, own: OwnFields, person: u64, row: impl Fn() -> TableRow<'t, 't>, mode: FieldMode) {
    let Some(shared) = &key.shared else {
        batch.add_fields(&row(), mode);
        return;
    };
    if key.apart || batch.trace.covers(&own.claim_id) {
        let claim = own.into_claim(shared);
        batch.push_claim(&claim, &claim.claim_id);
        return;
    }
    let flags = u8::from(own.enterprise_id.is_some()) | u8::from(own.fee_paid.is_some()) << 1;
    let raw = key.raws.of(batch, key.program, shared, &own, flags);
    batch.push_shaped(&own.claim_id, &own.person_id, person, own.enterprise_id.as_deref(), own.fee_paid, raw);
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
    /// The raw entry of a row with these own fields and flags, of program `program`, whose shared
    /// fields read as the claim `shared` (its shape found among the key's; the raw entry shared as
    /// [`Batch::raw_at`] shares it).
    fn of(&mut self, batch: &mut Batch<'_>, program: Option<u16>, shared: &Claim, own: &OwnFields, flags: u8) -> u32 {
        let engine = batch.engine;
        let segment = program.map_or(0, |p| engine.programs[usize::from(p)].segment_index(own.event_date));
        let shape = match self.shapes.iter().find(|s| s.0 == flags && s.1 == segment) {
            Some(s) => s.2,
            None => {
                let claim = own.clone().into_claim(shared);
                let shape = batch.shapes.of(engine, &claim, &mut batch.occupations, &mut batch.projects);
                self.shapes.push((flags, segment, shape));
                shape
            }
        };
        if self.district == NONE {
            self.district = batch.districts.opt(shared.district.as_deref());
        }
        batch.raw_at(shape, own.event_date, own.applied_on, self.district)
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

/// A row none of whose fields is read.
struct NoFields<'u>(&'u [String]);

impl FieldSource for NoFields<'_> {
    fn value(&self, _: Field) -> Option<RawRef<'_>> {
        None
    }

    fn unknown_fields(&self) -> &[String] {
        self.0
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
        let mut all: Vec<Field> = SHARED.iter().chain(OWN_TEXT.iter()).copied().collect();
        all.sort_by_key(|f| *f as usize);
        assert_eq!(all, Field::ALL.to_vec());
    }
}
