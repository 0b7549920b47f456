//! The batches a ledger holds, each with what decided it: the ruleset (its id and a digest of
//! the resolved rules), the overrides document, the engine's version and when it committed.
//! Every decision, imported record and outcome names its batch.

use crate::{Ledger, LedgerError, Place};
use rusqlite::{params, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};
use skill_subsidy::Engine;

/// A batch on record.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BatchInfo {
    /// Its number, from 1.
    pub batch_id: i64,
    /// `assess`, `import` or `outcomes`.
    pub kind: String,
    /// When it committed (UTC, RFC 3339).
    pub committed_at: String,
    /// The input as named (a file name), when one was.
    pub source: Option<String>,
    /// The ruleset's id (`wuxi-2021`), for batches the rules decided.
    pub ruleset_id: Option<String>,
    /// SHA-256 of the resolved ruleset as loaded (`subsidy rules export --json` without
    /// overrides): two batches with the same digest were decided by the same rules.
    pub ruleset_sha256: Option<String>,
    /// The overrides document (`{}` when none).
    pub overrides: String,
    /// The engine's version.
    pub engine_version: String,
    /// Rows given.
    pub rows_given: i64,
    /// Decisions, records or outcomes written.
    pub committed: i64,
    /// Rows on record already (shown as decided then).
    pub already_decided: i64,
    /// Rows not committed (invalid).
    pub not_committed: i64,
}

/// The current time, UTC, to the second.
pub(crate) fn now() -> String {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    chrono::DateTime::from_timestamp(i64::try_from(since.as_secs()).unwrap_or(0), 0)
        .map_or_else(|| "1970-01-01T00:00:00Z".to_string(), |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// SHA-256 of `bytes`, in hex.
pub(crate) fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// What decided a batch.
pub(crate) struct Provenance {
    pub ruleset_id: String,
    pub ruleset_sha256: String,
    pub overrides: String,
}

impl Provenance {
    /// The rules of `engine`: its ruleset's id and digest, and its overrides as a document.
    pub fn of(engine: &Engine) -> Provenance {
        let rules = Engine::from_shared(engine.shared_ruleset()).export_json();
        Provenance {
            ruleset_id: engine.ruleset().id.clone(),
            ruleset_sha256: sha256(rules.to_string().as_bytes()),
            overrides: overrides_document(engine.overrides()).to_string(),
        }
    }
}

/// The override document of SPEC §5 (`{"path": "value"}`, or `{"path": {"FROM..TO": "value"}}`
/// for a range), which `--set`, Python and the browser all read.
fn overrides_document(overrides: &skill_subsidy::Overrides) -> serde_json::Value {
    use serde_json::{Map, Value};
    let mut doc = Map::new();
    for o in overrides.items() {
        match o.range {
            None => {
                doc.insert(o.path.clone(), Value::String(o.value.clone()));
            }
            Some(range) => {
                let entry = doc.entry(o.path.clone()).or_insert_with(|| Value::Object(Map::new()));
                if !entry.is_object() {
                    // The whole period, then a range of it: the whole as the open range `..`.
                    let whole = entry.take();
                    *entry = Value::Object(Map::from_iter([("..".to_string(), whole)]));
                }
                if let Value::Object(ranges) = entry {
                    ranges.insert(format!("{}..{}", range.from, range.to), Value::String(o.value.clone()));
                }
            }
        }
    }
    Value::Object(doc)
}

/// What a batch brought, for its row.
pub(crate) struct Counts {
    pub rows_given: usize,
    pub committed: usize,
    pub already_decided: usize,
    pub not_committed: usize,
}

/// Writes a batch's row and returns its id.
pub(crate) fn insert(
    tx: &Transaction<'_>,
    place: Place<'_>,
    kind: &str,
    source: Option<&str>,
    content_sha256: Option<&str>,
    provenance: Option<&Provenance>,
    counts: &Counts,
) -> Result<i64, LedgerError> {
    let n = |c: usize| i64::try_from(c).unwrap_or(i64::MAX);
    tx.execute(
        "INSERT INTO batches (kind, committed_at, source, content_sha256, ruleset_id, ruleset_sha256, overrides, engine_version,
                              rows_given, committed, already_decided, not_committed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            kind,
            now(),
            source,
            content_sha256,
            provenance.map(|p| &p.ruleset_id),
            provenance.map(|p| &p.ruleset_sha256),
            provenance.map_or("{}", |p| p.overrides.as_str()),
            crate::ENGINE_VERSION,
            n(counts.rows_given),
            n(counts.committed),
            n(counts.already_decided),
            n(counts.not_committed),
        ],
    )
    .map_err(|e| place.error(e))?;
    Ok(tx.last_insert_rowid())
}

/// The batch that imported content with this digest, and when.
pub(crate) fn imported(tx: &Transaction<'_>, place: Place<'_>, content_sha256: &str) -> Result<Option<(i64, String)>, LedgerError> {
    tx.query_row("SELECT batch_id, committed_at FROM batches WHERE kind = 'import' AND content_sha256 = ?1", [content_sha256], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .optional()
    .map_err(|e| place.error(e))
}

/// The ruleset id a batch was decided under.
pub(crate) fn ruleset_of(tx: &Transaction<'_>, place: Place<'_>, batch: i64) -> Result<Option<String>, LedgerError> {
    tx.query_row("SELECT ruleset_id FROM batches WHERE batch_id = ?1", [batch], |r| r.get(0)).map_err(|e| place.error(e))
}

impl Ledger {
    /// Every batch on record, oldest first.
    pub fn batches(&mut self) -> Result<Vec<BatchInfo>, LedgerError> {
        let (tx, place) = self.snapshot()?;
        let mut stmt = tx
            .prepare(
                "SELECT batch_id, kind, committed_at, source, ruleset_id, ruleset_sha256, overrides, engine_version,
                        rows_given, committed, already_decided, not_committed
                 FROM batches ORDER BY batch_id",
            )
            .map_err(|e| place.error(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(BatchInfo {
                    batch_id: r.get(0)?,
                    kind: r.get(1)?,
                    committed_at: r.get(2)?,
                    source: r.get(3)?,
                    ruleset_id: r.get(4)?,
                    ruleset_sha256: r.get(5)?,
                    overrides: r.get(6)?,
                    engine_version: r.get(7)?,
                    rows_given: r.get(8)?,
                    committed: r.get(9)?,
                    already_decided: r.get(10)?,
                    not_committed: r.get(11)?,
                })
            })
            .map_err(|e| place.error(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| place.error(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_overrides_document_reads_back_as_the_same_overrides() {
        let mut o = skill_subsidy::Overrides::new();
        o.add_assignment("shortage.rate=0.20").unwrap();
        o.add_assignment("programs.skills_training.amounts.3[2021-07-01..2021-12-31]=2200").unwrap();
        let doc = overrides_document(&o);
        assert_eq!(
            doc,
            serde_json::json!({"shortage.rate": "0.20", "programs.skills_training.amounts.3": {"2021-07-01..2021-12-31": "2200"}})
        );
        assert_eq!(skill_subsidy::Overrides::from_json(&doc).unwrap(), o);
    }

    #[test]
    fn the_time_is_written_as_rfc_3339_in_utc() {
        let t = now();
        assert_eq!(t.len(), 20, "{t}");
        assert!(t.ends_with('Z') && t.as_bytes()[10] == b'T', "{t}");
    }
}
