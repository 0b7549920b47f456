//! A part's own fields — each row's ids, enterprise, dates and fee — read into columns (`read.rs`
//! reads the rest of a row once per group of rows with the same text). What a column gives
//! without text is taken as it is: integer ids and fees in whole fen a block at a time, a date
//! column of one text read once; a row whose own fields are all given so costs its numbers
//! written as text.

use super::{Chunk, TableRow};
use crate::batch::rows::{hash, TextArena, FEE_ABSENT};
use crate::calendar::Date;
use crate::claim::{read_date, Field, FieldSource, GivenFields, OwnFields, RawRef};
use compact_str::{CompactString, ToCompactString};
use std::ops::Range;

/// A row's own fields that are read from its text (the ids and the fee may come as numbers).
pub(super) const OWN_TEXT: [Field; 6] =
    [Field::ClaimId, Field::PersonId, Field::EnterpriseId, Field::EventDate, Field::AppliedOn, Field::FeePaid];

/// A row's group when one of its own fields does not validate (it is read whole).
const WHOLE: u32 = u32::MAX;

/// The own fields of a part's rows, a column each (a row that is read whole holds placeholders).
#[derive(Default)]
pub(super) struct OwnRows {
    /// The groups of its rows with the same shared fields: the hash of those fields and the
    /// group's first row.
    pub(super) groups: Vec<(u64, usize)>,
    /// Each row's group, or [`WHOLE`].
    pub(super) group: Vec<u32>,
    pub(super) claim_ids: TextArena,
    pub(super) person_ids: TextArena,
    /// Each person id's hash.
    pub(super) person: Vec<u64>,
    /// The rows with an enterprise (their place in the part) and its id, in row order.
    pub(super) enterprises: Vec<(u32, CompactString)>,
    pub(super) event_date: Vec<Date>,
    pub(super) applied_on: Vec<Date>,
    /// The fee in fen, or [`FEE_ABSENT`].
    pub(super) fen: Vec<i64>,
    /// The rows whose claim id was given with spaces around it (their place in the part), and
    /// the id as given (a record shows it so; the checks compare it trimmed), in row order.
    pub(super) given_ids: Vec<(u32, CompactString)>,
}

impl OwnRows {
    /// The own fields of rows `rows` of a chunk, whose groups are `groups` (each row's in `of_row`).
    pub(super) fn read(chunk: &Chunk<'_>, rows: Range<usize>, unknown: &[String], groups: Vec<(u64, usize)>, of_row: &[u32]) -> OwnRows {
        let given = Given::read(chunk, rows.clone());
        let mut own = OwnRows::with_capacity(rows.len(), groups);
        let numbers = given.numbers(chunk, rows.len());
        for (i, (r, &group)) in rows.zip(of_row).enumerate() {
            match numbers.and_then(|dates| Some((dates, given.fen_at(chunk, i)?))) {
                Some((dates, fen)) => own.push_numbers(group, (given.claim_ids[i], given.person_ids[i]), dates, fen),
                None => {
                    let fields = own_fields(chunk, r, unknown, given.at(chunk, i, r));
                    if let Some(as_given) = fields.as_ref().and_then(|f| id_as_given(chunk, r, &f.claim_id)) {
                        own.given_ids.push((i as u32, as_given));
                    }
                    own.push(group, fields);
                }
            }
        }
        own
    }

    /// The claim id of the part's `i`-th row as given, where it differs from the trimmed one.
    pub(super) fn given_id(&self, i: usize) -> Option<&str> {
        let k = self.given_ids.binary_search_by_key(&(i as u32), |g| g.0).ok()?;
        Some(self.given_ids[k].1.as_str())
    }

    fn with_capacity(n: usize, groups: Vec<(u64, usize)>) -> OwnRows {
        let mut out = OwnRows {
            groups,
            group: Vec::with_capacity(n),
            person: Vec::with_capacity(n),
            event_date: Vec::with_capacity(n),
            applied_on: Vec::with_capacity(n),
            fen: Vec::with_capacity(n),
            ..OwnRows::default()
        };
        out.claim_ids.reserve(n, n * 8);
        out.person_ids.reserve(n, n * 8);
        out
    }

