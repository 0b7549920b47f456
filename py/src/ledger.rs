//! The ledger for Python (SPEC v2 §10): `skill_subsidy.Ledger(path)`, the same SQLite file as
//! the CLI's `--ledger`. A batch read from Python is decided against the ledger and committed
//! with the interpreter released; the history comes back as an Arrow table, the report as a
//! `Report`. Errors map to `LedgerError` in `error.rs`.

use crate::batch::{Inputs, PyBatchResult};
use crate::engine::PyEngine;
use crate::error::Error;
use crate::input;
use crate::output::{self, ArrowStream};
use crate::report::PyReport;
use crate::values;
use arrow_array::builder::{Decimal128Builder, Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, Field as ArrowField, Schema};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use skill_subsidy::calendar::parse_date;
use skill_subsidy::{ClaimErrorKind, FieldError, HistoryRecord, Outcome, OutcomeKind, RawValue};
use skill_subsidy_ledger::{ApplicationInput, ClaimInput, Disposition, Input, Ledger, MonthRange};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// An open ledger. One connection, used by one call at a time.
#[pyclass(frozen, name = "Ledger", module = "skill_subsidy._native")]
pub(crate) struct PyLedger {
    ledger: Mutex<Ledger>,
}

impl PyLedger {
    fn with<T>(&self, py: Python<'_>, f: impl FnOnce(&mut Ledger) -> Result<T, Error> + Send) -> Result<T, Error>
    where
        T: Send,
    {
        // The interpreter is released while SQLite and the core work; a ledger another thread
        // is using is waited for.
        py.detach(|| {
            let mut ledger = self.ledger.lock().map_err(|_| Error::Internal("the ledger was left in use by a failed call".into()))?;
            f(&mut ledger)
        })
    }
}

/// Where each row went: `committed`, `already_decided` or `not_committed`.
fn disposition(d: &Disposition) -> &'static str {
    match d {
        Disposition::Committed => "committed",
        Disposition::AlreadyDecided { .. } => "already_decided",
        _ => "not_committed",
    }
}

/// The history records as an Arrow table in the `--history` fields (money `decimal128(18, 2)`).
fn history_table(records: &[HistoryRecord]) -> Result<RecordBatch, ArrowError> {
    let text = |get: &dyn Fn(&HistoryRecord) -> Option<String>| -> ArrayRef {
        let mut b = StringBuilder::with_capacity(records.len(), records.len() * 12);
        for h in records {
            b.append_option(get(h));
        }
        Arc::new(b.finish())
    };
    let mut amount = Decimal128Builder::with_capacity(records.len()).with_precision_and_scale(18, 2)?;
    let mut months = Int64Builder::with_capacity(records.len());
    for h in records {
        amount.append_value(output::fen(h.amount));
        months.append_option(h.months.map(i64::from));
    }
    let columns: Vec<(&str, DataType, bool, ArrayRef)> = vec![
        ("person_id", DataType::Utf8, false, text(&|h| Some(h.person_id.to_string()))),
        ("program", DataType::Utf8, false, text(&|h| Some(h.program.to_string()))),
        ("enterprise_id", DataType::Utf8, true, text(&|h| h.enterprise_id.as_ref().map(ToString::to_string))),
        ("occupation", DataType::Utf8, true, text(&|h| h.occupation.as_ref().map(ToString::to_string))),
        ("level", DataType::Utf8, true, text(&|h| h.level.map(|l| l.code().to_string()))),
        ("event_date", DataType::Utf8, false, text(&|h| Some(h.event_date.to_string()))),
        ("applied_on", DataType::Utf8, false, text(&|h| Some(h.applied_on.to_string()))),
        ("amount", DataType::Decimal128(18, 2), false, Arc::new(amount.finish())),
        ("project", DataType::Utf8, true, text(&|h| h.project.as_ref().map(ToString::to_string))),
        ("months", DataType::Int64, true, Arc::new(months.finish())),
    ];
    let fields: Vec<ArrowField> = columns.iter().map(|(name, t, nullable, _)| ArrowField::new(*name, t.clone(), *nullable)).collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns.into_iter().map(|(_, _, _, a)| a).collect())
}

