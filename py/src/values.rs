//! Python values to the core's loosely typed values, and the core's JSON to Python values.
//!
//! In: a claim, history record or application given as a Python mapping. Text stays text; an
//! `int` or `decimal.Decimal` is a number written exactly; a `float` is written in its shortest
//! round-trip form (SPEC §4: `1500.1` stays `1500.1`; `0.1 + 0.2` arrives as
//! `0.30000000000000004` and the core refuses it as more precise than the fen; written as
//! JavaScript writes a number, so `1e300` is `1e+300`, `bad_money` as in the CLI and the
//! browser); a `date`, a datetime at midnight or a `numpy.datetime64` of a day is
//! `YYYY-MM-DD`; a timestamp in a time zone is the wrong type ([`ZONED`]). numpy scalars are
//! read by their dtype's kind; those no field can hold (durations, complex numbers, `void`)
//! are that field's wrong type, never an exception. The core validates everything else.
//!
//! Out: JSON records and reports become dicts and lists, with every amount of money (and every
//! ratio) a `decimal.Decimal` made from its exact text.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyFrozenSet, PyInt, PyList, PyMapping, PySet, PyString, PyTuple, PyType};
use serde_json::Value;
use skill_subsidy::{ClaimErrorKind, FieldError, RawClaim, RawValue};

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DATE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DATETIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// `decimal.Decimal`.
pub(crate) fn decimal_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    DECIMAL.import(py, "decimal", "Decimal")
}

/// A `decimal.Decimal` from exact decimal text.
pub(crate) fn decimal<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    decimal_type(py)?.call1((text,))
}

/// A float as JavaScript's `Number.prototype.toString` writes it (ECMAScript §6.1.6.1.20), so
/// that a float reads as it does in the browser and in the CLI's JSON: the shortest round-trip
/// digits (`1500.1`, `4`, `0.30000000000000004`), in plain decimal from 10^-6 up to 10^21, with
/// an exponent outside that range (`1e+300`, `1.5e-7`: `bad_money` everywhere), and `NaN`,
/// `Infinity`, `-Infinity`. The same text whether the float came from a dict or a column.
pub(crate) fn float_text(value: f64) -> String {
    let mut out = String::new();
    write_float(&mut out, value);
    out
}

/// Writes [`float_text`] of a double into `out`.
pub(crate) fn write_float(out: &mut impl std::fmt::Write, value: f64) {
    write_number(out, value.is_nan(), value.is_sign_negative(), value.is_infinite(), value == 0.0, &format!("{:e}", value.abs()));
}

/// Writes a single (a `float32` column or numpy scalar) by its own shortest digits, as
/// [`write_float`] does a double: `0.1` stays `0.1`.
pub(crate) fn write_single(out: &mut impl std::fmt::Write, value: f32) {
    write_number(out, value.is_nan(), value.is_sign_negative(), value.is_infinite(), value == 0.0, &format!("{:e}", value.abs()));
}

/// The layout of `Number.prototype.toString` over the shortest digits that Rust's `{:e}`
/// writes (`d.ddde±x`, for the magnitude).
fn write_number(out: &mut impl std::fmt::Write, nan: bool, negative: bool, infinite: bool, zero: bool, scientific: &str) {
    let _ = if nan {
        out.write_str("NaN")
    } else if infinite {
        out.write_str(if negative { "-Infinity" } else { "Infinity" })
    } else if zero {
        out.write_char('0') // -0 too, as JavaScript writes it
    } else {
        let (mantissa, exponent) = scientific.split_once('e').unwrap_or((scientific, "0"));
        let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
        let k = digits.len() as i64;
        // The value is 0.digits × 10^n.
        let n = exponent.parse::<i64>().unwrap_or(0) + 1;
        let sign = if negative { "-" } else { "" };
        if k <= n && n <= 21 {
            write!(out, "{sign}{digits}{}", "0".repeat((n - k) as usize))
        } else if 0 < n && n <= 21 {
            let (whole, fraction) = digits.split_at(n as usize);
            write!(out, "{sign}{whole}.{fraction}")
        } else if -6 < n && n <= 0 {
            write!(out, "{sign}0.{}{digits}", "0".repeat((-n) as usize))
        } else {
            let (first, rest) = digits.split_at(1);
            let point = if rest.is_empty() { "" } else { "." };
            let e_sign = if n - 1 < 0 { '-' } else { '+' };
            write!(out, "{sign}{first}{point}{rest}e{e_sign}{}", (n - 1).abs())
        }
    };
}

