//! Parquet in and out (SPEC §10, §11): claims, history, applications and outcomes read from a
//! Parquet file or a folder of them (a data set, as `subsidy demo-data --parts K` writes one),
//! a batch of a row group at a time; assessment records written as Parquet, the amount exact as
//! `decimal128(18, 2)` and every other column text, as `skill_subsidy.dask` and
//! `skill_subsidy.spark` write them.
//!
//! A column is read as the engine reads a CSV cell: text as it is; numbers, decimals and dates
//! as their text (`arrow-cast`), which the engine then accepts or refuses like any other (a
//! float fee `1500.1` stays `1500.1`; an integer id is its digits).

use crate::input::{InputError, Location, Record, Source};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, Decimal128Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field as ArrowField, Schema, SchemaRef};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use skill_subsidy::{BatchResult, ClaimColumn, ClaimTable, ColumnCell, CompactString, RawRef, RawValue};
use skill_subsidy::{Field, FieldSource};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Rows read at a time (within a row group).
const BATCH_ROWS: usize = 64 * 1024;
/// Records written at a time (a row group holds up to a million, the writer's default).
const WRITE_ROWS: usize = 256 * 1024;

/// Whether `path` is Parquet: a `.parquet` file, or a folder holding some.
pub fn is_parquet(path: &str) -> bool {
    let p = Path::new(path);
    if p.is_dir() {
        return files(p).is_ok_and(|f| !f.is_empty());
    }
    p.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

/// The Parquet files of a file or a folder (recursively), in name order; names starting with
/// `.` or `_` (a writer's temporary files, `_SUCCESS`) are not data.
fn files(path: &Path) -> Result<Vec<PathBuf>, InputError> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| InputError(format!("{}: {e}", path.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| !n.starts_with('.') && !n.starts_with('_')))
        .collect();
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            out.extend(files(&entry)?);
        } else if entry.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet")) {
            out.push(entry);
        }
    }
    Ok(out)
}

/// Reads the batches of every file of `path` in order, handing each to `each`. Every file must
/// have the columns of the first (a data set of another export is refused, not guessed at).
fn for_each_batch(path: &str, mut each: impl FnMut(&RecordBatch) -> Result<(), InputError>) -> Result<Vec<String>, InputError> {
    let mut names: Option<Vec<String>> = None;
    for file in files(Path::new(path))? {
        let shown = file.display().to_string();
        let open = std::fs::File::open(&file).map_err(|e| InputError(format!("{shown}: {e}")))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(open).map_err(|e| InputError(format!("{shown}: not Parquet: {e}")))?;
        let these: Vec<String> = builder.schema().fields().iter().map(|f| f.name().clone()).collect();
        match &names {
            Some(first) if first != &these => {
                return Err(InputError(format!(
                    "{shown}: its columns differ from the first file's ({}) — every file of a data set must have the same columns",
                    first.join(", ")
                )))
            }
            None => names = Some(these),
            _ => {}
        }
        let reader = builder.with_batch_size(BATCH_ROWS).build().map_err(|e| InputError(format!("{shown}: {e}")))?;
        for batch in reader {
            each(&batch.map_err(|e| InputError(format!("{shown}: {e}")))?)?;
        }
    }
    names.ok_or_else(|| InputError(format!("{path}: no Parquet files")))
}

/// A column read as text: strings as they are, everything else cast to text once per batch.
struct TextColumn {
    text: ArrayRef,
    /// Numbers (integers, floats, decimals) reach the engine as numbers, the rest as text.
    number: bool,
    boolean: bool,
}

impl TextColumn {
    fn new(array: &ArrayRef, name: &str) -> Result<TextColumn, InputError> {
        let kind = match array.data_type() {
            DataType::Dictionary(_, value) => value.as_ref().clone(),
            other => other.clone(),
        };
        let boolean = kind == DataType::Boolean;
        let number = kind.is_numeric();
        let text = match array.data_type() {
            DataType::Utf8 => Arc::clone(array),
            _ if boolean => Arc::clone(array),
            _ => arrow_cast::cast(array, &DataType::Utf8)
                .map_err(|e| InputError(format!("column {name} ({}) cannot be read as text: {e}", array.data_type())))?,
        };
        Ok(TextColumn { text, number, boolean })
    }

    fn raw(&self, row: usize) -> RawRef<'_> {
        if self.text.is_null(row) {
            RawRef::Null
        } else if self.boolean {
            RawRef::Bool(self.text.as_boolean().value(row))
        } else if self.number {
            RawRef::Number(self.text.as_string::<i32>().value(row))
        } else {
            RawRef::Text(self.text.as_string::<i32>().value(row))
        }
    }
}

impl ClaimColumn for TextColumn {
    fn cell(&self, row: usize, _scratch: &mut CompactString) -> ColumnCell<'_> {
        ColumnCell::Value(self.raw(row))
    }
}

fn text_columns(batch: &RecordBatch) -> Result<Vec<(String, TextColumn)>, InputError> {
    let schema = batch.schema();
    schema.fields().iter().zip(batch.columns()).map(|(f, a)| Ok((f.name().clone(), TextColumn::new(a, f.name())?))).collect()
}

