//! What the cross-claim checks (SPEC §7.2, checks 8–12) need from the ruleset, read once per
//! batch, and the decision of a person's only claim, which needs no more than that.

use super::budget::Closings;
use super::persons::{Decision, Entry};
use crate::engine::Engine;
use crate::reasons::Reason;
use crate::rules::{Calculation, Fund, Program};

/// What the checks need from the ruleset, read once per batch.
pub(crate) struct CheckRules {
    pub annual_claims: u32,
    pub once_per_level: bool,
    pub no_lower_level: bool,
    /// Per program: whether it is a `level_table` program (checks 8 and 9 compare those).
    pub level_table: Vec<bool>,
    /// Per program: its exclusivity group, as an index.
    pub group: Vec<Option<u16>>,
    /// Per program: whether it is paid from the special account.
    pub special: Vec<bool>,
    /// Per program: whether it is the apprenticeship, approved only at a review session (§8).
    pub apprenticeship: Vec<bool>,
    /// Per program: whether an apprentice's claims of it for the same enterprise are refused
    /// while the apprenticeship runs.
    pub overlap: Vec<bool>,
}

impl CheckRules {
    pub fn new(engine: &Engine) -> CheckRules {
        let rules = &engine.rules;
        let value = |id: crate::rules::ParamId| engine.base_values[id.0 as usize];
        let mut groups: Vec<&str> = Vec::new();
        let group = rules
            .programs
            .iter()
            .map(|p| {
                p.exclusivity_group.as_ref().map(|g| match groups.iter().position(|x| *x == g.value) {
                    Some(i) => i as u16,
                    None => {
                        groups.push(&g.value);
                        (groups.len() - 1) as u16
                    }
                })
            })
            .collect();
        CheckRules {
            annual_claims: crate::engine::compile::count(value(rules.limits.annual_claims)),
            once_per_level: value(rules.limits.once_per_occupation_level).flag(),
            no_lower_level: value(rules.limits.no_lower_level_after_higher).flag(),
            level_table: rules.programs.iter().map(|p: &Program| matches!(p.calculation, Calculation::LevelTable { .. })).collect(),
            group,
            special: rules.programs.iter().map(|p| p.fund == Fund::SpecialAccount).collect(),
            apprenticeship: rules.programs.iter().map(|p| matches!(p.calculation, Calculation::Apprenticeship { .. })).collect(),
            overlap: {
                let review = engine.apprenticeship_program().map(|(_, _, r)| r).filter(|r| value(r.overlap).flag());
                rules.programs.iter().map(|p| review.is_some_and(|r| r.overlap_programs.value.contains(&p.id))).collect()
            },
        }
    }
}

impl CheckRules {
    /// Whether the entry is an apprenticeship sent as a plain claim: in a batch it is approved
    /// only as an application reviewed at a session (§8), so it commits nothing.
    pub fn needs_review(&self, e: &Entry) -> bool {
        e.app.is_none() && self.apprenticeship[usize::from(e.program)]
    }

    /// [`CheckRules::lone`] for a claim (not an application) before any account has closed:
    /// its program and account decide, `None` when it stays approved.
    pub fn lone_claim(&self, program: u16, account: Option<u16>) -> Option<Reason> {
        let p = usize::from(program);
        if self.apprenticeship[p] {
            Some(Reason::NeedsReview)
        } else if self.special[p] && account.is_none() {
            Some(Reason::NoAccountInForce)
        } else {
            None
        }
    }

    /// What checks 8–12 give a person's only claim when the person has no history: alone it
    /// fails none of checks 8–11 (a lone claim is never a repeat, a lower level, a second
    /// apprenticeship or a top-up, and it is within an annual limit of at least one), so only
    /// the quota and the account can refuse it — as [`Person::decide`] would, without looking
    /// at the person. The batch's property tests compare the two.
    pub fn lone<S: AsRef<str>>(&self, e: &Entry, closings: &Closings, claim_id: impl Fn() -> S) -> Decision {
        if self.needs_review(e) {
            return Decision::Rejected(Reason::NeedsReview);
        }
        if e.app.is_some() && !closings.quota_full_at.is_empty() && closings.is_quota_full_by(e.applied_on, &claim_id) {
            return Decision::Rejected(Reason::QuotaFull);
        }
        if self.special[usize::from(e.program)] {
            match e.account {
                None => return Decision::Rejected(Reason::NoAccountInForce),
                Some(a) if closings.closes(a) && closings.is_closed_by(a, e.applied_on, &claim_id) => {
                    return Decision::Rejected(Reason::BudgetExhausted)
                }
                Some(_) => {}
            }
        }
        Decision::Approved(e.amount)
    }
}
