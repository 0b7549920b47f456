//! A ledger of committed subsidy decisions (补贴台账): month after month, each batch is decided
//! against everything earlier batches committed, and commits its own decisions in one
//! transaction (SPEC v2 §10). SQLite, compiled in, is the store; the tables are documented in
//! `docs/ledger.md`, versioned and migrated.
//!
//! Where to start: [`Ledger::open`], then [`Ledger::assess`] with a month's claims (and
//! apprenticeship applications); [`Ledger::report`] for the report of SPEC §9 over everything
//! committed; [`Ledger::history`] for the committed subsidies as history records (what
//! `subsidy ledger export` writes); [`Ledger::import_history`] to start from an earlier system;
//! [`Ledger::record_outcomes`] as apprenticeships end.
//!
//! - **Month by month equals one batch.** A batch sees the ledger's approved claims and
//!   applications as history, and an account that closed (资金用完即止) stays closed at the
//!   claim where it closed. Months sent in order decide every claim as one batch of the whole
//!   year would. A late claim of an earlier month is decided against what is already committed:
//!   decisions on record are never reopened.
//! - **Idempotent by claim id.** A claim id on record with the same content (its validated
//!   fields in canonical form, `docs/ledger.md`) is *already decided*: its earlier decision is
//!   shown and nothing is committed again. The same id with other content is
//!   `invalid` (`claim_id_reused`): never a second payment. Invalid claims are not decided and
//!   not recorded: corrected, they may come again under their id.
//! - **All or nothing.** A batch commits in one transaction; a crash, a kill or a full disk
//!   leaves the ledger as it was before the batch. Two processes committing at once are
//!   served one after the other (the second waits up to [`Ledger::with_wait`], then is refused
//!   with [`LedgerError::Busy`]), never interleaved.
//! - **Person ids** are stored as given (the bureau's system holds them already) and never
//!   appear in a message.
//!
//! ```
//! use skill_subsidy::{Claim, Engine, Ruleset, calendar::parse_date};
//! use skill_subsidy_ledger::{ClaimInput, Disposition, Input, Ledger};
//! let dir = tempfile::tempdir().unwrap();
//! let engine = Engine::new(Ruleset::wuxi_2021()?);
//! let mut ledger = Ledger::open(dir.path().join("wuxi-2021.db"))?;
//! let mut claim = Claim::new("C1", "pre_job", "P1", parse_date("2021-05-10").unwrap(), parse_date("2021-05-20").unwrap());
//! claim.enterprise_id = Some("E1".into());
//! let first = ledger.assess(&engine, Input::claims(vec![ClaimInput::Valid(claim.clone())]))?;
//! assert_eq!(first.result.assessments()[0].amount.to_string(), "300.00");
//! // The same claim again: already decided, nothing committed.
//! let again = ledger.assess(&engine, Input::claims(vec![ClaimInput::Valid(claim)]))?;
//! assert!(matches!(again.claims[0], Disposition::AlreadyDecided { .. }));
//! assert_eq!(again.batch, None);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod assess;
mod batches;
mod content;
mod decisions;
mod error;
mod history;
mod outcomes;
mod report;
mod schema;

pub use assess::{ApplicationInput, ClaimInput, Disposition, Input, Run};
pub use batches::BatchInfo;
pub use error::LedgerError;
pub use history::Imported;
pub use outcomes::OutcomesRecorded;
pub use report::MonthRange;
pub use schema::SCHEMA_VERSION;

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::Path;
use std::time::Duration;

/// The engine's version, recorded with every batch: the workspace's crates share one version,
/// so this crate's is the core's.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// How long a process waits for another to finish committing, unless told.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(60);

/// An open ledger.
pub struct Ledger {
    conn: Connection,
    path: String,
    wait: Duration,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger").field("path", &self.path).finish_non_exhaustive()
    }
}

