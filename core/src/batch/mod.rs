//! Batches (批量审核): many claims, first come first served, against each other, the caller's
//! history and the special account (SPEC §7.2, §9, §11).
//!
//! A [`Batch`] assesses each claim as it is added (checks 1–7 and its amount: pure, per claim)
//! and keeps only a compact entry of each eligible claim, so a million-row file never needs its
//! claims in memory at once. [`Batch::finish`] then runs the three passes of SPEC §11:
//!
//! 1. per person, checks 8–11 in (`applied_on`, `claim_id`) order, as if every account were
//!    unlimited;
//! 2. per account, a prefix sum over the claims that passed finds where it closes;
//! 3. the persons with special-account claims at or after that point are decided again.
//!
//! A province-wide run splits the claims by person across machines, runs pass 1 in each
//! ([`Batch::into_partition`]), pass 2 once over every partition's [`BudgetInput`]
//! ([`Closings::compute`]), and pass 3 in each ([`Partition::settle`]); the merged reports
//! ([`Report::merge`]) equal a single run's, to the fen.

mod budget;
mod person;

pub use budget::{BudgetInput, Candidate, Closings};

use crate::assessment::Assessment;
use crate::calendar::{Date, YearMonth};
use crate::claim::{Claim, ClaimErrorKind, FieldError, FieldMode, RawClaim};
use crate::engine::Engine;
use crate::history::HistoryRecord;
use crate::level::Level;
use crate::reasons::{Reason, Reasons, Status};
use crate::report::{AccountLedger, Report};
use crate::rules::{Calculation, Fund};
use crate::trace::{Step, StepId};
use compact_str::CompactString;
use person::{CheckRules, Person, Traces};
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

/// "None" for interned ids.
pub(crate) const NONE: u32 = u32::MAX;

/// The outcome of checks 8–12 for an eligible claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Paid this amount (its own amount, or a top-up).
    Approved(Decimal),
    /// Refused for this reason.
    Rejected(Reason),
}

/// An eligible claim waiting for the cross-claim checks.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub index: u32,
    pub person: u32,
    pub applied_on: Date,
    pub program: u16,
    pub occupation: u32,
    pub level: Option<Level>,
    pub enterprise: u32,
    pub district: u32,
    pub amount: Decimal,
    pub counts: bool,
    pub account: Option<u16>,
    pub decision: Decision,
}

/// A history record, interned.
#[derive(Debug, Clone)]
pub(crate) struct Past {
    pub person: u32,
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
}

/// Strings to small ids.
#[derive(Default)]
struct Interner {
    map: FxHashMap<CompactString, u32>,
    names: Vec<CompactString>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.map.get(s) {
            return id;
        }
        let id = self.names.len() as u32;
        self.map.insert(CompactString::from(s), id);
        self.names.push(CompactString::from(s));
        id
    }

    fn opt(&mut self, s: Option<&str>) -> u32 {
        s.map_or(NONE, |s| self.id(s))
    }

    fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("-", CompactString::as_str)
    }
}

/// The claims of a batch as they are added, before the cross-claim checks.
pub struct Batch<'e> {
    engine: &'e Engine,
    rules: CheckRules,
    trace: bool,
    ids: Vec<CompactString>,
    assessments: Vec<Assessment>,
    first_of_id: FxHashMap<CompactString, u32>,
    duplicates: Vec<u32>,
    entries: Vec<Entry>,
    past: Vec<Past>,
    persons: Interner,
    enterprises: Interner,
    occupations: Interner,
    districts: Interner,
}

/// The result of a batch: one assessment per claim in input order, and the report.
#[derive(Debug, Clone)]
pub struct BatchResult {
    /// Claim ids in input order (as given; empty when a claim had none).
    pub claim_ids: Vec<CompactString>,
    /// Assessments in input order.
    pub assessments: Vec<Assessment>,
    /// The report.
    pub report: Report,
}

