//! Column names of claims, history and applications files (SPEC §6, §7.2, §8) as clerks write
//! them: the field names in any case with spaces around, or their Chinese names (申请编号,
//! 补贴项目, 身份证号 …), full-width brackets and spaces too. The mapping is documented in
//! docs/columns.md (a test keeps the two in step). Headers are read into field names here, once,
//! before anything else looks at them.

use crate::input::InputError;
use crate::lang::Lang;

/// A table read from a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// Claims (SPEC §6).
    Claims,
    /// History: earlier subsidies (SPEC §7.2).
    History,
    /// Apprenticeship applications and their outcomes (SPEC §8).
    Applications,
}

/// A column: its field name, its name in Chinese messages, and other names it is written as.
type Column = (&'static str, &'static str, &'static [&'static str]);

const CLAIMS: &[Column] = &[
    ("claim_id", "申请编号", &["申请号", "申请单号"]),
    ("program", "补贴项目", &["补贴类型", "补贴类别", "项目类型"]),
    ("person_id", "人员标识", &["身份证号", "身份证号码", "公民身份号码", "人员编号", "个人编号"]),
    ("enterprise_id", "企业标识", &["企业编号", "单位编号", "统一社会信用代码", "企业统一社会信用代码"]),
    ("group", "人员类别", &["人员类型"]),
    ("district", "市（县）区", &["市(县)区", "区县", "所属区县", "所属地区"]),
    ("occupation", "职业（工种）", &["职业(工种)", "职业编码", "职业工种", "工种编码", "职业代码"]),
    ("level", "技能等级", &["等级"]),
    ("event_date", "取证/录用/结业日期", &["取证日期", "发证日期", "录用日期", "结业日期", "证书日期"]),
    ("applied_on", "申请日期", &["申报日期"]),
    ("institution", "培训机构", &["培训机构编号", "培训机构代码"]),
    ("fee_paid", "实际缴纳培训费", &["实际缴费", "实缴培训费", "实际缴费金额", "培训费"]),
    ("months", "月数", &["补贴月数"]),
    ("ui_contribution_months", "失业保险缴费月数", &["参保月数", "失业保险参保月数"]),
    ("project", "项目编号", &["项目"]),
    ("evaluator", "评价机构", &["评价机构编号"]),
];

const HISTORY: &[Column] = &[
    ("person_id", "人员标识", &["身份证号", "身份证号码", "公民身份号码", "人员编号", "个人编号"]),
    ("program", "补贴项目", &["补贴类型", "补贴类别", "项目类型"]),
    ("enterprise_id", "企业标识", &["企业编号", "单位编号", "统一社会信用代码", "企业统一社会信用代码"]),
    ("occupation", "职业（工种）", &["职业(工种)", "职业编码", "职业工种", "工种编码", "职业代码"]),
    ("level", "技能等级", &["等级"]),
    ("event_date", "取证/录用/结业日期", &["取证日期", "发证日期", "录用日期", "结业日期", "证书日期"]),
    ("applied_on", "申请日期", &["申报日期"]),
    ("amount", "补贴金额", &["金额", "发放金额", "已发金额"]),
    ("project", "项目编号", &["项目"]),
    ("months", "月数", &["补贴月数", "学徒月数"]),
];

const APPLICATIONS: &[Column] = &[
    ("application_id", "申请编号", &["申请号", "申请单号"]),
    ("enterprise_id", "企业标识", &["企业编号", "单位编号", "统一社会信用代码", "企业统一社会信用代码"]),
    ("person_id", "人员标识", &["身份证号", "身份证号码", "公民身份号码", "人员编号", "个人编号"]),
    ("occupation", "职业（工种）", &["职业(工种)", "职业编码", "职业工种", "工种编码", "职业代码"]),
    ("target_level", "目标等级", &["培养等级", "技能等级"]),
    ("start_date", "开始日期", &["培训开始日期", "学徒开始日期"]),
    ("months", "月数", &["培训月数", "学徒月数"]),
    ("submitted_on", "申请日期", &["提交日期", "申报日期"]),
    ("institution", "培训机构", &["培训机构编号", "培训机构代码"]),
    ("district", "市（县）区", &["市(县)区", "区县", "所属区县", "所属地区"]),
    ("outcome", "结果", &["培训结果"]),
    ("outcome_date", "结果日期", &["完成日期", "退出日期"]),
];

impl Table {
    /// The table whose key column is `required` (as the readers are asked for it).
    pub fn of_required(required: &str) -> Table {
        match required {
            "person_id" => Table::History,
            "application_id" => Table::Applications,
            _ => Table::Claims,
        }
    }

