//! # skill-subsidy
//!
//! Exact, explained Chinese vocational-training subsidies (职业培训补贴), with rules as data.
//!
//! ## Where to start
//!
//! - [`Ruleset`]: load rules ([`Ruleset::wuxi_2021`] is embedded; [`Ruleset::from_files`]
//!   reads your own). Loading is strict and reports every problem with file, key path and line.
//! - [`Engine`]: compile a ruleset, then [`Engine::assess`] or [`Engine::explain`] a [`Claim`].
//! - [`Overrides`]: what-if changes of any number or switch, by path.
//! - [`money`]: one rounding, half away from zero, to the fen.
//! - [`Error`]: the one error type; [`Error::kind`] says what failed. A [`Claim`] built in code
//!   is checked as one read from JSON is ([`Claim::validate`]): one that does not validate is
//!   `invalid`, never paid.
//!
//! ## Where things are
//!
//! Each public item has one path. The types a program writes and reads are at the root:
//! [`Engine`], [`Ruleset`], [`Claim`], [`HistoryRecord`], [`Application`], [`Assessment`],
//! [`Batch`], [`BatchResult`], [`Report`], [`Overrides`], [`WhatIf`], [`Error`] and their kinds.
//! Five modules hold the detail: [`calendar`] (dates, months, effective periods), [`money`],
//! [`report`] (the parts of a [`Report`] and of a what-if diff), [`rules`] (the loaded rules
//! data) and [`trace`] (the steps of an explanation). Every struct with public fields is
//! `#[non_exhaustive]`: read its fields, build it with its constructor.
//!
//! The `unstable` feature makes public what the project's own bindings use and may change in any
//! release: column tables, prepared rows, the scale-out passes, the thread helpers, `partition`
//! and `normalise`. `serde` adds `Serialize`/`Deserialize`; `fs` adds `Ruleset::from_dir`.
//!
//! The crate is pure: no I/O (except the opt-in `fs` feature's `Ruleset::from_dir`), no
//! Python, no JavaScript. It builds for `wasm32-unknown-unknown`.
//!
//! ```
//! use skill_subsidy::{calendar::parse_date, Claim, Engine, Level, Ruleset};
//! let engine = Engine::new(Ruleset::wuxi_2021()?);
//! let mut claim = Claim::new("C1", "skills_training", "P1", parse_date("2021-08-02").unwrap(), parse_date("2021-08-20").unwrap());
//! claim.occupation = Some("6-18-02-04".into()); // 焊工, on the shortage list
//! claim.level = Some(Level::L3);
//! claim.institution = Some("WX-JG-001".into());
//! claim.fee_paid = Some("3000.00".parse().unwrap());
//! let explained = engine.explain(&claim);
//! assert_eq!(explained.amount.to_string(), "2600.00"); // 2000 × 1.30
//! let trace = explained.trace.unwrap();
//! assert!(trace.step_ids().contains(&"shortage_uplift"));
//! # Ok::<(), skill_subsidy::RulesErrors>(())
//! ```

/// Public with the `unstable` feature, crate-private without: interfaces the project's own
/// bindings (the CLI, Python, the ledger, the benchmarks) use, which may change in any release —
/// column tables, prepared rows, the scale-out passes, the thread helpers.
macro_rules! unstable {
    ($(#[$m:meta])* fn $($rest:tt)*) => {
        #[cfg(feature = "unstable")]
        $(#[$m])* pub fn $($rest)*
        #[cfg(not(feature = "unstable"))]
        #[allow(dead_code)]
        $(#[$m])* pub(crate) fn $($rest)*
    };
}

/// A module public with the `unstable` feature and crate-private without (see [`unstable!`]).
macro_rules! unstable_mod {
    ($(#[$m:meta])* $name:ident) => {
        #[cfg(feature = "unstable")]
        $(#[$m])* pub mod $name;
        #[cfg(not(feature = "unstable"))]
        #[allow(dead_code)]
        mod $name;
    };
}

// The public modules group detail: the dates and money the crate reads and writes, the parts of a
// report, the rules data and a trace's steps. The types a user writes (Engine, Ruleset, Claim,
// Assessment, Batch, Report, Overrides, Error, ...) are at the root, each at one path.
pub mod calendar;
pub mod money;
pub mod report;
pub mod rules;
pub mod trace;

mod apprenticeship;
mod assessment;
mod batch;
mod claim;
mod engine;
mod error;
mod group;
mod history;
mod level;
mod overrides;
mod prefetch;
mod reasons;
mod schema;
#[cfg(feature = "serde")]
mod serde_forms;
mod whatif;

unstable_mod! {
    /// Work split across the cores (feature `unstable`: for the project's bindings).
    parallel
}
unstable_mod! {
    /// Which partition a person's records go to when a batch is split across machines (feature
    /// `unstable`: for the project's bindings and the scale-out documentation, SPEC §11).
    partition
}

pub use apprenticeship::{Application, ApplicationResult, Outcome, OutcomeKind, Payment, PaymentKind, Schedule};
pub use assessment::{Assessment, AssessmentRecord, Estimate};
pub use batch::{Batch, BatchResult};
/// Column tables, prepared rows and the scale-out passes (SPEC §11), for the project's bindings:
/// behind the `unstable` feature, they may change in any release.
#[cfg(feature = "unstable")]
pub use batch::{BudgetInput, Candidate, ClaimColumn, ClaimTable, Closings, ColumnCell, Partition, Prepared, QuotaCandidate, TableRow};
/// Dates and money in text as people write them (`2021/3/5`, `1,930.00元`, Excel serial dates)
/// made plain, for the project's bindings (feature `unstable`).
#[cfg(feature = "unstable")]
pub use claim::normalise;
pub use claim::{Claim, ClaimErrorKind, Field, FieldError, FieldMode, FieldSource, RawClaim, RawRef, RawValue};
/// Claims, history records and applications hold ids and codes as `compact_str`'s small strings,
/// kept inline up to 24 bytes (a batch of millions of claims stays compact). Re-exported so that
/// a program can name the type without depending on `compact_str` itself; `"text".into()` makes
/// one.
pub use compact_str::CompactString;
pub use engine::Engine;
pub use error::{Error, ErrorKind};
pub use group::Group;
pub use history::HistoryRecord;
pub use level::Level;
pub use overrides::{Override, Overrides};
pub use reasons::{Reason, Reasons, Status};
pub use report::diff::ReportDiff;
pub use report::totals::Report;
pub use rules::error::{RulesError, RulesErrorKind, RulesErrors};
pub use rules::ruleset::Ruleset;
/// Money is `rust_decimal::Decimal` in yuan; re-exported so users need no second dependency.
pub use rust_decimal::Decimal;
pub use schema::claim_schema;
pub use whatif::{Variant, WhatIf};