impl Engine {
    /// Starts a batch.
    ///
    /// ```
    /// use skill_subsidy::{Engine, Ruleset, RawClaim, FieldMode, Status};
    /// let engine = Engine::new(Ruleset::wuxi_2021()?);
    /// let mut batch = engine.batch();
    /// for id in ["B", "A"] {
    ///     // The same person's second certificate for the same occupation and level.
    ///     let raw = RawClaim::from_json(&serde_json::json!({"claim_id": id, "program": "pre_job", "person_id": "P1",
    ///         "enterprise_id": "E1", "event_date": "2021-05-10", "applied_on": "2021-05-20"}));
    ///     batch.add_raw(&raw, FieldMode::Strict);
    /// }
    /// let result = batch.finish();
    /// // "A" comes first in the queue; "B" would be paid the same again: nothing to top up.
    /// assert_eq!(result.assessments[1].status, Status::Approved);
    /// assert_eq!(result.assessments[0].reasons.joined(), "exclusive_with_other_program");
    /// assert_eq!(result.report.approved.amount.to_string(), "300.00");
    /// # Ok::<(), skill_subsidy::RulesErrors>(())
    /// ```
    #[must_use]
    pub fn batch(&self) -> Batch<'_> {
        Batch {
            engine: self,
            rules: CheckRules::new(self),
            trace: false,
            ids: Vec::new(),
            assessments: Vec::new(),
            first_of_id: FxHashMap::default(),
            duplicates: Vec::new(),
            entries: Vec::new(),
            past: Vec::new(),
            persons: Interner::default(),
            enterprises: Interner::default(),
            occupations: Interner::default(),
            districts: Interner::default(),
        }
    }

    /// Assesses claims as one batch, with the history of earlier subsidies.
    #[must_use]
    pub fn assess_batch(&self, claims: &[Claim], history: &[HistoryRecord]) -> BatchResult {
        let mut batch = self.batch();
        for h in history {
            batch.add_history(h);
        }
        for c in claims {
            batch.add(c);
        }
        batch.finish()
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
        self.trace = on;
        self
    }

    /// Claims added so far.
    #[must_use]
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether no claim was added.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    fn note_id(&mut self, id: &str, index: u32) {
        if id.is_empty() {
            return;
        }
        match self.first_of_id.get(id) {
            Some(&first) => {
                if !self.duplicates.contains(&first) {
                    self.duplicates.push(first);
                }
                self.duplicates.push(index);
            }
            None => {
                self.first_of_id.insert(CompactString::from(id), index);
            }
        }
    }

    /// Adds a claim; checks 1–7 and its amount are decided now.
    pub fn add(&mut self, claim: &Claim) {
        let index = self.ids.len() as u32;
        self.note_id(&claim.claim_id, index);
        self.ids.push(claim.claim_id.clone());
        let a = if self.trace { self.engine.explain(claim) } else { self.engine.assess(claim) };
        if a.status == Status::Approved {
            if let Some(program) = a.program {
                let entry = self.entry(index, program, claim, a.amount);
                self.entries.push(entry);
            }
        }
        self.assessments.push(a);
    }

    /// Adds raw fields; a malformed claim is `invalid` and still appears in the result.
    pub fn add_raw(&mut self, raw: &RawClaim, mode: FieldMode) {
        match Claim::parse(raw, mode) {
            Ok(claim) => self.add(&claim),
            Err(errors) => self.add_invalid(&raw.claim_id_text(), errors),
        }
    }

    /// Adds a claim that could not be read, with its errors.
    pub fn add_invalid(&mut self, claim_id: &str, errors: Vec<FieldError>) {
        let index = self.ids.len() as u32;
        self.note_id(claim_id, index);
        self.ids.push(claim_id.into());
        let mut a = Assessment::invalid(errors);
        if self.trace {
            a.trace = Some(Box::new(self.engine.invalid_trace(&a)));
        }
        self.assessments.push(a);
    }

    /// Adds an earlier subsidy of a person.
    pub fn add_history(&mut self, h: &HistoryRecord) {
        let engine = self.engine;
        let program = engine.program_index.get(&h.program);
        let rule = program.map(|i| &engine.rules.programs[engine.programs[usize::from(i)].rule]);
        // A program this ruleset does not know was still a subsidy: it counts toward the
        // annual limit and, with an occupation and level, toward checks 8 and 9.
        let counts = match program {
            Some(i) => {
                let p = &engine.programs[usize::from(i)];
                p.segment(h.event_date).flag(Some(engine.rules.programs[p.rule].counts_toward_annual_limit))
            }
            None => true,
        };
        let level_table = rule.is_none_or(|p| matches!(p.calculation, Calculation::LevelTable { .. }));
        let group = program.and_then(|i| self.rules.group[engine.programs[usize::from(i)].rule]);
        let account = rule.filter(|p| p.fund == Fund::SpecialAccount).and_then(|p| engine.account_on(p.fund, h.applied_on));
        self.past.push(Past {
            person: self.persons.id(&h.person_id),
            level_table,
            occupation: self.occupations.opt(h.occupation.as_deref()),
            level: h.level,
            enterprise: self.enterprises.opt(h.enterprise_id.as_deref()),
            applied_on: h.applied_on,
            amount: h.amount,
            counts,
            group,
            account,
        });
    }

    fn entry(&mut self, index: u32, program: u16, claim: &Claim, amount: Decimal) -> Entry {
        let engine = self.engine;
        let compiled = &engine.programs[usize::from(program)];
        let rule = &engine.rules.programs[compiled.rule];
        let counts = compiled.segment(claim.event_date).flag(Some(rule.counts_toward_annual_limit));
        let account = if rule.fund == Fund::SpecialAccount { engine.account_on(rule.fund, claim.applied_on) } else { None };
        Entry {
            index,
            person: self.persons.id(&claim.person_id),
            applied_on: claim.applied_on,
            program,
            occupation: self.occupations.opt(claim.occupation.as_deref()),
            level: claim.level,
            enterprise: self.enterprises.opt(claim.enterprise_id.as_deref()),
            district: self.districts.opt(claim.district.as_deref()),
            amount,
            counts,
            account,
            decision: Decision::Approved(amount),
        }
    }

    /// Pass 1 for this part of a batch: checks 8–11 per person, every account unlimited.
    #[must_use]
    pub fn into_partition(mut self) -> Partition<'e> {
        // Duplicate claim ids make every claim carrying them invalid, whatever the order.
        self.duplicates.sort_unstable();
        self.duplicates.dedup();
        for &i in &self.duplicates {
            let error = FieldError::new(ClaimErrorKind::DuplicateClaimId, "claim_id", Some(self.ids[i as usize].to_string()));
            let a = &mut self.assessments[i as usize];
            let mut errors = if a.status == Status::Invalid { std::mem::take(&mut a.errors) } else { Vec::new() };
            errors.push(error);
            let mut invalid = Assessment::invalid(errors);
            invalid.program = a.program;
            if self.trace {
                invalid.trace = Some(Box::new(self.engine.invalid_trace(&invalid)));
            }
            *a = invalid;
        }
        let dup = &self.duplicates;
        self.entries.retain(|e| dup.binary_search(&e.index).is_err());
        let ids = &self.ids;
        self.entries.sort_unstable_by(|a, b| {
            (a.person, a.applied_on, ids[a.index as usize].as_bytes()).cmp(&(b.person, b.applied_on, ids[b.index as usize].as_bytes()))
        });
        self.past.sort_by_key(|p| p.person);
        let none = Closings::none();
        let person = Person { engine: self.engine, rules: &self.rules, ids: &self.ids, closings: &none };
        for (start, end) in person_ranges(&self.entries) {
            let who = self.entries[start].person;
            person.decide(past_of(&self.past, who), &mut self.entries[start..end], None);
        }
        let mut history_committed = vec![Decimal::ZERO; self.engine.rules.accounts.len()];
        for p in &self.past {
            if let Some(a) = p.account {
                history_committed[usize::from(a)] += p.amount;
            }
        }
        let candidates = self
            .entries
            .iter()
            .filter_map(|e| match (e.decision, e.account) {
                (Decision::Approved(amount), Some(account)) if self.rules.special[usize::from(e.program)] => {
                    Some(Candidate { account, applied_on: e.applied_on, claim_id: self.ids[e.index as usize].clone(), amount })
                }
                _ => None,
            })
            .collect();
        Partition { batch: self, budget: BudgetInput { candidates, history_committed } }
    }

    /// Decides the whole batch and reports on it (the three passes in one process).
    #[must_use]
    pub fn finish(self) -> BatchResult {
        let partition = self.into_partition();
        let closings = Closings::compute(partition.batch.engine, [partition.budget_input()]);
        partition.settle(&closings)
    }
}

