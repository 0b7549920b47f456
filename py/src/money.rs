//! Money columns as the caller asks for them (`money=`, issue 15). Every amount the engine gives
//! is whole fen (SPEC §4), and each kind is written from that integer:
//!
//! - `decimal` (the default): `decimal128(P, 2)` yuan, exact; pandas `ArrowDtype`, polars
//!   `Decimal`, `decimal.Decimal` in dicts;
//! - `fen`: `int64` fen, exact, and a number to every library (`describe`, `cumsum`, `nlargest`,
//!   `select_dtypes("number")`, Parquet);
//! - `float`: `float64` yuan, for charts only: the nearest double to each amount (a fen count
//!   below 2⁵³ converts exactly, and one division by 100 rounds once), which sums and compares
//!   inexactly.

use crate::error::Error;
use arrow_array::builder::{Decimal128Builder, Float64Builder, Int64Builder};
use arrow_array::{ArrayRef, Decimal128Array, Float64Array, Int64Array};
use arrow_buffer::ScalarBuffer;
use arrow_schema::{ArrowError, DataType};
use std::sync::Arc;

/// How money columns are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Money {
    /// `decimal128(P, 2)` yuan.
    Decimal,
    /// `int64` fen.
    Fen,
    /// `float64` yuan.
    Float,
}

/// The kinds, as Python names them.
pub(crate) const KINDS: [&str; 3] = ["decimal", "fen", "float"];

impl Money {
    /// The kind named `name`, or the error naming the kinds.
    pub(crate) fn parse(name: &str) -> Result<Money, Error> {
        match name {
            "decimal" => Ok(Money::Decimal),
            "fen" => Ok(Money::Fen),
            "float" => Ok(Money::Float),
            _ => Err(Error::choice("money", name, &KINDS)),
        }
    }

    /// The column type (`precision` for decimals: 18 for a claim, 38 for a total).
    pub(crate) fn data_type(self, precision: u8) -> DataType {
        match self {
            Money::Decimal => DataType::Decimal128(precision, 2),
            Money::Fen => DataType::Int64,
            Money::Float => DataType::Float64,
        }
    }

    /// A column of these amounts in fen, none missing.
    pub(crate) fn column(self, fen: &[i64], precision: u8) -> Result<ArrayRef, ArrowError> {
        Ok(match self {
            Money::Decimal => {
                let values: Vec<i128> = fen.iter().map(|&f| i128::from(f)).collect();
                Arc::new(Decimal128Array::new(ScalarBuffer::from(values), None).with_precision_and_scale(precision, 2)?)
            }
            Money::Fen => Arc::new(Int64Array::new(ScalarBuffer::from(fen.to_vec()), None)),
            Money::Float => Arc::new(Float64Array::from_iter_values(fen.iter().map(|&f| yuan(i128::from(f))))),
        })
    }

    /// A builder of such a column.
    pub(crate) fn builder(self, capacity: usize, precision: u8) -> Result<MoneyBuilder, ArrowError> {
        Ok(match self {
            Money::Decimal => MoneyBuilder::Decimal(Decimal128Builder::with_capacity(capacity).with_precision_and_scale(precision, 2)?),
            Money::Fen => MoneyBuilder::Fen(Int64Builder::with_capacity(capacity)),
            Money::Float => MoneyBuilder::Float(Float64Builder::with_capacity(capacity)),
        })
    }
}

/// Fen as the nearest double of yuan.
fn yuan(fen: i128) -> f64 {
    // A fen count below 2⁵³ is exact as a double; the one division rounds once.
    fen as f64 / 100.0
}

/// A money column being built.
pub(crate) enum MoneyBuilder {
    Decimal(Decimal128Builder),
    Fen(Int64Builder),
    Float(Float64Builder),
}

impl MoneyBuilder {
    /// Appends an amount in fen (`None`: null). A total past `int64` fen (92 quadrillion
    /// yuan) cannot be written as fen: an error, never a wrapped number.
    pub(crate) fn append(&mut self, fen: Option<i128>) -> Result<(), ArrowError> {
        match self {
            MoneyBuilder::Decimal(b) => b.append_option(fen),
            MoneyBuilder::Fen(b) => match fen.map(i64::try_from).transpose() {
                Ok(v) => b.append_option(v),
                Err(_) => return Err(ArrowError::ComputeError("an amount is too large for int64 fen: use money=\"decimal\"".into())),
            },
            MoneyBuilder::Float(b) => b.append_option(fen.map(yuan)),
        }
        Ok(())
    }

    /// The column.
    pub(crate) fn finish(&mut self) -> ArrayRef {
        match self {
            MoneyBuilder::Decimal(b) => Arc::new(b.finish()),
            MoneyBuilder::Fen(b) => Arc::new(b.finish()),
            MoneyBuilder::Float(b) => Arc::new(b.finish()),
        }
    }
}
