//! Building a batch's report (SPEC §9) from its decided claims and its history: tallies by
//! dimension, each account's commitments and payments, and the counts toward the plan's targets.
//! Sums are kept in whole fen by small index, and named once per key at the end.

use super::persons::CheckRules;
use super::rows::{Interner, NONE};
use super::{AppSlot, Past};
use crate::assessment::Assessment;
use crate::calendar::{Date, YearMonth};
use crate::engine::compile::count;
use crate::engine::Engine;
use crate::level::Level;
use crate::reasons::Status;
use crate::report::{AccountLedger, KeyTallies, Report, Tally, TargetLine, TargetSetReport};
use crate::rules::ParamId;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// A count and an amount in whole fen: a report's sums without a decimal addition per claim.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FenTally {
    pub count: u64,
    pub fen: i128,
}

impl FenTally {
    fn merge(&mut self, other: FenTally) {
        self.count += other.count;
        self.fen += other.fen;
    }

    /// The amount in yuan.
    fn amount(self) -> Decimal {
        // Within Decimal's range for any real batch (2^96 fen); saturates rather than panics.
        Decimal::try_from_i128_with_scale(self.fen, 2).unwrap_or(if self.fen < 0 { Decimal::MIN } else { Decimal::MAX })
    }

    fn tally(self) -> Tally {
        Tally { count: self.count, amount: self.amount() }
    }
}

/// An amount in fen (amounts are rounded to the fen, so this is exact).
pub(crate) fn fen_of(amount: Decimal) -> i128 {
    if amount.scale() == 2 {
        return amount.mantissa();
    }
    let mut fen = amount;
    fen.rescale(2);
    fen.mantissa()
}

/// Approved claims as the report counts them: `count` claims alike in everything the report
/// looks at, with their amounts summed in fen.
pub(crate) struct Counted {
    /// Index of the program in the engine.
    pub program: u16,
    pub level: Option<crate::level::Level>,
    pub occupation: u32,
    pub district: u32,
    pub project: u32,
    /// Month of commitment: `applied_on`, or an application's session.
    pub applied_on: Date,
    pub payment_month: Option<YearMonth>,
    pub account: Option<u16>,
    /// Position in the batch's applications, for an apprenticeship application.
    pub app: Option<u32>,
    pub count: u64,
    pub fen: i128,
}

/// The names behind a batch's interned districts, occupations and projects.
#[derive(Clone, Copy)]
pub(crate) struct Names<'a> {
    pub districts: &'a Interner,
    pub occupations: &'a Interner,
    pub projects: &'a Interner,
}

/// A report key (program, level, district, occupation, each an index below 2^24) and a month
/// packed in one integer, for a cheap hash per claim.
fn pack_keys(keys: [usize; 4], month: YearMonth) -> u128 {
    let key = keys.iter().fold(0u128, |k, &i| (k << 24) | (i as u128 & 0xff_ffff));
    (key << 32) | u128::from(u32::try_from(i64::from(month.year()) * 12 + i64::from(month.month()) - 1).unwrap_or(0))
}

fn unpack_keys(k: u128) -> ([u32; 4], YearMonth) {
    let n = (k & 0xffff_ffff) as i64;
    let month = YearMonth::new(i32::try_from(n / 12).unwrap_or(0), (n % 12) as u32 + 1).unwrap_or(YearMonth::of(Date::MIN));
    let keys = std::array::from_fn(|d| ((k >> (32 + 24 * (3 - d))) & 0xff_ffff) as u32);
    (keys, month)
}

/// Sums by month (a batch spans a few): the counts toward the targets and, per account, a tally.
struct MonthSums {
    accounts: usize,
    list: Vec<(YearMonth, MonthSum)>,
}

#[derive(Default)]
struct MonthSum {
    counts: crate::report::Counts,
    accounts: Vec<FenTally>,
}

impl MonthSums {
    fn new(accounts: usize) -> MonthSums {
        MonthSums { accounts, list: Vec::new() }
    }

    /// Adds another's sums, its months not met here after these.
    fn merge(&mut self, other: MonthSums) {
        for (month, sum) in other.list {
            let m = self.at(month);
            m.counts.merge(&sum.counts);
            for (a, b) in m.accounts.iter_mut().zip(sum.accounts) {
                a.merge(b);
            }
        }
    }

