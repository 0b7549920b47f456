//! Scale-out (SPEC §11) for Python: the core's three passes, with what crosses between machines
//! as small picklable values, so that Dask (`map_partitions`) or Spark (`mapInArrow`) can run
//! them. Partition the claims, history and applications by `person_id`, then:
//!
//! 1. per partition, `engine.budget_input(part)`: checks 1–11 as if the account were unlimited,
//!    and what the partition brings to the account (a [`PyBudgetInput`]);
//! 2. once, `engine.closings([...])`: where each account closes (a [`PyClosings`]);
//! 3. per partition, `engine.run(part, closings=closings)`: the partition's assessments, and a
//!    report that merges (`Report.merge`) with the others' into the single run's, to the fen.
//!
//! Pass 1 is deterministic, so pass 3 simply runs it again: a worker keeps no state between the
//! passes. Pass 2 runs in two small rounds (`day_totals`, then `around`): what a worker sends
//! grows with the days of the year, not with its claims.
//!
//! Also here: the engine as bytes for the workers (its ruleset and overrides, with the version
//! of skill-subsidy that made it), and the bucket of each person (`person_buckets`).

use crate::engine::PyEngine;
use crate::error::Error;
use crate::input::{self, Data};
use crate::output::ArrowStream;
use arrow_array::{RecordBatch, UInt32Array};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyType};
use serde_json::{json, Value};
use skill_subsidy::calendar::{parse_date, Date};
use skill_subsidy::{BudgetInput, Candidate, Closings, CompactString, Decimal, Engine, Overrides, QuotaCandidate, Ruleset};
use std::sync::Arc;

/// The version of skill-subsidy of this process: an engine, a budget input or a report made by
/// another is refused, never misread.
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// An engine as JSON: `{"skill_subsidy": version, "embedded": id | null, "files": [[path,
/// text]] | null, "overrides": ["PATH=VALUE"]}`.
pub(crate) fn engine_to_json(engine: &PyEngine, overrides: &[String]) -> Value {
    let files = match &engine.embedded {
        Some(_) => Value::Null,
        None => json!(engine.engine.ruleset().to_files()),
    };
    json!({ "skill_subsidy": VERSION, "embedded": engine.embedded, "files": files, "overrides": overrides })
}

/// An engine from [`engine_to_json`]'s bytes, compiled.
pub(crate) fn engine_from_json(data: &[u8]) -> Result<PyEngine, Error> {
    let value: Value = serde_json::from_slice(data).map_err(|_| bad("Engine"))?;
    let theirs = value["skill_subsidy"].as_str().ok_or_else(|| bad("Engine"))?;
    if theirs != VERSION {
        return Err(Error::ScaleOut {
            code: "engine_version_mismatch",
            message: format!(
                "the engine was made by skill-subsidy {theirs} and this process runs skill-subsidy {VERSION}: \
                 install the same version on the client (driver) and on every worker"
            ),
        });
    }
    let ruleset = match (&value["embedded"], value["files"].as_array()) {
        (Value::String(id), _) => Ruleset::embedded(id).map_err(Error::Rules)?,
        (_, Some(files)) => {
            let files: Vec<(&str, &str)> =
                files.iter().map(|f| Some((f[0].as_str()?, f[1].as_str()?))).collect::<Option<_>>().ok_or_else(|| bad("Engine"))?;
            Ruleset::from_files(files).map_err(Error::Rules)?
        }
        _ => return Err(bad("Engine")),
    };
    let mut overrides = Overrides::new();
    for o in value["overrides"].as_array().ok_or_else(|| bad("Engine"))? {
        overrides.add_assignment(o.as_str().ok_or_else(|| bad("Engine"))?).map_err(Error::Overrides)?;
    }
    let engine = Engine::new(ruleset);
    let engine = if overrides.is_empty() { engine } else { engine.with_overrides(&overrides).map_err(Error::Overrides)? };
    Ok(PyEngine { engine: Arc::new(engine), embedded: value["embedded"].as_str().map(str::to_string) })
}

