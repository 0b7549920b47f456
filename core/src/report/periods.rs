//! The two-month reporting periods of a report (每双月报送, SPEC §9): January–February,
//! March–April, …, each with approved claims (by program too), counts toward the targets and
//! each account's commitments and payments.

use super::{Counts, Report, Tally};
use crate::calendar::YearMonth;
use crate::money::format_yuan;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The figures of one two-month reporting period.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TwoMonthPeriod {
    /// Its first month (January, March, …).
    pub first: YearMonth,
    /// Its last month.
    pub last: YearMonth,
    /// Approved claims and their amount, by month of commitment.
    pub approved: Tally,
    /// The same by program id.
    pub by_program: BTreeMap<String, Tally>,
    /// Counts toward the plan's targets.
    pub counts: Counts,
    /// Projects (项目制) with an approved claim in the period.
    pub projects: u64,
    /// Each account's commitments and payments in the period, by account id.
    pub accounts: BTreeMap<String, PeriodAccount>,
}

/// What an account committed and paid within a two-month period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PeriodAccount {
    /// Yuan committed (by month of application or review session).
    pub committed: Decimal,
    /// Yuan paid (by month of payment).
    pub paid: Decimal,
}

impl TwoMonthPeriod {
    /// Its key in the report's JSON: `2021-01..2021-02`.
    #[must_use]
    pub fn key(&self) -> String {
        format!("{}..{}", self.first, self.last)
    }

    pub(crate) fn json(&self) -> Value {
        let accounts: Map<String, Value> = self
            .accounts
            .iter()
            .map(|(id, a)| (id.clone(), json!({ "committed": format_yuan(a.committed), "paid": format_yuan(a.paid) })))
            .collect();
        json!({
            "approved": self.approved.json(),
            "by_program": self.by_program.iter().map(|(k, t)| (k.clone(), t.json())).collect::<Map<_, _>>(),
            "person_times": self.counts.person_times,
            "apprentices": self.counts.apprentices,
            "high_skill_workers": self.counts.high_skill_workers,
            "projects": self.projects,
            "accounts": accounts,
        })
    }
}

impl Report {
    /// The months the report has any figure in.
    fn months(&self) -> BTreeSet<YearMonth> {
        let mut months: BTreeSet<YearMonth> = self.by_month.keys().copied().collect();
        months.extend(self.progress.by_month.keys());
        months.extend(self.progress.projects.iter().map(|(m, _)| *m));
        for ledger in self.accounts.values() {
            months.extend(ledger.committed_by_month.keys());
            months.extend(ledger.paid_by_month.keys());
        }
        months
    }

    /// The figures of each two-month reporting period (January–February, March–April, …: the
    /// plan's 每双月报送) with any figure, in order: approved claims (by program too), counts
    /// toward the targets, and each account's commitments and payments.
    #[must_use]
    pub fn two_month_periods(&self) -> Vec<TwoMonthPeriod> {
        let starts: BTreeSet<YearMonth> =
            self.months().into_iter().filter_map(|m| YearMonth::new(m.year(), m.month() - (m.month() + 1) % 2)).collect();
        starts
            .into_iter()
            .map(|first| {
                let last = first.plus(1);
                let range = first..=last;
                let mut approved = Tally::default();
                for (_, t) in self.by_month.range(range.clone()) {
                    approved.merge(t);
                }
                let mut by_program: BTreeMap<String, Tally> = BTreeMap::new();
                for ((m, program), t) in &self.by_month_program {
                    if range.contains(m) {
                        by_program.entry(program.clone()).or_default().merge(t);
                    }
                }
                let (counts, projects) = self.progress.within(range.clone());
                let accounts = self
                    .accounts
                    .iter()
                    .map(|(id, a)| {
                        let (committed, paid) = a.within(range.clone());
                        (id.clone(), PeriodAccount { committed, paid })
                    })
                    .collect();
                TwoMonthPeriod { first, last, approved, by_program, counts, projects, accounts }
            })
            .collect()
    }

    /// The two-month periods ([`Report::two_month_periods`]) as JSON, keyed
    /// `2021-01..2021-02`.
    #[must_use]
    pub fn two_months(&self) -> Value {
        Value::Object(self.two_month_periods().iter().map(|p| (p.key(), p.json())).collect())
    }
}
