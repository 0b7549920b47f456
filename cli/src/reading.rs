//! How input files are read, as the command line asks (issue 19, SPEC §10): the encoding of text
//! files, the sheet of a workbook, whether dates and money written as people write them are
//! normalised (not with `--strict`), where the normalisations are listed, and the language of
//! header errors. Set once by `main` before the first file is read; every reader of claims,
//! history, applications and outcomes follows it.

use crate::encoding::Encoding;
use crate::input::InputError;
use crate::lang::Lang;
use crate::normalised::Log;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

/// The reading options of `assess`, `whatif` and `explain`.
#[derive(clap::Args, Debug, Default)]
pub struct Args {
    /// Encoding of CSV and JSON input: auto (a byte-order mark, else UTF-8 if valid, else
    /// GB18030), utf8, gbk or gb18030.
    #[arg(long, value_enum, default_value_t = Encoding::Auto, value_name = "ENCODING")]
    pub encoding: Encoding,
    /// The sheet of an .xlsx input to read (default: the first).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// Write every value normalised (a date `2021/3/5`, money `1,930.00元`) to this CSV: file,
    /// location, id, field, original, normalised (docs/columns.md).
    #[arg(long, value_name = "FILE")]
    pub normalised: Option<PathBuf>,
}

/// The reading options in force.
#[derive(Default)]
pub struct Reading {
    pub encoding: Encoding,
    pub sheet: Option<String>,
    /// Whether dates and money of CSV and .xlsx input are normalised (not with `--strict`).
    pub normalise: bool,
    pub lang: Lang,
    /// Where normalisations are listed.
    pub log: Option<Mutex<Log>>,
}

static READING: OnceLock<Reading> = OnceLock::new();

/// Sets the reading options (the first call wins), opening the normalisation list.
pub fn install(args: &Args, strict: bool, lang: Lang) -> Result<(), InputError> {
    let log = args.normalised.as_deref().map(Log::create).transpose()?.map(Mutex::new);
    let _ = READING.set(Reading { encoding: args.encoding, sheet: args.sheet.clone(), normalise: !strict, lang, log });
    Ok(())
}

/// The reading options in force: as installed, or the defaults (normalising, no list).
pub fn get() -> &'static Reading {
    READING.get_or_init(|| Reading { normalise: true, ..Reading::default() })
}

/// Writes out the normalisation list, if one was asked for.
pub fn finish() -> Result<(), InputError> {
    match READING.get().and_then(|r| r.log.as_ref()) {
        Some(log) => log.lock().map_err(|_| InputError("the normalisation list could not be written".into()))?.flush(),
        None => Ok(()),
    }
}
