//! A batch's result: one record per row in input order, held as the few distinct assessments the
//! rows share (their outcomes), each row's outcome and its amount in fen; the applications'
//! results; and the report (SPEC §7.3, §9).

use super::entries::{refused, Ordered};
use super::persons::Decision;
use super::report::{build_report, Counted, Names, Sums};
use super::rows::{Raw, TextArena, APPROVED, NONE, NOT_ELIGIBLE};
use super::{Batch, Closings};
use crate::apprenticeship::ApplicationResult;
use crate::assessment::{Assessment, AssessmentRecord};
use crate::calendar::YearMonth;
use crate::reasons::{Reason, Reasons, Status};
use crate::report::Report;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

/// The result of a batch: one assessment per claim in input order, one result per application
/// in input order, and the report.
///
/// A batch of a million claims has a few thousand distinct assessments: the rows that share
/// one (all but their claim id and amount) refer to it, and each row holds only its claim id
/// and its amount in fen. [`BatchResult::assessment`] makes a row's assessment whole.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BatchResult {
    /// The distinct assessments the rows refer to, without claim ids or amounts (zero, even where
    /// approved: a row's own amount is in `fen`).
    pub(crate) outcomes: Vec<Assessment>,
    /// Each row's assessment: an index into `outcomes`.
    pub(crate) outcome_of: Vec<u32>,
    /// Each row's amount in fen (zero unless approved).
    pub(crate) fen: Vec<i64>,
    /// Claim ids, trimmed (empty for rows read from a table: the table holds them).
    ids: TextArena,
    /// The rows whose id as given differs from its trimmed form, in row order, with that id.
    given_ids: Vec<(u32, compact_str::CompactString)>,
    /// Apprenticeship applications in input order.
    pub applications: Vec<ApplicationResult>,
    /// The report.
    pub report: Report,
}

impl BatchResult {
    /// Rows (claims).
    #[must_use]
    pub fn len(&self) -> usize {
        self.outcome_of.len()
    }

