//! The human summary of a batch: counts, totals by program, rejections, and each account with
//! its projection and monthly payments; and the table of a what-if difference.

use crate::lang::Lang;
use skill_subsidy::money::format_yuan;
use skill_subsidy::{Decimal, Engine, Projection, Report, Tally};
use std::fmt::Write as _;

/// Groups digits by thousands: `1234567.80` → `1,234,567.80`.
pub fn thousands(text: &str) -> String {
    let (whole, fraction) = text.split_once('.').map_or((text, None), |(w, f)| (w, Some(f)));
    let (sign, digits) = whole.strip_prefix('-').map_or(("", whole), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

fn money(d: Decimal) -> String {
    thousands(&format_yuan(d))
}

fn count(n: u64) -> String {
    thousands(&n.to_string())
}

/// Columns a string takes on a terminal: CJK and full-width characters take two.
pub fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| match u32::from(c) {
            0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 => {
                2
            }
            _ => 1,
        })
        .sum()
}

/// `s` padded with spaces to `width` terminal columns.
pub fn pad(s: &str, width: usize) -> String {
    format!("{s}{}", " ".repeat(width.saturating_sub(display_width(s))))
}

fn percent(share: Decimal) -> String {
    format!("{}%", (share * Decimal::from(100)).round_dp(2))
}

/// A projection in words.
pub fn projection(p: Projection, pace: Option<Decimal>, lang: Lang) -> String {
    let at =
        pace.map(|p| format!(" ({} {} {})", lang.pick("at", "按每月"), money(p), lang.pick("a month", "元的进度"))).unwrap_or_default();
    match p {
        Projection::Exhausted(m) => format!("{} {m}", lang.pick("used up in", "已于该月用完：")),
        Projection::RunsOut(m) => format!("{} {m}{at}", lang.pick("would run out in", "预计用完于")),
        Projection::NotWithinPeriod => format!("{}{at}", lang.pick("would last beyond the period", "期内不会用完")),
        _ => lang.pick("no commitments yet", "尚无支出").to_string(),
    }
}

/// The summary of a batch's report.
pub fn render(engine: &Engine, report: &Report, lang: Lang) -> String {
    let rules = engine.ruleset();
    let mut out = String::new();
    let status = if rules.status == "reconstruction" {
        lang.pick("reconstruction for demonstration", "演示用重构规则")
    } else {
        &rules.status
    };
    let _ = writeln!(out, "{} ({}, {status})", lang.pick(&rules.name_en, &rules.name_zh), rules.id);
    let _ = writeln!(
        out,
        "{} {}: {} {} ({} {}) · {} {} · {} {}",
        lang.pick("Claims", "申请"),
        count(report.claims),
        lang.pick("approved", "予以补贴"),
        count(report.approved.count),
        money(report.approved.amount),
        lang.pick("yuan", "元"),
        lang.pick("rejected", "不予补贴"),
        count(report.rejected),
        lang.pick("invalid", "信息有误"),
        count(report.invalid)
    );
    if !report.by_program.is_empty() {
        let _ = writeln!(out, "\n{}", lang.pick("Approved by program", "按补贴项目"));
        for (id, t) in &report.by_program {
            let name = rules.program(id).map(|p| lang.pick(&p.name_en, &p.name_zh).to_string()).unwrap_or_default();
            let _ = writeln!(out, "  {} {:>10}  {:>18}  {name}", pad(id, 20), count(t.count), money(t.amount));
        }
    }
    if !report.rejections.is_empty() {
        let _ = writeln!(out, "\n{}", lang.pick("Rejections by reason", "不予补贴原因"));
        for (reason, n) in &report.rejections {
            let _ =
                writeln!(out, "  {} {:>10}  {}", pad(reason.code(), 30), count(*n), lang.pick(reason.message_en(), reason.message_zh()));
        }
    }
    for (id, a) in &report.accounts {
        let account = rules.accounts.iter().find(|x| &x.id == id);
        let name = account.map(|x| lang.pick(&x.name_en, &x.name_zh).to_string()).unwrap_or_default();
        let _ = writeln!(out, "\n{name} ({id}, {} {})", a.period.from, a.period.to);
        let row = |out: &mut String, label: &str, value: String| {
            let _ = writeln!(out, "  {} {value:>18}", pad(label, 30));
        };
        row(&mut out, lang.pick("opening balance", "期初余额"), money(a.opening_balance));
        row(&mut out, lang.pick("committed before (history)", "此前已列支（历史记录）"), money(a.history_committed));
        row(&mut out, lang.pick("committed by this batch", "本批次列支"), money(a.committed));
        let _ = writeln!(
            out,
            "  {} {:>18}  {} {}",
            pad(lang.pick("remaining", "剩余"), 30),
            money(a.remaining()),
            lang.pick("utilisation", "使用率"),
            percent(a.utilisation())
        );
        let done = a.person_times + a.history_person_times;
        let target = a
            .target_person_times
            .map(|t| format!(" / {} ({})", count(t), percent(if t == 0 { Decimal::ZERO } else { Decimal::from(done) / Decimal::from(t) })))
            .unwrap_or_default();
        row(&mut out, lang.pick("person-times", "补贴人次"), format!("{}{target}", count(done)));
        if a.target_apprentices.is_some() || a.apprentices > 0 {
            let t = a.target_apprentices.map(|t| format!(" / {}", count(t))).unwrap_or_default();
            row(&mut out, lang.pick("apprentices", "学徒"), format!("{}{t}", count(a.apprentices)));
        }
        let months = a.committed_by_month.len().max(1);
        let seen = a
            .committed_by_month
            .keys()
            .next_back()
            .map(|last| skill_subsidy::calendar::YearMonth::of(a.period.from).months_until(*last) + 1)
            .unwrap_or(months as i64);
        let pace = (seen > 0).then(|| (a.total_committed() / Decimal::from(seen)).round_dp(2));
        let _ = writeln!(out, "  {} {}", pad(lang.pick("projection", "预测"), 30), projection(a.projection(), pace, lang));
        if !a.disbursements.is_empty() {
            let _ = writeln!(out, "  {}", lang.pick("payments by month (paid the month after applying)", "按月发放（申请次月发放）"));
            for (m, amount) in &a.disbursements {
                let _ = writeln!(out, "    {m} {:>18}", money(*amount));
            }
        }
    }
    out
}

