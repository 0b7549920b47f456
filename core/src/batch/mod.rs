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
mod report;
mod rounds;
mod table;

pub use budget::{BudgetInput, Candidate, Closings, QuotaCandidate};
pub use table::{ClaimColumn, ClaimTable, ColumnCell, TableResult, TableRow};

use crate::apprenticeship::{Application, ApplicationResult};
use crate::assessment::Assessment;
use crate::calendar::Date;
use crate::claim::{Claim, ClaimErrorKind, FieldError, FieldMode, FieldSource, RawClaim};
use crate::engine::Engine;
use crate::history::HistoryRecord;
use crate::level::Level;
use crate::reasons::{Reason, Reasons, Status};
use crate::report::Report;
use crate::rules::{Calculation, Fund};
use crate::trace::{Step, StepId};
use compact_str::CompactString;
use person::{CheckRules, Person, Traces};
use report::{build_report, fen_of, Counted, Names};
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;

/// "None" for interned ids.
pub(crate) const NONE: u32 = u32::MAX;

/// A person, ordered by a hash of their id first: grouping a million claims by person is then a
/// sort on integers, with the id itself compared only to tell apart ids that share a hash.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct PersonKey {
    hash: u64,
    id: CompactString,
}

impl PersonKey {
    fn new(id: &str) -> PersonKey {
        PersonKey { hash: hash(id), id: id.into() }
    }
}

fn hash(s: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(s)
}

/// A date as a day number that orders as dates do, below 2^24 (claims' dates are years 1..9999).
fn days(d: Date) -> u32 {
    // Days from 0001-01-01 (CE); dates before it (never valid claims) all sort first.
    u32::try_from(chrono::Datelike::num_days_from_ce(&d)).unwrap_or(0).min((1 << 24) - 1)
}

/// The positions of `items` in queue order — the date (`applied_on`, or an application's
/// session), then the id byte by byte — sorted on one 128-bit integer each: the day number and
/// the id's first 13 bytes; only ids sharing those are compared whole.
pub(crate) fn queue_order<T>(items: &[T], key: impl Fn(&T) -> (Date, &str)) -> Vec<u32> {
    let packed = |(date, id): (Date, &str)| {
        let mut bytes = [0u8; 16];
        let n = id.len().min(13);
        bytes[3..3 + n].copy_from_slice(&id.as_bytes()[..n]);
        (u128::from(days(date)) << 104) | u128::from_be_bytes(bytes)
    };
    let mut keyed: Vec<(u128, u32)> = items.iter().enumerate().map(|(i, t)| (packed(key(t)), i as u32)).collect();
    keyed.sort_unstable();
    for run in keyed.chunk_by_mut(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
        run.sort_by(|a, b| key(&items[a.1 as usize]).1.as_bytes().cmp(key(&items[b.1 as usize]).1.as_bytes()));
    }
    keyed.into_iter().map(|(_, i)| i).collect()
}

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
    pub person: PersonKey,
    /// Queue date: `applied_on`, or an application's session.
    pub applied_on: Date,
    /// `event_date` (the overlap rule asks whether it falls within an apprenticeship).
    pub event_date: Date,
    /// Position in the batch's applications, for an apprenticeship application.
    pub app: Option<u32>,
    pub program: u16,
    pub occupation: u32,
    pub level: Option<Level>,
    pub enterprise: u32,
    pub district: u32,
    /// The approved project (项目制), for the count of projects.
    pub project: u32,
    pub amount: Decimal,
    pub counts: bool,
    pub account: Option<u16>,
    pub decision: Decision,
}

