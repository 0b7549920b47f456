//! The money and the goals of a plan: accounts such as the special account
//! (职业技能提升行动专账) and the plan's targets (目标任务).
//!
//! An account is first of all a **spending goal**: the Wuxi 2021 plan says "力争…专账资金支出5亿元"
//! (seed, 附件2 item 2), a sum to reach, not a balance that runs out. A ruleset may also give an
//! opening balance and say that the account refuses claims once it is committed
//! (`closes_when_spent`, 资金用完即止) — a bureau's or a what-if's choice (SPEC §5.1, §7.2 check 12).
//!
//! Targets are counts the plan sets for a period (补贴性职业培训人次, 企业新型学徒制人数, 新增高技能人才,
//! 项目制培训, 岗位研修), reported as progress (SPEC §9).

use super::error::RulesErrorKind;
use super::loader::Loader;
use super::params::{ParamId, ParamKind};
use super::programs::Fund;
use super::reader::{is_ident, Cx, Table};
use crate::calendar::Period;

/// A fund's account for a period, such as the special account (职业技能提升行动专账).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Account {
    /// Id (`wuxi-2021`).
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// The fund it holds.
    pub fund: Fund,
    /// Claims with `applied_on` in this period are committed against it; its spending is what it
    /// pays within the period.
    pub period: Period,
    /// The spending goal for the period (力争…支出), when the plan sets one.
    pub spending_target: Option<ParamId>,
    /// The balance it starts with, when the ruleset gives one.
    pub opening_balance: Option<ParamId>,
    /// Whether it refuses claims once its commitments would pass the opening balance
    /// (资金用完即止). Never true without an opening balance.
    pub closes_when_spent: ParamId,
}

/// What a target counts (SPEC §9; definitions in `docs/report.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Measure {
    /// 补贴性职业培训人次: every approved claim of a program other than the apprenticeship, from
    /// any fund, counts one.
    PersonTimes,
    /// 企业新型学徒制人数: approved apprenticeship applications.
    Apprentices,
    /// 新增高技能人才: approved certificate subsidies (level-table programs) at levels 3, 2 and 1
    /// (高级工 and above are high-skill workers, S61).
    HighSkillWorkers,
    /// 项目制培训: distinct projects with an approved claim.
    Projects,
    /// 高技能人才岗位研修: not a claim of any program; the target is shown, progress is not measured.
    PostStudyPlaces,
}

impl Measure {
    /// Every measure, in report order.
    pub const ALL: [Measure; 5] =
        [Measure::PersonTimes, Measure::Apprentices, Measure::HighSkillWorkers, Measure::Projects, Measure::PostStudyPlaces];

    /// The key in rules files and reports.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Measure::PersonTimes => "person_times",
            Measure::Apprentices => "apprentices",
            Measure::HighSkillWorkers => "high_skill_workers",
            Measure::Projects => "projects",
            Measure::PostStudyPlaces => "post_study_places",
        }
    }

    /// Chinese name.
    #[must_use]
    pub fn name_zh(self) -> &'static str {
        match self {
            Measure::PersonTimes => "补贴性职业培训人次",
            Measure::Apprentices => "企业新型学徒制人数",
            Measure::HighSkillWorkers => "新增高技能人才",
            Measure::Projects => "项目制培训项目",
            Measure::PostStudyPlaces => "高技能人才岗位研修人数",
        }
    }

    /// English name.
    #[must_use]
    pub fn name_en(self) -> &'static str {
        match self {
            Measure::PersonTimes => "subsidised training person-times",
            Measure::Apprentices => "apprentices",
            Measure::HighSkillWorkers => "new high-skill workers",
            Measure::Projects => "project-based training projects",
            Measure::PostStudyPlaces => "high-skill post-study places",
        }
    }

    /// Whether claims can show progress on it.
    #[must_use]
    pub fn measured(self) -> bool {
        self != Measure::PostStudyPlaces
    }
}

/// One target of a target set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Target {
    /// What it counts.
    pub measure: Measure,
    /// Whether the value is for each calendar year of the period (`…_per_year`) rather than
    /// for the whole period.
    pub per_year: bool,
    /// The count to reach.
    pub value: ParamId,
}

impl Target {
    /// The key in rules files and reports (`person_times`, `high_skill_workers_per_year`).
    #[must_use]
    pub fn key(&self) -> String {
        if self.per_year {
            format!("{}_per_year", self.measure.code())
        } else {
            self.measure.code().to_string()
        }
    }
}

/// The targets a plan sets for a period (目标任务).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TargetSet {
    /// Id (`wuxi-2021`, `plan-2021-2023`).
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// The period the targets are for.
    pub period: Period,
    /// The targets, in file order.
    pub targets: Vec<Target>,
}

