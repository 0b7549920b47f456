//! Results as Arrow tables, handed to Python through the Arrow C stream interface: a pyarrow,
//! polars or pandas frame is made from them without a Python object per row.
//!
//! Money is `decimal128(18, 2)` for each claim and payment (every amount is at most
//! 999,999,999,999.99 yuan, SPEC §4) and `decimal128(38, 2)` for report totals. The columns
//! of the claims table are those of the CSV record (SPEC §7.3): `reasons` joined with `;`,
//! `errors` as `field:code` joined with `;`; absent values are nulls.
//!
//! Text columns come in the layout the consumer takes without copying: `utf8` for pyarrow and
//! pandas, `utf8_view` for polars ([`Layout`]).

use arrow_array::builder::{Decimal128Builder, Int64Builder, StringBuilder, StringViewBuilder};
use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::types::{Int16Type, Int32Type, Int8Type};
use arrow_array::{Array, Decimal128Array, DictionaryArray, Int16Array, Int32Array, Int8Array, LargeStringArray, StringArray};
use arrow_array::{ArrayRef, RecordBatch, RecordBatchIterator};
use arrow_buffer::{NullBuffer, ScalarBuffer};
use arrow_schema::{ArrowError, DataType, Field as ArrowField, Schema, SchemaRef};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use skill_subsidy::calendar::YearMonth;
use skill_subsidy::money::round_to_fen;
use skill_subsidy::report::Report;
use skill_subsidy::{ApplicationResult, Assessment, BatchResult, CompactString, Decimal, Engine, PaymentKind, Tally};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

/// A table ready to be taken by any Arrow consumer (`pyarrow.table(stream)`,
/// `polars.DataFrame(stream)`), as often as asked: the columns are shared, not copied.
#[pyclass(frozen, module = "skill_subsidy._native")]
pub(crate) struct ArrowStream {
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
}

impl ArrowStream {
    /// One batch, or consecutive batches of one schema (the first's).
    pub(crate) fn new(batches: Vec<RecordBatch>) -> ArrowStream {
        let schema = batches.first().map_or_else(|| Arc::new(Schema::empty()), RecordBatch::schema);
        ArrowStream { schema, batches }
    }

    /// The columns' names.
    pub(crate) fn names(&self) -> Vec<String> {
        self.schema.fields().iter().map(|f| f.name().clone()).collect()
    }
}

#[pymethods]
impl ArrowStream {
    /// The Arrow PyCapsule stream protocol. A requested schema is not applied (the protocol
    /// allows a producer to ignore it): the consumer casts if it wants another type.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(&self, py: Python<'py>, requested_schema: Option<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let reader = RecordBatchIterator::new(self.batches.clone().into_iter().map(Ok), Arc::clone(&self.schema));
        PyCapsule::new_with_value(py, FFI_ArrowArrayStream::new(Box::new(reader)), c"arrow_array_stream")
    }

    fn __len__(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }

    fn __repr__(&self) -> String {
        let columns: Vec<String> = self.schema.fields().iter().map(|f| format!("{}: {}", f.name(), f.data_type())).collect();
        format!("ArrowStream({} rows; {})", self.__len__(), columns.join(", "))
    }
}

/// Builds the batches of rows `0..rows`: consecutive ranges, on every core for a large table
/// (the core's own splitting, as the CLI writes its output).
pub(crate) fn in_chunks(
    rows: usize,
    build: impl Fn(std::ops::Range<usize>) -> Result<RecordBatch, ArrowError> + Sync,
) -> Result<Vec<RecordBatch>, ArrowError> {
    skill_subsidy::parallel::chunks(rows, build).into_iter().collect()
}

/// Yuan to fen at scale 2: every amount the engine gives is already whole fen.
pub(crate) fn fen(amount: Decimal) -> i128 {
    round_to_fen(amount).mantissa()
}

fn money(precision: u8) -> DataType {
    DataType::Decimal128(precision, 2)
}

fn money_builder(capacity: usize, precision: u8) -> Result<Decimal128Builder, ArrowError> {
    Decimal128Builder::with_capacity(capacity).with_precision_and_scale(precision, 2)
}

fn batch(columns: Vec<(&str, DataType, bool, ArrayRef)>) -> Result<RecordBatch, ArrowError> {
    let fields: Vec<ArrowField> = columns.iter().map(|(name, t, nullable, _)| ArrowField::new(*name, t.clone(), *nullable)).collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns.into_iter().map(|(_, _, _, array)| array).collect())
}

