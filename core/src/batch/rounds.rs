//! The global pass in two small rounds (SPEC §11), so that what a cluster's workers send to
//! the client grows with the days of the year, not with the claims.
//!
//! The account closes at the first claim whose amount takes the running total above the
//! opening balance. Amounts are never negative, so the running total only grows: the day of
//! the closing is the first day whose end-of-day total is above the balance, whatever the order
//! within each day. Round one sends each partition's totals by account and day
//! ([`BudgetInput::day_totals`]) and finds that day; round two sends the claims of that one day
//! and one total for everything before it ([`BudgetInput::around`]) and finds the claim.
//! Both rounds go through [`Closings::compute`], the one place the closing rule lives.
//!
//! Apprenticeship applications (few: thousands a year) and the quota's candidates travel in
//! full in both rounds, since the quota decides which applications reach the account.

use super::budget::{BudgetInput, Candidate, Closings, Place};
use crate::calendar::Date;
use compact_str::CompactString;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

impl BudgetInput {
    /// Round one: the claims waiting for each account summed by day of application (one
    /// candidate per account and day, with an empty claim id); applications, the quota's
    /// candidates and history as they are. Should an amount be negative, the input is
    /// returned whole (the rounds rely on a running total that only grows).
    #[must_use]
    pub fn day_totals(&self) -> BudgetInput {
        if self.candidates.iter().any(|c| c.amount.is_sign_negative()) {
            return self.clone();
        }
        let mut totals: BTreeMap<(u16, Date), Decimal> = BTreeMap::new();
        let mut candidates = Vec::new();
        for c in &self.candidates {
            if c.application {
                candidates.push(c.clone());
            } else {
                *totals.entry((c.account, c.applied_on)).or_default() += c.amount;
            }
        }
        candidates.extend(totals.into_iter().map(|((account, applied_on), amount)| synthetic(account, applied_on, amount)));
        BudgetInput { candidates, ..self.clone() }
    }

    /// Round two: for each account that `rough` (the closings of round one) closes on some
    /// day, the claims of that day as they are, one total of the claims before it, and the
    /// applications up to it; nothing of the accounts that do not close.
    #[must_use]
    pub fn around(&self, rough: &Closings) -> BudgetInput {
        if self.candidates.iter().any(|c| c.amount.is_sign_negative()) {
            return self.clone();
        }
        let mut before: BTreeMap<(u16, Date), Decimal> = BTreeMap::new();
        let mut candidates = Vec::new();
        for c in &self.candidates {
            match Place::round_two(rough, c.account, c.applied_on, c.application) {
                Place::Whole => candidates.push(c.clone()),
                Place::Sum(day) => *before.entry((c.account, day)).or_default() += c.amount,
                Place::Drop => {}
            }
        }
        // The total before the day sorts first on the day (an empty id precedes every id).
        candidates.extend(before.into_iter().map(|((account, day), amount)| synthetic(account, day, amount)));
        BudgetInput { candidates, ..self.clone() }
    }
}

impl Place {
    /// Round one: an application whole, a claim summed with the others of its account and day.
    pub(super) fn round_one(applied_on: Date, application: bool) -> Place {
        if application {
            Place::Whole
        } else {
            Place::Sum(applied_on)
        }
    }

    /// Round two, for an account that `rough` closes on some day: a claim of that day or an
    /// application up to it whole, a claim before it summed into one total on that day; the
    /// rest, and everything of an account that does not close, left out.
    pub(super) fn round_two(rough: &Closings, account: u16, applied_on: Date, application: bool) -> Place {
        match rough.closed_at.get(usize::from(account)).and_then(Option::as_ref).map(|(day, _)| *day) {
            Some(day) if applied_on == day || (application && applied_on < day) => Place::Whole,
            Some(day) if applied_on < day => Place::Sum(day),
            _ => Place::Drop,
        }
    }
}

/// A candidate that stands for claims summed (an empty id sorts before every claim's of its day).
pub(super) fn synthetic(account: u16, applied_on: Date, amount: Decimal) -> Candidate {
    Candidate { account, applied_on, claim_id: CompactString::default(), amount, application: false }
}

impl Closings {
    /// The closings of a batch split into partitions, from the partitions' inputs fetched in
    /// the two rounds: `day_totals` (each partition's [`BudgetInput::day_totals`]), then, only
    /// when an account closes, `around(rough)` (each partition's [`BudgetInput::around`]).
    /// Equal to [`Closings::compute`] over the partitions' whole inputs.
    pub fn in_rounds<E>(
        engine: &crate::Engine,
        day_totals: &[BudgetInput],
        around: impl FnOnce(&Closings) -> Result<Vec<BudgetInput>, E>,
    ) -> Result<Closings, E> {
        let rough = Closings::compute(engine, day_totals);
        if rough.closed_at.iter().all(Option::is_none) {
            // No account closes; the quota's closings are exact already (its candidates
            // travel whole).
            return Ok(rough);
        }
        Ok(Closings::compute(engine, &around(&rough)?))
    }
}

