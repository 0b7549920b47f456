//! An account in a report (专账): what was committed (at approval) and what was paid (by payment
//! month) kept apart, the spending within the account's period against its goal, and — for an
//! account with a balance — what remains, with the month it would run out (SPEC §9).

use crate::calendar::{Period, YearMonth};
use crate::money::format_yuan;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// A share to four decimal places (0.1234 is 12.34%), rounded half away from zero.
pub(crate) fn share(part: Decimal, whole: Decimal) -> Option<Decimal> {
    if whole.is_zero() {
        return None;
    }
    part.checked_div(whole).map(|s| s.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero).normalize())
}

/// Where an account is heading at the pace seen so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Projection {
    /// Nothing committed or paid yet: no pace to project.
    NoPace,
    /// A spending goal: at the average monthly payment within the period so far, this much
    /// would be paid within the period, this share of the goal (`None` without a goal).
    Goal {
        /// Yuan paid within the period at that pace.
        paid_in_period: Decimal,
        /// Of the spending target.
        share: Option<Decimal>,
    },
    /// An account that closes: used up (a claim was refused for lack of funds in this month, or
    /// nothing remains).
    Exhausted(YearMonth),
    /// An account that closes: would run out in this month of the period.
    RunsOut(YearMonth),
    /// An account that closes: would last beyond the period's last month.
    NotWithinPeriod,
}

impl Projection {
    /// The projection as `{"status": …}` with its month or amount.
    #[must_use]
    pub fn json(self) -> Value {
        match self {
            Projection::NoPace => json!({ "status": "no_pace", "month": null }),
            Projection::Goal { paid_in_period, share } => json!({
                "status": "goal", "paid_in_period": format_yuan(paid_in_period), "share": share.map(|s| s.to_string()),
            }),
            Projection::Exhausted(m) => json!({ "status": "exhausted", "month": m.to_string() }),
            Projection::RunsOut(m) => json!({ "status": "runs_out", "month": m.to_string() }),
            Projection::NotWithinPeriod => json!({ "status": "not_within_period", "month": null }),
        }
    }
}

/// As [`Projection::json`] has it.
impl serde::Serialize for Projection {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.json().serialize(s)
    }
}

/// One account's ledger in a report.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AccountLedger {
    /// The account's period: claims applied in it are committed against it, and its spending is
    /// what it pays in it.
    pub period: Period,
    /// The spending goal for the period (力争…支出), when the plan sets one.
    pub spending_target: Option<Decimal>,
    /// The balance it starts with, when the ruleset gives one.
    pub opening_balance: Option<Decimal>,
    /// Whether it refuses claims once spent (资金用完即止).
    pub closes_when_spent: bool,
    /// Committed by history records before the batch.
    pub history_committed: Decimal,
    /// Committed by the batch's approved claims (apprenticeships in full, at their session).
    pub committed: Decimal,
    /// Released again by apprenticeships' outcomes (uncertified, withdrawn).
    pub released: Decimal,
    /// Commitments (history and batch) by month of application (or review session).
    pub committed_by_month: BTreeMap<YearMonth, Decimal>,
    /// Payments (history and batch) by month: a claim is paid the month after it is applied
    /// for (按月发放), an apprenticeship in stages; a history record as a claim would be.
    pub paid_by_month: BTreeMap<YearMonth, Decimal>,
    /// Month of the first claim refused for lack of funds, if any.
    pub closed_in: Option<YearMonth>,
}

impl AccountLedger {
    /// A ledger with nothing committed.
    #[must_use]
    pub fn new(
        period: Period,
        spending_target: Option<Decimal>,
        opening_balance: Option<Decimal>,
        closes_when_spent: bool,
    ) -> AccountLedger {
        AccountLedger {
            period,
            spending_target,
            opening_balance,
            closes_when_spent,
            history_committed: Decimal::ZERO,
            committed: Decimal::ZERO,
            released: Decimal::ZERO,
            committed_by_month: BTreeMap::new(),
            paid_by_month: BTreeMap::new(),
            closed_in: None,
        }
    }

