//! The special account's one global pass (SPEC §7.2 check 12, §11). An account that closes when
//! spent (`closes_when_spent`, 资金用完即止) is served strictly in (`applied_on`, `claim_id`)
//! order and closes at the first claim whose amount would take its commitments above the opening
//! balance — that claim and every later claim on the account are refused, even a smaller one that
//! would fit. No partial payment. An account that is a spending goal (the default: "力争…支出",
//! seed 附件2/2) never closes.
//!
//! Because the account closes at one point of the queue, a prefix sum over the claims that
//! passed checks 1–11 finds that point exactly, whichever way the batch was split by person.

use super::persons::Decision;
use super::rows::APPROVED;
use crate::calendar::Date;
use crate::engine::Engine;
use compact_str::CompactString;
use rust_decimal::Decimal;

/// A claim that passed checks 1–11 and waits for the special account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Index of the account in `Ruleset::accounts`.
    pub account: u16,
    /// Queue order, first key.
    pub applied_on: Date,
    /// Queue order, second key (compared byte by byte).
    pub claim_id: CompactString,
    /// What it would commit.
    pub amount: Decimal,
    /// Whether it is an apprenticeship application (it needs a place in the quota first).
    pub application: bool,
}

/// An apprenticeship application that passed its checks and waits for a place in the year's
/// quota.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaCandidate {
    /// Calendar year of its session.
    pub year: i32,
    /// Its session (queue order, first key).
    pub applied_on: Date,
    /// Its id (queue order, second key).
    pub claim_id: CompactString,
}

/// What one partition of a batch brings to the global pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BudgetInput {
    /// Claims and applications waiting for an account.
    pub candidates: Vec<Candidate>,
    /// Applications waiting for a place in the quota (all funds).
    pub quota_candidates: Vec<QuotaCandidate>,
    /// Per account (index in `Ruleset::accounts`): history already committed.
    pub history_committed: Vec<Decimal>,
}

/// Where each account closed (the queue key of the first claim it could not pay), and where each
/// year's apprenticeship quota filled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Closings {
    /// Per account (index in `Ruleset::accounts`).
    pub closed_at: Vec<Option<(Date, CompactString)>>,
    /// Per calendar year: the first application beyond the quota.
    pub quota_full_at: Vec<(i32, (Date, CompactString))>,
}

impl Closings {
    /// No account closes (pass 1: checks 1–11 as if every account were unlimited).
    #[must_use]
    pub fn none() -> Closings {
        Closings::default()
    }

