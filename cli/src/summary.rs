//! The human summary of a batch (SPEC §9, §10): counts, totals by program and by fund,
//! rejections, and each account with its projection and monthly payments. Every line fits in
//! 100 terminal columns: a long name or reason goes on a line of its own. (The what-if table is
//! whatif.rs.)

use crate::lang::Lang;
use skill_subsidy::calendar::YearMonth;
use skill_subsidy::money::format_yuan;
use skill_subsidy::report::TargetSetReport;
use skill_subsidy::{report::AccountLedger, report::Projection, Decimal, Engine, Report};
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

pub fn money(d: Decimal) -> String {
    thousands(&format_yuan(d))
}

pub fn count(n: u64) -> String {
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

/// `s` right-aligned in `width` terminal columns (`{:>w}` counts characters, and a Chinese
/// character takes two columns).
pub fn right(s: &str, width: usize) -> String {
    format!("{}{s}", " ".repeat(width.saturating_sub(display_width(s))))
}

/// The widest line the summary writes.
pub const MAX_COLUMNS: usize = 100;

/// Writes `head` and then `tail` on the same line when both fit in [`MAX_COLUMNS`], otherwise
/// `tail` on a line of its own, indented.
pub fn head_and_tail(out: &mut String, head: &str, tail: &str) {
    if tail.is_empty() {
        let _ = writeln!(out, "{}", head.trim_end());
    } else if display_width(head) + 1 + display_width(tail) <= MAX_COLUMNS {
        let _ = writeln!(out, "{head} {tail}");
    } else {
        let _ = writeln!(out, "{}\n      {tail}", head.trim_end());
    }
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
        Projection::Goal { paid_in_period, share } => {
            let share = share.map(|s| format!(" ({} {})", percent(s), lang.pick("of the goal", "完成目标"))).unwrap_or_default();
            format!("{} {}{share}", lang.pick("at the pace so far the period pays", "按目前进度，期内支出"), money(paid_in_period))
        }
        _ => lang.pick("no payments yet", "尚无支出").to_string(),
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
            head_and_tail(&mut out, &format!("  {} {:>9}  {:>16} ", pad(id, 18), count(t.count), money(t.amount)), &name);
        }
        render_funds(&mut out, engine, report, lang);
    }
    if !report.rejections.is_empty() {
        let _ = writeln!(out, "\n{}", lang.pick("Rejections by reason", "不予补贴原因"));
        for (reason, n) in &report.rejections {
            let head = format!("  {} {:>10} ", pad(reason.code(), 30), count(*n));
            head_and_tail(&mut out, &head, lang.pick(reason.message_en(), reason.message_zh()));
        }
    }
    for (id, a) in &report.accounts {
        render_account(&mut out, engine, id, a, lang);
    }
    if rules.accounts.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            lang.pick(
                "This ruleset defines no special account: its programs are paid from other funds.",
                "本规则未设专账：各项目由其他资金列支。"
            )
        );
    }
    for t in &report.targets {
        render_targets(&mut out, report, t, lang);
    }
    render_two_months(&mut out, report, lang);
    out
}

/// The approved total by fund, and a word on why an account's commitments differ from it: a
/// program paid from another fund (the unemployment-insurance fund's 技能提升补贴) is approved
/// but never committed to the special account.
fn render_funds(out: &mut String, engine: &Engine, report: &Report, lang: Lang) {
    if report.by_fund.len() < 2 && report.accounts.is_empty() {
        return;
    }
    let rules = engine.ruleset();
    let _ = writeln!(out, "\n{}", lang.pick("Approved by fund", "按资金来源"));
    for (code, t) in &report.by_fund {
        let fund = rules.programs.iter().map(|p| p.fund).find(|f| f.code() == code);
        let name = match (fund, lang) {
            (Some(f), Lang::Zh) => f.name_zh().to_string(),
            _ => code.clone(),
        };
        let _ = writeln!(out, "  {} {:>9}  {:>16}", pad(&name, 22), count(t.count), money(t.amount));
    }
    let elsewhere: Vec<String> = report
        .by_fund
        .iter()
        .filter(|(code, t)| code.as_str() != "special_account" && !t.amount.is_zero())
        .map(|(code, t)| {
            let fund = rules.programs.iter().map(|p| p.fund).find(|f| f.code() == code);
            let name = match (fund, lang) {
                (Some(f), Lang::Zh) => f.name_zh().to_string(),
                _ => code.replace('_', " "),
            };
            format!("{name} {}", money(t.amount))
        })
        .collect();
    if !report.accounts.is_empty() && !elsewhere.is_empty() {
        let text = match lang {
            Lang::En => format!("  Not charged to the special account (paid from other funds): {}.", elsewhere.join(", ")),
            Lang::Zh => format!("  不计入专账（由其他资金支付）：{}。", elsewhere.join("、")),
        };
        wrap(out, &text, 6);
    }
}

