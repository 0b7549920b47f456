//! Money (金额): yuan as [`Decimal`], one rounding to the fen, exact text in and out.
//!
//! Every amount the engine computes is exact until the very end of a claim's calculation,
//! where it is rounded **once** to 0.01 yuan, half away from zero (四舍五入). Totals are sums
//! of rounded amounts, so a total always equals the sum of its parts to the fen.

use rust_decimal::{Decimal, RoundingStrategy};
use std::fmt;

/// The largest amount of money the engine accepts anywhere (rules, claims, history):
/// 999,999,999,999.99 yuan. With this bound no sum of up to 10^16 amounts can overflow
/// `Decimal` (whose limit is about 7.9 × 10^28), which is why report totals may add freely.
pub const MAX_MONEY: Decimal = Decimal::from_parts(276_447_231, 23_283, 0, false, 2);

/// Rounds an exact amount to the fen, half away from zero (`0.005` → `0.01`, `-0.005` → `-0.01`).
///
/// `round_dp` alone would round half to even (banker's rounding), which is not how
/// subsidies are paid.
///
/// ```
/// use rust_decimal::Decimal;
/// use skill_subsidy::money::round_to_fen;
/// assert_eq!(round_to_fen("1234.565".parse::<Decimal>().unwrap()).to_string(), "1234.57");
/// assert_eq!(round_to_fen("2600".parse::<Decimal>().unwrap()).to_string(), "2600.00");
/// ```
#[must_use]
pub fn round_to_fen(amount: Decimal) -> Decimal {
    if amount.scale() == 2 {
        return amount; // already whole fen: the common case, kept cheap
    }
    let mut rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(2);
    rounded
}

/// The smaller of two amounts. Amounts in whole fen share a scale, and then comparing their
/// mantissas is exact and much cheaper than a general decimal comparison.
#[must_use]
#[inline]
pub(crate) fn min_amount(a: Decimal, b: Decimal) -> Decimal {
    let smaller = if a.scale() == b.scale() { a.mantissa() <= b.mantissa() } else { a <= b };
    if smaller {
        a
    } else {
        b
    }
}

/// Writes an amount with exactly two decimal places (`"1950.00"`), the form money takes in
/// JSON, CSV and every binding.
#[must_use]
pub fn format_yuan(amount: Decimal) -> String {
    let mut text = String::with_capacity(16);
    push_yuan(amount, &mut text);
    text
}

/// Appends an amount as [`format_yuan`] writes it to `text` (a writer of a million records
/// reuses one string).
pub fn push_yuan(amount: Decimal, text: &mut String) {
    let shown = round_to_fen(amount);
    // Written digit by digit from the fen; a negative zero and amounts past u64's fen are left
    // to `Decimal`'s own formatting.
    let fen = shown.mantissa();
    let rest = u64::try_from(fen.unsigned_abs()).ok().filter(|_| !(fen == 0 && shown.is_sign_negative()));
    let Some(mut rest) = rest else {
        text.push_str(&shown.to_string());
        return;
    };
    let mut digits = [0u8; 24];
    let mut at = digits.len();
    let mut written = 0;
    while written < 3 || rest > 0 {
        if written == 2 {
            at -= 1;
            digits[at] = b'.';
        }
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        written += 1;
    }
    if fen < 0 {
        text.push('-');
    }
    text.reserve(digits.len() - at);
    for &digit in &digits[at..] {
        text.push(char::from(digit));
    }
}

/// Why a text is not an amount of money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MoneyError {
    /// Not a plain decimal number (`"NaN"`, `"1e400"`, `"1,950"`, `""`).
    NotANumber,
    /// Below zero.
    Negative,
    /// More than two decimal places that are not zeros (`"19.999"`).
    BelowFen,
    /// Above [`MAX_MONEY`].
    TooLarge,
}

impl MoneyError {
    /// The stable error code used in claim and rules errors.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            MoneyError::NotANumber => "bad_money",
            MoneyError::Negative => "negative_money",
            MoneyError::BelowFen => "money_precision",
            MoneyError::TooLarge => "money_out_of_range",
        }
    }
}

impl fmt::Display for MoneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MoneyError::NotANumber => "not a plain decimal number of yuan",
            MoneyError::Negative => "negative",
            MoneyError::BelowFen => "more precise than the fen (0.01 yuan)",
            MoneyError::TooLarge => "larger than 999,999,999,999.99 yuan",
        })
    }
}

