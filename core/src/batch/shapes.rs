//! Shapes of claims: what checks 1–5 and 7 of SPEC §7.1 and the amount depend on — the program,
//! the segment of `event_date` in which nothing the program reads changes, the group,
//! occupation, level, institution, evaluator, project, months and contributions, and whether an
//! enterprise and a fee are given. A year of claims has far fewer shapes than claims, so each
//! distinct shape is assessed once, by the same engine call as any claim; a row then costs a
//! lookup, its claim window (check 6, from its own dates), a minimum with its fee (which
//! commutes with the one rounding, a fee being whole fen) and its month of payment.

use super::index::HashIndex;
use super::rows::{mix, Interner, NONE};
use crate::assessment::Assessment;
use crate::calendar::{after_months, Date};
use crate::claim::Claim;
use crate::engine::compile::count;
use crate::engine::Engine;
use crate::group::Group;
use crate::level::Level;
use crate::reasons::{Reason, Reasons, Status};
use crate::rules::Calculation;
use compact_str::CompactString;
use rust_decimal::Decimal;

/// What a claim's checks 1–5 and 7 and its amount depend on.
#[derive(Debug)]
pub(crate) struct ShapeKey {
    /// Index of the program in the engine, or [`UNKNOWN`].
    program: u16,
    /// Segment of `event_date` in the program's compiled timeline.
    segment: u16,
    group: Group,
    level: Option<Level>,
    occupation: Option<CompactString>,
    institution: Option<CompactString>,
    evaluator: Option<CompactString>,
    project: Option<CompactString>,
    months: Option<u32>,
    /// What check 7 reads of the months of unemployment-insurance contributions
    /// ([`ui_months_read`]), not the months themselves.
    ui_contribution_months: Option<u32>,
    enterprise: bool,
    fee: bool,
}

/// A program the ruleset does not know: every such claim has one shape.
const UNKNOWN: u16 = u16::MAX;

/// A fee that caps no subsidy (the largest amount of money, SPEC §4).
const NO_CAP: Decimal = crate::money::MAX_MONEY;

/// A shape and what its claims share.
#[derive(Debug)]
pub(crate) struct Shape {
    /// Checks 1–5 and 7 of a claim of this shape applied for on its event date (so that its own
    /// window decides nothing): approved, rejected with its reasons, or invalid (a field its
    /// program needs is missing), without its amount (`fen`): an index into
    /// [`Shapes::assessments`], which shapes alike in all but their amounts share.
    pub assessment: u32,
    /// Whether checks 1–5 and 7 approve it: the assessment's status, kept beside the other small
    /// fields that every row of the shape reads.
    pub approved: bool,
    /// The amount before the fee cap, in fen (approved shapes).
    pub fen: i64,
    /// Whether the fee paid caps the amount (a row's amount is then `min(fen, fee)`).
    pub caps: bool,
    /// Index of the program in the engine, or `NONE` when unknown.
    pub program: u32,
    /// Interned occupation (the batch's), or `NONE`.
    pub occupation: u32,
    pub level: Option<Level>,
    /// Interned project (the batch's), or `NONE`.
    pub project: u32,
    /// Whether claims of this shape count toward the annual limit.
    pub counts: bool,
    /// The claim window in force, in months.
    pub window_months: u32,
    /// Months between the month of application and the month of payment.
    pub payment_lag: u32,
}

/// What a claim's shape is found by, made on any thread ([`KeyOf::of`]) and looked up on the
/// adding one ([`Shapes::find`]), which then hashes nothing: the hash of the claim's key, and the
/// parts of the key that are not the claim's own fields. The key's texts are compared with the
/// claim's where they are (only a new shape's key is made).
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyOf {
    hash: u64,
    program: u16,
    segment: u16,
    ui_contribution_months: Option<u32>,
}

