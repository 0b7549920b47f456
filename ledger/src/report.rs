//! The report of SPEC §9 over what the ledger holds: the decisions on record counted as one
//! batch's report counts its own — by status and reason, by program, level, district, fund,
//! occupation and month, each account's commitments and payments (an apprenticeship's staged
//! payments as its outcome left them), progress against the targets, the two-month cuts — on
//! top of the imported history, which the core reports as it reports any history.
//!
//! The decisions are summed from what was recorded, never decided again: a report shows what
//! was committed, whatever the rules are now. The rules given (the engine) only set what a
//! report states of them: the accounts' goals and balances, and the targets.
//!
//! With a period, the report is that of the decisions committed in its months (by the month
//! of `applied_on`, or an application's session), with everything committed before it as
//! history — what a batch of those months, run against the ledger, reports.

use crate::decisions::{date, decimal, month, reasons, status};
use crate::{history, Ledger, LedgerError, Place};
use rusqlite::{params, Transaction};
use skill_subsidy::calendar::{Date, YearMonth};
use skill_subsidy::rules::Calculation;
use skill_subsidy::Level;
use skill_subsidy::Report;
use skill_subsidy::{Decimal, Engine, Status};
use std::collections::HashMap;

/// Months from `first` to `last`, inclusive (`2021-03..2021-06`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthRange {
    /// The first month.
    pub first: YearMonth,
    /// The last month.
    pub last: YearMonth,
}

impl MonthRange {
    /// Reads `YYYY-MM..YYYY-MM` (one month alone: `YYYY-MM`); `None` when a month is not one or
    /// the range ends before it starts.
    ///
    /// ```
    /// use skill_subsidy_ledger::MonthRange;
    /// assert_eq!(MonthRange::parse("2021-03..2021-06").unwrap().to_string(), "2021-03..2021-06");
    /// assert_eq!(MonthRange::parse("2021-05").unwrap().to_string(), "2021-05..2021-05");
    /// assert!(MonthRange::parse("2021-06..2021-03").is_none());
    /// ```
    #[must_use]
    pub fn parse(text: &str) -> Option<MonthRange> {
        let (first, last) = text.split_once("..").unwrap_or((text, text));
        let range = MonthRange { first: YearMonth::parse(first.trim())?, last: YearMonth::parse(last.trim())? };
        (range.first <= range.last).then_some(range)
    }

    /// The first day of the first month, and the first day after the last month.
    fn days(self) -> (Date, Date) {
        let day = |m: YearMonth| Date::from_ymd_opt(m.year(), m.month(), 1).unwrap_or(Date::MIN);
        (day(self.first), day(self.last.plus(1)))
    }
}

/// A period's first day and the day after it as the ledger writes dates (`YYYY-MM-DD`, which
/// sort as text as they do as dates); all days without a period.
fn bounds(period: Option<MonthRange>) -> (String, String) {
    match period.map(MonthRange::days) {
        Some((from, to)) => (from.to_string(), to.to_string()),
        None => ("0000-01-01".to_string(), "9999-12-32".to_string()),
    }
}

impl std::fmt::Display for MonthRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}..{}", self.first, self.last)
    }
}

/// The ids of the accounts that close when spent (资金用完即止) under `engine`'s rules, as the
/// core reports them.
pub(crate) fn closing_accounts(engine: &Engine) -> Vec<String> {
    engine.batch().finish().report.accounts.into_iter().filter(|(_, a)| a.closes_when_spent).map(|(id, _)| id).collect()
}

/// One decision as the report counts it.
struct Counted {
    program: String,
    district: Option<String>,
    occupation: Option<String>,
    level: Option<Level>,
    /// The month it commits in: `applied_on`'s, or an application's session's.
    month: YearMonth,
    project: Option<String>,
    status: Status,
    amount: Decimal,
    reasons: skill_subsidy::Reasons,
    fund: Option<String>,
    account: Option<String>,
    /// Payments by month, and what outcomes released.
    payments: Vec<(YearMonth, Decimal)>,
    released: Decimal,
    apprenticeship: bool,
}

