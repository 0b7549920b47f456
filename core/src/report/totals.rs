//! The report of a batch (统计报表, SPEC §9): its counts and approved amounts by every
//! dimension, its accounts, its progress against the plan's targets; merged across partitions.

use super::{AccountLedger, KeyTallies, Progress, Tally, TargetSetProgress, TargetSetReport, DIMENSIONS, KEY_DIMENSIONS, REPORT_VERSION};
use crate::calendar::YearMonth;
use crate::money::format_yuan;
use crate::reasons::Reason;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The report of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Report {
    /// Claims assessed.
    pub claims: u64,
    /// Approved claims and their amount.
    pub approved: Tally,
    /// Rejected claims.
    pub rejected: u64,
    /// Invalid claims.
    pub invalid: u64,
    /// Rejections by reason.
    pub rejections: BTreeMap<Reason, u64>,
    /// Approved by program id.
    pub by_program: BTreeMap<String, Tally>,
    /// Approved by level code (`-` for programs without a level).
    pub by_level: BTreeMap<String, Tally>,
    /// Approved by district (`-` when not given).
    pub by_district: BTreeMap<String, Tally>,
    /// Approved by fund.
    pub by_fund: BTreeMap<String, Tally>,
    /// Approved by occupation code (`-` for programs without one).
    pub by_occupation: BTreeMap<String, Tally>,
    /// Approved by month of commitment (the month of `applied_on`, or an application's session).
    pub by_month: BTreeMap<YearMonth, Tally>,
    /// Approved by month of commitment and program id (for the two-month periods).
    pub by_month_program: BTreeMap<(YearMonth, String), Tally>,
    /// Approved by every key at once (program, level, district, occupation, month; `-` where a
    /// claim has none): the single dimensions are its sums, and any cut of several keys
    /// ([`Report::cross`]) is one.
    pub by_keys: KeyTallies,
    /// Accounts by id.
    pub accounts: BTreeMap<String, AccountLedger>,
    /// Counts toward the plan's targets, by month (history and batch).
    pub progress: Progress,
    /// The plan's target sets, as the run's rules have them.
    pub targets: Vec<TargetSetReport>,
}

impl Report {
    /// Adds another report's sums to this one. Associative and commutative; accounts present in
    /// both must be the same account (same period and opening balance).
    pub fn merge(&mut self, other: &Report) {
        self.claims += other.claims;
        self.approved.merge(&other.approved);
        self.rejected += other.rejected;
        self.invalid += other.invalid;
        for (r, n) in &other.rejections {
            *self.rejections.entry(*r).or_default() += n;
        }
        for (mine, theirs) in [
            (&mut self.by_program, &other.by_program),
            (&mut self.by_level, &other.by_level),
            (&mut self.by_district, &other.by_district),
            (&mut self.by_fund, &other.by_fund),
            (&mut self.by_occupation, &other.by_occupation),
        ] {
            for (k, t) in theirs {
                mine.entry(k.clone()).or_default().merge(t);
            }
        }
        for (k, t) in &other.by_month {
            self.by_month.entry(*k).or_default().merge(t);
        }
        for (k, t) in &other.by_month_program {
            self.by_month_program.entry(k.clone()).or_default().merge(t);
        }
        self.by_keys.merge(&other.by_keys);
        self.progress.merge(&other.progress);
        // The targets are the rules': the same in every part of a run.
        if self.targets.is_empty() {
            self.targets.clone_from(&other.targets);
        }
        for (id, ledger) in &other.accounts {
            match self.accounts.get_mut(id) {
                Some(mine) => mine.merge(ledger),
                None => {
                    self.accounts.insert(id.clone(), ledger.clone());
                }
            }
        }
    }

    /// Two reports merged, leaving both as they were.
    #[must_use]
    pub fn merged(&self, other: &Report) -> Report {
        let mut out = self.clone();
        out.merge(other);
        out
    }

    /// The tallies of one dimension (`program`, `level`, `district`, `fund`, `occupation`,
    /// `month`), keyed by text.
    #[must_use]
    pub fn dimension(&self, name: &str) -> Option<BTreeMap<String, Tally>> {
        Some(match name {
            "program" => self.by_program.clone(),
            "level" => self.by_level.clone(),
            "district" => self.by_district.clone(),
            "fund" => self.by_fund.clone(),
            "occupation" => self.by_occupation.clone(),
            "month" => self.by_month.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            _ => return None,
        })
    }