    /// The sums of `month` (the last month asked for is found first).
    fn at(&mut self, month: YearMonth) -> &mut MonthSum {
        let i = match self.list.iter().rposition(|(m, _)| *m == month) {
            Some(i) => i,
            None => {
                self.list.push((
                    month,
                    MonthSum { counts: crate::report::Counts::default(), accounts: vec![FenTally::default(); self.accounts] },
                ));
                self.list.len() - 1
            }
        };
        &mut self.list[i].1
    }
}

/// Whether a certificate at `level` makes a new high-skill worker: 高级工 (3) and above (S61).
fn high_skill(level: Option<Level>) -> bool {
    matches!(level, Some(Level::L3 | Level::L2 | Level::L1))
}

/// The sums of a batch's approved claims as the report counts them, in whole fen by small index
/// (named once per key when the report is built): made apart from the records, on another
/// thread, and added to by claims and then applications.
pub(crate) struct Sums<'a> {
    engine: &'a Engine,
    checks: &'a CheckRules,
    applications: &'a [AppSlot],
    ledgers: Vec<AccountLedger>,
    approved_all: FenTally,
    by_program: Vec<FenTally>,
    by_level: [FenTally; 8],
    /// The last slot of each holds claims without a district or occupation.
    by_district: Vec<FenTally>,
    by_occupation: Vec<FenTally>,
    by_month: Vec<(YearMonth, Vec<FenTally>)>,
    /// Every key at once, by index packed in one integer: a few thousand keys however many claims.
    by_keys: rustc_hash::FxHashMap<u128, FenTally>,
    /// Per month of commitment: the counts toward the targets and, per account, what was
    /// committed; per month of payment and account, what is paid.
    months: MonthSums,
    paid_months: MonthSums,
    projects: rustc_hash::FxHashSet<(YearMonth, u32)>,
}