/// Outcomes as given (`application_id`, `outcome`, `outcome_date`), each checked: a known
/// outcome, a date, a withdrawal's date given. Every row must be readable: an outcome changes
/// what is paid.
fn outcome_list(data: &Bound<'_, PyAny>) -> Result<Vec<(String, Outcome)>, Error> {
    let data = input::read(Some(data), "outcomes")?;
    let (mut out, mut problems) = (Vec::new(), Vec::new());
    for (row, record) in input::records(&data)?.into_iter().enumerate() {
        let fields = match record {
            Ok(fields) => fields,
            Err(e) => {
                problems.push((row, vec![e]));
                continue;
            }
        };
        let text = |name: &str| match fields.iter().find(|(k, _)| k == name).map(|(_, v)| v) {
            Some(RawValue::Text(s) | RawValue::Number(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
            _ => None,
        };
        let mut errors = Vec::new();
        let id = text("application_id");
        if id.is_none() {
            errors.push(FieldError::new(ClaimErrorKind::MissingField, "application_id", None));
        }
        let kind = match text("outcome") {
            None => {
                errors.push(FieldError::new(ClaimErrorKind::MissingField, "outcome", None));
                None
            }
            Some(k) => OutcomeKind::parse(&k).or_else(|| {
                errors.push(FieldError::new(ClaimErrorKind::WrongType, "outcome", Some(k)));
                None
            }),
        };
        let date = text("outcome_date").and_then(|d| {
            parse_date(&d).ok().or_else(|| {
                errors.push(FieldError::new(ClaimErrorKind::BadDate, "outcome_date", Some(d)));
                None
            })
        });
        if kind == Some(OutcomeKind::Withdrawn) && date.is_none() && text("outcome_date").is_none() {
            errors.push(FieldError::new(ClaimErrorKind::MissingField, "outcome_date", None));
        }
        match (id, kind) {
            (Some(id), Some(kind)) if errors.is_empty() => out.push((id, Outcome::new(kind, date))),
            _ => problems.push((row, errors)),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Error::Rows { what: "outcomes", rows: problems })
    }
}

#[pymethods]
impl PyLedger {
    /// Opens the ledger at `path` (created when there is none), waiting up to `wait` seconds
    /// for another process committing to it.
    #[new]
    #[pyo3(signature = (path, wait = 60.0))]
    fn new(py: Python<'_>, path: std::path::PathBuf, wait: f64) -> PyResult<PyLedger> {
        let wait = Duration::try_from_secs_f64(wait.max(0.0)).unwrap_or(skill_subsidy_ledger::DEFAULT_WAIT);
        let ledger = py.detach(|| Ledger::open(&path).and_then(|l| l.with_wait(wait))).map_err(Error::Ledger)?;
        Ok(PyLedger { ledger: Mutex::new(ledger) })
    }

    /// Decides claims (and applications, with their outcomes) against the ledger and commits
    /// them in one transaction: the result in input order, the batch committed (or `None`),
    /// and where each claim and application went.
    #[pyo3(signature = (engine, claims = None, applications = None, outcomes = None, lenient = None, trace = false))]
    #[allow(clippy::too_many_arguments, clippy::type_complexity)] // Python's keyword arguments; a Python tuple
    fn run(
        &self,
        py: Python<'_>,
        engine: &PyEngine,
        claims: Option<&Bound<'_, PyAny>>,
        applications: Option<&Bound<'_, PyAny>>,
        outcomes: Option<&Bound<'_, PyAny>>,
        lenient: Option<bool>,
        trace: bool,
    ) -> PyResult<(PyBatchResult, Option<i64>, Vec<&'static str>, Vec<&'static str>)> {
        let inputs = Inputs::read(&engine.engine, claims, None, applications, outcomes, lenient)?;
        let engine = engine.shared();
        let run = self.with(py, |ledger| {
            let mut claims = Vec::new();
            inputs.each_claim(|read| {
                claims.push(match read {
                    Ok(claim) => ClaimInput::Valid(claim),
                    Err((claim_id, errors)) => ClaimInput::Invalid { claim_id, errors },
                });
            });
            let mut applications = Vec::new();
            inputs.each_application(|read| {
                applications.push(match read {
                    Ok(app) => ApplicationInput::Valid(app.clone()),
                    Err((id, errors)) => ApplicationInput::Invalid { application_id: id.to_string(), errors: errors.to_vec() },
                });
            });
            let input = Input::claims(claims).with_applications(applications).with_trace(trace).with_source("python");
            ledger.assess(&engine, input).map_err(Error::Ledger)
        })?;
        let claims = run.claims.iter().map(disposition).collect();
        let applications = run.applications.iter().map(disposition).collect();
        let result = PyBatchResult { engine, outcome: crate::batch::Outcome::Batch(run.result), claim_ids: inputs.claim_ids(), trace };
        Ok((result, run.batch, claims, applications))
    }

    /// Every subsidy the ledger holds (imported, approved claims and apprenticeships) as an
    /// Arrow table of the `--history` fields.
    fn history(&self, py: Python<'_>) -> PyResult<ArrowStream> {
        let batch = self.with(py, |ledger| {
            let records = ledger.history().map_err(Error::Ledger)?;
            history_table(&records).map_err(|error| Error::Arrow { what: "history", error })
        })?;
        Ok(ArrowStream::new(vec![batch]))
    }

    /// The report (SPEC §9) over what the ledger holds, or over the decisions committed in
    /// `period` (`2021-03..2021-06`) with everything before it as history.
    #[pyo3(signature = (engine, period = None))]
    fn report(&self, py: Python<'_>, engine: &PyEngine, period: Option<&str>) -> PyResult<PyReport> {
        let period = match period {
            Some(text) => Some(MonthRange::parse(text).ok_or_else(|| {
                Error::input("period", "bad_period", text, format!("{text:?} is not months FROM..TO, like 2021-03..2021-06"))
            })?),
            None => None,
        };
        let engine = engine.shared();
        let report = self.with(py, |ledger| ledger.report(&engine, period).map_err(Error::Ledger))?;
        Ok(PyReport { report, engine })
    }

    /// Imports history decided before the ledger, once: (batch, records written).
    #[pyo3(signature = (engine, history, lenient = None))]
    fn import_history(
        &self,
        py: Python<'_>,
        engine: &PyEngine,
        history: &Bound<'_, PyAny>,
        lenient: Option<bool>,
    ) -> PyResult<(i64, usize)> {
        let inputs = Inputs::read(&engine.engine, None, Some(history), None, None, lenient)?;
        let imported = self.with(py, |ledger| ledger.import_history(inputs.history(), Some("python")).map_err(Error::Ledger))?;
        Ok((imported.batch, imported.records))
    }

    /// Records apprenticeship outcomes as they arrive: (batch or None, recorded, unchanged,
    /// not approved).
    fn record_outcomes(
        &self,
        py: Python<'_>,
        engine: &PyEngine,
        outcomes: &Bound<'_, PyAny>,
    ) -> PyResult<(Option<i64>, usize, usize, usize)> {
        let given = outcome_list(outcomes)?;
        let engine = engine.shared();
        let done = self.with(py, |ledger| ledger.record_outcomes(&engine, &given, Some("python")).map_err(Error::Ledger))?;
        Ok((done.batch, done.recorded, done.unchanged, done.not_approved))
    }

    /// Every batch on record, as dicts.
    fn batches<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let batches = self.with(py, |ledger| ledger.batches().map_err(Error::Ledger))?;
        let list = PyList::empty(py);
        for b in batches {
            let d = PyDict::new(py);
            d.set_item("batch_id", b.batch_id)?;
            d.set_item("kind", &b.kind)?;
            d.set_item("committed_at", &b.committed_at)?;
            d.set_item("source", &b.source)?;
            d.set_item("ruleset_id", &b.ruleset_id)?;
            d.set_item("ruleset_sha256", &b.ruleset_sha256)?;
            d.set_item("overrides", values::to_python_plain(py, &serde_json::from_str(&b.overrides).unwrap_or_default())?)?;
            d.set_item("engine_version", &b.engine_version)?;
            d.set_item("rows_given", b.rows_given)?;
            d.set_item("committed", b.committed)?;
            d.set_item("already_decided", b.already_decided)?;
            d.set_item("not_committed", b.not_committed)?;
            list.append(d)?;
        }
        Ok(list)
    }

    fn __repr__(&self) -> String {
        match self.ledger.lock() {
            Ok(l) => format!("Ledger({:?})", l.path()),
            Err(_) => "Ledger(…)".into(),
        }
    }
}
