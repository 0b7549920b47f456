//! Records of named fields that are not claims — history rows, apprenticeship applications —
//! read with the claims' rules: unknown fields refused unless lenient, a field given twice
//! refused, text trimmed and checked, and every problem reported as a field error (the value
//! shown, except for `person_id`).

use super::{ClaimErrorKind, FieldError, RawValue, MAX_FIELD_BYTES};
use crate::calendar::{parse_date, Date};
use crate::level::Level;
use crate::money::parse_money;
use compact_str::CompactString;
use rust_decimal::Decimal;

/// A record's values by position in `names`, and the errors found so far.
pub(crate) struct NamedFields<'a, const N: usize> {
    names: &'static [&'static str; N],
    values: [Option<&'a RawValue>; N],
    pub errors: Vec<FieldError>,
}

impl<'a, const N: usize> NamedFields<'a, N> {
    /// Sorts `fields` by name; unknown fields are errors unless `lenient`.
    pub fn read(names: &'static [&'static str; N], fields: impl IntoIterator<Item = (&'a str, &'a RawValue)>, lenient: bool) -> Self {
        let mut errors = Vec::new();
        let mut values: [Option<&RawValue>; N] = [None; N];
        for (name, value) in fields {
            match names.iter().position(|f| *f == name) {
                Some(i) if values[i].is_some() => errors.push(FieldError::new(ClaimErrorKind::RepeatedField, name, None)),
                Some(i) => values[i] = Some(value),
                None if lenient => {}
                None => errors.push(FieldError::new(ClaimErrorKind::UnknownField, name, None)),
            }
        }
        NamedFields { names, values, errors }
    }

    /// Whether field `i` was given at all (even empty).
    pub fn given(&self, i: usize) -> bool {
        self.values[i].is_some()
    }

    fn error(&mut self, kind: ClaimErrorKind, i: usize, value: Option<&str>) {
        let name = self.names[i];
        // A person's id is never repeated in an error.
        let shown = value.filter(|_| name != "person_id").map(str::to_string);
        self.errors.push(FieldError::new(kind, name, shown));
    }

    /// Field `i` as trimmed text; empty counts as absent (an error when `required`).
    pub fn text(&mut self, i: usize, required: bool) -> Option<CompactString> {
        match self.values[i] {
            None | Some(RawValue::Null) => {}
            Some(RawValue::Text(s) | RawValue::Number(s)) if s.trim().is_empty() => {}
            Some(RawValue::Text(s) | RawValue::Number(s)) if s.len() > MAX_FIELD_BYTES => {
                self.error(ClaimErrorKind::TooLong, i, None);
                return None;
            }
            Some(RawValue::Text(s) | RawValue::Number(s)) if s.chars().any(char::is_control) => {
                self.error(ClaimErrorKind::InvalidCharacters, i, Some(s));
                return None;
            }
            Some(RawValue::Text(s) | RawValue::Number(s)) => return Some(CompactString::from(s.trim())),
            Some(RawValue::NotUtf8) => {
                self.error(ClaimErrorKind::InvalidUtf8, i, None);
                return None;
            }
            Some(_) => {
                self.error(ClaimErrorKind::WrongType, i, None);
                return None;
            }
        }
        if required {
            self.error(ClaimErrorKind::MissingField, i, None);
        }
        None
    }

    /// Field `i` read by `parse`, or `kind` (with the value) when it does not parse.
    pub fn parsed<T>(&mut self, i: usize, required: bool, kind: ClaimErrorKind, parse: impl FnOnce(&str) -> Option<T>) -> Option<T> {
        let text = self.text(i, required)?;
        let value = parse(&text);
        if value.is_none() {
            self.error(kind, i, Some(&text));
        }
        value
    }

    /// Field `i` as a count of months from `minimum`, by the claims' rule (`count.rs`).
    pub fn count(&mut self, i: usize, required: bool, minimum: u32) -> Option<u32> {
        let number = matches!(self.values[i], Some(RawValue::Number(_)));
        let text = self.text(i, required)?;
        match super::count::parse_count(&text, number, minimum) {
            Ok(n) => Some(n),
            Err(kind) => {
                self.error(kind, i, Some(&text));
                None
            }
        }
    }

    /// Field `i` as a date (`YYYY-MM-DD`).
    pub fn date(&mut self, i: usize, required: bool) -> Option<Date> {
        self.parsed(i, required, ClaimErrorKind::BadDate, |t| parse_date(t).ok())
    }

    /// Field `i` as a level code.
    pub fn level(&mut self, i: usize, required: bool) -> Option<Level> {
        self.parsed(i, required, ClaimErrorKind::UnknownLevel, Level::parse)
    }

    /// Field `i` as yuan: a decimal of at most two places, not negative.
    pub fn money(&mut self, i: usize, required: bool) -> Option<Decimal> {
        let text = self.text(i, required)?;
        match parse_money(&text) {
            Ok(amount) => Some(amount),
            Err(e) => {
                let kind = ClaimErrorKind::from(e);
                self.error(kind, i, Some(&text));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: [&str; 3] = ["person_id", "start_date", "amount"];

    fn codes(f: &NamedFields<'_, 3>) -> Vec<String> {
        f.errors.iter().map(|e| format!("{}:{}:{}", e.field, e.code.code(), e.value.clone().unwrap_or_default())).collect()
    }

    #[test]
    fn every_problem_is_a_field_error_and_a_person_id_is_never_shown() {
        let (p, d, a, x) =
            (RawValue::Text("P\u{7}1".into()), RawValue::Text("2021-02-30".into()), RawValue::Text("1.005".into()), RawValue::Null);
        let mut f =
            NamedFields::read(&NAMES, [("person_id", &p), ("start_date", &d), ("amount", &a), ("amount", &x), ("other", &x)], false);
        assert_eq!((f.text(0, true), f.date(1, true), f.money(2, true)), (None, None, None));
        assert_eq!(
            codes(&f),
            [
                "amount:repeated_field:",
                "other:unknown_field:",
                "person_id:invalid_characters:",
                "start_date:bad_date:2021-02-30",
                "amount:money_precision:1.005"
            ]
        );
    }

    #[test]
    fn lenient_records_ignore_other_fields_and_empty_is_absent() {
        let (blank, other) = (RawValue::Text("  ".into()), RawValue::Text("x".into()));
        let mut f = NamedFields::read(&NAMES, [("person_id", &blank), ("other", &other)], true);
        assert_eq!(f.text(0, false), None);
        assert!(f.errors.is_empty());
        assert_eq!(f.date(1, true), None);
        assert_eq!(codes(&f), ["start_date:missing_field:"]);
    }
}
