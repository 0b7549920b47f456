//! Counts of months (`months`, `ui_contribution_months`), read by one rule wherever they appear —
//! claims, history records, apprenticeship applications — and the one the JSON Schema states
//! (`schema.rs`): text of digits alone (`^[0-9]+$`: no sign, no exponent, no decimal point), or a
//! JSON number whose value is whole (`12`, `12.0`, `1.2e1`, as JSON Schema's `integer` reads it).
//!
//! `+3`, `1e2` and `3.0` written as text are `bad_integer`; a whole number outside the range
//! (`0` where the minimum is 1, `-3`, `5000`) is `out_of_range`.

use super::ClaimErrorKind;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// The largest count of months any field takes (a century).
pub const MAX_MONTHS: u32 = 1200;

/// Reads a count between `minimum` and [`MAX_MONTHS`] from `text`, which is a JSON number's
/// text when `number` is true.
pub(crate) fn parse_count(text: &str, number: bool, minimum: u32) -> Result<u32, ClaimErrorKind> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let whole = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        // Negative, or too long for a u32: a whole number, out of range.
        if digits.len() < text.len() {
            return Err(ClaimErrorKind::OutOfRange);
        }
        text.parse::<u32>().map_err(|_| ClaimErrorKind::OutOfRange)?
    } else if number {
        let exact = if text.contains(['e', 'E']) { Decimal::from_scientific(text) } else { text.parse::<Decimal>() };
        match exact {
            // A negative or huge whole number is out of range.
            Ok(v) if v.fract().is_zero() => v.to_u32().ok_or(ClaimErrorKind::OutOfRange)?,
            // A fraction, or a number too large to hold exactly: not a whole number of months.
            _ => return Err(ClaimErrorKind::BadInteger),
        }
    } else {
        return Err(ClaimErrorKind::BadInteger);
    };
    if (minimum..=MAX_MONTHS).contains(&whole) {
        Ok(whole)
    } else {
        Err(ClaimErrorKind::OutOfRange)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ClaimErrorKind::{BadInteger, OutOfRange};

    #[test]
    fn text_is_digits_alone_as_the_schema_says() {
        assert_eq!(parse_count("3", false, 1), Ok(3));
        assert_eq!(parse_count("007", false, 1), Ok(7));
        for text in ["+3", "1e2", "3.0", "3 ", " 3", "", "-", "三", "0x3", "3_0"] {
            assert_eq!(parse_count(text, false, 1), Err(BadInteger), "{text:?}");
        }
        for text in ["0", "-3", "1201", "99999999999999999999999999999999"] {
            assert_eq!(parse_count(text, false, 1), Err(OutOfRange), "{text:?}");
        }
        assert_eq!(parse_count("0", false, 0), Ok(0));
    }

    #[test]
    fn a_json_number_counts_when_its_value_is_whole() {
        for (text, n) in [("12", 12), ("12.0", 12), ("1.2e1", 12), ("1e2", 100), ("1200", 1200)] {
            assert_eq!(parse_count(text, true, 1), Ok(n), "{text}");
        }
        for text in ["12.5", "1e-1", "1e400", "NaN"] {
            assert_eq!(parse_count(text, true, 1), Err(BadInteger), "{text}");
        }
        for text in ["0", "-3", "-3.0", "1e4"] {
            assert_eq!(parse_count(text, true, 1), Err(OutOfRange), "{text}");
        }
    }

    /// The error code of `months` = `text` in a claim, a history record and an application.
    fn codes_of(text: &str) -> [Option<&'static str>; 3] {
        use crate::claim::{Claim, FieldMode, RawClaim, RawValue};
        use crate::{Application, HistoryRecord};
        let months = RawValue::Text(text.to_string());
        let code_of = |errors: Vec<crate::FieldError>| errors.iter().find(|e| e.field == "months").map(|e| e.code.code());
        let mut claim = RawClaim::default();
        claim.set("months", months.clone());
        let history = [("months", &months)];
        let application = [("months", &months)];
        [
            Claim::parse(&claim, FieldMode::Strict).err().map(crate::Error::into_field_errors).and_then(code_of),
            HistoryRecord::parse(history, true).err().and_then(code_of),
            Application::parse(application, true).err().and_then(code_of),
        ]
    }

    #[test]
    fn claims_history_and_applications_read_months_by_one_rule() {
        // Applications said out_of_range for 1e2 and took +3, where claims said bad_integer.
        for (text, code) in
            [("1e2", "bad_integer"), ("+3", "bad_integer"), ("3.0", "bad_integer"), ("0", "out_of_range"), ("1201", "out_of_range")]
        {
            assert_eq!(codes_of(text), [Some(code); 3], "{text}");
        }
        assert_eq!(codes_of("12"), [None; 3]);
    }
}