/// How text columns are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// `utf8`: offsets and bytes (pyarrow, pandas).
    Utf8,
    /// `utf8_view`: short strings inline (polars takes it as it is).
    View,
}

impl Layout {
    pub(crate) fn new(view: bool) -> Layout {
        if view {
            Layout::View
        } else {
            Layout::Utf8
        }
    }
}

/// A text column being built, in either layout.
enum Text {
    Utf8(StringBuilder),
    View(StringViewBuilder),
}

impl Text {
    fn new(layout: Layout, rows: usize, bytes_per_row: usize) -> Text {
        match layout {
            Layout::Utf8 => Text::Utf8(StringBuilder::with_capacity(rows, rows * bytes_per_row)),
            Layout::View => Text::View(StringViewBuilder::with_capacity(rows)),
        }
    }

    fn append(&mut self, value: &str) {
        match self {
            Text::Utf8(b) => b.append_value(value),
            Text::View(b) => b.append_value(value),
        }
    }

    fn append_option(&mut self, value: Option<&str>) {
        match self {
            Text::Utf8(b) => b.append_option(value),
            Text::View(b) => b.append_option(value),
        }
    }

    fn column(mut self, name: &str, nullable: bool) -> (&str, DataType, bool, ArrayRef) {
        match &mut self {
            Text::Utf8(b) => (name, DataType::Utf8, nullable, Arc::new(b.finish())),
            Text::View(b) => (name, DataType::Utf8View, nullable, Arc::new(b.finish())),
        }
    }
}

/// Months as text, written once each (a batch has a few dozen).
#[derive(Default)]
struct Months(Vec<(YearMonth, String)>);

impl Months {
    fn text(&mut self, month: YearMonth) -> &str {
        let at = match self.0.iter().position(|(m, _)| *m == month) {
            Some(i) => i,
            None => {
                self.0.push((month, month.to_string()));
                self.0.len() - 1
            }
        };
        &self.0[at].1
    }
}

/// The columns every assessment record has (claims and applications alike).
struct Records {
    id: Text,
    status: Text,
    amount: Decimal128Builder,
    reasons: Text,
    errors: Text,
    program: Text,
    fund: Text,
    payee: Text,
    catalogue_version: Text,
    text: String,
}

impl Records {
    fn new(rows: usize, layout: Layout) -> Result<Records, ArrowError> {
        let strings = || Text::new(layout, rows, 8);
        Ok(Records {
            id: Text::new(layout, rows, 12),
            status: strings(),
            amount: money_builder(rows, 18)?,
            reasons: Text::new(layout, rows, 2),
            errors: Text::new(layout, rows, 2),
            program: strings(),
            fund: strings(),
            payee: strings(),
            catalogue_version: strings(),
            text: String::new(),
        })
    }

    fn push(&mut self, engine: &Engine, id: &str, a: &Assessment) {
        let record = engine.record(id, a);
        self.id.append(id);
        self.status.append(record.status.code());
        self.amount.append_value(fen(a.amount));
        self.text.clear();
        for (i, r) in a.reasons.iter().enumerate() {
            self.text.push_str(if i > 0 { ";" } else { "" });
            self.text.push_str(r.code());
        }
        self.reasons.append(&self.text);
        self.text.clear();
        for (i, e) in a.errors.iter().enumerate() {
            let _ = write!(self.text, "{}{}:{}", if i > 0 { ";" } else { "" }, e.field, e.code.code());
        }
        self.errors.append(&self.text);
        self.program.append_option(record.program);
        self.fund.append_option(record.fund);
        self.payee.append_option(record.payee);
        self.catalogue_version.append_option(record.catalogue_version);
    }

    fn columns(mut self, id: &'static str) -> Vec<(&'static str, DataType, bool, ArrayRef)> {
        vec![
            self.id.column(id, false),
            self.status.column("status", false),
            ("amount", money(18), false, Arc::new(self.amount.finish())),
            self.reasons.column("reasons", false),
            self.errors.column("errors", false),
            self.program.column("program", true),
            self.fund.column("fund", true),
            self.payee.column("payee", true),
            self.catalogue_version.column("catalogue_version", true),
        ]
    }
}

