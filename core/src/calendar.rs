//! Civil dates (`YYYY-MM-DD`, no times, no time zones), effective periods and months.

use chrono::{Datelike, Months};
use std::fmt;

/// A civil date: `chrono`'s `NaiveDate`, re-exported deliberately. Claims, history records and
/// the rules hold dates as it; a program names it here without depending on `chrono` itself, and
/// one that uses `chrono` passes its own dates as they are. `parse_date` reads the one text form
/// the crate accepts, `YYYY-MM-DD`.
pub use chrono::NaiveDate as Date;

/// Text that is not a calendar date written `YYYY-MM-DD` (`2021-02-30`, `2021-6-1`). Converts
/// into [`crate::Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a calendar date written YYYY-MM-DD")]
#[non_exhaustive]
pub struct DateError;

/// Parses a date written exactly `YYYY-MM-DD` that exists in the calendar
/// (`2021-02-30` does not).
///
/// ```
/// use skill_subsidy::calendar::parse_date;
/// assert!(parse_date("2021-06-01").is_ok());
/// assert_eq!(parse_date("2021-02-30").unwrap_err().to_string(), "not a calendar date written YYYY-MM-DD");
/// assert!(parse_date("2021-6-1").is_err());
/// ```
pub fn parse_date(text: &str) -> Result<Date, DateError> {
    read_date(text).ok_or(DateError)
}

fn read_date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
    };
    // Claims of one file mostly share a few dates: the last two dates read on this thread (a
    // claim has two) are kept with their text (10 bytes packed in an integer) and read again
    // without the calendar.
    thread_local! {
        static LAST: std::cell::Cell<[(u128, Option<Date>); 2]> = const { std::cell::Cell::new([(0, None); 2]) };
    }
    let mut packed = [0u8; 16];
    packed[..10].copy_from_slice(b);
    let key = u128::from_le_bytes(packed);
    let last = LAST.try_with(std::cell::Cell::get).unwrap_or_default();
    if let Some(date) = last.iter().find(|(k, _)| *k == key).and_then(|(_, d)| *d) {
        return Some(date);
    }
    let year = i32::try_from(number(0..4)?).ok()?;
    let date = Date::from_ymd_opt(year, number(5..7)?, number(8..10)?)?;
    // Gone only while the thread ends: the date is then read without the cache.
    let _ = LAST.try_with(|cell| cell.set([(key, Some(date)), last[0]]));
    Some(date)
}

unstable! {
    /// The date `months` calendar months after `date`; a day that the target month lacks
    /// clamps to its last day (2021-01-31 + 1 month = 2021-02-28). `None` past year 262143.
    #[must_use]
    fn add_months(date: Date, months: u32) -> Option<Date> {
        date.checked_add_months(Months::new(months))
    }
}

/// Whether `later` falls after the date `months` calendar months after `date` (the same day
/// of the month, clamped to the month's last day). Equivalent to `later > add_months(date,
/// months)`, without building the date: this check runs for every claim.
#[must_use]
pub(crate) fn after_months(date: Date, months: u32, later: Date) -> bool {
    let deadline = i64::from(date.year()) * 12 + i64::from(date.month0()) + i64::from(months);
    let at = i64::from(later.year()) * 12 + i64::from(later.month0());
    if at != deadline {
        return at > deadline;
    }
    later.day() > date.day().min(days_in_month(later.year(), later.month()))
}

unstable! {
    /// Days in a month of the proleptic Gregorian calendar.
    #[must_use]
    fn days_in_month(year: i32, month: u32) -> u32 {
        match month {
            2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }
}

/// A calendar month, `YYYY-MM`. Its fields are private: a month is always 1 ..= 12, so a
/// `YearMonth` can be neither made nor printed as `2021-13`.
///
/// ```
/// use skill_subsidy::calendar::YearMonth;
/// assert_eq!(YearMonth::new(2021, 12).unwrap().plus(1).to_string(), "2022-01");
/// assert!(YearMonth::new(2021, 0).is_none());
/// assert!(YearMonth::new(2021, 13).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    year: i32,
    /// 1 ..= 12, by construction.
    month: u32,
}