pub(crate) fn load_accounts(loader: &mut Loader, cx: &mut Cx<'_, '_>, table: &mut Table<'_>) -> Vec<Account> {
    let mut accounts: Vec<Account> = Vec::new();
    for (id, node) in table.entries(cx) {
        let Some(mut t) = cx.table(&node) else { continue };
        let name_zh = t.req(cx, "name_zh").and_then(|n| cx.string(&n));
        let name_en = t.req(cx, "name_en").and_then(|n| cx.string(&n));
        let fund = t.req(cx, "fund").and_then(|n| {
            let code = cx.string(&n)?;
            let fund = Fund::parse(&code);
            if fund.is_none() {
                cx.error_at(
                    RulesErrorKind::InvalidValue,
                    &n,
                    format!("fund {code:?} is not special_account, unemployment_insurance or employment_fund"),
                );
            }
            fund
        });
        let period = period(cx, &mut t);
        let spending_target = t.field(cx, "spending_target").and_then(|n| loader.param(cx, &n, ParamKind::Money));
        let opening = t.field(cx, "opening_balance").and_then(|n| loader.param(cx, &n, ParamKind::Money));
        let closes = t.req(cx, "closes_when_spent").and_then(|n| loader.param(cx, &n, ParamKind::Flag));
        for old in ["target_person_times", "target_apprentices"] {
            if let Some(n) = t.field(cx, old) {
                cx.error_at(RulesErrorKind::UnknownKey, &n, format!("`{old}` moved to a [targets.<id>] table (rules/README.md)"));
            }
        }
        if let (Some(closes), None) = (closes, opening) {
            if loader.params.get(closes).value.flag() {
                cx.error(
                    RulesErrorKind::MissingKey,
                    &format!("{}.opening_balance", t.path),
                    t.line,
                    "an account that closes when spent (closes_when_spent = true) needs an opening_balance",
                );
            }
        }
        if let (Some(fund), Some(period)) = (fund, period) {
            if let Some(other) = accounts.iter().find(|a| a.fund == fund && a.period.overlaps(&period)) {
                cx.error(
                    RulesErrorKind::PeriodOverlap,
                    &t.path,
                    t.line,
                    format!("account {id} ({period}) overlaps account {} ({}) of the same fund", other.id, other.period),
                );
            }
        }
        let (path, line) = (t.path.clone(), t.line);
        t.finish(cx);
        if !is_ident(&id) {
            cx.error(RulesErrorKind::InvalidValue, &path, line, format!("{id:?} is not an account id"));
        } else if let (Some(name_zh), Some(name_en), Some(fund), Some(period), Some(closes_when_spent)) =
            (name_zh, name_en, fund, period, closes)
        {
            accounts.push(Account { id, name_zh, name_en, fund, period, spending_target, opening_balance: opening, closes_when_spent });
        }
    }
    accounts
}

pub(crate) fn load_targets(loader: &mut Loader, cx: &mut Cx<'_, '_>, table: &mut Table<'_>) -> Vec<TargetSet> {
    let mut sets = Vec::new();
    for (id, node) in table.entries(cx) {
        let Some(mut t) = cx.table(&node) else { continue };
        let name_zh = t.req(cx, "name_zh").and_then(|n| cx.string(&n));
        let name_en = t.req(cx, "name_en").and_then(|n| cx.string(&n));
        let period = period(cx, &mut t);
        let mut targets = Vec::new();
        for measure in Measure::ALL {
            for per_year in [false, true] {
                let target = Target { measure, per_year, value: ParamId(0) };
                if let Some(n) = t.field(cx, &target.key()) {
                    if let Some(value) = loader.param(cx, &n, ParamKind::Count) {
                        targets.push(Target { value, ..target });
                    }
                }
            }
        }
        let (path, line) = (t.path.clone(), t.line);
        if targets.is_empty() {
            cx.error(RulesErrorKind::MissingKey, &path, line, "a target set names at least one target (person_times, apprentices …)");
        }
        t.finish(cx);
        if !is_ident(&id) {
            cx.error(RulesErrorKind::InvalidValue, &path, line, format!("{id:?} is not a target set id"));
        } else if let (Some(name_zh), Some(name_en), Some(period)) = (name_zh, name_en, period) {
            sets.push(TargetSet { id, name_zh, name_en, period, targets });
        }
    }
    sets
}

/// `effective_from` and `effective_to` of a table.
fn period(cx: &mut Cx<'_, '_>, t: &mut Table<'_>) -> Option<Period> {
    let from = t.req(cx, "effective_from").and_then(|n| cx.date(&n));
    let to = t.req(cx, "effective_to").and_then(|n| cx.date(&n));
    match (from, to) {
        (Some(from), Some(to)) => cx.period(&t.path, t.line, from, to),
        _ => None,
    }
}