impl KeyOf {
    /// The key of a validated claim's shape, made on any thread.
    pub fn of(engine: &Engine, claim: &Claim) -> KeyOf {
        use std::hash::{BuildHasher, Hash, Hasher};
        let mut h = rustc_hash::FxBuildHasher.build_hasher();
        let key = match engine.program_index.get(claim.program.as_str()) {
            None => KeyOf { hash: 0, program: UNKNOWN, segment: 0, ui_contribution_months: None },
            Some(p) => KeyOf {
                hash: 0,
                program: p,
                segment: u16::try_from(engine.programs[usize::from(p)].segment_index(claim.event_date)).unwrap_or(u16::MAX),
                ui_contribution_months: ui_months_read(engine, p, claim),
            },
        };
        (key.program, key.segment, key.ui_contribution_months).hash(&mut h);
        if key.program != UNKNOWN {
            let c = claim;
            (c.group, c.level, c.occupation.as_deref(), c.institution.as_deref(), c.evaluator.as_deref(), c.project.as_deref())
                .hash(&mut h);
            (c.months, c.enterprise_id.is_some(), c.fee_paid.is_some()).hash(&mut h);
        }
        KeyOf { hash: mix(h.finish()), ..key }
    }

    /// The key's hash.
    pub fn hash(&self) -> u64 {
        self.hash
    }
}

impl ShapeKey {
    /// The key of claim `claim`'s shape, found as `k`.
    fn new(k: &KeyOf, claim: &Claim) -> ShapeKey {
        let known = k.program != UNKNOWN;
        ShapeKey {
            program: k.program,
            segment: k.segment,
            group: if known { claim.group } else { Group::Employee },
            level: claim.level.filter(|_| known),
            occupation: claim.occupation.clone().filter(|_| known),
            institution: claim.institution.clone().filter(|_| known),
            evaluator: claim.evaluator.clone().filter(|_| known),
            project: claim.project.clone().filter(|_| known),
            months: claim.months.filter(|_| known),
            ui_contribution_months: k.ui_contribution_months,
            enterprise: known && claim.enterprise_id.is_some(),
            fee: known && claim.fee_paid.is_some(),
        }
    }

    /// Whether claim `claim`, found as `k`, has this shape.
    fn is(&self, k: &KeyOf, claim: &Claim) -> bool {
        let c = claim;
        (self.program, self.segment, self.ui_contribution_months) == (k.program, k.segment, k.ui_contribution_months)
            && (k.program == UNKNOWN
                || (self.group, self.level, self.months, self.enterprise, self.fee)
                    == (c.group, c.level, c.months, c.enterprise_id.is_some(), c.fee_paid.is_some())
                    && self.occupation == c.occupation
                    && self.institution == c.institution
                    && self.evaluator == c.evaluator
                    && self.project == c.project)
    }
}

/// The shapes of a batch, by key: each key's hash indexes its shape, and the key is kept beside
/// what every row of the shape reads when it is added ([`Hot`]), so that adding a row reads one
/// place of memory for both (a year has tens of thousands of shapes: the map's key, the shape's
/// fields and its last raw entry were three misses of the cache a row). The index is a table of
/// its own, so that a caller that knows the keys of the rows to come can ask for their places
/// ahead ([`Shapes::prefetch`]).
#[derive(Default)]
pub(crate) struct Shapes {
    index: HashIndex,
    entries: Vec<Entry>,
    pub list: Vec<Shape>,
    /// The shapes' distinct assessments (a year has tens of thousands of shapes and a hundred or
    /// so of these: kept once rather than boxed a shape, the demo year's batch holds about 20
    /// bytes a claim less), found by `by_assessment`.
    assessments: Vec<Assessment>,
    by_assessment: rustc_hash::FxHashMap<AssessmentKey, Vec<u32>>,
}

/// What tells most of the shapes' distinct assessments apart; those alike in it are compared whole.
#[derive(PartialEq, Eq, Hash)]
struct AssessmentKey {
    status: Status,
    reasons: Reasons,
    program: Option<u16>,
    version: Option<crate::engine::compile::VersionRef>,
}

/// A shape's key and what adding a row of it reads and writes.
struct Entry {
    hot: Hot,
    hash: u64,
    key: ShapeKey,
}

/// What adding a row of a shape reads of it ([`Shape`]'s fields of the same names), and the
/// shape's last raw entry.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hot {
    /// The dates, district and index of the shape's last raw entry (index `NONE`: none yet).
    pub last: (Date, Date, u32, u32),
    pub fen: i64,
    pub program: u32,
    pub window_months: u32,
    pub approved: bool,
    pub caps: bool,
}

impl Shapes {
    /// The shape of a validated claim, assessed once when new. `occupations` and `projects` are
    /// the batch's interners.
    pub fn of(&mut self, engine: &Engine, claim: &Claim, occupations: &mut Interner, projects: &mut Interner) -> u32 {
        self.find(engine, claim, &KeyOf::of(engine, claim), occupations, projects)
    }