/// Contiguous ranges of one person's entries (entries sorted by person).
fn person_ranges(entries: &[Entry]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=entries.len() {
        if i == entries.len() || entries[i].person != entries[start].person {
            if start < entries.len() {
                out.push((start, i));
            }
            start = i;
        }
    }
    out
}

/// A person's history records (history sorted by person).
fn past_of(past: &[Past], person: u32) -> &[Past] {
    let start = past.partition_point(|p| p.person < person);
    let end = past.partition_point(|p| p.person <= person);
    &past[start..end]
}

/// Part of a batch after pass 1, waiting for the accounts' closing points.
pub struct Partition<'e> {
    batch: Batch<'e>,
    budget: BudgetInput,
}

impl Partition<'_> {
    /// What this partition brings to pass 2.
    #[must_use]
    pub fn budget_input(&self) -> &BudgetInput {
        &self.budget
    }

    /// Pass 3: refuses claims at or after each account's closing point, re-decides the persons
    /// who had such claims, and builds the assessments and the report.
    #[must_use]
    pub fn settle(mut self, closings: &Closings) -> BatchResult {
        let b = &mut self.batch;
        let person = Person { engine: b.engine, rules: &b.rules, ids: &b.ids, closings };
        let ranges = person_ranges(&b.entries);
        for &(start, end) in &ranges {
            let affected = b.entries[start..end].iter().any(|e| {
                matches!(e.decision, Decision::Approved(_))
                    && e.account.is_some_and(|a| {
                        b.rules.special[usize::from(e.program)] && closings.is_closed(a, e.applied_on, &b.ids[e.index as usize])
                    })
            });
            if affected || b.trace {
                let who = b.entries[start].person;
                let mut traces = Traces { assessments: &mut b.assessments };
                person.decide(past_of(&b.past, who), &mut b.entries[start..end], b.trace.then_some(&mut traces));
            }
        }
        for e in &b.entries {
            let a = &mut b.assessments[e.index as usize];
            match e.decision {
                Decision::Approved(paid) => a.amount = paid,
                Decision::Rejected(reason) => {
                    a.status = Status::Rejected;
                    a.reasons = Reasons::from(reason);
                    a.amount = Decimal::ZERO;
                    a.payment_month = None;
                }
            }
        }
        let report = self.report(closings);
        let b = self.batch;
        BatchResult { claim_ids: b.ids, assessments: b.assessments, report }
    }

    fn report(&self, closings: &Closings) -> Report {
        let b = &self.batch;
        let engine = b.engine;
        let rules = &engine.rules;
        let mut report = Report::default();
        for (i, account) in rules.accounts.iter().enumerate() {
            let value = |id: crate::rules::ParamId| engine.base_values[id.0 as usize];
            let target = |id: Option<crate::rules::ParamId>| id.map(|p| u64::from(crate::engine::compile::count(value(p))));
            let mut ledger = AccountLedger::new(
                account.period,
                value(account.opening_balance).number(),
                target(account.target_person_times),
                target(account.target_apprentices),
            );
            ledger.closed_in = closings.closed_at.get(i).and_then(|c| c.as_ref()).map(|(date, _)| YearMonth::of(*date));
            report.accounts.insert(account.id.clone(), ledger);
        }
        for p in &b.past {
            if let Some(a) = p.account {
                if let Some(ledger) = report.accounts.get_mut(&rules.accounts[usize::from(a)].id) {
                    ledger.history_committed += p.amount;
                    ledger.history_person_times += 1;
                    *ledger.committed_by_month.entry(YearMonth::of(p.applied_on)).or_default() += p.amount;
                }
            }
        }
        report.claims = b.assessments.len() as u64;
        for a in &b.assessments {
            match a.status {
                Status::Invalid => report.invalid += 1,
                Status::Rejected => {
                    report.rejected += 1;
                    for r in a.reasons.iter() {
                        *report.rejections.entry(r).or_default() += 1;
                    }
                }
                _ => {}
            }
        }
        for e in &b.entries {
            let Decision::Approved(paid) = e.decision else { continue };
            let a = &b.assessments[e.index as usize];
            let program = &rules.programs[engine.programs[usize::from(e.program)].rule];
            report.approved.add(paid);
            report.by_program.entry(program.id.clone()).or_default().add(paid);
            report.by_level.entry(e.level.map_or("-", Level::code).to_string()).or_default().add(paid);
            report.by_district.entry(b.districts.name(e.district).to_string()).or_default().add(paid);
            report.by_fund.entry(program.fund.code().to_string()).or_default().add(paid);
            report.by_occupation.entry(b.occupations.name(e.occupation).to_string()).or_default().add(paid);
            report.by_month.entry(YearMonth::of(e.applied_on)).or_default().add(paid);
            if let Some(account) = e.account.filter(|_| b.rules.special[usize::from(e.program)]) {
                if let Some(ledger) = report.accounts.get_mut(&rules.accounts[usize::from(account)].id) {
                    ledger.committed += paid;
                    ledger.person_times += 1;
                    *ledger.committed_by_month.entry(YearMonth::of(e.applied_on)).or_default() += paid;
                    if let Some(month) = a.payment_month {
                        *ledger.disbursements.entry(month).or_default() += paid;
                    }
                }
            }
        }
        report
    }
}

/// Puts a claim's batch steps into its trace: they follow the per-claim steps, and the payment
/// step moves to the end (or goes, when the claim is refused).
pub(crate) fn finish_trace(a: &mut Assessment, steps: Vec<Step>, decision: Decision) {
    let Some(trace) = a.trace.as_mut() else { return };
    // A re-decided person's claims are traced again: drop any earlier batch steps.
    let batch_steps = [
        StepId::DuplicateLevel,
        StepId::LowerLevel,
        StepId::AnnualLimit,
        StepId::Exclusivity,
        StepId::ApprenticeshipOverlap,
        StepId::Budget,
    ];
    trace.steps.retain(|s| !batch_steps.contains(&s.step));
    let payment = trace.steps.iter().position(|s| s.step == StepId::Payment).map(|i| trace.steps.remove(i));
    trace.steps.extend(steps);
    if let (Decision::Approved(_), Some(payment)) = (decision, payment) {
        trace.steps.push(payment);
    }
}