/// Reads claims a batch at a time, preparing each batch's rows on every core and handing them
/// to `each` in order, with their position (record N of the data set). Columns that are not
/// claim fields are ignored (lenient, as for CSV) and listed in the source.
pub fn read_claims_prepared<T: Send>(
    path: &str,
    prepare: impl Fn(&dyn FieldSource) -> T + Sync,
    mut each: impl FnMut(&mut T, Location, u64),
) -> Result<Source, InputError> {
    let mut position: u32 = 0;
    let names = for_each_batch(path, |batch| {
        let columns = text_columns(batch)?;
        let unknown: Vec<String> = columns.iter().filter(|(n, _)| Field::parse(n).is_none()).map(|(n, _)| n.clone()).collect();
        let mut table = ClaimTable::new(unknown);
        table.push_chunk(batch.num_rows(), columns.iter().filter_map(|(n, c)| Field::parse(n).map(|f| (f, c as &dyn ClaimColumn))));
        for mut prepared in skill_subsidy::parallel::map(table.rows(), |i| prepare(&table.row(i))) {
            position = position.saturating_add(1);
            each(&mut prepared, Location::Record(position), 0);
        }
        Ok(())
    })?;
    Ok(Source { format: crate::input::Format::Parquet, extra_columns: names.into_iter().filter(|n| Field::parse(n).is_none()).collect() })
}

/// Reads records of any fields (history, applications, outcomes); the `required` column must
/// be there.
pub fn read_records(path: &str, required: &str) -> Result<Vec<(Location, Record)>, InputError> {
    let mut out = Vec::new();
    let names = for_each_batch(path, |batch| {
        let columns = text_columns(batch)?;
        for row in 0..batch.num_rows() {
            let record = columns.iter().map(|(name, c)| (name.clone(), owned(c.raw(row)))).collect();
            out.push((Location::Record(out.len() as u32 + 1), record));
        }
        Ok(())
    })?;
    if !names.iter().any(|n| n == required) {
        return Err(InputError(format!("{path}: no {required} column (columns: {})", names.join(", "))));
    }
    Ok(out)
}

fn owned(raw: RawRef<'_>) -> RawValue {
    match raw {
        RawRef::Text(s) => RawValue::Text(s.to_string()),
        RawRef::Number(s) => RawValue::Number(s.to_string()),
        RawRef::Bool(b) => RawValue::Bool(b),
        _ => RawValue::Null,
    }
}

/// The records' schema: the CSV record's columns, the amount `decimal128(18, 2)`.
fn records_schema() -> SchemaRef {
    let names = skill_subsidy::AssessmentRecord::CSV_HEADER;
    Arc::new(Schema::new(
        names
            .iter()
            .map(|n| ArrowField::new(*n, if *n == "amount" { DataType::Decimal128(18, 2) } else { DataType::Utf8 }, true))
            .collect::<Vec<_>>(),
    ))
}

/// Writes one record per claim, in input order, as a Parquet file (snappy), a block of rows at
/// a time. Written aside and renamed: an interrupted run leaves no half file.
pub fn write_records(path: &Path, result: &BatchResult) -> std::io::Result<()> {
    let schema = records_schema();
    write_file(path, &schema, |writer| {
        for start in (0..result.len()).step_by(WRITE_ROWS) {
            let block = start..(start + WRITE_ROWS).min(result.len());
            writer.write(&records_batch(&schema, result, block)?)?;
        }
        Ok(())
    })
}

/// A block of records as an Arrow batch: empty reasons and errors as `""`, absent program,
/// fund, payee, catalogue version and payment month as null (as the Python binding gives them).
fn records_batch(
    schema: &SchemaRef,
    result: &BatchResult,
    block: std::ops::Range<usize>,
) -> Result<RecordBatch, parquet::errors::ParquetError> {
    let mut row: [String; 10] = Default::default();
    let mut texts: Vec<Vec<Option<String>>> = (0..10).map(|_| Vec::with_capacity(block.len())).collect();
    let mut fen = Vec::with_capacity(block.len());
    for i in block {
        let record = result.record(i);
        record.write_csv_row(&mut row);
        let optional = [None, None, None, None, None, record.program, record.fund, record.payee, record.catalogue_version, None];
        for (i, cell) in row.iter_mut().enumerate() {
            let absent = match i {
                5..=8 => optional[i].is_none(),
                9 => record.payment_month.is_none(),
                _ => false,
            };
            texts[i].push(if absent { None } else { Some(std::mem::take(cell)) });
        }
        let mut amount = record.amount;
        amount.rescale(2);
        fen.push(amount.mantissa());
    }
    let columns: Vec<ArrayRef> = texts
        .into_iter()
        .enumerate()
        .map(|(i, column)| -> Result<ArrayRef, arrow_schema::ArrowError> {
            Ok(if i == 2 {
                Arc::new(Decimal128Array::from(std::mem::take(&mut fen)).with_precision_and_scale(18, 2)?)
            } else {
                Arc::new(StringArray::from(column))
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(RecordBatch::try_new(Arc::clone(schema), columns)?)
}

/// Writes a Parquet file through `fill`, aside and then renamed into place.
pub fn write_file(
    path: &Path,
    schema: &SchemaRef,
    fill: impl FnOnce(&mut ArrowWriter<std::fs::File>) -> Result<(), parquet::errors::ParquetError>,
) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let aside = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let properties = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
        let mut writer = ArrowWriter::try_new(std::fs::File::create(&aside)?, Arc::clone(schema), Some(properties)).map_err(io)?;
        fill(&mut writer).map_err(io)?;
        writer.close().map_err(io)?;
        std::fs::rename(&aside, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&aside);
    }
    result
}

fn io(e: parquet::errors::ParquetError) -> std::io::Error {
    std::io::Error::other(e.to_string())
}