/// The bucket (`0..buckets`) of each row's `column` (default `person_id`) of a table, as the
/// engine reads the id (numbers as their text, trimmed): a one-column table `bucket`
/// (`uint32`). A row without the id is bucket 0.
#[pyfunction]
#[pyo3(signature = (table, buckets, column = "person_id"))]
pub(crate) fn person_buckets(table: &Bound<'_, PyAny>, buckets: u32, column: &str) -> PyResult<ArrowStream> {
    let Data::Frame(frame) = input::read(Some(table), "claims")? else {
        return Err(Error::input("claims", "unsupported_input", "", "expected a table (an object with __arrow_c_stream__)".into()).into());
    };
    let Some(at) = frame.names.iter().position(|n| n == column) else {
        return Err(Error::input("claims", "missing_column", column, format!("the table has no {column} column")).into());
    };
    let mut scratch = CompactString::default();
    let mut out = Vec::with_capacity(frame.rows());
    for batch in &frame.batches {
        let cells = crate::columns::Column::new(batch.column(at).as_ref());
        for i in 0..batch.num_rows() {
            let cell = cells.cell(i, &mut scratch);
            let bucket = match cell.raw(&scratch) {
                skill_subsidy::RawRef::Text(s) | skill_subsidy::RawRef::Number(s) => skill_subsidy::partition::person_bucket(s, buckets),
                _ => 0,
            };
            out.push(bucket);
        }
    }
    let batch = RecordBatch::try_from_iter([("bucket", Arc::new(UInt32Array::from(out)) as arrow_array::ArrayRef)])
        .map_err(|error| Error::Arrow { what: "claims", error })?;
    Ok(ArrowStream::new(vec![batch]))
}

/// What one partition brings to the account's global pass (pass 1's result).
#[pyclass(frozen, name = "BudgetInput", module = "skill_subsidy._native")]
pub(crate) struct PyBudgetInput {
    pub(crate) input: BudgetInput,
}

/// Where each account closed and each year's apprenticeship quota filled (pass 2's result).
#[pyclass(frozen, name = "Closings", module = "skill_subsidy._native")]
pub(crate) struct PyClosings {
    pub(crate) closings: Closings,
}

fn bad(what: &str) -> Error {
    Error::input("input", "bad_input", "", format!("not a serialised {what}"))
}

fn date(v: &Value) -> Option<Date> {
    parse_date(v.as_str()?).ok()
}

fn text(v: &Value) -> Option<CompactString> {
    v.as_str().map(CompactString::from)
}

fn key(v: &Value) -> Option<(Date, CompactString)> {
    Some((date(&v[0])?, text(&v[1])?))
}

impl PyBudgetInput {
    fn to_json(&self) -> Value {
        let i = &self.input;
        json!({
            "candidates": i.candidates.iter().map(|c| json!([c.account, c.applied_on.to_string(), c.claim_id.as_str(), c.amount.to_string(), c.application])).collect::<Vec<_>>(),
            "quota_candidates": i.quota_candidates.iter().map(|q| json!([q.year, q.applied_on.to_string(), q.claim_id.as_str()])).collect::<Vec<_>>(),
            "history_committed": i.history_committed.iter().map(ToString::to_string).collect::<Vec<_>>(),
        })
    }

