//! A frame's result by its distinct records: the claims' records of a table as Arrow columns,
//! `claim_id` as given, the amount from each row's fen, and the text columns dictionary-encoded
//! over the few distinct records' texts (a million rows format a few thousand records, and a row
//! costs a lookup). Each text column's dictionary is in its natural order ([`categories`]).

use crate::categories::{self, Order};
use crate::money::Money;
use crate::output::{field_batch, Layout, Text};
use arrow_array::types::{Int16Type, Int32Type, Int8Type};
use arrow_array::{Array, ArrayRef, DictionaryArray, Int16Array, Int32Array, Int8Array, LargeStringArray, RecordBatch, StringArray};
use arrow_buffer::{NullBuffer, ScalarBuffer};
use arrow_schema::{ArrowError, DataType, Field as ArrowField};
use skill_subsidy::{Assessment, BatchResult, Engine};
use std::collections::HashMap;
use std::sync::Arc;

/// The text columns of a claim's record after `claim_id` and `amount`, and whether each may be
/// null.
const SHAPE_COLUMNS: [(&str, bool); 8] = [
    ("status", false),
    ("reasons", false),
    ("errors", false),
    ("program", true),
    ("fund", true),
    ("payee", true),
    ("catalogue_version", true),
    ("payment_month", true),
];

/// A text column of one value taken apart: its name, its value (`None`: null) and, for a
/// polars `Enum`, its categories.
pub(crate) type Constant = (&'static str, Option<String>, Option<Vec<String>>);

/// The text columns of a table's records that hold one value on every row, taken apart.
#[derive(Default)]
pub(crate) struct Apart {
    /// Each such column.
    pub(crate) constants: Vec<Constant>,
    /// Every column's name, in order, those apart too.
    pub(crate) names: Vec<&'static str>,
}

/// The text of each of [`SHAPE_COLUMNS`] for one assessment.
fn shape_texts(a: &Assessment) -> [Option<String>; 8] {
    let record = a.record();
    let reasons: Vec<&str> = a.reasons.iter().map(|r| r.code()).collect();
    let errors: Vec<String> = a.errors.iter().map(|e| format!("{}:{}", e.field, e.code.code())).collect();
    [
        Some(record.status.code().to_string()),
        Some(reasons.join(";")),
        Some(errors.join(";")),
        record.program.map(str::to_string),
        record.fund.map(str::to_string),
        record.payee.map(str::to_string),
        record.catalogue_version.map(str::to_string),
        a.payment_month.map(|m| m.to_string()),
    ]
}

/// What [`shape_texts`] renders of an assessment without field errors, borrowed.
type RecordFields<'a> = (
    &'static str,
    skill_subsidy::Reasons,
    Option<&'a str>,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'a str>,
    Option<skill_subsidy::calendar::YearMonth>,
);

fn record_fields(a: &Assessment) -> RecordFields<'_> {
    let record = a.record();
    (record.status.code(), a.reasons, record.program, record.fund, record.payee, record.catalogue_version, a.payment_month)
}

/// One text column as a dictionary over the record classes (the distinct records' texts): its
/// values in their natural order, and each class's key (`None`: null).
struct Dictionary {
    values: ArrayRef,
    value_type: DataType,
    keys: Vec<Option<u16>>,
    /// The values as text, when polars should take the column as an `Enum` of them.
    closed: Option<Vec<String>>,
    ordered: bool,
}

impl Dictionary {
    fn new(texts: &[Option<&str>], layout: Layout, order: &Order) -> Dictionary {
        let values = order.arrange(texts.iter().copied());
        let index: HashMap<&str, u16> = values.iter().enumerate().map(|(i, v)| (*v, i as u16)).collect();
        let keys = texts.iter().map(|t| t.and_then(|t| index.get(t).copied())).collect();
        let closed = order.closed().then(|| values.iter().map(|v| v.to_string()).collect());
        // polars takes `large_utf8` values fastest; pyarrow and pandas `utf8`.
        let (values, value_type): (ArrayRef, DataType) = match layout {
            Layout::View => (Arc::new(LargeStringArray::from(values)), DataType::LargeUtf8),
            Layout::Utf8 => (Arc::new(StringArray::from(values)), DataType::Utf8),
        };
        Dictionary { values, value_type, keys, closed, ordered: order.ordered() }
    }

    /// Whether every class has the same value (or every one is null).
    fn one_value(&self) -> bool {
        self.keys.iter().all(|k| *k == self.keys[0])
    }

