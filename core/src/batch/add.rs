//! Adding to a batch (SPEC §7.2, §8, §11): claims — typed, as rows of fields read on every core,
//! or prepared elsewhere — each held as its compact columns and its shape; apprenticeship
//! applications, reviewed as they come; and the history of earlier subsidies.

use super::rows::{hash, Raw, TextArena, APPROVED, FEE_ABSENT, NONE, NOT_ELIGIBLE};
use super::shapes::{window_reasons, KeyOf, Shapes};
use super::table::{self, ClaimTable};
use super::{report, AppSlot, Batch, Past};
use crate::apprenticeship::Application;
use crate::assessment::Assessment;
use crate::calendar::Date;
use crate::claim::{Claim, FieldError, FieldMode, FieldSource, RawClaim};
use crate::engine::Engine;
use crate::history::HistoryRecord;
use crate::reasons::{Reason, Status};
use crate::rules::{Calculation, Fund};
use rust_decimal::Decimal;
use std::ops::Range;

/// A claim read on its own (checks 1–7 and its amount wait for its shape), ready for
/// [`Batch::add_prepared`]; or the errors of a row that could not be read.
#[derive(Debug)]
pub struct Prepared(PreparedKind, Option<Keyed>);

#[derive(Debug)]
// Most rows are claims: boxing the large variant would allocate for each.
#[allow(clippy::large_enum_variant)]
enum PreparedKind {
    Claim(Claim),
    /// A claim whose id was given with surrounding spaces, and the id as given.
    Spaced(Box<(Claim, String)>),
    Invalid(String, Vec<FieldError>),
}

/// What adding a validated claim reads of it besides its fields, made on any thread (by
/// [`Batch::add_all`] and [`Engine::prepare`]): its shape's key (none for a claim assessed on its
/// own), its person's, enterprise's and district's hashes, and its fee in fen — of one engine's
/// rules (a batch of another engine makes them again).
#[derive(Debug)]
struct Keyed {
    /// The engine whose rules made the shape's key (its address, as an identity only).
    engine: usize,
    shape: Option<KeyOf>,
    person: u64,
    fee: i64,
    /// The hashes of the claim's enterprise and district, as the batch's interners hash them.
    enterprise: Option<u64>,
    district: Option<u64>,
}

impl Keyed {
    fn of(engine: &Engine, claim: &Claim) -> Self {
        let shape = (!Shapes::apart(engine, claim)).then(|| KeyOf::of(engine, claim));
        // A claim assessed on its own keeps no fee in the batch's columns.
        let fee = if shape.is_some() { fen(claim.fee_paid) } else { FEE_ABSENT };
        let (enterprise, district) = (claim.enterprise_id.as_deref().map(hash), claim.district.as_deref().map(hash));
        Keyed { engine: std::ptr::from_ref(engine) as usize, shape, person: hash(&claim.person_id), fee, enterprise, district }
    }
}

/// A fee in fen, or [`FEE_ABSENT`].
pub(super) fn fen(fee: Option<Decimal>) -> i64 {
    fee.map_or(FEE_ABSENT, |f| i64::try_from(report::fen_of(f)).unwrap_or(i64::MAX))
}

impl Engine {
    unstable! {
        /// Reads a claim's fields (on any thread): a caller that reads its input in parallel
        /// prepares there and adds here, in input order ([`Batch::add_prepared`]).
        #[must_use]
        fn prepare(&self, source: &(impl FieldSource + ?Sized), mode: FieldMode) -> Prepared {
            let kind = match Claim::read(source, mode) {
                Ok(claim) => match source.value(crate::claim::Field::ClaimId) {
                    Some(crate::claim::RawRef::Text(given) | crate::claim::RawRef::Number(given)) if given.len() != claim.claim_id.len() => {
                        let given = given.to_string();
                        PreparedKind::Spaced(Box::new((claim, given)))
                    }
                    _ => PreparedKind::Claim(claim),
                },
                Err(errors) => PreparedKind::Invalid(source.claim_id_text(), errors),
            };
            // What adding it reads, made here too: the thread that adds has only to look it up.
            let keyed = match &kind {
                PreparedKind::Claim(claim) => Some(Keyed::of(self, claim)),
                PreparedKind::Spaced(spaced) => Some(Keyed::of(self, &spaced.0)),
                PreparedKind::Invalid(..) => None,
            };
            Prepared(kind, keyed)
        }
    }
}