/// What a timestamp in a time zone is read as, from a dict or a column: the wrong type for a
/// claim's date (SPEC §4: dates are civil dates, without a zone), whatever the zone.
pub(crate) const ZONED: &str = "a timestamp with a time zone (pass a date or a timestamp without a zone)";

/// A Python value as the core reads it.
pub(crate) fn raw_value(value: &Bound<'_, PyAny>) -> PyResult<RawValue> {
    let py = value.py();
    if value.is_none() {
        return Ok(RawValue::Null);
    }
    // `bool` before `int`: True is an int in Python, but never a number of yuan or months.
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(RawValue::Bool(b.is_true()));
    }
    if value.is_instance_of::<PyInt>() {
        return Ok(RawValue::Number(value.call_method1("__format__", ("d",))?.extract()?));
    }
    if let Ok(f) = value.cast::<PyFloat>() {
        return Ok(RawValue::Number(float_text(f.value())));
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(match s.to_cow() {
            Ok(text) => RawValue::Text(text.into_owned()),
            // A lone surrogate cannot be encoded as UTF-8.
            Err(_) => RawValue::NotUtf8,
        });
    }
    if value.is_instance(decimal_type(py)?)? {
        // Fixed-point text: Decimal("1E+3") is 1000, never an exponent.
        return Ok(RawValue::Number(value.call_method1("__format__", ("f",))?.extract()?));
    }
    if value.is_instance(DATETIME.import(py, "datetime", "datetime")?)? {
        if value.get_type().name()?.to_cow()? == "NaTType" {
            return Ok(RawValue::Null); // pandas' missing time
        }
        if !value.getattr("tzinfo")?.is_none() {
            return Ok(RawValue::Other(ZONED));
        }
        // A datetime at midnight (pandas' Timestamp of a date) is that date; another time is
        // written with it, for the core to refuse as `bad_date`.
        let midnight = value.call_method0("time")?.call_method0("isoformat")?.extract::<String>()? == "00:00:00";
        let text = if midnight { value.call_method0("date")?.call_method0("isoformat")? } else { value.call_method0("isoformat")? };
        return Ok(RawValue::Text(text.extract()?));
    }
    if value.is_instance(DATE.import(py, "datetime", "date")?)? {
        return Ok(RawValue::Text(value.call_method0("isoformat")?.extract()?));
    }
    if let Ok(bytes) = value.cast::<PyBytes>() {
        return Ok(match std::str::from_utf8(bytes.as_bytes()) {
            Ok(text) => RawValue::Text(text.to_string()),
            Err(_) => RawValue::NotUtf8,
        });
    }
    if value.is_instance_of::<PyList>()
        || value.is_instance_of::<PyTuple>()
        || value.is_instance_of::<PySet>()
        || value.is_instance_of::<PyFrozenSet>()
    {
        return Ok(RawValue::Other("an array"));
    }
    if value.cast::<PyMapping>().is_ok() {
        return Ok(RawValue::Other("an object"));
    }
    let class = value.get_type();
    let name = class.name()?.to_cow()?.into_owned();
    let module = class.module()?.to_cow()?.into_owned();
    // pandas' missing values.
    if matches!(name.as_str(), "NAType" | "NaTType") {
        return Ok(RawValue::Null);
    }
    if module == "numpy" {
        return numpy_scalar(value);
    }
    // Another integer type (its `__index__` is the number); one whose `__index__` fails is
    // that field's wrong type, never an exception that stops the batch.
    if value.hasattr("__index__")? {
        if let Ok(text) = value.call_method0("__index__").and_then(|i| i.call_method1("__format__", ("d",))?.extract()) {
            return Ok(RawValue::Number(text));
        }
    }
    Ok(RawValue::Other("a value of another type"))
}

/// A numpy scalar, by its dtype's kind: booleans, integers and floats as Python's; a
/// `datetime64` as a date (NaT: missing); what is not meaningful in a claim (a `timedelta64`,
/// a complex number, a `void`, an object) is that field's wrong type, never cast.
fn numpy_scalar(value: &Bound<'_, PyAny>) -> PyResult<RawValue> {
    let kind: String = match value.getattr("dtype").and_then(|d| d.getattr("kind")).and_then(|k| k.extract()) {
        Ok(kind) => kind,
        Err(_) => return Ok(RawValue::Other("a value of another type")),
    };
    Ok(match kind.as_str() {
        "b" => RawValue::Bool(value.is_truthy()?),
        "i" | "u" => RawValue::Number(value.call_method0("__index__")?.call_method1("__format__", ("d",))?.extract()?),
        // A float16 or float32 by its own shortest digits, as its column is read.
        "f" if value.getattr("dtype")?.getattr("itemsize")?.extract::<usize>()? <= 4 => {
            let mut text = String::new();
            write_single(&mut text, value.call_method0("__float__")?.extract::<f64>()? as f32);
            RawValue::Number(text)
        }
        "f" => RawValue::Number(float_text(value.call_method0("__float__")?.extract()?)),
        "M" => datetime64(value)?,
        "m" => RawValue::Other("a duration"),
        "c" => RawValue::Other("a complex number"),
        "V" => RawValue::Other("raw bytes (numpy.void)"),
        _ => RawValue::Other("a value of another type"),
    })
}