impl Ledger {
    /// Opens the ledger at `path`, creating it (and its folder) when there is none, and
    /// migrating one of an older schema. Refuses a ledger of a newer schema
    /// ([`LedgerError::NewerSchema`]) and a file that is not a ledger, without changing them.
    pub fn open(path: impl AsRef<Path>) -> Result<Ledger, LedgerError> {
        let path = path.as_ref();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| LedgerError::Storage { path: path.display().to_string(), message: e.to_string() })?;
        }
        Ledger::connect(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE)
    }

    /// Opens an existing ledger ([`LedgerError::Missing`] when there is none): for reports and
    /// exports, which should not leave an empty ledger behind a mistyped path.
    pub fn open_existing(path: impl AsRef<Path>) -> Result<Ledger, LedgerError> {
        let path = path.as_ref();
        if !path.is_file() {
            return Err(LedgerError::Missing { path: path.display().to_string() });
        }
        Ledger::connect(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
    }

    fn connect(path: &Path, flags: OpenFlags) -> Result<Ledger, LedgerError> {
        let shown = path.display().to_string();
        let sql = |e| LedgerError::from_sqlite(&shown, DEFAULT_WAIT.as_secs(), e);
        let mut conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX).map_err(sql)?;
        conn.busy_timeout(DEFAULT_WAIT).map_err(sql)?;
        schema::migrate(&mut conn, &shown, DEFAULT_WAIT.as_secs(), &batches::now(), ENGINE_VERSION)?;
        // Readers (a report) never wait for a commit, nor a commit for them; a commit is on disk
        // when it returns (a power cut after it loses nothing).
        conn.pragma_update(None, "journal_mode", "WAL").map_err(sql)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(sql)?;
        conn.pragma_update(None, "foreign_keys", true).map_err(sql)?;
        Ok(Ledger { conn, path: shown, wait: DEFAULT_WAIT })
    }

    /// Waits up to `wait` for another process to finish committing before refusing with
    /// [`LedgerError::Busy`] (default [`DEFAULT_WAIT`]; zero refuses at once).
    pub fn with_wait(mut self, wait: Duration) -> Result<Ledger, LedgerError> {
        self.conn.busy_timeout(wait).map_err(|e| self.error(e))?;
        self.wait = wait;
        Ok(self)
    }

    /// The path, as opened.
    #[must_use]
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Caps the ledger at `pages` pages of 4 KiB on this connection, as a full disk would:
    /// for tests of what a full disk does.
    #[doc(hidden)]
    pub fn limit_pages_for_tests(&self, pages: i64) -> Result<(), LedgerError> {
        self.conn.pragma_update(None, "max_page_count", pages).map_err(|e| self.error(e))
    }

    /// A SQLite error, by what it means here.
    pub(crate) fn error(&self, e: rusqlite::Error) -> LedgerError {
        LedgerError::from_sqlite(&self.path, self.wait.as_secs(), e)
    }

    /// Starts a write transaction at once (`BEGIN IMMEDIATE`): whoever reads the ledger to
    /// decide a batch holds the write lock from that read to its commit, so two batches are
    /// never decided on the same state. Waits for another writer up to `wait`.
    pub(crate) fn begin(&mut self) -> Result<(Transaction<'_>, Place<'_>), LedgerError> {
        let place = Place { path: &self.path, wait_secs: self.wait.as_secs() };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| place.error(e))?;
        Ok((tx, place))
    }

    /// A read transaction: one snapshot of the ledger, whatever commits meanwhile.
    pub(crate) fn snapshot(&mut self) -> Result<(Transaction<'_>, Place<'_>), LedgerError> {
        let place = Place { path: &self.path, wait_secs: self.wait.as_secs() };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Deferred).map_err(|e| place.error(e))?;
        Ok((tx, place))
    }
}

/// Where errors happen: the ledger's path and how long it waits, for messages.
#[derive(Clone, Copy)]
pub(crate) struct Place<'a> {
    pub path: &'a str,
    pub wait_secs: u64,
}

impl Place<'_> {
    pub(crate) fn error(self, e: rusqlite::Error) -> LedgerError {
        LedgerError::from_sqlite(self.path, self.wait_secs, e)
    }

    /// A stored value this build cannot read back.
    pub(crate) fn unreadable(self, detail: String) -> LedgerError {
        LedgerError::Unreadable { path: self.path.to_string(), detail }
    }
}