/// High-skill workers are certificates at 高级工 (3) and above (S61), of `level_table` programs.
fn high_skill(engine: &Engine, c: &Counted) -> bool {
    let level_table = engine.program(&c.program).map_or(c.level.is_some(), |p| matches!(p.calculation, Calculation::LevelTable { .. }));
    level_table && !c.apprenticeship && matches!(c.level, Some(Level::L3 | Level::L2 | Level::L1))
}

fn add(engine: &Engine, report: &mut Report, c: &Counted) {
    report.claims += 1;
    if c.status == Status::Rejected {
        report.rejected += 1;
        for r in c.reasons.iter() {
            *report.rejections.entry(r).or_default() += 1;
        }
        return;
    }
    let dash = |s: &Option<String>| s.clone().unwrap_or_else(|| "-".to_string());
    report.approved.add(c.amount);
    report.by_program.entry(c.program.clone()).or_default().add(c.amount);
    report.by_level.entry(c.level.map_or("-", Level::code).to_string()).or_default().add(c.amount);
    report.by_district.entry(dash(&c.district)).or_default().add(c.amount);
    report.by_occupation.entry(dash(&c.occupation)).or_default().add(c.amount);
    if let Some(fund) = &c.fund {
        report.by_fund.entry(fund.clone()).or_default().add(c.amount);
    }
    report.by_month.entry(c.month).or_default().add(c.amount);
    report.by_month_program.entry((c.month, c.program.clone())).or_default().add(c.amount);
    let (level, district, occupation) = (c.level.map_or("-", Level::code), dash(&c.district), dash(&c.occupation));
    let one = skill_subsidy::report::Tally::new(1, c.amount);
    report.by_keys.add_named([&c.program, level, &district, &occupation], c.month, one);
    let counts = report.progress.by_month.entry(c.month).or_default();
    if c.apprenticeship {
        counts.apprentices += 1;
    } else {
        counts.person_times += 1;
    }
    if high_skill(engine, c) {
        counts.high_skill_workers += 1;
    }
    if let Some(project) = &c.project {
        report.progress.projects.insert((c.month, project.clone()));
    }
    if let Some(ledger) = c.account.as_ref().and_then(|a| report.accounts.get_mut(a)) {
        ledger.committed += c.amount;
        *ledger.committed_by_month.entry(c.month).or_default() += c.amount;
        ledger.released += c.released;
        for (m, amount) in &c.payments {
            *ledger.paid_by_month.entry(*m).or_default() += *amount;
        }
    }
}

/// The claims decided in `[from, to)` (by `applied_on`).
fn claims(tx: &Transaction<'_>, place: Place<'_>, (from, to): &(String, String)) -> Result<Vec<Counted>, LedgerError> {
    let mut stmt = tx
        .prepare(
            "SELECT program, district, occupation, level, applied_on, project, status, amount, reasons, fund, account, payment_month
             FROM claims WHERE applied_on >= ?1 AND applied_on < ?2",
        )
        .map_err(|e| place.error(e))?;
    let mut rows = stmt.query(params![from, to]).map_err(|e| place.error(e))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(|e| place.error(e))? {
        let text = |i: usize| r.get::<_, Option<String>>(i).map_err(|e| place.error(e));
        let required = |i: usize| text(i)?.ok_or_else(|| place.unreadable(format!("claims column {i} is empty")));
        let amount = decimal(place, &required(7)?)?;
        let payment = text(11)?.map(|m| month(place, &m)).transpose()?;
        out.push(Counted {
            program: required(0)?,
            district: text(1)?,
            occupation: text(2)?,
            level: text(3)?.map(|l| Level::parse(&l).ok_or_else(|| place.unreadable(format!("level {l:?}")))).transpose()?,
            month: YearMonth::of(date(place, &required(4)?)?),
            project: text(5)?,
            status: status(place, &required(6)?)?,
            amount,
            reasons: reasons(place, &required(8)?)?,
            fund: text(9)?,
            account: text(10)?,
            payments: payment.map(|m| vec![(m, amount)]).unwrap_or_default(),
            released: Decimal::ZERO,
            apprenticeship: false,
        });
    }
    Ok(out)
}

