//! `subsidy columns`: the columns of the files the command line reads — claims (SPEC §6),
//! history (SPEC §7.2), apprenticeship applications and their outcomes (SPEC §8) — with their
//! English and Chinese names, whether they are required, and what they mean.

use crate::lang::Lang;
use crate::summary::{head_and_tail, pad};
use skill_subsidy::Field;
use std::fmt::Write as _;

/// Whether a column must be given.
#[derive(Clone, Copy)]
enum Need {
    Always,
    /// Required by some programs only: the words say which.
    Some(&'static str, &'static str),
    No,
}

/// A column: English name, Chinese name, need, meaning in English and Chinese.
type Column = (&'static str, &'static str, Need, &'static str, &'static str);

/// The claim's columns, beside [`Field`] (the Chinese names are the core's).
fn claim_meaning(f: Field) -> (Need, &'static str, &'static str) {
    use Need::*;
    match f {
        Field::ClaimId => (Always, "unique within a batch", "本批次内唯一"),
        Field::Program => (Always, "a program id of the ruleset", "规则中的补贴项目代码"),
        Field::PersonId => (Always, "the trainee's id (never shown in messages)", "人员标识（不会出现在提示中）"),
        Field::EnterpriseId => (Some("enterprise-paid", "补贴给企业的项目"), "the employer", "用人单位"),
        Field::Group => (No, "employee (default), unemployed, rural_migrant, graduate, …", "人员类别，默认 employee"),
        Field::District => (No, "for reports", "用于统计"),
        Field::Occupation => (Some("by level", "按等级补贴的项目"), "occupation code, e.g. 6-18-02-04", "职业编码，如 6-18-02-04"),
        Field::Level => (Some("by level", "按等级补贴的项目"), "5 4 3 2 1 S T", "5 4 3 2 1 S T"),
        Field::EventDate => (Always, "certificate, hire or completion date", "取证、录用或结业日期"),
        Field::AppliedOn => (Always, "date of application: order and payment month", "申请日期：决定顺序与发放月份"),
        Field::Institution => (Some("some programs", "部分项目"), "training institution id", "培训机构代码"),
        Field::FeePaid => (Some("capped at the fee", "以实际缴费为限的项目"), "what was actually paid, yuan", "实际缴纳培训费（元）"),
        Field::Months => (Some("per month", "按月补贴的项目"), "months claimed", "申请补贴的月数"),
        Field::UiContributionMonths => {
            (Some("ui_skill_upgrade", "技能提升补贴（失业保险）"), "months of unemployment insurance", "失业保险缴费月数")
        }
        Field::Project => (Some("per project", "项目制培训"), "approved project id", "经批准的项目编号"),
        Field::Evaluator => (No, "the evaluation institution", "评价机构"),
        _ => (No, "", ""),
    }
}

const HISTORY: [Column; 10] = [
    ("person_id", "人员标识", Need::Always, "the person who was paid", "已享受补贴的人员"),
    ("program", "补贴项目", Need::Always, "program id", "补贴项目代码"),
    ("enterprise_id", "企业标识", Need::No, "the employer", "用人单位"),
    ("occupation", "职业（工种）", Need::No, "occupation code", "职业编码"),
    ("level", "技能等级", Need::No, "5 4 3 2 1 S T", "5 4 3 2 1 S T"),
    ("event_date", "取证/录用/结业日期", Need::Always, "certificate, hire or completion date", "取证、录用或结业日期"),
    ("applied_on", "申请日期", Need::Always, "date of application", "申请日期"),
    ("amount", "补贴金额", Need::Always, "amount paid, yuan", "已发放金额（元）"),
    ("project", "项目编号", Need::No, "approved project id", "项目编号"),
    ("months", "月数", Need::No, "months paid", "已补贴月数"),
];

