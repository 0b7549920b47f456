//! Batches (批量审核): many claims, first come first served, against each other, the caller's
//! history and the special account (SPEC §7.2, §9, §11) — one pipeline for every way claims
//! arrive: typed [`Claim`]s, rows of fields (a CSV or JSON file, a list of dicts) and tables of
//! columns (a data frame).
//!
//! A [`Batch`] holds its claims as compact columns (`rows`): small ids, day numbers, amounts in
//! fen and a *shape* — what checks 1–5 and 7 and the amount depend on — that is assessed once for
//! every claim that has it (`shapes`). [`Batch::finish`] then runs the three passes of SPEC §11:
//!
//! 1. per person, checks 8–11 in (`applied_on`, `claim_id`) order, as if every account were
//!    unlimited — only for persons with several claims or a history: a person with one claim and
//!    no history is decided by its shape (`persons`);
//! 2. per account that closes when spent, a prefix sum over the claims that passed finds where
//!    it closes (`budget`), in one process as on a cluster in two rounds: the claims summed by
//!    day, then the claims of the day it closes (`rounds`); an account that is a spending goal
//!    never closes;
//! 3. the persons with special-account claims at or after that point are decided again, and the
//!    report and the records are made (`report`, `result`).
//!
//! A province-wide run splits the claims by person across machines, runs pass 1 in each
//! ([`Batch::into_partition`]), pass 2 once over every partition's [`BudgetInput`]
//! ([`Closings::compute`]), and pass 3 in each ([`Partition::settle`]); the merged reports
//! ([`Report::merge`]) equal a single run's, to the fen.

mod add;
mod budget;
mod checks;
mod entries;
mod index;
mod keys;
mod outcomes;
mod persons;
pub(crate) mod report;
mod result;
// The scale-out rounds and column tables are the bindings' (feature `unstable`).
#[cfg_attr(not(feature = "unstable"), allow(dead_code))]
mod rounds;
mod rows;
mod shapes;
#[cfg_attr(not(feature = "unstable"), allow(dead_code))]
mod table;

#[cfg_attr(not(feature = "unstable"), allow(unused_imports))]
pub use add::Prepared;
#[cfg_attr(not(feature = "unstable"), allow(unused_imports))]
pub use budget::{BudgetInput, Candidate, Closings, QuotaCandidate};
pub use result::BatchResult;
#[cfg_attr(not(feature = "unstable"), allow(unused_imports))]
pub use table::{ClaimColumn, ClaimTable, ColumnCell, TableRow};

use crate::apprenticeship::Application;
use crate::assessment::Assessment;
use crate::calendar::Date;
use crate::claim::{Claim, FieldMode};
use crate::engine::Engine;
use crate::history::HistoryRecord;
use crate::level::Level;
use crate::rules::Fund;
use compact_str::CompactString;
use entries::Ordered;
use persons::CheckRules;
use rows::{Interner, Raw, Rows, TextArena};
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use shapes::Shapes;

