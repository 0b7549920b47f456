//! Arrow columns read cell by cell as the core's loosely typed values ([`RawRef`]), without a
//! Python object per row: text is borrowed from the Arrow buffers, and numbers and dates are
//! written as text into a small scratch string (inline up to 24 bytes: no allocation).
//!
//! Money crosses exactly (SPEC §4): a `decimal128`/`decimal256` cell is written from its integer
//! and scale, never through a float; a `float` cell is written in its shortest round-trip form
//! (`1500.1`, `0.30000000000000004`; `1e+300` as JavaScript writes it), which the core then
//! accepts or refuses like any text. A timestamp in a time zone is the wrong type for a date,
//! as from a dict ([`values::ZONED`]).

use crate::values;
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Decimal128Type, Decimal256Type, Float16Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt16Type, UInt32Type, UInt64Type,
    UInt8Type,
};
use arrow_array::{Array, BinaryViewArray, GenericBinaryArray, GenericStringArray, PrimitiveArray, StringViewArray};
use arrow_buffer::NullBuffer;
use arrow_schema::{DataType, TimeUnit};
use skill_subsidy::{ClaimColumn, ColumnCell, CompactString, RawRef, RawValue};
use std::fmt::Write as _;
use std::ops::Range;

/// A cell's value owned (for history and applications, which the core reads as owned values).
pub(crate) fn owned(cell: ColumnCell<'_>, scratch: &str) -> RawValue {
    match cell.raw(scratch) {
        RawRef::Text(s) => RawValue::Text(s.to_string()),
        RawRef::Number(s) => RawValue::Number(s.to_string()),
        RawRef::Bool(b) => RawValue::Bool(b),
        RawRef::Other(kind) => RawValue::Other(kind),
        RawRef::NotUtf8 => RawValue::NotUtf8,
        _ => RawValue::Null,
    }
}

