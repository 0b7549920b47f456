//! `subsidy whatif` for people (SPEC §10): the difference between the rules as they are and as
//! changed, in tables that fit 80 terminal columns (amounts, then claims, then rejections and
//! the accounts), signs written the same way everywhere (`+1,620.00`, `-300.00`, `0.00`); and
//! `--changed FILE`, the claims whose decision or amount changed, one row each.

use crate::lang::Lang;
use crate::records_csv::status_zh;
use crate::summary::{count, display_width, money, pad, projection, right};
use skill_subsidy::{report::Tally, BatchResult, Decimal, Engine, Report, Status};
use std::fmt::Write as _;

/// The widths of a table's label and of each of its three figures, in terminal columns.
#[derive(Clone, Copy)]
struct Widths {
    label: usize,
    figure: usize,
}

/// Amounts: 2 + 27 + 3 × 17 = 80 columns.
const AMOUNTS: Widths = Widths { label: 27, figure: 17 };
/// Counts, whose labels (reasons) are long: 2 + 45 + 3 × 11 = 80 columns.
const COUNTS: Widths = Widths { label: 45, figure: 11 };

/// A difference with its sign: `+1,620.00`, `-300.00`, `0.00` (no sign for no change).
pub fn signed_money(d: Decimal) -> String {
    if d > Decimal::ZERO {
        format!("+{}", money(d))
    } else {
        money(d)
    }
}

/// A difference of counts with its sign: `+3`, `-2`, `0`.
fn signed_count(d: i64) -> String {
    if d > 0 {
        format!("+{}", count(d.unsigned_abs()))
    } else if d < 0 {
        format!("-{}", count(d.unsigned_abs()))
    } else {
        "0".to_string()
    }
}

/// One row: a label and three figures; a label too wide for its column goes on a line of its own.
fn row(out: &mut String, w: Widths, indent: usize, label: &str, figures: [String; 3]) {
    let width = w.label - indent;
    let lead = " ".repeat(2 + indent);
    if display_width(label) > width {
        let _ = writeln!(out, "{lead}{label}");
        let _ = write!(out, "{lead}{}", " ".repeat(width));
    } else {
        let _ = write!(out, "{lead}{}", pad(label, width));
    }
    for f in figures {
        out.push_str(&right(&f, w.figure));
    }
    out.push('\n');
}

/// A table's heading line: its title and the three columns' names.
fn heading(out: &mut String, w: Widths, title: &str, lang: Lang) {
    let _ = write!(out, "{}", pad(title, w.label + 2));
    for name in [lang.pick("baseline", "现行规则"), lang.pick("variant", "假设规则"), lang.pick("difference", "差额")] {
        out.push_str(&right(name, w.figure));
    }
    out.push('\n');
}

/// A program's name: its id in English, its Chinese name in Chinese.
fn program_name(engine: &Engine, id: &str, lang: Lang) -> String {
    match (lang, engine.ruleset().program(id)) {
        (Lang::Zh, Some(p)) => p.name_zh.clone(),
        _ => id.to_string(),
    }
}

/// The difference between a baseline and a variant report, by program, by reason and in the
/// accounts.
pub fn render(engine: &Engine, baseline: &Report, variant: &Report, changes: &[String], lang: Lang) -> String {
    let mut out = String::new();
    // The changes on one line when they fit in 80 columns, else one a line.
    let title = lang.pick("What-if: ", "假设分析：");
    let joined = changes.join(", ");
    if display_width(title) + display_width(&joined) <= 80 {
        let _ = writeln!(out, "{title}{joined}");
    } else {
        let _ = writeln!(out, "{}", title.trim_end());
        for change in changes {
            let _ = writeln!(out, "  {change}");
        }
    }
    let programs: std::collections::BTreeSet<&String> = baseline.by_program.keys().chain(variant.by_program.keys()).collect();
    let zero = Tally::default();
    let tallies = |id: &String| (baseline.by_program.get(id).unwrap_or(&zero), variant.by_program.get(id).unwrap_or(&zero));
    heading(&mut out, AMOUNTS, lang.pick("Approved, yuan", "予以补贴金额（元）"), lang);
    let amounts = |b: &Tally, v: &Tally| [money(b.amount), money(v.amount), signed_money(v.amount - b.amount)];
    row(&mut out, AMOUNTS, 0, lang.pick("all programs", "全部项目"), amounts(&baseline.approved, &variant.approved));
    for id in &programs {
        let (b, v) = tallies(id);
        row(&mut out, AMOUNTS, 2, &program_name(engine, id, lang), amounts(b, v));
    }
    heading(&mut out, COUNTS, lang.pick("Approved, claims", "予以补贴申请（条）"), lang);
    let counts = |b: &Tally, v: &Tally| [count(b.count), count(v.count), signed_count(v.count as i64 - b.count as i64)];
    row(&mut out, COUNTS, 0, lang.pick("all programs", "全部项目"), counts(&baseline.approved, &variant.approved));
    for id in &programs {
        let (b, v) = tallies(id);
        row(&mut out, COUNTS, 2, &program_name(engine, id, lang), counts(b, v));
    }
    let reasons: std::collections::BTreeSet<_> = baseline.rejections.keys().chain(variant.rejections.keys()).collect();
    if !reasons.is_empty() {
        heading(&mut out, COUNTS, lang.pick("Rejections, claims", "不予补贴（条）"), lang);
        for r in reasons {
            let (b, v) = (baseline.rejections.get(r).copied().unwrap_or(0), variant.rejections.get(r).copied().unwrap_or(0));
            let label = lang.pick(r.code(), r.message_zh());
            row(&mut out, COUNTS, 0, label, [count(b), count(v), signed_count(v as i64 - b as i64)]);
        }
    }
    for (id, b) in &baseline.accounts {
        let Some(v) = variant.accounts.get(id) else { continue };
        heading(&mut out, AMOUNTS, &format!("{} {id}", lang.pick("Account", "专账")), lang);
        for (label, x, y) in [
            (lang.pick("committed", "列支"), b.total_committed(), v.total_committed()),
            (lang.pick("paid in the period", "期内支出"), b.paid_in_period(), v.paid_in_period()),
            (lang.pick("remaining", "剩余"), b.remaining().unwrap_or_default(), v.remaining().unwrap_or_default()),
        ] {
            row(&mut out, AMOUNTS, 0, label, [money(x), money(y), signed_money(y - x)]);
        }
        for (label, p) in
            [(lang.pick("projection, baseline", "预测（现行规则）"), b), (lang.pick("projection, variant", "预测（假设规则）"), v)]
        {
            let _ = writeln!(out, "  {label}\n    {}", projection(p.projection(), None, lang));
        }
    }
    out
}

