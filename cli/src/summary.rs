//! The human summary printed after `subsidy assess`.

use crate::lang::Lang;
use skill_subsidy::money::format_yuan;
use skill_subsidy::{Assessment, Decimal, Engine, Status};
use std::collections::BTreeMap;
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

/// Counts and totals of per-claim assessments.
pub fn render(engine: &Engine, assessments: &[&Assessment], lang: Lang) -> String {
    let rules = engine.ruleset();
    let mut by_status: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_program: BTreeMap<(String, String), (usize, Decimal)> = BTreeMap::new();
    let mut by_reason: BTreeMap<&str, usize> = BTreeMap::new();
    let mut total = Decimal::ZERO;
    for a in assessments {
        *by_status.entry(a.status.code()).or_default() += 1;
        for r in a.reasons.iter() {
            *by_reason.entry(r.code()).or_default() += 1;
        }
        if a.status == Status::Approved {
            total += a.amount;
            if let Some(p) = engine.program_of(a) {
                let e = by_program.entry((p.id.clone(), lang.pick(&p.name_en, &p.name_zh).to_string())).or_default();
                e.0 += 1;
                e.1 += a.amount;
            }
        }
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} {} {} ({}, {})",
        lang.pick("Assessed", "已审核"),
        thousands(&assessments.len().to_string()),
        lang.pick("claims with ruleset", "条申请，规则"),
        rules.id,
        lang.pick(&rules.name_en, &rules.name_zh),
        rules.status
    );
    for (status, zh) in [("approved", "予以补贴"), ("rejected", "不予补贴"), ("invalid", "信息有误")] {
        let n = by_status.get(status).copied().unwrap_or(0);
        let _ = write!(out, "  {} {:>10}", pad(lang.pick(status, zh), 30), thousands(&n.to_string()));
        if status == "approved" {
            let _ = write!(out, "  {:>20} {}", thousands(&format_yuan(total)), lang.pick("yuan", "元"));
        }
        out.push('\n');
    }
    if !by_program.is_empty() {
        let _ = writeln!(out, "{}", lang.pick("Approved by program:", "按项目："));
        for ((id, name), (n, amount)) in &by_program {
            let _ = writeln!(out, "  {} {:>10}  {:>20}  {name}", pad(id, 30), thousands(&n.to_string()), thousands(&format_yuan(*amount)));
        }
    }
    if !by_reason.is_empty() {
        let _ = writeln!(out, "{}", lang.pick("Rejections by reason:", "不予补贴原因："));
        for (reason, n) in &by_reason {
            let _ = writeln!(out, "  {} {:>10}", pad(reason, 30), thousands(&n.to_string()));
        }
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
