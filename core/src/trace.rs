//! Explanations (计算说明): the ordered steps of an assessment, each naming the rule it read,
//! that rule's citation and document, the value before and after, and a note in Chinese and
//! English.
//!
//! The JSON shape is versioned ([`TRACE_VERSION`]) and documented in `docs/trace.md`; it is the
//! same from Rust, the CLI, Python and the browser.

use crate::rules::Confidence;
use serde::Serialize;

/// Version of the trace's JSON shape.
pub const TRACE_VERSION: u32 = 1;

/// Stable step ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StepId {
    /// The claim's fields failed validation.
    Validation,
    /// The program was found.
    Program,
    /// The catalogue version in force on `event_date`.
    Catalogue,
    /// The occupation and level in that version.
    Occupation,
    /// The levels the program subsidises.
    Level,
    /// The groups that may claim.
    Group,
    /// The institution catalogue.
    Institution,
    /// The evaluation institution catalogue.
    Evaluator,
    /// The claim window.
    ClaimWindow,
    /// Program conditions (contributions, project, duration).
    ProgramConditions,
    /// The amount before adjustments.
    BaseAmount,
    /// The months paid, capped at the maximum.
    MonthsCap,
    /// The shortage uplift.
    ShortageUplift,
    /// The program's cap on the fee (线上培训).
    Cap,
    /// The cap at the fee paid.
    FeeCap,
    /// The one rounding to the fen.
    Rounding,
    /// Once per occupation and level.
    DuplicateLevel,
    /// Not below a level already subsidised.
    LowerLevel,
    /// At most N subsidies a year.
    AnnualLimit,
    /// Highest amount within an exclusivity group (补差).
    Exclusivity,
    /// Apprentices' enterprise claims.
    ApprenticeshipOverlap,
    /// One approved apprenticeship per person at a time.
    OneAtATime,
    /// The yearly quota of apprentices.
    Quota,
    /// The special account.
    Budget,
    /// The month of payment.
    Payment,
    /// The apprenticeship review session.
    ReviewSession,
}

impl StepId {
    /// The id as text.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            StepId::Validation => "validation",
            StepId::Program => "program",
            StepId::Catalogue => "catalogue",
            StepId::Occupation => "occupation",
            StepId::Level => "level",
            StepId::Group => "group",
            StepId::Institution => "institution",
            StepId::Evaluator => "evaluator",
            StepId::ClaimWindow => "claim_window",
            StepId::ProgramConditions => "program_conditions",
            StepId::BaseAmount => "base_amount",
            StepId::MonthsCap => "months_cap",
            StepId::ShortageUplift => "shortage_uplift",
            StepId::Cap => "cap",
            StepId::FeeCap => "fee_cap",
            StepId::Rounding => "rounding",
            StepId::DuplicateLevel => "duplicate_level",
            StepId::LowerLevel => "lower_level",
            StepId::AnnualLimit => "annual_limit",
            StepId::Exclusivity => "exclusivity",
            StepId::ApprenticeshipOverlap => "apprenticeship_overlap",
            StepId::OneAtATime => "one_at_a_time",
            StepId::Quota => "quota",
            StepId::Budget => "budget",
            StepId::Payment => "payment",
            StepId::ReviewSession => "review_session",
        }
    }
}

/// Whether a step's check passed, failed, or the step only computed a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum StepOutcome {
    /// The check passed.
    Pass,
    /// The check failed: the claim is rejected (or invalid).
    Fail,
    /// A value was computed or looked up.
    Info,
}

