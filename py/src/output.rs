//! Results as Arrow tables, handed to Python through the Arrow C stream interface: a pyarrow,
//! polars or pandas frame is made from them without a Python object per row.
//!
//! Money is `decimal128(18, 2)` for each claim and payment (every amount is at most
//! 999,999,999,999.99 yuan, SPEC §4) and `decimal128(38, 2)` for report totals, unless the caller
//! asks for fen or floats ([`Money`]). The columns of the claims table are those of the CSV record
//! (SPEC §7.3): `reasons` joined with `;`, `errors` as `field:code` joined with `;`; absent values
//! are nulls. A frame's claims are written by their distinct records ([`crate::shapes`]), report
//! tables by [`crate::report_tables`].
//!
//! Text columns come in the layout the consumer takes without copying: `utf8` for pyarrow and
//! pandas, `utf8_view` for polars ([`Layout`]).

use crate::money::{Money, MoneyBuilder};
use arrow_array::builder::{StringBuilder, StringViewBuilder};
use arrow_array::ffi_stream::FFI_ArrowArrayStream;
use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchIterator};
use arrow_schema::{ArrowError, DataType, Field as ArrowField, Schema, SchemaRef};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use skill_subsidy::calendar::YearMonth;
use skill_subsidy::money::round_to_fen;
use skill_subsidy::{ApplicationResult, AssessmentRecord, BatchResult, CompactString, Decimal, PaymentKind};
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

/// A batch of these columns: name, type, whether it may be null, the array.
pub(crate) fn batch(columns: Vec<(&str, DataType, bool, ArrayRef)>) -> Result<RecordBatch, ArrowError> {
    field_batch(columns.into_iter().map(|(name, t, nullable, array)| (ArrowField::new(name, t, nullable), array)).collect())
}

/// A batch of these columns, each with its field (its order or metadata too).
pub(crate) fn field_batch(columns: Vec<(ArrowField, ArrayRef)>) -> Result<RecordBatch, ArrowError> {
    let (fields, arrays): (Vec<ArrowField>, Vec<ArrayRef>) = columns.into_iter().unzip();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
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
pub(crate) enum Text {
    Utf8(StringBuilder),
    View(StringViewBuilder),
}

impl Text {
    pub(crate) fn new(layout: Layout, rows: usize, bytes_per_row: usize) -> Text {
        match layout {
            Layout::Utf8 => Text::Utf8(StringBuilder::with_capacity(rows, rows * bytes_per_row)),
            Layout::View => Text::View(StringViewBuilder::with_capacity(rows)),
        }
    }

    pub(crate) fn append(&mut self, value: &str) {
        match self {
            Text::Utf8(b) => b.append_value(value),
            Text::View(b) => b.append_value(value),
        }
    }

    pub(crate) fn append_option(&mut self, value: Option<&str>) {
        match self {
            Text::Utf8(b) => b.append_option(value),
            Text::View(b) => b.append_option(value),
        }
    }

    pub(crate) fn column(mut self, name: &str, nullable: bool) -> (&str, DataType, bool, ArrayRef) {
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
    amount: MoneyBuilder,
    money: Money,
    reasons: Text,
    errors: Text,
    program: Text,
    fund: Text,
    payee: Text,
    catalogue_version: Text,
    text: String,
}

impl Records {
    fn new(rows: usize, layout: Layout, money: Money) -> Result<Records, ArrowError> {
        let strings = || Text::new(layout, rows, 8);
        Ok(Records {
            id: Text::new(layout, rows, 12),
            status: strings(),
            amount: money.builder(rows, 18)?,
            money,
            reasons: Text::new(layout, rows, 2),
            errors: Text::new(layout, rows, 2),
            program: strings(),
            fund: strings(),
            payee: strings(),
            catalogue_version: strings(),
            text: String::new(),
        })
    }

    fn push(&mut self, record: &AssessmentRecord<'_>) -> Result<(), ArrowError> {
        self.id.append(record.claim_id);
        self.status.append(record.status.code());
        self.amount.append(Some(fen(record.amount)))?;
        self.text.clear();
        for (i, r) in record.reasons.iter().enumerate() {
            self.text.push_str(if i > 0 { ";" } else { "" });
            self.text.push_str(r.code());
        }
        self.reasons.append(&self.text);
        self.text.clear();
        for (i, e) in record.errors.iter().enumerate() {
            let _ = write!(self.text, "{}{}:{}", if i > 0 { ";" } else { "" }, e.field, e.code.code());
        }
        self.errors.append(&self.text);
        self.program.append_option(record.program);
        self.fund.append_option(record.fund);
        self.payee.append_option(record.payee);
        self.catalogue_version.append_option(record.catalogue_version);
        Ok(())
    }

    fn columns(mut self, id: &'static str) -> Vec<(&'static str, DataType, bool, ArrayRef)> {
        vec![
            self.id.column(id, false),
            self.status.column("status", false),
            ("amount", self.money.data_type(18), false, self.amount.finish()),
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
    result: &BatchResult,
    trace: bool,
    (layout, money): (Layout, Money),
    range: std::ops::Range<usize>,
) -> Result<RecordBatch, ArrowError> {
    let rows = range.len();
    let mut records = Records::new(rows, layout, money)?;
    let mut payment_month = Text::new(layout, rows, 7);
    let mut months = Months::default();
    let mut traces = Text::new(layout, if trace { rows } else { 0 }, 256);
    for i in range {
        let record = result.record(i);
        records.push(&record)?;
        payment_month.append_option(record.payment_month.map(|m| months.text(m)));
        if trace {
            match record.trace {
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
pub(crate) fn applications(applications: &[ApplicationResult], layout: Layout, money: Money) -> Result<RecordBatch, ArrowError> {
    let rows = applications.len();
    let mut records = Records::new(rows, layout, money)?;
    let mut session = Text::new(layout, rows, 10);
    let mut final_amount = money.builder(rows, 18)?;
    for app in applications {
        records.push(&app.assessment.record().with_claim_id(&app.application_id))?;
        session.append_option(app.session.map(|d| d.to_string()).as_deref());
        final_amount.append(app.schedule.as_ref().map(|s| fen(s.final_amount)))?;
    }
    let mut columns = records.columns("application_id");
    columns.push(session.column("session", true));
    columns.push(("final_amount", money.data_type(18), true, final_amount.finish()));
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
pub(crate) fn payments(applications: &[ApplicationResult], layout: Layout, money: Money) -> Result<RecordBatch, ArrowError> {
    let (mut id, mut month, mut kind) = (Text::new(layout, 0, 0), Text::new(layout, 0, 0), Text::new(layout, 0, 0));
    let mut amount = money.builder(0, 18)?;
    let mut months = Months::default();
    for app in applications {
        for p in app.schedule.iter().flat_map(|s| &s.payments) {
            id.append(&app.application_id);
            month.append(months.text(p.month));
            kind.append(&payment_kind(p.kind));
            amount.append(Some(fen(p.amount)))?;
        }
    }
    batch(vec![
        id.column("application_id", false),
        month.column("month", false),
        kind.column("kind", false),
        ("amount", money.data_type(18), false, amount.finish()),
    ])
}