/// The positions of `items` in queue order — the date (`applied_on`, or an application's
/// session), then the id byte by byte — sorted on one 128-bit integer each: the day number and
/// the id's first 13 bytes; only ids sharing those are compared whole.
pub(crate) fn queue_order<T>(items: &[T], key: impl Fn(&T) -> (Date, &str)) -> Vec<u32> {
    let packed = |(date, id): (Date, &str)| {
        let mut bytes = [0u8; 16];
        let n = id.len().min(13);
        bytes[3..3 + n].copy_from_slice(&id.as_bytes()[..n]);
        (u128::from(rows::days(date)) << 104) | u128::from_be_bytes(bytes)
    };
    let mut keyed: Vec<(u128, u32)> = items.iter().enumerate().map(|(i, t)| (packed(key(t)), i as u32)).collect();
    keyed.sort_unstable();
    for run in keyed.chunk_by_mut(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
        run.sort_by(|a, b| key(&items[a.1 as usize]).1.as_bytes().cmp(key(&items[b.1 as usize]).1.as_bytes()));
    }
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// A history record, interned.
#[derive(Debug, Clone)]
pub(crate) struct Past {
    /// Its line in the history file, or its position from 1 (named by explanations).
    pub line: u32,
    pub person: u64,
    pub person_id: CompactString,
    pub level_table: bool,
    pub occupation: u32,
    pub level: Option<Level>,
    pub enterprise: u32,
    pub applied_on: Date,
    pub amount: Decimal,
    pub counts: bool,
    pub group: Option<u16>,
    /// The account it is committed against.
    pub account: Option<u16>,
    /// Whether it was an apprenticeship (it counts as an apprentice, not a person-time).
    pub apprenticeship: bool,
    /// Its project (项目制), when it names one.
    pub project: u32,
    /// An apprenticeship's first and last day, when the record gives its months.
    pub span: Option<(Date, Date)>,
}

/// An application in a batch: reviewed on its own when added, decided with its person's claims.
#[derive(Debug, Clone)]
pub(crate) struct AppSlot {
    pub app: Application,
    pub session: Option<Date>,
    pub assessment: Assessment,
    pub person: u64,
    pub enterprise: u32,
    pub occupation: u32,
    pub district: u32,
    /// Index of the apprenticeship program in the engine, when the review found it.
    pub program: Option<u16>,
    /// Its decision by checks 8–12 (approved applications only).
    pub decision: Option<persons::Decision>,
}

/// The claims of a batch as they are added, before the cross-claim checks.
pub struct Batch<'e> {
    engine: &'e Engine,
    checks: CheckRules,
    trace: TraceScope,
    rows: Rows,
    raws: Vec<Raw>,
    /// Whether rows with the same shape, dates and district share a raw entry (always, but in
    /// the test that compares a batch with and without sharing).
    share_raws: bool,
    shapes: Shapes,
    /// Claim ids (trimmed, as the checks compare them) and person ids as read, a row each.
    ids: TextArena,
    /// The rows whose claim id as given differs from its trimmed form (surrounding spaces), in
    /// row order, with the id as given: what their records show (SPEC §7.3).
    given_ids: Vec<(u32, CompactString)>,
    persons: TextArena,
    /// Rows assessed on their own (invalid, apprenticeships, traced claims), by row.
    own: FxHashMap<u32, Assessment>,
    past: Vec<Past>,
    apps: Vec<AppSlot>,
    enterprises: Interner,
    occupations: Interner,
    districts: Interner,
    projects: Interner,
}

/// Which claims and applications of a batch are explained.
#[derive(Debug, Clone, Default)]
enum TraceScope {
    /// None: the fast path builds no steps.
    #[default]
    Off,
    /// Every one.
    All,
    /// Those with these ids: the batch is decided as without traces, and only their persons'
    /// steps are written out.
    Only(rustc_hash::FxHashSet<CompactString>),
}

impl TraceScope {
    fn covers(&self, id: &str) -> bool {
        match self {
            TraceScope::Off => false,
            TraceScope::All => true,
            TraceScope::Only(ids) => ids.contains(id),
        }
    }

    fn any(&self) -> bool {
        !matches!(self, TraceScope::Off)
    }
}

impl Engine {
    /// Starts a batch.
    ///
    /// ```
    /// use skill_subsidy::{Engine, Ruleset, RawClaim, FieldMode, Status};
    /// let engine = Engine::new(Ruleset::wuxi_2021()?);
    /// let mut batch = engine.batch();
    /// for id in ["B", "A"] {
    ///     // The same new hire's pre-job training claimed twice by the same enterprise.
    ///     let raw = RawClaim::from_json(&serde_json::json!({"claim_id": id, "program": "pre_job", "person_id": "P1",
    ///         "enterprise_id": "E1", "event_date": "2021-05-10", "applied_on": "2021-05-20"}));
    ///     batch.add_raw(&raw, FieldMode::Strict);
    /// }
    /// let result = batch.finish();
    /// // "A" comes first in the queue; "B" would be paid the same again: nothing to top up.
    /// assert_eq!(result.status(1), Status::Approved);
    /// assert_eq!(result.assessment(0).reasons.joined(), "exclusive_with_other_program");
    /// assert_eq!(result.report.approved.amount.to_string(), "300.00");
    /// # Ok::<(), skill_subsidy::RulesErrors>(())
    /// ```
    #[must_use]
    pub fn batch(&self) -> Batch<'_> {
        Batch {
            engine: self,
            checks: CheckRules::new(self),
            trace: TraceScope::Off,
            rows: Rows::default(),
            raws: Vec::new(),
            share_raws: true,
            shapes: Shapes::default(),
            ids: TextArena::default(),
            given_ids: Vec::new(),
            persons: TextArena::default(),
            own: FxHashMap::default(),
            past: Vec::new(),
            apps: Vec::new(),
            enterprises: Interner::default(),
            occupations: Interner::default(),
            districts: Interner::default(),
            projects: Interner::default(),
        }
    }

    /// Assesses claims as one batch, with the history of earlier subsidies. A claim that does
    /// not validate is `invalid` in the result; a history record that does not validate is an
    /// error ([`Batch::add_history`]).
    pub fn assess_batch(&self, claims: &[Claim], history: &[HistoryRecord]) -> Result<BatchResult, crate::Error> {
        let mut batch = self.batch();
        for h in history {
            batch.add_history(h)?;
        }
        batch.add_all(claims);
        Ok(batch.finish())
    }

    unstable! {
        /// Assesses a table of claims as one batch: the same pipeline, its columns read a block at
        /// a time (see [`ClaimTable`]).
        #[must_use]
        fn assess_table(&self, table: &ClaimTable<'_>, mode: FieldMode) -> BatchResult {
            let mut batch = self.batch();
            batch.add_table(table, mode);
            batch.finish()
        }
    }

    /// The special account of a fund in force on a date.
    pub(crate) fn account_on(&self, fund: Fund, date: Date) -> Option<u16> {
        self.rules.accounts.iter().position(|a| a.fund == fund && a.period.contains(date)).map(|i| i as u16)
    }
}