    /// A row whose own fields are numbers: its ids as integers, its dates, its fee in fen (or
    /// [`FEE_ABSENT`]), as [`OwnFields::read`] would give them.
    fn push_numbers(&mut self, group: u32, (claim_id, person_id): (i64, i64), (event_date, applied_on): (Date, Date), fen: i64) {
        self.group.push(group);
        self.claim_ids.push_integer(claim_id);
        self.person_ids.push_integer(person_id);
        self.person.push(hash(self.person_ids.get(self.group.len() - 1)));
        self.event_date.push(event_date);
        self.applied_on.push(applied_on);
        self.fen.push(fen);
    }

    fn push(&mut self, group: u32, own: Option<OwnFields>) {
        let Some(own) = own else {
            self.group.push(WHOLE);
            self.claim_ids.push("");
            self.person_ids.push("");
            self.person.push(0);
            self.event_date.push(Date::MIN);
            self.applied_on.push(Date::MIN);
            self.fen.push(FEE_ABSENT);
            return;
        };
        self.group.push(group);
        self.claim_ids.push(&own.claim_id);
        self.person_ids.push(&own.person_id);
        self.person.push(hash(&own.person_id));
        if let Some(e) = own.enterprise_id {
            self.enterprises.push(((self.group.len() - 1) as u32, e));
        }
        self.event_date.push(own.event_date);
        self.applied_on.push(own.applied_on);
        self.fen.push(crate::batch::add::fen(own.fee_paid));
    }
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

    /// The block's dates when its rows' own fields are all given without text — both ids as
    /// integers, the dates once for the block, no enterprise column — but for the fee
    /// ([`Given::fen_at`]): each row's own fields are then its numbers as they are.
    fn numbers(&self, chunk: &Chunk<'_>, rows: usize) -> Option<(Date, Date)> {
        let plain = self.claim_ids.len() == rows
            && self.person_ids.len() == rows
            && rows > 0
            && chunk.columns[Field::EnterpriseId as usize].is_none();
        plain.then_some((self.event_date?, self.applied_on?))
    }

    /// The fee in fen of the block's `i`-th row when its column gives it without text: none
    /// (`FEE_ABSENT`) when there is no fee column, `None` when its text must be read.
    fn fen_at(&self, chunk: &Chunk<'_>, i: usize) -> Option<i64> {
        match chunk.columns[Field::FeePaid as usize] {
            None => Some(FEE_ABSENT),
            Some(_) => self.fens.get(i).copied().filter(|&fen| fen >= 0),
        }
    }

    /// What the columns give of row `r` alone (asked row by row, as [`Given::at`] asks a row the
    /// block gave nothing for).
    fn row(chunk: &Chunk<'_>, r: usize) -> GivenFields {
        let none = Given { claim_ids: Vec::new(), person_ids: Vec::new(), fens: Vec::new(), event_date: None, applied_on: None };
        none.at(chunk, usize::MAX, r)
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

/// Row `r`'s claim id as its column gives it, when that differs from `trimmed` (the id read).
fn id_as_given(chunk: &Chunk<'_>, r: usize, trimmed: &str) -> Option<CompactString> {
    let mut scratch = CompactString::default();
    let cell = chunk.columns[Field::ClaimId as usize]?.cell(r, &mut scratch);
    match cell.raw(&scratch) {
        RawRef::Text(given) | RawRef::Number(given) if given.len() != trimmed.len() => Some(CompactString::from(given)),
        _ => None,
    }
}

/// Row `r`'s own fields read on their own, as a block reads them; `None` when one does not
/// validate.
pub(super) fn of_row(chunk: &Chunk<'_>, r: usize, unknown: &[String]) -> Option<OwnFields> {
    own_fields(chunk, r, unknown, Given::row(chunk, r))
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
