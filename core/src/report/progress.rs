//! Progress against the plan's targets (目标任务, SPEC §9): person-times, apprentices, new
//! high-skill workers and projects, counted by month so that any period — the plan's year, its
//! three years, a two-month reporting period (每双月报送) — is a sum of months, and reports of
//! a batch split by person merge into the whole batch's.

use super::account::share;
use crate::calendar::{Period, YearMonth};
use crate::rules::Measure;
use chrono::Datelike;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// What one month added toward the targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Counts {
    /// 补贴性职业培训人次: approved claims of every program but the apprenticeship, any fund.
    pub person_times: u64,
    /// 企业新型学徒制: approved applications, by the month of their review session.
    pub apprentices: u64,
    /// 新增高技能人才: approved certificate subsidies at levels 3, 2 and 1.
    pub high_skill_workers: u64,
}

impl Counts {
    pub(crate) fn merge(&mut self, other: &Counts) {
        self.person_times += other.person_times;
        self.apprentices += other.apprentices;
        self.high_skill_workers += other.high_skill_workers;
    }

    fn get(&self, measure: Measure) -> u64 {
        match measure {
            Measure::PersonTimes => self.person_times,
            Measure::Apprentices => self.apprentices,
            Measure::HighSkillWorkers => self.high_skill_workers,
            _ => 0,
        }
    }
}

/// Counts by month, history and batch together (history in the months it was applied for).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Progress {
    /// By month of approval (`applied_on`, or an application's session).
    pub by_month: BTreeMap<YearMonth, Counts>,
    /// Projects (项目制) with an approved claim, by month: `(month, project id)`.
    pub projects: BTreeSet<(YearMonth, String)>,
}

impl Progress {
    pub(crate) fn merge(&mut self, other: &Progress) {
        for (m, c) in &other.by_month {
            self.by_month.entry(*m).or_default().merge(c);
        }
        self.projects.extend(other.projects.iter().cloned());
    }

    /// The counts of the months in `months`, and the distinct projects among them.
    pub(crate) fn within(&self, months: std::ops::RangeInclusive<YearMonth>) -> (Counts, u64) {
        let mut counts = Counts::default();
        for c in self.by_month.range(months.clone()).map(|(_, c)| c) {
            counts.merge(c);
        }
        let projects: BTreeSet<&str> = self.projects.iter().filter(|(m, _)| months.contains(m)).map(|(_, p)| p.as_str()).collect();
        (counts, projects.len() as u64)
    }

    fn done(&self, measure: Measure, months: std::ops::RangeInclusive<YearMonth>) -> Option<u64> {
        let (counts, projects) = self.within(months);
        match measure {
            Measure::Projects => Some(projects),
            m if m.measured() => Some(counts.get(m)),
            _ => None,
        }
    }

    /// The first and last month with any count within `period`.
    fn data_within(&self, period: &Period) -> Option<(YearMonth, YearMonth)> {
        let months = YearMonth::of(period.from)..=YearMonth::of(period.to);
        let counted = self.by_month.range(months.clone()).map(|(m, _)| *m);
        let projects = self.projects.iter().map(|(m, _)| *m).filter(|m| months.contains(m));
        let all: BTreeSet<YearMonth> = counted.chain(projects).collect();
        Some((*all.first()?, *all.last()?))
    }

    pub(crate) fn json(&self) -> Value {
        let mut months: BTreeMap<YearMonth, Value> = BTreeMap::new();
        let all: BTreeSet<YearMonth> = self.by_month.keys().copied().chain(self.projects.iter().map(|(m, _)| *m)).collect();
        for m in all {
            let (c, projects) = self.within(m..=m);
            months.insert(
                m,
                json!({ "person_times": c.person_times, "apprentices": c.apprentices, "high_skill_workers": c.high_skill_workers, "projects": projects }),
            );
        }
        Value::Object(months.into_iter().map(|(m, v)| (m.to_string(), v)).collect())
    }
}

/// One target of a set as a report carries it: the value in force for the run.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TargetLine {
    /// What it counts.
    pub measure: Measure,
    /// For each calendar year of the period rather than the whole period.
    pub per_year: bool,
    /// The count to reach.
    pub target: u64,
}

/// A target set as a report carries it (SPEC §9).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TargetSetReport {
    /// Id of the set in the ruleset.
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// The period the targets are for.
    pub period: Period,
    /// The targets.
    pub lines: Vec<TargetLine>,
}

/// A count toward a target: done against the target, and the share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TargetCount {
    /// The count to reach.
    pub target: u64,
    /// Counted so far (`None` for a measure the batch cannot count).
    pub done: Option<u64>,
    /// Done ÷ target, to four decimal places.
    pub share: Option<Decimal>,
}

impl TargetCount {
    fn new(target: u64, done: Option<u64>) -> TargetCount {
        TargetCount { target, done, share: done.and_then(|d| share(Decimal::from(d), Decimal::from(target))) }
    }

    fn json(&self) -> Value {
        json!({ "target": self.target, "done": self.done, "share": self.share.map(|s| s.to_string()) })
    }
}

/// How far one target of a set has come.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TargetDone {
    /// A target for the whole period.
    Whole(TargetCount),
    /// A `…_per_year` target, by calendar year of the period.
    ByYear(BTreeMap<i32, TargetCount>),
}

/// One target of a set with its progress.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MeasureProgress {
    /// The target as the run's rules have it.
    pub line: TargetLine,
    /// How far it has come.
    pub done: TargetDone,
}