    fn from_json(v: &Value) -> Option<BudgetInput> {
        let candidates = v["candidates"]
            .as_array()?
            .iter()
            .map(|c| {
                Some(Candidate {
                    account: u16::try_from(c[0].as_u64()?).ok()?,
                    applied_on: date(&c[1])?,
                    claim_id: text(&c[2])?,
                    amount: c[3].as_str()?.parse::<Decimal>().ok()?,
                    application: c[4].as_bool()?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        let quota_candidates = v["quota_candidates"]
            .as_array()?
            .iter()
            .map(|q| Some(QuotaCandidate { year: i32::try_from(q[0].as_i64()?).ok()?, applied_on: date(&q[1])?, claim_id: text(&q[2])? }))
            .collect::<Option<Vec<_>>>()?;
        let history_committed =
            v["history_committed"].as_array()?.iter().map(|h| h.as_str()?.parse::<Decimal>().ok()).collect::<Option<Vec<_>>>()?;
        Some(BudgetInput { candidates, quota_candidates, history_committed })
    }
}

#[pymethods]
impl PyBudgetInput {
    /// As bytes (JSON), to send to the driver.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.to_json().to_string().as_bytes())
    }

    /// From [`to_bytes`](Self::to_bytes).
    #[classmethod]
    fn from_bytes(_cls: &Bound<'_, PyType>, data: &[u8]) -> PyResult<PyBudgetInput> {
        let value: Value = serde_json::from_slice(data).map_err(|_| bad("BudgetInput"))?;
        Ok(PyBudgetInput { input: PyBudgetInput::from_json(&value).ok_or_else(|| bad("BudgetInput"))? })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        Ok((slf.get_type().getattr("from_bytes")?, (slf.get().to_bytes(slf.py()),)))
    }

    /// Round one of pass 2: the claims waiting for each account summed by day.
    fn day_totals(&self) -> PyBudgetInput {
        PyBudgetInput { input: self.input.day_totals() }
    }

    /// Round two of pass 2: the claims of the day each account closes (from the closings of
    /// round one), and one total of those before it.
    fn around(&self, rough: PyRef<'_, PyClosings>) -> PyBudgetInput {
        PyBudgetInput { input: self.input.around(&rough.closings) }
    }

    /// Claims (and applications) of the partition waiting for an account.
    fn __len__(&self) -> usize {
        self.input.candidates.len()
    }

    fn __repr__(&self) -> String {
        format!("BudgetInput({} candidates)", self.input.candidates.len())
    }
}

#[pymethods]
impl PyClosings {
    /// As bytes (JSON), to send to the workers.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        let c = &self.closings;
        let value = json!({
            "closed_at": c.closed_at.iter().map(|k| k.as_ref().map(|(d, id)| json!([d.to_string(), id.as_str()]))).collect::<Vec<_>>(),
            "quota_full_at": c.quota_full_at.iter().map(|(y, (d, id))| json!([y, d.to_string(), id.as_str()])).collect::<Vec<_>>(),
        });
        PyBytes::new(py, value.to_string().as_bytes())
    }

    /// From [`to_bytes`](Self::to_bytes).
    #[classmethod]
    fn from_bytes(_cls: &Bound<'_, PyType>, data: &[u8]) -> PyResult<PyClosings> {
        let v: Value = serde_json::from_slice(data).map_err(|_| bad("Closings"))?;
        let parse = || -> Option<Closings> {
            let closed_at = v["closed_at"]
                .as_array()?
                .iter()
                .map(|k| if k.is_null() { Some(None) } else { key(k).map(Some) })
                .collect::<Option<_>>()?;
            let quota_full_at = v["quota_full_at"]
                .as_array()?
                .iter()
                .map(|q| Some((i32::try_from(q[0].as_i64()?).ok()?, (date(&q[1])?, text(&q[2])?))))
                .collect::<Option<_>>()?;
            Some(Closings { closed_at, quota_full_at })
        };
        Ok(PyClosings { closings: parse().ok_or_else(|| bad("Closings"))? })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        Ok((slf.get_type().getattr("from_bytes")?, (slf.get().to_bytes(slf.py()),)))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyClosings>().is_ok_and(|o| o.get().closings == self.closings)
    }

    fn __repr__(&self) -> String {
        let closed = self.closings.closed_at.iter().flatten().map(|(d, _)| d.to_string()).collect::<Vec<_>>();
        format!("Closings(accounts closed on: {})", if closed.is_empty() { "none".to_string() } else { closed.join(", ") })
    }
}