    /// [`Shapes::of`] with the claim's key made beforehand (on another thread, say).
    pub fn find(&mut self, engine: &Engine, claim: &Claim, key: &KeyOf, occupations: &mut Interner, projects: &mut Interner) -> u32 {
        debug_assert!(
            {
                let k = KeyOf::of(engine, claim);
                (k.program, k.segment, k.ui_contribution_months) == (key.program, key.segment, key.ui_contribution_months)
            },
            "a key made of another claim"
        );
        let entries = &self.entries;
        let slot = match self.index.find(key.hash, |id| entries.get(id as usize).is_some_and(|e| e.key.is(key, claim))) {
            Ok(id) => return id,
            Err(slot) => slot,
        };
        let program = (key.program != UNKNOWN).then_some(key.program);
        let (mut shape, assessment) = assess(engine, claim, program, occupations, projects);
        shape.assessment = self.intern(assessment);
        let hot = Hot {
            last: (Date::MIN, Date::MIN, NONE, NONE),
            fen: shape.fen,
            program: shape.program,
            window_months: shape.window_months,
            approved: shape.approved,
            caps: shape.caps,
        };
        self.entries.push(Entry { hot, hash: key.hash, key: ShapeKey::new(key, claim) });
        self.list.push(shape);
        let entries = &self.entries;
        self.index.add(slot, key.hash, |id| entries.get(id as usize).map_or(0, |e| e.hash))
    }

    /// The index of `a` among the shapes' distinct assessments, added when new.
    fn intern(&mut self, a: Assessment) -> u32 {
        let key = AssessmentKey { status: a.status, reasons: a.reasons, program: a.program_index, version: a.version };
        let alike = self.by_assessment.entry(key).or_default();
        if let Some(&i) = alike.iter().find(|&&i| self.assessments.get(i as usize) == Some(&a)) {
            return i;
        }
        let i = self.assessments.len() as u32;
        alike.push(i);
        self.assessments.push(a);
        i
    }

    /// The assessment of shape `shape` (checks 1–5 and 7, without its amount).
    pub fn assessment(&self, shape: u32) -> &Assessment {
        &self.assessments[self.list[shape as usize].assessment as usize]
    }

    /// Asks the cache for what finding a key of hash `hash` reads: its slot in the index, and
    /// (`entry`, once the slot has come) the shape the slot names.
    pub fn prefetch(&self, hash: u64, entry: bool) {
        self.index.prefetch(hash, entry, &self.entries);
    }

    /// What adding a row of shape `id` reads (`None` for an id not made here).
    pub fn hot(&self, id: u32) -> Option<&Hot> {
        self.entries.get(id as usize).map(|e| &e.hot)
    }

    /// [`Shapes::hot`], to note the shape's last raw entry.
    pub fn hot_mut(&mut self, id: u32) -> Option<&mut Hot> {
        self.entries.get_mut(id as usize).map(|e| &mut e.hot)
    }

    /// Whether a claim is assessed on its own rather than by its shape: an apprenticeship is an
    /// estimate of its review (SPEC §8), dated at its session.
    pub fn apart(engine: &Engine, claim: &Claim) -> bool {
        engine.program(&claim.program).is_some_and(|p| matches!(p.calculation, Calculation::Apprenticeship { .. }))
    }
}

/// What assessing a claim reads of its months of unemployment-insurance contributions (check 7,
/// SPEC §7.1): nothing where its program sets no minimum (`None`); else whether they are given and
/// reach the minimum in force (`Some(1)` or `Some(0)`), or that they are missing (`None`, as the
/// assessment then names the missing field). Claims that differ only beyond that share a shape:
/// the demo year's claims give 67 different numbers of months and two readings of them.
fn ui_months_read(engine: &Engine, program: u16, claim: &Claim) -> Option<u32> {
    let compiled = &engine.programs[usize::from(program)];
    let minimum = engine.rules.programs[compiled.rule].min_ui_contribution_months?;
    let need = compiled.segment(claim.event_date).count(minimum);
    claim.ui_contribution_months.map(|have| u32::from(have >= need))
}