impl MeasureProgress {
    /// Its key in the report's JSON: the measure's code, with `_per_year` for a per-year target.
    #[must_use]
    pub fn key(&self) -> String {
        if self.line.per_year {
            format!("{}_per_year", self.line.measure.code())
        } else {
            self.line.measure.code().to_string()
        }
    }
}

/// A target set with its progress (SPEC §9).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TargetSetProgress {
    /// The set.
    pub set: TargetSetReport,
    /// The first and last month with any count within the set's period.
    pub data: Option<(YearMonth, YearMonth)>,
    /// Each target, in the set's order.
    pub measures: Vec<MeasureProgress>,
}

impl TargetSetReport {
    /// The set's progress: for each target, done against the target and the share; a
    /// `…_per_year` target by calendar year of the period.
    #[must_use]
    pub fn progress(&self, progress: &Progress) -> TargetSetProgress {
        let months = |from: YearMonth, to: YearMonth| from..=to;
        let whole = months(YearMonth::of(self.period.from), YearMonth::of(self.period.to));
        let measures = self
            .lines
            .iter()
            .map(|l| {
                let done = if l.per_year {
                    let mut years = BTreeMap::new();
                    for year in self.period.from.year()..=self.period.to.year() {
                        let (Some(january), Some(december)) = (YearMonth::new(year, 1), YearMonth::new(year, 12)) else { continue };
                        let from = YearMonth::of(self.period.from).max(january);
                        let to = YearMonth::of(self.period.to).min(december);
                        years.insert(year, TargetCount::new(l.target, progress.done(l.measure, months(from, to))));
                    }
                    TargetDone::ByYear(years)
                } else {
                    TargetDone::Whole(TargetCount::new(l.target, progress.done(l.measure, whole.clone())))
                };
                MeasureProgress { line: l.clone(), done }
            })
            .collect();
        TargetSetProgress { set: self.clone(), data: progress.data_within(&self.period), measures }
    }

    /// The set's progress ([`TargetSetReport::progress`]) as JSON.
    pub(crate) fn json(&self, progress: &Progress) -> Value {
        let progress = self.progress(progress);
        let mut measures = Map::new();
        for m in &progress.measures {
            let mut value = match &m.done {
                TargetDone::Whole(count) => count.json(),
                TargetDone::ByYear(years) => json!({
                    "target": m.line.target,
                    "by_year": years.iter().map(|(y, c)| (y.to_string(), c.json())).collect::<Map<_, _>>(),
                }),
            };
            if !m.line.measure.measured() {
                value["measured"] = Value::Bool(false);
            }
            measures.insert(m.key(), value);
        }
        let data = progress.data.map(|(from, to)| json!({ "from": from.to_string(), "to": to.to_string() }));
        json!({
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "effective_from": self.period.from.to_string(),
            "effective_to": self.period.to.to_string(),
            "data": data,
            "measures": measures,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_date;

    fn ym(s: &str) -> YearMonth {
        YearMonth::parse(s).unwrap()
    }

    #[test]
    fn progress_is_a_sum_of_months_and_projects_are_counted_once_a_period() {
        let mut p = Progress::default();
        p.by_month.insert(ym("2021-03"), Counts { person_times: 2, apprentices: 0, high_skill_workers: 1 });
        p.by_month.insert(ym("2022-01"), Counts { person_times: 5, apprentices: 1, high_skill_workers: 0 });
        p.projects.insert((ym("2021-03"), "XM1".into()));
        p.projects.insert((ym("2021-04"), "XM1".into()));
        p.projects.insert((ym("2022-02"), "XM1".into()));
        let set = TargetSetReport {
            id: "plan".into(),
            name_zh: "三年".into(),
            name_en: "three years".into(),
            period: Period { from: parse_date("2021-01-01").unwrap(), to: parse_date("2023-12-31").unwrap() },
            lines: vec![
                TargetLine { measure: Measure::PersonTimes, per_year: false, target: 70 },
                TargetLine { measure: Measure::Projects, per_year: true, target: 2 },
                TargetLine { measure: Measure::PostStudyPlaces, per_year: false, target: 100 },
            ],
        };
        let json = set.json(&p);
        assert_eq!(json["measures"]["person_times"], json!({ "target": 70, "done": 7, "share": "0.1" }));
        assert_eq!(json["measures"]["projects_per_year"]["by_year"]["2021"]["done"], 1);
        assert_eq!(json["measures"]["projects_per_year"]["by_year"]["2023"]["done"], 0);
        assert_eq!(json["measures"]["post_study_places"]["done"], Value::Null);
        assert_eq!(json["data"], json!({ "from": "2021-03", "to": "2022-02" }));
        let typed = set.progress(&p);
        assert_eq!(typed.measures[0].done, TargetDone::Whole(TargetCount { target: 70, done: Some(7), share: Some(Decimal::new(1, 1)) }));
        assert!(matches!(&typed.measures[1].done, TargetDone::ByYear(years) if years[&2021].done == Some(1)));
        assert_eq!(typed.measures[1].key(), "projects_per_year");
        let mut merged = Progress::default();
        merged.merge(&p);
        merged.merge(&p);
        assert_eq!(merged.within(ym("2021-01")..=ym("2021-12")), (Counts { person_times: 4, apprentices: 0, high_skill_workers: 2 }, 1));
    }
}
