//! A batch run (SPEC §7.2, §8): claims, history, apprenticeship applications and their
//! outcomes read from Python, assessed by the core's `Batch` with the interpreter released, and
//! the result kept for Python to take as tables, records or a report.
//!
//! Claims that do not validate are `invalid` rows of the result (nothing is dropped), and so are
//! applications. History decides limits for every later claim, so a history row that does not
//! validate stops the run (`ClaimError`), as in the CLI; so does an outcome without its
//! application id.

use crate::error::Error;
use crate::input::{self, ClaimColumns, Data, Frame};
use crate::output::{self, ArrowStream, Layout};
use crate::report::PyReport;
use crate::values;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use skill_subsidy::money::format_yuan;
use skill_subsidy::{
    Application, Batch, BatchResult, BudgetInput, Closings, Decimal, Engine, FieldError, FieldMode, HistoryRecord, RawClaim, RawValue,
};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Claims, ready to be added without the interpreter.
enum Claims {
    Frame(Frame, FieldMode),
    Raw(Vec<RawClaim>, FieldMode),
}

/// An application as read: parsed, or its id and errors.
enum AppRead {
    Ok(Application),
    Invalid(String, Vec<FieldError>),
}

/// Unknown fields are an error in strict mode. Unless told, tables (exports, like CSV files)
/// are read leniently and Python mappings (like JSON objects) strictly, as the CLI reads files.
fn mode(lenient: Option<bool>, data: &Data<'_>) -> FieldMode {
    match (lenient, data) {
        (Some(true), _) | (None, Data::Frame(_)) => FieldMode::Lenient,
        _ => FieldMode::Strict,
    }
}

/// Everything a run needs, read from Python.
pub(crate) struct Inputs {
    claims: Claims,
    history: Vec<HistoryRecord>,
    applications: Vec<AppRead>,
}

impl Inputs {
    /// Reads the inputs (the interpreter is held: Python objects are read here, and only here).
    pub(crate) fn read(
        claims: Option<&Bound<'_, PyAny>>,
        history: Option<&Bound<'_, PyAny>>,
        applications: Option<&Bound<'_, PyAny>>,
        outcomes: Option<&Bound<'_, PyAny>>,
        lenient: Option<bool>,
    ) -> Result<Inputs, Error> {
        let history = read_history(history, lenient)?;
        let applications = read_applications(applications, outcomes, lenient)?;
        let data = input::read(claims, "claims")?;
        let mode = mode(lenient, &data);
        let claims = match data {
            Data::Frame(frame) => {
                let fields: Vec<&str> = skill_subsidy::Field::ALL.iter().map(|f| f.name()).collect();
                frame.check("claims", "claim_id", &fields)?;
                Claims::Frame(frame, mode)
            }
            Data::Items(items) => Claims::Raw(input::raw_claims(&items)?, mode),
        };
        Ok(Inputs { claims, history, applications })
    }

    /// Assesses everything as one batch; with `closings` (SPEC §11), as one partition of a
    /// batch split by person, the accounts closing where the global pass found. Runs without
    /// the interpreter.
    pub(crate) fn assess(&self, engine: &Engine, trace: bool, closings: Option<&Closings>) -> BatchResult {
        let batch = self.batch(engine, trace);
        match closings {
            None => batch.finish(),
            Some(closings) => batch.into_partition().settle(closings),
        }
    }

    /// Pass 1 of a partition (SPEC §11): what it brings to the accounts' global pass.
    pub(crate) fn budget_input(&self, engine: &Engine) -> BudgetInput {
        self.batch(engine, false).into_partition().budget_input().clone()
    }

    fn batch<'e>(&self, engine: &'e Engine, trace: bool) -> Batch<'e> {
        let mut batch = engine.batch().with_trace(trace);
        for h in &self.history {
            batch.add_history(h);
        }
        for app in &self.applications {
            match app {
                AppRead::Ok(app) => batch.add_application(app),
                AppRead::Invalid(id, errors) => batch.add_invalid_application(id, errors.clone()),
            }
        }
        // Rows are read and checked on one claim at a time on every core (the core keeps the
        // input order); the cross-claim checks then run once over the batch.
        match &self.claims {
            Claims::Raw(rows, mode) => batch.add_rows(rows.len(), *mode, |i| &rows[i]),
            Claims::Frame(frame, mode) => {
                for b in &frame.batches {
                    let columns = ClaimColumns::new(b);
                    batch.add_rows(b.num_rows(), *mode, |i| columns.row(i));
                }
            }
        }
        batch
    }
}

