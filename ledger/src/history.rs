//! The ledger as history (已享受补贴记录, SPEC §7.2): every subsidy it holds — records imported
//! from an earlier system, approved claims, approved apprenticeships (with their months, so an
//! apprenticeship blocks a second one and the enterprise's overlapping upgrading claims while it
//! runs) — in the fields of a `--history` file. A batch is decided against these; `subsidy ledger
//! export` writes them.

use crate::batches::{self, Counts};
use crate::decisions::{date, decimal};
use crate::{Ledger, LedgerError, Place};
use rusqlite::{params, Transaction};
use skill_subsidy::money::format_yuan;
use skill_subsidy::HistoryRecord;
use skill_subsidy::Level;

/// Every committed subsidy, in the fields of a history record (an apprenticeship's `applied_on`
/// is its session, `event_date` its start).
const COMMITTED: &str = "
    SELECT person_id, program, enterprise_id, occupation, level, event_date, applied_on, amount, project, months,
           0 AS source, printf('%020d', record_id) AS key
      FROM history
    UNION ALL
    SELECT person_id, program, enterprise_id, occupation, level, event_date, applied_on, amount, project, NULL, 1, claim_id
      FROM claims WHERE status = 'approved'
    UNION ALL
    SELECT person_id, program, enterprise_id, occupation, target_level, start_date, session, amount, NULL, months, 2, application_id
      FROM applications WHERE status = 'approved'";

/// Approved claims and apprenticeships committed before a day (`?1`), as history.
const DECIDED_BEFORE: &str = "
    SELECT person_id, program, enterprise_id, occupation, level, event_date, applied_on, amount, project, NULL
      FROM claims WHERE status = 'approved' AND applied_on < ?1
    UNION ALL
    SELECT person_id, program, enterprise_id, occupation, target_level, start_date, session, amount, NULL, months
      FROM applications WHERE status = 'approved' AND session < ?1";

/// Records imported from an earlier system only (`history`), in the order imported.
const IMPORTED: &str = "
    SELECT person_id, program, enterprise_id, occupation, level, event_date, applied_on, amount, project, months
      FROM history ORDER BY record_id";

/// The records a query gives, in the columns of [`COMMITTED`].
fn read(tx: &Transaction<'_>, place: Place<'_>, sql: &str, params: impl rusqlite::Params) -> Result<Vec<HistoryRecord>, LedgerError> {
    let mut stmt = tx.prepare(sql).map_err(|e| place.error(e))?;
    let mut rows = stmt.query(params).map_err(|e| place.error(e))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(|e| place.error(e))? {
        let get_text = |i: usize| r.get::<_, Option<String>>(i).map_err(|e| place.error(e));
        let required = |i: usize| get_text(i)?.ok_or_else(|| place.unreadable(format!("history column {i} is empty")));
        let event_date = date(place, &required(5)?)?;
        let applied_on = date(place, &required(6)?)?;
        let mut h = HistoryRecord::new(&required(0)?, &required(1)?, event_date, applied_on, decimal(place, &required(7)?)?);
        h.enterprise_id = get_text(2)?.map(Into::into);
        h.occupation = get_text(3)?.map(Into::into);
        h.level = get_text(4)?.map(|l| Level::parse(&l).ok_or_else(|| place.unreadable(format!("level {l:?}")))).transpose()?;
        h.project = get_text(8)?.map(Into::into);
        let months: Option<i64> = r.get(9).map_err(|e| place.error(e))?;
        h.months = months.map(|m| u32::try_from(m).map_err(|_| place.unreadable(format!("months {m}")))).transpose()?;
        out.push(h);
    }
    Ok(out)
}

/// Every subsidy committed, as history records (in no order: a batch orders them itself).
pub(crate) fn committed(tx: &Transaction<'_>, place: Place<'_>) -> Result<Vec<HistoryRecord>, LedgerError> {
    read(tx, place, COMMITTED, [])
}