/// The claims whose decision or amount differs between `baseline` and `variant` (the same
/// claims in the same order), as rows: claim id, status before and after, amounts before and
/// after, the difference, reasons before and after.
pub fn changed_rows(baseline: &BatchResult, variant: &BatchResult, lang: Lang) -> Vec<Vec<String>> {
    let status = |s: Status| if lang == Lang::Zh { status_zh(s).to_string() } else { s.code().to_string() };
    let reasons = |r: &BatchResult, i: usize| {
        let a = r.assessment(i);
        let texts: Vec<&str> = a.reasons.iter().map(|x| lang.pick(x.code(), x.message_zh())).collect();
        texts.join(lang.pick(";", "；"))
    };
    (0..baseline.len().min(variant.len()))
        .filter(|&i| baseline.status(i) != variant.status(i) || baseline.amount(i) != variant.amount(i))
        .map(|i| {
            let (b, v) = (baseline.amount(i), variant.amount(i));
            vec![
                baseline.claim_id(i).to_string(),
                status(baseline.status(i)),
                status(variant.status(i)),
                skill_subsidy::money::format_yuan(b),
                skill_subsidy::money::format_yuan(v),
                skill_subsidy::money::format_yuan(v - b),
                reasons(baseline, i),
                reasons(variant, i),
            ]
        })
        .collect()
}

/// The header of [`changed_rows`].
pub fn changed_header(lang: Lang) -> [&'static str; 8] {
    match lang {
        Lang::En => {
            ["claim_id", "status_before", "status_after", "amount_before", "amount_after", "difference", "reasons_before", "reasons_after"]
        }
        Lang::Zh => ["申请编号", "原审核结果", "假设审核结果", "原金额（元）", "假设金额（元）", "差额（元）", "原原因", "假设原因"],
    }
}

/// The columns of [`changed_rows`] that hold amounts.
pub const CHANGED_AMOUNTS: [bool; 8] = [false, false, false, true, true, true, false, false];

/// Writes the changed claims as CSV for people (a BOM, cells safe to open, amounts as numbers),
/// atomically.
pub fn write_changed(path: &std::path::Path, rows: &[Vec<String>], lang: Lang) -> Result<(), crate::Failure> {
    let mut out = crate::files::Output::create(path, lang)?;
    let mut bytes = "\u{FEFF}".as_bytes().to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut bytes);
        let io = |e: csv::Error| crate::Failure(format!("{}: {e}", crate::files::shown(path)));
        w.write_record(changed_header(lang)).map_err(io)?;
        for row in rows {
            let mut row = row.clone();
            crate::spreadsheet::make_safe(&mut row, &CHANGED_AMOUNTS, crate::spreadsheet::Formulas::Escape);
            w.write_record(&row).map_err(io)?;
        }
        w.flush().map_err(|e| out.failure(&e))?;
    }
    std::io::Write::write_all(out.file(), &bytes).map_err(|e| out.failure(&e))?;
    out.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_carry_their_sign_and_no_change_none() {
        assert_eq!(signed_money(Decimal::new(162000, 2)), "+1,620.00");
        assert_eq!(signed_money(Decimal::new(-30000, 2)), "-300.00");
        assert_eq!(signed_money(Decimal::ZERO), "0.00");
        assert_eq!(signed_count(1200), "+1,200");
        assert_eq!(signed_count(-3), "-3");
        assert_eq!(signed_count(0), "0");
    }
}
