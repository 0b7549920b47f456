//! The engine for Python: a ruleset loaded and compiled once (embedded or from a folder), its
//! what-if variants, one claim at a time, and whole batches with the interpreter released.

use crate::batch::{Inputs, PyBatchResult};
use crate::error::Error;
use crate::scale_out::{self, PyBudgetInput, PyClosings};
use crate::values;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};
use serde_json::{Map, Value};
use skill_subsidy::rules::ParamValue;
use skill_subsidy::{Engine, FieldMode, Overrides, RawValue, Ruleset};
use std::sync::Arc;

/// A compiled ruleset (with any what-if overrides applied).
#[pyclass(frozen, name = "Engine", module = "skill_subsidy._native")]
pub(crate) struct PyEngine {
    pub(crate) engine: Arc<Engine>,
    /// The id of the embedded ruleset it was made from, if it was: shipped to a worker as the
    /// id, not as files (SPEC §11).
    pub(crate) embedded: Option<String>,
}

impl PyEngine {
    fn new(engine: Engine) -> PyEngine {
        PyEngine { engine: Arc::new(engine), embedded: None }
    }

    /// The engine, shared.
    pub(crate) fn shared(&self) -> Arc<Engine> {
        Arc::clone(&self.engine)
    }
}

/// An override document from Python: a dict of path → value (or of path → {"FROM..TO": value}),
/// or assignments `PATH=VALUE` / `PATH[FROM..TO]=VALUE` (one string or a list).
fn overrides(doc: &Bound<'_, PyAny>) -> Result<Overrides, Error> {
    if let Ok(text) = doc.cast::<PyString>() {
        let mut o = Overrides::new();
        o.add_assignment(&text.to_cow()?).map_err(Error::Overrides)?;
        return Ok(o);
    }
    if let Ok(list) = doc.cast::<PyList>() {
        let mut o = Overrides::new();
        let mut problems = Vec::new();
        for item in list.iter() {
            let text: String = item.extract()?;
            if let Err(e) = o.add_assignment(&text) {
                problems.extend(e);
            }
        }
        return if problems.is_empty() { Ok(o) } else { Err(Error::Overrides(problems.into_iter().collect())) };
    }
    Overrides::from_json(&override_json(doc)?).map_err(Error::Overrides)
}

/// A Python value as the JSON an override document holds: numbers as their exact text.
fn override_json(value: &Bound<'_, PyAny>) -> PyResult<Value> {
    if let Ok(dict) = value.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in dict.iter() {
            map.insert(k.str()?.to_cow()?.into_owned(), override_json(&v)?);
        }
        return Ok(Value::Object(map));
    }
    Ok(match values::raw_value(value)? {
        RawValue::Text(s) | RawValue::Number(s) => Value::String(s),
        RawValue::Bool(b) => Value::Bool(b),
        RawValue::Null => Value::Null,
        // Anything else is refused by the core with the path named.
        _ => Value::Array(Vec::new()),
    })
}

fn lenient_mode(lenient: bool) -> FieldMode {
    if lenient {
        FieldMode::Lenient
    } else {
        FieldMode::Strict
    }
}

#[pymethods]
impl PyEngine {
    /// An embedded ruleset by id (`wuxi-2021`, `wuxi-2023`).
    #[staticmethod]
    fn embedded(id: &str) -> PyResult<PyEngine> {
        let engine = Engine::new(Ruleset::embedded(id).map_err(Error::Rules)?);
        Ok(PyEngine { engine: Arc::new(engine), embedded: Some(id.to_string()) })
    }

    /// A ruleset folder (its `.toml` files), loaded strictly: every problem is reported.
    #[staticmethod]
    fn from_dir(py: Python<'_>, path: std::path::PathBuf) -> PyResult<PyEngine> {
        let ruleset = py.detach(|| Ruleset::from_dir(&path)).map_err(Error::Rules)?;
        Ok(PyEngine::new(Engine::new(ruleset)))
    }