impl<'e> Batch<'e> {
    /// Explains every claim (the per-claim steps and checks 8–12).
    #[must_use]
    pub fn with_trace(mut self, on: bool) -> Batch<'e> {
        self.trace = if on { TraceScope::All } else { TraceScope::Off };
        self
    }

    /// Explains only the claims and applications with these ids, where the batch decides them
    /// (SPEC §7.4): their traces hold the steps of checks 8–12 as the batch ran them, naming the
    /// earlier claims and history lines that counted. The other claims are decided as without
    /// traces, so explaining one claim of a large batch costs about one batch.
    ///
    /// ```
    /// use skill_subsidy::{Engine, Ruleset, RawClaim, FieldMode, HistoryRecord, Status};
    /// use skill_subsidy::trace::{Counted, StepId};
    /// let engine = Engine::new(Ruleset::wuxi_2021()?);
    /// let mut batch = engine.batch().trace_only(["B"]);
    /// for id in ["B", "A"] {
    ///     let raw = RawClaim::from_json(&serde_json::json!({"claim_id": id, "program": "pre_job", "person_id": "P1",
    ///         "enterprise_id": "E1", "event_date": "2021-05-10", "applied_on": "2021-05-20"}));
    ///     batch.add_raw(&raw, FieldMode::Strict);
    /// }
    /// let result = batch.finish();
    /// let b = result.assessment(0);
    /// let step = b.trace.as_ref().unwrap().steps.iter().find(|s| s.step == StepId::Exclusivity).unwrap();
    /// // "A" came first in the queue and was paid in the group: "B" has nothing to top up.
    /// assert_eq!(step.counted, [Counted::Claim("A".into())]);
    /// assert!(result.assessment(1).trace.is_none());
    /// # Ok::<(), skill_subsidy::RulesErrors>(())
    /// ```
    #[must_use]
    pub fn trace_only<I>(mut self, ids: I) -> Batch<'e>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.trace = TraceScope::Only(ids.into_iter().map(|id| CompactString::from(id.as_ref())).collect());
        self
    }

    /// Makes room for `additional` more claims, as far as memory allows: a hint (a guess from a
    /// file's size, say), never a failure; the columns still grow as they fill.
    pub fn reserve(&mut self, additional: usize) {
        self.rows.reserve(additional);
        let _ = self.raws.try_reserve(additional);
        self.ids.reserve(additional, additional.saturating_mul(12));
        self.persons.reserve(additional, additional.saturating_mul(10));
    }

    /// Claims added so far.
    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no claim was added.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.len() == 0
    }

    /// The claim id of a row, trimmed (as the checks compare ids).
    pub(crate) fn claim_id(&self, row: u32) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(self.ids.get(row as usize))
    }

    /// The person id of a row as given.
    pub(crate) fn person_id(&self, row: u32) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(self.persons.get(row as usize))
    }

    unstable! {
        /// Pass 1 for this part of a batch: duplicate ids, then checks 8–11 per person, every
        /// account unlimited.
        #[must_use]
        fn into_partition(self) -> Partition<'e> {
            let mut partition = self.pass_one();
            partition.budget = partition.budget_of();
            partition
        }
    }

    /// Pass 1 without what it brings to pass 2.
    fn pass_one(mut self) -> Partition<'e> {
        self.mark_duplicates();
        let ordered = Ordered::new(&mut self);
        let mut partition = Partition { batch: self, ordered, budget: BudgetInput::default() };
        partition.decide(&Closings::none(), false);
        partition
    }

    /// Decides the whole batch and reports on it (the three passes in one process).
    #[must_use]
    pub fn finish(self) -> BatchResult {
        let mut partition = self.pass_one();
        let closings = partition.closings_in_rounds();
        partition.settle(&closings)
    }
}

