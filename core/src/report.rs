//! Reports (统计报表): what a batch approved, by program, level, district, fund, occupation
//! and month; and the special account (专账): opening balance, committed, remaining,
//! utilisation, the disbursement schedule by month, progress against targets and a projection.
//!
//! A report holds only sums and counts, so [`Report::merge`] is associative and commutative:
//! the reports of a batch split by person, merged in any order, equal the whole batch's report.
//! Remaining, utilisation and the projection are derived from the sums when asked for.

use crate::calendar::{Period, YearMonth};
use crate::money::format_yuan;
use crate::reasons::Reason;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// A count and an amount (人次 and 金额).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    /// Person-times.
    pub count: u64,
    /// Yuan.
    pub amount: Decimal,
}

impl Tally {
    /// Adds one approved amount.
    pub fn add(&mut self, amount: Decimal) {
        self.count += 1;
        self.amount += amount;
    }

    fn merge(&mut self, other: &Tally) {
        self.count += other.count;
        self.amount += other.amount;
    }

    fn json(&self) -> Value {
        json!({ "count": self.count, "amount": format_yuan(self.amount) })
    }
}

/// When the account would run out at the pace seen so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Projection {
    /// Nothing committed yet: no pace to project.
    NoPace,
    /// Already used up (a claim was refused for lack of funds in this month, or nothing remains).
    Exhausted(YearMonth),
    /// Would run out in this month of the period.
    RunsOut(YearMonth),
    /// Would last beyond the period's last month.
    NotWithinPeriod,
}

impl Projection {
    /// The projection as `{"status": …, "month": …}`.
    #[must_use]
    pub fn json(self) -> Value {
        match self {
            Projection::NoPace => json!({ "status": "no_pace", "month": null }),
            Projection::Exhausted(m) => json!({ "status": "exhausted", "month": m.to_string() }),
            Projection::RunsOut(m) => json!({ "status": "runs_out", "month": m.to_string() }),
            Projection::NotWithinPeriod => json!({ "status": "not_within_period", "month": null }),
        }
    }
}

/// One account's ledger in a report.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccountLedger {
    /// The account's period.
    pub period: Period,
    /// Opening balance.
    pub opening_balance: Decimal,
    /// Committed by history records before the batch.
    pub history_committed: Decimal,
    /// Person-times of history records.
    pub history_person_times: u64,
    /// Committed by the batch's approved claims (apprenticeships in full, at their session).
    pub committed: Decimal,
    /// Released again by apprenticeships' outcomes (uncertified, withdrawn).
    pub released: Decimal,
    /// Person-times approved in the batch.
    pub person_times: u64,
    /// Apprentices approved (企业新型学徒制).
    pub apprentices: u64,
    /// Commitments (history and batch) by month of application: the pace.
    pub committed_by_month: BTreeMap<YearMonth, Decimal>,
    /// Payments of the batch's approved claims by month (按月发放).
    pub disbursements: BTreeMap<YearMonth, Decimal>,
    /// Target of person-times.
    pub target_person_times: Option<u64>,
    /// Target of apprentices.
    pub target_apprentices: Option<u64>,
    /// Month of the first claim refused for lack of funds, if any.
    pub closed_in: Option<YearMonth>,
}

impl AccountLedger {
    /// A ledger with nothing committed.
    #[must_use]
    pub fn new(
        period: Period,
        opening_balance: Decimal,
        target_person_times: Option<u64>,
        target_apprentices: Option<u64>,
    ) -> AccountLedger {
        AccountLedger {
            period,
            opening_balance,
            history_committed: Decimal::ZERO,
            history_person_times: 0,
            committed: Decimal::ZERO,
            released: Decimal::ZERO,
            person_times: 0,
            apprentices: 0,
            committed_by_month: BTreeMap::new(),
            disbursements: BTreeMap::new(),
            target_person_times,
            target_apprentices,
            closed_in: None,
        }
    }

    /// History and batch together, less what outcomes released.
    #[must_use]
    pub fn total_committed(&self) -> Decimal {
        self.history_committed + self.committed - self.released
    }

    /// What is left.
    #[must_use]
    pub fn remaining(&self) -> Decimal {
        self.opening_balance - self.total_committed()
    }

    /// Committed ÷ opening balance, to four decimal places (0.1234 is 12.34%).
    #[must_use]
    pub fn utilisation(&self) -> Decimal {
        if self.opening_balance.is_zero() {
            return Decimal::ZERO;
        }
        (self.total_committed() / self.opening_balance).round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    }

