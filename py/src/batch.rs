//! A batch run (SPEC §7.2, §8): claims, history, apprenticeship applications and their
//! outcomes read from Python, assessed by the core's `Batch` with the interpreter released, and
//! the result kept for Python to take as tables, records or a report.
//!
//! Claims that do not validate are `invalid` rows of the result (nothing is dropped), and so are
//! applications. History decides limits for every later claim, so a history row that does not
//! validate stops the run (`ClaimError`), as in the CLI; so does an outcome without its
//! application id.

use crate::error::Error;
use crate::input::{self, Data, Frame, FrameColumns};
use crate::money::Money;
use crate::output::{self, ArrowStream, Layout};
use crate::report::PyReport;
use crate::shapes::{self, ByShape, Constant, Written};
use crate::values;
use arrow_array::ArrayRef;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use skill_subsidy::money::format_yuan;
use skill_subsidy::{
    Application, Assessment, Batch, BatchResult, BudgetInput, Claim, Closings, Decimal, Engine, FieldError, FieldMode, FieldSource,
    HistoryRecord, RawClaim, RawValue, Status,
};
use std::collections::{BTreeMap, BTreeSet};
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
        engine: &Engine,
        claims: Option<&Bound<'_, PyAny>>,
        history: Option<&Bound<'_, PyAny>>,
        applications: Option<&Bound<'_, PyAny>>,
        outcomes: Option<&Bound<'_, PyAny>>,
        lenient: Option<bool>,
    ) -> Result<Inputs, Error> {
        let history = read_history(engine, history, lenient)?;
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
    /// batch split by person, the accounts closing where the global pass found. A table of
    /// claims alone (no history, applications, trace or closings) is assessed a shape at a
    /// time (`Engine::assess_table`), with the same result. Runs without the interpreter.
    pub(crate) fn assess(&self, engine: &Engine, trace: bool, closings: Option<&Closings>) -> Outcome {
        if let Claims::Frame(frame, mode) = &self.claims {
            if !trace && closings.is_none() && self.history.is_empty() && self.applications.is_empty() && frame.rows() > 0 {
                let columns = FrameColumns::new(frame);
                return Outcome::Table(engine.assess_table(&columns.table(), *mode));
            }
        }
        let batch = self.batch(engine, trace);
        Outcome::Batch(match closings {
            None => batch.finish(),
            Some(closings) => batch.into_partition().settle(closings),
        })
    }

    /// Assesses everything as one batch, as [`Inputs::assess`] does, explaining only the claim
    /// `claim_id` where the batch decides it (SPEC §7.4): the result of the whole batch, that
    /// claim's assessment holding the trace. History records are named by their position from 1.
    pub(crate) fn explain(&self, engine: &Engine, claim_id: &str, closings: Option<&Closings>) -> BatchResult {
        let batch = self.fill(engine.batch().trace_only([claim_id]));
        match closings {
            None => batch.finish(),
            Some(closings) => batch.into_partition().settle(closings),
        }
    }

    /// Applications added.
    pub(crate) fn applications(&self) -> usize {
        self.applications.len()
    }

    /// The claim ids of a table as given, one array per batch (the result's `claim_id` column).
    pub(crate) fn claim_ids(&self) -> Option<Vec<ArrayRef>> {
        let Claims::Frame(frame, _) = &self.claims else { return None };
        let at = frame.names.iter().position(|n| n == "claim_id")?;
        Some(frame.batches.iter().map(|b| b.column(at).clone()).collect())
    }

    /// Pass 1 of a partition (SPEC §11): what it brings to the accounts' global pass.
    pub(crate) fn budget_input(&self, engine: &Engine) -> BudgetInput {
        self.batch(engine, false).into_partition().budget_input().clone()
    }

    /// Each claim read and validated on its own, in input order: the claim, or its id as given
    /// and its errors (a ledger keeps every claim's fields).
    pub(crate) fn each_claim(&self, mut each: impl FnMut(Result<Claim, (String, Vec<FieldError>)>)) {
        let mut one = |row: &dyn FieldSource, mode: FieldMode| {
            each(Claim::parse(row, mode).map_err(|e| (row.claim_id_text(), e.into_field_errors())))
        };
        match &self.claims {
            Claims::Raw(rows, mode) => rows.iter().for_each(|row| one(row, *mode)),
            Claims::Frame(frame, mode) => {
                let columns = FrameColumns::new(frame);
                let table = columns.table();
                (0..table.rows()).for_each(|i| one(&table.row(i), *mode));
            }
        }
    }

    /// Each application as read, in input order: the application, or its id and errors.
    pub(crate) fn each_application(&self, mut each: impl FnMut(Result<&Application, (&str, &[FieldError])>)) {
        for app in &self.applications {
            each(match app {
                AppRead::Ok(app) => Ok(app),
                AppRead::Invalid(id, errors) => Err((id, errors)),
            });
        }
    }

    /// The history records read.
    pub(crate) fn history(&self) -> &[HistoryRecord] {
        &self.history
    }

    fn batch<'e>(&self, engine: &'e Engine, trace: bool) -> Batch<'e> {
        self.fill(engine.batch().with_trace(trace))
    }

    /// Adds the history, the applications and the claims to a batch.
    fn fill<'e>(&self, mut batch: Batch<'e>) -> Batch<'e> {
        for h in &self.history {
            // Read by `HistoryRecord::parse`, whose records are as `HistoryRecord::checked` gives
            // them back: the core refuses only records that reader refuses, so none is refused.
            let _ = batch.add_history(h);
        }
        for app in &self.applications {
            match app {
                AppRead::Ok(app) => batch.add_application(app),
                AppRead::Invalid(id, errors) => batch.add_invalid_application(id, errors.clone()),
            }
        }
        // Rows are read on every core (a table's shared fields once per distinct text; the core
        // keeps the input order); the cross-claim checks then run once over the batch.
        match &self.claims {
            Claims::Raw(rows, mode) => batch.add_rows(rows.len(), *mode, |i| &rows[i]),
            Claims::Frame(frame, mode) => {
                let columns = FrameColumns::new(frame);
                batch.add_table(&columns.table(), *mode);
            }
        }
        batch
    }
}