/// Part of a batch after pass 1, waiting for the accounts' closing points.
pub struct Partition<'e> {
    batch: Batch<'e>,
    ordered: Ordered,
    budget: BudgetInput,
}

impl Partition<'_> {
    unstable! {
        /// What this partition brings to pass 2.
        #[must_use]
        fn budget_input(&self) -> &BudgetInput {
            &self.budget
        }
    }

    /// Pass 3: refuses claims at or after each account's closing point, re-decides the persons
    /// who had such claims, and builds the records and the report.
    #[must_use]
    pub fn settle(mut self, closings: &Closings) -> BatchResult {
        let trace = self.batch.trace.any();
        // Only persons with a claim at or after a closing point are decided again (and those
        // with a traced claim: pass 1 left no trace).
        if trace || !closings.is_empty() {
            self.decide(closings, trace);
        }
        result::build(self.batch, &self.ordered, closings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reasons::Status;

    #[test]
    fn queue_order_is_date_then_id_byte_by_byte_even_past_the_packed_prefix() {
        let d = |s: &str| crate::calendar::parse_date(s).unwrap();
        let items = [
            (d("2021-03-02"), "A"),
            (d("2021-03-01"), "WX2021-000000-10"),
            (d("2021-03-01"), "WX2021-000000-9"),
            (d("2021-03-01"), "WX2021-000000-1"),
            (d("2021-03-01"), "B"),
            (d("2021-03-01"), "WX2021-000000"),
            (d("2021-03-01"), "A\u{0}"),
            (d("2021-03-01"), "A"),
        ];
        let order: Vec<&str> = queue_order(&items, |t| *t).into_iter().map(|k| items[k as usize].1).collect();
        assert_eq!(order, ["A", "A\u{0}", "B", "WX2021-000000", "WX2021-000000-1", "WX2021-000000-10", "WX2021-000000-9", "A"]);
    }

    /// A row's record borrowed from the batch (`BatchResult::record`) is the record of its
    /// assessment made whole: approved, rejected, invalid, an id given with spaces, a traced row,
    /// rows that share a raw entry, and a row out of range.
    #[test]
    fn a_rows_borrowed_record_is_the_record_of_its_whole_assessment() {
        use crate::claim::{FieldMode, RawClaim};
        let engine = Engine::new(crate::rules::Ruleset::wuxi_2021().unwrap());
        let claim = |id: &str, person: &str, level: &str, fee: &str| {
            RawClaim::from_json(&serde_json::json!({
                "claim_id": id, "program": "skills_training", "person_id": person, "group": "employee",
                "occupation": "6-18-02-04", "level": level, "institution": "WX-JG-001",
                "event_date": "2021-05-10", "applied_on": "2021-06-15", "fee_paid": fee,
            }))
        };
        let mut claims: Vec<RawClaim> = (0..40).map(|i| claim(&format!("C{i}"), &format!("P{}", i % 7), "4", "900.00")).collect();
        claims.push(claim(" C-spaced ", "P1", "4", "900.00"));
        claims.push(claim("C-bad-level", "P2", "nine", "900.00"));
        claims.push(claim("C-no-fee", "P3", "4", "0.00"));
        claims.push(claim("C-traced", "P4", "3", "100.00"));
        let mut batch = engine.batch().trace_only(["C-traced"]);
        for c in &claims {
            batch.add_raw(c, FieldMode::Lenient);
        }
        let result = batch.finish();
        assert!(result.report.approved.count > 0 && result.report.rejected > 0);
        for i in 0..=result.len() {
            let whole = result.assessment(i);
            let json = |r: &crate::AssessmentRecord<'_>| serde_json::to_string(r).unwrap();
            assert_eq!(json(&result.record(i)), json(&whole.record()), "row {i}");
        }
        assert!(result.record(result.len() - 1).trace.is_some());
        assert_eq!(result.record(result.len() - 4).claim_id, " C-spaced ");
    }

    /// Rows sharing raw entries (and the records and report taken a raw entry at a time) give
    /// what rows each with its own raw entry give: every record, and the report to its wire form's
    /// text (so the same keys in the same order).
    #[test]
    fn rows_that_share_raw_entries_are_decided_and_reported_as_rows_that_do_not() {
        use crate::claim::{FieldMode, RawClaim};
        let wuxi = Engine::new(crate::rules::Ruleset::wuxi_2021().unwrap());
        let closing = wuxi
            .with_overrides(
                &crate::overrides::Overrides::from_json_str(
                    r#"{"accounts.wuxi-2021.opening_balance": "60000.00", "accounts.wuxi-2021.closes_when_spent": "true"}"#,
                )
                .unwrap(),
            )
            .unwrap();
        let programs = ["skills_training", "pre_job", "on_job", "ui_skill_upgrade", "skills_training"];
        let occupations = ["6-18-02-04", "4-10-01-06", "6-31-01-03"];
        for engine in [&wuxi, &closing] {
            for seed in 0u64..12 {
                let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
                let mut next = |n: u64| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state % n
                };
                let claims: Vec<RawClaim> = (0..3000)
                    .map(|i| {
                        // In runs of one day, as a file sorted by date has them.
                        let day = ["2021-05-10", "2021-05-20", "2021-06-01"][i / 1000];
                        let (program, occupation) = (programs[next(5) as usize], occupations[next(3) as usize]);
                        let (group, level) = (["employee", "unemployed"][next(2) as usize], ["5", "4", "3", "9"][next(4) as usize]);
                        RawClaim::from_json(&serde_json::json!({
                            "claim_id": format!("C{i}"), "program": program, "person_id": format!("P{}", next(900)),
                            "enterprise_id": format!("E{}", next(3)), "group": group, "occupation": occupation, "level": level,
                            "institution": "WX-JG-001", "event_date": day, "applied_on": "2021-06-15",
                            "fee_paid": format!("{}.00", 200 + next(3000)), "months": 1 + next(2), "ui_contribution_months": 10 + 4 * next(2),
                        }))
                    })
                    .collect();
                let run = |share: bool| {
                    let mut batch = engine.batch();
                    batch.share_raws = share;
                    for c in &claims {
                        batch.add_raw(c, FieldMode::Lenient);
                    }
                    assert_eq!(batch.raws.len() * 4 <= batch.rows.len(), share, "seed {seed}: {} raw entries", batch.raws.len());
                    batch.finish()
                };
                let (shared, own) = (run(true), run(false));
                assert_eq!(shared.assessments(), own.assessments(), "seed {seed}");
                assert_eq!(shared.report.to_wire().to_string(), own.report.to_wire().to_string(), "seed {seed}");
                assert!(shared.report.approved.count > 0 && shared.report.rejected > 0, "seed {seed}: a batch with nothing to compare");
            }
        }
    }

    /// A record shows its claim id as given, in a batch as alone (SPEC §7.3); the checks compare
    /// it trimmed, as every text field is read (found by the claims_json fuzz target).
    #[test]
    fn a_claim_id_given_with_spaces_is_shown_as_given_and_compared_trimmed() {
        use crate::claim::{FieldMode, RawClaim};
        let engine = Engine::new(crate::rules::Ruleset::wuxi_2021().unwrap());
        let claim = |id: &str, program: &str| {
            RawClaim::from_json(&serde_json::json!({"claim_id": id, "program": program, "person_id": "P0120",
                "enterprise_id": "E0102", "event_date": "2021-11-01", "applied_on": "2021-11-05", "project": "XM2021-01"}))
        };
        let spaced = claim("V-RSN-020 ", "project");
        let alone = engine.assess_raw(&spaced, FieldMode::Strict, false);
        let mut batch = engine.batch();
        batch.add_raw(&spaced, FieldMode::Strict);
        batch.add_raw(&claim(" bad ", "no_such_program"), FieldMode::Strict);
        batch.add_raw(&claim("V-RSN-021", "project"), FieldMode::Strict);
        let result = batch.finish();
        assert_eq!(alone.claim_id, "V-RSN-020 ");
        assert_eq!(result.claim_id(0), "V-RSN-020 ");
        assert_eq!(result.assessment(0).claim_id, "V-RSN-020 ");
        assert_eq!(result.assessment(0).status, alone.status);
        assert_eq!(result.assessment(1).claim_id, " bad ");
        assert_eq!(result.claim_id(2), "V-RSN-021");

        // "A" and " A" are the same id: both invalid, each shown as given.
        let mut batch = engine.batch();
        batch.add_raw(&claim(" A", "project"), FieldMode::Strict);
        batch.add_raw(&claim("A", "project"), FieldMode::Strict);
        let result = batch.finish();
        for (row, id) in [(0, " A"), (1, "A")] {
            let a = result.assessment(row);
            assert_eq!((a.claim_id.as_str(), a.status), (id, Status::Invalid));
            assert_eq!(a.errors[0].code, crate::claim::ClaimErrorKind::DuplicateClaimId);
        }
    }
}
