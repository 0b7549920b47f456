//! Policy values (政策参数): every number and switch of a ruleset, by its path.
//!
//! The typed model of a ruleset refers to its numbers and switches through [`ParamId`]s, so
//! that one table holds each value with its path, citation and line. A what-if override is
//! then one lookup by path, and a trace step names the path and citation of what it read.

use super::sources::Citation;
use crate::calendar::Period;
use crate::money::{parse_money, MAX_MONEY};
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use std::str::FromStr;

/// Paths whose values are read per claim, by the date it is assessed on: only these may change
/// within a ruleset's period (dated rule values, ranged what-if overrides). Limits, accounts,
/// targets and payment timing apply to a whole run.
pub(crate) const DATED_PREFIXES: [&str; 3] = ["programs.", "shortage.", "projects."];

/// Index of a policy value in [`Params`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParamId(pub(crate) u32);

/// What a policy value measures, which decides what values it may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParamKind {
    /// Yuan, 0 ..= 999,999,999,999.99, at most two decimals.
    Money,
    /// A rate or share, 0 ..= 1.
    Rate,
    /// A whole number, 0 ..= 1,000,000,000.
    Count,
    /// true or false.
    Flag,
}

impl ParamKind {
    /// What the kind expects, for messages.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            ParamKind::Money => "an amount of yuan (0 to 999999999999.99, at most 2 decimals)",
            ParamKind::Rate => "a rate from 0 to 1",
            ParamKind::Count => "a whole number from 0 to 1000000000",
            ParamKind::Flag => "true or false",
        }
    }

    /// Checks a number against the kind; `Err` says what is wrong.
    pub fn check_number(self, value: Decimal) -> Result<ParamValue, String> {
        match self {
            ParamKind::Money if value.is_sign_negative() && !value.is_zero() => Err("money cannot be negative".into()),
            ParamKind::Money if value > MAX_MONEY => Err("above 999999999999.99 yuan".into()),
            ParamKind::Money if value.normalize().scale() > 2 => Err("more precise than the fen".into()),
            ParamKind::Rate if value < Decimal::ZERO || value > Decimal::ONE => Err(format!("{value} is outside 0 ..= 1")),
            ParamKind::Count if value.normalize().scale() > 0 || value < Decimal::ZERO || value > Decimal::from(1_000_000_000) => {
                Err(format!("{value} is not a whole number from 0 to 1000000000"))
            }
            ParamKind::Flag => Err("expected true or false, not a number".into()),
            _ => Ok(ParamValue::Number(value)),
        }
    }

    /// Reads a value written as text (an override from the command line or a form).
    pub fn parse_text(self, text: &str) -> Result<ParamValue, String> {
        match self {
            ParamKind::Flag => match text {
                "true" => Ok(ParamValue::Flag(true)),
                "false" => Ok(ParamValue::Flag(false)),
                _ => Err(format!("expected true or false, got {text:?}")),
            },
            ParamKind::Money => match parse_money(text) {
                Ok(value) => Ok(ParamValue::Number(value)),
                Err(e) => Err(format!("{text:?} is {e}")),
            },
            _ => match parse_plain_decimal(text) {
                Some(value) => self.check_number(value),
                None => Err(format!("{text:?} is not a plain decimal number")),
            },
        }
    }
}

/// Parses a plain decimal (`0.30`, `12`, `-1.5`): no exponent, no separators.
#[must_use]
pub fn parse_plain_decimal(text: &str) -> Option<Decimal> {
    let body = text.strip_prefix('-').unwrap_or(text);
    // At most 28 digits: more could not be held exactly and would be rounded without a word.
    let ok = !body.is_empty()
        && body.bytes().filter(u8::is_ascii_digit).count() <= 28
        && body.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && body.bytes().filter(|&b| b == b'.').count() <= 1
        && !body.starts_with('.')
        && !body.ends_with('.');
    if ok {
        Decimal::from_str(text).ok()
    } else {
        None
    }
}

/// The value of a policy value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamValue {
    /// Money, rate or count.
    Number(Decimal),
    /// A switch.
    Flag(bool),
}