impl YearMonth {
    /// The month `month` (1 ..= 12) of `year`; `None` for any other month.
    #[must_use]
    pub fn new(year: i32, month: u32) -> Option<YearMonth> {
        (1..=12).contains(&month).then_some(YearMonth { year, month })
    }

    /// The calendar year.
    #[must_use]
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month of the year, 1 ..= 12.
    #[must_use]
    pub fn month(self) -> u32 {
        self.month
    }

    /// The month a date falls in.
    #[must_use]
    pub fn of(date: Date) -> YearMonth {
        YearMonth { year: date.year(), month: date.month() }
    }

    /// The month `n` months later ("month M+1" is `plus(1)`); the year saturates at `i32::MAX`.
    #[must_use]
    pub fn plus(self, n: u32) -> YearMonth {
        // month ≤ 12 by construction: no underflow, and the sum is done in u64, so no overflow.
        let months = u64::from(self.month - 1) + u64::from(n);
        let years = u32::try_from(months / 12).unwrap_or(u32::MAX);
        YearMonth { year: self.year.saturating_add_unsigned(years), month: (months % 12) as u32 + 1 }
    }

    /// Months from `self` to `later` (negative when `later` is earlier).
    #[must_use]
    pub fn months_until(self, later: YearMonth) -> i64 {
        (i64::from(later.year) - i64::from(self.year)) * 12 + i64::from(later.month) - i64::from(self.month)
    }

    /// Parses `YYYY-MM`.
    #[must_use]
    pub fn parse(text: &str) -> Option<YearMonth> {
        let date = parse_date(&format!("{text}-01")).ok()?;
        Some(YearMonth::of(date))
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// An effective period: `from ..= to`, both inclusive (生效日期 至 失效日期).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub struct Period {
    /// First day in force.
    pub from: Date,
    /// Last day in force.
    pub to: Date,
}

impl Period {
    /// The period `from ..= to`; `None` when it ends before it starts (as [`Period::parse`]).
    ///
    /// ```
    /// use skill_subsidy::calendar::{parse_date, Period};
    /// let (from, to) = (parse_date("2021-07-01").unwrap(), parse_date("2021-12-31").unwrap());
    /// assert_eq!(Period::new(from, to).unwrap().to_string(), "2021-07-01..2021-12-31");
    /// assert!(Period::new(to, from).is_none());
    /// ```
    #[must_use]
    pub fn new(from: Date, to: Date) -> Option<Period> {
        (from <= to).then_some(Period { from, to })
    }

    /// Reads `FROM..TO`; either end may be left open (`2021-07-01..`, `..2021-06-30`), and
    /// `None` when a date is not a calendar date or the range ends before it starts.
    ///
    /// ```
    /// use skill_subsidy::calendar::Period;
    /// assert_eq!(Period::parse("2021-06-22..2021-12-31").unwrap().to_string(), "2021-06-22..2021-12-31");
    /// assert!(Period::parse("2021-12-31..2021-01-01").is_none());
    /// ```
    #[must_use]
    pub fn parse(text: &str) -> Option<Period> {
        let (from, to) = text.split_once("..")?;
        let from = if from.is_empty() { Date::MIN } else { parse_date(from).ok()? };
        let to = if to.is_empty() { Date::MAX } else { parse_date(to).ok()? };
        (from <= to).then_some(Period { from, to })
    }

    /// Whether `date` falls in the period.
    #[must_use]
    pub fn contains(&self, date: Date) -> bool {
        self.from <= date && date <= self.to
    }

