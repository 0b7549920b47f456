//! What-if overrides (假设分析): rule values replaced by path, optionally only for claims whose
//! `event_date` falls in a date range.
//!
//! The same document works in Rust, the CLI, Python and the browser:
//!
//! ```json
//! { "shortage.rate": "0.20",
//!   "programs.skills_training.amounts.3": { "2021-07-01..2021-12-31": "2200" } }
//! ```
//!
//! Any number or switch of the ruleset can be overridden by its path (the dotted TOML key
//! path, as traces show it). A path that does not exist is an error, with the nearest paths
//! as hints; a value is checked like the rule value it replaces (a rate stays in 0 ..= 1).

mod document;

use crate::calendar::{parse_date, Period};
use crate::rules::{ParamId, ParamValue, RulesError, RulesErrorKind, RulesErrors, Ruleset};
pub(crate) use document::Document;
use document::Entry;

/// One override as written.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Override {
    /// Dotted rule path.
    pub path: String,
    /// The new value, as text (`"0.20"`, `"2200"`, `"true"`).
    pub value: String,
    /// Only for claims with `event_date` in this range (inclusive), when set.
    pub range: Option<Period>,
}

/// A set of overrides, in the order given (a later one for the same path and range wins).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    items: Vec<Override>,
}

/// An override checked against a ruleset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub param: ParamId,
    pub value: ParamValue,
    pub range: Option<Period>,
}

/// The `file` of every override error: it tells them from errors in rules files.
pub(crate) const OVERRIDES_FILE: &str = "overrides";

fn error(path: &str, kind: RulesErrorKind, message: String) -> RulesError {
    RulesError { kind, file: OVERRIDES_FILE.into(), path: path.to_string(), line: None, message }
}

/// Reads `FROM..TO` (either end may be left open: `2021-07-01..`, `..2021-06-30`).
fn parse_range(path: &str, text: &str) -> Result<Period, RulesError> {
    Period::parse(text).ok_or_else(|| match text.split_once("..").map(|(f, t)| (parse_date(f).ok(), parse_date(t).ok())) {
        Some((Some(from), Some(to))) if to < from => {
            error(path, RulesErrorKind::PeriodReversed, format!("the range {text} ends before it starts"))
        }
        _ => error(path, RulesErrorKind::BadOverride, format!("{text:?} is not a date range FROM..TO (YYYY-MM-DD..YYYY-MM-DD)")),
    })
}

fn scalar_text(path: &str, entry: &Entry) -> Result<String, RulesError> {
    match entry {
        Entry::Text(text) => Ok(text.clone()),
        Entry::Ranges(_) | Entry::Other => Err(error(
            path,
            RulesErrorKind::BadOverride,
            "expected a number, a decimal string, true/false, or an object of date ranges".into(),
        )),
    }
}

impl Overrides {
    /// No overrides.
    #[must_use]
    pub fn new() -> Overrides {
        Overrides::default()
    }

    /// These overrides and one more, for every claim: chained by value. The path and value
    /// are checked against a ruleset when they are applied ([`crate::Engine::with_overrides`]),
    /// all problems together.
    ///
    /// ```
    /// use skill_subsidy::{Engine, Overrides, Ruleset};
    /// let overrides = Overrides::new().set("shortage.rate", "0.20").set("programs.skills_training.amounts.3", "2200");
    /// let variant = Engine::new(Ruleset::wuxi_2021()?).with_overrides(&overrides)?;
    /// assert_eq!(variant.value("shortage.rate").unwrap().to_text(), "0.20");
    /// # Ok::<(), skill_subsidy::Error>(())
    /// ```
    #[must_use]
    pub fn set(mut self, path: &str, value: &str) -> Overrides {
        self.push(path, None, value);
        self
    }

    /// These overrides and one more, for claims with `event_date` in `range` (inclusive).
    #[must_use]
    pub fn set_for(mut self, path: &str, range: Period, value: &str) -> Overrides {
        self.push(path, Some(range), value);
        self
    }

    pub(crate) fn push(&mut self, path: &str, range: Option<Period>, value: &str) -> &mut Overrides {
        self.items.push(Override { path: path.to_string(), value: value.to_string(), range });
        self
    }

