//! Decisions on record: each claim's and application's content beside what was decided — status,
//! amount, reasons, program, fund, payee, the account it commits against, the catalogue version,
//! the payment month (a claim) or the session and staged payments (an application) — and where
//! an account closed. Written once by the batch that decided them; an application's outcome and
//! payments are updated as the outcome arrives (`outcomes`).

use crate::content;
use crate::{LedgerError, Place};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, OptionalExtension, Transaction};
use skill_subsidy::calendar::{parse_date, Date, YearMonth};
use skill_subsidy::money::format_yuan;
use skill_subsidy::{Assessment, Decimal, Engine, Payment, PaymentKind, Reason, Reasons, Schedule, Status};

/// A decision as it was recorded.
#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub batch: i64,
    pub status: Status,
    pub amount: Decimal,
    pub reasons: Reasons,
    /// A claim's payment month.
    pub payment_month: Option<YearMonth>,
    /// An application's session.
    pub session: Option<Date>,
}

impl Recorded {
    /// `assessed` (the claim or application assessed again on its own, for its program and
    /// catalogue version) with this decision's status, amount, reasons and payment month: the
    /// earlier decision, shown again. Unexplained: a claim is explained where it was decided.
    pub fn shown(&self, mut assessed: Assessment) -> Assessment {
        assessed.status = self.status;
        // A refused claim's amount is zero, as a batch gives it.
        assessed.amount = if self.status == Status::Approved { self.amount } else { Decimal::ZERO };
        assessed.reasons = self.reasons;
        assessed.payment_month = self.payment_month;
        assessed.errors.clear();
        assessed.trace = None;
        assessed.estimate = None;
        assessed
    }
}

pub(crate) fn decimal(place: Place<'_>, text: &str) -> Result<Decimal, LedgerError> {
    Decimal::from_str_exact(text).map_err(|_| place.unreadable(format!("amount {text:?}")))
}

pub(crate) fn date(place: Place<'_>, text: &str) -> Result<Date, LedgerError> {
    parse_date(text).map_err(|_| place.unreadable(format!("date {text:?}")))
}

pub(crate) fn month(place: Place<'_>, text: &str) -> Result<YearMonth, LedgerError> {
    YearMonth::parse(text).ok_or_else(|| place.unreadable(format!("month {text:?}")))
}

pub(crate) fn status(place: Place<'_>, text: &str) -> Result<Status, LedgerError> {
    match text {
        "approved" => Ok(Status::Approved),
        "rejected" => Ok(Status::Rejected),
        _ => Err(place.unreadable(format!("status {text:?}"))),
    }
}

/// Reason codes joined with `;`, as the CSV records write them.
pub(crate) fn reasons(place: Place<'_>, text: &str) -> Result<Reasons, LedgerError> {
    let mut out = Reasons::NONE;
    for code in text.split(';').filter(|c| !c.is_empty()) {
        let reason = Reason::ALL.iter().find(|r| r.code() == code).ok_or_else(|| place.unreadable(format!("reason {code:?}")))?;
        out.add(*reason);
    }
    Ok(out)
}

fn payment_kind(kind: PaymentKind) -> &'static str {
    match kind {
        PaymentKind::Advance => "advance",
        PaymentKind::Settlement => "settlement",
        _ => "recovery",
    }
}

fn payment_kind_of(place: Place<'_>, text: &str) -> Result<PaymentKind, LedgerError> {
    match text {
        "advance" => Ok(PaymentKind::Advance),
        "settlement" => Ok(PaymentKind::Settlement),
        "recovery" => Ok(PaymentKind::Recovery),
        _ => Err(place.unreadable(format!("payment kind {text:?}"))),
    }
}

/// The special account a decision of `program` applied for on `date` commits against: the
/// account of its fund whose period holds the date (SPEC §7.2 check 12).
pub(crate) fn account_of(engine: &Engine, program: Option<&str>, date: Date) -> Option<String> {
    let program = engine.program(program?)?;
    (program.fund == skill_subsidy::rules::Fund::SpecialAccount)
        .then(|| engine.ruleset().accounts.iter().find(|a| a.fund == program.fund && a.period.contains(date)))
        .flatten()
        .map(|a| a.id.clone())
}

/// What the ledger holds under an id, for a claim or application of a batch.
pub(crate) enum Found {
    /// A decision on a claim (application) with the same content.
    Same(Recorded),
    /// A claim (application) with other content.
    Other,
}

