//! The ledger on the command line (SPEC v2 §10): `subsidy assess FILE --ledger DB` decides a
//! month's claims against everything the ledger holds and commits them in one transaction;
//! `subsidy ledger report|export|import|outcomes|batches` read and feed it. The ledger itself
//! is the `skill-subsidy-ledger` crate; this module reads files for it and says what it did.

use crate::input::{self, Format};
use crate::lang::Lang;
use crate::run::{self, Run};
use crate::summary::thousands;
use crate::{apprenticeship, Failure, RulesArgs};
use skill_subsidy::{Claim, Engine, FieldSource};
use skill_subsidy_ledger::{ApplicationInput, ClaimInput, Input, Ledger, LedgerError, MonthRange};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

impl From<LedgerError> for Failure {
    fn from(e: LedgerError) -> Self {
        Failure(format!("{e} [{}]", e.code()))
    }
}

/// `subsidy ledger …`: the ledger's own commands.
#[derive(clap::Subcommand)]
pub enum Command {
    /// The report over everything the ledger holds, or over the decisions committed
    /// in a period with everything before it as history.
    Report {
        #[command(flatten)]
        ledger: LedgerArgs,
        /// Months, FROM..TO (`2021-03..2021-06`) or one month (`2021-05`).
        #[arg(long, value_name = "FROM..TO")]
        period: Option<String>,
        /// The report as JSON (docs/report.md).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        rules: RulesArgs,
    },
    /// Every subsidy the ledger holds (imported history, approved claims and apprenticeships) in
    /// the `--history` format.
    Export {
        #[command(flatten)]
        ledger: LedgerArgs,
        /// The CSV file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Imports subsidies decided before the ledger (a `--history` file), once.
    Import {
        /// History: CSV, JSON or JSON Lines with the fields of `--history`.
        file: String,
        #[command(flatten)]
        ledger: LedgerArgs,
    },
    /// Records apprenticeship outcomes as they arrive (application_id, outcome, outcome_date),
    /// scheduling each apprenticeship's payments again.
    Outcomes {
        /// Outcomes: CSV, JSON or JSON Lines.
        file: String,
        #[command(flatten)]
        ledger: LedgerArgs,
        #[command(flatten)]
        rules: RulesArgs,
    },
    /// Every batch on record: when, from what, under which rules, and what it committed.
    Batches {
        #[command(flatten)]
        ledger: LedgerArgs,
    },
}

/// Where the ledger is, and how long to wait for another process committing to it.
#[derive(clap::Args)]
pub struct LedgerArgs {
    /// The ledger (an SQLite file).
    #[arg(long, value_name = "DB")]
    ledger: PathBuf,
    /// Seconds to wait for another process committing to the ledger before giving up.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    wait: u64,
}

impl LedgerArgs {
    fn open(&self) -> Result<Ledger, Failure> {
        Ok(Ledger::open(&self.ledger)?.with_wait(Duration::from_secs(self.wait))?)
    }

