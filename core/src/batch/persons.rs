//! The cross-claim checks of one person (SPEC §7.2, checks 8–12), in first-come-first-served
//! order: once per occupation and level, never below a level already subsidised, at most N a
//! year, the highest amount within an exclusivity group (补差), and the special account.
//!
//! The checks stop at the first that fails, so a rejected claim never commits money, counts
//! toward a limit or counts as paid for a top-up.

use super::budget::Closings;
pub(crate) use super::checks::CheckRules;
use super::rows::NONE;
use super::{AppSlot, Past};
use crate::assessment::Assessment;
use crate::calendar::Date;
use crate::engine::steps::{note, pass_or_fail};
use crate::engine::Engine;
use crate::level::Level;
use crate::reasons::Reason;
use crate::trace::{Counted, Step, StepId, StepOutcome};
use chrono::Datelike;
use compact_str::CompactString;
use rust_decimal::Decimal;

/// The outcome of checks 8–12 for an eligible claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Paid this amount (its own amount, or a top-up).
    Approved(Decimal),
    /// Refused for this reason.
    Rejected(Reason),
}

/// An eligible claim (or approvable application) of a person, as the cross-claim checks see it.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// The row of the batch, or (for an application) its position among the applications.
    pub row: u32,
    /// Position in the batch's applications, for an apprenticeship application.
    pub app: Option<u32>,
    /// Queue date: `applied_on`, or an application's session.
    pub applied_on: Date,
    /// `event_date` (the overlap rule asks whether it falls within an apprenticeship).
    pub event_date: Date,
    pub program: u16,
    pub occupation: u32,
    pub level: Option<Level>,
    pub enterprise: u32,
    pub amount: Decimal,
    pub counts: bool,
    pub account: Option<u16>,
    pub decision: Decision,
}

/// What a person has been subsidised so far. One is reused for every person of a batch.
#[derive(Default)]
pub(crate) struct State {
    /// (occupation, level) pairs subsidised by level_table programs.
    levels: Vec<(u32, Level)>,
    /// Subsidies that count toward the annual limit, by calendar year of `applied_on`.
    years: Vec<(i32, u32)>,
    /// Paid within an exclusivity group, by (enterprise, year, group).
    paid: Vec<(u32, i32, u16, Decimal)>,
    /// Approved apprenticeships: (enterprise, first day, last day).
    apprenticeships: Vec<Span>,
    /// When traced: each subsidy recorded, with what it was (a history line, a claim), so that
    /// the steps can name what counted.
    recorded: Vec<(Counted, Subsidy, Option<Span>)>,
}

/// An apprenticeship's enterprise, first day and last day.
type Span = (u32, Date, Date);

impl State {
    fn clear(&mut self) {
        self.levels.clear();
        self.years.clear();
        self.paid.clear();
        self.apprenticeships.clear();
        self.recorded.clear();
    }

    /// What was recorded (when traced) that `matches`, in the order recorded.
    fn counted(&self, matches: impl Fn(&Subsidy, Option<Span>) -> bool) -> Vec<Counted> {
        self.recorded.iter().filter(|(_, s, span)| matches(s, *span)).map(|(c, ..)| c.clone()).collect()
    }

    fn count_in(&self, year: i32) -> u32 {
        self.years.iter().find(|(y, _)| *y == year).map_or(0, |(_, n)| *n)
    }

    fn paid_in(&self, enterprise: u32, year: i32, group: u16) -> Decimal {
        self.paid.iter().find(|(e, y, g, _)| (*e, *y, *g) == (enterprise, year, group)).map_or(Decimal::ZERO, |p| p.3)
    }

    /// Records a subsidy paid (from history or approved in the batch).
    fn record(&mut self, s: &Subsidy) {
        if let (true, true, Some(level)) = (s.level_table, s.occupation != NONE, s.level) {
            self.levels.push((s.occupation, level));
        }
        if s.counts {
            match self.years.iter_mut().find(|(y, _)| *y == s.year) {
                Some((_, n)) => *n += 1,
                None => self.years.push((s.year, 1)),
            }
        }
        if let Some((enterprise, group)) = s.group {
            match self.paid.iter_mut().find(|(e, y, g, _)| (*e, *y, *g) == (enterprise, s.year, group)) {
                Some(p) => p.3 += s.amount,
                None => self.paid.push((enterprise, s.year, group, s.amount)),
            }
        }
    }
}

