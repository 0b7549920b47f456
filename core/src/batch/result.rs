//! A batch's result: one record per row in input order, held as the few distinct assessments the
//! rows share (their outcomes, made in `outcomes.rs`), each row's outcome and its amount in fen;
//! the applications' results; and the report (SPEC §7.3, §9).

use super::entries::Ordered;
use super::outcomes::{payment_month, records};
use super::persons::Decision;
use super::report::{build_report, Counted, Names, Sums};
use super::rows::{TextArena, APPROVED, NONE};
use super::{Batch, Closings};
use crate::apprenticeship::ApplicationResult;
use crate::assessment::{Assessment, AssessmentRecord};
use crate::reasons::Status;
use crate::report::Report;
use rust_decimal::Decimal;

/// The result of a batch: one assessment per claim in input order, one result per application
/// in input order, and the report.
///
/// A batch of a million claims has a few thousand distinct assessments: the rows that share
/// one (all but their claim id and amount) refer to it, and each row holds only its claim id
/// and its amount in fen. [`BatchResult::assessment`] makes a row's assessment whole.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BatchResult {
    /// The distinct assessments the rows refer to, without claim ids. Their amounts are not to be
    /// read (rows decided by their shapes share an outcome whatever their amounts): a row's own
    /// amount is in `fen`.
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

    /// The distinct assessments the rows refer to (without claim ids; their amounts are not to be
    /// read, a row's own is in [`BatchResult::fen`]): with [`BatchResult::outcome_of`] and
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

/// Pass 3's end: the records, the applications' results and the report. The records and the
/// sums of the approved claims are made at once, on two threads: the sums of a row cost more
/// than its record, so the records' thread also sums the last rows (`RECORDS_SUM`), and the two
/// sums are merged.
pub(super) fn build(mut batch: Batch<'_>, ordered: &Ordered, closings: &Closings) -> BatchResult {
    // The fee column becomes the amounts paid, in place, once both have read it: the result
    // holds no second column of fen.
    let mut fen = std::mem::take(&mut batch.rows.fen);
    let engine = batch.engine;
    let names = Names { districts: &batch.districts, occupations: &batch.occupations, projects: &batch.projects };
    let rows = fen.len();
    // Rows that share raw entries are summed a raw entry at a time, all on one thread.
    let split = if shares_raws(&batch) { rows } else { rows - rows / RECORDS_SUM };
    let sums_of = |range: std::ops::Range<usize>| {
        let mut sums = Sums::new(engine, &batch.checks, &batch.apps, names, closings);
        sums.add(approved_rows(&batch, ordered, &fen, range));
        sums
    };
    let ((outcomes, counts, outcome_of, last), mut sums) = crate::parallel::join(
        rows,
        || {
            let (outcomes, counts, outcome_of) = records(&batch, ordered, &fen);
            (outcomes, counts, outcome_of, sums_of(split..rows))
        },
        || sums_of(0..split),
    );
    sums.merge(last);
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
pub(super) fn paid(batch: &Batch<'_>, ordered: &Ordered, row: usize, amount: i64) -> i64 {
    match batch.rows.decision[row] {
        APPROVED if !ordered.paid.is_empty() => ordered.paid.get(&(row as u32)).copied().unwrap_or(amount),
        APPROVED => amount,
        _ => 0,
    }
}

/// The records' thread sums one row in this many (the last ones) besides making the records.
const RECORDS_SUM: usize = 4;

/// The approved rows of `range` as the report counts them, each paid as [`paid`] says: row by
/// row, or summed by raw entry first where rows share raw entries (the report only adds them
/// up), each raw entry where its first approved row was, so that the report meets every key in
/// the same order.
fn approved_rows<'b>(
    batch: &'b Batch<'_>,
    ordered: &'b Ordered,
    fen: &'b [i64],
    range: std::ops::Range<usize>,
) -> impl Iterator<Item = Counted> + 'b {
    let shared = shares_raws(batch);
    let by_row = (if shared { 0..0 } else { range.clone() })
        .filter(|&r| batch.rows.decision[r] == APPROVED)
        .map(move |r| counted(batch, batch.rows.raw[r], 1, i128::from(paid(batch, ordered, r, fen[r]))));
    let (mut sums, mut first_seen): (Vec<(u64, i128)>, Vec<u32>) = (Vec::new(), Vec::new());
    if shared {
        sums = vec![(0, 0); batch.raws.len()];
        for r in range.filter(|&r| batch.rows.decision[r] == APPROVED) {
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
pub(super) fn shares_raws(batch: &Batch<'_>) -> bool {
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
