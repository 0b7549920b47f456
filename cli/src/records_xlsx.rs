//! The records as an Excel workbook (`--out x.xlsx`; SPEC §10, files from people): one sheet
//! with the columns and cells of the CSV (records_csv.rs), written a row at a time (constant
//! memory). Text cells are strings — a spreadsheet never reads them as dates or formulas — and
//! the amount is a number shown with two decimals, so a clerk can sum it. (An .xlsx number is a
//! binary double: every amount to the fen below 2^53 fen is shown exactly.)

use crate::records_csv::Layout;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use skill_subsidy::{BatchResult, Engine};

/// Rows an .xlsx sheet holds, the header's included.
const MAX_ROWS: usize = 1_048_576;

/// Writes the records of `result` as a workbook to `out` (`kept[i]`: claim `i`'s kept values).
pub fn write(
    out: &mut (impl std::io::Write + Send),
    layout: &Layout,
    engine: &Engine,
    result: &BatchResult,
    kept: &[Box<[String]>],
    sheet: &str,
) -> Result<(), String> {
    if result.len() >= MAX_ROWS {
        return Err(format!("{} records do not fit in one .xlsx sheet (at most {}); write .csv", result.len(), MAX_ROWS - 1));
    }
    let problem = |e: XlsxError| e.to_string();
    let mut workbook = Workbook::new();
    let worksheet = workbook.add_worksheet_with_constant_memory().map_err(problem)?;
    worksheet.set_name(sheet).map_err(problem)?;
    let bold = Format::new().set_bold();
    let amount = Format::new().set_num_format("0.00");
    for (col, name) in layout.header().iter().enumerate() {
        worksheet.write_string_with_format(0, col as u16, *name, &bold).map_err(problem)?;
    }
    let mut row = Vec::new();
    for i in 0..result.len() {
        let record = result.record(i);
        layout.row(engine, &record, kept.get(i).map_or(&[][..], |k| &k[..]), &mut row);
        let r = i as u32 + 1;
        for (col, cell) in row.iter().enumerate() {
            let col = col as u16;
            if usize::from(col) == Layout::AMOUNT {
                // The amount as a number: exact to the fen when shown with two decimals.
                let value: f64 = cell.parse().unwrap_or_default();
                worksheet.write_number_with_format(r, col, value, &amount).map_err(problem)?;
            } else if !cell.is_empty() {
                worksheet.write_string(r, col, cell).map_err(problem)?;
            }
        }
    }
    worksheet.set_freeze_panes(1, 0).map_err(problem)?;
    workbook.save_to_writer(out).map_err(problem)
}