fn read_history(engine: &Engine, history: Option<&Bound<'_, PyAny>>, lenient: Option<bool>) -> Result<Vec<HistoryRecord>, Error> {
    let data = input::read(history, "history")?;
    if let Data::Frame(frame) = &data {
        frame.check("history", "person_id", &skill_subsidy::HistoryRecord::FIELDS)?;
    }
    let lenient = mode(lenient, &data) == FieldMode::Lenient;
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let records = input::records(&data)?;
    // The columns given: a table's, or every key of the mappings.
    let columns: BTreeSet<&str> = match &data {
        Data::Frame(frame) => frame.names.iter().map(String::as_str).collect(),
        Data::Items(_) => records.iter().flatten().flat_map(|fields| fields.iter().map(|(k, _)| k.as_str())).collect(),
    };
    for (row, record) in records.iter().enumerate() {
        let parsed = record
            .as_ref()
            .map_err(|e| vec![e.clone()])
            .and_then(|fields| HistoryRecord::parse(fields.iter().map(|(k, v)| (k.as_str(), v)), lenient));
        match parsed {
            Ok(h) => out.push(h),
            Err(errors) => problems.push((row, errors)),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Rows { what: "history", rows: problems });
    }
    history_columns(engine, &out, &columns)?;
    Ok(out)
}

/// A history without a column its records' programs need (a `level_table` program's level and
/// occupation, an exclusivity group's enterprise) is refused: its records would count for
/// nothing in the checks that compare them, and later claims would be approved as if they had
/// not been paid (`Program::history_fields`).
fn history_columns(engine: &Engine, history: &[HistoryRecord], columns: &BTreeSet<&str>) -> Result<(), Error> {
    let needs: BTreeMap<&str, Vec<&'static str>> = engine.ruleset().programs.iter().map(|p| (p.id.as_str(), p.history_fields())).collect();
    // Field missing → program → records.
    let mut missing: BTreeMap<&'static str, BTreeMap<&str, usize>> = BTreeMap::new();
    for h in history {
        for field in needs.get(h.program.as_str()).into_iter().flatten().filter(|f| !columns.contains(**f)) {
            *missing.entry(field).or_default().entry(h.program.as_str()).or_default() += 1;
        }
    }
    let Some((field, programs)) = missing.into_iter().next() else { return Ok(()) };
    let records: usize = programs.values().sum();
    let names: Vec<&str> = programs.keys().copied().collect();
    let checks = if field == "enterprise_id" { "exclusive_with_other_program" } else { "duplicate_level, lower_than_subsidised_level" };
    Err(Error::input(
        "history",
        "missing_column",
        field,
        format!(
            "the history has no {field} column, which its {records} records of {} need: without it they count for nothing in the \
             checks that compare it ({checks})",
            names.join(", ")
        ),
    ))
}