    fn open_existing(&self) -> Result<Ledger, Failure> {
        Ok(Ledger::open_existing(&self.ledger)?.with_wait(Duration::from_secs(self.wait))?)
    }
}

/// Assesses a claims file (and applications) against the ledger at `db`, commits what was
/// decided, and says on stderr what was committed and what was decided before.
pub fn assess(engine: &Engine, o: &run::Options<'_>, db: &Path, wait: u64) -> Result<Run, Failure> {
    let mode = run::field_mode(o.strict, o.lenient, run::format_of(o.file, o.format));
    let mut claims = Vec::new();
    let mut locations = input::Locations::default();
    let mut kept = Vec::new();
    let source = input::read_claims(o.file, o.format, |fields: &dyn FieldSource, location, _| {
        if !o.keep.is_empty() {
            kept.push(crate::records_csv::kept_values(fields, o.keep));
        }
        claims.push(match Claim::parse(fields, mode) {
            Ok(claim) => ClaimInput::Valid(claim),
            Err(e) => ClaimInput::Invalid { claim_id: fields.claim_id_text(), errors: e.into_field_errors() },
        });
        locations.push(location);
    })?;
    let applications = o
        .applications
        .iter()
        .map(|a| match a {
            apprenticeship::Read::Ok(app) => ApplicationInput::Valid(app.clone()),
            apprenticeship::Read::Invalid(id, errors, _) => {
                ApplicationInput::Invalid { application_id: id.clone(), errors: errors.clone() }
            }
        })
        .collect();
    let mut ledger = Ledger::open(db)?.with_wait(Duration::from_secs(wait))?;
    let input = Input::claims(claims).with_applications(applications).with_source(o.file).with_trace(o.trace);
    let run = ledger.assess(engine, input)?;
    eprintln!("{}", said(&run, ledger.path(), o.lang));
    Ok(Run { result: run.result, locations, source, history: 0, kept })
}

/// What a run did to the ledger, in a sentence.
fn said(run: &skill_subsidy_ledger::Run, path: &str, lang: Lang) -> String {
    let (committed, earlier, invalid) = run.counts();
    let n = |k: usize| thousands(&k.to_string());
    let mut parts = Vec::new();
    match run.batch {
        Some(batch) => parts.push(match lang {
            Lang::En => format!("batch {batch} committed {} decisions", n(committed)),
            Lang::Zh => format!("第 {batch} 批记入 {} 项决定", n(committed)),
        }),
        None => parts.push(lang.pick("nothing new to commit", "无新的决定需要记入").to_string()),
    }
    if earlier > 0 {
        parts.push(match lang {
            Lang::En => format!("{} decided in earlier batches (shown as decided then, not committed again)", n(earlier)),
            Lang::Zh => format!("{} 项此前已决定（按原决定显示，不重复记入）", n(earlier)),
        });
    }
    if run.outcomes_recorded > 0 {
        parts.push(match lang {
            Lang::En => format!("{} outcomes recorded", n(run.outcomes_recorded)),
            Lang::Zh => format!("记录学徒制结果 {} 项", n(run.outcomes_recorded)),
        });
    }
    if invalid > 0 {
        parts.push(match lang {
            Lang::En => format!("{} invalid, not committed", n(invalid)),
            Lang::Zh => format!("{} 项信息有误，未记入", n(invalid)),
        });
    }
    format!("{} {}: {}", lang.pick("Ledger", "台账"), printable(path), parts.join(lang.pick("; ", "；")))
}

/// Runs `subsidy ledger …`.
pub fn execute(command: Command, lang: Lang) -> Result<ExitCode, Failure> {
    match command {
        Command::Report { ledger, period, out, rules } => {
            let engine = crate::engine(&rules)?;
            let period = match period.as_deref() {
                Some(text) => Some(MonthRange::parse(text).ok_or_else(|| {
                    Failure(format!(
                        "--period {text:?}: {}",
                        lang.pick("write months as FROM..TO, e.g. 2021-03..2021-06", "请按 起..止 填写月份，如 2021-03..2021-06")
                    ))
                })?),
                None => None,
            };
            let report = ledger.open_existing()?.report(&engine, period)?;
            if let Some(path) = &out {
                crate::write_json(path, &report.to_json(), lang)?;
            }
            crate::emit(&crate::summary::render(&engine, &report, lang))?;
        }
        Command::Export { ledger, out } => {
            let records = ledger.open_existing()?.history()?;
            write_history(&out, &records)?;
            eprintln!(
                "{} {} {} {}",
                lang.pick("wrote", "已写入"),
                thousands(&records.len().to_string()),
                lang.pick("history records to", "条已享受补贴记录："),
                out.display()
            );
        }
        Command::Import { file, ledger } => {
            let records = run::read_history(&file, lang)?;
            let imported = ledger.open()?.import_history(&records, Some(&file))?;
            eprintln!(
                "{} {}: {} {} ({} {})",
                lang.pick("Ledger", "台账"),
                printable(&ledger.ledger.display().to_string()),
                lang.pick("imported", "已导入"),
                thousands(&imported.records.to_string()),
                lang.pick("batch", "批次"),
                imported.batch
            );
        }
        Command::Outcomes { file, ledger, rules } => {
            let engine = crate::engine(&rules)?;
            let outcomes: Vec<(String, skill_subsidy::Outcome)> = apprenticeship::read_outcomes(&file)?.into_iter().collect();
            let done = ledger.open()?.record_outcomes(&engine, &outcomes, Some(&file))?;
            let n = |k: usize| thousands(&k.to_string());
            eprintln!(
                "{} {}: {}",
                lang.pick("Ledger", "台账"),
                printable(&ledger.ledger.display().to_string()),
                match lang {
                    Lang::En => format!(
                        "{} outcomes recorded, {} on record already, {} of applications not approved (nothing to pay)",
                        n(done.recorded),
                        n(done.unchanged),
                        n(done.not_approved)
                    ),
                    Lang::Zh => format!(
                        "记录学徒制结果 {} 项，{} 项此前已记录，{} 项所属申请未获批准（无需拨付）",
                        n(done.recorded),
                        n(done.unchanged),
                        n(done.not_approved)
                    ),
                }
            );
        }
        Command::Batches { ledger } => {
            crate::emit(&render_batches(&ledger.open_existing()?.batches()?, lang))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Text recorded from outside (a file name) as a terminal may show it: control characters
/// escaped (`\u{1b}`), never run (SPEC §12).
fn printable(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { c.escape_unicode().to_string() } else { c.to_string() }).collect()
}

/// The batches as a table: the overrides and the source (a path, often long) after the other
/// columns, on a line of their own when the line would pass 100 columns.
fn render_batches(batches: &[skill_subsidy_ledger::BatchInfo], lang: Lang) -> String {
    let mut out = String::new();
    crate::summary::head_and_tail(
        &mut out,
        lang.pick(
            "batch  kind      committed (UTC)       rows  committed  earlier  invalid  ruleset     engine ",
            "批次   类型      记入时间（UTC）       行数  记入       此前已决定 有误   补贴规则    引擎   ",
        ),
        lang.pick("overrides  source", "假设参数  来源"),
    );
    for b in batches {
        let source = b.source.as_deref().map(printable).unwrap_or_default();
        let head = format!(
            "{:>5}  {:<8}  {}  {:>6}  {:>9}  {:>7}  {:>7}  {:<10}  {:<6}",
            b.batch_id,
            b.kind,
            b.committed_at,
            b.rows_given,
            b.committed,
            b.already_decided,
            b.not_committed,
            b.ruleset_id.as_deref().unwrap_or("-"),
            b.engine_version,
        );
        let overrides = if b.overrides == "{}" { "-".to_string() } else { printable(&b.overrides) };
        crate::summary::head_and_tail(&mut out, &head, &format!("{overrides}  {source}"));
    }
    out
}

/// Writes history records as a `--history` CSV: to a file beside it first, renamed over it
/// once whole, so a failed export never leaves half a file.
fn write_history(path: &Path, records: &[skill_subsidy::HistoryRecord]) -> Result<(), Failure> {
    if Format::from_path(path) != Some(Format::Csv) {
        return Err(Failure(format!("{}: export writes .csv (the --history format)", path.display())));
    }
    if let Some(parent) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let partial = path.with_extension(format!("csv.partial-{}", std::process::id()));
    let written = (|| -> Result<(), Box<dyn std::error::Error>> {
        let mut w = csv::Writer::from_path(&partial)?;
        w.write_record(skill_subsidy::HistoryRecord::FIELDS)?;
        for h in records {
            w.write_record([
                h.person_id.to_string(),
                h.program.to_string(),
                h.enterprise_id.as_deref().unwrap_or_default().to_string(),
                h.occupation.as_deref().unwrap_or_default().to_string(),
                h.level.map(|l| l.code().to_string()).unwrap_or_default(),
                h.event_date.to_string(),
                h.applied_on.to_string(),
                skill_subsidy::money::format_yuan(h.amount),
                h.project.as_deref().unwrap_or_default().to_string(),
                h.months.map(|m| m.to_string()).unwrap_or_default(),
            ])?;
        }
        w.flush()?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        Ok(())
    })();
    match written.and_then(|()| std::fs::rename(&partial, path).map_err(Into::into)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(Failure(format!("{}: {e}; nothing was written", path.display())))
        }
    }
}