/// A history record, interned.
#[derive(Debug, Clone)]
pub(crate) struct Past {
    pub person: PersonKey,
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

/// An application in a batch.
#[derive(Debug, Clone)]
pub(crate) struct AppSlot {
    /// Its position in the batch's ids and assessments.
    pub index: u32,
    pub app: Application,
    pub session: Option<Date>,
}

/// Strings to small ids.
#[derive(Default)]
pub(crate) struct Interner {
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
    /// (hash of claim id, index): sorted at the end to find ids given twice.
    id_hashes: Vec<(u64, u32)>,
    assessments: Vec<Assessment>,
    entries: Vec<Entry>,
    past: Vec<Past>,
    /// Applications: where each sits in `ids`/`assessments`, the application and its session.
    applications: Vec<AppSlot>,
    app_id_hashes: Vec<(u64, u32)>,
    enterprises: Interner,
    occupations: Interner,
    districts: Interner,
    projects: Interner,
    /// The entries by person, then queue order (indices into `entries`), once sorted.
    order: Vec<u32>,
    /// Where each person's run starts in `order`, and `order.len()` at the end.
    runs: Vec<u32>,
    /// Per run: whether the person has several claims or history.
    busy: Vec<bool>,
    /// Per run: the person's history, as a range of `past`.
    pasts: Vec<(u32, u32)>,
}

/// The result of a batch: one assessment per claim in input order, one result per application
/// in input order, and the report.
#[derive(Debug, Clone)]
pub struct BatchResult {
    /// Claim ids in input order (as given; empty when a claim had none).
    pub claim_ids: Vec<CompactString>,
    /// Assessments in input order.
    pub assessments: Vec<Assessment>,
    /// Apprenticeship applications in input order.
    pub applications: Vec<ApplicationResult>,
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
            id_hashes: Vec::new(),
            assessments: Vec::new(),
            entries: Vec::new(),
            past: Vec::new(),
            applications: Vec::new(),
            app_id_hashes: Vec::new(),
            enterprises: Interner::default(),
            occupations: Interner::default(),
            districts: Interner::default(),
            projects: Interner::default(),
            order: Vec::new(),
            runs: Vec::new(),
            busy: Vec::new(),
            pasts: Vec::new(),
        }
    }

    /// Assesses claims as one batch, with the history of earlier subsidies.
    #[must_use]
    pub fn assess_batch(&self, claims: &[Claim], history: &[HistoryRecord]) -> BatchResult {
        let mut batch = self.batch();
        for h in history {
            batch.add_history(h);
        }
        batch.add_all(claims);
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

    /// Makes room for `additional` more claims (a caller that knows how many saves the
    /// reallocations).
    pub fn reserve(&mut self, additional: usize) {
        self.ids.reserve(additional);
        self.id_hashes.reserve(additional);
        self.assessments.reserve(additional);
        self.entries.reserve(additional);
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
        if !id.is_empty() {
            self.id_hashes.push((hash(id), index));
        }
    }

    /// Claims (and, apart, applications) whose id another of the batch also has, by index.
    fn duplicates(&mut self) -> Vec<u32> {
        let mut out = duplicated(&mut std::mem::take(&mut self.id_hashes), &self.ids);
        out.extend(duplicated(&mut std::mem::take(&mut self.app_id_hashes), &self.ids));
        out.sort_unstable();
        out
    }
}

/// The range of `past` (sorted by person) holding `person`'s history, searching on from `at`
/// (persons are asked for in order).
fn history_of(past: &[Past], at: &mut usize, person: &PersonKey) -> (u32, u32) {
    while past.get(*at).is_some_and(|p| p.person < *person) {
        *at += 1;
    }
    let to = *at + past[(*at).min(past.len())..].iter().take_while(|p| p.person == *person).count();
    (*at as u32, to as u32)
}

/// A claim read and assessed on its own (checks 1–7 and its amount), ready for
/// [`Batch::add_prepared`]; or the errors of a row that could not be read.
#[derive(Debug)]
pub struct Prepared(PreparedKind);

#[derive(Debug)]
// Most rows are claims: boxing the large variant would allocate for each.
#[allow(clippy::large_enum_variant)]
enum PreparedKind {
    Claim(Claim, Assessment),
    Invalid(String, Vec<FieldError>),
}

impl Prepared {
    /// The claim as read (when it was valid) and its assessment.
    pub(crate) fn into_parts(self) -> (Option<Claim>, Assessment) {
        match self.0 {
            PreparedKind::Claim(claim, a) => (Some(claim), a),
            PreparedKind::Invalid(_, errors) => (None, Assessment::invalid(errors)),
        }
    }
}

impl Engine {
    /// Reads a claim and decides what can be decided of it alone (checks 1–7 and its amount),
    /// explained when `explain`: the part of a batch that can run on any thread.
    #[must_use]
    pub fn prepare(&self, source: &(impl FieldSource + ?Sized), mode: FieldMode, explain: bool) -> Prepared {
        Prepared(match Claim::parse(source, mode) {
            Ok(claim) => {
                let a = if explain { self.explain(&claim) } else { self.assess(&claim) };
                PreparedKind::Claim(claim, a)
            }
            Err(errors) => PreparedKind::Invalid(source.claim_id_text(), errors),
        })
    }
}

