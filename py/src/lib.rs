//! The Python binding of skill-subsidy: module `skill_subsidy._native`, wrapped by the Python
//! package `skill_subsidy` (`py/python/skill_subsidy`).
//!
//! The binding is thin: it converts Python and Arrow data to the core's types, calls the core,
//! and maps errors in one file ([`error`]). No rule is decided here.
//!
//! - [`engine`]: the engine, one claim, a batch run;
//! - [`input`] and [`columns`]: tables through the Arrow C stream interface (no Python object
//!   per row) and lists of dicts; [`values`]: Python values in, JSON records out;
//! - [`batch`]: claims, history, applications and outcomes into one batch, and its result;
//! - [`output`]: results as Arrow tables; [`shapes`]: a frame's result by its distinct records;
//!   [`money`]: money columns as decimals, fen or floats; [`categories`]: the natural order of
//!   categorical columns;
//! - [`report`]: the report as dict, JSON, tables ([`report_tables`]), merged, compared;
//! - [`scale_out`]: the three passes of SPEC §11 for a batch split by person across machines,
//!   the engine as bytes for the workers, and the bucket of each person;
//! - [`ledger`]: the ledger of monthly batches (SQLite), the same file as the CLI's.

mod batch;
mod categories;
mod columns;
mod engine;
mod error;
mod input;
mod ledger;
mod money;
mod output;
mod report;
mod report_tables;
mod scale_out;
mod shapes;
mod values;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<engine::PyEngine>()?;
    m.add_class::<batch::PyBatchResult>()?;
    m.add_class::<report::PyReport>()?;
    m.add_class::<output::ArrowStream>()?;
    m.add_class::<scale_out::PyBudgetInput>()?;
    m.add_class::<scale_out::PyClosings>()?;
    m.add_class::<ledger::PyLedger>()?;
    m.add_function(wrap_pyfunction!(error::input_error, m)?)?;
    m.add_function(wrap_pyfunction!(error::scale_out_error, m)?)?;
    m.add_function(wrap_pyfunction!(scale_out::person_buckets, m)?)?;
    m.add_function(wrap_pyfunction!(error::choice_error_for, m)?)?;
    m.add_function(wrap_pyfunction!(input::fields, m)?)?;
    error::register(m)
}