/// Writes `text` in lines of at most [`MAX_COLUMNS`], breaking at spaces (a word wider than a
/// line, as Chinese without spaces, anywhere); lines after the first indented by `indent`.
fn wrap(out: &mut String, text: &str, indent: usize) {
    let mut line = String::new();
    for word in text.split_inclusive(' ') {
        if display_width(&line) + display_width(word.trim_end()) > MAX_COLUMNS && !line.trim().is_empty() {
            let _ = writeln!(out, "{}", line.trim_end());
            line = " ".repeat(indent);
        }
        for c in word.chars() {
            if display_width(&line) + display_width(c.encode_utf8(&mut [0; 4])) > MAX_COLUMNS {
                let _ = writeln!(out, "{}", line.trim_end());
                line = " ".repeat(indent);
            }
            line.push(c);
        }
    }
    if !line.trim().is_empty() {
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

/// The warning when no history was given but an account's period began before the batch's
/// first month: what was committed from the period's start to the batch is not counted, so
/// limits and the account's balance may be wrong.
pub fn missing_history_warning(report: &Report, lang: Lang) -> Option<String> {
    let first = *report.by_month.keys().next()?;
    let (id, a) = report.accounts.iter().find(|(_, a)| YearMonth::of(a.period.from) < first && a.history_committed.is_zero())?;
    Some(match lang {
        Lang::En => format!(
            "warning: no --history given, but account {id} began on {} and this batch's first month is {first}: \
             subsidies from {} on are not counted (limits and the balance may be wrong); pass --history or use --ledger\n",
            a.period.from, a.period.from
        ),
        Lang::Zh => format!(
            "警告：未提供 --history，而专账 {id} 自 {} 起算，本批次最早月份为 {first}：此前已发放的补贴未计入（限额与余额可能有误）；请提供 --history 或使用 --ledger\n",
            a.period.from
        ),
    })
}

/// A row of an account: a label and an amount.
fn row(out: &mut String, label: &str, value: String) {
    let _ = writeln!(out, "  {} {value:>18}", pad(label, 34));
}

/// One account: the goal and what was paid within its period apart from what was committed; the
/// balance, when the ruleset gives one; the projection; payments by month.
fn render_account(out: &mut String, engine: &Engine, id: &str, a: &AccountLedger, lang: Lang) {
    let rules = engine.ruleset();
    let account = rules.accounts.iter().find(|x| x.id == id);
    let name = account.map(|x| lang.pick(&x.name_en, &x.name_zh).to_string()).unwrap_or_default();
    out.push('\n');
    head_and_tail(out, &name, &format!("({id}, {}..{})", a.period.from, a.period.to));
    let (first, last) = (YearMonth::of(a.period.from), YearMonth::of(a.period.to));
    if let Some(goal) = a.spending_target {
        row(out, lang.pick("spending goal (力争支出)", "专账支出目标"), money(goal));
    }
    let share = a.goal_share().map(|s| format!("  {} {}", percent(s), lang.pick("of the goal", "完成目标"))).unwrap_or_default();
    let _ = writeln!(
        out,
        "  {} {:>18}{share}",
        pad(&format!("{} {first}..{last}", lang.pick("paid in", "期内已支出")), 34),
        money(a.paid_in_period())
    );
    if !a.paid_after_period().is_zero() {
        row(out, lang.pick("paid after the period", "期后支出（次年支付）"), money(a.paid_after_period()));
    }
    row(out, lang.pick("committed before (history)", "此前已列支（历史记录）"), money(a.history_committed));
    row(out, lang.pick("committed by this batch", "本批次列支"), money(a.committed));
    if !a.released.is_zero() {
        row(out, lang.pick("released by outcomes", "因结果释放"), money(-a.released));
    }
    row(out, lang.pick("committed in all", "累计列支"), money(a.total_committed()));
    if let (Some(opening), Some(remaining)) = (a.opening_balance, a.remaining()) {
        let illustrative = account
            .and_then(|x| x.opening_balance)
            .map(|p| rules.params.get(p))
            .and_then(|p| rules.confidence_of(&p.citation))
            .is_some_and(|c| c == skill_subsidy::rules::Confidence::Illustrative);
        let label = if illustrative {
            lang.pick("opening balance (illustrative)", "期初余额（示例）")
        } else {
            lang.pick("opening balance", "期初余额")
        };
        row(out, label, money(opening));
        let utilisation = a.utilisation().map(|u| format!("  {} {}", lang.pick("utilisation", "使用率"), percent(u))).unwrap_or_default();
        let _ = writeln!(out, "  {} {:>18}{utilisation}", pad(lang.pick("remaining", "剩余"), 34), money(remaining));
    }
    let closes = if a.closes_when_spent {
        lang.pick("closes when spent: claims past the balance are refused", "资金用完即止：超出余额的申请不予补贴")
    } else {
        lang.pick("a goal, not a cap: no claim is refused for want of funds", "支出目标而非上限：不因资金额度拒绝申请")
    };
    let _ = writeln!(out, "  {}", closes);
    let pace = a.closes_when_spent.then(|| {
        let seen = a.committed_by_month.keys().next_back().map(|m| first.months_until(*m) + 1).unwrap_or(1).max(1);
        (a.total_committed() / Decimal::from(seen)).round_dp(2)
    });
    head_and_tail(out, &format!("  {}", pad(lang.pick("projection", "预测"), 34)), &projection(a.projection(), pace, lang));
    if !a.paid_by_month.is_empty() {
        let _ = writeln!(out, "  {}", lang.pick("payments by month (paid the month after applying)", "按月发放（申请次月发放）"));
        for (m, amount) in &a.paid_by_month {
            let _ = writeln!(out, "    {m} {:>18}", money(*amount));
        }
    }
}

/// One target set: each target, done against it (by year for a yearly target).
fn render_targets(out: &mut String, report: &Report, t: &TargetSetReport, lang: Lang) {
    let json = report.to_json();
    let set = &json["targets"][&t.id];
    let data = match (set["data"]["from"].as_str(), set["data"]["to"].as_str()) {
        (Some(from), Some(to)) => format!("; {} {from}..{to}", lang.pick("data", "数据")),
        _ => String::new(),
    };
    out.push('\n');
    head_and_tail(out, lang.pick(&t.name_en, &t.name_zh), &format!("({}..{}{data})", t.period.from, t.period.to));
    let progress = |done: &serde_json::Value, target: &serde_json::Value, share: &serde_json::Value| match done.as_u64() {
        Some(d) => format!(
            "{} / {}{}",
            count(d),
            count(target.as_u64().unwrap_or(0)),
            share.as_str().and_then(|s| s.parse::<Decimal>().ok()).map(|s| format!(" ({})", percent(s))).unwrap_or_default()
        ),
        None => format!("- / {} ({})", count(target.as_u64().unwrap_or(0)), lang.pick("not measured by claims", "不由补贴申请统计")),
    };
    for line in &t.lines {
        let name = lang.pick(line.measure.name_en(), line.measure.name_zh());
        let key = if line.per_year { format!("{}_per_year", line.measure.code()) } else { line.measure.code().to_string() };
        let m = &set["measures"][&key];
        if line.per_year {
            for (year, y) in m["by_year"].as_object().into_iter().flatten() {
                let label = format!("{name} {year}");
                let _ = writeln!(out, "  {} {}", pad(&label, 34), progress(&y["done"], &m["target"], &y["share"]));
            }
        } else {
            let _ = writeln!(out, "  {} {}", pad(name, 34), progress(&m["done"], &m["target"], &m["share"]));
        }
    }
}

/// The plan's two-month reporting periods (每双月报送) in which the batch approved claims:
/// approved claims, person-times and each account's commitments and payments. Periods of history
/// alone or of later payments only are in the report's JSON (`two_months`).
fn render_two_months(out: &mut String, report: &Report, lang: Lang) {
    let periods = report.two_months();
    let Some(periods) = periods.as_object() else { return };
    let periods: Vec<(&String, &serde_json::Value)> =
        periods.iter().filter(|(_, p)| p["approved"]["count"].as_u64().unwrap_or(0) > 0).collect();
    if periods.is_empty() {
        return;
    }
    let accounts: Vec<&String> = report.accounts.keys().collect();
    let _ = writeln!(out, "\n{}", lang.pick("By two-month period (the plan's reporting rhythm, 每双月报送)", "按双月（每双月报送）"));
    let _ = write!(
        out,
        "  {} {} {} {}",
        pad(lang.pick("period", "期间"), 16),
        right(lang.pick("approved", "予以补贴"), 9),
        right(lang.pick("yuan", "金额"), 16),
        right(lang.pick("p-times", "人次"), 9)
    );
    if !accounts.is_empty() {
        let _ = write!(out, " {} {}", right(lang.pick("committed", "列支"), 16), right(lang.pick("paid", "支出"), 16));
    }
    out.push('\n');
    let yuan = |v: &serde_json::Value| v.as_str().and_then(|s| s.parse::<Decimal>().ok()).map(money).unwrap_or_default();
    for (label, p) in periods {
        let _ = write!(
            out,
            "  {} {:>9} {:>16} {:>9}",
            pad(label, 16),
            count(p["approved"]["count"].as_u64().unwrap_or(0)),
            yuan(&p["approved"]["amount"]),
            count(p["person_times"].as_u64().unwrap_or(0))
        );
        // The first account's figures (a ruleset has one special account a period).
        if let Some(id) = accounts.first() {
            let a = &p["accounts"][id.as_str()];
            let _ = write!(out, " {:>16} {:>16}", yuan(&a["committed"]), yuan(&a["paid"]));
        }
        out.push('\n');
    }
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