    /// Pass 2: the closing point of every account and every year's quota, from every
    /// partition's candidates.
    #[must_use]
    pub fn compute<'a>(engine: &Engine, inputs: impl IntoIterator<Item = &'a BudgetInput>) -> Closings {
        let inputs: Vec<&BudgetInput> = inputs.into_iter().collect();
        let quota_full_at = quota_closings(engine, &inputs);
        let quota = Closings { closed_at: Vec::new(), quota_full_at };
        let accounts = &engine.rules.accounts;
        let mut committed = vec![Decimal::ZERO; accounts.len()];
        let mut queues: Vec<Vec<&Candidate>> = vec![Vec::new(); accounts.len()];
        for input in &inputs {
            for (i, h) in input.history_committed.iter().enumerate().take(accounts.len()) {
                committed[i] += *h;
            }
            // An application refused for want of a place in the quota commits nothing.
            for c in input.candidates.iter().filter(|c| !quota.refuses_application(c)) {
                if let Some(q) = queues.get_mut(usize::from(c.account)) {
                    q.push(c);
                }
            }
        }
        let closed_at = queues
            .iter()
            .enumerate()
            .map(|(i, queue)| {
                // An account that does not close (a spending goal) never refuses a claim.
                let opening = engine.closing_balance(i)?;
                let queue: Vec<(Date, i128, &str)> =
                    queue.iter().map(|c| (c.applied_on, super::report::fen_of(c.amount), c.claim_id.as_str())).collect();
                closing_point(super::report::fen_of(opening), super::report::fen_of(committed[i]), &queue)
            })
            .collect();
        Closings { closed_at, quota_full_at: quota.quota_full_at }
    }

    /// Whether a candidate is an application refused for want of a place in its year's quota
    /// (it commits nothing).
    fn refuses_application(&self, c: &Candidate) -> bool {
        c.application && self.is_quota_full(c.applied_on, &c.claim_id)
    }

    /// What each account that closes had left at its closing point: its opening balance less
    /// what the history and the claims queued before that point committed, from `input` (the
    /// whole batch in one process). `None` for an account that does not close.
    #[must_use]
    pub(crate) fn left(&self, engine: &Engine, input: &BudgetInput) -> Vec<Option<Decimal>> {
        (0..engine.rules.accounts.len())
            .map(|i| {
                let (day, id) = self.closed_at.get(i)?.as_ref()?;
                let opening = engine.closing_balance(i)?;
                let before: Decimal = input
                    .candidates
                    .iter()
                    .filter(|c| usize::from(c.account) == i && !self.refuses_application(c))
                    .filter(|c| (c.applied_on, c.claim_id.as_bytes()) < (*day, id.as_bytes()))
                    .map(|c| c.amount)
                    .sum();
                Some(opening - input.history_committed.get(i).copied().unwrap_or_default() - before)
            })
            .collect()
    }

    /// Whether nothing closes: no account ran out and no quota filled.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.closed_at.iter().all(Option::is_none) && self.quota_full_at.is_empty()
    }

    /// Whether an application with this key comes at or after its year's quota filled.
    #[must_use]
    pub fn is_quota_full(&self, applied_on: Date, claim_id: &str) -> bool {
        self.is_quota_full_by(applied_on, || claim_id)
    }

    /// As [`Closings::is_quota_full`], the id read only for an entry of the day the quota filled
    /// (it is far away in memory).
    pub(crate) fn is_quota_full_by<S: AsRef<str>>(&self, applied_on: Date, claim_id: impl Fn() -> S) -> bool {
        let year = chrono::Datelike::year(&applied_on);
        self.quota_full_at.iter().any(|(y, (date, id))| *y == year && at_or_after(applied_on, &claim_id, *date, id))
    }

    /// Whether the account closes at some point of the queue.
    #[must_use]
    pub fn closes(&self, account: u16) -> bool {
        matches!(self.closed_at.get(usize::from(account)), Some(Some(_)))
    }

    /// Whether the claim with this key comes at or after the account's closing point.
    #[must_use]
    pub fn is_closed(&self, account: u16, applied_on: Date, claim_id: &str) -> bool {
        self.is_closed_by(account, applied_on, || claim_id)
    }

    /// As [`Closings::is_closed`], the id read only for an entry of the day the account closed
    /// (it is far away in memory).
    pub(crate) fn is_closed_by<S: AsRef<str>>(&self, account: u16, applied_on: Date, claim_id: impl Fn() -> S) -> bool {
        match self.closed_at.get(usize::from(account)) {
            Some(Some((date, id))) => at_or_after(applied_on, &claim_id, *date, id),
            _ => false,
        }
    }
}

/// Whether (`applied_on`, the claim id) comes at or after (`date`, `id`) in queue order; the
/// claim id is asked for only when the days are the same.
fn at_or_after<S: AsRef<str>>(applied_on: Date, claim_id: &impl Fn() -> S, date: Date, id: &str) -> bool {
    applied_on > date || (applied_on == date && claim_id().as_ref().as_bytes() >= id.as_bytes())
}