    /// Whether there are no rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.outcome_of.is_empty()
    }

    /// The distinct assessments the rows refer to (without claim ids; their amounts are zero, even
    /// where approved): with [`BatchResult::outcome_of`] and
    /// [`BatchResult::fen`], every row's record without making each one whole, as the Python
    /// binding writes a data frame's columns.
    #[must_use]
    pub fn outcomes(&self) -> &[Assessment] {
        &self.outcomes
    }

    /// Each row's assessment, as an index into [`BatchResult::outcomes`].
    #[must_use]
    pub fn outcome_of(&self) -> &[u32] {
        &self.outcome_of
    }

    /// Each row's amount in fen (zero unless approved).
    #[must_use]
    pub fn fen(&self) -> &[i64] {
        &self.fen
    }

    /// The claim id of row `row` as given (empty for a row read from a table).
    #[must_use]
    pub fn claim_id(&self, row: usize) -> &str {
        if !self.given_ids.is_empty() {
            if let Ok(k) = self.given_ids.binary_search_by_key(&row, |g| g.0 as usize) {
                return &self.given_ids[k].1;
            }
        }
        self.ids.get(row)
    }

    /// The status of row `row`.
    #[must_use]
    pub fn status(&self, row: usize) -> Status {
        self.outcome_of.get(row).and_then(|&o| self.outcomes.get(o as usize)).map_or(Status::Invalid, |a| a.status)
    }

    /// The amount of row `row`.
    #[must_use]
    pub fn amount(&self, row: usize) -> Decimal {
        Decimal::new(self.fen.get(row).copied().unwrap_or(0), 2)
    }

    /// The assessment of row `row`, whole: its claim id and its own amount (out of range: an
    /// invalid one, empty). A row of a table batch (`Engine::assess_table`, feature `unstable`) has its id
    /// in the table, not here.
    #[must_use]
    pub fn assessment(&self, row: usize) -> Assessment {
        let Some(o) = self.outcome_of.get(row).and_then(|&o| self.outcomes.get(o as usize)) else {
            return Assessment::invalid(Vec::new());
        };
        let mut a = o.clone();
        a.amount = if a.status == Status::Approved { self.amount(row) } else { Decimal::ZERO };
        let id = self.claim_id(row);
        if !id.is_empty() {
            a.claim_id = id.into();
        }
        a
    }

    /// The record of row `row` ([`Assessment::record`] of [`BatchResult::assessment`], with the
    /// same claim id and amount), borrowed from the batch: nothing is copied, so writers of a
    /// million records use this. Out of range: an invalid record with no id and no errors.
    #[must_use]
    pub fn record(&self, row: usize) -> AssessmentRecord<'_> {
        let Some(o) = self.outcome_of.get(row).and_then(|&o| self.outcomes.get(o as usize)) else {
            // What `assessment` gives out of range, kept once to lend its record.
            static EMPTY: std::sync::OnceLock<Assessment> = std::sync::OnceLock::new();
            return EMPTY.get_or_init(|| Assessment::invalid(Vec::new())).record();
        };
        let id = self.claim_id(row);
        let mut record = o.record().with_claim_id(if id.is_empty() { &o.claim_id } else { id });
        record.amount = if o.status == Status::Approved { self.amount(row) } else { Decimal::ZERO };
        record
    }

    /// Every row's assessment, in input order (each made whole: for many rows, read them one
    /// at a time with [`BatchResult::assessment`]).
    #[must_use]
    pub fn assessments(&self) -> Vec<Assessment> {
        (0..self.len()).map(|row| self.assessment(row)).collect()
    }

    /// A result from rows already decided (each assessment with its claim id), the
    /// applications' results and the report: as a ledger shows a batch whose rows were partly
    /// decided in earlier batches.
    #[must_use]
    pub fn from_parts(rows: Vec<Assessment>, applications: Vec<ApplicationResult>, report: Report) -> BatchResult {
        let mut ids = TextArena::default();
        let (mut outcomes, mut fen) = (Vec::with_capacity(rows.len()), Vec::with_capacity(rows.len()));
        for a in rows {
            ids.push(&a.claim_id);
            fen.push(if a.status == Status::Approved { super::report::fen_of(a.amount) as i64 } else { 0 });
            outcomes.push(a);
        }
        let outcome_of = (0..outcomes.len() as u32).collect();
        BatchResult { outcomes, outcome_of, fen, ids, given_ids: Vec::new(), applications, report }
    }

    /// The rows (each assessment whole), the applications' results and the report: the
    /// inverse of [`BatchResult::from_parts`].
    #[must_use]
    pub fn into_parts(self) -> (Vec<Assessment>, Vec<ApplicationResult>, Report) {
        (self.assessments(), self.applications, self.report)
    }
}

/// What decides a row's record besides its amount — its shape, its own dates' findings (the
/// window), its month of payment when approved, and its decision — packed in one integer: rows
/// alike in these share one outcome.
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
fn payment_month(batch: &Batch<'_>, raw: &Raw) -> YearMonth {
    YearMonth::of(raw.applied_on).plus(batch.shapes.list[raw.shape as usize].payment_lag)
}

/// A month as one number that orders as months do (0 for none).
fn month_number(m: YearMonth) -> u32 {
    u32::try_from(i64::from(m.year()) * 12 + i64::from(m.month())).unwrap_or(0)
}

/// What a row's record shows of its shape's assessment once decided `decision`: its status, its
/// reasons and its month of payment.
fn decided(batch: &Batch<'_>, raw: &Raw, decision: u8) -> (Status, Reasons, Option<YearMonth>) {
    let a = batch.shapes.assessment(raw.shape);
    match (a.status, decision, refused(decision)) {
        (Status::Invalid, _, _) => (a.status, a.reasons, a.payment_month),
        (_, APPROVED, _) => (a.status, a.reasons, Some(payment_month(batch, raw))),
        (_, _, Some(reason)) => (Status::Rejected, reason.into(), a.payment_month),
        _ => (Status::Rejected, Reasons::from_bits(a.reasons.bits() | raw.window.bits()), a.payment_month),
    }
}

