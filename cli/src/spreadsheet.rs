//! CSV meant for people is safe to open in a spreadsheet (SPEC §12; OWASP, CSV injection): a
//! text cell that Excel, WPS or LibreOffice would run as a formula — one that starts with `=`,
//! `+`, `-`, `@`, a tab or a carriage return — is written with a leading `'`. The spreadsheet
//! shows it as text, quote first, and runs nothing: a claim id `=HYPERLINK("http://evil.example","x")`
//! is the cell `'=HYPERLINK("http://evil.example","x")`, not a link.
//!
//! Number columns (the amount) are left alone while they hold a plain decimal: we write them
//! from exact amounts, a spreadsheet reads `-7000.00` as the number −7000 (a recovery stays a
//! number to sum), and a plain number runs nothing. Anything else in a number column is treated
//! as text.
//!
//! `--csv-formulas keep` writes every cell as it is, for programs that read the file back.

use std::borrow::Cow;

/// What to do with cells a spreadsheet would run as formulas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Formulas {
    /// Prefix them with `'` (for people; the default).
    #[default]
    Escape,
    /// Write them as they are (for programs reading the file back).
    Keep,
}

/// Whether a spreadsheet would run `cell` as a formula.
fn runs_as_formula(cell: &str) -> bool {
    matches!(cell.as_bytes().first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r'))
}

/// Whether `cell` is a plain decimal number (`-7000.00`, `300`), which a spreadsheet reads as a
/// number and never runs.
fn is_plain_number(cell: &str) -> bool {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty() && !fraction.is_empty() && whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit())
}

/// Whether `value` is written with a leading `'`: a text cell (or a number column's cell that
/// is not a plain number) that would run as a formula.
pub fn escaped(value: &str, number_column: bool, formulas: Formulas) -> bool {
    formulas == Formulas::Escape && runs_as_formula(value) && !(number_column && is_plain_number(value))
}

/// A cell as written (see [`escaped`]).
pub fn cell(value: &str, number_column: bool, formulas: Formulas) -> Cow<'_, str> {
    if escaped(value, number_column, formulas) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

/// Makes every cell of `row` safe in place; `numbers[i]` says whether column `i` holds numbers.
pub fn make_safe(row: &mut [String], numbers: &[bool], formulas: Formulas) {
    for (i, value) in row.iter_mut().enumerate() {
        if let Cow::Owned(safe) = cell(value, numbers.get(i).copied().unwrap_or(false), formulas) {
            *value = safe;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_would_run_gets_a_leading_quote() {
        for value in ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "-7000.00"] {
            assert_eq!(cell(value, false, Formulas::Escape), format!("'{value}"), "{value:?}");
        }
        for value in ["C1", "", "1=1", "梁溪区", "'already"] {
            assert_eq!(cell(value, false, Formulas::Escape), value);
        }
    }

    #[test]
    fn a_negative_amount_stays_a_number_in_a_number_column() {
        assert_eq!(cell("-7000.00", true, Formulas::Escape), "-7000.00");
        assert_eq!(cell("300.00", true, Formulas::Escape), "300.00");
        // Not a plain number: text, and escaped.
        for value in ["-1e3", "-", "-.5", "-5.", "=1+1", "-1+1"] {
            assert_eq!(cell(value, true, Formulas::Escape), format!("'{value}"), "{value:?}");
        }
    }

    #[test]
    fn keep_writes_every_cell_as_it_is() {
        assert_eq!(cell("=1+1", false, Formulas::Keep), "=1+1");
    }
}