    /// The approved tallies cut by several dimensions at once (`["district", "program"]`; any of
    /// [`DIMENSIONS`], `fund` from the program by `fund_of`), keyed by their texts in that order.
    /// `None` when a name is not a dimension.
    ///
    /// ```
    /// use skill_subsidy::{Engine, FieldMode, RawClaim, Ruleset};
    /// let engine = Engine::new(Ruleset::wuxi_2021()?);
    /// let claim = |id: &str, district: &str| RawClaim::from_json(&serde_json::json!({
    ///     "claim_id": id, "program": "pre_job", "person_id": id, "enterprise_id": "E1",
    ///     "district": district, "event_date": "2021-05-10", "applied_on": "2021-05-20"}));
    /// let claims = [claim("A", "梁溪区"), claim("B", "锡山区")];
    /// let mut batch = engine.batch();
    /// batch.add_rows(claims.len(), FieldMode::Strict, |i| &claims[i]);
    /// let report = batch.finish().report;
    /// let fund = |p: &str| engine.ruleset().programs.iter().find(|x| x.id == p).map(|x| x.fund.code().to_string());
    /// let cut = report.cross(&["district", "program"], fund).unwrap();
    /// assert_eq!(cut[&vec!["梁溪区".to_string(), "pre_job".to_string()]].count, 1);
    /// # Ok::<(), skill_subsidy::RulesErrors>(())
    /// ```
    #[must_use]
    pub fn cross(&self, names: &[&str], fund_of: impl Fn(&str) -> Option<String>) -> Option<BTreeMap<Vec<String>, Tally>> {
        // The fund is the program's: cut by the program, then name its fund.
        let at: Vec<usize> =
            names.iter().map(|n| if *n == "fund" { Some(0) } else { KEY_DIMENSIONS.iter().position(|k| k == n) }).collect::<Option<_>>()?;
        let mut out: BTreeMap<Vec<String>, Tally> = BTreeMap::new();
        for (mut key, tally) in self.by_keys.cut(&at) {
            for (i, name) in names.iter().enumerate() {
                if *name == "fund" {
                    key[i] = fund_of(&key[i]).unwrap_or_default();
                }
            }
            out.entry(key).or_default().merge(&tally);
        }
        Some(out)
    }

    /// Progress against each of the plan's target sets ([`Report::targets`]), in order.
    #[must_use]
    pub fn target_progress(&self) -> Vec<TargetSetProgress> {
        self.targets.iter().map(|t| t.progress(&self.progress)).collect()
    }

    /// The report as JSON (shape version [`REPORT_VERSION`], `docs/report.md`): money as
    /// decimal strings.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let tallies = |m: BTreeMap<String, Tally>| m.iter().map(|(k, v)| (k.clone(), v.json())).collect::<Map<_, _>>();
        let mut by = Map::new();
        for d in DIMENSIONS {
            by.insert(d.to_string(), Value::Object(tallies(self.dimension(d).unwrap_or_default())));
        }
        json!({
            "report_version": REPORT_VERSION,
            "claims": self.claims,
            "status": { "approved": self.approved.count, "rejected": self.rejected, "invalid": self.invalid },
            "approved_amount": format_yuan(self.approved.amount),
            "rejections": self.rejections.iter().map(|(r, n)| (r.code().to_string(), json!(n))).collect::<Map<_, _>>(),
            "by": by,
            "accounts": self.accounts.iter().map(|(id, a)| (id.clone(), a.json())).collect::<Map<_, _>>(),
            "progress": self.progress.json(),
            "targets": self.targets.iter().map(|t| (t.id.clone(), t.json(&self.progress))).collect::<Map<_, _>>(),
            "two_months": self.two_months(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{parse_date, Period};
    use crate::report::TwoMonthPeriod;
    use rust_decimal::Decimal;

    fn ym(s: &str) -> YearMonth {
        YearMonth::parse(s).unwrap()
    }

    fn ledger() -> AccountLedger {
        let period = Period { from: parse_date("2021-01-01").unwrap(), to: parse_date("2021-12-31").unwrap() };
        AccountLedger::new(period, None, Some(Decimal::from(1200)), true)
    }

    #[test]
    fn merging_adds_sums_and_keeps_the_earliest_closing() {
        let (mut a, mut b) = (Report::default(), Report::default());
        a.claims = 2;
        a.approved.add(Decimal::from(10));
        a.by_program.entry("x".into()).or_default().add(Decimal::from(10));
        let mut la = ledger();
        la.closed_in = Some(ym("2021-09"));
        a.accounts.insert("acc".into(), la);
        b.claims = 1;
        b.by_program.entry("x".into()).or_default().add(Decimal::from(5));
        let mut lb = ledger();
        lb.closed_in = Some(ym("2021-07"));
        lb.committed = Decimal::from(7);
        b.accounts.insert("acc".into(), lb);
        let (ab, ba) = (a.merged(&b), b.merged(&a));
        assert_eq!(ab, ba);
        assert_eq!(ab.by_program["x"], Tally { count: 2, amount: Decimal::from(15) });
        assert_eq!(ab.accounts["acc"].closed_in, Some(ym("2021-07")));
        assert_eq!(ab.accounts["acc"].remaining(), Some(Decimal::from(1193)));
    }

    #[test]
    fn two_month_periods_start_in_odd_months_and_sum_their_months() {
        let mut r = Report::default();
        for (m, n) in [("2021-01", 1), ("2021-02", 2), ("2021-03", 4), ("2021-12", 8)] {
            let t = Tally { count: n, amount: Decimal::from(n) };
            r.by_month.insert(ym(m), t);
            r.by_month_program.insert((ym(m), "p".into()), t);
        }
        let periods = r.two_months();
        let keys: Vec<&String> = periods.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["2021-01..2021-02", "2021-03..2021-04", "2021-11..2021-12"]);
        assert_eq!(periods["2021-01..2021-02"]["approved"], json!({ "count": 3, "amount": "3.00" }));
        assert_eq!(periods["2021-11..2021-12"]["by_program"]["p"]["count"], 8);
        let typed = r.two_month_periods();
        assert_eq!(typed.iter().map(TwoMonthPeriod::key).collect::<Vec<_>>(), ["2021-01..2021-02", "2021-03..2021-04", "2021-11..2021-12"]);
        assert_eq!(typed[0].approved, Tally { count: 3, amount: Decimal::from(3) });
        assert_eq!((typed[2].first, typed[2].last), (ym("2021-11"), ym("2021-12")));
    }
}