    /// The month the account would run out at the average monthly commitment of the months
    /// seen so far (from the period's first month to the last month with a commitment).
    #[must_use]
    pub fn projection(&self) -> Projection {
        if let Some(month) = self.closed_in {
            return Projection::Exhausted(month);
        }
        let Some((&last, _)) = self.committed_by_month.iter().next_back() else { return Projection::NoPace };
        let first = YearMonth::of(self.period.from);
        let end = YearMonth::of(self.period.to);
        let seen = first.months_until(last) + 1;
        let total = self.total_committed();
        if seen <= 0 || total <= Decimal::ZERO {
            return Projection::NoPace;
        }
        let remaining = self.remaining();
        if remaining <= Decimal::ZERO {
            return Projection::Exhausted(last);
        }
        let pace = total / Decimal::from(seen);
        // The month in which the cumulative commitment would pass the opening balance.
        let months = (remaining / pace).ceil();
        let horizon = first.months_until(end) + 1;
        match u32::try_from(months.mantissa() / 10i128.pow(months.scale())) {
            Ok(m) if i64::from(m) <= horizon => {
                let month = last.plus(m);
                if month <= end {
                    Projection::RunsOut(month)
                } else {
                    Projection::NotWithinPeriod
                }
            }
            _ => Projection::NotWithinPeriod,
        }
    }

    fn merge(&mut self, other: &AccountLedger) {
        self.history_committed += other.history_committed;
        self.history_person_times += other.history_person_times;
        self.committed += other.committed;
        self.released += other.released;
        self.person_times += other.person_times;
        self.apprentices += other.apprentices;
        for (m, a) in &other.committed_by_month {
            *self.committed_by_month.entry(*m).or_default() += *a;
        }
        for (m, a) in &other.disbursements {
            *self.disbursements.entry(*m).or_default() += *a;
        }
        self.closed_in = match (self.closed_in, other.closed_in) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }

    fn json(&self) -> Value {
        let months = |m: &BTreeMap<YearMonth, Decimal>| {
            m.iter().map(|(k, v)| (k.to_string(), Value::String(format_yuan(*v)))).collect::<Map<_, _>>()
        };
        let progress = |done: u64, target: Option<u64>| {
            target.map(|t| {
                let share = if t == 0 { Decimal::ZERO } else { (Decimal::from(done) / Decimal::from(t)).round_dp(4) };
                json!({ "done": done, "target": t, "share": share.to_string() })
            })
        };
        json!({
            "effective_from": self.period.from.to_string(),
            "effective_to": self.period.to.to_string(),
            "opening_balance": format_yuan(self.opening_balance),
            "history_committed": format_yuan(self.history_committed),
            "committed": format_yuan(self.committed),
            "released": format_yuan(self.released),
            "total_committed": format_yuan(self.total_committed()),
            "remaining": format_yuan(self.remaining()),
            "utilisation": self.utilisation().to_string(),
            "committed_by_month": months(&self.committed_by_month),
            "disbursements": months(&self.disbursements),
            "person_times": progress(self.person_times + self.history_person_times, self.target_person_times)
                .unwrap_or_else(|| json!({ "done": self.person_times + self.history_person_times })),
            "apprentices": progress(self.apprentices, self.target_apprentices).unwrap_or_else(|| json!({ "done": self.apprentices })),
            "projection": self.projection().json(),
        })
    }
}

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
    /// Approved by month of commitment (the month of `applied_on`).
    pub by_month: BTreeMap<YearMonth, Tally>,
    /// Accounts by id.
    pub accounts: BTreeMap<String, AccountLedger>,
}

/// The dimensions of [`Report`], in the order reports list them.
pub const DIMENSIONS: [&str; 6] = ["program", "level", "district", "fund", "occupation", "month"];

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

    /// The report as JSON (shape version 1, `docs/report.md`): money as decimal strings.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let tallies = |m: BTreeMap<String, Tally>| m.iter().map(|(k, v)| (k.clone(), v.json())).collect::<Map<_, _>>();
        let mut by = Map::new();
        for d in DIMENSIONS {
            by.insert(d.to_string(), Value::Object(tallies(self.dimension(d).unwrap_or_default())));
        }
        json!({
            "report_version": 1,
            "claims": self.claims,
            "status": { "approved": self.approved.count, "rejected": self.rejected, "invalid": self.invalid },
            "approved_amount": format_yuan(self.approved.amount),
            "rejections": self.rejections.iter().map(|(r, n)| (r.code().to_string(), json!(n))).collect::<Map<_, _>>(),
            "by": by,
            "accounts": self.accounts.iter().map(|(id, a)| (id.clone(), a.json())).collect::<Map<_, _>>(),
        })
    }
}