/// A `numpy.datetime64` of any unit read as a Python date or naive datetime is: its ISO text
/// (`str`), a date when it is a day or a midnight (`2021-05-10`, `2021-05-10T00:00:00.000`),
/// otherwise with its time (refused as `bad_date`, naming it). A year or a month
/// (`datetime64[M]`: `2021-05`) is not a day: its text, refused as `bad_date`. NaT is missing.
fn datetime64(value: &Bound<'_, PyAny>) -> PyResult<RawValue> {
    let text: String = value.str()?.extract()?;
    if text == "NaT" {
        return Ok(RawValue::Null);
    }
    Ok(RawValue::Text(match text.split_once('T') {
        Some((day, time)) if time.chars().all(|c| matches!(c, '0' | ':' | '.')) => day.to_string(),
        _ => text,
    }))
}

/// The fields of a mapping, by name; `Err` with the record's one error when it is not a mapping.
pub(crate) fn fields(item: &Bound<'_, PyAny>) -> PyResult<Result<Vec<(String, RawValue)>, FieldError>> {
    let mut out = Vec::new();
    if let Ok(dict) = item.cast::<PyDict>() {
        for (k, v) in dict.iter() {
            out.push((key_text(&k)?, raw_value(&v)?));
        }
    } else if let Ok(mapping) = item.cast::<PyMapping>() {
        for pair in mapping.items()?.iter() {
            let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair.extract()?;
            out.push((key_text(&k)?, raw_value(&v)?));
        }
    } else {
        let kind = format!("a {}", item.get_type().name()?.to_cow()?);
        return Ok(Err(FieldError::new(ClaimErrorKind::NotAnObject, "", Some(kind))));
    }
    Ok(Ok(out))
}

/// A claim from a mapping; anything else is a claim with a record error (so it is `invalid`).
pub(crate) fn raw_claim(item: &Bound<'_, PyAny>) -> PyResult<RawClaim> {
    let mut raw = RawClaim::default();
    match fields(item)? {
        Ok(pairs) => {
            for (name, value) in pairs {
                raw.set(&name, value);
            }
        }
        Err(error) => raw.record_error = Some(error),
    }
    Ok(raw)
}

fn key_text(key: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(match key.cast::<PyString>() {
        Ok(s) => s.to_cow().map(|c| c.into_owned()).unwrap_or_else(|_| "\u{fffd}".to_string()),
        Err(_) => key.str()?.to_cow()?.into_owned(),
    })
}

/// Keys whose values are money or ratios (every string under them becomes a `Decimal`).
const MONEY_KEYS: [&str; 16] = [
    "amount",
    "approved_amount",
    "final_amount",
    "spending_target",
    "opening_balance",
    "committed",
    "paid",
    "paid_in_period",
    "goal",
    "balance",
    "released",
    "total_committed",
    "remaining",
    "utilisation",
    "share",
    "cash_flow",
];

/// Keys under a money key whose values are not money: the month an account closed.
const TEXT_KEYS: [&str; 1] = ["closed_in"];

/// A JSON record or report as Python values, money as `Decimal`. A trace stays as its
/// documented JSON shape (`docs/trace.md`): text values, as every binding gives them.
pub(crate) fn to_python<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    convert(py, value, false, false)
}

/// JSON as plain Python values (no `Decimal`): the ruleset export, a trace, the claim schema.
pub(crate) fn to_python_plain<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    convert(py, value, false, true)
}

fn convert<'py>(py: Python<'py>, value: &Value, money: bool, plain: bool) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any(),
            (_, Some(u)) => u.into_pyobject(py)?.into_any(),
            _ => decimal(py, &n.to_string())?,
        },
        Value::String(s) if money && !plain => decimal(py, s)?,
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(convert(py, item, money, plain)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                let converted = if k == "trace" {
                    convert(py, v, false, true)?
                } else {
                    let money = !TEXT_KEYS.contains(&k.as_str()) && (money || MONEY_KEYS.contains(&k.as_str()));
                    convert(py, v, money, plain)?
                };
                dict.set_item(k, converted)?;
            }
            dict.into_any()
        }
    })
}