impl<'a> Sums<'a> {
    /// No claims yet; the accounts' ledgers open with the closing points `closings`.
    pub fn new(
        engine: &'a Engine,
        checks: &'a CheckRules,
        applications: &'a [AppSlot],
        names: Names<'_>,
        closings: &super::Closings,
    ) -> Self {
        let rules = &engine.rules;
        let value = |id: ParamId| engine.base_values[id.0 as usize];
        let ledgers = rules
            .accounts
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let mut ledger = AccountLedger::new(
                    a.period,
                    a.spending_target.map(|p| value(p).number()),
                    a.opening_balance.map(|p| value(p).number()),
                    engine.closing_balance(i).is_some(),
                );
                ledger.closed_in = closings.closed_at.get(i).and_then(|c| c.as_ref()).map(|(date, _)| YearMonth::of(*date));
                ledger
            })
            .collect();
        let accounts = rules.accounts.len();
        Sums {
            engine,
            checks,
            applications,
            ledgers,
            approved_all: FenTally::default(),
            by_program: vec![FenTally::default(); rules.programs.len()],
            by_level: [FenTally::default(); 8],
            by_district: vec![FenTally::default(); names.districts.names.len() + 1],
            by_occupation: vec![FenTally::default(); names.occupations.names.len() + 1],
            by_month: Vec::new(),
            by_keys: rustc_hash::FxHashMap::default(),
            months: MonthSums::new(accounts),
            paid_months: MonthSums::new(accounts),
            projects: rustc_hash::FxHashSet::default(),
        }
    }

    /// Adds the sums of the approved claims of later rows, made apart (on another thread) from
    /// the same batch: as if they had been added here after these, the months and keys first met
    /// there after those met here. Only claims: the applications' (which alone touch the
    /// accounts' ledgers) are added once, to the whole.
    pub fn merge(&mut self, other: Sums<'_>) {
        let merge_all = |a: &mut [FenTally], b: &[FenTally]| a.iter_mut().zip(b).for_each(|(a, b)| a.merge(*b));
        self.approved_all.merge(other.approved_all);
        merge_all(&mut self.by_program, &other.by_program);
        merge_all(&mut self.by_level, &other.by_level);
        merge_all(&mut self.by_district, &other.by_district);
        merge_all(&mut self.by_occupation, &other.by_occupation);
        for (month, tallies) in other.by_month {
            match self.by_month.iter_mut().find(|(m, _)| *m == month) {
                Some((_, t)) => merge_all(t, &tallies),
                None => self.by_month.push((month, tallies)),
            }
        }
        for (keys, t) in other.by_keys {
            self.by_keys.entry(keys).or_default().merge(t);
        }
        self.months.merge(other.months);
        self.paid_months.merge(other.paid_months);
        self.projects.extend(other.projects);
    }

    /// Adds approved claims.
    pub fn add(&mut self, approved: impl Iterator<Item = Counted>) {
        let (engine, checks) = (self.engine, self.checks);
        let (programs, accounts) = (engine.rules.programs.len(), engine.rules.accounts.len());
        let (districts, occupations) = (self.by_district.len(), self.by_occupation.len());
        let slot = |id: u32, len: usize| if id == NONE { len - 1 } else { id as usize };
        for e in approved {
            let (payment_month, count, fen) = (e.payment_month, e.count, e.fen);
            let rule = engine.programs[usize::from(e.program)].rule;
            let tally = FenTally { count, fen };
            self.approved_all.merge(tally);
            self.by_program[rule].merge(tally);
            let level = e.level.map_or(7, Level::index);
            self.by_level[level].merge(tally);
            let (district, occupation) = (slot(e.district, districts), slot(e.occupation, occupations));
            self.by_district[district].merge(tally);
            self.by_occupation[occupation].merge(tally);
            let month = YearMonth::of(e.applied_on);
            self.by_keys.entry(pack_keys([rule, level, district, occupation], month)).or_default().merge(tally);
            match self.by_month.iter_mut().rev().find(|(m, _)| *m == month) {
                Some((_, t)) => t[rule].merge(tally),
                None => {
                    let mut t = vec![FenTally::default(); programs];
                    t[rule] = tally;
                    self.by_month.push((month, t));
                }
            }
            let m = self.months.at(month);
            if e.app.is_some() {
                m.counts.apprentices += count;
            } else {
                m.counts.person_times += count;
            }
            if checks.level_table[usize::from(e.program)] && high_skill(e.level) {
                m.counts.high_skill_workers += count;
            }
            if e.project != NONE {
                self.projects.insert((month, e.project));
            }
            let Some(account) = e.account.filter(|a| checks.special[usize::from(e.program)] && usize::from(*a) < accounts) else {
                continue;
            };
            let account = usize::from(account);
            m.accounts[account].merge(tally);
            match e.app.and_then(|p| self.applications.get(p as usize)) {
                // An apprenticeship is paid in stages, and its outcome may release part of it.
                Some(slot) => {
                    let paid = tally.amount();
                    let session = slot.session.unwrap_or(e.applied_on);
                    let schedule = engine.schedule(&slot.app, session, paid);
                    let ledger = &mut self.ledgers[account];
                    ledger.released += paid - schedule.final_amount;
                    for p in schedule.payments {
                        *ledger.paid_by_month.entry(p.month).or_default() += p.amount;
                    }
                }
                None => {
                    if let Some(month) = payment_month {
                        self.paid_months.at(month).accounts[account].merge(tally);
                    }
                }
            }
        }
    }
}