/// Text arrays, in their three layouts.
enum Strings<'a> {
    Small(&'a GenericStringArray<i32>),
    Large(&'a GenericStringArray<i64>),
    View(&'a StringViewArray),
}

impl<'a> Strings<'a> {
    fn len(&self) -> usize {
        match self {
            Strings::Small(a) => a.len(),
            Strings::Large(a) => a.len(),
            Strings::View(a) => a.len(),
        }
    }

    #[inline(always)]
    fn get(&self, i: usize) -> &'a str {
        match self {
            Strings::Small(a) => a.value(i),
            Strings::Large(a) => a.value(i),
            Strings::View(a) => a.value(i),
        }
    }
}

/// Byte arrays: text when they hold UTF-8.
enum Binaries<'a> {
    Small(&'a GenericBinaryArray<i32>),
    Large(&'a GenericBinaryArray<i64>),
    View(&'a BinaryViewArray),
}

impl<'a> Binaries<'a> {
    fn get(&self, i: usize) -> &'a [u8] {
        match self {
            Binaries::Small(a) => a.value(i),
            Binaries::Large(a) => a.value(i),
            Binaries::View(a) => a.value(i),
        }
    }
}

/// How a column's cells are read.
enum Kind<'a> {
    Null,
    Text(Strings<'a>),
    Bytes(Binaries<'a>),
    Bool(&'a arrow_array::BooleanArray),
    I8(&'a PrimitiveArray<Int8Type>),
    I16(&'a PrimitiveArray<Int16Type>),
    I32(&'a PrimitiveArray<Int32Type>),
    I64(&'a PrimitiveArray<Int64Type>),
    U8(&'a PrimitiveArray<UInt8Type>),
    U16(&'a PrimitiveArray<UInt16Type>),
    U32(&'a PrimitiveArray<UInt32Type>),
    U64(&'a PrimitiveArray<UInt64Type>),
    F16(&'a PrimitiveArray<Float16Type>),
    F32(&'a PrimitiveArray<Float32Type>),
    F64(&'a PrimitiveArray<Float64Type>),
    Decimal128(&'a PrimitiveArray<Decimal128Type>, i8),
    Decimal256(&'a PrimitiveArray<Decimal256Type>, i8),
    /// Days since 1970-01-01.
    Date32(&'a [i32]),
    /// Milliseconds since 1970-01-01T00:00.
    Date64(&'a [i64]),
    /// A timestamp without a time zone, in units per second.
    Timestamp(&'a [i64], i64),
    /// A dictionary (pandas `category`, polars `Categorical`/`Enum`): keys into a column of values.
    Dictionary(Keys<'a>, Box<Column<'a>>),
    /// A type no claim field can hold, by what it is.
    Other(&'static str),
}

/// The keys of a dictionary-encoded column (pandas `category`: int8 or int16; polars: uint32).
pub(crate) enum Keys<'a> {
    I8(&'a [i8]),
    I16(&'a [i16]),
    I32(&'a [i32]),
    I64(&'a [i64]),
    U8(&'a [u8]),
    U16(&'a [u16]),
    U32(&'a [u32]),
    U64(&'a [u64]),
}

impl<'a> Keys<'a> {
    fn new(keys: &'a dyn Array) -> Option<Keys<'a>> {
        Some(match keys.data_type() {
            DataType::Int8 => Keys::I8(keys.as_primitive_opt::<Int8Type>()?.values()),
            DataType::Int16 => Keys::I16(keys.as_primitive_opt::<Int16Type>()?.values()),
            DataType::Int32 => Keys::I32(keys.as_primitive_opt::<Int32Type>()?.values()),
            DataType::Int64 => Keys::I64(keys.as_primitive_opt::<Int64Type>()?.values()),
            DataType::UInt8 => Keys::U8(keys.as_primitive_opt::<UInt8Type>()?.values()),
            DataType::UInt16 => Keys::U16(keys.as_primitive_opt::<UInt16Type>()?.values()),
            DataType::UInt32 => Keys::U32(keys.as_primitive_opt::<UInt32Type>()?.values()),
            DataType::UInt64 => Keys::U64(keys.as_primitive_opt::<UInt64Type>()?.values()),
            _ => return None,
        })
    }

    /// The key of row `i` (a null row's key is whatever it holds; the column's nulls say).
    #[inline]
    fn get(&self, i: usize) -> Option<usize> {
        match self {
            Keys::I8(k) => k.get(i).and_then(|&k| usize::try_from(k).ok()),
            Keys::I16(k) => k.get(i).and_then(|&k| usize::try_from(k).ok()),
            Keys::I32(k) => k.get(i).and_then(|&k| usize::try_from(k).ok()),
            Keys::I64(k) => k.get(i).and_then(|&k| usize::try_from(k).ok()),
            Keys::U8(k) => k.get(i).map(|&k| usize::from(k)),
            Keys::U16(k) => k.get(i).map(|&k| usize::from(k)),
            Keys::U32(k) => k.get(i).and_then(|&k| usize::try_from(k).ok()),
            Keys::U64(k) => k.get(i).and_then(|&k| usize::try_from(k).ok()),
        }
    }

    /// Appends the keys of `rows` as codes; false (appending nothing) if one does not fit.
    fn codes(&self, rows: Range<usize>, out: &mut Vec<u32>) -> bool {
        fn all<T: Copy>(keys: &[T], rows: Range<usize>, out: &mut Vec<u32>, code: impl Fn(T) -> Option<u32>) -> bool {
            let Some(keys) = keys.get(rows) else { return false };
            let start = out.len();
            for &k in keys {
                match code(k) {
                    Some(c) => out.push(c),
                    None => {
                        out.truncate(start);
                        return false;
                    }
                }
            }
            true
        }
        match self {
            Keys::I8(k) => all(k, rows, out, |k| u32::try_from(k).ok()),
            Keys::I16(k) => all(k, rows, out, |k| u32::try_from(k).ok()),
            Keys::I32(k) => all(k, rows, out, |k| u32::try_from(k).ok()),
            Keys::I64(k) => all(k, rows, out, |k| u32::try_from(k).ok()),
            Keys::U8(k) => all(k, rows, out, |k| Some(u32::from(k))),
            Keys::U16(k) => all(k, rows, out, |k| Some(u32::from(k))),
            Keys::U32(k) => all(k, rows, out, Some),
            Keys::U64(k) => all(k, rows, out, |k| u32::try_from(k).ok()),
        }
    }
}

/// One Arrow column, read cell by cell.
pub(crate) struct Column<'a> {
    nulls: Option<&'a NullBuffer>,
    kind: Kind<'a>,
}

impl<'a> Column<'a> {
    /// Reads `array`; any type is accepted (a type no field can hold reads as a wrong type).
    pub(crate) fn new(array: &'a dyn Array) -> Column<'a> {
        let kind = match array.data_type() {
            DataType::Null => Kind::Null,
            DataType::Utf8 => Kind::Text(Strings::Small(array.as_string::<i32>())),
            DataType::LargeUtf8 => Kind::Text(Strings::Large(array.as_string::<i64>())),
            DataType::Utf8View => Kind::Text(Strings::View(array.as_string_view())),
            DataType::Binary => Kind::Bytes(Binaries::Small(array.as_binary::<i32>())),
            DataType::LargeBinary => Kind::Bytes(Binaries::Large(array.as_binary::<i64>())),
            DataType::BinaryView => Kind::Bytes(Binaries::View(array.as_binary_view())),
            DataType::Boolean => Kind::Bool(array.as_boolean()),
            DataType::Int8 => Kind::I8(array.as_primitive()),
            DataType::Int16 => Kind::I16(array.as_primitive()),
            DataType::Int32 => Kind::I32(array.as_primitive()),
            DataType::Int64 => Kind::I64(array.as_primitive()),
            DataType::UInt8 => Kind::U8(array.as_primitive()),
            DataType::UInt16 => Kind::U16(array.as_primitive()),
            DataType::UInt32 => Kind::U32(array.as_primitive()),
            DataType::UInt64 => Kind::U64(array.as_primitive()),
            DataType::Float16 => Kind::F16(array.as_primitive()),
            DataType::Float32 => Kind::F32(array.as_primitive()),
            DataType::Float64 => Kind::F64(array.as_primitive()),
            DataType::Decimal128(_, scale) => Kind::Decimal128(array.as_primitive(), *scale),
            DataType::Decimal256(_, scale) => Kind::Decimal256(array.as_primitive(), *scale),
            DataType::Date32 => Kind::Date32(array.as_primitive::<arrow_array::types::Date32Type>().values()),
            DataType::Date64 => Kind::Date64(array.as_primitive::<arrow_array::types::Date64Type>().values()),
            DataType::Timestamp(unit, None) => match unit {
                TimeUnit::Second => Kind::Timestamp(array.as_primitive::<TimestampSecondType>().values(), 1),
                TimeUnit::Millisecond => Kind::Timestamp(array.as_primitive::<TimestampMillisecondType>().values(), 1_000),
                TimeUnit::Microsecond => Kind::Timestamp(array.as_primitive::<TimestampMicrosecondType>().values(), 1_000_000),
                TimeUnit::Nanosecond => Kind::Timestamp(array.as_primitive::<TimestampNanosecondType>().values(), 1_000_000_000),
            },
            // Any zone, UTC too: one rule with a dict's zoned datetime.
            DataType::Timestamp(_, Some(_)) => Kind::Other(values::ZONED),
            DataType::Time32(_) | DataType::Time64(_) => Kind::Other("a time of day"),
            DataType::Duration(_) | DataType::Interval(_) => Kind::Other("a duration"),
            DataType::List(_)
            | DataType::LargeList(_)
            | DataType::ListView(_)
            | DataType::LargeListView(_)
            | DataType::FixedSizeList(..) => Kind::Other("an array"),
            DataType::Struct(_) | DataType::Map(..) | DataType::Union(..) => Kind::Other("an object"),
            DataType::Dictionary(..) => match array.as_any_dictionary_opt().and_then(|d| Some((Keys::new(d.keys())?, d.values()))) {
                Some((keys, values)) => Kind::Dictionary(keys, Box::new(Column::new(values.as_ref()))),
                None => Kind::Other("a value of another type"),
            },
            _ => Kind::Other("a value of another type"),
        };
        Column { nulls: array.nulls(), kind }
    }

    /// The cell at row `i`; numbers and dates are written into `scratch`.
    pub(crate) fn cell(&self, i: usize, scratch: &mut CompactString) -> ColumnCell<'a> {
        if self.nulls.is_some_and(|n| n.is_null(i)) {
            return ColumnCell::Value(RawRef::Null);
        }
        scratch.clear();
        // Writing into a String cannot fail.
        let number = |scratch: &mut CompactString, value: &dyn std::fmt::Display| {
            let _ = write!(scratch, "{value}");
            ColumnCell::Number
        };
        match &self.kind {
            Kind::Null => ColumnCell::Value(RawRef::Null),
            Kind::Text(strings) => ColumnCell::Value(RawRef::Text(strings.get(i))),
            Kind::Bytes(bytes) => match std::str::from_utf8(bytes.get(i)) {
                Ok(text) => ColumnCell::Value(RawRef::Text(text)),
                Err(_) => ColumnCell::Value(RawRef::NotUtf8),
            },
            Kind::Bool(a) => ColumnCell::Value(RawRef::Bool(a.value(i))),
            Kind::I8(a) => number(scratch, &a.value(i)),
            Kind::I16(a) => number(scratch, &a.value(i)),
            Kind::I32(a) => number(scratch, &a.value(i)),
            Kind::I64(a) => number(scratch, &a.value(i)),
            Kind::U8(a) => number(scratch, &a.value(i)),
            Kind::U16(a) => number(scratch, &a.value(i)),
            Kind::U32(a) => number(scratch, &a.value(i)),
            Kind::U64(a) => number(scratch, &a.value(i)),
            // The shortest decimal that reads back as the same float, laid out as JavaScript
            // writes a number (`1e+300`), as a float from a dict is.
            Kind::F16(a) => {
                values::write_single(scratch, f32::from(a.value(i)));
                ColumnCell::Number
            }
            Kind::F32(a) => {
                values::write_single(scratch, a.value(i));
                ColumnCell::Number
            }
            Kind::F64(a) => {
                values::write_float(scratch, a.value(i));
                ColumnCell::Number
            }
            Kind::Decimal128(a, scale) => {
                write_scaled(scratch, &a.value(i).to_string(), *scale);
                ColumnCell::Number
            }
            Kind::Decimal256(a, scale) => {
                write_scaled(scratch, &a.value(i).to_string(), *scale);
                ColumnCell::Number
            }
            Kind::Date32(days) => {
                write_date(scratch, i64::from(days[i]) * 86_400, 0);
                ColumnCell::Text
            }
            Kind::Date64(ms) => {
                write_date(scratch, ms[i].div_euclid(1_000), ms[i].rem_euclid(1_000) * 1_000_000);
                ColumnCell::Text
            }
            Kind::Timestamp(values, per_second) => {
                let nanos_per_unit = 1_000_000_000 / per_second;
                write_date(scratch, values[i].div_euclid(*per_second), values[i].rem_euclid(*per_second) * nanos_per_unit);
                ColumnCell::Text
            }
            Kind::Dictionary(keys, values) => match keys.get(i) {
                Some(k) => values.cell(k, scratch),
                None => ColumnCell::Value(RawRef::Null),
            },
            Kind::Other(kind) => ColumnCell::Value(RawRef::Other(kind)),
        }
    }
}

/// The largest amount of money in fen (SPEC §4: 999,999,999,999.99 yuan).
const MAX_FEN: i64 = 99_999_999_999_999;

impl ClaimColumn for Column<'_> {
    fn cell(&self, row: usize, scratch: &mut CompactString) -> ColumnCell<'_> {
        Column::cell(self, row, scratch)
    }

    /// Integers whose text (`Display`) is the number itself.
    fn integer(&self, i: usize) -> Option<i64> {
        if self.nulls.is_some_and(|n| n.is_null(i)) {
            return None;
        }
        match &self.kind {
            Kind::I8(a) => Some(i64::from(a.value(i))),
            Kind::I16(a) => Some(i64::from(a.value(i))),
            Kind::I32(a) => Some(i64::from(a.value(i))),
            Kind::I64(a) => Some(a.value(i)),
            Kind::U8(a) => Some(i64::from(a.value(i))),
            Kind::U16(a) => Some(i64::from(a.value(i))),
            Kind::U32(a) => Some(i64::from(a.value(i))),
            Kind::U64(a) => i64::try_from(a.value(i)).ok(),
            Kind::Dictionary(keys, values) => keys.get(i).and_then(|k| values.integer(k)),
            _ => None,
        }
    }

    fn texts<'s>(&'s self, rows: Range<usize>, out: &mut Vec<&'s str>) -> bool {
        if self.nulls.is_some_and(|n| rows.clone().any(|i| n.is_null(i))) {
            return false;
        }
        match &self.kind {
            Kind::Text(strings) => out.extend(rows.map(|i| strings.get(i))),
            Kind::Dictionary(keys, values) => match &values.kind {
                Kind::Text(strings) if values.nulls.is_none() && rows.clone().all(|i| keys.get(i).is_some_and(|k| k < strings.len())) => {
                    out.extend(rows.filter_map(|i| keys.get(i)).map(|k| strings.get(k)));
                }
                _ => return false,
            },
            _ => return false,
        }
        true
    }

    fn dictionary(&self) -> Option<Vec<&str>> {
        let Kind::Dictionary(_, values) = &self.kind else { return None };
        match &values.kind {
            Kind::Text(strings) if values.nulls.is_none() => Some((0..strings.len()).map(|i| strings.get(i)).collect()),
            _ => None,
        }
    }

    fn codes(&self, rows: Range<usize>, out: &mut Vec<u32>) -> bool {
        let Kind::Dictionary(keys, _) = &self.kind else { return false };
        if self.nulls.is_some_and(|n| rows.clone().any(|i| n.is_null(i))) {
            return false;
        }
        keys.codes(rows, out)
    }

    /// One text repeated, seen from the layout: offsets a constant step apart over bytes that
    /// repeat with that step (one comparison of the bytes with themselves shifted), or views all
    /// alike (polars: a short text lives in its view).
    fn same_text(&self, rows: Range<usize>) -> Option<&str> {
        if rows.is_empty() || self.nulls.is_some_and(|n| rows.end > n.len() || n.slice(rows.start, rows.len()).null_count() > 0) {
            return None;
        }
        fn repeated<O: arrow_array::OffsetSizeTrait>(a: &GenericStringArray<O>, rows: Range<usize>) -> Option<&str> {
            let offsets = a.value_offsets().get(rows.start..=rows.end)?;
            let (first, second) = (*offsets.first()?, *offsets.get(1)?);
            let step = second - first;
            // Without an early exit or a conversion, a few instructions a row.
            let regular = offsets.windows(2).fold(true, |ok, w| ok & (w[1] - w[0] == step));
            let (first, step) = (first.as_usize(), step.as_usize());
            let bytes = a.value_data().get(first..offsets.last()?.as_usize())?;
            (regular && bytes.get(step..)? == bytes.get(..bytes.len() - step)?).then(|| a.value(rows.start))
        }
        match &self.kind {
            Kind::Text(Strings::Small(a)) => repeated(a, rows),
            Kind::Text(Strings::Large(a)) => repeated(a, rows),
            Kind::Text(Strings::View(a)) => {
                let views = a.views().get(rows.clone())?;
                let first = *views.first()?;
                // A view holds a text of up to 12 bytes itself: equal views, equal texts.
                (first as u32 <= 12 && views.iter().fold(true, |ok, v| ok & (*v == first))).then(|| a.value(rows.start))
            }
            _ => None,
        }
    }

    fn integers(&self, rows: Range<usize>, out: &mut Vec<i64>) -> bool {
        match &self.kind {
            Kind::I64(a) if self.nulls.is_none() => a.values().get(rows).is_some_and(|values| {
                out.extend_from_slice(values);
                true
            }),
            _ if rows.clone().all(|i| self.integer(i).is_some()) => {
                out.extend(rows.map(|i| self.integer(i).unwrap_or_default()));
                true
            }
            _ => false,
        }
    }

    fn fens(&self, rows: Range<usize>, out: &mut Vec<i64>) -> bool {
        match &self.kind {
            Kind::F64(a) if self.nulls.is_none() => a.values().get(rows).is_some_and(|values| {
                out.extend(values.iter().map(|&v| float_fen(v).unwrap_or(-1)));
                true
            }),
            _ => {
                out.extend(rows.map(|i| self.fen(i).unwrap_or(-1)));
                true
            }
        }
    }

    /// Money in whole fen without the text, where the text would say the same: a whole
    /// number of yuan, a decimal of scale 0–2, or a float whose shortest decimal has at most
    /// two places (then it is `k / 100` for the integer `k` nearest to `100 × value`, since
    /// below 10^12 yuan two such decimals are never one float). Anything else (negative,
    /// too large, more places, NaN) is read as text, for its error.
    fn fen(&self, i: usize) -> Option<i64> {
        if self.nulls.is_some_and(|n| n.is_null(i)) {
            return None;
        }
        let yuan = |v: i64| v.checked_mul(100).filter(|f| (0..=MAX_FEN).contains(f));
        match &self.kind {
            Kind::F64(a) => float_fen(a.value(i)),
            Kind::Decimal128(a, scale @ 0..=2) => {
                let fen = a.value(i).checked_mul(10i128.pow(u32::from(2 - scale.unsigned_abs())))?;
                i64::try_from(fen).ok().filter(|f| (0..=MAX_FEN).contains(f))
            }
            Kind::Dictionary(keys, values) => keys.get(i).and_then(|k| values.fen(k)),
            _ => self.integer(i).and_then(yuan),
        }
    }
}

/// A float's amount in fen when its shortest decimal has at most two places.
fn float_fen(value: f64) -> Option<i64> {
    if !(0.0..1e12).contains(&value) {
        return None;
    }
    // The float nearest to k / 100 is `k as f64 / 100.0` (one correctly rounded division).
    // (`+ 0.5` then truncation: `round` is a call; the neighbours are tried anyway.)
    let k = (value * 100.0 + 0.5) as i64;
    [k, k.saturating_sub(1), k.saturating_add(1)].into_iter().find(|&c| c as f64 / 100.0 == value)
}

/// Writes an integer's digits (with its sign) scaled by `10^-scale`: `("-12345", 2)` → `-123.45`.
fn write_scaled(out: &mut CompactString, digits: &str, scale: i8) {
    let (sign, digits) = match digits.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", digits),
    };
    out.push_str(sign);
    if scale <= 0 {
        out.push_str(digits);
        out.extend(std::iter::repeat_n('0', usize::from(scale.unsigned_abs())));
        return;
    }
    let scale = usize::from(scale.unsigned_abs());
    if digits.len() <= scale {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', scale - digits.len()));
        out.push_str(digits);
    } else {
        let (whole, fraction) = digits.split_at(digits.len() - scale);
        out.push_str(whole);
        out.push('.');
        out.push_str(fraction);
    }
}

/// Writes an instant as a civil date when it is a midnight (`2021-06-01`); otherwise with its
/// time (`2021-06-01T08:30:00`), which the core refuses as a date, naming the value.
fn write_date(out: &mut CompactString, seconds: i64, nanos: i64) {
    let instant = u32::try_from(nanos).ok().and_then(|n| chrono::DateTime::from_timestamp(seconds, n));
    match instant.map(|t| t.naive_utc()) {
        Some(t) if t.time() == chrono::NaiveTime::MIN => {
            let _ = write!(out, "{}", t.date());
        }
        Some(t) => {
            let _ = write!(out, "{}", t.format("%Y-%m-%dT%H:%M:%S%.f"));
        }
        None => {
            let _ = write!(out, "{seconds} seconds from 1970-01-01");
        }
    }
}
