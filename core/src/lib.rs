//! skill-subsidy: exact, explained vocational-training subsidies (职业培训补贴).

pub mod calendar;
pub mod group;
pub mod level;
pub mod money;
pub mod rules;

pub use rules::{RulesError, RulesErrorKind, RulesErrors, Ruleset};