/// Where an account with `opening` fen, of which `committed` are committed before the queue,
/// closes: the first claim in queue order — (`applied_on`, claim id byte by byte) — whose amount
/// takes the commitments above the opening balance. The days are summed first, so only the
/// claims of the day it closes are put in order.
pub(crate) fn closing_point(opening: i128, committed: i128, queue: &[(Date, i128, &str)]) -> Option<(Date, CompactString)> {
    let mut by_day: Vec<(Date, i128)> = Vec::new();
    let mut days: std::collections::BTreeMap<Date, i128> = std::collections::BTreeMap::new();
    for &(day, fen, _) in queue {
        *days.entry(day).or_default() += fen;
    }
    by_day.extend(days);
    let mut total = committed;
    let (day, before) = by_day.iter().find_map(|&(day, fen)| {
        let before = total;
        total += fen;
        (total > opening).then_some((day, before))
    })?;
    let mut that_day: Vec<(&str, i128)> = queue.iter().filter(|c| c.0 == day).map(|c| (c.2, c.1)).collect();
    if that_day.iter().any(|c| c.1 < 0) {
        // (Never from validated claims.) A running total that may fall: the day in order, as
        // before the halving below.
        that_day.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let mut total = before;
        return that_day.into_iter().find_map(|(id, fen)| {
            total += fen;
            (total > opening).then(|| (day, CompactString::from(id)))
        });
    }
    // The day is not sorted: the claim is selected by halving it around the middle id, keeping
    // the half it is in (a day of a million claims costs a few passes, not a sort). The running
    // total only grows, so the half whose total goes over holds the claim.
    let mut total = before;
    let mut part = &mut that_day[..];
    while !part.is_empty() {
        let mid = part.len() / 2;
        part.select_nth_unstable_by(mid, |a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let (left, rest) = part.split_at_mut(mid);
        let left_total: i128 = left.iter().map(|c| c.1).sum();
        let (id, fen) = rest[0];
        if !left.is_empty() && total + left_total > opening {
            part = left;
        } else if total + left_total + fen > opening {
            return Some((day, CompactString::from(id)));
        } else {
            total += left_total + fen;
            part = &mut rest[1..];
        }
    }
    None
}

/// The first application beyond each year's quota, in queue order (when the ruleset sets one).
fn quota_closings(engine: &Engine, inputs: &[&BudgetInput]) -> Vec<(i32, (Date, CompactString))> {
    let Some(quota) = engine.apprenticeship_program().and_then(|(_, _, r)| r.quota) else { return Vec::new() };
    let places = crate::engine::compile::count(engine.base_values[quota.0 as usize]) as usize;
    let all: Vec<&QuotaCandidate> = inputs.iter().flat_map(|i| &i.quota_candidates).collect();
    // Queue order is date order first, so each year's applications come together.
    let order: Vec<&QuotaCandidate> =
        super::queue_order(&all, |c| (c.applied_on, c.claim_id.as_str())).into_iter().map(|k| all[k as usize]).collect();
    order
        .chunk_by(|a, b| a.year == b.year)
        .filter_map(|year| year.get(places).map(|c| (c.year, (c.applied_on, c.claim_id.clone()))))
        .collect()
}

/// Where [`Partition::budget_where`](super::Partition) puts a claim or an application waiting
/// for an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    /// As it is, with its id.
    Whole,
    /// Summed with the others of its account into one candidate on this day, with an empty id.
    Sum(Date),
    /// Left out.
    Drop,
}