    /// The field of the column: ordered when the values have a natural order, and for polars
    /// (`View`) an `Enum` of its values when their set is closed.
    fn field(&self, name: &str, data_type: DataType, nullable: bool, layout: Layout) -> ArrowField {
        let field = ArrowField::new(name, data_type, nullable).with_dict_is_ordered(self.ordered);
        match (&self.closed, layout) {
            (Some(values), Layout::View) => {
                let values: Vec<&str> = values.iter().map(String::as_str).collect();
                field.with_metadata(categories::polars_enum(&values))
            }
            _ => field,
        }
    }

    /// The column for rows of these classes (none given when there is one class): `int8` keys
    /// (a record has few distinct texts), `int16` beyond 128 values, `int32` beyond 32,768;
    /// `zeros`, one per row, when every class has the value of key 0.
    fn column(&self, class_of_row: &[u16], zeros: &ScalarBuffer<i8>) -> Result<(DataType, ArrayRef), ArrowError> {
        let rows = zeros.len();
        let one = self.one_value();
        let nulls = match (one, self.keys.first()) {
            (true, Some(None)) => Some(NullBuffer::new_null(rows)),
            (true, _) => None,
            (false, _) => {
                self.keys.contains(&None).then(|| NullBuffer::from_iter(class_of_row.iter().map(|&c| self.keys[usize::from(c)].is_some())))
            }
        };
        let key = |c: &u16| self.keys[usize::from(*c)].unwrap_or(0);
        let (key_type, array): (DataType, ArrayRef) = if self.values.len() <= 128 {
            let keys = match (one, self.keys.first().copied().flatten()) {
                // Every column of one value of key 0 shares one buffer of zeros.
                (true, None | Some(0)) => zeros.clone(),
                (true, Some(k)) => ScalarBuffer::from(vec![k as i8; rows]),
                (false, _) => ScalarBuffer::from(class_of_row.iter().map(|c| key(c) as i8).collect::<Vec<i8>>()),
            };
            let keys = Int8Array::new(keys, nulls);
            // SAFETY: each key is an index `Dictionary::new` gave into `values`, below 128 here
            // (so `as i8` keeps it), or zero where every class is null; a null row's key (zero,
            // even with no values) is never read. `try_new` would check each key again: a
            // millisecond a column of a million rows.
            (DataType::Int8, Arc::new(unsafe { DictionaryArray::<Int8Type>::new_unchecked(keys, self.values.clone()) }))
        } else if self.values.len() <= 32_768 {
            let keys: Vec<i16> = if class_of_row.is_empty() {
                vec![self.keys.first().copied().flatten().unwrap_or(0) as i16; rows]
            } else {
                class_of_row.iter().map(|c| key(c) as i16).collect()
            };
            let keys = Int16Array::new(ScalarBuffer::from(keys), nulls);
            // SAFETY: as above, with keys below 32,768 (so `as i16` keeps them).
            (DataType::Int16, Arc::new(unsafe { DictionaryArray::<Int16Type>::new_unchecked(keys, self.values.clone()) }))
        } else {
            // Rare (tens of thousands of distinct texts): checked.
            let keys: Vec<i32> = if class_of_row.is_empty() {
                vec![i32::from(self.keys.first().copied().flatten().unwrap_or(0)); rows]
            } else {
                class_of_row.iter().map(|c| i32::from(key(c))).collect()
            };
            (
                DataType::Int32,
                Arc::new(DictionaryArray::<Int32Type>::try_new(Int32Array::new(ScalarBuffer::from(keys), nulls), self.values.clone())?),
            )
        };
        Ok((DataType::Dictionary(Box::new(key_type), Box::new(self.value_type.clone())), array))
    }
}

/// Rows by their distinct assessments: each row's shape (an index into `shapes`) and amount.
pub(crate) struct ByShape<'a> {
    pub(crate) shapes: &'a [Assessment],
    pub(crate) shape_of: &'a [u32],
    pub(crate) fen: &'a [i64],
}

impl<'a> From<&'a BatchResult> for ByShape<'a> {
    fn from(t: &'a BatchResult) -> ByShape<'a> {
        ByShape { shapes: t.outcomes(), shape_of: t.outcome_of(), fen: t.fen() }
    }
}

/// How a table's result is written.
#[derive(Clone, Copy)]
pub(crate) struct Written {
    pub(crate) layout: Layout,
    pub(crate) money: Money,
    /// Each row's trace as JSON text (in `layout`).
    pub(crate) traces: bool,
}