/// Claims read and assessed at a time by [`Batch::add_all`] and [`Batch::add_rows`]: enough to
/// keep every core busy, few enough that a block's claims stay small next to the batch.
const BLOCK: usize = 1 << 16;

/// Indices of `(hash, index)` pairs whose id another pair also has.
fn duplicated(hashes: &mut [(u64, u32)], ids: &[CompactString]) -> Vec<u32> {
    hashes.sort_unstable();
    let mut out = Vec::new();
    {
        for run in hashes.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
            // Equal hashes: compare the ids themselves (a hash may be shared by different ids).
            for (k, &(_, i)) in run.iter().enumerate() {
                if run.iter().enumerate().any(|(j, &(_, other))| j != k && ids[other as usize] == ids[i as usize]) {
                    out.push(i);
                }
            }
        }
    }
    out
}

impl<'e> Batch<'e> {
    /// Adds a claim; checks 1–7 and its amount are decided now.
    pub fn add(&mut self, claim: &Claim) {
        let a = self.assess_one(claim);
        self.push_assessed(claim, a);
    }

    /// Adds claims; their per-claim checks run on every core (in order: the result is the
    /// same as adding them one by one).
    pub fn add_all(&mut self, claims: &[Claim]) {
        self.reserve(claims.len());
        for block in claims.chunks(BLOCK) {
            let assessed = crate::parallel::map(block.len(), |i| self.assess_one(&block[i]));
            for (claim, a) in block.iter().zip(assessed) {
                self.push_assessed(claim, a);
            }
        }
    }

    /// Adds `rows` claims, row `i` read from `row(i)` (a data frame's row, say); reading and the
    /// per-claim checks run on every core, in order. A malformed row is `invalid` and still
    /// appears in the result.
    pub fn add_rows<S: FieldSource>(&mut self, rows: usize, mode: FieldMode, row: impl Fn(usize) -> S + Sync) {
        self.reserve(rows);
        let (engine, trace) = (self.engine, self.trace);
        for start in (0..rows).step_by(BLOCK) {
            let len = BLOCK.min(rows - start);
            for prepared in crate::parallel::map(len, |i| engine.prepare(&row(start + i), mode, trace)) {
                self.add_prepared(prepared);
            }
        }
    }

    /// Adds a claim read and assessed on its own by [`Engine::prepare`] — on any thread: a
    /// caller that reads its input in parallel prepares there and adds here, in input order.
    pub fn add_prepared(&mut self, prepared: Prepared) {
        match prepared.0 {
            // Prepared without a trace for a traced batch: explained now.
            PreparedKind::Claim(claim, a) if self.trace && a.trace.is_none() => self.add(&claim),
            PreparedKind::Claim(claim, mut a) => {
                if !self.trace {
                    a.trace = None;
                }
                self.push_assessed(&claim, a);
            }
            PreparedKind::Invalid(id, errors) => self.add_invalid(&id, errors),
        }
    }

    fn assess_one(&self, claim: &Claim) -> Assessment {
        if self.trace {
            self.engine.explain(claim)
        } else {
            self.engine.assess(claim)
        }
    }

    /// Keeps a claim assessed on its own: its id, its assessment and, when eligible, its entry
    /// for the cross-claim checks.
    fn push_assessed(&mut self, claim: &Claim, a: Assessment) {
        let index = self.ids.len() as u32;
        self.note_id(&claim.claim_id, index);
        self.ids.push(claim.claim_id.clone());
        if a.status == Status::Approved {
            if let Some(program) = a.program {
                let entry = self.entry(index, program, claim, a.amount, None);
                self.entries.push(entry);
            }
        }
        self.assessments.push(a);
    }

    /// Adds raw fields; a malformed claim is `invalid` and still appears in the result.
    pub fn add_raw(&mut self, raw: &RawClaim, mode: FieldMode) {
        self.add_fields(raw, mode);
    }

