//! Normalising dates and money as spreadsheets and people write them (SPEC §4 and §6: dates are
//! `YYYY-MM-DD`, money a decimal string): `2021/3/21`, `2021-3-5`, `2021年3月7日`, an Excel date
//! serial; `660.00元`, `1,930.00`, `￥1930`, `¥1930`, full-width digits `１９３０`.
//!
//! Pure text to text: the result is what the strict parsers ([`crate::calendar::parse_date`],
//! [`crate::money::parse_money`]) then read, so money stays exact (digits are moved, never
//! computed) and every check of the strict path still applies. A form is normalised only when it
//! has one reading: the year comes first in every date form (`3/5/2021` is left alone, never
//! guessed as March or May), a comma groups thousands only in valid groups (`1,930.00` but not
//! `19,30` or `1,9300`), and an invalid date (`2021/2/30`) is left for the parser to refuse.
//! Anything not recognised is returned as `None` and reaches the parser unchanged.

use super::Field;
use crate::calendar::Date;
use chrono::Datelike;

/// What a field holds, as far as normalisation goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// A civil date.
    Date,
    /// An amount of money in yuan.
    Money,
}

impl ValueKind {
    /// The kind of a claim field, if it is normalised.
    #[must_use]
    pub fn of_field(field: Field) -> Option<ValueKind> {
        match field {
            Field::EventDate | Field::AppliedOn => Some(ValueKind::Date),
            Field::FeePaid => Some(ValueKind::Money),
            _ => None,
        }
    }

    /// The kind of a field of history, applications or outcomes, by name.
    #[must_use]
    pub fn of_name(name: &str) -> Option<ValueKind> {
        match name {
            "event_date" | "applied_on" | "start_date" | "submitted_on" | "outcome_date" => Some(ValueKind::Date),
            "amount" | "fee_paid" => Some(ValueKind::Money),
            _ => None,
        }
    }

    /// `text` normalised as this kind of value, or `None` when it is already in the canonical
    /// form or not in a form with one reading.
    #[must_use]
    pub fn normalise(self, text: &str) -> Option<String> {
        match self {
            ValueKind::Date => normalise_date(text),
            ValueKind::Money => normalise_money(text),
        }
    }
}

/// ASCII and ideographic (full-width) spaces.
fn is_space(c: char) -> bool {
    c.is_ascii_whitespace() || c == '\u{3000}'
}

/// Full-width digits, letters and punctuation (U+FF01..U+FF5E) as their ASCII forms; other
/// characters as they are.
#[must_use]
pub fn half_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// A date written year first: `2021/3/21`, `2021-3-5`, `2021.3.5`, `2021年3月7日` (full-width
/// digits too, and a midnight time `2021/3/21 0:00` as Excel writes a date-time column), as
/// `YYYY-MM-DD`.
///
/// ```
/// use skill_subsidy::normalise::normalise_date;
/// assert_eq!(normalise_date("2021/3/21").as_deref(), Some("2021-03-21"));
/// assert_eq!(normalise_date("2021年3月7日").as_deref(), Some("2021-03-07"));
/// assert_eq!(normalise_date("3/5/2021"), None); // March or May: never guessed
/// assert_eq!(normalise_date("2021-03-05"), None); // already canonical
/// ```
#[must_use]
pub fn normalise_date(text: &str) -> Option<String> {
    if crate::calendar::parse_date(text).is_ok() {
        return None; // already canonical: the common case, kept cheap
    }
    let text = half_width(text.trim_matches(is_space));
    let text = strip_midnight(&text);
    let (year, month, day) = if let Some(rest) = text.strip_suffix('日') {
        let (year, rest) = rest.split_once('年')?;
        let (month, day) = rest.split_once('月')?;
        (year, month, day)
    } else {
        let separator = text.chars().find(|c| !c.is_ascii_digit())?;
        if !matches!(separator, '/' | '-' | '.') {
            return None;
        }
        let mut parts = text.split(separator);
        let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        (year, month, day)
    };
    let number = |s: &str, most: usize| -> Option<u32> {
        (!s.is_empty() && s.len() <= most && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
    };
    if year.len() != 4 {
        return None;
    }
    let date = Date::from_ymd_opt(i32::try_from(number(year, 4)?).ok()?, number(month, 2)?, number(day, 2)?)?;
    let canonical = format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day());
    (canonical != text).then_some(canonical)
}

/// The text without a trailing midnight (`0:00`, `00:00`, `00:00:00`) after a space.
fn strip_midnight(text: &str) -> &str {
    match text.rsplit_once(' ') {
        Some((date, "0:00" | "00:00" | "0:00:00" | "00:00:00")) => date.trim_end(),
        _ => text,
    }
}

