//! The special account's one global pass (SPEC §7.2 check 12, §11): the account is served
//! strictly in (`applied_on`, `claim_id`) order and closes at the first claim whose amount
//! would take its commitments above the opening balance — that claim and every later claim on
//! the account are refused, even a smaller one that would fit. No partial payment.
//!
//! Because the account closes at one point of the queue, a prefix sum over the claims that
//! passed checks 1–11 finds that point exactly, whichever way the batch was split by person.

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
}

/// What one partition of a batch brings to the global budget pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BudgetInput {
    /// Claims waiting for an account.
    pub candidates: Vec<Candidate>,
    /// Per account (index in `Ruleset::accounts`): history already committed.
    pub history_committed: Vec<Decimal>,
}

/// Where each account closed: the queue key of the first claim it could not pay.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Closings {
    /// Per account (index in `Ruleset::accounts`).
    pub closed_at: Vec<Option<(Date, CompactString)>>,
}

impl Closings {
    /// No account closes (pass 1: checks 1–11 as if every account were unlimited).
    #[must_use]
    pub fn none() -> Closings {
        Closings::default()
    }

    /// Pass 2: the closing point of every account, from every partition's candidates.
    #[must_use]
    pub fn compute<'a>(engine: &Engine, inputs: impl IntoIterator<Item = &'a BudgetInput>) -> Closings {
        let accounts = &engine.rules.accounts;
        let mut committed = vec![Decimal::ZERO; accounts.len()];
        let mut queues: Vec<Vec<&Candidate>> = vec![Vec::new(); accounts.len()];
        for input in inputs {
            for (i, h) in input.history_committed.iter().enumerate().take(accounts.len()) {
                committed[i] += *h;
            }
            for c in &input.candidates {
                if let Some(q) = queues.get_mut(usize::from(c.account)) {
                    q.push(c);
                }
            }
        }
        let closed_at = queues
            .iter_mut()
            .enumerate()
            .map(|(i, queue)| {
                let mut keyed: Vec<(Date, u128, &Candidate)> =
                    queue.iter().map(|c| (c.applied_on, super::id_prefix(&c.claim_id), *c)).collect();
                keyed.sort_unstable_by(|a, b| super::queue_order((a.0, a.1, &a.2.claim_id), (b.0, b.1, &b.2.claim_id)));
                *queue = keyed.into_iter().map(|(_, _, c)| c).collect();
                let opening = engine.base_values[accounts[i].opening_balance.0 as usize].number();
                let mut total = committed[i];
                queue.iter().find_map(|c| {
                    total += c.amount;
                    (total > opening).then(|| (c.applied_on, c.claim_id.clone()))
                })
            })
            .collect();
        Closings { closed_at }
    }

    /// Whether the claim with this key comes at or after the account's closing point.
    #[must_use]
    pub fn is_closed(&self, account: u16, applied_on: Date, claim_id: &str) -> bool {
        match self.closed_at.get(usize::from(account)) {
            Some(Some((date, id))) => (applied_on, claim_id.as_bytes()) >= (*date, id.as_bytes()),
            _ => false,
        }
    }
}
