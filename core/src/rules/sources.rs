//! Sources (依据) and the citations that point at them.

use serde::Serialize;
use std::fmt;

/// How far a source (or a value citing it) is supported, ordered from most to least certain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Confidence {
    /// Stated by an official page or the plan itself (or a faithful repost).
    Confirmed,
    /// Taken from a neighbouring city, another year or arithmetic.
    Inferred,
    /// A sample for demonstration, not a policy fact.
    Illustrative,
}

impl Confidence {
    /// The code used in rules files.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Confidence::Confirmed => "confirmed",
            Confidence::Inferred => "inferred",
            Confidence::Illustrative => "illustrative",
        }
    }

    /// Reads a confidence code.
    #[must_use]
    pub fn parse(code: &str) -> Option<Confidence> {
        match code {
            "confirmed" => Some(Confidence::Confirmed),
            "inferred" => Some(Confidence::Inferred),
            "illustrative" => Some(Confidence::Illustrative),
            _ => None,
        }
    }
}

/// A document the rules rely on (`sources.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Source {
    /// The key values cite (`S9`, `seed`).
    pub id: String,
    /// Title as published.
    pub title: String,
    /// Document number (文号), empty when it has none.
    pub document: String,
    /// Date as the source gives it.
    pub date: String,
    /// Where it can be read.
    pub url: String,
    /// How far it is supported.
    pub confidence: Confidence,
    /// One line for the reader.
    pub note: String,
}

impl Source {
    /// Title and document number, as a trace shows the document a step relies on.
    #[must_use]
    pub fn describe(&self) -> String {
        if self.document.is_empty() {
            self.title.clone()
        } else {
            format!("{}（{}）", self.title, self.document)
        }
    }
}

/// One cited source, optionally narrowed to a clause: `S9`, `seed:附件2/2`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct CitationRef {
    /// Key into the ruleset's sources.
    pub source: String,
    /// Clause within the source (`附件2/2`).
    pub clause: Option<String>,
}

impl CitationRef {
    /// Reads `KEY` or `KEY:clause`.
    #[must_use]
    pub fn parse(text: &str) -> CitationRef {
        match text.split_once(':') {
            Some((source, clause)) => CitationRef { source: source.to_string(), clause: Some(clause.to_string()) },
            None => CitationRef { source: text.to_string(), clause: None },
        }
    }
}

impl fmt::Display for CitationRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.clause {
            Some(clause) => write!(f, "{}:{}", self.source, clause),
            None => f.write_str(&self.source),
        }
    }
}

/// The citation of a policy value: the sources it relies on, and its own confidence when it
/// differs from the first source's.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct Citation {
    /// Sources, the first being the one traces show. Never empty once loaded.
    pub refs: Vec<CitationRef>,
    /// Overrides the first source's confidence.
    pub confidence: Option<Confidence>,
    /// One line for the reader.
    pub note: Option<String>,
}

impl Citation {
    /// The citation keys joined by `, ` (`"S13, S15"`).
    #[must_use]
    pub fn keys(&self) -> String {
        self.refs.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    }

    /// The first cited source.
    #[must_use]
    pub fn primary(&self) -> Option<&CitationRef> {
        self.refs.first()
    }
}