/// The same by `applied_on`, then where each came from (imported, claims, applications) and
/// its id or import order: the order an export is written in.
fn committed_in_order(tx: &Transaction<'_>, place: Place<'_>) -> Result<Vec<HistoryRecord>, LedgerError> {
    read(tx, place, &format!("SELECT * FROM ({COMMITTED}) ORDER BY applied_on, source, key"), [])
}

/// The approved claims and apprenticeships committed before `day` (`YYYY-MM-DD`).
pub(crate) fn decided_before(tx: &Transaction<'_>, place: Place<'_>, day: &str) -> Result<Vec<HistoryRecord>, LedgerError> {
    read(tx, place, DECIDED_BEFORE, [day])
}

/// The records imported from an earlier system.
pub(crate) fn imported(tx: &Transaction<'_>, place: Place<'_>) -> Result<Vec<HistoryRecord>, LedgerError> {
    read(tx, place, IMPORTED, [])
}

/// A history record as canonical text (its fields joined), for the digest that recognises the
/// same records imported twice, whatever file format they came in.
fn canonical(h: &HistoryRecord) -> String {
    let fields = [
        Some(h.person_id.to_string()),
        Some(h.program.to_string()),
        h.enterprise_id.as_ref().map(ToString::to_string),
        h.occupation.as_ref().map(ToString::to_string),
        h.level.map(|l| l.code().to_string()),
        Some(h.event_date.to_string()),
        Some(h.applied_on.to_string()),
        Some(format_yuan(h.amount)),
        h.project.as_ref().map(ToString::to_string),
        h.months.map(|m| m.to_string()),
    ];
    // Unit and record separators cannot occur in validated text (control characters are refused).
    fields.iter().map(|f| f.as_deref().unwrap_or("\u{1}")).collect::<Vec<_>>().join("\u{1f}") + "\u{1e}"
}

/// What an import wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Imported {
    /// The import's batch.
    pub batch: i64,
    /// Records written.
    pub records: usize,
}

impl Ledger {
    /// Every subsidy the ledger holds — imported records, approved claims and approved
    /// apprenticeships — as history records, by `applied_on` (`subsidy ledger export` writes
    /// them in the `--history` format).
    pub fn history(&mut self) -> Result<Vec<HistoryRecord>, LedgerError> {
        let (tx, place) = self.snapshot()?;
        committed_in_order(&tx, place)
    }

    /// Imports subsidies decided before the ledger (by an earlier system) as history, in one
    /// transaction. The same records imported again (in any file format) are refused with
    /// [`LedgerError::AlreadyImported`]: history counted twice would refuse claims it should not.
    pub fn import_history(&mut self, records: &[HistoryRecord], source: Option<&str>) -> Result<Imported, LedgerError> {
        let digest = batches::sha256(records.iter().map(canonical).collect::<String>().as_bytes());
        let (tx, place) = self.begin()?;
        if let Some((batch, committed_at)) = batches::imported(&tx, place, &digest)? {
            return Err(LedgerError::AlreadyImported { path: place.path.to_string(), batch, committed_at });
        }
        let counts = Counts { rows_given: records.len(), committed: records.len(), already_decided: 0, not_committed: 0 };
        let batch = batches::insert(&tx, place, "import", source, Some(&digest), None, &counts)?;
        {
            let mut stmt = tx
                .prepare(
                    "INSERT INTO history (batch_id, person_id, program, enterprise_id, occupation, level, event_date, applied_on, amount, project, months)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )
                .map_err(|e| place.error(e))?;
            for h in records {
                stmt.execute(params![
                    batch,
                    h.person_id.as_str(),
                    h.program.as_str(),
                    h.enterprise_id.as_deref(),
                    h.occupation.as_deref(),
                    h.level.map(Level::code),
                    h.event_date.to_string(),
                    h.applied_on.to_string(),
                    format_yuan(h.amount),
                    h.project.as_deref(),
                    h.months,
                ])
                .map_err(|e| place.error(e))?;
            }
        }
        tx.commit().map_err(|e| place.error(e))?;
        Ok(Imported { batch, records: records.len() })
    }
}
