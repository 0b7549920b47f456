//! The ledger's tables (`docs/ledger.md`), their version, and the migrations between versions.
//!
//! The schema version is SQLite's `PRAGMA user_version`; `PRAGMA application_id` marks the file
//! as a skill-subsidy ledger. Opening a ledger of an older version migrates it in one
//! transaction; a ledger of a newer version is refused untouched (its tables may mean things
//! this build does not know), and so is a database that is not a ledger.

use crate::error::LedgerError;
use rusqlite::{Connection, TransactionBehavior};

/// The version of the tables this build writes and reads.
pub const SCHEMA_VERSION: i64 = 1;

/// `PRAGMA application_id` of a ledger: "SSLG" (skill-subsidy ledger).
pub const APPLICATION_ID: i64 = 0x5353_4C47;

/// Version 1: batches, the decisions on claims and applications with their content, the staged
/// payments of apprenticeships, imported history and where accounts closed.
const V1: &str = r#"
CREATE TABLE ledger_info (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE batches (
    batch_id        INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('assess', 'import', 'outcomes')),
    committed_at    TEXT NOT NULL,
    source          TEXT,
    content_sha256  TEXT,
    ruleset_id      TEXT,
    ruleset_sha256  TEXT,
    overrides       TEXT NOT NULL,
    engine_version  TEXT NOT NULL,
    rows_given      INTEGER NOT NULL,
    committed       INTEGER NOT NULL,
    already_decided INTEGER NOT NULL,
    not_committed   INTEGER NOT NULL
);

CREATE TABLE claims (
    claim_id               TEXT PRIMARY KEY,
    batch_id               INTEGER NOT NULL REFERENCES batches (batch_id),
    program                TEXT NOT NULL,
    person_id              TEXT NOT NULL,
    enterprise_id          TEXT,
    "group"                TEXT NOT NULL,
    district               TEXT,
    occupation             TEXT,
    level                  TEXT,
    event_date             TEXT NOT NULL,
    applied_on             TEXT NOT NULL,
    institution            TEXT,
    fee_paid               TEXT,
    months                 INTEGER,
    ui_contribution_months INTEGER,
    project                TEXT,
    evaluator              TEXT,
    status                 TEXT NOT NULL CHECK (status IN ('approved', 'rejected')),
    amount                 TEXT NOT NULL,
    reasons                TEXT NOT NULL,
    fund                   TEXT,
    payee                  TEXT,
    account                TEXT,
    catalogue_version      TEXT,
    payment_month          TEXT
) WITHOUT ROWID;

CREATE TABLE applications (
    application_id    TEXT PRIMARY KEY,
    batch_id          INTEGER NOT NULL REFERENCES batches (batch_id),
    enterprise_id     TEXT NOT NULL,
    person_id         TEXT NOT NULL,
    occupation        TEXT NOT NULL,
    target_level      TEXT NOT NULL,
    start_date        TEXT NOT NULL,
    months            INTEGER NOT NULL,
    submitted_on      TEXT NOT NULL,
    institution       TEXT NOT NULL,
    district          TEXT,
    status            TEXT NOT NULL CHECK (status IN ('approved', 'rejected')),
    amount            TEXT NOT NULL,
    reasons           TEXT NOT NULL,
    program           TEXT,
    fund              TEXT,
    payee             TEXT,
    account           TEXT,
    catalogue_version TEXT,
    session           TEXT,
    final_amount      TEXT,
    outcome           TEXT,
    outcome_date      TEXT,
    outcome_batch_id  INTEGER REFERENCES batches (batch_id)
) WITHOUT ROWID;

CREATE TABLE payments (
    application_id TEXT NOT NULL REFERENCES applications (application_id),
    seq            INTEGER NOT NULL,
    month          TEXT NOT NULL,
    amount         TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('advance', 'settlement', 'recovery')),
    PRIMARY KEY (application_id, seq)
) WITHOUT ROWID;

CREATE TABLE history (
    record_id     INTEGER PRIMARY KEY,
    batch_id      INTEGER NOT NULL REFERENCES batches (batch_id),
    person_id     TEXT NOT NULL,
    program       TEXT NOT NULL,
    enterprise_id TEXT,
    occupation    TEXT,
    level         TEXT,
    event_date    TEXT NOT NULL,
    applied_on    TEXT NOT NULL,
    amount        TEXT NOT NULL,
    project       TEXT,
    months        INTEGER
);

CREATE TABLE account_closings (
    account   TEXT PRIMARY KEY,
    closed_on TEXT NOT NULL,
    claim_id  TEXT NOT NULL,
    batch_id  INTEGER NOT NULL REFERENCES batches (batch_id)
) WITHOUT ROWID;
"#;

