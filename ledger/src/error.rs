//! What can go wrong with a ledger, each with a stable code and a message that says what
//! happened to the ledger (in every case below: nothing of the failed operation was written).
//! Messages name files, batches and claim or application ids, never a person.

use rusqlite::ErrorCode;

/// A ledger error. [`LedgerError::code`] gives its stable code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// No ledger at the path (commands that only read one do not create it).
    #[error("{path}: no ledger there (a first `subsidy assess FILE --ledger {path}` or `subsidy ledger import` creates it)")]
    Missing {
        /// The ledger's path.
        path: String,
    },
    /// The file is not a skill-subsidy ledger.
    #[error("{path}: not a skill-subsidy ledger (another SQLite database, or not a database at all); nothing was changed")]
    NotALedger {
        /// The ledger's path.
        path: String,
    },
    /// The ledger was written by a newer version of skill-subsidy.
    #[error(
        "{path}: written by a newer version of skill-subsidy (ledger schema {found}; this version reads schemas up to {supported}); \
         use that version or a later one — nothing was changed"
    )]
    NewerSchema {
        /// The ledger's path.
        path: String,
        /// Its schema version.
        found: i64,
        /// The newest this build reads.
        supported: i64,
    },
    /// Another process held the ledger for longer than this one would wait.
    #[error(
        "{path}: busy — another process is committing to the ledger and did not finish within {waited_secs} s; \
         nothing was committed: run again when it is done, or wait longer"
    )]
    Busy {
        /// The ledger's path.
        path: String,
        /// How long this process waited.
        waited_secs: u64,
    },
    /// The disk (or the ledger's size limit) is full.
    #[error("{path}: the disk is full; nothing of this batch was written and the ledger is as it was before it")]
    DiskFull {
        /// The ledger's path.
        path: String,
    },
    /// The ledger cannot be written.
    #[error("{path}: the ledger is read-only (file permissions, or a read-only disk); nothing was written")]
    ReadOnly {
        /// The ledger's path.
        path: String,
    },
    /// The same history was imported before.
    #[error("{path}: this history was already imported (batch {batch}, {committed_at}); nothing was imported again")]
    AlreadyImported {
        /// The ledger's path.
        path: String,
        /// The batch that imported it.
        batch: i64,
        /// When.
        committed_at: String,
    },
    /// Outcomes that cannot be recorded; none of the file's outcomes were.
    #[error("{path}: {} outcome(s) cannot be recorded, so none were:\n  {}", problems.len(), problems.join("\n  "))]
    Outcomes {
        /// The ledger's path.
        path: String,
        /// One line per outcome, naming its application.
        problems: Vec<String>,
    },
    /// The ledger holds something this build cannot read back.
    #[error("{path}: the ledger holds a value it cannot read ({detail}); was it edited by hand?")]
    Unreadable {
        /// The ledger's path.
        path: String,
        /// Which value.
        detail: String,
    },
    /// Any other storage error, with SQLite's message.
    #[error("{path}: {message}; nothing was written")]
    Storage {
        /// The ledger's path.
        path: String,
        /// What SQLite said.
        message: String,
    },
}

impl LedgerError {
    /// The stable code.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            LedgerError::Missing { .. } => "ledger_missing",
            LedgerError::NotALedger { .. } => "not_a_ledger",
            LedgerError::NewerSchema { .. } => "newer_schema",
            LedgerError::Busy { .. } => "ledger_busy",
            LedgerError::DiskFull { .. } => "disk_full",
            LedgerError::ReadOnly { .. } => "read_only",
            LedgerError::AlreadyImported { .. } => "already_imported",
            LedgerError::Outcomes { .. } => "outcomes_refused",
            LedgerError::Unreadable { .. } => "unreadable_value",
            LedgerError::Storage { .. } => "storage",
        }
    }

    /// A SQLite error, by what it means for the ledger (`waited_secs`: how long a busy ledger
    /// was waited for).
    pub(crate) fn from_sqlite(path: &str, waited_secs: u64, e: rusqlite::Error) -> LedgerError {
        let path = path.to_string();
        match e.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => LedgerError::DiskFull { path },
            Some(ErrorCode::ReadOnly) => LedgerError::ReadOnly { path },
            Some(ErrorCode::NotADatabase) => LedgerError::NotALedger { path },
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => LedgerError::Busy { path, waited_secs },
            _ => LedgerError::Storage { path, message: e.to_string() },
        }
    }
}