    /// The ids of the embedded rulesets.
    #[staticmethod]
    fn embedded_ids() -> Vec<&'static str> {
        Ruleset::embedded_ids()
    }

    /// The ruleset's id.
    #[getter]
    fn ruleset(&self) -> String {
        self.engine.ruleset().id.clone()
    }

    /// The overrides applied, as `PATH=VALUE` or `PATH[FROM..TO]=VALUE`.
    #[getter]
    fn overrides(&self) -> Vec<String> {
        self.engine
            .overrides()
            .items()
            .iter()
            .map(|o| match o.range {
                Some(range) => format!("{}[{}]={}", o.path, range, o.value),
                None => format!("{}={}", o.path, o.value),
            })
            .collect()
    }

    /// A variant of this engine with `overrides` applied on top of its own.
    fn with_overrides(&self, overrides_doc: &Bound<'_, PyAny>) -> PyResult<PyEngine> {
        let o = overrides(overrides_doc)?;
        let engine = self.engine.with_overrides(&o).map_err(Error::Overrides)?;
        Ok(PyEngine { engine: Arc::new(engine), embedded: self.embedded.clone() })
    }

    /// The engine as bytes to send to a worker: the version of skill-subsidy, the ruleset (an
    /// embedded id, or its files) and the overrides (SPEC §11).
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, scale_out::engine_to_json(self, &self.overrides()).to_string().as_bytes())
    }

    /// The engine from [`to_bytes`](Self::to_bytes), compiled here. Raises `ScaleOutError`
    /// (`engine_version_mismatch`) when another version of skill-subsidy made it.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<PyEngine> {
        Ok(py.detach(|| scale_out::engine_from_json(data))?)
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        Ok((slf.get_type().getattr("from_bytes")?, (slf.get().to_bytes(slf.py()),)))
    }

    /// The value at a rule path (overrides without a date range applied): a `Decimal`, a
    /// `bool`, or `None` when there is no such path.
    fn value<'py>(&self, py: Python<'py>, path: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        Ok(match self.engine.value(path) {
            Some(ParamValue::Flag(b)) => Some(pyo3::types::PyBool::new(py, b).to_owned().into_any()),
            Some(v) => Some(values::decimal(py, &v.to_text())?),
            None => None,
        })
    }

    /// The resolved ruleset as JSON data (`docs/export.md`).
    fn export<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        values::to_python_plain(py, &self.engine.export_json())
    }

    /// The JSON Schema of a claim, with this ruleset's program ids.
    fn schema<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        values::to_python_plain(py, &skill_subsidy::claim_schema(Some(self.engine.ruleset())))
    }

    /// Assesses one claim (checks 1–7 and its amount): the record as a dict.
    #[pyo3(signature = (claim, lenient = false, trace = false))]
    fn assess<'py>(&self, py: Python<'py>, claim: &Bound<'py, PyAny>, lenient: bool, trace: bool) -> PyResult<Bound<'py, PyAny>> {
        let raw = values::raw_claim(claim)?;
        let a = self.engine.assess_raw(&raw, lenient_mode(lenient), trace);
        let id = raw.claim_id_text();
        let record = serde_json::to_value(a.record().with_claim_id(&id))
            .map_err(|e| Error::Internal(format!("a record could not be written: {e}")))?;
        values::to_python(py, &record)
    }

    /// Assesses claims (with history, apprenticeship applications and their outcomes) as one
    /// batch. The interpreter is released while the core works.
    /// With `closings`, the claims are one partition of a batch split by person (SPEC §11).
    #[pyo3(signature = (claims, history = None, applications = None, outcomes = None, lenient = None, trace = false, closings = None))]
    #[allow(clippy::too_many_arguments)] // Python's keyword arguments, one per input
    fn run(
        &self,
        py: Python<'_>,
        claims: Option<&Bound<'_, PyAny>>,
        history: Option<&Bound<'_, PyAny>>,
        applications: Option<&Bound<'_, PyAny>>,
        outcomes: Option<&Bound<'_, PyAny>>,
        lenient: Option<bool>,
        trace: bool,
        closings: Option<PyRef<'_, PyClosings>>,
    ) -> PyResult<PyBatchResult> {
        let inputs = Inputs::read(&self.engine, claims, history, applications, outcomes, lenient)?;
        let engine = Arc::clone(&self.engine);
        let closings = closings.as_ref().map(|c| &c.closings);
        let outcome = py.detach(|| inputs.assess(&engine, trace, closings));
        Ok(PyBatchResult { engine, outcome, claim_ids: inputs.claim_ids(), trace })
    }

    /// Explains the claim `claim_id` where its batch decides it (SPEC §7.4): the claims (with
    /// history, applications and outcomes) assessed as one batch, only that claim traced. The
    /// record as a dict, with `batch` saying where the decision was made.
    #[pyo3(signature = (claims, claim_id, history = None, applications = None, outcomes = None, lenient = None, closings = None))]
    #[allow(clippy::too_many_arguments)] // Python's keyword arguments, one per input
    fn explain<'py>(
        &self,
        py: Python<'py>,
        claims: Option<&Bound<'py, PyAny>>,
        claim_id: &str,
        history: Option<&Bound<'py, PyAny>>,
        applications: Option<&Bound<'py, PyAny>>,
        outcomes: Option<&Bound<'py, PyAny>>,
        lenient: Option<bool>,
        closings: Option<PyRef<'py, PyClosings>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let inputs = Inputs::read(&self.engine, claims, history, applications, outcomes, lenient)?;
        let engine = Arc::clone(&self.engine);
        let closings = closings.as_ref().map(|c| &c.closings);
        let result = py.detach(|| inputs.explain(&engine, claim_id, closings));
        let Some(i) = (0..result.len()).find(|&i| result.claim_id(i) == claim_id) else {
            return Err(Error::input("claims", "unknown_claim", "claim_id", format!("no claim {claim_id:?} in the batch")).into());
        };
        let mut record = serde_json::to_value(result.assessment(i).record().with_claim_id(claim_id))
            .map_err(|e| Error::Internal(format!("a record could not be written: {e}")))?;
        if let Some(fields) = record.as_object_mut() {
            fields.insert(
                "batch".into(),
                serde_json::json!({
                    "row": i,
                    "claims": result.len(),
                    "history": inputs.history().len(),
                    "applications": inputs.applications(),
                }),
            );
        }
        values::to_python(py, &record)
    }

    /// Pass 1 of a partition of a batch split by person (SPEC §11).
    #[pyo3(signature = (claims, history = None, applications = None, outcomes = None, lenient = None))]
    fn budget_input(
        &self,
        py: Python<'_>,
        claims: Option<&Bound<'_, PyAny>>,
        history: Option<&Bound<'_, PyAny>>,
        applications: Option<&Bound<'_, PyAny>>,
        outcomes: Option<&Bound<'_, PyAny>>,
        lenient: Option<bool>,
    ) -> PyResult<PyBudgetInput> {
        let inputs = Inputs::read(&self.engine, claims, history, applications, outcomes, lenient)?;
        let engine = &self.engine;
        Ok(PyBudgetInput { input: py.detach(|| inputs.budget_input(engine)) })
    }

    /// Pass 2: where each account closes, from every partition's budget input.
    fn closings(&self, inputs: Vec<PyRef<'_, PyBudgetInput>>) -> PyClosings {
        PyClosings { closings: skill_subsidy::Closings::compute(&self.engine, inputs.iter().map(|i| &i.input)) }
    }

    /// Pass 2 in two small rounds: from every partition's `day_totals()`, then, only when an
    /// account closes, from `around(rough)`, which returns every partition's
    /// `BudgetInput.around(rough)`.
    fn closings_in_rounds(&self, day_totals: Vec<PyRef<'_, PyBudgetInput>>, around: &Bound<'_, PyAny>) -> PyResult<PyClosings> {
        let totals: Vec<skill_subsidy::BudgetInput> = day_totals.iter().map(|i| i.input.clone()).collect();
        let closings = skill_subsidy::Closings::in_rounds(&self.engine, &totals, |rough| -> PyResult<Vec<skill_subsidy::BudgetInput>> {
            let rough = Bound::new(around.py(), PyClosings { closings: rough.clone() })?;
            let inputs: Vec<PyRef<'_, PyBudgetInput>> = around.call1((rough,))?.extract()?;
            Ok(inputs.iter().map(|i| i.input.clone()).collect())
        })?;
        Ok(PyClosings { closings })
    }

    /// The Chinese labels of the codes a result or a report holds: column → code → label
    /// (`program` and `fund` names, `reason` lines, `status`, `level`, `payee`).
    fn labels_zh(&self) -> Vec<(&'static str, Vec<(String, String)>)> {
        crate::categories::labels_zh(&self.engine)
    }

    /// Each reason code with its lines in English and Chinese, in check order.
    #[staticmethod]
    fn reasons() -> Vec<(&'static str, &'static str, &'static str)> {
        skill_subsidy::Reason::ALL.iter().map(|r| (r.code(), r.message_en(), r.message_zh())).collect()
    }

    fn __repr__(&self) -> String {
        let o = self.overrides();
        if o.is_empty() {
            format!("Engine({:?})", self.engine.ruleset().id)
        } else {
            format!("Engine({:?}, overrides={o:?})", self.engine.ruleset().id)
        }
    }
}