/// `SELECT batch_id, status, amount, reasons, <when>, <content columns> FROM <table> WHERE <id> = ?1`.
fn lookup_sql(table: &str, id: &str, when: &str, columns: impl Iterator<Item = &'static str>) -> String {
    let columns: Vec<String> = columns.map(|c| format!("\"{c}\"")).collect();
    format!("SELECT batch_id, status, amount, reasons, {when}, {} FROM {table} WHERE {id} = ?1", columns.join(", "))
}

/// The claim lookup's SQL, built once.
fn claim_lookup() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| lookup_sql("claims", "claim_id", "payment_month", content::claim_columns()))
}

/// The application lookup's SQL, built once.
fn application_lookup() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| lookup_sql("applications", "application_id", "session", content::application_columns()))
}

/// A row of a lookup as stored: the decision's columns, its month or date, its content.
struct Row {
    batch: i64,
    status: String,
    amount: String,
    reasons: String,
    /// A claim's payment month, an application's session.
    at: Option<String>,
    content: Vec<Value>,
}

/// A row read: its decision (`at` read by `when`) and its content.
fn recorded(
    place: Place<'_>,
    row: Row,
    when: fn(Place<'_>, &str, &mut Recorded) -> Result<(), LedgerError>,
) -> Result<(Recorded, Vec<Value>), LedgerError> {
    let mut out = Recorded {
        batch: row.batch,
        status: status(place, &row.status)?,
        amount: decimal(place, &row.amount)?,
        reasons: reasons(place, &row.reasons)?,
        payment_month: None,
        session: None,
    };
    if let Some(at) = row.at {
        when(place, &at, &mut out)?;
    }
    Ok((out, row.content))
}

fn query(tx: &Transaction<'_>, place: Place<'_>, sql: &str, id: &str, width: usize) -> Result<Option<Row>, LedgerError> {
    let mut stmt = tx.prepare_cached(sql).map_err(|e| place.error(e))?;
    stmt.query_row([id], |r| {
        let content = (0..width).map(|i| r.get::<_, Value>(5 + i)).collect::<Result<Vec<_>, _>>()?;
        Ok(Row { batch: r.get(0)?, status: r.get(1)?, amount: r.get(2)?, reasons: r.get(3)?, at: r.get(4)?, content })
    })
    .optional()
    .map_err(|e| place.error(e))
}

fn claim_month(place: Place<'_>, at: &str, r: &mut Recorded) -> Result<(), LedgerError> {
    r.payment_month = Some(month(place, at)?);
    Ok(())
}

fn application_session(place: Place<'_>, at: &str, r: &mut Recorded) -> Result<(), LedgerError> {
    r.session = Some(date(place, at)?);
    Ok(())
}

/// What the ledger holds under an id (`sql`, a lookup of `width` content columns whose month or
/// date `when` reads), against a claim or application of the `content` given (made only when
/// the id is on record).
fn found(
    tx: &Transaction<'_>,
    place: Place<'_>,
    (sql, width, when): Lookup,
    id: &str,
    content: impl FnOnce() -> Vec<Value>,
) -> Result<Option<Found>, LedgerError> {
    let Some(row) = query(tx, place, sql, id, width)? else { return Ok(None) };
    let (recorded, stored) = recorded(place, row, when)?;
    Ok(Some(if stored == content() { Found::Same(recorded) } else { Found::Other }))
}

/// A lookup: its SQL, how many content columns it reads, how it reads its month or date.
type Lookup = (&'static str, usize, fn(Place<'_>, &str, &mut Recorded) -> Result<(), LedgerError>);

/// What the ledger holds under `claim_id`, against a claim of the `content` given.
pub(crate) fn claim(
    tx: &Transaction<'_>,
    place: Place<'_>,
    claim_id: &str,
    content: impl FnOnce() -> Vec<Value>,
) -> Result<Option<Found>, LedgerError> {
    found(tx, place, (claim_lookup(), content::CLAIM_CONTENT, claim_month), claim_id, content)
}

/// What the ledger holds under `application_id`, against an application of the `content` given.
pub(crate) fn application(
    tx: &Transaction<'_>,
    place: Place<'_>,
    application_id: &str,
    content: impl FnOnce() -> Vec<Value>,
) -> Result<Option<Found>, LedgerError> {
    found(tx, place, (application_lookup(), content::APPLICATION_CONTENT, application_session), application_id, content)
}