/// Rows read and prepared at a time by [`Batch::add_all`] and [`Batch::add_rows`]: enough to keep
/// every core busy, few enough that a block's claims stay small next to the batch.
const BLOCK: usize = 1 << 16;

/// Rows ahead of the one added whose shapes are asked for from the cache (twice as far for the
/// index's slot): about as many as the memory's latency takes to add.
const AHEAD: usize = 16;

/// Shapes and enterprises that a core's cache holds (with room to spare): below, nothing is
/// asked for ahead.
const CACHED: usize = 4096;

impl Batch<'_> {
    /// Adds a claim; one whose fields do not validate ([`Claim::validate`]) is `invalid`, with
    /// the errors the same claim read from JSON gets, and still appears in the result.
    pub fn add(&mut self, claim: &Claim) {
        // As it is when the reader would hold it so (as `Engine::assess`: no whole claim moved).
        if claim.is_as_read() {
            return self.push_claim(claim, &claim.claim_id);
        }
        match claim.check() {
            Ok(checked) => self.push_claim(&checked, &claim.claim_id),
            Err(errors) => self.add_invalid(&claim.claim_id, errors),
        }
    }

    /// Adds claims (each as [`Batch::add`]); each is checked and keyed on every core, a block
    /// while the one before is added.
    pub fn add_all(&mut self, claims: &[Claim]) {
        self.reserve(claims.len());
        if crate::parallel::threads_for(claims.len()) <= 1 {
            // A few claims, or one core: no thread is worth starting.
            return claims.iter().for_each(|claim| self.add(claim));
        }
        let engine = self.engine;
        // Smaller blocks than a table's: a claim's key is larger than the row it becomes.
        let blocks: Vec<&[Claim]> = claims.chunks(BLOCK / 4).collect();
        crate::parallel::pipeline(
            blocks.len(),
            |k| {
                crate::parallel::chunks(blocks[k].len(), |part| {
                    // A claim not as the reader would hold it (rare) is read again where it is added.
                    blocks[k][part].iter().map(|claim| claim.is_as_read().then(|| Keyed::of(engine, claim))).collect::<Vec<_>>()
                })
            },
            |k, parts| {
                // Read in place: a claim's key is not moved again. The parts are of one length
                // but the last (`parallel::chunks`).
                let size = parts.first().map_or(1, Vec::len).max(1);
                debug_assert!(parts.iter().enumerate().all(|(p, part)| part.len() == size.min(blocks[k].len().saturating_sub(p * size))));
                let keyed = |j: usize| parts.get(j / size).and_then(|p| p.get(j % size));
                let block = blocks[k];
                self.add_ahead(
                    block.len(),
                    |j| keyed(j).and_then(Option::as_ref),
                    |batch, j| match keyed(j) {
                        Some(Some(keyed)) => batch.push_keyed(&block[j], &block[j].claim_id, keyed),
                        _ => batch.add(&block[j]),
                    },
                );
            },
        );
    }

    /// Adds `n` claims, the `j`th by `add(self, j)`, made beforehand with what adding each reads
    /// (`keyed(j)`, `None` for a claim not keyed): where the shapes and the enterprises outgrow
    /// the cache, the places the claims a little ahead will read are asked for from it, the
    /// index's slots first.
    fn add_ahead<'k>(&mut self, n: usize, keyed: impl Fn(usize) -> Option<&'k Keyed>, mut add: impl FnMut(&mut Self, usize)) {
        let ahead = self.shapes.list.len() + self.enterprises.names.len() > CACHED;
        for j in 0..n {
            if ahead {
                if let Some(k) = keyed(j + 2 * AHEAD) {
                    self.prefetch(k, false);
                }
                if let Some(k) = keyed(j + AHEAD) {
                    self.prefetch(k, true);
                }
            }
            add(self, j);
        }
    }

    /// Adds `rows` claims, row `i` read from `row(i)` (a data frame's row, say); reading runs on
    /// every core, in order. A malformed row is `invalid` and still appears in the result.
    pub fn add_rows<S: FieldSource>(&mut self, rows: usize, mode: FieldMode, row: impl Fn(usize) -> S + Sync) {
        self.reserve(rows);
        let engine = self.engine;
        for start in (0..rows).step_by(BLOCK) {
            let len = BLOCK.min(rows - start);
            let prepared = crate::parallel::map(len, |i| engine.prepare(&row(start + i), mode));
            self.add_prepared_all(&prepared);
        }
    }

    unstable! {
        /// Adds a claim read by [`Engine::prepare`]. Taken by reference: a prepared claim is large,
        /// and a caller handing on many (read on other threads) need not move each again.
        fn add_prepared(&mut self, prepared: &Prepared) {
            // Keys made by another engine's rules are made again.
            let keyed = prepared.1.as_ref().filter(|k| k.engine == std::ptr::from_ref(self.engine) as usize);
            match (&prepared.0, keyed) {
                (PreparedKind::Claim(claim), Some(keyed)) => self.push_keyed(claim, &claim.claim_id, keyed),
                (PreparedKind::Spaced(spaced), Some(keyed)) => self.push_keyed(&spaced.0, &spaced.1, keyed),
                (PreparedKind::Claim(claim), None) => self.push_claim(claim, &claim.claim_id),
                (PreparedKind::Spaced(spaced), None) => self.push_claim(&spaced.0, &spaced.1),
                (PreparedKind::Invalid(id, errors), _) => self.add_invalid(id, errors.clone()),
            }
        }
    }

    unstable! {
        /// Adds claims read by [`Engine::prepare`], in order (each as [`Batch::add_prepared`]), the
        /// places of the shapes of the ones a little ahead asked for from the cache.
        fn add_prepared_all(&mut self, prepared: &[Prepared]) {
            self.add_ahead(prepared.len(), |j| prepared.get(j).and_then(|p| p.1.as_ref()), |batch, j| batch.add_prepared(&prepared[j]));
        }
    }

    /// Adds raw fields; a malformed claim is `invalid` and still appears in the result.
    pub fn add_raw(&mut self, raw: &RawClaim, mode: FieldMode) {
        self.add_fields(raw, mode);
    }

    /// Adds a claim from any field source (a CSV row, a data frame's row); a malformed claim
    /// is `invalid` and still appears in the result.
    pub fn add_fields(&mut self, source: &(impl FieldSource + ?Sized), mode: FieldMode) {
        let prepared = self.engine.prepare(source, mode);
        self.add_prepared(&prepared);
    }

    /// Adds a claim that could not be read, with its errors.
    pub fn add_invalid(&mut self, claim_id: &str, errors: Vec<FieldError>) {
        let row = self.rows.len() as u32;
        self.push_id(row, claim_id);
        self.persons.push("");
        self.rows.push(NONE, FEE_ABSENT, 0, NONE);
        let mut a = Assessment::invalid(errors);
        if self.trace.covers(claim_id.trim()) {
            a.trace = Some(Box::new(self.engine.invalid_trace(&a)));
        }
        self.own.insert(row, a);
    }

    /// Keeps row `row`'s claim id: trimmed, as the checks compare it, and as given where that
    /// differs (its record shows it as given).
    fn push_id(&mut self, row: u32, given: &str) {
        let trimmed = given.trim();
        self.ids.push(trimmed);
        if trimmed.len() != given.len() {
            self.given_ids.push((row, given.into()));
        }
    }

    /// Adds a validated claim whose id was given as `given` (its trimmed form is the claim's):
    /// its shape (assessed when new), its dates' own checks, its fee.
    pub(super) fn push_claim(&mut self, claim: &Claim, given: &str) {
        self.push_keyed(claim, given, &Keyed::of(self.engine, claim));
    }

    /// [`Batch::push_claim`] with what it reads of the claim made beforehand (on another thread).
    fn push_keyed(&mut self, claim: &Claim, given: &str, keyed: &Keyed) {
        let engine = self.engine;
        let row = self.rows.len() as u32;
        let traced = self.trace.covers(&claim.claim_id);
        let person = keyed.person;
        let Some(key) = &keyed.shape else {
            // An apprenticeship is approved only at a review session (SPEC §8): alone it is an
            // estimate; in a batch an eligible one is `needs_review` and commits nothing.
            let a = if traced { engine.explain(claim) } else { engine.assess(claim) };
            self.push_id(row, given);
            self.persons.push(&claim.person_id);
            let enterprise = self.enterprises.opt(claim.enterprise_id.as_deref());
            self.rows.push(NONE, FEE_ABSENT, person, enterprise);
            if a.status == Status::Approved {
                self.rows.decision[row as usize] = Reason::NeedsReview as u8;
            }
            self.own.insert(row, a);
            return;
        };
        let shape = self.shapes.find(engine, claim, key, &mut self.occupations, &mut self.projects);
        let district = claim.district.as_deref().map_or(NONE, |d| self.districts.id_hashed(d, keyed.district.unwrap_or_else(|| hash(d))));
        let raw = self.raw_at(shape, claim.event_date, claim.applied_on, district);
        let enterprise =
            claim.enterprise_id.as_deref().map_or(NONE, |e| self.enterprises.id_hashed(e, keyed.enterprise.unwrap_or_else(|| hash(e))));
        self.push_id(row, given);
        self.persons.push(&claim.person_id);
        self.rows.push(raw, keyed.fee, person, enterprise);
        self.decide_claim(row);
        if traced {
            self.own.insert(row, engine.explain(claim));
        }
    }

    /// Asks the cache for what adding a claim keyed `keyed` reads: the index's slots of its shape
    /// and its enterprise, or (`found`) what they name.
    fn prefetch(&self, keyed: &Keyed, found: bool) {
        if let Some(shape) = &keyed.shape {
            self.shapes.prefetch(shape.hash(), found);
        }
        if let Some(h) = keyed.enterprise {
            self.enterprises.prefetch(h, found);
        }
    }

    /// Adds rows `range` of a table's part, validated claims each of raw entry `raws[k]` and
    /// (interned) enterprise `enterprises[k]`, with their ids in `ids` and `persons` and their
    /// persons' hashes and fees in fen in `person` and `fen` (indexed as the arenas): as
    /// [`Batch::push_keyed`] adds each, the columns appended a run at a time.
    pub(super) fn push_shaped_rows(
        &mut self,
        (ids, persons): (&TextArena, &TextArena),
        range: Range<usize>,
        (person, fen): (&[u64], &[i64]),
        raws: &[u32],
        enterprises: &[u32],
    ) {
        let first = self.rows.len();
        self.ids.extend_from(ids, range.clone());
        self.persons.extend_from(persons, range.clone());
        self.rows.extend(raws, &fen[range.clone()], &person[range], enterprises);
        for row in first..self.rows.len() {
            self.decide_claim(row as u32);
        }
    }

    /// A raw entry for a claim of shape `shape` with these dates and (interned) district: the last
    /// one of the shape when it has them too (rows of one day share their raw entries).
    pub(super) fn raw_at(&mut self, shape: u32, event_date: Date, applied_on: Date, district: u32) -> u32 {
        let share = self.share_raws;
        // Every shape id is one `Shapes` gave.
        let Some(hot) = self.shapes.hot_mut(shape) else {
            debug_assert!(false, "shape {shape} not made by this batch");
            return NONE;
        };
        let (e, a, d, raw) = hot.last;
        if share && raw != NONE && (e, a, d) == (event_date, applied_on, district) {
            return raw;
        }
        let raw = self.raws.len() as u32;
        hot.last = (event_date, applied_on, district, raw);
        let (program, window_months) = (hot.program, hot.window_months);
        let program = (program != NONE).then(|| &self.engine.rules.programs[self.engine.programs[program as usize].rule]);
        let account = program.filter(|p| p.fund == Fund::SpecialAccount).and_then(|p| self.engine.account_on(p.fund, applied_on));
        self.raws.push(Raw {
            shape,
            event_date,
            applied_on,
            district,
            window: window_reasons(event_date, applied_on, window_months),
            account,
        });
        raw
    }

    /// Checks 1–7 and the amount of a row from its shape, its window and its fee: approved
    /// (pending checks 8–12) with its amount in `fen`, or not eligible.
    fn decide_claim(&mut self, row: u32) {
        let i = row as usize;
        let raw = &self.raws[self.rows.raw[i] as usize];
        let fee = self.rows.fen[i];
        self.rows.fen[i] = 0;
        let Some(shape) = self.shapes.hot(raw.shape).filter(|s| s.approved && raw.window.is_empty()) else {
            self.rows.decision[i] = NOT_ELIGIBLE;
            return;
        };
        let amount = if shape.caps && fee >= 0 { shape.fen.min(fee) } else { shape.fen };
        if amount <= 0 {
            // A subsidy of 0.00 (no fee paid) is not a subsidy: it uses up no limit.
            self.rows.decision[i] = Reason::NothingToPay as u8;
            return;
        }
        self.rows.fen[i] = amount;
        self.rows.decision[i] = APPROVED;
    }

    unstable! {
        /// Adds the rows of a table, read a column and a block at a time.
        fn add_table(&mut self, table: &ClaimTable<'_>, mode: FieldMode) {
            table::add(self, table, mode);
        }
    }

    /// Adds an apprenticeship application: it is reviewed now (its session, and eligibility and
    /// amount as a claim of the apprenticeship program dated at the session), and enters the
    /// queue at its session.
    /// An application whose fields do not validate ([`Application::checked`]) is `invalid`, as
    /// the same application read from text is.
    pub fn add_application(&mut self, app: &Application) {
        let app = match app.checked() {
            Ok(app) => app,
            Err(errors) => return self.add_invalid_application(&app.application_id, errors),
        };
        let app = &app;
        let (assessment, session) = self.engine.review_application(app, self.trace.covers(&app.application_id));
        let program = assessment.program_index;
        self.apps.push(AppSlot {
            person: hash(&app.person_id),
            enterprise: self.enterprises.id(&app.enterprise_id),
            occupation: self.occupations.id(&app.occupation),
            district: self.districts.opt(app.district.as_deref()),
            app: app.clone(),
            session,
            assessment,
            program,
            decision: None,
        });
    }

    /// Adds an application that could not be read, with its errors.
    pub fn add_invalid_application(&mut self, application_id: &str, errors: Vec<FieldError>) {
        let mut assessment = Assessment::invalid(errors);
        if self.trace.covers(application_id) {
            assessment.trace = Some(Box::new(self.engine.invalid_trace(&assessment)));
        }
        self.apps.push(AppSlot {
            app: Application::placeholder(application_id),
            session: None,
            assessment,
            person: 0,
            enterprise: NONE,
            occupation: NONE,
            district: NONE,
            program: None,
            decision: None,
        });
    }

    /// Adds an earlier subsidy of a person; explanations name it by its position from 1. A
    /// record whose fields do not validate ([`HistoryRecord::checked`]: a negative amount, an
    /// empty person id …) is refused with the errors the same record read from text gets, and
    /// nothing of it is added.
    pub fn add_history(&mut self, h: &HistoryRecord) -> Result<(), crate::Error> {
        let line = u32::try_from(self.past.len() + 1).unwrap_or(u32::MAX);
        self.add_history_at(h, line)
    }

    /// Adds an earlier subsidy of a person read from `line` of a history file: explanations
    /// name it "history line N". Refused as [`Batch::add_history`] refuses it.
    pub fn add_history_at(&mut self, h: &HistoryRecord, line: u32) -> Result<(), crate::Error> {
        let h = h.checked().map_err(|errors| crate::Error::history(errors).at(format!("history line {line}")))?;
        self.push_history(&h, line);
        Ok(())
    }

    /// Adds a history record already checked.
    pub(crate) fn push_history(&mut self, h: &HistoryRecord, line: u32) {
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
        let group = program.and_then(|i| self.checks.group[engine.programs[usize::from(i)].rule]);
        let account = rule.filter(|p| p.fund == Fund::SpecialAccount).and_then(|p| engine.account_on(p.fund, h.applied_on));
        let apprenticeship = rule.is_some_and(|p| matches!(p.calculation, Calculation::Apprenticeship { .. }));
        self.past.push(Past {
            line,
            person: hash(&h.person_id),
            person_id: h.person_id.clone(),
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
}

#[cfg(test)]
mod tests {
    use crate::claim::{FieldMode, RawClaim};
    use crate::engine::Engine;
    use crate::rules::Ruleset;

    /// W1's rules: one program, `w1`, that the Wuxi rules do not have.
    fn w1() -> Engine {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/bench/w1");
        let (mut files, mut folders) = (Vec::new(), vec![root.clone()]);
        while let Some(folder) = folders.pop() {
            for path in std::fs::read_dir(folder).unwrap().map(|e| e.unwrap().path()) {
                if path.is_dir() {
                    folders.push(path);
                } else if path.extension().is_some_and(|e| e == "toml") {
                    let name = path.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
                    files.push((name, std::fs::read_to_string(path).unwrap()));
                }
            }
        }
        Engine::new(Ruleset::from_files(files.iter().map(|(p, t)| (p.as_str(), t.as_str()))).unwrap())
    }

    /// A claim read by one engine and added to a batch of another is decided by the batch's rules,
    /// as the batch would read it: what the reading engine made of it (its shape's key) is not used.
    #[test]
    fn a_claim_prepared_by_another_engine_is_decided_by_the_batchs_rules() {
        let (wuxi, w1) = (Engine::new(Ruleset::wuxi_2021().unwrap()), w1());
        let claims = [
            RawClaim::from_json(&serde_json::json!({
                "claim_id": "C1", "program": "skills_training", "person_id": "P1", "group": "employee",
                "occupation": "6-18-02-04", "level": "4", "institution": "WX-JG-001",
                "event_date": "2021-05-10", "applied_on": "2021-06-15", "fee_paid": "900.00",
            })),
            RawClaim::from_json(&serde_json::json!({
                "claim_id": "C2", "program": "w1", "person_id": "P2", "occupation": "6-18-01-001", "level": "4",
                "event_date": "2021-06-01", "applied_on": "2021-06-15", "fee_paid": "900.00",
            })),
        ];
        for (batch_engine, reader) in [(&wuxi, &w1), (&w1, &wuxi)] {
            let (mut read_elsewhere, mut read_here) = (batch_engine.batch(), batch_engine.batch());
            for claim in &claims {
                read_elsewhere.add_prepared(&reader.prepare(claim, FieldMode::Strict));
                read_here.add_prepared(&batch_engine.prepare(claim, FieldMode::Strict));
            }
            let (elsewhere, here) = (read_elsewhere.finish(), read_here.finish());
            assert_eq!(elsewhere.assessments(), here.assessments());
            assert_eq!(elsewhere.report.to_json(), here.report.to_json());
            let approved = here.assessments().iter().filter(|a| a.status == crate::reasons::Status::Approved).count();
            assert_eq!(approved, 1, "{:?}", here.assessments());
        }
    }
}
