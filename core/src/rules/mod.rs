//! Rulesets (补贴规则): policy as data, loaded strictly and validated once.
//!
//! A ruleset is a folder of TOML files (see `rules/README.md` for the format). Loading reports
//! every problem of every file together, each with its file, key path and line. The loaded
//! [`Ruleset`] is a typed model; its numbers and switches live in [`Params`] with their
//! citations, so what-if overrides and traces address them by path.

mod accounts;
mod apprenticeship;
mod catalogue;
pub(crate) mod error;
mod export;
mod failed;
mod loader;
pub(crate) mod params;
mod programs;
mod projects;
mod reader;
pub(crate) mod ruleset;
mod sources;
mod writer;

#[cfg(feature = "fs")]
mod fs;

/// The sets of groups a program is open to.
pub use crate::group::GroupSet;
/// The sets of levels the rules data holds (a program's levels, the shortage uplift's).
pub use crate::level::LevelSet;
pub use accounts::{Account, Measure, Target, TargetSet};
pub use apprenticeship::ReviewRules;
pub use catalogue::{Catalogue, CatalogueKind, CatalogueVersion, Entries, Institution, InstitutionScope, Occupation};
pub(crate) use error::{RulesError, RulesErrorKind, RulesErrors};
pub use loader::Cited;
pub use params::{Param, ParamId, ParamKind, ParamRange, ParamValue, Params};
pub use programs::{Calculation, Fund, LevelAmounts, Payee, Program};
pub use projects::Project;
pub use sources::{Citation, CitationRef, Confidence, Source};

pub(crate) use ruleset::Ruleset;

/// Limits on how often a person may be subsidised (S9, S7, S45).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Subsidised claims a person may have per calendar year of `applied_on`.
    pub annual_claims: ParamId,
    /// Months after `event_date` within which a claim must be made.
    pub claim_window_months: ParamId,
    /// One subsidy per person, occupation and level, ever.
    pub once_per_occupation_level: ParamId,
    /// No subsidy for a lower level once a higher level of the occupation was subsidised.
    pub no_lower_level_after_higher: ParamId,
}

/// The shortage-occupation uplift (紧缺职业（工种）上浮).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShortageRule {
    /// The uplift rate, 0 ..= 1.
    pub rate: ParamId,
    /// Levels the uplift applies to.
    pub levels: Cited<LevelSet>,
    /// Once listed in a calendar year, an occupation stays listed for the rest of it (S30).
    pub listed_until_year_end: ParamId,
}

/// When approved claims are paid (按月发放).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PaymentLag {
    /// Claims are paid this many calendar months after the month of `applied_on`.
    pub months_after_application: ParamId,
}

/// An industry that catalogues group occupations by.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Industry {
    /// Id (`integrated_circuits`).
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
}