/// Outcomes by application id: (outcome, outcome_date) as given, for the core to validate
/// with the application.
fn read_outcomes(outcomes: Option<&Bound<'_, PyAny>>) -> Result<BTreeMap<String, (RawValue, RawValue)>, Error> {
    let data = input::read(outcomes, "outcomes")?;
    if let Data::Frame(frame) = &data {
        frame.check("outcomes", "application_id", &input::OUTCOME_FIELDS)?;
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
        frame.check("applications", "application_id", &skill_subsidy::Application::FIELDS)?;
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

/// What a run gives: a batch's result, read from rows (its claim ids are in it) or from a table
/// (its claim ids are the table's column).
pub(crate) enum Outcome {
    Batch(BatchResult),
    Table(BatchResult),
}

impl Outcome {
    pub(crate) fn result(&self) -> &BatchResult {
        match self {
            Outcome::Batch(r) | Outcome::Table(r) => r,
        }
    }

    fn len(&self) -> usize {
        self.result().len()
    }

    fn assessment(&self, i: usize) -> Option<Assessment> {
        (i < self.len()).then(|| self.result().assessment(i))
    }

    fn report(&self) -> &skill_subsidy::Report {
        &self.result().report
    }

    fn applications(&self) -> &[skill_subsidy::ApplicationResult] {
        &self.result().applications
    }
}

/// The result of a run: the assessments of the claims in input order, the applications'
/// results, and the report.
#[pyclass(frozen, name = "BatchResult", module = "skill_subsidy._native")]
pub(crate) struct PyBatchResult {
    pub(crate) engine: Arc<Engine>,
    pub(crate) outcome: Outcome,
    /// A table's claim ids as given, one array per batch.
    pub(crate) claim_ids: Option<Vec<ArrayRef>>,
    pub(crate) trace: bool,
}

impl PyBatchResult {
    /// The claim id of the `i`-th claim, as a batch records it: trimmed once the claim was read,
    /// as given when it could not be.
    fn claim_id(&self, i: usize) -> String {
        match (&self.outcome, &self.claim_ids) {
            (Outcome::Batch(r), _) => r.claim_id(i).to_string(),
            (Outcome::Table(t), Some(arrays)) => {
                let id = output::text_at(arrays, i);
                let read = t.status(i) != Status::Invalid;
                if read {
                    id.trim().to_string()
                } else {
                    id
                }
            }
            (Outcome::Table(_), None) => String::new(),
        }
    }

    fn record<'py>(&self, py: Python<'py>, i: usize) -> PyResult<Bound<'py, PyAny>> {
        let Some(a) = self.outcome.assessment(i) else { return Ok(py.None().into_bound(py)) };
        let id = self.claim_id(i);
        values::to_python(py, &serde_json::to_value(a.record().with_claim_id(&id)).map_err(to_value_error)?)
    }
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
        self.outcome.len()
    }

    /// The claims' records as an Arrow table (`claim_id`, `status`, `amount` as `money` asks:
    /// decimal128(18, 2), int64 fen or float64 yuan, …). For a table given, `claim_id` is its
    /// column as given and the other text columns are dictionary-encoded in their natural order
    /// (pandas ordered `category`, polars `Enum` or `Categorical`; `large_utf8` values when
    /// `view`, which polars takes fastest); for dicts, text is `utf8`, or `utf8_view` when
    /// `view` (what polars holds).
    #[pyo3(signature = (view = false, money = "decimal"))]
    fn assessments_table(&self, py: Python<'_>, view: bool, money: &str) -> PyResult<ArrowStream> {
        let layout = Layout::new(view);
        let money = Money::parse(money)?;
        let written = Written { layout, money, traces: false };
        match (&self.outcome, &self.claim_ids) {
            (Outcome::Table(t), Some(ids)) => table(py, || shapes::claims_by_shape(&self.engine, ids, ByShape::from(t), written, None)),
            (Outcome::Batch(r), Some(ids)) => {
                let written = Written { traces: self.trace, ..written };
                table(py, || shapes::claims_by_shape(&self.engine, ids, ByShape::from(r), written, None))
            }
            (Outcome::Batch(r), None) => {
                let rows = r.len();
                table(py, || output::in_chunks(rows, |range| output::assessments(r, self.trace, (layout, money), range)))
            }
            (Outcome::Table(_), None) => table(py, || Ok(Vec::new())),
        }
    }

    /// The claims' records as [`Self::assessments_table`] gives them in `utf8_view`, but with
    /// each text column that holds one value on every row left out: the table, those columns'
    /// values (`None`: null) with their categories when polars should make them an `Enum`, and
    /// every column's name in order. polars makes a column of one value at once (`pl.lit`),
    /// where it would take a dictionary column a row at a time.
    #[allow(clippy::type_complexity)] // a Python tuple
    #[pyo3(signature = (money = "decimal"))]
    fn assessments_apart(&self, py: Python<'_>, money: &str) -> PyResult<(ArrowStream, Vec<Constant>, Vec<String>)> {
        let (Outcome::Table(t), Some(ids)) = (&self.outcome, &self.claim_ids) else {
            let stream = self.assessments_table(py, true, money)?;
            let names = stream.names();
            return Ok((stream, Vec::new(), names));
        };
        let written = Written { layout: Layout::View, money: Money::parse(money)?, traces: false };
        let mut apart = shapes::Apart::default();
        let stream = table(py, || shapes::claims_by_shape(&self.engine, ids, ByShape::from(t), written, Some(&mut apart)))?;
        Ok((stream, apart.constants, apart.names.iter().map(|n| n.to_string()).collect()))
    }

    /// The claims' records as dicts (money as `Decimal`, the trace when asked for).
    fn assessment_records<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for i in 0..self.outcome.len() {
            list.append(self.record(py, i)?)?;
        }
        Ok(list)
    }

    /// The record of the `i`-th claim as a dict (negative `i` counts from the end).
    fn assessment_record<'py>(&self, py: Python<'py>, i: isize) -> PyResult<Bound<'py, PyAny>> {
        let n = self.outcome.len();
        let at = if i < 0 { n.checked_sub(i.unsigned_abs()) } else { Some(i.unsigned_abs()).filter(|&i| i < n) };
        let Some(at) = at else {
            return Err(pyo3::exceptions::PyIndexError::new_err(format!("claim {i} of {n}")));
        };
        self.record(py, at)
    }

    /// The applications' results as an Arrow table.
    #[pyo3(signature = (view = false, money = "decimal"))]
    fn applications_table(&self, py: Python<'_>, view: bool, money: &str) -> PyResult<ArrowStream> {
        let money = Money::parse(money)?;
        table(py, || output::applications(self.outcome.applications(), Layout::new(view), money).map(|b| vec![b]))
    }

    /// The applications' staged payments as an Arrow table, one row per payment.
    #[pyo3(signature = (view = false, money = "decimal"))]
    fn payments_table(&self, py: Python<'_>, view: bool, money: &str) -> PyResult<ArrowStream> {
        let money = Money::parse(money)?;
        table(py, || output::payments(self.outcome.applications(), Layout::new(view), money).map(|b| vec![b]))
    }

    /// The applications' results as dicts, with their session, payments and final amount.
    fn application_records<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for a in self.outcome.applications() {
            list.append(values::to_python(py, &a.to_json())?)?;
        }
        Ok(list)
    }

    /// The applications' payments summed by month (`YYYY-MM` → `Decimal`).
    fn cash_flow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let mut flow: BTreeMap<String, Decimal> = BTreeMap::new();
        for p in self.outcome.applications().iter().flat_map(|a| a.schedule.iter().flat_map(|s| &s.payments)) {
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
        PyReport { report: self.outcome.report().clone(), engine: Arc::clone(&self.engine) }
    }
}

fn to_value_error(e: serde_json::Error) -> PyErr {
    PyErr::from(Error::Internal(format!("a record could not be written: {e}")))
}
