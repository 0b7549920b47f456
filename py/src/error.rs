//! Every error of the binding and the one exception hierarchy it maps to. This is the only file
//! that creates Python exceptions (as polars' `polars-python/src/error.rs`).
//!
//! ```text
//! SubsidyError            every error of skill_subsidy; `.errors` lists the problems
//! ├── RulesError          a ruleset that does not load (file, key path, line)
//! │   └── OverrideError   a what-if override to a missing path or with a wrong value
//! ├── ClaimError          input that cannot be assessed as a whole: a frame without a claim_id
//! │   │                   column, a history row that does not validate, an unreadable Arrow stream
//! │   └── InputTypeError  data of a kind that is not read at all (also a `TypeError`): a numpy
//! │                       array or `None` as the claims, a DataFrame as one claim; code
//! │                       `unsupported_input`
//! ├── ArgumentError       an argument that is not one of its choices: a report key, a money kind,
//! │                       a language (also a `ValueError`); `.errors` lists the valid `choices`
//! ├── LedgerError         a ledger that cannot be opened or written (busy, a full disk, a newer
//! │                       schema …): nothing of the failed call was written
//! └── ScaleOutError       a batch split across a cluster that cannot give the single run's result:
//!                         partitions whose columns differ, a person in two partitions, workers
//!                         that run another version of skill-subsidy
//!
//! SubsidyWarning          (a `UserWarning`) input the engine reads but something in it is left
//!                         out: columns that are not fields of what was given
//! ```
//!
//! Each item of `.errors` is a dict with at least `code`, `field` and `message`. The value of
//! `person_id` never appears in a message or an item (SPEC §12). A claim that does not validate
//! is not an exception: it is assessed `invalid`, with its field errors.

use arrow_schema::ArrowError;
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyTypeError, PyUserWarning, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyTuple, PyType};
use skill_subsidy::{FieldError, RulesErrors};

create_exception!(skill_subsidy, SubsidyError, PyException, "Every error of skill_subsidy. `.errors` lists the problems.");
create_exception!(
    skill_subsidy,
    RulesError,
    SubsidyError,
    "A ruleset that does not load: each item of `.errors` names the file, key path and line."
);
create_exception!(
    skill_subsidy,
    OverrideError,
    RulesError,
    "A what-if override to a path that does not exist, or with a value that does not fit."
);
create_exception!(
    skill_subsidy,
    LedgerError,
    SubsidyError,
    "A ledger that cannot be opened or written; `.errors[0][\"code\"]` says why (ledger_busy, disk_full, newer_schema …). Nothing of the failed call was written."
);
create_exception!(
    skill_subsidy,
    ClaimError,
    SubsidyError,
    "Input that cannot be assessed as a whole (a claim that does not validate is `invalid` instead)."
);

create_exception!(
    skill_subsidy,
    ScaleOutError,
    SubsidyError,
    "A batch split across a cluster (Dask, Spark) that cannot give the single run's result."
);

create_exception!(
    skill_subsidy,
    SubsidyWarning,
    PyUserWarning,
    "Input that is read, but with something in it left out: columns that are not fields (`warnings.simplefilter(\"error\", SubsidyWarning)` makes it an error)."
);

/// `ArgumentError(SubsidyError, ValueError)`: made once, at import, since an exception type of
/// two bases is made by calling `type` (pyo3's exception types have one base).
static ARGUMENT_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn argument_error(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    let made = ARGUMENT_ERROR.get_or_try_init(py, || -> PyResult<Py<PyType>> {
        let bases = PyTuple::new(py, [py.get_type::<SubsidyError>(), py.get_type::<PyValueError>()])?;
        let namespace = PyDict::new(py);
        namespace.set_item("__module__", "skill_subsidy")?;
        namespace.set_item(
            "__doc__",
            "An argument that is not one of its choices (a report key, a money kind, a language): `.errors` lists the valid `choices`.",
        )?;
        let made = py.get_type::<PyType>().call1(("ArgumentError", bases, namespace))?;
        Ok(made.cast_into::<PyType>()?.unbind())
    })?;
    Ok(made.bind(py))
}

/// `InputTypeError(ClaimError, TypeError)`: made once, at import, as `ArgumentError` is.
static INPUT_TYPE_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn input_type_error(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    let made = INPUT_TYPE_ERROR.get_or_try_init(py, || -> PyResult<Py<PyType>> {
        let bases = PyTuple::new(py, [py.get_type::<ClaimError>(), py.get_type::<PyTypeError>()])?;
        let namespace = PyDict::new(py);
        namespace.set_item("__module__", "skill_subsidy")?;
        namespace.set_item(
            "__doc__",
            "Data of a kind that is not read at all (a numpy array or None as the claims, a DataFrame as one claim): `.errors[0][\"code\"]` is `unsupported_input`.",
        )?;
        let made = py.get_type::<PyType>().call1(("InputTypeError", bases, namespace))?;
        Ok(made.cast_into::<PyType>()?.unbind())
    })?;
    Ok(made.bind(py))
}

/// Rows listed in a message; `.errors` has them all.
const SHOWN: usize = 20;

