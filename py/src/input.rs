//! Reading what Python hands over: a table through the Arrow C stream interface (a pyarrow
//! Table, a polars DataFrame, anything with `__arrow_c_stream__`: zero copy, no Python object
//! per row), or a list of mappings. Claims are read as the core's [`ClaimTable`] over the Arrow
//! columns ([`FrameColumns`]); history records,
//! applications and outcomes are read as named fields.

use crate::columns::{self, Column};
use crate::error::Error;
use crate::values;
use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::{RecordBatch, RecordBatchReader};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyCapsuleMethods, PyList, PyTuple};
use skill_subsidy::{ClaimColumn, ClaimTable, CompactString, Field, RawClaim, RawValue};

/// A table imported from Arrow: its batches share one schema.
pub(crate) struct Frame {
    /// Column names, in order.
    pub names: Vec<String>,
    pub batches: Vec<RecordBatch>,
}

/// Input as given: a table, or Python items (mappings, for the core to validate).
pub(crate) enum Data<'py> {
    Frame(Frame),
    Items(Vec<Bound<'py, PyAny>>),
}

/// Reads `obj` (None is no rows). `what` names the input in errors (`claims`, `history` …).
pub(crate) fn read<'py>(obj: Option<&Bound<'py, PyAny>>, what: &'static str) -> Result<Data<'py>, Error> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else { return Ok(Data::Items(Vec::new())) };
    if obj.hasattr("__arrow_c_stream__")? {
        return import(obj, what).map(Data::Frame);
    }
    if let Ok(list) = obj.cast::<PyList>() {
        return Ok(Data::Items(list.iter().collect()));
    }
    if let Ok(tuple) = obj.cast::<PyTuple>() {
        return Ok(Data::Items(tuple.iter().collect()));
    }
    let kind = obj.get_type().name()?.to_cow()?.into_owned();
    Err(Error::input(
        what,
        "unsupported_input",
        "",
        format!(
            "expected a pandas or polars DataFrame, a pyarrow Table, an object with __arrow_c_stream__, or a list of dicts; got {kind}"
        ),
    ))
}

/// Imports a table through the Arrow C stream interface (the PyCapsule protocol).
fn import(obj: &Bound<'_, PyAny>, what: &'static str) -> Result<Frame, Error> {
    let capsule = obj.call_method0("__arrow_c_stream__")?;
    let capsule = capsule.cast::<PyCapsule>().map_err(PyErr::from)?;
    let pointer = capsule.pointer_checked(Some(c"arrow_array_stream"))?;
    // SAFETY: the capsule named "arrow_array_stream" holds an ArrowArrayStream (the protocol's
    // contract); `from_raw` moves the stream out and leaves a released one for the capsule's
    // destructor, so it is consumed exactly once.
    let reader = unsafe { RecordBatchStreamReader::from_raw(pointer.as_ptr().cast::<FFI_ArrowArrayStream>()) }
        .map_err(|error| Error::Arrow { what, error })?;
    let names = reader.schema().fields().iter().map(|f| f.name().clone()).collect();
    let batches = reader.collect::<Result<Vec<_>, _>>().map_err(|error| Error::Arrow { what, error })?;
    Ok(Frame { names, batches })
}