    fn columns(self) -> &'static [Column] {
        match self {
            Table::Claims => CLAIMS,
            Table::History => HISTORY,
            Table::Applications => APPLICATIONS,
        }
    }

    /// The field a header names: its field name in any case, or a Chinese name; `None` for a
    /// column that is no field.
    pub fn field(self, header: &str) -> Option<&'static str> {
        let key = key(header);
        self.columns().iter().find_map(|(name, zh, others)| {
            (key.eq_ignore_ascii_case(name) || key == self::key(zh) || others.iter().any(|o| key == self::key(o))).then_some(*name)
        })
    }

    /// The name of a field in messages.
    fn shown(self, field: &str, lang: Lang) -> String {
        match (lang, self.columns().iter().find(|(name, ..)| *name == field)) {
            (Lang::Zh, Some((name, zh, _))) => format!("{zh}（{name}）"),
            _ => field.to_string(),
        }
    }
}

/// A header as compared: spaces around removed (ASCII and ideographic), full-width forms as
/// ASCII.
fn key(header: &str) -> String {
    skill_subsidy::normalise::half_width(header.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}'))
}

/// A header row with every known column named by its field; other names as they are, trimmed.
pub fn canonical(names: Vec<String>, required: &str) -> Vec<String> {
    let table = Table::of_required(required);
    names.into_iter().map(|n| table.field(&n).map_or_else(|| n.trim().to_string(), str::to_string)).collect()
}

/// The error for a header without the `required` column: the names it may have, and every
/// column the table knows (in Chinese with `--lang zh`). Only names of known fields found are
/// repeated: a file without a header would otherwise put its first row into the message.
pub fn missing(path: &str, required: &str, names: &[String], lang: Lang) -> InputError {
    let table = Table::of_required(required);
    let (accepted, expected): (Vec<&str>, Vec<String>) = {
        let (name, zh, others) = table.columns().iter().find(|(name, ..)| *name == required).copied().unwrap_or((required, "", &[]));
        let mut accepted = vec![name];
        accepted.extend((!zh.is_empty()).then_some(zh));
        accepted.extend(others.iter().copied());
        (accepted, table.columns().iter().map(|(name, ..)| table.shown(name, lang)).collect())
    };
    let found: Vec<String> = names.iter().filter_map(|n| table.field(n)).map(|f| table.shown(f, lang)).collect();
    let found = match (found.is_empty(), lang) {
        (false, Lang::Zh) => found.join("、"),
        (false, Lang::En) => found.join(", "),
        (true, Lang::Zh) => "无——是否缺少表头行？".to_string(),
        (true, Lang::En) => "none — is the header row missing?".to_string(),
    };
    InputError(match lang {
        Lang::En => format!(
            "{path}: line 1: the header has no {required} column (write it as one of: {}); the columns it may have: {}; known columns found: {found} (docs/columns.md)",
            accepted.join(", "),
            expected.join(", ")
        ),
        Lang::Zh => format!(
            "{path}：第 1 行：表头缺少“{}”列（可写作：{}）；可有的列：{}；已识别的列：{found}（见 docs/columns.md）",
            table.shown(required, lang),
            accepted.join("、"),
            expected.join("、")
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_and_english_names_in_any_case_name_fields() {
        let names = [
            "申请编号",
            " Claim_ID ",
            "身份证号",
            "PROGRAM",
            "职业编码",
            "技能等级",
            "取证日期",
            "申请日期",
            "培训机构",
            "实际缴费",
            "市(县)区",
            "备注",
        ];
        let read = canonical(names.iter().map(|s| s.to_string()).collect(), "claim_id");
        assert_eq!(
            read,
            [
                "claim_id",
                "claim_id",
                "person_id",
                "program",
                "occupation",
                "level",
                "event_date",
                "applied_on",
                "institution",
                "fee_paid",
                "district",
                "备注"
            ]
        );
        assert_eq!(Table::History.field("补贴金额"), Some("amount"));
        assert_eq!(Table::Applications.field("申请日期"), Some("submitted_on"));
        assert_eq!(Table::Applications.field("　申请编号　"), Some("application_id"));
    }

    #[test]
    fn every_name_is_documented_and_no_name_means_two_fields() {
        let docs = include_str!("../../docs/columns.md");
        for table in [Table::Claims, Table::History, Table::Applications] {
            let mut seen = std::collections::BTreeMap::new();
            for (name, zh, others) in table.columns() {
                for alias in std::iter::once(zh).chain(others.iter()) {
                    assert!(docs.contains(alias), "{alias} is not in docs/columns.md");
                    assert!(seen.insert(key(alias), name).is_none_or(|other| other == name), "{alias} names two fields");
                }
                assert!(docs.contains(&format!("`{name}`")), "{name} is not in docs/columns.md");
            }
        }
    }

    #[test]
    fn a_missing_column_lists_the_names_expected() {
        let e = missing("c.csv", "claim_id", &["身份证号".into(), "X".into()], Lang::Zh);
        assert!(e.0.contains("表头缺少“申请编号（claim_id）”列（可写作：claim_id、申请编号、申请号"), "{}", e.0);
        assert!(e.0.contains("补贴项目（program）") && e.0.contains("已识别的列：人员标识（person_id）"), "{}", e.0);
        let e = missing("c.csv", "claim_id", &["C1".into()], Lang::En);
        assert!(e.0.contains("no claim_id column (write it as one of: claim_id, 申请编号") && e.0.contains("none"), "{}", e.0);
    }
}