/// One row per claim, in input order: the record of SPEC §7.3 (and the trace as JSON text
/// when asked for).
pub(crate) fn assessments(
    engine: &Engine,
    result: &BatchResult,
    trace: bool,
    layout: Layout,
    range: std::ops::Range<usize>,
) -> Result<RecordBatch, ArrowError> {
    let rows = range.len();
    let mut records = Records::new(rows, layout)?;
    let mut payment_month = Text::new(layout, rows, 7);
    let mut months = Months::default();
    let mut traces = Text::new(layout, if trace { rows } else { 0 }, 256);
    for i in range {
        let (id, a) = (result.claim_id(i), &result.assessment(i));
        records.push(engine, id, a);
        payment_month.append_option(a.payment_month.map(|m| months.text(m)));
        if trace {
            match &a.trace {
                Some(t) => traces.append(&serde_json::to_string(t).map_err(|e| ArrowError::ExternalError(Box::new(e)))?),
                None => traces.append_option(None),
            }
        }
    }
    let mut columns = records.columns("claim_id");
    columns.push(payment_month.column("payment_month", true));
    if trace {
        columns.push(traces.column("trace", true));
    }
    batch(columns)
}

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

/// The text columns of a table's records that hold one value on every row, taken apart.
#[derive(Default)]
pub(crate) struct Apart {
    /// Each such column and its value (`None`: null).
    pub(crate) constants: Vec<(&'static str, Option<String>)>,
    /// Every column's name, in order, those apart too.
    pub(crate) names: Vec<&'static str>,
}

/// The text of each of [`SHAPE_COLUMNS`] for one assessment.
fn shape_texts(engine: &Engine, a: &Assessment) -> [Option<String>; 8] {
    let record = engine.record("", a);
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

/// One text column as a dictionary over the record classes (the distinct records' texts): its
/// distinct values, and each class's key (`None`: null).
struct Dictionary {
    values: ArrayRef,
    value_type: DataType,
    keys: Vec<Option<u16>>,
}

impl Dictionary {
    fn new<'t>(texts: impl Iterator<Item = Option<&'t str>>, layout: Layout) -> Dictionary {
        let mut index: HashMap<&str, u16> = HashMap::new();
        let mut values: Vec<&str> = Vec::new();
        let keys = texts
            .map(|t| {
                t.map(|t| {
                    *index.entry(t).or_insert_with(|| {
                        values.push(t);
                        (values.len() - 1) as u16
                    })
                })
            })
            .collect();
        // polars takes `large_utf8` values fastest; pyarrow and pandas `utf8`.
        let (values, value_type): (ArrayRef, DataType) = match layout {
            Layout::View => (Arc::new(LargeStringArray::from(values)), DataType::LargeUtf8),
            Layout::Utf8 => (Arc::new(StringArray::from(values)), DataType::Utf8),
        };
        Dictionary { values, value_type, keys }
    }

    /// The column for rows of these classes (none given when there is one class): `int8` keys
    /// (a record has few distinct texts), `int16` beyond 128 values, `int32` beyond 32,768;
    /// `zeros`, one per row, when every class has the same value.
    fn column(&self, class_of_row: &[u16], zeros: &ScalarBuffer<i8>) -> Result<(DataType, ArrayRef), ArrowError> {
        let rows = zeros.len();
        let one = self.keys.iter().all(|k| *k == self.keys[0]);
        let nulls = match (one, self.keys.first()) {
            (true, Some(None)) => Some(NullBuffer::new_null(rows)),
            (true, _) => None,
            (false, _) => {
                self.keys.contains(&None).then(|| NullBuffer::from_iter(class_of_row.iter().map(|&c| self.keys[usize::from(c)].is_some())))
            }
        };
        let key = |c: &u16| self.keys[usize::from(*c)].unwrap_or(0);
        let (key_type, array): (DataType, ArrayRef) = if self.values.len() <= 128 {
            // Every column of one value shares one buffer of zeros.
            let keys = if one { zeros.clone() } else { ScalarBuffer::from(class_of_row.iter().map(|c| key(c) as i8).collect::<Vec<i8>>()) };
            let keys = Int8Array::new(keys, nulls);
            // SAFETY: each key is an index `Dictionary::new` gave into `values`, below 128 here
            // (so `as i8` keeps it), or zero where every class shares key 0; a null row's key
            // (zero, even with no values) is never read. `try_new` would check each key again:
            // a millisecond a column of a million rows.
            (DataType::Int8, Arc::new(unsafe { DictionaryArray::<Int8Type>::new_unchecked(keys, self.values.clone()) }))
        } else if self.values.len() <= 32_768 {
            let keys: Vec<i16> = class_of_row.iter().map(|c| key(c) as i16).collect();
            let keys = Int16Array::new(ScalarBuffer::from(keys), nulls);
            // SAFETY: as above, with keys below 32,768 (so `as i16` keeps them).
            (DataType::Int16, Arc::new(unsafe { DictionaryArray::<Int16Type>::new_unchecked(keys, self.values.clone()) }))
        } else {
            // Rare (tens of thousands of distinct texts): checked.
            let keys: Vec<i32> = class_of_row.iter().map(|c| i32::from(key(c))).collect();
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
        ByShape { shapes: &t.outcomes, shape_of: &t.outcome_of, fen: &t.fen }
    }
}

/// The claims' records of a table, one batch per input batch: `claim_id` as given (`ids`),
/// `amount` from `fen`, and the text columns dictionary-encoded (or, given `apart`, a text column
/// of one value on every row left out and its value put there). The distinct assessments
/// (`shapes`, which each row's `shape_of` names) come down to a few distinct records' texts
/// (classes): a million rows format a few thousand records, and a row costs a lookup. With
/// `traces`, each row's trace as JSON text (in `layout`, as the dictionaries' values).
pub(crate) fn claims_by_shape(
    engine: &Engine,
    ids: &[ArrayRef],
    rows: ByShape<'_>,
    layout: Layout,
    traces: bool,
    mut apart: Option<&mut Apart>,
) -> Result<Vec<RecordBatch>, ArrowError> {
    let ByShape { shapes, shape_of, fen } = rows;
    // The classes: distinct texts of the record's columns.
    let mut class_index: HashMap<[Option<String>; 8], u16> = HashMap::new();
    let mut classes: Vec<[Option<String>; 8]> = Vec::new();
    let mut class_of_shape = Vec::with_capacity(shapes.len());
    for a in shapes {
        let texts = shape_texts(engine, a);
        let class = match class_index.get(&texts) {
            Some(&c) => c,
            None => {
                let c = u16::try_from(classes.len()).map_err(|_| ArrowError::ComputeError("more than 65,535 distinct records".into()))?;
                class_index.insert(texts.clone(), c);
                classes.push(texts);
                c
            }
        };
        class_of_shape.push(class);
    }
    let dictionaries: Vec<Dictionary> =
        (0..SHAPE_COLUMNS.len()).map(|c| Dictionary::new(classes.iter().map(|t| t[c].as_deref()), layout)).collect();
    // The columns of one value on every row, when asked for apart.
    let mut one_value = [false; SHAPE_COLUMNS.len()];
    if let (Some(apart), Some(first)) = (apart.as_deref_mut(), classes.first()) {
        for (c, ((name, _), d)) in SHAPE_COLUMNS.iter().zip(&dictionaries).enumerate() {
            if d.keys.iter().all(|k| *k == d.keys[0]) {
                one_value[c] = true;
                apart.constants.push((name, first[c].clone()));
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
        let amount: Vec<i128> = fen.iter().map(|&f| i128::from(f)).collect();
        let zeros = ScalarBuffer::from(vec![0i8; shape_of.len()]);
        let amount = Decimal128Array::new(ScalarBuffer::from(amount), None).with_precision_and_scale(18, 2)?;
        let mut amount = Some(Arc::new(amount) as ArrayRef);
        let mut columns: Vec<(&str, DataType, bool, ArrayRef)> = vec![("claim_id", id.data_type().clone(), true, id.clone())];
        names = vec!["claim_id"];
        for (((name, nullable), d), one_value) in SHAPE_COLUMNS.iter().zip(&dictionaries).zip(one_value) {
            names.push(name);
            if !one_value {
                let (data_type, array) = d.column(&class_of_row, &zeros)?;
                columns.push((name, data_type, *nullable, array));
            }
            if let Some(amount) = amount.take() {
                names.push("amount");
                columns.push(("amount", money(18), false, amount));
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
            columns.push(trace.column("trace", true));
        }
        out.push(batch(columns)?);
    }
    if let Some(apart) = apart {
        apart.names = names;
    }
    Ok(out)
}

/// The text of row `i` of a column split into `arrays` (a claim id as given).
pub(crate) fn text_at(arrays: &[ArrayRef], mut i: usize) -> String {
    for array in arrays {
        if i < array.len() {
            let mut scratch = CompactString::default();
            let column = crate::columns::Column::new(array.as_ref());
            return match column.cell(i, &mut scratch).raw(&scratch) {
                skill_subsidy::RawRef::Text(s) | skill_subsidy::RawRef::Number(s) => s.to_string(),
                _ => String::new(),
            };
        }
        i -= array.len();
    }
    String::new()
}

/// One row per application, in input order: its record, the session it was reviewed at and
/// the amount finally paid (approved applications).
pub(crate) fn applications(engine: &Engine, applications: &[ApplicationResult], layout: Layout) -> Result<RecordBatch, ArrowError> {
    let rows = applications.len();
    let mut records = Records::new(rows, layout)?;
    let mut session = Text::new(layout, rows, 10);
    let mut final_amount = money_builder(rows, 18)?;
    for app in applications {
        records.push(engine, &app.application_id, &app.assessment);
        session.append_option(app.session.map(|d| d.to_string()).as_deref());
        final_amount.append_option(app.schedule.as_ref().map(|s| fen(s.final_amount)));
    }
    let mut columns = records.columns("application_id");
    columns.push(session.column("session", true));
    columns.push(("final_amount", money(18), true, Arc::new(final_amount.finish())));
    batch(columns)
}

/// The code of a payment's kind.
pub(crate) fn payment_kind(kind: PaymentKind) -> String {
    match kind {
        PaymentKind::Advance => "advance".into(),
        PaymentKind::Settlement => "settlement".into(),
        PaymentKind::Recovery => "recovery".into(),
        other => serde_json::to_value(other).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
    }
}

/// One row per staged payment of the approved applications (a recovery is negative).
pub(crate) fn payments(applications: &[ApplicationResult], layout: Layout) -> Result<RecordBatch, ArrowError> {
    let (mut id, mut month, mut kind) = (Text::new(layout, 0, 0), Text::new(layout, 0, 0), Text::new(layout, 0, 0));
    let mut amount = money_builder(0, 18)?;
    let mut months = Months::default();
    for app in applications {
        for p in app.schedule.iter().flat_map(|s| &s.payments) {
            id.append(&app.application_id);
            month.append(months.text(p.month));
            kind.append(&payment_kind(p.kind));
            amount.append_value(fen(p.amount));
        }
    }
    batch(vec![
        id.column("application_id", false),
        month.column("month", false),
        kind.column("kind", false),
        ("amount", money(18), false, Arc::new(amount.finish())),
    ])
}

/// What a report can be tabled by.
pub(crate) const REPORT_TABLES: [&str; 10] =
    ["program", "level", "district", "fund", "occupation", "month", "reason", "status", "account", "account_month"];

fn counts(key: &'static str, rows: Vec<(String, u64)>) -> Result<RecordBatch, ArrowError> {
    let mut keys = StringBuilder::new();
    let mut counts = Int64Builder::new();
    for (k, n) in rows {
        keys.append_value(k);
        counts.append_value(i64::try_from(n).unwrap_or(i64::MAX));
    }
    batch(vec![(key, DataType::Utf8, false, Arc::new(keys.finish())), ("count", DataType::Int64, false, Arc::new(counts.finish()))])
}

/// A report as a table: by a dimension (`key`, `count`, `amount`), rejections by `reason`,
/// claims by `status`, one row per `account`, or each account's months (`account_month`:
/// committed, disbursed). `None` for anything else.
pub(crate) fn report_table(report: &Report, by: &str) -> Option<Result<RecordBatch, ArrowError>> {
    Some(match by {
        "reason" => counts("reason", report.rejections.iter().map(|(r, n)| (r.code().to_string(), *n)).collect()),
        "status" => counts(
            "status",
            vec![("approved".into(), report.approved.count), ("rejected".into(), report.rejected), ("invalid".into(), report.invalid)],
        ),
        "account" => accounts(report),
        "account_month" => account_months(report),
        dimension => dimension_table(dimension, &report.dimension(dimension)?),
    })
}

fn dimension_table(key: &str, tallies: &std::collections::BTreeMap<String, Tally>) -> Result<RecordBatch, ArrowError> {
    let mut keys = StringBuilder::new();
    let mut counts = Int64Builder::new();
    let mut amounts = money_builder(tallies.len(), 38)?;
    for (k, t) in tallies {
        keys.append_value(k);
        counts.append_value(i64::try_from(t.count).unwrap_or(i64::MAX));
        amounts.append_value(fen(t.amount));
    }
    batch(vec![
        (key, DataType::Utf8, false, Arc::new(keys.finish())),
        ("count", DataType::Int64, false, Arc::new(counts.finish())),
        ("amount", money(38), false, Arc::new(amounts.finish())),
    ])
}

fn accounts(report: &Report) -> Result<RecordBatch, ArrowError> {
    let n = report.accounts.len();
    let mut id = StringBuilder::new();
    let (mut from, mut to) = (StringBuilder::new(), StringBuilder::new());
    let mut closes = arrow_array::builder::BooleanBuilder::with_capacity(n);
    let mut sums: Vec<Decimal128Builder> = (0..9).map(|_| money_builder(n, 38)).collect::<Result<_, _>>()?;
    let mut shares: Vec<Decimal128Builder> =
        (0..2).map(|_| Decimal128Builder::with_capacity(n).with_precision_and_scale(38, 4)).collect::<Result<_, _>>()?;
    let (mut projection, mut projection_month) = (StringBuilder::new(), StringBuilder::new());
    let share = |value: Option<Decimal>| {
        value.map(|mut u| {
            u.rescale(4);
            u.mantissa()
        })
    };
    for (key, ledger) in &report.accounts {
        id.append_value(key);
        from.append_value(ledger.period.from.to_string());
        to.append_value(ledger.period.to.to_string());
        closes.append_value(ledger.closes_when_spent);
        let values = [
            ledger.spending_target,
            ledger.opening_balance,
            Some(ledger.history_committed),
            Some(ledger.committed),
            Some(ledger.released),
            Some(ledger.total_committed()),
            Some(ledger.paid_in_period()),
            Some(ledger.paid_after_period()),
            ledger.remaining(),
        ];
        for (builder, value) in sums.iter_mut().zip(values) {
            builder.append_option(value.map(fen));
        }
        shares[0].append_option(share(ledger.goal_share()));
        shares[1].append_option(share(ledger.utilisation()));
        let p = ledger.projection().json();
        projection.append_option(p["status"].as_str());
        projection_month.append_option(p["month"].as_str());
    }
    let names = [
        "spending_target",
        "opening_balance",
        "history_committed",
        "committed",
        "released",
        "total_committed",
        "paid_in_period",
        "paid_after_period",
        "remaining",
    ];
    let mut columns: Vec<(&str, DataType, bool, ArrayRef)> = vec![
        ("account", DataType::Utf8, false, Arc::new(id.finish())),
        ("effective_from", DataType::Utf8, false, Arc::new(from.finish())),
        ("effective_to", DataType::Utf8, false, Arc::new(to.finish())),
        ("closes_when_spent", DataType::Boolean, false, Arc::new(closes.finish())),
    ];
    for (name, mut builder) in names.into_iter().zip(sums) {
        columns.push((name, money(38), true, Arc::new(builder.finish())));
    }
    for (name, mut builder) in ["goal_share", "utilisation"].into_iter().zip(shares) {
        columns.push((name, DataType::Decimal128(38, 4), true, Arc::new(builder.finish())));
    }
    columns.push(("projection", DataType::Utf8, true, Arc::new(projection.finish())));
    columns.push(("projection_month", DataType::Utf8, true, Arc::new(projection_month.finish())));
    batch(columns)
}

fn account_months(report: &Report) -> Result<RecordBatch, ArrowError> {
    let (mut id, mut month) = (StringBuilder::new(), StringBuilder::new());
    let (mut committed, mut paid) = (money_builder(0, 38)?, money_builder(0, 38)?);
    for (key, ledger) in &report.accounts {
        let months: std::collections::BTreeSet<_> = ledger.committed_by_month.keys().chain(ledger.paid_by_month.keys()).collect();
        for m in months {
            id.append_value(key);
            month.append_value(m.to_string());
            committed.append_value(fen(ledger.committed_by_month.get(m).copied().unwrap_or_default()));
            paid.append_value(fen(ledger.paid_by_month.get(m).copied().unwrap_or_default()));
        }
    }
    batch(vec![
        ("account", DataType::Utf8, false, Arc::new(id.finish())),
        ("month", DataType::Utf8, false, Arc::new(month.finish())),
        ("committed", money(38), false, Arc::new(committed.finish())),
        ("paid", money(38), false, Arc::new(paid.finish())),
    ])
}