/// The applications decided in `[from, to)` (by session; one without a session by the day it
/// was submitted), with their payments as on record.
fn applications(tx: &Transaction<'_>, place: Place<'_>, (from, to): &(String, String)) -> Result<Vec<Counted>, LedgerError> {
    let mut payments: HashMap<String, Vec<(YearMonth, Decimal)>> = HashMap::new();
    {
        let mut stmt =
            tx.prepare("SELECT application_id, month, amount FROM payments ORDER BY application_id, seq").map_err(|e| place.error(e))?;
        let mut rows = stmt.query([]).map_err(|e| place.error(e))?;
        while let Some(r) = rows.next().map_err(|e| place.error(e))? {
            let get = |i: usize| r.get::<_, String>(i).map_err(|e| place.error(e));
            payments.entry(get(0)?).or_default().push((month(place, &get(1)?)?, decimal(place, &get(2)?)?));
        }
    }
    let mut stmt = tx
        .prepare(
            "SELECT application_id, program, district, occupation, target_level, coalesce(session, submitted_on), status, amount, reasons,
                    fund, account, final_amount
             FROM applications WHERE coalesce(session, submitted_on) >= ?1 AND coalesce(session, submitted_on) < ?2",
        )
        .map_err(|e| place.error(e))?;
    let mut rows = stmt.query(params![from, to]).map_err(|e| place.error(e))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(|e| place.error(e))? {
        let text = |i: usize| r.get::<_, Option<String>>(i).map_err(|e| place.error(e));
        let required = |i: usize| text(i)?.ok_or_else(|| place.unreadable(format!("applications column {i} is empty")));
        let id = required(0)?;
        let amount = decimal(place, &required(7)?)?;
        let final_amount = text(11)?.map(|a| decimal(place, &a)).transpose()?;
        out.push(Counted {
            // A rejected application whose program was not found has none.
            program: text(1)?.unwrap_or_default(),
            district: text(2)?,
            occupation: text(3)?,
            level: text(4)?.map(|l| Level::parse(&l).ok_or_else(|| place.unreadable(format!("level {l:?}")))).transpose()?,
            month: YearMonth::of(date(place, &required(5)?)?),
            project: None,
            status: status(place, &required(6)?)?,
            amount,
            reasons: reasons(place, &required(8)?)?,
            fund: text(9)?,
            account: text(10)?,
            payments: payments.remove(&id).unwrap_or_default(),
            released: final_amount.map_or(Decimal::ZERO, |f| amount - f),
            apprenticeship: true,
        });
    }
    Ok(out)
}

impl Ledger {
    /// The report (SPEC §9, `docs/report.md`) of everything the ledger holds, or of the
    /// decisions committed in `period` with everything before it as history. `engine` gives
    /// the accounts' goals and balances and the targets: the rules the batches ran under.
    pub fn report(&mut self, engine: &Engine, period: Option<MonthRange>) -> Result<Report, LedgerError> {
        let (tx, place) = self.snapshot()?;
        let days = bounds(period);
        let mut base = engine.batch();
        for h in history::imported(&tx, place)? {
            base.add_history(&h).map_err(|e| place.unreadable(format!("a history record: {e}")))?;
        }
        if period.is_some() {
            for h in history::decided_before(&tx, place, &days.0)? {
                base.add_history(&h).map_err(|e| place.unreadable(format!("a history record: {e}")))?;
            }
        }
        // History as the core reports it: what it committed and paid, its progress; the
        // accounts and targets as the rules give them.
        let mut report = base.finish().report;
        for c in claims(&tx, place, &days)?.iter().chain(&applications(&tx, place, &days)?) {
            add(engine, &mut report, c);
        }
        let closes = closing_accounts(engine);
        for (account, closed_on, _) in crate::decisions::closings(&tx, place)? {
            let within = period.is_none_or(|p| YearMonth::of(closed_on) <= p.last);
            if let (true, Some(ledger)) = (closes.contains(&account) && within, report.accounts.get_mut(&account)) {
                ledger.closed_in = Some(YearMonth::of(closed_on));
            }
        }
        Ok(report)
    }
}