/// Whether the ledger holds any claim (a first batch need not look its claims up).
pub(crate) fn any_claim(tx: &Transaction<'_>, place: Place<'_>) -> Result<bool, LedgerError> {
    tx.query_row("SELECT EXISTS (SELECT 1 FROM claims)", [], |r| r.get(0)).map_err(|e| place.error(e))
}

/// The application on record under `application_id`: its decision and its content.
pub(crate) fn application_on_record(
    tx: &Transaction<'_>,
    place: Place<'_>,
    application_id: &str,
) -> Result<Option<(Recorded, Vec<Value>)>, LedgerError> {
    match query(tx, place, application_lookup(), application_id, content::APPLICATION_CONTENT)? {
        Some(row) => recorded(place, row, application_session).map(Some),
        None => Ok(None),
    }
}

/// An application's staged payments on record, in order.
pub(crate) fn schedule(tx: &Transaction<'_>, place: Place<'_>, application_id: &str) -> Result<Option<Schedule>, LedgerError> {
    let final_amount: Option<String> = tx
        .query_row("SELECT final_amount FROM applications WHERE application_id = ?1", [application_id], |r| r.get(0))
        .map_err(|e| place.error(e))?;
    let Some(final_amount) = final_amount else { return Ok(None) };
    let mut stmt =
        tx.prepare_cached("SELECT month, amount, kind FROM payments WHERE application_id = ?1 ORDER BY seq").map_err(|e| place.error(e))?;
    let rows = stmt
        .query_map([application_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))
        .map_err(|e| place.error(e))?;
    let mut payments = Vec::new();
    for row in rows {
        let (m, amount, kind) = row.map_err(|e| place.error(e))?;
        payments.push(Payment::new(month(place, &m)?, decimal(place, &amount)?, payment_kind_of(place, &kind)?));
    }
    Ok(Some(Schedule::new(payments, decimal(place, &final_amount)?)))
}

/// A decision to write.
pub(crate) struct Decided<'a> {
    pub id: &'a str,
    pub content: Vec<Value>,
    pub assessment: &'a Assessment,
    /// The date it commits on: a claim's `applied_on`, an application's session.
    pub commits_on: Option<Date>,
}

/// The columns of a decision after its id, batch and content: status, amount, reasons,
/// (an application's program: a claim's is its content), fund, payee, account, catalogue version.
fn decision_values(engine: &Engine, d: &Decided<'_>, program: bool) -> Vec<Value> {
    let record = d.assessment.record();
    let text = |s: Option<&str>| s.map_or(Value::Null, |s| Value::Text(s.to_string()));
    let approved = d.assessment.status == Status::Approved;
    let account = if approved { d.commits_on.and_then(|date| account_of(engine, record.program, date)) } else { None };
    let mut values = vec![
        Value::Text(d.assessment.status.code().to_string()),
        Value::Text(format_yuan(d.assessment.amount)),
        Value::Text(d.assessment.reasons.joined()),
    ];
    if program {
        values.push(text(record.program));
    }
    values.extend([text(record.fund), text(record.payee), text(account.as_deref()), text(record.catalogue_version)]);
    values
}

/// `INSERT INTO table (columns) VALUES (?, …)`.
fn insert_sql(table: &str, columns: &[String]) -> String {
    format!("INSERT INTO {table} ({}) VALUES ({})", columns.join(", "), vec!["?"; columns.len()].join(", "))
}

/// The claims' insert, built once.
fn claim_insert() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        let mut columns = vec!["claim_id".to_string(), "batch_id".to_string()];
        columns.extend(content::claim_columns().map(|c| format!("\"{c}\"")));
        columns.extend(["status", "amount", "reasons", "fund", "payee", "account", "catalogue_version", "payment_month"].map(String::from));
        insert_sql("claims", &columns)
    })
}

/// Writes a claim's decision.
pub(crate) fn insert_claim(tx: &Transaction<'_>, place: Place<'_>, engine: &Engine, batch: i64, d: Decided<'_>) -> Result<(), LedgerError> {
    let decision = decision_values(engine, &d, false);
    let mut values = Vec::with_capacity(2 + content::CLAIM_CONTENT + decision.len() + 1);
    values.extend([Value::Text(d.id.to_string()), Value::Integer(batch)]);
    values.extend(d.content);
    values.extend(decision);
    values.push(d.assessment.payment_month.map_or(Value::Null, |m| Value::Text(m.to_string())));
    let mut stmt = tx.prepare_cached(claim_insert()).map_err(|e| place.error(e))?;
    stmt.execute(params_from_iter(values)).map(drop).map_err(|e| place.error(e))
}