impl Frame {
    /// Rows in all batches.
    pub(crate) fn rows(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    /// A table with rows must have the `required` column (its records could not be told apart
    /// otherwise) and no column twice (which value would be meant?).
    pub(crate) fn check(&self, what: &'static str, required: &str, known: &[&str]) -> Result<(), Error> {
        if self.rows() == 0 {
            return Ok(());
        }
        if let Some(twice) = self.names.iter().enumerate().find_map(|(i, n)| self.names[..i].contains(n).then_some(n)) {
            return Err(Error::input(what, "repeated_column", twice, format!("the column {twice} appears twice")));
        }
        if !self.names.iter().any(|n| n == required) {
            // Only the known columns found are named, never values.
            let found: Vec<&str> = self.names.iter().map(String::as_str).filter(|n| known.contains(n)).collect();
            let found = if found.is_empty() { "none".to_string() } else { found.join(", ") };
            return Err(Error::input(
                what,
                "missing_column",
                required,
                format!("the table has no {required} column ({} columns; {what} fields among them: {found})", self.names.len()),
            ));
        }
        Ok(())
    }
}

/// The claim columns of each batch of a frame, and the names of its other columns: what the
/// core's [`ClaimTable`] reads.
pub(crate) struct FrameColumns<'a> {
    chunks: Vec<(usize, Vec<(Field, Column<'a>)>)>,
    unknown: Vec<String>,
}

impl<'a> FrameColumns<'a> {
    pub(crate) fn new(frame: &'a Frame) -> FrameColumns<'a> {
        let unknown = frame.names.iter().filter(|n| Field::parse(n).is_none()).cloned().collect();
        let chunks = frame
            .batches
            .iter()
            .map(|batch| {
                let columns = frame
                    .names
                    .iter()
                    .zip(batch.columns())
                    .filter_map(|(name, array)| Field::parse(name).map(|f| (f, Column::new(array.as_ref()))))
                    .collect();
                (batch.num_rows(), columns)
            })
            .collect();
        FrameColumns { chunks, unknown }
    }

    /// The table of claims.
    pub(crate) fn table(&self) -> ClaimTable<'_> {
        let mut table = ClaimTable::new(self.unknown.clone());
        for (rows, columns) in &self.chunks {
            table.push_chunk(*rows, columns.iter().map(|(f, c)| (*f, c as &dyn ClaimColumn)));
        }
        table
    }
}

/// The fields of each kind of input (the columns a table is read by): `claims`, `history`,
/// `applications` (with their outcome), `outcomes`.
#[pyfunction]
pub(crate) fn fields() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("claims", Field::ALL.iter().map(|f| f.name()).collect()),
        ("history", skill_subsidy::HistoryRecord::FIELDS.to_vec()),
        ("applications", skill_subsidy::Application::FIELDS.to_vec()),
        ("outcomes", OUTCOME_FIELDS.to_vec()),
    ]
}

/// The fields of an outcome given apart from its application.
pub(crate) const OUTCOME_FIELDS: [&str; 3] = ["application_id", "outcome", "outcome_date"];

/// Records of named fields (history, applications, outcomes): each a mapping's fields, or the
/// error that it is not a mapping.
pub(crate) type Records = Vec<Result<Vec<(String, RawValue)>, skill_subsidy::FieldError>>;

/// Reads records of named fields from a table or from Python mappings.
pub(crate) fn records(data: &Data<'_>) -> Result<Records, Error> {
    match data {
        Data::Items(items) => Ok(items.iter().map(values::fields).collect::<PyResult<_>>()?),
        Data::Frame(frame) => {
            let mut out = Vec::with_capacity(frame.rows());
            let mut scratch = CompactString::default();
            for batch in &frame.batches {
                let columns: Vec<(&String, Column<'_>)> =
                    frame.names.iter().zip(batch.columns()).map(|(n, a)| (n, Column::new(a.as_ref()))).collect();
                for i in 0..batch.num_rows() {
                    let fields = columns
                        .iter()
                        .map(|(name, column)| {
                            let cell = column.cell(i, &mut scratch);
                            ((*name).clone(), columns::owned(cell, &scratch))
                        })
                        .collect();
                    out.push(Ok(fields));
                }
            }
            Ok(out)
        }
    }
}

/// Claims from Python mappings, read while the interpreter is held (the batch then runs
/// without it).
pub(crate) fn raw_claims(items: &[Bound<'_, PyAny>]) -> PyResult<Vec<RawClaim>> {
    items.iter().map(values::raw_claim).collect()
}
