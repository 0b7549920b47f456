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
//! The crate is pure: no I/O (except the opt-in `fs` feature's `Ruleset::from_dir`), no
//! Python, no JavaScript. It builds for `wasm32-unknown-unknown`.
//!
//! ```
//! use skill_subsidy::{Engine, Ruleset, Claim, calendar::parse_date, level::Level};
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

pub mod apprenticeship;
mod assessment;
mod batch;
pub mod calendar;
pub mod claim;
mod engine;
mod error;
pub mod group;
pub mod history;
pub mod level;
pub mod money;
mod overrides;
/// Work split across the cores (feature `unstable`: for the project's bindings).
#[cfg(feature = "unstable")]
pub mod parallel;
#[cfg(not(feature = "unstable"))]
#[allow(dead_code)]
mod parallel;
pub mod partition;
pub mod reasons;
pub mod report;
pub mod rules;
pub mod schema;
#[cfg(feature = "serde")]
mod serde_forms;
pub mod trace;
mod whatif;

pub use apprenticeship::{Application, ApplicationResult, Outcome, OutcomeKind, Payment, PaymentKind, Schedule};
pub use assessment::{Assessment, AssessmentRecord, Estimate};
pub use batch::{Batch, BatchResult};
/// Column tables, prepared rows and the scale-out passes (SPEC §11), for the project's bindings:
/// behind the `unstable` feature, they may change in any release.
#[cfg(feature = "unstable")]
pub use batch::{BudgetInput, Candidate, ClaimColumn, ClaimTable, Closings, ColumnCell, Partition, Prepared, QuotaCandidate, TableRow};
pub use claim::{Claim, ClaimErrorKind, Field, FieldError, FieldMode, FieldSource, RawClaim, RawRef, RawValue};
/// Claims hold ids and codes as small strings kept inline; re-exported for building claims.
pub use compact_str::CompactString;
pub use engine::Engine;
pub use error::{Error, ErrorKind};
pub use history::HistoryRecord;
pub use overrides::{Override, Overrides};
pub use reasons::{Reason, Reasons, Status};
pub use report::{AccountLedger, Projection, Report, ReportChanges, ReportDiff, Tally, REPORT_WIRE_VERSION};
pub use rules::{RulesError, RulesErrorKind, RulesErrors, Ruleset};
/// Money is `rust_decimal::Decimal` in yuan; re-exported so users need no second dependency.
pub use rust_decimal::Decimal;
pub use trace::{Step, StepId, Trace, TRACE_VERSION};
pub use whatif::{Variant, WhatIf};