/// Writes an application's decision, its outcome when it came with one, and its payments.
pub(crate) fn insert_application(
    tx: &Transaction<'_>,
    place: Place<'_>,
    engine: &Engine,
    batch: i64,
    d: &Decided<'_>,
    outcome: Option<skill_subsidy::Outcome>,
    schedule: Option<&Schedule>,
) -> Result<(), LedgerError> {
    let mut columns = vec!["application_id".to_string(), "batch_id".to_string()];
    columns.extend(content::application_columns().map(String::from));
    columns.extend(
        [
            "status",
            "amount",
            "reasons",
            "program",
            "fund",
            "payee",
            "account",
            "catalogue_version",
            "session",
            "final_amount",
            "outcome",
            "outcome_date",
            "outcome_batch_id",
        ]
        .map(String::from),
    );
    let mut values = vec![Value::Text(d.id.to_string()), Value::Integer(batch)];
    values.extend(d.content.iter().cloned());
    values.extend(decision_values(engine, d, true));
    let text = |s: Option<String>| s.map_or(Value::Null, Value::Text);
    values.push(text(d.commits_on.map(|s| s.to_string())));
    values.push(text(schedule.map(|s| format_yuan(s.final_amount))));
    values.push(text(outcome.map(|o| o.kind.code().to_string())));
    values.push(text(outcome.and_then(|o| o.date).map(|d| d.to_string())));
    values.push(if outcome.is_some() { Value::Integer(batch) } else { Value::Null });
    tx.prepare_cached(&insert_sql("applications", &columns))
        .and_then(|mut s| s.execute(params_from_iter(values)))
        .map_err(|e| place.error(e))?;
    if let Some(schedule) = schedule {
        write_payments(tx, place, d.id, schedule)?;
    }
    Ok(())
}

/// Replaces an application's payments with `schedule`'s.
pub(crate) fn write_payments(tx: &Transaction<'_>, place: Place<'_>, application_id: &str, schedule: &Schedule) -> Result<(), LedgerError> {
    tx.execute("DELETE FROM payments WHERE application_id = ?1", [application_id]).map_err(|e| place.error(e))?;
    let mut stmt = tx
        .prepare_cached("INSERT INTO payments (application_id, seq, month, amount, kind) VALUES (?1, ?2, ?3, ?4, ?5)")
        .map_err(|e| place.error(e))?;
    for (seq, p) in schedule.payments.iter().enumerate() {
        stmt.execute(params![application_id, seq as i64, p.month.to_string(), format_yuan(p.amount), payment_kind(p.kind)])
            .map_err(|e| place.error(e))?;
    }
    Ok(())
}

/// Where each account closed (资金用完即止): the queue key of the first claim it could not pay.
pub(crate) fn closings(tx: &Transaction<'_>, place: Place<'_>) -> Result<Vec<(String, Date, String)>, LedgerError> {
    let mut stmt = tx.prepare("SELECT account, closed_on, claim_id FROM account_closings").map_err(|e| place.error(e))?;
    let rows =
        stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))).map_err(|e| place.error(e))?;
    let mut out = Vec::new();
    for row in rows {
        let (account, closed_on, claim_id) = row.map_err(|e| place.error(e))?;
        out.push((account, date(place, &closed_on)?, claim_id));
    }
    Ok(out)
}

/// Records where an account closed (or an earlier point, when a late claim closed it before).
pub(crate) fn record_closing(
    tx: &Transaction<'_>,
    place: Place<'_>,
    batch: i64,
    account: &str,
    closed_on: Date,
    claim_id: &str,
) -> Result<(), LedgerError> {
    tx.execute(
        "INSERT INTO account_closings (account, closed_on, claim_id, batch_id) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (account) DO UPDATE SET closed_on = excluded.closed_on, claim_id = excluded.claim_id, batch_id = excluded.batch_id",
        params![account, closed_on.to_string(), claim_id, batch],
    )
    .map(drop)
    .map_err(|e| place.error(e))
}