    /// Adds a claim from any field source (a CSV row, a data frame's row); a malformed claim
    /// is `invalid` and still appears in the result.
    pub fn add_fields(&mut self, source: &(impl FieldSource + ?Sized), mode: FieldMode) {
        let prepared = self.engine.prepare(source, mode, self.trace);
        self.add_prepared(prepared);
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

    /// Adds an apprenticeship application: it is reviewed now (its session, and eligibility
    /// and amount as a claim of the apprenticeship program dated at the session), and enters
    /// the queue at its session.
    pub fn add_application(&mut self, app: &Application) {
        let index = self.ids.len() as u32;
        self.app_id_hashes.push((hash(&app.application_id), index));
        self.ids.push(app.application_id.clone());
        let (a, session) = self.engine.review_application(app, self.trace);
        let position = self.applications.len() as u32;
        if let (crate::reasons::Status::Approved, Some(program), Some(date)) = (a.status, a.program, session) {
            let mut claim = Claim::new(&app.application_id, "", &app.person_id, date, date);
            claim.occupation = Some(app.occupation.clone());
            claim.level = Some(app.target_level);
            claim.enterprise_id = Some(app.enterprise_id.clone());
            claim.district = app.district.clone();
            let entry = self.entry(index, program, &claim, a.amount, Some(position));
            self.entries.push(entry);
        }
        self.assessments.push(a);
        self.applications.push(AppSlot { index, app: app.clone(), session });
    }

    /// Adds an application that could not be read, with its errors.
    pub fn add_invalid_application(&mut self, application_id: &str, errors: Vec<FieldError>) {
        let index = self.ids.len() as u32;
        if !application_id.is_empty() {
            self.app_id_hashes.push((hash(application_id), index));
        }
        self.ids.push(application_id.into());
        let mut a = Assessment::invalid(errors);
        if self.trace {
            a.trace = Some(Box::new(self.engine.invalid_trace(&a)));
        }
        self.assessments.push(a);
        let placeholder = Application::placeholder(application_id);
        self.applications.push(AppSlot { index, app: placeholder, session: None });
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
        let apprenticeship = rule.is_some_and(|p| matches!(p.calculation, Calculation::Apprenticeship { .. }));
        self.past.push(Past {
            person: PersonKey::new(&h.person_id),
            level_table,
            occupation: self.occupations.opt(h.occupation.as_deref()),
            level: h.level,
            enterprise: self.enterprises.opt(h.enterprise_id.as_deref()),
            applied_on: h.applied_on,
            amount: h.amount,
            counts,
            group,
            account,
            apprenticeship,
            project: self.projects.opt(h.project.as_deref()),
            span: h.months.filter(|_| apprenticeship).map(|m| {
                let end = crate::calendar::add_months(h.event_date, m).and_then(|d| d.pred_opt()).unwrap_or(Date::MAX);
                (h.event_date, end)
            }),
        });
    }

    fn entry(&mut self, index: u32, program: u16, claim: &Claim, amount: Decimal, app: Option<u32>) -> Entry {
        let engine = self.engine;
        let compiled = &engine.programs[usize::from(program)];
        let rule = &engine.rules.programs[compiled.rule];
        let counts = compiled.segment(claim.event_date).flag(Some(rule.counts_toward_annual_limit));
        let account = if rule.fund == Fund::SpecialAccount { engine.account_on(rule.fund, claim.applied_on) } else { None };
        let mut entry = Entry {
            index,
            person: PersonKey::new(&claim.person_id),
            applied_on: claim.applied_on,
            event_date: claim.event_date,
            app,
            program,
            occupation: self.occupations.opt(claim.occupation.as_deref()),
            level: claim.level,
            enterprise: self.enterprises.opt(claim.enterprise_id.as_deref()),
            district: self.districts.opt(claim.district.as_deref()),
            project: self.projects.opt(claim.project.as_deref()),
            amount,
            counts,
            account,
            decision: Decision::Approved(amount),
        };
        // Pass 1 decides only persons with several claims or history; a lone claim's decision
        // is set here.
        entry.decision = self.rules.lone(&entry, &Closings::none(), "");
        entry
    }

    /// Orders the eligible claims by person, then queue order, without moving them: `order`
    /// lists their indices and `runs` where each person's claims start. The sort runs on one
    /// 128-bit integer per claim (person hash, `applied_on`, index), so a person's claims are
    /// only looked at when there are several: persons sharing a hash are told apart by id, and
    /// one person's claims of the same day are put in claim id order. `busy` marks the persons
    /// the cross-claim checks have to look at: several claims, or history (`past` is sorted).
    fn sort_entries(&mut self) {
        let (entries, ids) = (&self.entries, &self.ids);
        let mut keys: Vec<u128> = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (u128::from(e.person.hash) << 64) | (u128::from(days(e.applied_on)) << 32) | i as u128)
            .collect();
        keys.sort_unstable();
        let mut order: Vec<u32> = keys.iter().map(|k| *k as u32).collect();
        let entry = |i: &u32| &entries[*i as usize];
        let id_of = |i: &u32| ids[entry(i).index as usize].as_bytes();
        let past = &self.past;
        // Each person's history, found by walking `past` (sorted by person, as the runs are).
        let mut at_past = 0;
        let (mut runs, mut busy, mut pasts) =
            (Vec::with_capacity(order.len() + 1), Vec::with_capacity(order.len()), Vec::with_capacity(order.len()));
        let mut start = 0;
        while start < keys.len() {
            let hash = (keys[start] >> 64) as u64;
            let end = start + keys[start..].partition_point(|k| (k >> 64) as u64 == hash);
            let run = &mut order[start..end];
            if let [only] = run {
                runs.push(start as u32);
                // Only a person whose hash some history shares is looked at.
                while past.get(at_past).is_some_and(|p| p.person.hash < hash) {
                    at_past += 1;
                }
                let range = if past.get(at_past).is_some_and(|p| p.person.hash == hash) {
                    history_of(past, &mut at_past, &entry(only).person)
                } else {
                    (at_past as u32, at_past as u32)
                };
                busy.push(range.0 < range.1);
                pasts.push(range);
            } else {
                let first = &entry(&run[0]).person.id;
                if run.iter().any(|i| entry(i).person.id != *first) {
                    // Persons sharing a hash: by person, then queue order.
                    run.sort_by(|a, b| {
                        let (x, y) = (entry(a), entry(b));
                        x.person.id.cmp(&y.person.id).then(x.applied_on.cmp(&y.applied_on)).then_with(|| id_of(a).cmp(id_of(b)))
                    });
                    let mut at = start;
                    for person in run.chunk_by(|a, b| entry(a).person.id == entry(b).person.id) {
                        runs.push(at as u32);
                        busy.push(true);
                        pasts.push(history_of(past, &mut at_past, &entry(&person[0]).person));
                        at += person.len();
                    }
                } else {
                    // One person: the same day's claims (the day is in the key) in claim id order.
                    let day = |k: u128| (k >> 32) as u32;
                    let mut from = start;
                    while from < end {
                        let to = from + keys[from..end].partition_point(|k| day(*k) == day(keys[from]));
                        if to - from > 1 {
                            order[from..to].sort_by(|a, b| id_of(a).cmp(id_of(b)));
                        }
                        from = to;
                    }
                    runs.push(start as u32);
                    busy.push(true);
                    pasts.push(history_of(past, &mut at_past, &entry(&order[start]).person));
                }
            }
            start = end;
        }
        runs.push(order.len() as u32);
        self.order = order;
        self.runs = runs;
        self.busy = busy;
        self.pasts = pasts;
    }