/// The claims' records of a table, one batch per input batch: `claim_id` as given (`ids`),
/// `amount` from `fen` as `written.money` asks, and the text columns dictionary-encoded in their
/// natural order (or, given `apart`, a text column of one value on every row left out and its
/// value put there). The distinct assessments (`shapes`, which each row's `shape_of` names) come
/// down to a few distinct records' texts (classes).
pub(crate) fn claims_by_shape(
    engine: &Engine,
    ids: &[ArrayRef],
    rows: ByShape<'_>,
    written: Written,
    mut apart: Option<&mut Apart>,
) -> Result<Vec<RecordBatch>, ArrowError> {
    let ByShape { shapes, shape_of, fen } = rows;
    let Written { layout, money, traces } = written;
    // The classes: distinct texts of the record's columns.
    let mut class_index: HashMap<[Option<String>; 8], u16> = HashMap::new();
    let mut classes: Vec<[Option<String>; 8]> = Vec::new();
    let mut class_of_shape = Vec::with_capacity(shapes.len());
    // The same record's fields give the same texts: a batch's distinct assessments (a year has a
    // few thousand; those of rows assessed on their own are told apart by their amounts, which
    // the record's texts do not show) are rendered once per distinct fields (those without field
    // errors, which are few).
    let mut by_fields: HashMap<RecordFields<'_>, u16> = HashMap::with_capacity(1024);
    for a in shapes {
        let fields = a.errors.is_empty().then(|| record_fields(a));
        if let Some(&class) = fields.as_ref().and_then(|f| by_fields.get(f)) {
            class_of_shape.push(class);
            continue;
        }
        let texts = shape_texts(a);
        let class = match class_index.get(&texts) {
            Some(&c) => c,
            None => {
                let c = u16::try_from(classes.len()).map_err(|_| ArrowError::ComputeError("more than 65,535 distinct records".into()))?;
                class_index.insert(texts.clone(), c);
                classes.push(texts);
                c
            }
        };
        if let Some(fields) = fields {
            by_fields.insert(fields, class);
        }
        class_of_shape.push(class);
    }
    let dictionaries: Vec<Dictionary> = SHAPE_COLUMNS
        .iter()
        .enumerate()
        .map(|(c, (name, _))| {
            let texts: Vec<Option<&str>> = classes.iter().map(|t| t[c].as_deref()).collect();
            Dictionary::new(&texts, layout, &categories::of_column(engine, name))
        })
        .collect();
    // The columns of one value on every row, when asked for apart.
    let mut one_value = [false; SHAPE_COLUMNS.len()];
    if let (Some(apart), Some(first)) = (apart.as_deref_mut(), classes.first()) {
        for (c, ((name, _), d)) in SHAPE_COLUMNS.iter().zip(&dictionaries).enumerate() {
            if d.one_value() {
                one_value[c] = true;
                apart.constants.push((name, first[c].clone(), d.closed.clone()));
            }
        }
    }
    let mut names = Vec::new();
    // No batch given (no rows): one empty batch, so that the columns are there.
    let empty = [arrow_array::new_empty_array(&DataType::Utf8)];
    let ids = if ids.is_empty() { &empty[..] } else { ids };
    let mut out = Vec::with_capacity(ids.len());
    let mut start = 0;
    for id in ids {
        let range = start..start + id.len();
        start = range.end;
        let (shape_of, fen) = (&shape_of[range.clone()], &fen[range]);
        // One class (every record's texts alike): every text column is one value, no pass.
        let class_of_row: Vec<u16> =
            if classes.len() == 1 { Vec::new() } else { shape_of.iter().map(|&s| class_of_shape[s as usize]).collect() };
        let zeros = ScalarBuffer::from(vec![0i8; shape_of.len()]);
        let mut amount = Some(money.column(fen, 18)?);
        let mut columns: Vec<(ArrowField, ArrayRef)> = vec![(ArrowField::new("claim_id", id.data_type().clone(), true), id.clone())];
        names = vec!["claim_id"];
        for (((name, nullable), d), one_value) in SHAPE_COLUMNS.iter().zip(&dictionaries).zip(one_value) {
            names.push(name);
            if !one_value {
                let (data_type, array) = d.column(&class_of_row, &zeros)?;
                columns.push((d.field(name, data_type, *nullable, layout), array));
            }
            if let Some(amount) = amount.take() {
                names.push("amount");
                columns.push((ArrowField::new("amount", money.data_type(18), false), amount));
            }
        }
        if traces {
            names.push("trace");
            let mut trace = Text::new(layout, shape_of.len(), 256);
            for &s in shape_of {
                match &shapes[s as usize].trace {
                    Some(t) => trace.append(&serde_json::to_string(t).map_err(|e| ArrowError::ExternalError(Box::new(e)))?),
                    None => trace.append_option(None),
                }
            }
            let (name, data_type, nullable, array) = trace.column("trace", true);
            columns.push((ArrowField::new(name, data_type, nullable), array));
        }
        out.push(field_batch(columns)?);
    }
    if let Some(apart) = apart {
        apart.names = names;
    }
    Ok(out)
}