    /// The overrides, in order.
    #[must_use]
    pub fn items(&self) -> &[Override] {
        &self.items
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Reads an override document (a JSON object, see the module docs), in document order
    /// (a later override for the same path and range wins). A number is read as its text:
    /// exactly when serde_json's `arbitrary_precision` is on; without it an integer exactly
    /// and a fraction as its shortest round-trip text (`0.2`; `1930.10` reads as `1930.1`,
    /// the same amount). Write money as a string to keep its text in every build.
    ///
    /// ```
    /// use skill_subsidy::Overrides;
    /// let o = Overrides::from_json_str(r#"{"shortage.rate": "0.20"}"#)?;
    /// assert_eq!(o.items()[0].value, "0.20");
    /// # Ok::<(), skill_subsidy::RulesErrors>(())
    /// ```
    pub fn from_json_str(text: &str) -> Result<Overrides, RulesErrors> {
        let not_an_object = |e: serde_json::Error| {
            RulesErrors(vec![error("", RulesErrorKind::BadOverride, format!("not a JSON object of path → value: {e}"))])
        };
        let document: Document = serde_json::from_str(text).map_err(not_an_object)?;
        Overrides::from_document(document)
    }

    /// Reads an override document already parsed as JSON, in the value's key order (the
    /// document's only with serde_json's `preserve_order`; [`Overrides::from_json_str`] keeps
    /// it always).
    pub fn from_json(value: &serde_json::Value) -> Result<Overrides, RulesErrors> {
        let Some(map) = value.as_object() else {
            return Err(RulesErrors(vec![error(
                "",
                RulesErrorKind::BadOverride,
                "an override document is a JSON object of path → value".into(),
            )]));
        };
        Overrides::from_document(Document(map.iter().map(|(k, v)| (k.clone(), Entry::from_value(v))).collect()))
    }

    pub(crate) fn from_document(document: Document) -> Result<Overrides, RulesErrors> {
        let mut out = Overrides::new();
        let mut errors = Vec::new();
        for (path, entry) in &document.0 {
            match entry {
                Entry::Ranges(ranges) => {
                    for (range, v) in ranges {
                        match (parse_range(path, range), scalar_text(path, v)) {
                            (Ok(range), Ok(text)) => {
                                out.push(path, Some(range), &text);
                            }
                            (Err(e), _) | (_, Err(e)) => errors.push(e),
                        }
                    }
                }
                other => match scalar_text(path, other) {
                    Ok(text) => {
                        out.push(path, None, &text);
                    }
                    Err(e) => errors.push(e),
                },
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(RulesErrors(errors))
        }
    }

    /// Reads `PATH=VALUE` or `PATH[FROM..TO]=VALUE` (the CLI's `--set`).
    ///
    /// ```
    /// use skill_subsidy::Overrides;
    /// let mut o = Overrides::new();
    /// o.add_assignment("programs.skills_training.amounts.3[2021-07-01..2021-12-31]=2200")?;
    /// assert!(o.items()[0].range.is_some());
    /// # Ok::<(), skill_subsidy::RulesErrors>(())
    /// ```
    pub fn add_assignment(&mut self, text: &str) -> Result<&mut Overrides, RulesErrors> {
        let Some((lhs, value)) = text.split_once('=') else {
            return Err(RulesErrors(vec![error(text, RulesErrorKind::BadOverride, "write PATH=VALUE or PATH[FROM..TO]=VALUE".into())]));
        };
        let (path, value) = (lhs.trim(), value.trim());
        match path.strip_suffix(']').and_then(|p| p.split_once('[')) {
            Some((path, range)) => {
                let range = parse_range(path, range).map_err(|e| RulesErrors(vec![e]))?;
                Ok(self.push(path, Some(range), value))
            }
            None => Ok(self.push(path, None, value)),
        }
    }

    /// Checks every override against a ruleset: the path exists, the value fits, a range is
    /// allowed for the path and ranges of one path do not overlap. Reports every problem.
    pub(crate) fn resolve(&self, rules: &Ruleset) -> Result<Vec<Resolved>, RulesErrors> {
        let mut out: Vec<Resolved> = Vec::new();
        let mut errors = Vec::new();
        for o in &self.items {
            let Some(param) = rules.params.find(&o.path) else {
                let near = rules.params.similar(&o.path);
                let hint = if near.is_empty() { String::new() } else { format!("; paths nearby: {}", near.join(", ")) };
                errors.push(error(
                    &o.path,
                    RulesErrorKind::UnknownPath,
                    format!("ruleset {} has no rule value at this path{hint}", rules.id),
                ));
                continue;
            };
            let kind = rules.params.get(param).kind;
            let value = match kind.parse_text(&o.value) {
                Ok(v) => v,
                Err(message) => {
                    errors.push(error(&o.path, RulesErrorKind::BadOverride, format!("expected {}: {message}", kind.describe())));
                    continue;
                }
            };
            if o.range.is_some() && !crate::rules::params::DATED_PREFIXES.iter().any(|p| o.path.starts_with(p)) {
                errors.push(error(
                    &o.path,
                    RulesErrorKind::BadOverride,
                    "only program, shortage and project values can be overridden for a date range; limits, accounts and payment apply to the whole run".into(),
                ));
                continue;
            }
            // A range built in code (`Period`'s fields are open) is refused as the text reader
            // refuses it.
            if let Some(range) = o.range.filter(|r| r.to < r.from) {
                errors.push(error(&o.path, RulesErrorKind::PeriodReversed, format!("the range {range} ends before it starts")));
                continue;
            }
            // A later override of the same path and range replaces an earlier one.
            out.retain(|r| !(r.param == param && r.range == o.range));
            if let Some(range) = o.range {
                if let Some(clash) = out.iter().find(|r| r.param == param && r.range.is_some_and(|r| r.overlaps(&range))) {
                    errors.push(error(
                        &o.path,
                        RulesErrorKind::PeriodOverlap,
                        format!(
                            "the range {range} overlaps another override of the same path ({})",
                            clash.range.map(|r| r.to_string()).unwrap_or_default()
                        ),
                    ));
                    continue;
                }
            }
            out.push(Resolved { param, value, range: o.range });
        }
        // An account can close only on a balance: one without an opening balance cannot be
        // switched to close.
        for a in rules.accounts.iter().filter(|a| a.opening_balance.is_none()) {
            if out.iter().any(|r| r.param == a.closes_when_spent && r.value.flag()) {
                errors.push(error(
                    &format!("accounts.{}.closes_when_spent", a.id),
                    RulesErrorKind::BadOverride,
                    format!("account {} has no opening_balance: it cannot close when spent", a.id),
                ));
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(RulesErrors(errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Date;

    #[test]
    fn documents_and_assignments_read_the_same_overrides() {
        let doc =
            Overrides::from_json_str(r#"{"shortage.rate": 0.2, "programs.skills_training.amounts.3": {"2021-07-01..": "2200"}}"#).unwrap();
        let mut cli = Overrides::new();
        cli.add_assignment("shortage.rate=0.2").unwrap();
        cli.add_assignment("programs.skills_training.amounts.3[2021-07-01..]=2200").unwrap();
        assert_eq!(doc, cli);
        assert_eq!(doc.items()[1].range.unwrap().to, Date::MAX);
    }

    #[test]
    fn typed_overrides_are_refused_as_their_text_is() {
        let rules = Ruleset::wuxi_2021().unwrap();
        let codes = |o: &Overrides| o.resolve(&rules).unwrap_err().0.iter().map(|e| e.kind.code()).collect::<Vec<_>>();
        let (from, to) = (crate::calendar::parse_date("2021-12-31").unwrap(), crate::calendar::parse_date("2021-01-01").unwrap());
        let typed = Overrides::new().set_for("programs.skills_training.amounts.3", Period { from, to }, "2200").set("shortage.rate", "1.5");
        let mut text = Overrides::new();
        assert_eq!(
            text.add_assignment("programs.skills_training.amounts.3[2021-12-31..2021-01-01]=2200").unwrap_err().0[0].kind.code(),
            "period_reversed"
        );
        text.add_assignment("shortage.rate=1.5").unwrap();
        assert_eq!(codes(&typed), ["period_reversed", "bad_override"]);
        assert_eq!(codes(&text), ["bad_override"]);
    }

    #[test]
    fn malformed_documents_are_errors_not_guesses() {
        assert!(Overrides::from_json_str("[1]").is_err());
        assert!(Overrides::from_json_str(r#"{"x": [1]}"#).is_err());
        assert!(Overrides::from_json_str(r#"{"x": {"2021-12-31..2021-01-01": "1"}}"#).is_err());
        assert!(Overrides::new().add_assignment("no equals sign").is_err());
    }
}