/// The assessment of a row by its shape, its window and its decision, without its amount (each
/// row's own is in fen).
fn by_shape(batch: &Batch<'_>, raw: &Raw, decision: u8) -> Assessment {
    let mut a = Assessment::clone(batch.shapes.assessment(raw.shape));
    if a.status == Status::Invalid {
        return a;
    }
    (a.status, a.reasons, a.payment_month) = decided(batch, raw, decision);
    a.amount = Decimal::ZERO;
    a
}

/// What tells apart the records of rows decided by their shapes, besides their ids and amounts:
/// the program and catalogue version (the engine names them), the status, the reasons and the
/// month of payment. A year's rows fall into hundreds of thousands of (shape, decision, month)
/// but a few thousand of these: an outcome is made (cloned and named) once for each.
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

/// Pass 3's end: the records, the applications' results and the report. The records and the
/// sums of the approved claims are made at once, on two threads.
pub(super) fn build(mut batch: Batch<'_>, ordered: &Ordered, closings: &Closings) -> BatchResult {
    // The fee column becomes the amounts paid, in place, once both have read it: the result
    // holds no second column of fen.
    let mut fen = std::mem::take(&mut batch.rows.fen);
    let engine = batch.engine;
    let names = Names { districts: &batch.districts, occupations: &batch.occupations, projects: &batch.projects };
    let ((outcomes, counts, outcome_of), mut sums) = crate::parallel::join(
        fen.len(),
        || records(&batch, ordered, &fen),
        || {
            let mut sums = Sums::new(engine, &batch.checks, &batch.apps, names, closings);
            sums.add(approved_rows(&batch, ordered, &fen));
            sums
        },
    );
    for (row, fen_row) in fen.iter_mut().enumerate() {
        *fen_row = paid(&batch, ordered, row, *fen_row);
    }
    let applications: Vec<ApplicationResult> = batch
        .apps
        .iter()
        .map(|slot| {
            let mut assessment = slot.assessment.clone();
            engine.name(&mut assessment);
            if let Some(Decision::Rejected(reason)) = slot.decision {
                assessment.status = Status::Rejected;
                assessment.reasons = reason.into();
                assessment.amount = Decimal::ZERO;
            }
            let schedule = match (assessment.status, slot.session) {
                (Status::Approved, Some(session)) => Some(batch.engine.schedule(&slot.app, session, assessment.amount)),
                _ => None,
            };
            ApplicationResult { application_id: slot.app.application_id.clone(), assessment, session: slot.session, schedule }
        })
        .collect();
    sums.add(batch.apps.iter().enumerate().filter_map(|(p, slot)| match slot.decision {
        Some(Decision::Approved(paid)) => Some(Counted {
            program: slot.program.unwrap_or(0),
            level: Some(slot.app.target_level),
            occupation: slot.occupation,
            district: slot.district,
            project: NONE,
            applied_on: slot.session.unwrap_or(crate::calendar::Date::MIN),
            payment_month: None,
            account: slot.program.and_then(|i| {
                let rule = &batch.engine.rules.programs[batch.engine.programs[usize::from(i)].rule];
                (rule.fund == crate::rules::Fund::SpecialAccount).then(|| batch.engine.account_on(rule.fund, slot.session?)).flatten()
            }),
            app: Some(p as u32),
            count: 1,
            fen: super::report::fen_of(paid),
        }),
        _ => None,
    }));
    let statuses = outcomes.iter().zip(&counts).filter(|(_, c)| **c > 0).map(|(a, c)| (a, *c));
    let apps_statuses = applications.iter().map(|a| (&a.assessment, 1u64));
    let report = build_report(&batch.past, names, statuses.chain(apps_statuses), sums);
    BatchResult { outcomes, outcome_of, fen, ids: batch.ids, given_ids: batch.given_ids, applications, report }
}