    /// History and batch together, less what outcomes released.
    #[must_use]
    pub fn total_committed(&self) -> Decimal {
        self.history_committed + self.committed - self.released
    }

    /// What is left of the opening balance, when the account has one.
    #[must_use]
    pub fn remaining(&self) -> Option<Decimal> {
        self.opening_balance.map(|b| b - self.total_committed())
    }

    /// Committed ÷ opening balance, to four decimal places, when the account has a balance.
    #[must_use]
    pub fn utilisation(&self) -> Option<Decimal> {
        share(self.total_committed(), self.opening_balance?)
    }

    fn months_in_period(&self) -> impl Iterator<Item = (&YearMonth, &Decimal)> {
        let (first, last) = (YearMonth::of(self.period.from), YearMonth::of(self.period.to));
        self.paid_by_month.range(first..=last)
    }

    /// Paid in the months of the period: the account's spending against its goal.
    #[must_use]
    pub fn paid_in_period(&self) -> Decimal {
        self.months_in_period().map(|(_, a)| *a).sum()
    }

    /// Paid after the period (December's claims are paid in January: next year's spending).
    #[must_use]
    pub fn paid_after_period(&self) -> Decimal {
        let last = YearMonth::of(self.period.to);
        self.paid_by_month.iter().filter(|(m, _)| **m > last).map(|(_, a)| *a).sum()
    }

    /// Paid within the period ÷ the spending target, when there is one.
    #[must_use]
    pub fn goal_share(&self) -> Option<Decimal> {
        share(self.paid_in_period(), self.spending_target?)
    }