fn read_history(history: Option<&Bound<'_, PyAny>>, lenient: Option<bool>) -> Result<Vec<HistoryRecord>, Error> {
    let data = input::read(history, "history")?;
    if let Data::Frame(frame) = &data {
        frame.check("history", "person_id", &skill_subsidy::history::HISTORY_FIELDS)?;
    }
    let lenient = mode(lenient, &data) == FieldMode::Lenient;
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (row, record) in input::records(&data)?.into_iter().enumerate() {
        let parsed =
            record.map_err(|e| vec![e]).and_then(|fields| HistoryRecord::parse(fields.iter().map(|(k, v)| (k.as_str(), v)), lenient));
        match parsed {
            Ok(h) => out.push(h),
            Err(errors) => problems.push((row, errors)),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Error::Rows { what: "history", rows: problems })
    }
}

/// Outcomes by application id: (outcome, outcome_date) as given, for the core to validate
/// with the application.
fn read_outcomes(outcomes: Option<&Bound<'_, PyAny>>) -> Result<BTreeMap<String, (RawValue, RawValue)>, Error> {
    let data = input::read(outcomes, "outcomes")?;
    if let Data::Frame(frame) = &data {
        frame.check("outcomes", "application_id", &["application_id", "outcome", "outcome_date"])?;
    }
    let mut known = BTreeMap::new();
    let mut problems = Vec::new();
    for (row, record) in input::records(&data)?.into_iter().enumerate() {
        let fields = match record {
            Ok(fields) => fields,
            Err(e) => {
                problems.push((row, vec![e]));
                continue;
            }
        };
        let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or(RawValue::Null);
        let id = match get("application_id") {
            RawValue::Text(s) | RawValue::Number(s) if !s.trim().is_empty() => s.trim().to_string(),
            _ => {
                problems.push((row, vec![FieldError::new(skill_subsidy::ClaimErrorKind::MissingField, "application_id", None)]));
                continue;
            }
        };
        known.insert(id, (get("outcome"), get("outcome_date")));
    }
    if problems.is_empty() {
        Ok(known)
    } else {
        Err(Error::Rows { what: "outcomes", rows: problems })
    }
}

fn read_applications(
    applications: Option<&Bound<'_, PyAny>>,
    outcomes: Option<&Bound<'_, PyAny>>,
    lenient: Option<bool>,
) -> Result<Vec<AppRead>, Error> {
    let known = read_outcomes(outcomes)?;
    let data = input::read(applications, "applications")?;
    if let Data::Frame(frame) = &data {
        frame.check("applications", "application_id", &skill_subsidy::apprenticeship::APPLICATION_FIELDS)?;
    }
    let lenient = mode(lenient, &data) == FieldMode::Lenient;
    let mut out = Vec::new();
    for record in input::records(&data)? {
        let mut fields = match record {
            Ok(fields) => fields,
            Err(e) => {
                out.push(AppRead::Invalid(String::new(), vec![e]));
                continue;
            }
        };
        let id = Application::id_of(fields.iter().map(|(k, v)| (k.as_str(), v)));
        // An outcome given apart replaces the application's own (as `--outcomes` does).
        if let Some((outcome, date)) = known.get(id.trim()) {
            fields.retain(|(k, _)| k != "outcome" && k != "outcome_date");
            fields.push(("outcome".into(), outcome.clone()));
            fields.push(("outcome_date".into(), date.clone()));
        }
        match Application::parse(fields.iter().map(|(k, v)| (k.as_str(), v)), lenient) {
            Ok(app) => out.push(AppRead::Ok(app)),
            Err(errors) => out.push(AppRead::Invalid(id, errors)),
        }
    }
    Ok(out)
}

