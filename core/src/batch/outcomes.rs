//! A batch's rows' outcomes: the few distinct assessments the rows share, each row's, and how
//! many rows each (SPEC §7.3). A row decided by its shape has the outcome its record shows — its
//! shape's assessment, its window, its decision and its month of payment — found a row at a time
//! by shape ([`ByShape`]) and made once for each distinct record ([`Shown`]).

use super::entries::{refused, Ordered};
use super::result::{paid, shares_raws};
use super::rows::{Raw, APPROVED, NONE, NOT_ELIGIBLE};
use super::Batch;
use crate::assessment::Assessment;
use crate::calendar::YearMonth;
use crate::reasons::{Reason, Reasons, Status};
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

/// The rows' outcomes found by shape: each shape's first few in one place beside its payment lag
/// and with their counts of rows, so that a row's lookup reads one place of memory (a year has
/// tens of thousands of shapes: a map's lookup, the shape's lag and the outcome's count were
/// three misses of the cache a row); a shape's further outcomes in a map.
struct ByShape {
    places: Vec<Place>,
    more: FxHashMap<(u32, u64), (u32, u64)>,
}

/// Outcomes of a shape kept in place.
const IN_PLACE: usize = 3;

#[derive(Clone, Copy)]
struct Place {
    /// Months between the month of application and the month of payment.
    lag: u32,
    /// Each outcome's key within its shape ([`ByShape::key`]), its id (`NONE`: none yet) and its
    /// rows.
    keys: [u64; IN_PLACE],
    ids: [u32; IN_PLACE],
    rows: [u64; IN_PLACE],
}

impl ByShape {
    fn new(batch: &Batch<'_>) -> ByShape {
        let place = |lag| Place { lag, keys: [0; IN_PLACE], ids: [NONE; IN_PLACE], rows: [0; IN_PLACE] };
        ByShape { places: batch.shapes.list.iter().map(|s| place(s.payment_lag)).collect(), more: FxHashMap::default() }
    }

    /// What tells a row's outcome from the others of its shape: its decision (the low byte), and
    /// its month of payment when approved, else its window (the bits above: they never overlap
    /// the decision, and the two kinds differ in it).
    fn key(lag: u32, raw: &Raw, decision: u8) -> u64 {
        // A row outside its window is never approved (`Batch::decide_claim`).
        debug_assert!(decision != APPROVED || raw.window.is_empty());
        let above = if decision == APPROVED { month_number(YearMonth::of(raw.applied_on).plus(lag)) } else { raw.window.bits() };
        (u64::from(above) << 8) | u64::from(decision)
    }

    /// The outcome of a row of raw entry `raw` decided `decision`, counted once more; `new` makes
    /// it when it is the first.
    fn count(&mut self, raw: &Raw, decision: u8, new: impl FnOnce() -> u32) -> u32 {
        let place = &mut self.places[raw.shape as usize];
        let key = ByShape::key(place.lag, raw, decision);
        for k in 0..IN_PLACE {
            if place.ids[k] == NONE {
                (place.keys[k], place.ids[k], place.rows[k]) = (key, new(), 1);
                return place.ids[k];
            }
            if place.keys[k] == key {
                place.rows[k] += 1;
                return place.ids[k];
            }
        }
        let (id, rows) = self.more.entry((raw.shape, key)).or_insert_with(|| (new(), 0));
        *rows += 1;
        *id
    }

    /// Adds the rows counted here to each outcome's count.
    fn add_counts(self, counts: &mut [u64]) {
        let in_place = self.places.iter().flat_map(|p| p.ids.into_iter().zip(p.rows)).filter(|&(id, _)| id != NONE);
        for (id, rows) in in_place.chain(self.more.into_values()) {
            if let Some(count) = counts.get_mut(id as usize) {
                *count += rows;
            }
        }
    }
}

/// A row's month of payment: the month of `applied_on` plus its shape's payment lag.
pub(super) fn payment_month(batch: &Batch<'_>, raw: &Raw) -> YearMonth {
    YearMonth::of(raw.applied_on).plus(batch.shapes.list[raw.shape as usize].payment_lag)
}

/// A month as one number that orders as months do (0 for none).
fn month_number(m: YearMonth) -> u32 {
    u32::try_from(i64::from(m.year()) * 12 + i64::from(m.month())).unwrap_or(0)
}

/// What a row's record shows of its shape's assessment (not invalid) once decided `decision`:
/// its status, its reasons and its month of payment.
fn decided(batch: &Batch<'_>, raw: &Raw, decision: u8) -> (Status, Reasons, Option<YearMonth>) {
    let a = batch.shapes.assessment(raw.shape);
    debug_assert!(a.status != Status::Invalid);
    match (decision, refused(decision)) {
        (APPROVED, _) => (a.status, a.reasons, Some(payment_month(batch, raw))),
        (_, Some(reason)) => (Status::Rejected, reason.into(), a.payment_month),
        _ => (Status::Rejected, Reasons::from_bits(a.reasons.bits() | raw.window.bits()), a.payment_month),
    }
}

/// The assessment of a row by its shape, its window and its decision, without its amount (a
/// shape's has none; each row's own is in fen).
fn by_shape(batch: &Batch<'_>, raw: &Raw, decision: u8) -> Assessment {
    let mut a = Assessment::clone(batch.shapes.assessment(raw.shape));
    if a.status != Status::Invalid {
        (a.status, a.reasons, a.payment_month) = decided(batch, raw, decision);
    }
    a
}

