//! CSV claims and records for the command line and the service (SPEC §7.1, §12): the
//! `skill-subsidy-csv` reader's rows, handed on in file order with the line each starts on.

use crate::input::{InputError, Location};
use skill_subsidy::FieldSource;
use skill_subsidy_csv::{Cells, CsvRows, HeaderError};
use std::io::Read;

/// The rows of a CSV file, its header's names read as people write them (headers.rs: 申请编号,
/// `Claim_ID` …); a missing key column lists the names it may have.
fn open<R: Read>(reader: R, name: &str, required: &str) -> Result<CsvRows<R>, InputError> {
    let map = |names: Vec<String>| crate::headers::canonical(names, required);
    CsvRows::new_mapped(reader, required, &map).map_err(|e| match e {
        HeaderError::Missing { names, .. } => crate::headers::missing(name, required, &names, crate::reading::get().lang),
        e => InputError(format!("{name}: {e}")),
    })
}

/// Reads a CSV file with a header naming `required`, row by row; returns the columns that are
/// not claim fields.
pub fn read_rows(
    reader: impl Read,
    name: &str,
    required: &str,
    each: &mut dyn FnMut(Cells<'_>, Location),
) -> Result<Vec<String>, InputError> {
    let mut rows = open(reader, name, required)?;
    let extra = rows.header().extra_columns().to_vec();
    while let Some(block) = rows.next_block().map_err(|e| InputError(format!("{name}: {e}")))? {
        for cells in (0..block.len()).filter_map(|i| block.row(i)) {
            let location = Location::Line(cells.line());
            each(cells, location);
        }
    }
    Ok(extra)
}

/// Reads a CSV file of claims a block at a time; each block's rows go through `prepare` on
/// every core, and the results to `each` in file order. Returns the columns that are not claim
/// fields.
///
/// `each` (adding to a batch: one thread's work) runs on this thread over one block while the next
/// block is prepared on the others, so that neither waits for the other. It is lent each result
/// where it was prepared: a prepared claim is large, and moving each again costs the one thread.
pub fn read_claims_parallel<T: Send>(
    reader: impl Read,
    name: &str,
    prepare: &(dyn Fn(&dyn FieldSource) -> T + Sync),
    each: &mut dyn FnMut(&mut T, Location),
) -> Result<Vec<String>, InputError> {
    let mut rows = open(reader, name, "claim_id")?;
    let extra = rows.header().extra_columns().to_vec();
    let mut ready = Vec::new();
    let mut hand_on = |parts: Vec<Vec<(T, Location)>>| {
        for mut part in parts {
            part.iter_mut().for_each(|(item, location)| each(item, *location));
        }
    };
    loop {
        let block = match rows.next_block() {
            Ok(Some(block)) => block,
            Ok(None) => break,
            Err(e) => {
                hand_on(ready);
                return Err(InputError(format!("{name}: {e}")));
            }
        };
        let prepare_block = || {
            skill_subsidy::parallel::chunks(block.len(), |range| {
                // Sized up front: a prepared claim is large, and a growing vector would copy each
                // one again at every doubling.
                let mut part = Vec::with_capacity(range.len());
                for cells in range.filter_map(|i| block.row(i)) {
                    part.push((prepare(&cells), Location::Line(cells.line())));
                }
                part
            })
        };
        let before = std::mem::take(&mut ready);
        ready = std::thread::scope(|scope| match std::thread::Builder::new().spawn_scoped(scope, prepare_block) {
            Ok(handle) => {
                hand_on(before);
                handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            }
            // No thread to be had: one after the other.
            Err(_) => {
                hand_on(before);
                prepare_block()
            }
        });
    }
    hand_on(ready);
    Ok(extra)
}