const APPLICATIONS: [Column; 10] = [
    ("application_id", "申请编号", Need::Always, "unique", "唯一编号"),
    ("enterprise_id", "企业标识", Need::Always, "the employer", "用人单位"),
    ("person_id", "人员标识", Need::Always, "the apprentice", "学徒"),
    ("occupation", "职业（工种）", Need::Always, "occupation code", "职业编码"),
    ("target_level", "目标等级", Need::Always, "level trained for: 5 4 3 2 1", "培养目标等级"),
    ("start_date", "开始日期", Need::Always, "first day of training", "培训开始日期"),
    ("months", "月数", Need::Always, "length of training", "培训月数"),
    ("submitted_on", "申报日期", Need::Always, "date submitted: picks the session", "申报日期：决定会审批次"),
    ("institution", "培训机构", Need::Always, "training institution id", "培训机构代码"),
    ("district", "市（县）区", Need::No, "for reports", "用于统计"),
];

const OUTCOMES: [Column; 3] = [
    ("application_id", "申请编号", Need::Always, "the application", "对应的学徒制申请"),
    ("outcome", "结果", Need::Always, "completed_certified, completed_uncertified, withdrawn", "取证结业、结业未取证、中途退出"),
    ("outcome_date", "结果日期", Need::Some("withdrawn", "中途退出"), "date of the outcome", "结果日期"),
];

/// The columns as text, one table per file.
pub fn render(lang: Lang) -> String {
    let claims: Vec<Column> = Field::ALL
        .into_iter()
        .map(|f| {
            let (need, en, zh) = claim_meaning(f);
            (f.name(), f.name_zh(), need, en, zh)
        })
        .collect();
    let mut out = String::new();
    for (title, columns) in [
        (lang.pick("Claims (assess FILE, explain, whatif)", "补贴申请（assess、explain、whatif 的输入文件）"), &claims[..]),
        (lang.pick("History (--history)", "已享受补贴记录（--history）"), &HISTORY[..]),
        (lang.pick("Apprenticeship applications (--applications)", "企业新型学徒制申请（--applications）"), &APPLICATIONS[..]),
        (lang.pick("Apprenticeship outcomes (--outcomes)", "学徒制结果（--outcomes）"), &OUTCOMES[..]),
    ] {
        let _ = writeln!(out, "{title}");
        for (name, zh, need, meaning_en, meaning_zh) in columns {
            let need = match need {
                Need::Always => lang.pick("required", "必填").to_string(),
                Need::Some(en, zh) => format!("{}: {}", lang.pick("for", "用于"), lang.pick(en, zh)),
                Need::No => lang.pick("optional", "选填").to_string(),
            };
            let head = format!("  {} {} {}", pad(name, 22), pad(zh, 18), pad(&need, 22));
            head_and_tail(&mut out, &head, lang.pick(meaning_en, meaning_zh));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{}",
        lang.pick(
            "Dates are YYYY-MM-DD; money is yuan with at most two decimals. CSV needs a header row.\nOther names each column may have (身份证号, 实际缴费 …) are in docs/columns.md.",
            "日期写作 YYYY-MM-DD；金额以元为单位，最多两位小数。CSV 文件第一行须为列名。\n各列的其他写法（身份证号、实际缴费等）见 docs/columns.md。"
        )
    );
    out
}

#[cfg(test)]
mod tests {
    use crate::headers::Table;

    #[test]
    fn every_name_shown_is_read_as_its_column() {
        for (table, columns) in [
            (Table::Claims, skill_subsidy::Field::ALL.iter().map(|f| (f.name(), f.name_zh())).collect::<Vec<_>>()),
            (Table::History, super::HISTORY.iter().map(|c| (c.0, c.1)).collect()),
            (Table::Applications, super::APPLICATIONS.iter().chain(&super::OUTCOMES).map(|c| (c.0, c.1)).collect()),
        ] {
            for (name, zh) in columns {
                assert_eq!(table.field(zh), Some(name), "{zh}");
                assert_eq!(table.field(name), Some(name), "{name}");
            }
        }
    }

    #[test]
    fn every_line_fits_in_100_columns() {
        for lang in [super::Lang::En, super::Lang::Zh] {
            for line in super::render(lang).lines() {
                assert!(crate::summary::display_width(line) <= 100, "{line}");
            }
        }
    }
}