/// What went wrong in the binding.
#[derive(Debug)]
pub(crate) enum Error {
    /// A ruleset that does not load.
    Rules(RulesErrors),
    /// Overrides that do not apply to the ruleset.
    Overrides(RulesErrors),
    /// Input that cannot be read as a whole: `what` (claims, history …), a stable code, the
    /// column or argument concerned, and what is wrong.
    Input { what: &'static str, code: &'static str, field: String, message: String },
    /// Rows that must all validate (history, outcomes) and do not: (row, its errors).
    Rows { what: &'static str, rows: Vec<(usize, Vec<FieldError>)> },
    /// An Arrow stream that cannot be imported or built.
    Arrow { what: &'static str, error: ArrowError },
    /// A batch split across a cluster that cannot run as one (SPEC §11): a stable code and what
    /// is wrong.
    ScaleOut { code: &'static str, message: String },
    /// Something that cannot happen (a record that does not serialise), reported, never a panic.
    Internal(String),
    /// A ledger that cannot be opened or written.
    Ledger(skill_subsidy_ledger::LedgerError),
    /// An argument that is not one of its choices: the argument, what was given, the choices.
    Choice { argument: &'static str, given: String, choices: Vec<String> },
    /// A Python exception raised on the way, passed through as it is.
    Python(PyErr),
}

impl Error {
    pub(crate) fn input(what: &'static str, code: &'static str, field: &str, message: String) -> Error {
        Error::Input { what, code, field: field.to_string(), message }
    }

    /// `given` is not one of `choices` for `argument`.
    pub(crate) fn choice(argument: &'static str, given: &str, choices: &[&str]) -> Error {
        Error::Choice { argument, given: given.to_string(), choices: choices.iter().map(|c| c.to_string()).collect() }
    }
}

impl From<PyErr> for Error {
    fn from(e: PyErr) -> Error {
        Error::Python(e)
    }
}

type Item = Vec<(&'static str, Option<String>)>;

fn item(code: &str, field: &str, message: &str) -> Item {
    vec![("code", Some(code.to_string())), ("field", Some(field.to_string())), ("message", Some(message.to_string()))]
}

fn raise<E: pyo3::PyTypeInfo>(py: Python<'_>, message: String, items: Vec<Item>) -> PyErr {
    with_items(py, PyErr::new::<E, _>(message), items)
}

/// `err` with `.errors` set to `items`.
fn with_items(py: Python<'_>, err: PyErr, items: Vec<Item>) -> PyErr {
    let list = PyList::empty(py);
    let filled = items.iter().try_for_each(|fields| -> PyResult<()> {
        let dict = PyDict::new(py);
        for (k, v) in fields {
            dict.set_item(k, v)?;
        }
        list.append(dict)
    });
    match filled.and_then(|()| err.value(py).setattr("errors", list)) {
        Ok(()) => err,
        Err(e) => e,
    }
}

fn rules_items(errors: &RulesErrors) -> Vec<Item> {
    errors
        .errors()
        .iter()
        .map(|e| {
            let mut fields = item(e.kind.code(), &e.path, &e.message);
            fields.push(("file", Some(e.file.clone())));
            fields.push(("path", Some(e.path.clone())));
            fields.push(("line", e.line.map(|l| l.to_string())));
            fields
        })
        .collect()
}

impl From<Error> for PyErr {
    fn from(error: Error) -> PyErr {
        Python::attach(|py| match error {
            Error::Python(e) => e,
            Error::Choice { argument, given, choices } => choice_error(py, argument, &given, &choices),
            Error::Internal(message) => raise::<SubsidyError>(py, message.clone(), vec![item("internal", "", &message)]),
            Error::ScaleOut { code, message } => raise::<ScaleOutError>(py, format!("{message} [{code}]"), vec![item(code, "", &message)]),
            Error::Rules(errors) => raise::<RulesError>(py, errors.to_string(), rules_items(&errors)),
            Error::Ledger(e) => {
                let message = e.to_string();
                let mut fields = item(e.code(), "", &message);
                if let skill_subsidy_ledger::LedgerError::Outcomes { problems, .. } = &e {
                    fields.push(("problems", Some(problems.join("\n"))));
                }
                raise::<LedgerError>(py, format!("{message} [{}]", e.code()), vec![fields])
            }
            Error::Overrides(errors) => {
                let message = errors.to_string().replacen("in the rules", "in the overrides", 1);
                raise::<OverrideError>(py, message, rules_items(&errors))
            }
            Error::Input { what, code: "unsupported_input", field, message } => {
                let items = vec![item("unsupported_input", &field, &message)];
                let message = format!("{what}: {message} [unsupported_input]");
                match input_type_error(py).map(|class| PyErr::from_type(class.clone(), message)) {
                    Ok(err) => with_items(py, err, items),
                    Err(e) => e,
                }
            }
            Error::Input { what, code, field, message } => {
                raise::<ClaimError>(py, format!("{what}: {message} [{code}]"), vec![item(code, &field, &message)])
            }
            Error::Arrow { what, error } => {
                let message = error.to_string();
                raise::<ClaimError>(py, format!("{what}: the Arrow data cannot be read: {message}"), vec![item("arrow", "", &message)])
            }
            Error::Rows { what, rows } => {
                let count = rows.len();
                let mut lines = Vec::new();
                let mut items = Vec::new();
                for (row, errors) in &rows {
                    let text: Vec<String> = errors.iter().map(|e| format!("{} ({})", e.message_en, e.code.code())).collect();
                    if lines.len() < SHOWN {
                        lines.push(format!("row {row}: {}", text.join("; ")));
                    }
                    for e in errors {
                        let mut fields = item(e.code.code(), &e.field, &e.message_en);
                        fields.push(("message_zh", Some(e.message_zh.clone())));
                        fields.push(("row", Some(row.to_string())));
                        // Personal identifiers are never repeated (SPEC §12).
                        fields.push(("value", e.value.clone().filter(|_| e.field != "person_id")));
                        items.push(fields);
                    }
                }
                let more = if count > SHOWN { format!("\n  … and {} more", count - SHOWN) } else { String::new() };
                let plural = if count == 1 { "row does" } else { "rows do" };
                raise::<ClaimError>(py, format!("{what}: {count} {plural} not validate:\n  {}{more}", lines.join("\n  ")), items)
            }
        })
    }
}

/// The `ArgumentError` for `given`, not one of `choices` for `argument`: its one item has `code`
/// `unknown_choice`, `field` the argument, `message`, `value` and `choices`.
fn choice_error(py: Python<'_>, argument: &str, given: &str, choices: &[String]) -> PyErr {
    let shown: String = given.chars().filter(|c| !c.is_control()).take(60).collect();
    let message = format!("{argument}={shown:?} is not one of: {}", choices.join(", "));
    let made = argument_error(py).and_then(|class| {
        let error = class.call1((message.clone(),))?;
        let item = PyDict::new(py);
        item.set_item("code", "unknown_choice")?;
        item.set_item("field", argument)?;
        item.set_item("message", &message)?;
        item.set_item("value", &shown)?;
        item.set_item("choices", PyList::new(py, choices)?)?;
        error.setattr("errors", PyList::new(py, [item])?)?;
        Ok(PyErr::from_value(error))
    });
    made.unwrap_or_else(|e| e)
}

/// The `ArgumentError` for a choice Python checks (a report key, a language): made here, like
/// every other error, for Python to raise.
#[pyfunction]
pub(crate) fn choice_error_for(argument: &str, given: &str, choices: Vec<String>) -> PyErr {
    let argument = match argument {
        "by" => "by",
        "lang" => "lang",
        "money" => "money",
        "kind" => "kind",
        "keep" => "keep",
        _ => "argument",
    };
    Error::Choice { argument, given: given.to_string(), choices }.into()
}

/// The `ClaimError` for input the Python side finds unreadable as a whole (a pandas frame with a
/// column twice): made here, like every other, for Python to raise.
#[pyfunction]
pub(crate) fn input_error(what: &str, code: &str, field: &str, message: &str) -> PyErr {
    let what = match what {
        "claims" => "claims",
        "history" => "history",
        "applications" => "applications",
        "outcomes" => "outcomes",
        _ => "input",
    };
    Error::Input { what, code: intern(code), field: field.to_string(), message: message.to_string() }.into()
}

/// The `ScaleOutError` for what the Python side of `skill_subsidy.dask` and `.spark` finds.
#[pyfunction]
pub(crate) fn scale_out_error(code: &str, message: &str) -> PyErr {
    let code = match code {
        "columns_differ" => "columns_differ",
        "not_partitioned_by_person" => "not_partitioned_by_person",
        "engine_version_mismatch" => "engine_version_mismatch",
        _ => "scale_out",
    };
    Error::ScaleOut { code, message: message.to_string() }.into()
}

/// Codes are static in [`Error::Input`]; the ones Python may use.
fn intern(code: &str) -> &'static str {
    match code {
        "repeated_column" => "repeated_column",
        "missing_column" => "missing_column",
        "unsupported_input" => "unsupported_input",
        "unknown_column" => "unknown_column",
        "missing_trace" => "missing_trace",
        _ => "bad_input",
    }
}

/// Adds the exceptions to the module, each with an empty `.errors` until raised.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    for (name, class) in [
        ("SubsidyError", py.get_type::<SubsidyError>()),
        ("RulesError", py.get_type::<RulesError>()),
        ("OverrideError", py.get_type::<OverrideError>()),
        ("ClaimError", py.get_type::<ClaimError>()),
        ("LedgerError", py.get_type::<LedgerError>()),
        ("ScaleOutError", py.get_type::<ScaleOutError>()),
        ("ArgumentError", argument_error(py)?.clone()),
        ("InputTypeError", input_type_error(py)?.clone()),
        ("SubsidyWarning", py.get_type::<SubsidyWarning>()),
    ] {
        m.add(name, class)?;
    }
    py.get_type::<SubsidyError>().setattr("errors", pyo3::types::PyTuple::empty(py))?;
    Ok(())
}
