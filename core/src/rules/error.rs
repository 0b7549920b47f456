//! Errors in rules files: every one names the file, the key path and, where possible, the line.

use serde::Serialize;
use std::fmt;

/// What is wrong with a rules file. The codes are stable and documented in `rules/README.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RulesErrorKind {
    /// The file is not valid TOML.
    TomlSyntax,
    /// A file the format does not define.
    UnknownFile,
    /// A file or folder that cannot be read.
    Unreadable,
    /// The ruleset folder does not exist (or is not a folder).
    NotFound,
    /// A key the format does not define (typos are never ignored).
    UnknownKey,
    /// A required key is absent.
    MissingKey,
    /// A value of the wrong TOML type.
    WrongType,
    /// A bad date, level, group, code or money value.
    InvalidValue,
    /// A policy value written without its `source`.
    MissingCitation,
    /// A citation to a key `sources.toml` lacks.
    UnknownSource,
    /// A rate or share outside 0 ..= 1.
    RateOutOfRange,
    /// A level a program subsidises has no amount.
    MissingAmount,
    /// A reference to something that does not exist (catalogue, program, occupation, industry …).
    UnknownReference,
    /// Two effective periods of the same table share a day.
    PeriodOverlap,
    /// Consecutive effective periods leave days uncovered.
    PeriodGap,
    /// An effective period that ends before it starts.
    PeriodReversed,
    /// The same id twice.
    DuplicateId,
    /// A what-if override to a path that does not exist.
    UnknownPath,
    /// A what-if override whose value does not fit the rule value it replaces.
    BadOverride,
}

impl RulesErrorKind {
    /// The stable snake_case code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            RulesErrorKind::TomlSyntax => "toml_syntax",
            RulesErrorKind::UnknownFile => "unknown_file",
            RulesErrorKind::Unreadable => "unreadable",
            RulesErrorKind::NotFound => "not_found",
            RulesErrorKind::UnknownKey => "unknown_key",
            RulesErrorKind::MissingKey => "missing_key",
            RulesErrorKind::WrongType => "wrong_type",
            RulesErrorKind::InvalidValue => "invalid_value",
            RulesErrorKind::MissingCitation => "missing_citation",
            RulesErrorKind::UnknownSource => "unknown_source",
            RulesErrorKind::RateOutOfRange => "rate_out_of_range",
            RulesErrorKind::MissingAmount => "missing_amount",
            RulesErrorKind::UnknownReference => "unknown_reference",
            RulesErrorKind::PeriodOverlap => "period_overlap",
            RulesErrorKind::PeriodGap => "period_gap",
            RulesErrorKind::PeriodReversed => "period_reversed",
            RulesErrorKind::DuplicateId => "duplicate_id",
            RulesErrorKind::UnknownPath => "unknown_path",
            RulesErrorKind::BadOverride => "bad_override",
        }
    }
}

/// One problem in a ruleset or an override document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RulesError {
    /// What kind of problem.
    #[serde(rename = "code")]
    pub kind: RulesErrorKind,
    /// The file, relative to the ruleset folder (`programs.toml`), or `overrides`.
    pub file: String,
    /// The dotted key path (`programs.skills_training.amounts.3`), empty for the whole file.
    pub path: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What is wrong and, where it helps, what would be right.
    pub message: String,
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.path.is_empty() {
            write!(f, ": {}", self.path)?;
        }
        write!(f, ": {} [{}]", self.message, self.kind.code())
    }
}

/// Every problem found in a ruleset, in file order. Loading never stops at the first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(transparent)]
pub struct RulesErrors(pub(crate) Vec<RulesError>);

impl RulesErrors {
    /// The problems.
    #[must_use]
    pub fn errors(&self) -> &[RulesError] {
        &self.0
    }

    /// The problems, in file order.
    pub fn iter(&self) -> std::slice::Iter<'_, RulesError> {
        self.0.iter()
    }

    /// How many problems.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none (a ruleset that loads has none; a collection may).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl IntoIterator for RulesErrors {
    type Item = RulesError;
    type IntoIter = std::vec::IntoIter<RulesError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a RulesErrors {
    type Item = &'a RulesError;
    type IntoIter = std::slice::Iter<'a, RulesError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Problems gathered from several loads (the override documents of several variants): a
/// [`RulesError`] itself is only made by the crate.
impl FromIterator<RulesError> for RulesErrors {
    fn from_iter<I: IntoIterator<Item = RulesError>>(errors: I) -> RulesErrors {
        RulesErrors(errors.into_iter().collect())
    }
}

impl fmt::Display for RulesErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let [only] = self.0.as_slice() {
            if only.kind == RulesErrorKind::NotFound {
                // Not a problem *in* the rules: there are none to read.
                return write!(f, "no ruleset folder at {}: {} [{}]", only.file, only.message, only.kind.code());
            }
        }
        let n = self.0.len();
        write!(f, "{n} problem{} in the rules", if n == 1 { "" } else { "s" })?;
        for error in &self.0 {
            write!(f, "\n  {error}")?;
        }
        Ok(())
    }
}