/// The report (SPEC §9) of claims with these statuses (each `count` times) and the approved
/// claims summed in `sums`, on top of the history `past`.
pub(crate) fn build_report<'a>(
    past: &[Past],
    names: Names<'_>,
    statuses: impl Iterator<Item = (&'a Assessment, u64)>,
    sums: Sums<'_>,
) -> Report {
    let Sums {
        engine,
        mut ledgers,
        approved_all,
        by_program,
        by_level,
        by_district,
        by_occupation,
        by_month,
        by_keys,
        months,
        paid_months,
        projects,
        ..
    } = sums;
    let rules = &engine.rules;
    let value = |id: ParamId| engine.base_values[id.0 as usize];
    let lag = count(value(rules.payment.months_after_application));
    let targets = rules
        .targets
        .iter()
        .map(|t| TargetSetReport {
            id: t.id.clone(),
            name_zh: t.name_zh.clone(),
            name_en: t.name_en.clone(),
            period: t.period,
            lines: t
                .targets
                .iter()
                .map(|x| TargetLine { measure: x.measure, per_year: x.per_year, target: u64::from(count(value(x.value))) })
                .collect(),
        })
        .collect();
    let mut report = Report { targets, ..Report::default() };
    let progress = &mut report.progress;
    for p in past {
        let month = YearMonth::of(p.applied_on);
        if let Some(ledger) = p.account.and_then(|a| ledgers.get_mut(usize::from(a))) {
            ledger.history_committed += p.amount;
            *ledger.committed_by_month.entry(month).or_default() += p.amount;
            // History was paid as a claim is: the month after it was applied for (按月发放).
            *ledger.paid_by_month.entry(month.plus(lag)).or_default() += p.amount;
        }
        let counts = progress.by_month.entry(month).or_default();
        if p.apprenticeship {
            counts.apprentices += 1;
        } else {
            counts.person_times += 1;
        }
        if p.level_table && high_skill(p.level) {
            counts.high_skill_workers += 1;
        }
        if p.project != NONE {
            progress.projects.insert((month, names.projects.name(p.project).to_string()));
        }
    }
    for (a, count) in statuses {
        report.claims += count;
        match a.status {
            Status::Invalid => report.invalid += count,
            Status::Rejected => {
                report.rejected += count;
                for r in a.reasons.iter() {
                    *report.rejections.entry(r).or_default() += count;
                }
            }
            _ => {}
        }
    }
    for (month, sums) in months.list {
        progress.by_month.entry(month).or_default().merge(&sums.counts);
        for (ledger, t) in ledgers.iter_mut().zip(sums.accounts).filter(|(_, t)| t.count > 0) {
            ledger.committed += t.amount();
            *ledger.committed_by_month.entry(month).or_default() += t.amount();
        }
    }
    for (month, sums) in paid_months.list {
        for (ledger, t) in ledgers.iter_mut().zip(sums.accounts).filter(|(_, t)| t.count > 0) {
            *ledger.paid_by_month.entry(month).or_default() += t.amount();
        }
    }
    progress.projects.extend(projects.into_iter().map(|(month, p)| (month, names.projects.name(p).to_string())));
    report.approved = approved_all.tally();
    for (month, tallies) in by_month {
        let mut all = FenTally::default();
        for (rule, t) in tallies.iter().enumerate().filter(|(_, t)| t.count > 0) {
            all.merge(*t);
            report.by_month_program.insert((month, rules.programs[rule].id.clone()), t.tally());
        }
        report.by_month.insert(month, all.tally());
    }
    let named = |tallies: &[FenTally], name: &dyn Fn(usize) -> String| -> BTreeMap<String, Tally> {
        let mut out: BTreeMap<String, FenTally> = BTreeMap::new();
        for (i, t) in tallies.iter().enumerate().filter(|(_, t)| t.count > 0) {
            out.entry(name(i)).or_default().merge(*t);
        }
        out.into_iter().map(|(k, t)| (k, t.tally())).collect()
    };
    report.by_program = named(&by_program, &|i| rules.programs[i].id.clone());
    let fund_of = |i: usize| rules.programs[i].fund.code().to_string();
    report.by_fund = named(&by_program, &fund_of);
    report.by_level = named(&by_level, &|i| Level::ALL.get(i).map_or("-", |l| l.code()).to_string());
    report.by_district = named(&by_district, &|i| names.districts.name(i as u32).to_string());
    report.by_occupation = named(&by_occupation, &|i| names.occupations.name(i as u32).to_string());
    // The names behind the indices, `-` last (the slot of a claim without one).
    let with_none = |interner: &Interner| interner.names.iter().map(|n| n.to_string()).chain(["-".to_string()]).collect::<Vec<_>>();
    report.by_keys = KeyTallies::new([
        rules.programs.iter().map(|p| p.id.clone()).collect(),
        Level::ALL.iter().map(|l| l.code().to_string()).chain(["-".to_string()]).collect(),
        with_none(names.districts),
        with_none(names.occupations),
    ]);
    for (keys, t) in by_keys {
        let (keys, month) = unpack_keys(keys);
        report.by_keys.push(keys, month, t.tally());
    }
    report.accounts = rules.accounts.iter().map(|a| a.id.clone()).zip(ledgers).collect();
    report
}

#[cfg(test)]
mod tests {
    #[test]
    fn high_skill_workers_are_levels_three_to_one() {
        use super::{high_skill, Level};
        let high: Vec<&str> = Level::ALL.into_iter().filter(|l| high_skill(Some(*l))).map(Level::code).collect();
        assert_eq!(high, ["3", "2", "1"]);
        assert!(!high_skill(None));
    }
}
