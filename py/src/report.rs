//! The batch report (SPEC §9) for Python: as a dict (money as `Decimal`), as JSON text (the
//! shape of `docs/report.md`), as tables, merged with another (SPEC §11), and compared with a
//! variant (what-if).

use crate::engine::PyEngine;
use crate::error::Error;
use crate::money::Money;
use crate::output::{ArrowStream, Layout};
use crate::report_tables::{self, Writing};
use crate::values;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use skill_subsidy::Report;
use skill_subsidy::{Engine, ReportDiff, Ruleset};
use std::collections::HashMap;
use std::sync::Arc;

/// A batch report.
#[pyclass(frozen, name = "Report", module = "skill_subsidy._native")]
pub(crate) struct PyReport {
    pub(crate) report: Report,
    /// The engine that made it: its ruleset orders the tables' keys.
    pub(crate) engine: Arc<Engine>,
}

fn not_a_report() -> Error {
    Error::input("input", "bad_input", "", "not a report's bytes (or one of another version of skill-subsidy)".into())
}

#[pymethods]
impl PyReport {
    /// The report as dicts and lists, money and ratios as `Decimal`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        values::to_python(py, &self.report.to_json())
    }

    /// The report as JSON text (`docs/report.md`, money as decimal strings).
    #[pyo3(signature = (indent = None))]
    fn to_json(&self, indent: Option<usize>) -> PyResult<String> {
        let value = self.report.to_json();
        let text = match indent {
            None => serde_json::to_string(&value),
            Some(n) => {
                let spaces = " ".repeat(n);
                let mut out = Vec::new();
                let formatter = serde_json::ser::PrettyFormatter::with_indent(spaces.as_bytes());
                let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
                serde::Serialize::serialize(&value, &mut serializer).map(|()| String::from_utf8_lossy(&out).into_owned())
            }
        };
        text.map_err(|e| Error::Internal(format!("the report could not be written: {e}")).into())
    }

    /// This report and `other` merged (associative and commutative: the reports of a batch split
    /// by person merge into the whole batch's).
    fn merge(&self, other: &PyReport) -> PyReport {
        PyReport { report: self.report.merged(&other.report), engine: Arc::clone(&self.engine) }
    }

    /// Every sum and count as bytes (the core's wire form), to send from a worker to the
    /// client (SPEC §11).
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.report.to_wire().to_string().as_bytes())
    }

    /// From [`to_bytes`](Self::to_bytes); `engine` (the embedded default unless given) orders
    /// its tables' keys.
    #[staticmethod]
    #[pyo3(signature = (data, engine = None))]
    fn from_bytes(data: &[u8], engine: Option<&PyEngine>) -> PyResult<PyReport> {
        let value: serde_json::Value = serde_json::from_slice(data).map_err(|_| not_a_report())?;
        let engine = match engine {
            Some(e) => e.shared(),
            None => Arc::new(Engine::new(Ruleset::wuxi_2021().map_err(Error::Rules)?)),
        };
        Ok(PyReport { report: Report::from_wire(&value).ok_or_else(not_a_report)?, engine })
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        Ok((slf.get_type().getattr("from_bytes")?, (slf.get().to_bytes(slf.py()),)))
    }

    /// The difference to a variant's report by the same keys (`docs/report.md`, what-if).
    fn diff<'py>(&self, py: Python<'py>, variant: &PyReport) -> PyResult<Bound<'py, PyAny>> {
        values::to_python(py, &ReportDiff::new(&self.report, &variant.report).to_json())
    }

    /// A table of the report: by `program`, `level`, `district`, `fund`, `occupation`, `month`
    /// (key, count, amount); by `reason` or `status` (key, count); one row per `account`; or
    /// each account's months (`account_month`: committed, disbursed). Keys are categorical in
    /// their natural order (for polars, `view`: an `Enum` where the set is closed); money as
    /// `money` asks.
    /// Several dimensions at once (`by=["district", "program"]`): each key, then count and
    /// amount.
    #[pyo3(signature = (by, money = "decimal", view = false, zh = false))]
    fn table(&self, by: Vec<String>, money: &str, view: bool, zh: bool) -> PyResult<ArrowStream> {
        let w = Writing { engine: &self.engine, layout: Layout::new(view), money: Money::parse(money)?, zh };
        let names: Vec<&str> = by.iter().map(String::as_str).collect();
        let table = match names.as_slice() {
            [one] => {
                report_tables::report_table(&self.report, one, w).ok_or_else(|| Error::choice("by", one, &report_tables::REPORT_TABLES))
            }
            several => report_tables::crossed_table(&self.report, several, w).ok_or_else(|| {
                let bad = several.iter().find(|n| !report_tables::DIMENSIONS.contains(n)).copied().unwrap_or("");
                Error::choice("by", bad, &report_tables::DIMENSIONS)
            }),
        }?;
        match table {
            Ok(batch) => Ok(ArrowStream::new(vec![batch])),
            Err(error) => Err(Error::Arrow { what: "report", error }.into()),
        }
    }

    /// The values of a key (`program`, `status`, `month` …) in their natural order: those of
    /// a closed set (every program of the ruleset …), then those of `present` not among them,
    /// or `present` sorted; whether the order is natural (else: as they came); and, for a
    /// closed set, the field metadata that makes polars read the column as an `Enum`.
    /// With `zh`, also each value's Chinese label, in the same order (the metadata is then the
    /// labels').
    #[pyo3(signature = (name, present, zh = false))]
    #[allow(clippy::type_complexity)] // a Python tuple
    fn categories(&self, name: &str, present: Vec<String>, zh: bool) -> (Vec<String>, Vec<String>, bool, Option<HashMap<String, String>>) {
        let order = crate::categories::of_column(&self.engine, name);
        let values = order.arrange(present.iter().map(|p| Some(p.as_str())));
        let labels: Vec<String> =
            values.iter().map(|v| if zh { crate::categories::label_zh(&self.engine, name, v) } else { v.to_string() }).collect();
        let metadata = order.closed().then(|| crate::categories::polars_enum(&labels.iter().map(String::as_str).collect::<Vec<_>>()));
        (values.into_iter().map(str::to_string).collect(), labels, order.ordered(), metadata)
    }

    /// Claims in the report.
    #[getter]
    fn claims(&self) -> u64 {
        self.report.claims
    }

    /// The sum of approved amounts.
    #[getter]
    fn approved_amount<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        values::decimal(py, &skill_subsidy::money::format_yuan(self.report.approved.amount))
    }

    /// Counts by status.
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        dict.set_item("approved", self.report.approved.count)?;
        dict.set_item("rejected", self.report.rejected)?;
        dict.set_item("invalid", self.report.invalid)?;
        Ok(dict)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyReport>().is_ok_and(|o| o.get().report == self.report)
    }

    fn __repr__(&self) -> String {
        let r = &self.report;
        format!(
            "Report(claims={}, approved={}, rejected={}, invalid={}, approved_amount={})",
            r.claims,
            r.approved.count,
            r.rejected,
            r.invalid,
            skill_subsidy::money::format_yuan(r.approved.amount)
        )
    }
}