/// What row `row` is paid, `amount` its amount after pass 3 (the fee column holds it): that
/// amount, or its top-up where one was paid; nothing unless approved.
fn paid(batch: &Batch<'_>, ordered: &Ordered, row: usize, amount: i64) -> i64 {
    match batch.rows.decision[row] {
        APPROVED if !ordered.paid.is_empty() => ordered.paid.get(&(row as u32)).copied().unwrap_or(amount),
        APPROVED => amount,
        _ => 0,
    }
}

/// Every row's outcome: the distinct assessments the rows share, how many rows each, and each
/// row's (`fen` the fee column after pass 3).
fn records(batch: &Batch<'_>, ordered: &Ordered, fen: &[i64]) -> (Vec<Assessment>, Vec<u64>, Vec<u32>) {
    let mut outcomes: Vec<Assessment> = Vec::new();
    let mut counts: Vec<u64> = Vec::new();
    let mut outcome_of = Vec::with_capacity(fen.len());
    let mut by_shape_key = ByShape::new(batch);
    let mut shown: FxHashMap<Shown, u32> = FxHashMap::default();
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
                            Some(key) => *shown.entry(key).or_insert_with(|| push(by_shape(batch, raw, decision), &mut counts)),
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
    (outcomes, counts, outcome_of)
}

/// The approved rows as the report counts them, each paid as [`paid`] says: row by row, or
/// summed by raw entry first where rows share raw entries (the report only adds them up), each
/// raw entry where its first approved row was, so that the report meets every key in the same
/// order.
fn approved_rows<'b>(batch: &'b Batch<'_>, ordered: &'b Ordered, fen: &'b [i64]) -> impl Iterator<Item = Counted> + 'b {
    let rows = batch.rows.len();
    let shared = shares_raws(batch);
    let by_row = (0..if shared { 0 } else { rows })
        .filter(|&r| batch.rows.decision[r] == APPROVED)
        .map(move |r| counted(batch, batch.rows.raw[r], 1, i128::from(paid(batch, ordered, r, fen[r]))));
    let (mut sums, mut first_seen): (Vec<(u64, i128)>, Vec<u32>) = (Vec::new(), Vec::new());
    if shared {
        sums = vec![(0, 0); batch.raws.len()];
        for r in (0..rows).filter(|&r| batch.rows.decision[r] == APPROVED) {
            let raw = batch.rows.raw[r];
            if let Some(sum) = sums.get_mut(raw as usize) {
                if sum.0 == 0 {
                    first_seen.push(raw);
                }
                sum.0 += 1;
                sum.1 += i128::from(paid(batch, ordered, r, fen[r]));
            }
        }
    }
    let by_raw = first_seen.into_iter().map(move |raw| {
        let (count, fen) = sums[raw as usize];
        counted(batch, raw, count, fen)
    });
    by_row.chain(by_raw)
}

/// Whether the batch's rows share raw entries enough (four rows or more a raw entry) for the
/// records and the report to take them a raw entry at a time.
fn shares_raws(batch: &Batch<'_>) -> bool {
    batch.share_raws && batch.raws.len().saturating_mul(4) <= batch.rows.len()
}

/// `count` approved rows of raw entry `raw`, paid `fen` in all.
fn counted(batch: &Batch<'_>, raw: u32, count: u64, fen: i128) -> Counted {
    let raw = &batch.raws[raw as usize];
    let shape = &batch.shapes.list[raw.shape as usize];
    Counted {
        program: shape.program as u16,
        level: shape.level,
        occupation: shape.occupation,
        district: raw.district,
        project: shape.project,
        applied_on: raw.applied_on,
        payment_month: Some(payment_month(batch, raw)),
        account: raw.account,
        app: None,
        count,
        fen,
    }
}