fn delta_row(out: &mut String, label: &str, b: &Tally, v: &Tally) {
    let d = v.amount - b.amount;
    let sign = if d > Decimal::ZERO { "+" } else { "" };
    let _ = writeln!(
        out,
        "  {} {:>9} {:>18} │ {:>9} {:>18} │ {:>+9} {:>18}",
        pad(label, 22),
        count(b.count),
        money(b.amount),
        count(v.count),
        money(v.amount),
        v.count as i64 - b.count as i64,
        format!("{sign}{}", money(d))
    );
}

/// The difference between a baseline and a variant report, by program and in the accounts.
pub fn render_diff(baseline: &Report, variant: &Report, changes: &[String], lang: Lang) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} {}", lang.pick("What-if:", "假设分析："), changes.join(", "));
    let _ = writeln!(
        out,
        "  {} {:>28} │ {:>28} │ {:>28}",
        pad("", 22),
        lang.pick("baseline", "现行规则"),
        lang.pick("variant", "假设规则"),
        lang.pick("difference", "差额")
    );
    delta_row(&mut out, lang.pick("approved", "予以补贴"), &baseline.approved, &variant.approved);
    let programs: std::collections::BTreeSet<&String> = baseline.by_program.keys().chain(variant.by_program.keys()).collect();
    for id in programs {
        let zero = Tally::default();
        delta_row(&mut out, &format!("  {id}"), baseline.by_program.get(id).unwrap_or(&zero), variant.by_program.get(id).unwrap_or(&zero));
    }
    let reasons: std::collections::BTreeSet<_> = baseline.rejections.keys().chain(variant.rejections.keys()).collect();
    if !reasons.is_empty() {
        let _ = writeln!(out, "{}", lang.pick("Rejections", "不予补贴"));
        for r in reasons {
            let (b, v) = (baseline.rejections.get(r).copied().unwrap_or(0), variant.rejections.get(r).copied().unwrap_or(0));
            let _ = writeln!(out, "  {} {:>9} │ {:>9} │ {:>+9}", pad(r.code(), 30), count(b), count(v), v as i64 - b as i64);
        }
    }
    for (id, b) in &baseline.accounts {
        let Some(v) = variant.accounts.get(id) else { continue };
        let _ = writeln!(out, "{} {id}", lang.pick("Account", "专账"));
        for (label, x, y) in [
            (lang.pick("committed", "列支"), b.total_committed(), v.total_committed()),
            (lang.pick("remaining", "剩余"), b.remaining(), v.remaining()),
        ] {
            let _ = writeln!(out, "  {} {:>18} │ {:>18} │ {:>18}", pad(label, 30), money(x), money(y), money(y - x));
        }
        let _ = writeln!(
            out,
            "  {} {} → {}",
            pad(lang.pick("projection", "预测"), 30),
            projection(b.projection(), None, lang),
            projection(v.projection(), None, lang)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_grouped() {
        assert_eq!(super::thousands("1418059288.84"), "1,418,059,288.84");
        assert_eq!(super::thousands("999"), "999");
        assert_eq!(super::thousands("-1000.00"), "-1,000.00");
    }
}