/// A subsidy paid, as the limits see it.
#[derive(Clone)]
struct Subsidy {
    level_table: bool,
    occupation: u32,
    level: Option<Level>,
    counts: bool,
    year: i32,
    /// (enterprise, exclusivity group), when the program has a group.
    group: Option<(u32, u16)>,
    amount: Decimal,
}

/// The claim id of an entry (read only where an account closed or a quota filled).
pub(crate) type IdOf<'a> = &'a (dyn Fn(&Entry) -> CompactString + Sync);

pub(crate) struct Person<'a> {
    engine: &'a Engine,
    rules: &'a CheckRules,
    apps: &'a [AppSlot],
    closings: &'a Closings,
    id_of: IdOf<'a>,
    /// Per account that closes: what it had left at its closing point (for traces).
    left: &'a [Option<Decimal>],
    state: State,
}

/// Called with each decided entry and its cross-claim steps, when traces are asked for.
pub type Tracer<'t> = dyn FnMut(&Entry, Vec<Step>) + 't;

impl<'a> Person<'a> {
    pub fn new(engine: &'a Engine, rules: &'a CheckRules, apps: &'a [AppSlot], closings: &'a Closings, id_of: IdOf<'a>) -> Person<'a> {
        Person { engine, rules, apps, closings, id_of, left: &[], state: State::default() }
    }

    /// With what each closing account had left at its closing point, for traced budget steps.
    pub fn with_left(mut self, left: &'a [Option<Decimal>]) -> Person<'a> {
        self.left = left;
        self
    }

    /// Decides one person's eligible claims `entries` (in queue order), after their history;
    /// `trace(entry, steps, decision)` is called for each when traces are asked for.
    pub fn decide(&mut self, past: &[Past], entries: &mut [Entry], mut trace: Option<&mut Tracer<'_>>) {
        let mut state = std::mem::take(&mut self.state);
        state.clear();
        let tracing = trace.is_some();
        for p in past {
            let span = p.span.map(|(from, to)| (p.enterprise, from, to));
            if let Some(span) = span {
                state.apprenticeships.push(span);
            }
            let group = p.group.filter(|_| p.enterprise != NONE).map(|g| (p.enterprise, g));
            let subsidy = Subsidy {
                level_table: p.level_table,
                occupation: p.occupation,
                level: p.level,
                counts: p.counts,
                year: p.applied_on.year(),
                group,
                amount: p.amount,
            };
            state.record(&subsidy);
            if tracing {
                state.recorded.push((Counted::History(p.line), subsidy, span));
            }
        }
        for entry in entries.iter_mut() {
            let mut steps = Vec::new();
            entry.decision = self.check(&state, entry, trace.as_ref().map(|_| &mut steps));
            if let Decision::Approved(paid) = entry.decision {
                let program = usize::from(entry.program);
                let group = self.rules.group[program].filter(|_| entry.enterprise != NONE).map(|g| (entry.enterprise, g));
                let span = entry
                    .app
                    .and_then(|p| self.apps.get(p as usize))
                    .map(|slot| (entry.enterprise, slot.app.start_date, slot.app.end_date()));
                if let Some(span) = span {
                    state.apprenticeships.push(span);
                }
                let subsidy = Subsidy {
                    level_table: self.rules.level_table[program],
                    occupation: entry.occupation,
                    level: entry.level,
                    counts: entry.counts,
                    year: entry.applied_on.year(),
                    group,
                    amount: paid,
                };
                state.record(&subsidy);
                if tracing {
                    let id = (self.id_of)(entry).to_string();
                    let counted = if entry.app.is_some() { Counted::Application(id) } else { Counted::Claim(id) };
                    state.recorded.push((counted, subsidy, span));
                }
            }
            if let Some(t) = trace.as_mut() {
                t(entry, steps);
            }
        }
        self.state = state;
    }

    /// Checks 8–12 for one claim; stops at the first that fails.
    fn check(&self, state: &State, e: &Entry, mut steps: Option<&mut Vec<Step>>) -> Decision {
        let program = usize::from(e.program);
        let limits = &self.engine.rules.limits;
        let values = crate::engine::compile::Values::plain(&self.engine.base_values);
        // Steps are only built when traced: the fast path builds no strings.
        let tracing = steps.is_some();
        let mut step = |s: Step| {
            if let Some(steps) = steps.as_mut() {
                steps.push(s);
            }
        };
        if self.rules.needs_review(e) {
            if tracing {
                let session = self.engine.review_session(e.applied_on);
                step(self.engine.rule_step(
                    StepId::ReviewSession,
                    StepOutcome::Fail,
                    self.engine.apprenticeship_program().map(|(_, _, r)| r.sessions.path.clone()),
                    self.engine.apprenticeship_program().map(|(_, _, r)| &r.sessions.citation),
                    (Some(e.applied_on.to_string()), session.map(|d| d.to_string())),
                    note!("An apprenticeship is approved only at a review session (每双月学徒制会审): submit it as an application; it commits nothing here";
                          "企业新型学徒制须经学徒制会审批准：请以学徒制申请提交；本批次不予列支"),
                ));
            }
            return Decision::Rejected(Reason::NeedsReview);
        }
        let comparable = self.rules.level_table[program] && e.occupation != NONE;
        // 8. Once per person, occupation and level (S9, S11).
        if let (true, true, Some(level)) = (self.rules.once_per_level, comparable, e.level) {
            let ok = !state.levels.contains(&(e.occupation, level));
            if tracing {
                let same = |s: &Subsidy, _| s.level_table && s.occupation == e.occupation && s.level == Some(level);
                let counted = if ok { Vec::new() } else { state.counted(same) };
                step(naming(counted, self.engine.param_step(
                    StepId::DuplicateLevel,
                    pass_or_fail(ok),
                    limits.once_per_occupation_level,
                    values,
                    (Some(level.code().to_string()), None),
                    if ok {
                        note!("No earlier subsidy for this occupation at {}", level.name_en(); "此前未享受该职业（工种）{}补贴", level.name_zh())
                    } else {
                        note!("Already subsidised for this occupation at {}", level.name_en(); "已享受过该职业（工种）{}补贴", level.name_zh())
                    },
                )));
            }
            if !ok {
                return Decision::Rejected(Reason::DuplicateLevel);
            }
        }
        // 9. Not below a level already subsidised (S7).
        if let (true, true, Some(level)) = (self.rules.no_lower_level, comparable, e.level) {
            let higher = state.levels.iter().find(|(o, l)| *o == e.occupation && l.is_above(level)).map(|(_, l)| *l);
            if tracing {
                let above = |s: &Subsidy, _| s.level_table && s.occupation == e.occupation && s.level.is_some_and(|l| l.is_above(level));
                let counted = if higher.is_none() { Vec::new() } else { state.counted(above) };
                step(naming(counted, self.engine.param_step(
                    StepId::LowerLevel,
                    pass_or_fail(higher.is_none()),
                    limits.no_lower_level_after_higher,
                    values,
                    (Some(level.code().to_string()), higher.map(|l| l.code().to_string())),
                    match higher {
                        None => note!("No higher level of this occupation was subsidised"; "未享受该职业（工种）更高等级补贴"),
                        Some(h) => {
                            note!("{} of this occupation was already subsidised", h.name_en(); "已享受该职业（工种）{}补贴", h.name_zh())
                        }
                    },
                )));
            }
            if higher.is_some() {
                return Decision::Rejected(Reason::LowerThanSubsidisedLevel);
            }
        }
        // 10. At most N subsidies a calendar year, over the programs that count (S9).
        if e.counts {
            let year = e.applied_on.year();
            let have = state.count_in(year);
            let max = self.rules.annual_claims;
            let ok = have < max;
            if tracing {
                let counted = state.counted(|s, _| s.counts && s.year == year);
                step(naming(counted, self.engine.param_step(
                    StepId::AnnualLimit,
                    pass_or_fail(ok),
                    limits.annual_claims,
                    values,
                    (Some(have.to_string()), Some(max.to_string())),
                    note!("{have} subsidies already in {year}; at most {max} a year"; "{year}年已享受 {have} 次补贴，每年最多 {max} 次"),
                )));
            }
            if !ok {
                return Decision::Rejected(Reason::AnnualLimitReached);
            }
        }
        // 11. Within an exclusivity group the payer pays at most the highest amount: a top-up (补差, S13).
        let mut paid = e.amount;
        if let (Some(group), true) = (self.rules.group[program], e.enterprise != NONE) {
            let already = state.paid_in(e.enterprise, e.applied_on.year(), group);
            let top_up = e.amount - already;
            let ok = top_up > Decimal::ZERO;
            if tracing {
                let p = &self.engine.rules.programs[program];
                let cited = p.exclusivity_group.as_ref();
                let year = e.applied_on.year();
                let counted = state.counted(|s, _| s.group == Some((e.enterprise, group)) && s.year == year);
                step(naming(counted, self.engine.rule_step(
                    StepId::Exclusivity,
                    pass_or_fail(ok),
                    cited.map(|g| g.path.clone()),
                    cited.map(|g| &g.citation),
                    (Some(e.amount.to_string()), Some(if ok { top_up.to_string() } else { "0.00".into() })),
                    if already.is_zero() {
                        note!("Nothing paid yet in this group for this enterprise and year"; "本年度该企业此类补贴尚未支付")
                    } else if ok {
                        note!("{already} already paid in the group: only the top-up {top_up} is paid (补差)"; "同类补贴已支付 {already} 元，本次补差 {top_up} 元")
                    } else {
                        note!("{already} already paid in the group is as much or more: nothing to top up"; "同类补贴已支付 {already} 元，不低于本次金额，不予重复享受")
                    },
                )));
            }
            if !ok {
                return Decision::Rejected(Reason::ExclusiveWithOtherProgram);
            }
            paid = top_up;
        }
        // An apprentice's training is paid through the apprenticeship: the same enterprise's
        // upgrading claims for it are refused while it runs (§8; a data flag).
        if self.rules.overlap[program] && e.enterprise != NONE {
            let running =
                state.apprenticeships.iter().find(|(ent, from, to)| *ent == e.enterprise && *from <= e.event_date && e.event_date <= *to);
            if tracing {
                if let Some((_, _, review)) = self.engine.apprenticeship_program() {
                    let counted = match running {
                        Some(&held) => state.counted(|_, span| span == Some(held)),
                        None => Vec::new(),
                    };
                    step(naming(counted, self.engine.param_step(
                        StepId::ApprenticeshipOverlap,
                        pass_or_fail(running.is_none()),
                        review.overlap,
                        values,
                        (Some(e.event_date.to_string()), running.map(|(_, f, t)| format!("{f}..{t}"))),
                        match running {
                            None => note!("No apprenticeship of this person with this enterprise runs on {}", e.event_date; "{} 该人员在该企业无在培学徒制培训", e.event_date),
                            Some((_, f, t)) => note!("The person is this enterprise's apprentice from {f} to {t}: the training is paid through the apprenticeship";
                                                     "该人员 {f} 至 {t} 为该企业学徒，培训已由学徒制补贴"),
                        },
                    )));
                }
            }
            if running.is_some() {
                return Decision::Rejected(Reason::ApprenticeshipOverlap);
            }
        }
        if let Some(slot) = e.app.and_then(|p| self.apps.get(p as usize)) {
            let (from, to) = (slot.app.start_date, slot.app.end_date());
            // One approved apprenticeship per person at a time (§8).
            let held = state.apprenticeships.iter().find(|(_, f, t)| *f <= to && from <= *t);
            if tracing {
                let counted = match held {
                    Some(&held) => state.counted(|_, span| span == Some(held)),
                    None => Vec::new(),
                };
                step(naming(counted, self.engine.rule_step(
                    StepId::OneAtATime,
                    pass_or_fail(held.is_none()),
                    None,
                    None,
                    (Some(format!("{from}..{to}")), held.map(|(_, f, t)| format!("{f}..{t}"))),
                    match held {
                        None => note!("No other approved apprenticeship of this person overlaps {from}..{to}"; "该人员无其他时间重叠的学徒制培训"),
                        Some((_, f, t)) => note!("The person already holds an apprenticeship from {f} to {t}"; "该人员已有 {f} 至 {t} 的学徒制培训"),
                    },
                )));
            }
            if held.is_some() {
                return Decision::Rejected(Reason::AlreadyApprenticed);
            }
            if let Some((_, _, review)) = self.engine.apprenticeship_program() {
                if let Some(quota) = review.quota {
                    // The claim id is only read where a quota filled (it is far away in memory).
                    let full = !self.closings.quota_full_at.is_empty() && self.closings.is_quota_full_by(e.applied_on, || (self.id_of)(e));
                    if tracing {
                        step(self.engine.param_step(
                            StepId::Quota,
                            pass_or_fail(!full),
                            quota,
                            values,
                            (None, None),
                            if full {
                                note!("The year's quota of apprentices was full before this application's turn"; "本年度学徒制名额已满")
                            } else {
                                note!("A place in the year's quota of apprentices"; "在本年度学徒制名额之内")
                            },
                        ));
                    }
                    if full {
                        return Decision::Rejected(Reason::QuotaFull);
                    }
                }
            }
        }
        // 12. The special account, served strictly in order until it runs out (资金用完即止).
        if self.rules.special[program] {
            let Some(account) = e.account else {
                if tracing {
                    step(self.engine.rule_step(
                        StepId::Budget,
                        StepOutcome::Fail,
                        Some("accounts".into()),
                        None,
                        (Some(e.applied_on.to_string()), None),
                        note!("No special account covers {}", e.applied_on; "{} 不在任何专账资金使用期内", e.applied_on),
                    ));
                }
                return Decision::Rejected(Reason::NoAccountInForce);
            };
            let closed = self.closings.closes(account) && self.closings.is_closed_by(account, e.applied_on, || (self.id_of)(e));
            if tracing {
                let a = &self.engine.rules.accounts[usize::from(account)];
                let closes = self.engine.closing_balance(usize::from(account)).is_some();
                let rule = match a.opening_balance {
                    Some(opening) if closes => opening,
                    _ => a.closes_when_spent,
                };
                let closing = self.closings.closed_at.get(usize::from(account)).and_then(Option::as_ref).filter(|_| closed);
                let left = self.left.get(usize::from(account)).copied().flatten();
                let counted = closing.map(|(_, id)| vec![Counted::Claim(id.to_string())]).unwrap_or_default();
                step(naming(counted, self.engine.param_step(
                    StepId::Budget,
                    pass_or_fail(!closed),
                    rule,
                    values,
                    (Some(paid.to_string()), left.filter(|_| closed).map(|l| l.to_string())),
                    if let (Some((day, id)), Some(left)) = (closing, left) {
                        note!("Account {} was used up before this claim's turn (it closes when spent): it closed at {id}, applied on {day}, with {left} left, less than that claim's amount",
                              a.id; "专账 {} 在本申请之前已用完（资金用完即止）：于 {day} 申请的 {id} 处用完，当时余额 {left} 元，不足支付该申请", a.id)
                    } else if closed {
                        note!("Account {} was used up before this claim's turn (it closes when spent)", a.id; "专账 {} 在本申请之前已用完（资金用完即止）", a.id)
                    } else if closes {
                        note!("Committed against account {} in first-come-first-served order (it closes when spent)", a.id; "按申请先后从专账 {} 列支（资金用完即止）", a.id)
                    } else {
                        note!("Committed against account {}; its spending is a goal, not a cap, so it refuses no claim", a.id;
                              "从专账 {} 列支；专账支出为工作目标而非上限，不因资金额度拒绝申请", a.id)
                    },
                )));
            }
            if closed {
                return Decision::Rejected(Reason::BudgetExhausted);
            }
        }
        Decision::Approved(paid)
    }
}

/// A cross-claim step that names what counted: in its `counted` list, and at the end of its notes.
fn naming(counted: Vec<Counted>, mut step: Step) -> Step {
    if !counted.is_empty() {
        let en: Vec<String> = counted.iter().map(Counted::name_en).collect();
        let zh: Vec<String> = counted.iter().map(Counted::name_zh).collect();
        step.note_en.push_str(&format!(" (counted: {})", en.join(", ")));
        step.note_zh.push_str(&format!("（计入：{}）", zh.join("、")));
    }
    step.counted = counted;
    step
}

/// Puts a claim's batch steps into its trace: they follow the per-claim steps, and the payment
/// step moves to the end (or goes, when the claim is refused).
pub(crate) fn finish_trace(a: &mut Assessment, steps: Vec<Step>, decision: Decision) {
    let Some(trace) = a.trace.as_mut() else { return };
    // A re-decided person's claims are traced again: drop any earlier batch steps.
    let batch_steps = [
        StepId::DuplicateLevel,
        StepId::LowerLevel,
        StepId::AnnualLimit,
        StepId::Exclusivity,
        StepId::ApprenticeshipOverlap,
        StepId::Budget,
    ];
    trace.steps.retain(|s| !batch_steps.contains(&s.step));
    let payment = trace.steps.iter().position(|s| s.step == StepId::Payment).map(|i| trace.steps.remove(i));
    trace.steps.extend(steps);
    if let (Decision::Approved(_), Some(payment)) = (decision, payment) {
        trace.steps.push(payment);
    }
}