/// What tells apart the records of rows decided by their shapes, besides their ids and amounts:
/// the program and catalogue version (the engine names them), the status, the reasons and the
/// month of payment. A year's rows fall into hundreds of thousands of (shape, decision, month)
/// but a few hundred of these (the demo year 349): an outcome is made (cloned and named) once
/// for each. The fields are listed by hand: debug builds check that each outcome found so equals
/// the one its row would have made (`records`).
#[derive(PartialEq, Eq, Hash)]
struct Shown {
    program: u16,
    version: Option<crate::engine::compile::VersionRef>,
    status: Status,
    reasons: Reasons,
    payment_month: Option<YearMonth>,
}

impl Shown {
    /// What the record of a row of raw entry `raw` decided `decision` shows; `None` where its
    /// shape's assessment holds more than these (field errors, an unknown program): such rows
    /// share an outcome only with rows of their own shape.
    fn of(batch: &Batch<'_>, raw: &Raw, decision: u8) -> Option<Shown> {
        let a = batch.shapes.assessment(raw.shape);
        let plain = a.errors.is_empty() && a.claim_id.is_empty() && a.trace.is_none() && a.estimate.is_none();
        let program = a.program_index.filter(|_| plain && a.status != Status::Invalid)?;
        let (status, reasons, payment_month) = decided(batch, raw, decision);
        Some(Shown { program, version: a.version, status, reasons, payment_month })
    }
}

/// The assessment a row has from checks 1–7 alone (before the cross-claim checks).
pub(super) fn outcome_of(batch: &Batch<'_>, row: u32) -> Assessment {
    let raw = batch.rows.raw[row as usize];
    if raw == NONE {
        return batch.own.get(&row).cloned().unwrap_or_else(|| Assessment::invalid(Vec::new()));
    }
    let decision = batch.rows.decision[row as usize];
    let d = if decision == Reason::NothingToPay as u8 { decision } else { NOT_ELIGIBLE };
    by_shape(batch, &batch.raws[raw as usize], if decision == APPROVED { APPROVED } else { d })
}

/// Applies a row's decision to its own assessment (an apprenticeship, a traced claim).
fn own_outcome(a: &Assessment, decision: u8, paid: i64) -> Assessment {
    let mut a = a.clone();
    match (decision, refused(decision)) {
        (APPROVED, _) => a.amount = Decimal::new(paid, 2),
        (_, Some(reason)) if a.status == Status::Approved || reason == Reason::NeedsReview => {
            a.status = Status::Rejected;
            a.reasons = reason.into();
            a.amount = Decimal::ZERO;
            a.payment_month = None;
            a.estimate = None;
        }
        _ => {}
    }
    a
}

/// Every row's outcome: the distinct assessments the rows share, how many rows each, and each
/// row's (`fen` the fee column after pass 3).
pub(super) fn records(batch: &Batch<'_>, ordered: &Ordered, fen: &[i64]) -> (Vec<Assessment>, Vec<u64>, Vec<u32>) {
    let mut outcomes: Vec<Assessment> = Vec::new();
    let mut counts: Vec<u64> = Vec::new();
    let mut outcome_of = Vec::with_capacity(fen.len());
    let mut by_shape_key = ByShape::new(batch);
    let mut shown: FxHashMap<Shown, u32> = FxHashMap::default();
    // Debug builds: the (raw entry, decision) of each outcome found by `Shown` rather than made.
    let mut found_shown: Vec<(u32, u8, u32)> = Vec::new();
    let engine = batch.engine;
    let mut push = |mut a: Assessment, counts: &mut Vec<u64>| {
        engine.name(&mut a);
        outcomes.push(a);
        counts.push(0);
        (outcomes.len() - 1) as u32
    };
    // Where rows share raw entries, the last decision and outcome of each raw entry: a row
    // decided as the last row of its raw entry has its outcome without a lookup.
    let mut last_of_raw: Vec<(u8, u32)> = if shares_raws(batch) { vec![(0, NONE); batch.raws.len()] } else { Vec::new() };
    // Most batches have no row assessed on its own: no lookup per row then.
    let any_own = !batch.own.is_empty();
    for (row, &fee) in fen.iter().enumerate() {
        let decision = batch.rows.decision[row];
        let own = if any_own { batch.own.get(&(row as u32)) } else { None };
        let id = match own {
            Some(a) => {
                let id = push(own_outcome(a, decision, paid(batch, ordered, row, fee)), &mut counts);
                counts[id as usize] += 1;
                id
            }
            None => {
                let r = batch.rows.raw[row] as usize;
                match last_of_raw.get(r) {
                    Some(&(d, id)) if id != NONE && d == decision => {
                        counts[id as usize] += 1;
                        id
                    }
                    _ => {
                        let raw = &batch.raws[r];
                        let id = by_shape_key.count(raw, decision, || match Shown::of(batch, raw, decision) {
                            Some(key) => match shown.get(&key) {
                                Some(&id) => {
                                    if cfg!(debug_assertions) {
                                        found_shown.push((r as u32, decision, id));
                                    }
                                    id
                                }
                                None => {
                                    let id = push(by_shape(batch, raw, decision), &mut counts);
                                    shown.insert(key, id);
                                    id
                                }
                            },
                            None => push(by_shape(batch, raw, decision), &mut counts),
                        });
                        if let Some(last) = last_of_raw.get_mut(r) {
                            *last = (decision, id);
                        }
                        id
                    }
                }
            }
        };
        outcome_of.push(id);
    }
    by_shape_key.add_counts(&mut counts);
    for (r, decision, id) in found_shown {
        let mut made = by_shape(batch, &batch.raws[r as usize], decision);
        engine.name(&mut made);
        debug_assert!(outcomes[id as usize] == made, "rows told apart only by what their records do not show");
    }
    (outcomes, counts, outcome_of)
}