impl super::Partition<'_> {
    /// Pass 2 for the whole batch in this one partition, in the two rounds of a cluster, for what
    /// it reads: the claims summed by account and day, then the claims of the day an account
    /// closes one by one. Keeps what it read last (a traced claim's budget step names what the
    /// account had left).
    pub(super) fn closings_in_rounds(&mut self) -> Closings {
        let engine = self.batch.engine;
        // Pass 2 in the two rounds of a cluster (`rounds.rs`), for what it reads: the claims
        // summed by account and day, then the claims of the day an account closes one by one.
        let totals = self.budget_where(|_, day, application| Place::round_one(day, application));
        let mut around = None;
        let closings = if totals.candidates.iter().any(|c| c.amount.is_sign_negative()) {
            // (Never from validated claims: the rounds rely on a running total that only grows.)
            let whole = self.budget_of();
            let closings = Closings::compute(engine, [&whole]);
            around = Some(whole);
            closings
        } else {
            let rounds = Closings::in_rounds(engine, std::slice::from_ref(&totals), |rough| {
                let input = self.budget_where(|account, applied_on, application| Place::round_two(rough, account, applied_on, application));
                if self.batch.trace.any() {
                    around = Some(input.clone());
                }
                Ok::<_, std::convert::Infallible>(vec![input])
            });
            match rounds {
                Ok(closings) => closings,
                Err(never) => match never {},
            }
        };
        self.budget = around.unwrap_or(totals);
        closings
    }
}

#[cfg(test)]
mod tests {
    use crate::batch::{BudgetInput, Closings};
    use crate::calendar::parse_date;
    use crate::{Claim, Decimal, Engine, Overrides, Ruleset};

    /// Claims of many persons on a few days, split into partitions by person.
    fn partitions(engine: &Engine, parts: u32) -> Vec<BudgetInput> {
        let mut split: Vec<Vec<Claim>> = vec![Vec::new(); parts as usize];
        for i in 0..300u32 {
            let day = format!("2021-05-{:02}", 10 + i % 7);
            let mut c = Claim::new(
                &format!("C{:03}", (i * 7919) % 1000),
                "online",
                &format!("P{i}"),
                parse_date("2021-05-01").unwrap(),
                parse_date(&day).unwrap(),
            );
            c.enterprise_id = Some("E1".into());
            c.fee_paid = Some(Decimal::new(i64::from(200 + i % 300) * 100, 2));
            split[crate::partition::person_bucket(&c.person_id, parts) as usize].push(c);
        }
        split
            .iter()
            .map(|claims| {
                let mut batch = engine.batch();
                for c in claims {
                    batch.add(c);
                }
                batch.into_partition().budget_input().clone()
            })
            .collect()
    }

    #[test]
    fn two_small_rounds_find_the_closing_claim_of_the_whole_queue() {
        for balance in ["1", "15000", "40000", "60000", "1000000"] {
            let overrides = Overrides::from_json_str(&format!(
                r#"{{"accounts.wuxi-2021.opening_balance": "{balance}", "accounts.wuxi-2021.closes_when_spent": "true"}}"#
            ))
            .unwrap();
            let engine = Engine::new(Ruleset::wuxi_2021().unwrap()).with_overrides(&overrides).unwrap();
            let inputs = partitions(&engine, 3);
            let whole = Closings::compute(&engine, &inputs);
            let totals: Vec<BudgetInput> = inputs.iter().map(BudgetInput::day_totals).collect();
            assert!(totals.iter().map(|t| t.candidates.len()).sum::<usize>() <= 3 * 7, "a total per day and partition");
            let mut sent = 0;
            let rounds = Closings::in_rounds(&engine, &totals, |rough| {
                let around: Vec<BudgetInput> = inputs.iter().map(|i| i.around(rough)).collect();
                sent = around.iter().map(|a| a.candidates.len()).sum::<usize>();
                Ok::<_, ()>(around)
            })
            .unwrap();
            assert_eq!(rounds, whole, "opening balance {balance}");
            assert!(sent < 300 / 7 + 2 * 3, "round two sends one day's claims, not the year's ({sent})");
            match &rounds.closed_at[0] {
                Some((_, id)) => assert!(!id.is_empty(), "the closing point is a real claim"),
                None => assert_eq!(balance, "1000000", "every smaller balance closes in May"),
            }
        }
    }
}