/// Parses an amount of yuan written as a plain decimal: digits, at most one point, no sign,
/// no exponent, no separators. Surrounding ASCII whitespace is ignored. Digits beyond the
/// fen are accepted only when they are zeros (`"1950.000"` is 1950.00). The result always
/// has two decimal places.
///
/// ```
/// use skill_subsidy::money::{parse_money, MoneyError};
/// assert_eq!(parse_money("1950.5").unwrap().to_string(), "1950.50");
/// assert_eq!(parse_money("NaN"), Err(MoneyError::NotANumber));
/// assert_eq!(parse_money("1e400"), Err(MoneyError::NotANumber));
/// assert_eq!(parse_money("-3"), Err(MoneyError::Negative));
/// ```
pub fn parse_money(text: &str) -> Result<Decimal, MoneyError> {
    plain_fen(text.as_bytes()).map_or_else(|| parse_money_fully(text), |fen| Ok(Decimal::new(fen, 2)))
}

/// The fen of the common amount, read a byte at a time: at most 12 characters, digits with at
/// most one point, followed by one or two digits (`3517.17`, `300`, `12.5`); `None` for any
/// other text, which [`parse_money_fully`] reads.
fn plain_fen(bytes: &[u8]) -> Option<i64> {
    if bytes.is_empty() || bytes.len() > 12 {
        return None;
    }
    let mut fen: i64 = 0;
    let mut point = None;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'0'..=b'9' => fen = fen * 10 + i64::from(b - b'0'),
            b'.' if point.is_none() && i > 0 => point = Some(i),
            _ => return None,
        }
    }
    match point.map(|p| bytes.len() - p - 1) {
        None => Some(fen * 100),
        Some(1) => Some(fen * 10),
        Some(2) => Some(fen),
        _ => None,
    }
}