    /// Where the account is heading. An account that closes: the month it would run out at the
    /// average monthly commitment of the months seen (from the period's first month to the last
    /// month with a commitment). A goal: what the period would pay at the average monthly
    /// payment within it so far (from its first month to the last month with a payment in it).
    #[must_use]
    pub fn projection(&self) -> Projection {
        let first = YearMonth::of(self.period.from);
        let end = YearMonth::of(self.period.to);
        let horizon = first.months_until(end) + 1;
        if !self.closes_when_spent {
            let Some((&last, _)) = self.months_in_period().filter(|(_, a)| !a.is_zero()).last() else { return Projection::NoPace };
            let seen = first.months_until(last) + 1;
            let paid = self.paid_in_period();
            let projected = crate::money::round_to_fen(paid / Decimal::from(seen) * Decimal::from(horizon));
            let projected = if seen >= horizon { paid } else { projected };
            return Projection::Goal { paid_in_period: projected, share: self.spending_target.and_then(|t| share(projected, t)) };
        }
        if let Some(month) = self.closed_in {
            return Projection::Exhausted(month);
        }
        let Some((&last, _)) = self.committed_by_month.iter().next_back() else { return Projection::NoPace };
        let seen = first.months_until(last) + 1;
        let total = self.total_committed();
        if seen <= 0 || total <= Decimal::ZERO {
            return Projection::NoPace;
        }
        let Some(remaining) = self.remaining() else { return Projection::NoPace };
        if remaining <= Decimal::ZERO {
            return Projection::Exhausted(last);
        }
        let pace = total / Decimal::from(seen);
        // The month in which the cumulative commitment would pass the opening balance.
        let months = (remaining / pace).ceil();
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

    /// Adds another part's sums (the same account).
    pub(crate) fn merge(&mut self, other: &AccountLedger) {
        self.history_committed += other.history_committed;
        self.committed += other.committed;
        self.released += other.released;
        for (m, a) in &other.committed_by_month {
            *self.committed_by_month.entry(*m).or_default() += *a;
        }
        for (m, a) in &other.paid_by_month {
            *self.paid_by_month.entry(*m).or_default() += *a;
        }
        self.closed_in = match (self.closed_in, other.closed_in) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }

    /// What the months of `months` committed and paid.
    pub(crate) fn within(&self, months: std::ops::RangeInclusive<YearMonth>) -> (Decimal, Decimal) {
        let sum = |m: &BTreeMap<YearMonth, Decimal>| m.range(months.clone()).map(|(_, a)| *a).sum::<Decimal>();
        (sum(&self.committed_by_month), sum(&self.paid_by_month))
    }

    pub(crate) fn json(&self) -> Value {
        let months = |m: &BTreeMap<YearMonth, Decimal>| {
            m.iter().map(|(k, v)| (k.to_string(), Value::String(format_yuan(*v)))).collect::<Map<_, _>>()
        };
        let yuan = |d: Option<Decimal>| d.map(format_yuan);
        json!({
            "effective_from": self.period.from.to_string(),
            "effective_to": self.period.to.to_string(),
            "spending_target": yuan(self.spending_target),
            "opening_balance": yuan(self.opening_balance),
            "closes_when_spent": self.closes_when_spent,
            "committed": {
                "history": format_yuan(self.history_committed),
                "batch": format_yuan(self.committed),
                "released": format_yuan(self.released),
                "total": format_yuan(self.total_committed()),
                "by_month": months(&self.committed_by_month),
            },
            "paid": {
                "in_period": format_yuan(self.paid_in_period()),
                "after_period": format_yuan(self.paid_after_period()),
                "by_month": months(&self.paid_by_month),
            },
            "goal": self.spending_target.map(|t| json!({
                "target": format_yuan(t),
                "paid_in_period": format_yuan(self.paid_in_period()),
                "share": self.goal_share().map(|s| s.to_string()),
            })),
            "balance": self.opening_balance.map(|b| json!({
                "opening": format_yuan(b),
                "remaining": yuan(self.remaining()),
                "utilisation": self.utilisation().map(|u| u.to_string()),
                "closed_in": self.closed_in.map(|m| m.to_string()),
            })),
            "projection": self.projection().json(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::parse_date;

    fn ledger(closes: bool) -> AccountLedger {
        let period = Period { from: parse_date("2021-01-01").unwrap(), to: parse_date("2021-12-31").unwrap() };
        AccountLedger::new(period, Some(Decimal::from(2400)), Some(Decimal::from(1200)), closes)
    }

    fn ym(s: &str) -> YearMonth {
        YearMonth::parse(s).unwrap()
    }

    #[test]
    fn an_account_that_closes_projects_the_month_it_runs_out() {
        let mut a = ledger(true);
        a.committed = Decimal::from(300);
        a.committed_by_month.insert(ym("2021-03"), Decimal::from(300));
        // 300 over Jan–Mar is 100 a month; 900 remain: nine more months, December.
        assert_eq!(a.projection(), Projection::RunsOut(ym("2021-12")));
        a.committed_by_month.insert(ym("2021-03"), Decimal::from(200));
        a.committed = Decimal::from(200);
        assert_eq!(a.projection(), Projection::NotWithinPeriod);
        a.closed_in = Some(ym("2021-05"));
        assert_eq!(a.projection(), Projection::Exhausted(ym("2021-05")));
        assert_eq!(ledger(true).projection(), Projection::NoPace);
    }

    #[test]
    fn a_goal_projects_the_spending_of_the_period_from_the_payments_so_far() {
        let mut a = ledger(false);
        assert_eq!(a.projection(), Projection::NoPace);
        // Paid 200 in February and 100 in March: 300 over Jan–Mar, 1200 over the year, half the goal.
        a.paid_by_month.insert(ym("2021-02"), Decimal::from(200));
        a.paid_by_month.insert(ym("2021-03"), Decimal::from(100));
        assert_eq!(a.projection(), Projection::Goal { paid_in_period: Decimal::from(1200), share: Some(Decimal::new(5, 1)) });
        // January's payments of next year are not this year's spending.
        a.paid_by_month.insert(ym("2022-01"), Decimal::from(999));
        assert_eq!(a.paid_in_period(), Decimal::from(300));
        assert_eq!(a.paid_after_period(), Decimal::from(999));
        assert_eq!(a.goal_share(), Some(Decimal::new(125, 3)));
        // A goal never runs out, whatever the balance says.
        a.committed = Decimal::from(5000);
        assert!(matches!(a.projection(), Projection::Goal { .. }));
    }
}