/// One step of an explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[non_exhaustive]
pub struct Step {
    /// Stable id.
    pub step: StepId,
    /// Pass, fail or info.
    pub outcome: StepOutcome,
    /// The rule path read (`programs.skills_training.amounts.3`).
    pub rule: Option<String>,
    /// Citation key(s) of that rule (`S9`, `seed:附件2/2`).
    pub citation: Option<String>,
    /// Title and document number of the first cited source.
    pub document: Option<String>,
    /// URL of the first cited source.
    pub url: Option<String>,
    /// How far the rule is supported.
    pub confidence: Option<Confidence>,
    /// The dates the rule's value is in force (`2021-06-22..2021-12-31`), when a value that
    /// changes within the ruleset's period (or a dated what-if override) supplied it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<String>,
    /// The value before the step.
    pub before: Option<String>,
    /// The value after the step.
    pub after: Option<String>,
    /// One line in English.
    pub note_en: String,
    /// One line in Chinese.
    pub note_zh: String,
    /// What counted for a cross-claim check, in queue order: the batch's earlier claims and
    /// applications (by id) and the history records (by line) that used up the annual limit,
    /// paid the level or paid within the exclusivity group; for the account, the claim at
    /// which it closed (SPEC §7.4). Empty (and left out of JSON) for the other steps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counted: Vec<Counted>,
}

/// Something a cross-claim check counted: an earlier claim or application of the batch, or a
/// history record. Person ids are never named.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Counted {
    /// A claim of the batch, by its id.
    Claim(String),
    /// An apprenticeship application of the batch, by its id.
    Application(String),
    /// A history record, by its line in the history file (or its position from 1, when the
    /// history did not come from a file).
    History(u32),
}

impl Counted {
    /// How it reads in English: `claim C-7`, `application A-2`, `history line 4`.
    #[must_use]
    pub fn name_en(&self) -> String {
        match self {
            Counted::Claim(id) => format!("claim {id}"),
            Counted::Application(id) => format!("application {id}"),
            Counted::History(line) => format!("history line {line}"),
        }
    }

    /// How it reads in Chinese: `申请 C-7`, `学徒制申请 A-2`, `已享受记录第 4 行`.
    #[must_use]
    pub fn name_zh(&self) -> String {
        match self {
            Counted::Claim(id) => format!("申请 {id}"),
            Counted::Application(id) => format!("学徒制申请 {id}"),
            Counted::History(line) => format!("已享受记录第 {line} 行"),
        }
    }
}

/// An explanation: the ruleset and version it used, and its steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[non_exhaustive]
pub struct Trace {
    /// [`TRACE_VERSION`].
    pub trace_version: u32,
    /// Ruleset id.
    pub ruleset: String,
    /// Catalogue version used, if one was found.
    pub catalogue_version: Option<String>,
    /// Steps in order.
    pub steps: Vec<Step>,
}

impl Trace {
    /// An empty trace for a ruleset.
    #[must_use]
    pub fn new(ruleset: &str) -> Trace {
        Trace { trace_version: TRACE_VERSION, ruleset: ruleset.to_string(), catalogue_version: None, steps: Vec::new() }
    }

    /// The step ids, in order.
    #[must_use]
    pub fn step_ids(&self) -> Vec<&'static str> {
        self.steps.iter().map(|s| s.step.code()).collect()
    }
}

/// Where assessment steps go: nowhere ([`NoTrace`], the fast path) or into a [`Trace`].
/// Steps are built by closures that only run when tracing.
pub(crate) trait Tracer {
    /// Whether steps are recorded.
    const ON: bool;
    /// Records a step built by `step`.
    fn step(&mut self, step: impl FnOnce() -> Step);
    /// Records the catalogue version used.
    fn catalogue_version(&mut self, id: impl FnOnce() -> String);
}

/// Records nothing.
pub(crate) struct NoTrace;

impl Tracer for NoTrace {
    const ON: bool = false;
    #[inline(always)]
    fn step(&mut self, _: impl FnOnce() -> Step) {}
    #[inline(always)]
    fn catalogue_version(&mut self, _: impl FnOnce() -> String) {}
}

impl Tracer for Trace {
    const ON: bool = true;
    fn step(&mut self, step: impl FnOnce() -> Step) {
        self.steps.push(step());
    }
    fn catalogue_version(&mut self, id: impl FnOnce() -> String) {
        self.catalogue_version = Some(id());
    }
}