impl Serialize for Report {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

/// A baseline report, a variant's report and their difference by the same keys (what-if).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportDiff<'a> {
    /// The baseline.
    pub baseline: &'a Report,
    /// The variant.
    pub variant: &'a Report,
}

impl ReportDiff<'_> {
    /// The difference as JSON: for every key of every dimension, baseline, variant and
    /// variant − baseline; the same for the totals, rejections and accounts.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let (b, v) = (self.baseline, self.variant);
        let delta = |x: &Tally, y: &Tally| {
            json!({
                "baseline": x.json(), "variant": y.json(),
                "delta": { "count": y.count as i64 - x.count as i64, "amount": format_yuan(y.amount - x.amount) },
            })
        };
        let mut by = Map::new();
        for d in DIMENSIONS {
            let (x, y) = (b.dimension(d).unwrap_or_default(), v.dimension(d).unwrap_or_default());
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            let rows: Map<String, Value> = keys
                .into_iter()
                .map(|k| (k.clone(), delta(x.get(k).unwrap_or(&Tally::default()), y.get(k).unwrap_or(&Tally::default()))))
                .collect();
            by.insert(d.to_string(), Value::Object(rows));
        }
        let reasons: std::collections::BTreeSet<&Reason> = b.rejections.keys().chain(v.rejections.keys()).collect();
        let rejections: Map<String, Value> = reasons
            .into_iter()
            .map(|r| {
                let (x, y) = (b.rejections.get(r).copied().unwrap_or(0), v.rejections.get(r).copied().unwrap_or(0));
                (r.code().to_string(), json!({ "baseline": x, "variant": y, "delta": y as i64 - x as i64 }))
            })
            .collect();
        let ids: std::collections::BTreeSet<&String> = b.accounts.keys().chain(v.accounts.keys()).collect();
        let accounts: Map<String, Value> = ids
            .into_iter()
            .map(|id| {
                let (x, y) = (b.accounts.get(id), v.accounts.get(id));
                let money = |a: Option<&AccountLedger>, f: fn(&AccountLedger) -> Decimal| a.map(f).unwrap_or_default();
                let row = |f: fn(&AccountLedger) -> Decimal| {
                    json!({ "baseline": format_yuan(money(x, f)), "variant": format_yuan(money(y, f)), "delta": format_yuan(money(y, f) - money(x, f)) })
                };
                (
                    id.clone(),
                    json!({
                        "total_committed": row(AccountLedger::total_committed),
                        "remaining": row(AccountLedger::remaining),
                        "projection": { "baseline": x.map(|a| a.projection().json()), "variant": y.map(|a| a.projection().json()) },
                    }),
                )
            })
            .collect();
        json!({
            "approved": delta(&b.approved, &v.approved),
            "status": {
                "rejected": { "baseline": b.rejected, "variant": v.rejected, "delta": v.rejected as i64 - b.rejected as i64 },
                "invalid": { "baseline": b.invalid, "variant": v.invalid, "delta": v.invalid as i64 - b.invalid as i64 },
            },
            "rejections": rejections,
            "by": by,
            "accounts": accounts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_date;

    fn ledger() -> AccountLedger {
        let period = Period { from: parse_date("2021-01-01").unwrap(), to: parse_date("2021-12-31").unwrap() };
        AccountLedger::new(period, Decimal::from(1200), Some(10), None)
    }

    fn ym(s: &str) -> YearMonth {
        YearMonth::parse(s).unwrap()
    }

    #[test]
    fn the_projection_extends_the_pace_of_the_months_seen() {
        let mut a = ledger();
        a.committed = Decimal::from(300);
        a.committed_by_month.insert(ym("2021-03"), Decimal::from(300));
        // 300 over Jan–Mar is 100 a month; 900 remain: nine more months, December.
        assert_eq!(a.projection(), Projection::RunsOut(ym("2021-12")));
        a.committed_by_month.insert(ym("2021-03"), Decimal::from(200));
        a.committed = Decimal::from(200);
        assert_eq!(a.projection(), Projection::NotWithinPeriod);
        a.closed_in = Some(ym("2021-05"));
        assert_eq!(a.projection(), Projection::Exhausted(ym("2021-05")));
        assert_eq!(ledger().projection(), Projection::NoPace);
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
        assert_eq!(ab.accounts["acc"].remaining(), Decimal::from(1193));
    }
}