/// An amount as people write it: a currency sign before (`￥`, `¥`), `元` after, thousands
/// separated by commas in valid groups, full-width digits, spaces around — as a plain decimal.
/// The digits are kept as written (`660.00元` → `660.00`), so the amount stays exact.
///
/// ```
/// use skill_subsidy::normalise::normalise_money;
/// assert_eq!(normalise_money("1,930.00").as_deref(), Some("1930.00"));
/// assert_eq!(normalise_money("￥1930").as_deref(), Some("1930"));
/// assert_eq!(normalise_money("１９３０．５元").as_deref(), Some("1930.5"));
/// assert_eq!(normalise_money("19,30"), None); // not thousands
/// assert_eq!(normalise_money("1930.00"), None); // already plain
/// ```
#[must_use]
pub fn normalise_money(text: &str) -> Option<String> {
    if text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None; // a plain decimal already (or not money at all): the common case, kept cheap
    }
    let trimmed = text.trim_matches(is_space);
    let wide = half_width(trimmed);
    let (negative, rest) = match wide.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, wide.as_str()),
    };
    let rest = rest.trim_start_matches(is_space);
    let rest = rest.strip_prefix(['\u{FFE5}', '\u{A5}']).unwrap_or(rest).trim_start_matches(is_space);
    let rest = rest.strip_suffix('元').unwrap_or(rest).trim_end_matches(is_space);
    let (whole, fraction) = match rest.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (rest, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !fraction.is_none_or(digits) {
        return None;
    }
    let whole = if whole.contains(',') {
        let mut groups = whole.split(',');
        let first = groups.next()?;
        if !(digits(first) && first.len() <= 3 && groups.all(|g| g.len() == 3 && digits(g))) {
            return None;
        }
        whole.replace(',', "")
    } else if digits(whole) {
        whole.to_string()
    } else {
        return None;
    };
    let mut canonical = String::with_capacity(whole.len() + 4);
    if negative {
        canonical.push('-');
    }
    canonical.push_str(&whole);
    if let Some(f) = fraction {
        canonical.push('.');
        canonical.push_str(f);
    }
    (canonical != trimmed.trim_matches(|c: char| c.is_ascii_whitespace())).then_some(canonical)
}

/// The date of an Excel date serial in the 1900 date system (days since 1899-12-30, as Excel
/// stores a date cell): 44276 is 2021-03-21. Serials up to 60 (before 1900-03-01, where Excel
/// counts the 29th of February 1900 that never was) are refused, as are serials past 9999.
///
/// ```
/// use skill_subsidy::normalise::date_from_excel_serial;
/// assert_eq!(date_from_excel_serial(44276).map(|d| d.to_string()).as_deref(), Some("2021-03-21"));
/// ```
#[must_use]
pub fn date_from_excel_serial(serial: i64) -> Option<Date> {
    if !(61..=2_958_465).contains(&serial) {
        return None;
    }
    Date::from_ymd_opt(1899, 12, 30)?.checked_add_days(chrono::Days::new(u64::try_from(serial).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_excel_forms_become_iso_dates() {
        for (text, iso) in [
            ("2021/3/21", "2021-03-21"),
            ("2021-3-5", "2021-03-05"),
            ("2021.03.05", "2021-03-05"),
            ("2021年3月7日", "2021-03-07"),
            ("２０２１年３月７日", "2021-03-07"),
            (" 2021/12/31 ", "2021-12-31"),
            ("2021/3/21 0:00", "2021-03-21"),
            ("2021/03/21 00:00:00", "2021-03-21"),
        ] {
            assert_eq!(normalise_date(text).as_deref(), Some(iso), "{text}");
        }
    }

    #[test]
    fn dates_with_more_than_one_reading_or_none_are_left_alone() {
        for text in [
            "2021-03-05",
            "3/5/2021",
            "5/3/21",
            "21/3/5",
            "2021/2/30",
            "2021/3",
            "2021/3/5/1",
            "2021-3/5",
            "2021/3/21 9:30",
            "2021年3月",
            "20210305",
            "2021/003/05",
            "",
            "二〇二一年三月五日",
        ] {
            assert_eq!(normalise_date(text), None, "{text}");
        }
    }

    #[test]
    fn money_as_people_write_it_becomes_a_plain_decimal() {
        for (text, plain) in [
            ("660.00元", "660.00"),
            ("1,930.00", "1930.00"),
            ("￥1930", "1930"),
            ("¥1930", "1930"),
            ("¥ 1,930.10 元", "1930.10"),
            ("１９３０", "1930"),
            ("１，９３０．００", "1930.00"),
            ("1,234,567.89", "1234567.89"),
            ("-￥7,000.00", "-7000.00"),
        ] {
            assert_eq!(normalise_money(text).as_deref(), Some(plain), "{text}");
        }
    }

    #[test]
    fn money_with_more_than_one_reading_or_none_is_left_alone() {
        for text in [
            "1930.00",
            " 1930 ",
            "19,30",
            "1,9300",
            ",930",
            "1,930,",
            "1.930,00",
            "1,93.0",
            "1930元元",
            "$1930",
            "1e3",
            "NaN",
            "元",
            "",
            "1930.",
            ".5",
        ] {
            assert_eq!(normalise_money(text), None, "{text}");
        }
    }

    #[test]
    fn normalised_money_parses_exactly() {
        let plain = normalise_money("1,930.10元").unwrap();
        assert_eq!(crate::money::parse_money(&plain).unwrap().to_string(), "1930.10");
    }

    #[test]
    fn excel_serials_count_from_1899_12_30() {
        assert_eq!(date_from_excel_serial(61).unwrap().to_string(), "1900-03-01");
        assert_eq!(date_from_excel_serial(44197).unwrap().to_string(), "2021-01-01");
        assert_eq!(date_from_excel_serial(60), None);
        assert_eq!(date_from_excel_serial(-1), None);
        assert_eq!(date_from_excel_serial(i64::MAX), None);
    }
}