/// [`parse_money`] of any text: trimmed, signed, split at its point, checked step by step.
fn parse_money_fully(text: &str) -> Result<Decimal, MoneyError> {
    let text = text.trim_matches(|c: char| c.is_ascii_whitespace());
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let fraction_ok = fraction.is_none_or(|f| !f.is_empty() && all_digits(f));
    if whole.is_empty() || !all_digits(whole) || !fraction_ok {
        return Err(MoneyError::NotANumber);
    }
    let whole = whole.trim_start_matches('0');
    if whole.len() > 12 {
        return Err(if negative { MoneyError::Negative } else { MoneyError::TooLarge });
    }
    let fraction = fraction.unwrap_or("");
    let (kept, rest) = fraction.split_at(fraction.len().min(2));
    if rest.bytes().any(|b| b != b'0') {
        return Err(if negative { MoneyError::Negative } else { MoneyError::BelowFen });
    }
    // At most 12 + 2 digits: the amount in fen fits in an i64 and is below MAX_MONEY.
    let mut fen: i64 = 0;
    for b in whole.bytes().chain(kept.bytes()) {
        fen = fen * 10 + i64::from(b - b'0');
    }
    for _ in kept.len()..2 {
        fen *= 10;
    }
    if negative && fen != 0 {
        return Err(MoneyError::Negative);
    }
    Ok(Decimal::new(fen, 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    proptest::proptest! {
        #[test]
        fn the_common_amount_read_a_byte_at_a_time_is_what_the_full_reading_gives(text in "[0-9.]{0,14}|[0-9]{1,10}(\\.[0-9]{0,3})?") {
            if let Some(fen) = plain_fen(text.as_bytes()) {
                proptest::prop_assert_eq!(Ok(Decimal::new(fen, 2)), parse_money_fully(&text), "{}", text);
            }
            proptest::prop_assert_eq!(parse_money(&text), parse_money_fully(&text));
        }
    }

    #[test]
    fn amounts_are_written_as_decimal_writes_them_rounded_to_the_fen() {
        let texts = ["0", "0.00", "-0.00", "0.01", "-0.01", "0.1", "1", "9.99", "10", "300.00", "1950.5", "-7000.00", "1234.565"];
        let big = [
            "999999999999.99",
            "184467440737095516.15",
            "184467440737095516.16",
            "-184467440737095516.16",
            "79228162514264337593543950.33",
        ];
        for text in texts.iter().chain(&big) {
            let amount = d(text);
            assert_eq!(format_yuan(amount), round_to_fen(amount).to_string(), "{text}");
        }
        for fen in (0..2_000_i64).chain([i64::MAX / 3, 123_456_789_012]) {
            for amount in [Decimal::new(fen, 2), Decimal::new(-fen, 2), Decimal::new(fen, 0), Decimal::new(fen, 3)] {
                assert_eq!(format_yuan(amount), round_to_fen(amount).to_string(), "{amount}");
            }
        }
    }

    #[test]
    fn rounding_is_half_away_from_zero_not_bankers() {
        assert_eq!(round_to_fen(d("0.125")).to_string(), "0.13");
        assert_eq!(round_to_fen(d("0.135")).to_string(), "0.14");
        assert_eq!(round_to_fen(d("2.675")).to_string(), "2.68");
        assert_eq!(round_to_fen(d("-0.125")).to_string(), "-0.13");
        assert_eq!(round_to_fen(d("0.124999")).to_string(), "0.12");
        assert_eq!(round_to_fen(d("1300")).to_string(), "1300.00");
    }

    #[test]
    fn the_common_amount_and_its_neighbours_read_as_the_full_reading_reads_them() {
        for text in [
            " 12.5",
            "12.5 ",
            "-0.00",
            "-1",
            "+1",
            "１２",
            "000000000000.5",
            "999999999999",
            "9999999999999",
            "999999999999.99",
            "0",
            "00.10",
            ".5",
            "5.",
            "1.",
            "1.234",
            "1.230",
            "1..2",
            "",
            " ",
            "1e3",
            "1,000",
        ] {
            assert_eq!(parse_money(text), parse_money_fully(text), "{text:?}");
            if let Ok(amount) = parse_money(text) {
                assert_eq!(amount.scale(), 2, "{text:?}");
            }
        }
        assert_eq!(plain_fen(b"999999999.99"), Some(99_999_999_999));
        assert_eq!(plain_fen(b"9999999999999"), None, "13 characters: the full reading's");
    }

    #[test]
    fn max_money_is_what_its_doc_says() {
        assert_eq!(MAX_MONEY, d("999999999999.99"));
        // Fees are compared with it by mantissa at this scale (Claim::is_as_read).
        assert_eq!(MAX_MONEY.scale(), 2);
    }

    #[test]
    fn money_text_is_strict() {
        assert_eq!(parse_money("1950.00").unwrap(), d("1950"));
        assert_eq!(parse_money(" 300 ").unwrap(), d("300"));
        assert_eq!(parse_money("0.1").unwrap(), d("0.1"));
        assert_eq!(parse_money("1950.000").unwrap(), d("1950"));
        assert_eq!(parse_money("007.5").unwrap(), d("7.5"));
        assert_eq!(parse_money("999999999999.99").unwrap(), MAX_MONEY);
        for bad in ["", ".", "1.", ".5", "NaN", "inf", "1e3", "1,950", "+5", "1 000", "0x10", "１２"] {
            assert_eq!(parse_money(bad), Err(MoneyError::NotANumber), "{bad:?}");
        }
        assert_eq!(parse_money("-0.01"), Err(MoneyError::Negative));
        assert_eq!(parse_money("-0"), Ok(Decimal::ZERO));
        assert_eq!(parse_money("0.30000000000000004"), Err(MoneyError::BelowFen));
        assert_eq!(parse_money("1000000000000"), Err(MoneyError::TooLarge));
        assert_eq!(parse_money(&"9".repeat(5000)), Err(MoneyError::TooLarge));
    }

    #[test]
    fn min_amount_agrees_with_decimal_ordering() {
        for (a, b) in [("2600.00", "2466.67"), ("1", "0.99"), ("-1.00", "0.00"), ("1000.00", "1000"), ("3.5", "3.50")] {
            let (a, b) = (d(a), d(b));
            assert_eq!(min_amount(a, b), a.min(b));
            assert_eq!(min_amount(b, a), b.min(a));
        }
    }

    #[test]
    fn format_always_has_two_places() {
        assert_eq!(format_yuan(d("2600")), "2600.00");
        let mut text = String::from("x,");
        push_yuan(d("-0.5"), &mut text);
        assert_eq!(text, "x,-0.50", "appended, not replaced");
        assert_eq!(format_yuan(d("0")), "0.00");
        assert_eq!(format_yuan(d("12.5")), "12.50");
    }
}