/// The migrations: `MIGRATIONS[v]` takes a ledger from version `v` to `v + 1` (version 0 is an
/// empty file). A new version appends its step; a step never changes once released.
const MIGRATIONS: [&str; SCHEMA_VERSION as usize] = [V1];

/// What a database file holds, as far as the ledger is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    /// No table yet: a new ledger.
    Empty,
    /// A ledger of this schema version.
    Ledger(i64),
    /// Something else.
    Foreign,
}

fn found(conn: &Connection) -> rusqlite::Result<Found> {
    let application: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    Ok(match (application, tables) {
        (APPLICATION_ID, _) => Found::Ledger(version),
        (0, 0) if version == 0 => Found::Empty,
        _ => Found::Foreign,
    })
}

/// Brings the ledger in `conn` to [`SCHEMA_VERSION`], creating it in an empty file; refuses a
/// newer ledger and a database that is not a ledger. `now` and `engine_version` are recorded
/// when the ledger is created; `wait_secs` is how long a busy ledger is waited for.
pub(crate) fn migrate(conn: &mut Connection, path: &str, wait_secs: u64, now: &str, engine_version: &str) -> Result<(), LedgerError> {
    let sql = |e: rusqlite::Error| LedgerError::from_sqlite(path, wait_secs, e);
    // Checked once before taking the write lock (a newer ledger is refused without it, and a
    // current one opened without it, as a reader must be while another process commits), and
    // again under it: another process may have created or migrated the file in between.
    if check(found(conn).map_err(sql)?, path)? == Found::Ledger(SCHEMA_VERSION) {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql)?;
    let from = match check(found(&tx).map_err(sql)?, path)? {
        Found::Ledger(v) => v,
        _ => 0,
    };
    if from == SCHEMA_VERSION {
        return Ok(());
    }
    for step in &MIGRATIONS[from as usize..] {
        tx.execute_batch(step).map_err(sql)?;
    }
    if from == 0 {
        tx.execute(
            "INSERT INTO ledger_info (key, value) VALUES ('format', 'skill-subsidy ledger'), ('created_at', ?1), ('created_by', ?2)",
            [now, engine_version],
        )
        .map_err(sql)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID).map_err(sql)?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION).map_err(sql)?;
    tx.commit().map_err(sql)
}

fn check(found: Found, path: &str) -> Result<Found, LedgerError> {
    match found {
        Found::Ledger(v) if v > SCHEMA_VERSION => {
            Err(LedgerError::NewerSchema { path: path.to_string(), found: v, supported: SCHEMA_VERSION })
        }
        Found::Foreign => Err(LedgerError::NotALedger { path: path.to_string() }),
        f => Ok(f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(path: &std::path::Path) -> Connection {
        Connection::open(path).unwrap()
    }

    #[test]
    fn an_empty_file_becomes_a_ledger_of_this_version_and_opening_it_again_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.db");
        let mut conn = open(&path);
        migrate(&mut conn, "l.db", 0, "2021-03-01T00:00:00Z", "0.1.0").unwrap();
        assert_eq!(found(&conn).unwrap(), Found::Ledger(SCHEMA_VERSION));
        migrate(&mut conn, "l.db", 0, "2021-04-01T00:00:00Z", "0.1.0").unwrap();
        let created: String = conn.query_row("SELECT value FROM ledger_info WHERE key = 'created_at'", [], |r| r.get(0)).unwrap();
        assert_eq!(created, "2021-03-01T00:00:00Z");
    }

    #[test]
    fn a_newer_ledger_and_a_foreign_database_are_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let newer = dir.path().join("newer.db");
        let mut conn = open(&newer);
        migrate(&mut conn, "newer.db", 0, "now", "0.1.0").unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
        let err = migrate(&mut conn, "newer.db", 0, "now", "0.1.0").unwrap_err();
        assert_eq!(err.code(), "newer_schema");
        assert!(err.to_string().contains(&format!("schema {}", SCHEMA_VERSION + 1)), "{err}");
        assert_eq!(conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0)).unwrap(), SCHEMA_VERSION + 1);

        let foreign = dir.path().join("foreign.db");
        let mut conn = open(&foreign);
        conn.execute_batch("CREATE TABLE accounts (x TEXT)").unwrap();
        assert_eq!(migrate(&mut conn, "foreign.db", 0, "now", "0.1.0").unwrap_err().code(), "not_a_ledger");
        let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0)).unwrap();
        assert_eq!(tables, 1);
    }
}