/// The result of a batch: the assessments of the claims in input order, the applications'
/// results, and the report.
#[pyclass(frozen, name = "BatchResult", module = "skill_subsidy._native")]
pub(crate) struct PyBatchResult {
    pub(crate) engine: Arc<Engine>,
    pub(crate) result: BatchResult,
    pub(crate) trace: bool,
}

fn table(
    py: Python<'_>,
    build: impl FnOnce() -> Result<Vec<arrow_array::RecordBatch>, arrow_schema::ArrowError> + Send,
) -> PyResult<ArrowStream> {
    let batches = py.detach(build).map_err(|error| Error::Arrow { what: "result", error })?;
    Ok(ArrowStream::new(batches))
}

#[pymethods]
impl PyBatchResult {
    /// Claims assessed.
    fn __len__(&self) -> usize {
        self.result.assessments.len()
    }

    /// The claims' records as an Arrow table (`claim_id`, `status`, `amount` decimal128(18, 2),
    /// …); text as `utf8_view` when `view` (what polars holds), else `utf8`.
    #[pyo3(signature = (view = false))]
    fn assessments_table(&self, py: Python<'_>, view: bool) -> PyResult<ArrowStream> {
        let rows = self.result.assessments.len();
        table(py, || output::in_chunks(rows, |range| output::assessments(&self.engine, &self.result, self.trace, Layout::new(view), range)))
    }

    /// The claims' records as dicts (money as `Decimal`, the trace when asked for).
    fn assessment_records<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for (id, a) in self.result.claim_ids.iter().zip(&self.result.assessments) {
            let record = serde_json::to_value(self.engine.record(id, a)).map_err(to_value_error)?;
            list.append(values::to_python(py, &record)?)?;
        }
        Ok(list)
    }

    /// The record of the `i`-th claim as a dict (negative `i` counts from the end).
    fn assessment_record<'py>(&self, py: Python<'py>, i: isize) -> PyResult<Bound<'py, PyAny>> {
        let n = self.result.assessments.len();
        let at = if i < 0 { n.checked_sub(i.unsigned_abs()) } else { Some(i.unsigned_abs()).filter(|&i| i < n) };
        let Some(at) = at else {
            return Err(pyo3::exceptions::PyIndexError::new_err(format!("claim {i} of {n}")));
        };
        let (id, a) = (&self.result.claim_ids[at], &self.result.assessments[at]);
        values::to_python(py, &serde_json::to_value(self.engine.record(id, a)).map_err(to_value_error)?)
    }

    /// The applications' results as an Arrow table.
    #[pyo3(signature = (view = false))]
    fn applications_table(&self, py: Python<'_>, view: bool) -> PyResult<ArrowStream> {
        table(py, || output::applications(&self.engine, &self.result, Layout::new(view)).map(|b| vec![b]))
    }

    /// The applications' staged payments as an Arrow table, one row per payment.
    #[pyo3(signature = (view = false))]
    fn payments_table(&self, py: Python<'_>, view: bool) -> PyResult<ArrowStream> {
        table(py, || output::payments(&self.result, Layout::new(view)).map(|b| vec![b]))
    }

    /// The applications' results as dicts, with their session, payments and final amount.
    fn application_records<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for a in &self.result.applications {
            list.append(values::to_python(py, &a.to_json(&self.engine))?)?;
        }
        Ok(list)
    }

    /// The applications' payments summed by month (`YYYY-MM` → `Decimal`).
    fn cash_flow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let mut flow: BTreeMap<String, Decimal> = BTreeMap::new();
        for p in self.result.applications.iter().flat_map(|a| a.schedule.iter().flat_map(|s| &s.payments)) {
            *flow.entry(p.month.to_string()).or_default() += p.amount;
        }
        let dict = PyDict::new(py);
        for (month, amount) in flow {
            dict.set_item(month, values::decimal(py, &format_yuan(amount))?)?;
        }
        Ok(dict)
    }

    /// The report (SPEC §9).
    fn report(&self) -> PyReport {
        PyReport { report: self.result.report.clone() }
    }
}

fn to_value_error(e: serde_json::Error) -> PyErr {
    PyErr::from(Error::Internal(format!("a record could not be written: {e}")))
}