/// Assesses a shape: the claim applied for on its event date, with placeholders for its ids and
/// a fee that caps nothing. Its assessment comes apart, without its amount (the shape holds it in
/// fen), for [`Shapes::intern`].
fn assess(
    engine: &Engine,
    claim: &Claim,
    program: Option<u16>,
    occupations: &mut Interner,
    projects: &mut Interner,
) -> (Shape, Assessment) {
    let mut c = Claim::new("0", &claim.program, "0", claim.event_date, claim.event_date);
    c.enterprise_id = claim.enterprise_id.as_ref().map(|_| CompactString::const_new("0"));
    c.group = claim.group;
    c.occupation = claim.occupation.clone();
    c.level = claim.level;
    c.institution = claim.institution.clone();
    c.evaluator = claim.evaluator.clone();
    c.project = claim.project.clone();
    c.months = claim.months;
    c.ui_contribution_months = claim.ui_contribution_months;
    c.fee_paid = claim.fee_paid.map(|_| NO_CAP);
    let mut assessment = engine.assess(&c);
    assessment.payment_month = None;
    // The shape is every claim's that has it: each row's record names its own id.
    assessment.claim_id = CompactString::default();
    let rules = &engine.rules;
    let base_window = count(engine.base_values[rules.limits.claim_window_months.0 as usize]);
    let (counts, window_months, payment_lag, caps) = match program {
        Some(p) => {
            let compiled = &engine.programs[usize::from(p)];
            let seg = compiled.segment(claim.event_date);
            let rule = &rules.programs[compiled.rule];
            (
                seg.flag(Some(rule.counts_toward_annual_limit)),
                seg.claim_window_months,
                seg.payment_lag,
                claim.fee_paid.is_some() && engine.fee_caps(claim),
            )
        }
        None => (false, base_window, 0, false),
    };
    let approved = assessment.status == Status::Approved;
    let fen = if approved { super::report::fen_of(assessment.amount) } else { 0 };
    assessment.amount = Decimal::ZERO;
    let shape = Shape {
        approved,
        fen: i64::try_from(fen).unwrap_or(i64::MAX),
        caps,
        program: program.map_or(NONE, u32::from),
        occupation: occupations.opt(claim.occupation.as_deref()),
        level: claim.level,
        project: projects.opt(claim.project.as_deref()),
        counts,
        window_months,
        payment_lag,
        assessment: NONE,
    };
    (shape, assessment)
}

/// Check 6 of SPEC §7.1 from a claim's own dates: applied before the event, or more than the
/// window's months after it.
pub(crate) fn window_reasons(event_date: Date, applied_on: Date, months: u32) -> Reasons {
    if applied_on < event_date {
        Reason::AppliedBeforeEvent.into()
    } else if after_months(event_date, months, applied_on) {
        Reason::ClaimWindowExpired.into()
    } else {
        Reasons::NONE
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_date;

    /// Two shapes whose keys hash alike stay two shapes: a key is found by its hash, then compared
    /// whole.
    #[test]
    fn keys_that_hash_alike_are_still_told_apart() {
        let engine = Engine::new(crate::rules::Ruleset::wuxi_2021().unwrap());
        let day = parse_date("2021-05-10").unwrap();
        let claim = |occupation: &str| {
            let mut c = Claim::new("C1", "skills_training", "P1", day, day);
            c.occupation = Some(occupation.into());
            c.level = Some(Level::L4);
            c.institution = Some("WX-JG-001".into());
            c
        };
        let (a, b) = (claim("6-18-02-04"), claim("4-10-01-06"));
        let alike = |c: &Claim| KeyOf { hash: 7, ..KeyOf::of(&engine, c) };
        let (mut shapes, mut occupations, mut projects) = (Shapes::default(), Interner::default(), Interner::default());
        let ka = shapes.find(&engine, &a, &alike(&a), &mut occupations, &mut projects);
        let kb = shapes.find(&engine, &b, &alike(&b), &mut occupations, &mut projects);
        assert_ne!(ka, kb);
        assert_eq!(shapes.find(&engine, &a, &alike(&a), &mut occupations, &mut projects), ka);
        assert_eq!(shapes.find(&engine, &b, &alike(&b), &mut occupations, &mut projects), kb);
        assert_eq!(shapes.list.len(), 2);
        assert_eq!(shapes.list[kb as usize].occupation, occupations.id("4-10-01-06"));
    }
}