    /// Decides the claims of the persons `which` selects (by run), with `closings` (none in pass
    /// 1). A person's claims are gathered, decided in queue order and put back.
    fn decide_persons(&mut self, closings: &Closings, which: impl Fn(usize) -> bool) {
        let mut person = Person::new(self.engine, &self.rules, &self.ids, &self.applications, closings);
        for (r, w) in self.runs.windows(2).enumerate() {
            if !which(r) {
                continue;
            }
            let run = &self.order[w[0] as usize..w[1] as usize];
            let (from, to) = self.pasts[r];
            let past = &self.past[from as usize..to as usize];
            let mut traces = Traces { assessments: &mut self.assessments };
            person.decide(past, &mut self.entries, run, self.trace.then_some(&mut traces));
        }
    }

    /// Pass 1 for this part of a batch: checks 8–11 per person, every account unlimited.
    #[must_use]
    pub fn into_partition(mut self) -> Partition<'e> {
        // Duplicate claim ids make every claim carrying them invalid, whatever the order.
        let duplicates = self.duplicates();
        for &i in &duplicates {
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
        if !duplicates.is_empty() {
            self.entries.retain(|e| duplicates.binary_search(&e.index).is_err());
        }
        self.past.sort_by(|a, b| a.person.cmp(&b.person));
        self.sort_entries();
        // Pass 1 traces nothing: a traced batch is traced in pass 3, once the accounts are
        // known. A person with one claim and no history passes checks 8–11 (its decision is
        // already its amount), unless no subsidy at all is allowed a year.
        let trace = std::mem::replace(&mut self.trace, false);
        let busy = std::mem::take(&mut self.busy);
        let annual = self.rules.annual_claims;
        self.decide_persons(&Closings::none(), |r| annual == 0 || busy[r]);
        self.busy = busy;
        self.trace = trace;
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
                (Decision::Approved(amount), Some(account)) if self.rules.special[usize::from(e.program)] => Some(Candidate {
                    account,
                    applied_on: e.applied_on,
                    claim_id: self.ids[e.index as usize].clone(),
                    amount,
                    application: e.app.is_some(),
                }),
                _ => None,
            })
            .collect();
        let quota_candidates = self
            .entries
            .iter()
            .filter(|e| e.app.is_some() && matches!(e.decision, Decision::Approved(_)))
            .map(|e| QuotaCandidate {
                year: chrono::Datelike::year(&e.applied_on),
                applied_on: e.applied_on,
                claim_id: self.ids[e.index as usize].clone(),
            })
            .collect();
        Partition { batch: self, budget: BudgetInput { candidates, quota_candidates, history_committed } }
    }

    /// Decides the whole batch and reports on it (the three passes in one process).
    #[must_use]
    pub fn finish(self) -> BatchResult {
        let partition = self.into_partition();
        let closings = Closings::compute(partition.batch.engine, [partition.budget_input()]);
        partition.settle(&closings)
    }
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
        // Only the persons with a claim at or after a closing point are decided again (all of
        // them when traced: pass 1 left no trace).
        if b.trace {
            b.decide_persons(closings, |_| true);
        } else if !closings.is_empty() {
            let mut run_of = vec![0u32; b.entries.len()];
            for (r, w) in b.runs.windows(2).enumerate() {
                for &i in &b.order[w[0] as usize..w[1] as usize] {
                    run_of[i as usize] = r as u32;
                }
            }
            let mut affected = vec![false; b.runs.len().saturating_sub(1)];
            let (entries, ids, busy, rules) = (&mut b.entries, &b.ids, &b.busy, &b.rules);
            let special = &rules.special;
            for (i, e) in entries.iter_mut().enumerate() {
                if !matches!(e.decision, Decision::Approved(_)) {
                    continue;
                }
                let id = &ids[e.index as usize];
                let quota_full = e.app.is_some() && closings.is_quota_full(e.applied_on, id);
                let closed = e.account.is_some_and(|a| special[usize::from(e.program)] && closings.is_closed(a, e.applied_on, id));
                if quota_full || closed {
                    let r = run_of[i] as usize;
                    if busy[r] {
                        affected[r] = true;
                    } else {
                        // A lone claim without history: nothing else of the person's changes.
                        e.decision = rules.lone(e, closings, id);
                    }
                }
            }
            drop(run_of);
            b.decide_persons(closings, |r| affected[r]);
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
                    a.estimate = None;
                }
            }
        }
        let report = self.report(closings);
        let b = self.batch;
        if b.applications.is_empty() {
            return BatchResult { claim_ids: b.ids, assessments: b.assessments, applications: Vec::new(), report };
        }
        // Applications leave the claims' lists for their own, with their staged payments.
        let mut assessments: Vec<Option<Assessment>> = b.assessments.into_iter().map(Some).collect();
        let applications = b
            .applications
            .iter()
            .map(|slot| {
                let assessment = assessments[slot.index as usize].take().unwrap_or_else(|| Assessment::invalid(Vec::new()));
                let schedule = match (assessment.status, slot.session) {
                    (Status::Approved, Some(session)) => Some(b.engine.schedule(&slot.app, session, assessment.amount)),
                    _ => None,
                };
                ApplicationResult { application_id: b.ids[slot.index as usize].clone(), assessment, session: slot.session, schedule }
            })
            .collect();
        let (claim_ids, assessments) = b.ids.into_iter().zip(assessments).filter_map(|(id, a)| a.map(|a| (id, a))).unzip();
        BatchResult { claim_ids, assessments, applications, report }
    }

    fn report(&self, closings: &Closings) -> Report {
        let b = &self.batch;
        let approved = b.entries.iter().filter_map(|e| match e.decision {
            Decision::Approved(paid) => {
                Some(Counted { entry: e, payment_month: b.assessments[e.index as usize].payment_month, count: 1, fen: fen_of(paid) })
            }
            Decision::Rejected(_) => None,
        });
        let names = Names { districts: &b.districts, occupations: &b.occupations, projects: &b.projects };
        build_report(b.engine, &b.rules, &b.past, &b.applications, names, closings, b.assessments.iter().map(|a| (a, 1)), approved)
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