impl super::Partition<'_> {
    /// What this partition brings to pass 2: its approved claims on accounts that close when
    /// spent, its approved applications (for the quota), and its history's commitments.
    pub(super) fn budget_of(&self) -> BudgetInput {
        self.budget_where(|_, _, _| Place::Whole)
    }

    /// [`Partition::budget_of`](super::Partition) with each claim or application waiting for an
    /// account put where `place(account, applied_on, application)` says: the two rounds of
    /// `rounds.rs` read only the claims of the day an account closes one by one. The quota's
    /// candidates and the history come whole.
    pub(super) fn budget_where(&self, place: impl Fn(u16, Date, bool) -> Place) -> BudgetInput {
        let b = &self.batch;
        let engine = b.engine;
        let closing: Vec<bool> = (0..engine.rules.accounts.len()).map(|a| engine.closing_balance(a).is_some()).collect();
        let closes = |account: Option<u16>, program: u16| {
            let special = b.checks.special.get(usize::from(program)).copied().unwrap_or(false);
            account.filter(|&a| special && closing.get(usize::from(a)).copied().unwrap_or(false))
        };
        let mut history_committed = vec![Decimal::ZERO; engine.rules.accounts.len()];
        for p in &b.past {
            if let Some(a) = p.account {
                history_committed[usize::from(a)] += p.amount;
            }
        }
        let mut candidates = Vec::new();
        let mut sums: rustc_hash::FxHashMap<(u16, Date), i128> = rustc_hash::FxHashMap::default();
        // Pass 2 sums each account's queue by day and orders only the day it closes (so the
        // candidates' order is free): rows in row order, read only when an account closes.
        let rows = if closing.contains(&true) { b.rows.len() } else { 0 };
        for r in (0..rows).filter(|&r| b.rows.decision[r] == APPROVED) {
            let raw = &b.raws[b.rows.raw[r] as usize];
            let Some(account) = closes(raw.account, b.shapes.list[raw.shape as usize].program as u16) else { continue };
            let fen = self.ordered.paid.get(&(r as u32)).copied().unwrap_or(b.rows.fen[r]);
            match place(account, raw.applied_on, false) {
                Place::Whole => candidates.push(Candidate {
                    account,
                    applied_on: raw.applied_on,
                    claim_id: CompactString::from(b.claim_id(r as u32).as_ref()),
                    amount: Decimal::new(fen, 2),
                    application: false,
                }),
                Place::Sum(day) => *sums.entry((account, day)).or_default() += i128::from(fen),
                Place::Drop => {}
            }
        }
        // Then the approved applications.
        let mut quota_candidates = Vec::new();
        for p in (0..b.apps.len()).filter(|&p| matches!(b.apps[p].decision, Some(Decision::Approved(_)))) {
            let e = self.entry((b.rows.len() + p) as u32);
            quota_candidates.push(QuotaCandidate {
                year: chrono::Datelike::year(&e.applied_on),
                applied_on: e.applied_on,
                claim_id: self.entry_id(&e),
            });
            let Some(account) = closes(e.account, e.program) else { continue };
            match place(account, e.applied_on, true) {
                Place::Whole => candidates.push(Candidate {
                    account,
                    applied_on: e.applied_on,
                    claim_id: self.entry_id(&e),
                    amount: e.amount,
                    application: true,
                }),
                Place::Sum(day) => *sums.entry((account, day)).or_default() += super::report::fen_of(e.amount),
                Place::Drop => {}
            }
        }
        let mut sums: Vec<((u16, Date), i128)> = sums.into_iter().collect();
        sums.sort_unstable();
        candidates.extend(sums.into_iter().map(|((account, applied_on), fen)| {
            let amount = Decimal::try_from_i128_with_scale(fen, 2).unwrap_or(Decimal::MAX);
            super::rounds::synthetic(account, applied_on, amount)
        }));
        BudgetInput { candidates, quota_candidates, history_committed }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The closing point by the queue sorted whole (amounts are never negative: the running
    /// total only grows, so summing the days first finds the same day).
    fn by_sorting(opening: i128, committed: i128, queue: &[(Date, i128, &str)]) -> Option<(Date, CompactString)> {
        let mut sorted = queue.to_vec();
        sorted.sort_by(|a, b| (a.0, a.2.as_bytes()).cmp(&(b.0, b.2.as_bytes())));
        let mut total = committed;
        sorted.into_iter().find_map(|(day, fen, id)| {
            total += fen;
            (total > opening).then(|| (day, CompactString::from(id)))
        })
    }

    proptest! {
        #[test]
        fn the_closing_point_is_where_the_sorted_queue_first_goes_over(
            claims in proptest::collection::vec((0u32..3, 0i128..1000, 0usize..40), 0..300),
            opening in 0i128..100_000,
            committed in 0i128..2_000,
        ) {
            // Ids drawn from few (an empty one among them), so that some repeat.
            let ids: Vec<String> = (0..40).map(|i| if i == 0 { String::new() } else { format!("C{}", i * 7 % 40) }).collect();
            let day = |d: u32| crate::calendar::parse_date("2021-05-10").unwrap() + chrono::Duration::days(i64::from(d));
            let queue: Vec<(Date, i128, &str)> = claims.iter().map(|&(d, fen, id)| (day(d), fen, ids[id].as_str())).collect();
            prop_assert_eq!(closing_point(opening, committed, &queue), by_sorting(opening, committed, &queue));
        }
    }
}