impl ParamValue {
    /// The number, or zero for a switch.
    #[must_use]
    pub fn number(self) -> Decimal {
        match self {
            ParamValue::Number(n) => n,
            ParamValue::Flag(_) => Decimal::ZERO,
        }
    }

    /// The switch, or `false` for a number.
    #[must_use]
    pub fn flag(self) -> bool {
        matches!(self, ParamValue::Flag(true))
    }

    /// As text: `2000`, `0.30`, `true`.
    #[must_use]
    pub fn to_text(self) -> String {
        match self {
            ParamValue::Number(n) => n.to_string(),
            ParamValue::Flag(b) => b.to_string(),
        }
    }
}

/// A value that replaces a policy value for a stretch of dates, with its own citation (a rule
/// that changed within a ruleset's period: S20 raised the apprenticeship floor on 2021-06-22).
/// Written in the rules file as a key `"FROM..TO"` beside `value`, the form of a dated what-if
/// override.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParamRange {
    /// The dates it is in force (inclusive), by the date a claim is assessed on (`event_date`).
    pub period: Period,
    /// The value in force then.
    pub value: ParamValue,
    /// Its citation.
    pub citation: Citation,
    /// Line in the rules file.
    pub line: Option<usize>,
}

/// One policy value with what a reader needs to trust it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Param {
    /// Dotted path (`programs.skills_training.amounts.3`).
    pub path: String,
    /// What it measures.
    pub kind: ParamKind,
    /// Its value as loaded.
    pub value: ParamValue,
    /// Its citation.
    pub citation: Citation,
    /// File it was read from.
    pub file: String,
    /// Line in that file.
    pub line: Option<usize>,
    /// Values in force for stretches of dates instead of `value`, in date order, not overlapping.
    pub ranges: Vec<ParamRange>,
}

impl Param {
    /// The dated value in force on `date`, if one is.
    #[must_use]
    pub fn range_on(&self, date: crate::calendar::Date) -> Option<&ParamRange> {
        self.ranges.iter().find(|r| r.period.contains(date))
    }
}

/// Every policy value of a ruleset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    list: Vec<Param>,
    by_path: FxHashMap<String, ParamId>,
}

impl Params {
    pub(crate) fn add(&mut self, param: Param) -> ParamId {
        let id = ParamId(u32::try_from(self.list.len()).unwrap_or(u32::MAX));
        self.by_path.insert(param.path.clone(), id);
        self.list.push(param);
        id
    }

    /// The value behind an id.
    #[must_use]
    pub fn get(&self, id: ParamId) -> &Param {
        &self.list[id.0 as usize]
    }

    /// The id of a path, if the ruleset has it.
    #[must_use]
    pub fn find(&self, path: &str) -> Option<ParamId> {
        self.by_path.get(path).copied()
    }

    /// Every value, in load order.
    pub fn iter(&self) -> impl Iterator<Item = (ParamId, &Param)> {
        self.list.iter().enumerate().map(|(i, p)| (ParamId(i as u32), p))
    }

    /// How many values.
    #[must_use]
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The paths closest to `path`, for "did you mean" hints.
    #[must_use]
    pub fn similar(&self, path: &str) -> Vec<&str> {
        let prefix = path.rsplit_once('.').map_or("", |(head, _)| head);
        let mut near: Vec<&str> =
            self.list.iter().map(|p| p.path.as_str()).filter(|p| !prefix.is_empty() && p.starts_with(prefix)).collect();
        near.truncate(8);
        near
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_guard_their_ranges() {
        assert!(ParamKind::Rate.parse_text("0.30").is_ok());
        assert!(ParamKind::Rate.parse_text("1.01").is_err());
        assert!(ParamKind::Rate.parse_text("-0.1").is_err());
        assert!(ParamKind::Money.parse_text("2200").is_ok());
        assert!(ParamKind::Money.parse_text("-1").is_err());
        assert!(ParamKind::Money.parse_text("1e3").is_err());
        assert!(ParamKind::Count.parse_text("3").is_ok());
        assert!(ParamKind::Count.parse_text("2.5").is_err());
        assert_eq!(ParamKind::Flag.parse_text("true"), Ok(ParamValue::Flag(true)));
        assert!(ParamKind::Flag.parse_text("yes").is_err());
    }
}