    /// Whether two periods share a day.
    #[must_use]
    pub fn overlaps(&self, other: &Period) -> bool {
        self.from <= other.to && other.from <= self.to
    }
}

impl fmt::Display for Period {
    /// `FROM..TO`; an open end (`Date::MIN`, `Date::MAX`) is left empty, as [`Period::parse`] reads it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.from != Date::MIN {
            write!(f, "{}", self.from)?;
        }
        f.write_str("..")?;
        if self.to != Date::MAX {
            write!(f, "{}", self.to)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        parse_date(s).unwrap()
    }

    #[test]
    fn dates_must_be_real_and_in_one_format() {
        assert_eq!(date("2024-02-29").to_string(), "2024-02-29");
        for bad in
            ["2021-02-29", "2021-13-01", "2021-00-10", "21-01-01", "2021/01/01", "2021-01-01T00:00", "２０２１-01-01", "-021-01-01", ""]
        {
            assert_eq!(parse_date(bad), Err(DateError), "{bad}");
        }
    }

    #[test]
    fn a_date_read_again_is_the_date_chrono_reads_whatever_was_read_before() {
        // The last date read is kept: a run of one text, then others, then bad texts between
        // good ones, each as chrono reads it.
        let texts = [
            "2021-06-15",
            "2021-06-15",
            "2021-06-16",
            "2021-06-15",
            "2021-06-16",
            "2021-02-29",
            "2021-06-16",
            "2021-06-1x",
            "2024-02-29",
            "2021-06-15",
            "2024-02-29",
        ];
        for _ in 0..2 {
            for t in texts {
                assert_eq!(parse_date(t).ok(), Date::parse_from_str(t, "%Y-%m-%d").ok().filter(|_| t.len() == 10), "{t}");
            }
        }
        let start = date("2020-12-25");
        for offset in 0..800 {
            let d = start + chrono::Days::new(offset / 2);
            assert_eq!(date(&d.to_string()), d);
        }
    }

    #[test]
    fn month_arithmetic_clamps_to_the_last_day() {
        assert_eq!(add_months(date("2021-01-31"), 1), Some(date("2021-02-28")));
        assert_eq!(add_months(date("2020-02-29"), 12), Some(date("2021-02-28")));
        assert_eq!(add_months(date("2021-03-15"), 12), Some(date("2022-03-15")));
    }

    #[test]
    fn after_months_agrees_with_building_the_deadline() {
        let start = date("2019-12-01");
        for offset in 0..1600 {
            let event = start + chrono::Days::new(offset);
            for months in [0, 1, 2, 12, 13] {
                let deadline = add_months(event, months).unwrap();
                for later in [deadline - chrono::Days::new(1), deadline, deadline + chrono::Days::new(1), deadline + chrono::Days::new(40)]
                {
                    assert_eq!(after_months(event, months, later), later > deadline, "{event} + {months} vs {later}");
                }
            }
        }
    }

    #[test]
    fn month_m_plus_one_crosses_the_year() {
        let december = YearMonth::of(date("2021-12-31"));
        assert_eq!(december.plus(1).to_string(), "2022-01");
        assert_eq!(december.months_until(december.plus(14)), 14);
        assert_eq!(YearMonth::parse("2021-07"), YearMonth::new(2021, 7));
        assert_eq!(YearMonth::new(2021, 12).unwrap().plus(u32::MAX).month(), YearMonth::new(2021, 12).unwrap().plus(u32::MAX % 12).month());
    }

    #[test]
    fn a_month_outside_1_to_12_cannot_be_made() {
        // Before: `YearMonth { year: 2021, month: 0 }.plus(1)` panicked and month 13 printed "2021-13".
        assert_eq!(YearMonth::new(2021, 0), None);
        assert_eq!(YearMonth::new(2021, 13), None);
        assert_eq!(YearMonth::parse("2021-13"), None);
        let m = YearMonth::new(i32::MAX, 12).unwrap().plus(u32::MAX);
        assert_eq!(m.year(), i32::MAX);
        assert!((1..=12).contains(&m.month()));
    }
}
