//! `subsidy`: assess, explain and report vocational-training subsidy claims (职业培训补贴).
//!
//! Exit codes: 0 done; 1 invalid input (a claim came out `invalid`, a file could not be read,
//! a rules or override error); 2 wrong usage.

mod apprenticeship;
mod columns;
mod csv_input;
mod demo_parquet;
mod encoding;
mod explain;
mod files;
mod headers;
mod help_zh;
mod input;
mod lang;
mod ledger;
mod normalised;
mod output;
mod parquet;
mod reading;
mod records_csv;
mod records_xlsx;
mod run;
#[cfg(feature = "serve")]
mod serve;
mod spreadsheet;
mod summary;
mod terminal;
mod whatif;
mod xlsx;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use input::Format;
use lang::Lang;
use skill_subsidy::{Engine, Overrides, RulesErrors, Ruleset, Status};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use terminal::escape;

#[derive(Parser)]
#[command(
    name = "subsidy",
    version,
    about = "Assess, explain and report vocational-training subsidy claims (职业培训补贴)",
    after_help = "Exit codes: 0 done; 1 invalid input (an invalid claim, an unreadable file, a rules or override error); 2 wrong usage."
)]
struct Cli {
    /// Language of messages and of records for people (default: Chinese when LANG says so,
    /// otherwise English).
    #[arg(long, global = true, value_enum)]
    lang: Option<Lang>,
    #[command(subcommand)]
    command: Command,
}

/// Options that choose the rules.
#[derive(clap::Args)]
pub struct RulesArgs {
    /// Ruleset folder (default: the embedded Wuxi 2021 ruleset).
    #[arg(long, value_name = "DIR")]
    rules: Option<PathBuf>,
    /// What-if override: PATH=VALUE or PATH[FROM..TO]=VALUE (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
}

/// Options that read claims.
#[derive(clap::Args)]
struct InputArgs {
    /// Claims file: .csv, .xlsx, .json (array), .jsonl or .parquet (or a folder of .parquet
    /// files); `-` for stdin.
    file: String,
    /// Input format, when the extension does not say.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Unknown fields make a claim invalid (default for JSON), and dates and money must be
    /// written exactly (`2021-03-05`, `1930.00`: no `2021/3/5` or `1,930.00元`).
    #[arg(long, conflicts_with = "lenient")]
    strict: bool,
    /// Unknown fields are ignored (default for CSV).
    #[arg(long)]
    lenient: bool,
    /// Earlier subsidies (history): CSV, JSON or JSON Lines with person_id, program,
    /// event_date, applied_on, amount and optionally enterprise_id, occupation, level, project,
    /// months (see `subsidy columns`).
    #[arg(long, value_name = "FILE")]
    history: Option<String>,
    #[command(flatten)]
    reading: reading::Args,
}

impl InputArgs {
    /// Makes every file of the command read as these options say (reading.rs).
    fn install_reading(&self, lang: Lang) -> Result<(), Failure> {
        Ok(reading::install(&self.reading, self.strict, lang)?)
    }

    fn options<'a>(
        &'a self,
        trace: bool,
        lang: Lang,
        applications: &'a [apprenticeship::Read],
        keep: &'a [skill_subsidy::Field],
    ) -> run::Options<'a> {
        run::Options {
            keep,
            file: &self.file,
            format: self.format,
            strict: self.strict,
            lenient: self.lenient,
            history: self.history.as_deref(),
            trace,
            explain: None,
            lang,
            applications,
        }
    }
}

/// Options of records for people (CSV and .xlsx; records_csv.rs).
#[derive(clap::Args)]
struct PeopleArgs {
    /// CSV output starts with a UTF-8 byte order mark, so Excel and WPS show Chinese right;
    /// `--bom=false` for programs.
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    bom: bool,
    /// With `--lang zh`: codes rather than Chinese texts in the status, reasons, program, fund
    /// and payee cells (the headers stay Chinese).
    #[arg(long)]
    codes: bool,
    /// Claim fields to carry into CSV and .xlsx records, by name (person_id,occupation,level,…),
    /// or `all` (see `subsidy columns`).
    #[arg(long, value_name = "FIELDS", value_delimiter = ',', value_parser = records_csv::parse_kept)]
    keep: Vec<records_csv::Kept>,
}

/// Options that read apprenticeship applications.
#[derive(clap::Args)]
struct ApprenticeshipArgs {
    /// Apprenticeship applications: CSV, JSON or JSON Lines with application_id, enterprise_id,
    /// person_id, occupation, target_level, start_date, months, submitted_on, institution and
    /// optionally district (see `subsidy columns`).
    #[arg(long, value_name = "FILE")]
    applications: Option<String>,
    /// Outcomes of approved apprenticeships: application_id, outcome (completed_certified,
    /// completed_uncertified, withdrawn), outcome_date.
    #[arg(long, value_name = "FILE", requires = "applications")]
    outcomes: Option<String>,
}

impl ApprenticeshipArgs {
    /// The applications, and whether any of them, or of the outcomes, was invalid (listed on
    /// stderr: the run goes on, and ends with exit code 1).
    fn read(&self, lang: Lang) -> Result<(Vec<apprenticeship::Read>, bool), Failure> {
        let Some(path) = &self.applications else { return Ok((Vec::new(), false)) };
        let (apps, outcome_problems) = apprenticeship::read(path, self.outcomes.as_deref())?;
        let invalid = apps.iter().filter(|r| matches!(r, apprenticeship::Read::Invalid(..))).count();
        if invalid > 0 {
            terminal::eprint(&format!("{invalid} {}:\n", lang.pick("applications are invalid", "条学徒制申请信息有误")));
            apprenticeship::report_invalid(&apps, lang);
        }
        for problem in &outcome_problems {
            terminal::eprint(&format!("{}: {problem}\n", lang.pick("outcome not applied", "未采用的结果")));
        }
        Ok((apps, invalid > 0 || !outcome_problems.is_empty()))
    }
}

#[derive(Subcommand)]
enum Command {
    /// Assess claims as one batch (first come, first served, with the limits and the special
    /// account) and write one record per claim.
    Assess {
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        rules: RulesArgs,
        /// Output file: .json (array), .jsonl, .csv, .xlsx or .parquet (default: JSON Lines on
        /// stdout). Its folder must exist; an existing file is replaced only once the new one is
        /// complete; an input file is never overwritten.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        people: PeopleArgs,
        /// The report (counts, totals, accounts, targets) as JSON.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Include each claim's trace in JSON output.
        #[arg(long)]
        trace: bool,
        /// CSV output: `escape` writes a cell a spreadsheet would run as a formula (starting with
        /// =, +, -, @, tab or CR) with a leading ' (OWASP); `keep` writes it as it is, for
        /// programs that read the file back. Amounts stay numbers either way.
        #[arg(long, value_enum, default_value_t = spreadsheet::Formulas::Escape, value_name = "WHAT")]
        csv_formulas: spreadsheet::Formulas,
        #[command(flatten)]
        apprenticeships: ApprenticeshipArgs,
        /// The apprenticeships' results, payment schedules and cash flow as JSON.
        #[arg(long, value_name = "FILE", requires = "applications")]
        apprenticeships_out: Option<PathBuf>,
        /// A ledger (SQLite) of earlier batches: decide against everything it holds, and commit
        /// this batch's decisions to it in one transaction (docs/ledger.md).
        #[arg(long, value_name = "DB", conflicts_with = "history")]
        ledger: Option<PathBuf>,
        /// Seconds to wait for another process committing to the ledger before giving up.
        #[arg(long, value_name = "SECONDS", default_value_t = 60, requires = "ledger")]
        wait: u64,
    },
    /// Review apprenticeship applications at the bimonthly sessions and schedule their payments
    /// (advance, settlement by outcome, recovery on withdrawal).
    Apprenticeship {
        /// Applications: CSV, JSON or JSON Lines (fields as for `assess --applications`).
        file: String,
        /// Outcomes of approved apprenticeships: application_id, outcome, outcome_date.
        #[arg(long, value_name = "FILE")]
        outcomes: Option<String>,
        #[command(flatten)]
        rules: RulesArgs,
        /// Earlier subsidies (history), as for `assess`.
        #[arg(long, value_name = "FILE")]
        history: Option<String>,
        /// Results, schedules, cash flow and the report as JSON.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Compare the claims under the rules as they are and under `--set` changes.
    Whatif {
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        rules: RulesArgs,
        /// Baseline, variant and difference as JSON.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// The claims whose decision or amount changed, as CSV: claim id, status, amount and
        /// reasons before and after.
        #[arg(long, value_name = "FILE")]
        changed: Option<PathBuf>,
    },
    /// Explain one claim step by step, where it was decided: the file is assessed as one batch
    /// (with --history and --applications, as `assess` would), and the claim's steps name the
    /// earlier claims and history lines that counted.
    Explain {
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        rules: RulesArgs,
        #[command(flatten)]
        apprenticeships: ApprenticeshipArgs,
        /// The claim to explain.
        #[arg(long, value_name = "CLAIM_ID")]
        claim: String,
        /// Print the assessment record with its trace as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write a realistic year of sample claims (and history) for a ruleset.
    DemoData {
        #[command(flatten)]
        rules: RulesArgs,
        /// Number of claims.
        #[arg(long, default_value_t = 20_000)]
        claims: u64,
        /// Calendar year of the claims.
        #[arg(long, default_value_t = 2021)]
        year: i32,
        /// Claims CSV to write; with --parts, the folder of the Parquet data set.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Write a Parquet data set partitioned by person in K files per table (claims/,
        /// history/, applications/, outcomes/ under --out), as Dask and Spark read it.
        #[arg(long, value_name = "K", conflicts_with_all = ["history_out", "applications_out", "outcomes_out"])]
        parts: Option<u32>,
        /// History CSV to write (earlier subsidies of some of the persons).
        #[arg(long, value_name = "FILE")]
        history_out: Option<PathBuf>,
        /// Apprenticeship applications CSV to write.
        #[arg(long, value_name = "FILE")]
        applications_out: Option<PathBuf>,
        /// Outcomes CSV of those applications.
        #[arg(long, value_name = "FILE", requires = "applications_out")]
        outcomes_out: Option<PathBuf>,
        /// Number of apprenticeship applications (default: one per 50 claims).
        #[arg(long)]
        applications: Option<u64>,
    },
    /// Check or export rulesets.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// The ledger of monthly batches: its report, its history out and in, apprenticeship
    /// outcomes as they arrive, its batches.
    Ledger {
        #[command(subcommand)]
        command: ledger::Command,
    },
    /// List the columns of claims, history, apprenticeship applications and outcomes (English
    /// and Chinese names, required or not, meaning).
    Columns,
    /// Print the JSON Schema of a claim.
    Schema {
        #[command(flatten)]
        rules: RulesArgs,
    },
    /// Serve the engine over HTTP (JSON; OpenAPI 3.1 at /openapi.json) until SIGTERM or Ctrl-C.
    #[cfg(feature = "serve")]
    Serve(serve::Args),
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Load a ruleset folder strictly and report every problem.
    Check {
        /// Ruleset folder.
        dir: PathBuf,
    },
    /// Print the resolved ruleset (programs, amounts, catalogues, accounts …).
    Export {
        /// As JSON (the only format).
        #[arg(long, required = true)]
        json: bool,
        #[command(flatten)]
        rules: RulesArgs,
    },
}

/// A failure that ends the command with exit code 1.
pub struct Failure(pub String);

impl From<RulesErrors> for Failure {
    /// Every problem on its own line, its text from the rules files escaped (a key may hold a
    /// line break).
    fn from(e: RulesErrors) -> Self {
        let n = e.errors().len();
        let mut text = format!("{n} problem{} in the rules", if n == 1 { "" } else { "s" });
        for error in e.errors() {
            text.push_str("\n  ");
            text.push_str(&escape(&error.to_string()));
        }
        Failure(text)
    }
}

impl From<input::InputError> for Failure {
    fn from(e: input::InputError) -> Self {
        Failure(e.0)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure(e.to_string())
    }
}

/// Writes a message for people to stdout, its control characters escaped (terminal.rs).
fn emit(text: &str) -> Result<(), Failure> {
    Ok(terminal::print(text)?)
}

/// Writes JSON to stdout as it is (JSON escapes control characters itself). A reader that stops
/// early (`subsidy … | head`) is not an error.
fn emit_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    use std::io::Write;
    let text = serde_json::to_string_pretty(value).map_err(|e| Failure(e.to_string()))?;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.write_all(b"\n")).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Writes JSON to a file (files.rs: its folder must exist; replaced atomically).
fn write_json(path: &Path, value: &impl serde::Serialize, lang: Lang) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Failure(e.to_string()))?;
    files::write(path, format!("{text}\n").as_bytes(), lang)
}

fn ruleset(args: &RulesArgs) -> Result<Ruleset, Failure> {
    Ok(match &args.rules {
        Some(dir) => Ruleset::from_dir(dir)?,
        None => Ruleset::wuxi_2021()?,
    })
}

fn overrides(args: &RulesArgs) -> Result<Overrides, Failure> {
    let mut overrides = Overrides::new();
    for assignment in &args.set {
        overrides.add_assignment(assignment)?;
    }
    Ok(overrides)
}

fn engine(args: &RulesArgs) -> Result<Engine, Failure> {
    let engine = Engine::new(ruleset(args)?);
    if args.set.is_empty() {
        return Ok(engine);
    }
    Ok(engine.with_overrides(&overrides(args)?)?)
}

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let lang = Lang::of_run(&args);
    let command = match lang {
        Lang::Zh => help_zh::translate(Cli::command()),
        Lang::En => Cli::command(),
    };
    let cli = match command.clone().try_get_matches_from(&args).and_then(|m| Cli::from_arg_matches(&m)) {
        Ok(cli) => cli,
        Err(e) if lang == Lang::Zh && e.use_stderr() => {
            terminal::eprint(&help_zh::usage_error(&e, &command));
            return ExitCode::from(2);
        }
        Err(e) => e.exit(),
    };
    let lang = cli.lang.unwrap_or(lang);
    match execute(cli.command, lang).and_then(|code| Ok(reading::finish().map(|()| code)?)) {
        Ok(code) => code,
        Err(Failure(message)) => {
            terminal::eprint(&format!("subsidy: {}\n", lang::localize(&message, lang)));
            ExitCode::from(1)
        }
    }
}

fn execute(command: Command, lang: Lang) -> Result<ExitCode, Failure> {
    match command {
        Command::Assess {
            input: args,
            rules,
            out,
            people,
            report,
            trace,
            csv_formulas,
            apprenticeships,
            apprenticeships_out,
            ledger,
            wait,
        } => {
            let inputs = [
                Some(args.file.as_str()),
                args.history.as_deref(),
                apprenticeships.applications.as_deref(),
                apprenticeships.outcomes.as_deref(),
                ledger.as_deref().and_then(Path::to_str),
            ];
            for path in [&out, &report, &apprenticeships_out].into_iter().flatten() {
                files::check_output(path, &inputs, lang)?;
            }
            args.install_reading(lang)?;
            let engine = engine(&rules)?;
            let (apps, invalid_apps) = apprenticeships.read(lang)?;
            let keep = records_csv::kept_fields(&people.keep);
            let options = args.options(trace, lang, &apps, &keep);
            let run = match &ledger {
                Some(db) => ledger::assess(&engine, &options, db, wait)?,
                None => run::assess(&engine, &options)?,
            };
            let mode = run::field_mode(args.strict, args.lenient, run.source.format);
            if mode == skill_subsidy::FieldMode::Lenient && !run.source.extra_columns.is_empty() {
                let columns: Vec<_> = run.source.extra_columns.iter().map(|c| escape(c)).collect();
                terminal::eprint(&format!(
                    "{} {}\n",
                    lang.pick("note: ignored columns that are not claim fields:", "提示：已忽略非申请字段的列："),
                    columns.join(", ")
                ));
            }
            let r = &run.result;
            let layout = records_csv::Layout::new(lang, people.codes, keep, csv_formulas);
            let people = output::People { layout: &layout, kept: &run.kept, bom: people.bom, lang };
            output::write_records(&engine, out.as_deref(), r, &people)?;
            if let Some(path) = &report {
                write_json(path, &r.report.to_json(), lang)?;
            }
            if let Some(path) = &apprenticeships_out {
                write_json(path, &apprenticeship::to_json(r), lang)?;
            }
            if args.history.is_none() && ledger.is_none() {
                if let Some(warning) = summary::missing_history_warning(&r.report, lang) {
                    terminal::eprint(&warning);
                }
            }
            let mut text = summary::render(&engine, &r.report, lang);
            if !apps.is_empty() {
                text.push('\n');
                text.push_str(&apprenticeship::render(r, &apps, lang));
            }
            if out.as_deref().is_some_and(|p| p != Path::new("-")) {
                emit(&text)?;
            } else {
                terminal::eprint(&text);
            }
            let code = report_invalid(&run, lang);
            Ok(if invalid_apps { ExitCode::from(1) } else { code })
        }
        Command::Apprenticeship { file, outcomes, rules, history, out } => {
            if let Some(path) = &out {
                files::check_output(path, &[Some(file.as_str()), outcomes.as_deref(), history.as_deref()], lang)?;
            }
            let engine = engine(&rules)?;
            let (apps, invalid) = ApprenticeshipArgs { applications: Some(file), outcomes }.read(lang)?;
            let mut batch = engine.batch();
            if let Some(path) = &history {
                for h in &run::read_history(path, lang)? {
                    batch.add_history(h).map_err(|e| Failure(e.to_string()))?;
                }
            }
            apprenticeship::add_to(&mut batch, &apps);
            let result = batch.finish();
            if let Some(path) = &out {
                write_json(path, &apprenticeship::to_json(&result), lang)?;
            }
            emit(&apprenticeship::render(&result, &apps, lang))?;
            Ok(if invalid { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Whatif { input: args, rules, report, changed } => {
            for path in [&report, &changed].into_iter().flatten() {
                files::check_output(path, &[Some(args.file.as_str()), args.history.as_deref()], lang)?;
            }
            args.install_reading(lang)?;
            if rules.set.is_empty() {
                return Err(Failure(
                    lang.pick("whatif needs at least one --set PATH=VALUE", "假设分析至少需要一个 --set 路径=取值").into(),
                ));
            }
            let base = Engine::new(ruleset(&rules)?);
            let changes = overrides(&rules)?;
            let history = match &args.history {
                Some(path) => run::read_history(path, lang)?,
                None => Vec::new(),
            };
            let (rows, mode) = run::read_all(&args.options(false, lang, &[], &[]))?;
            let whatif = base.whatif_raw(&rows, mode, &history).map_err(|e| Failure(e.to_string()))?;
            let variant = whatif.variant(&changes)?;
            if let Some(path) = &report {
                let doc = serde_json::json!({
                    "overrides": rules.set,
                    "baseline": whatif.baseline().report.to_json(),
                    "variant": variant.result.report.to_json(),
                    "difference": variant.diff().to_json(),
                });
                write_json(path, &doc, lang)?;
            }
            emit(&whatif::render(&base, &whatif.baseline().report, &variant.result.report, &rules.set, lang))?;
            if let Some(path) = &changed {
                let rows = whatif::changed_rows(whatif.baseline(), &variant.result, lang);
                whatif::write_changed(path, &rows, lang)?;
                emit(&format!(
                    "{} {}: {}\n",
                    summary::count(rows.len() as u64),
                    lang.pick("claims changed", "条申请的结果有变化"),
                    files::shown(path)
                ))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { input: args, rules, apprenticeships, claim, json } => {
            args.install_reading(lang)?;
            let engine = engine(&rules)?;
            let (apps, _) = apprenticeships.read(lang)?;
            // Ids are compared trimmed, as the batch compares them (a record shows its id as given).
            let wanted = claim.trim();
            let options = run::Options { explain: Some(wanted), ..args.options(false, lang, &apps, &[]) };
            let run = run::assess(&engine, &options)?;
            let result = &run.result;
            let Some(i) = (0..result.len()).find(|&i| result.claim_id(i).trim() == wanted) else {
                return Err(Failure(format!("{}: {} {}", args.file, lang.pick("no claim", "没有申请"), escape(&claim))));
            };
            let a = result.assessment(i);
            let batch = explain::Batch {
                file: &args.file,
                location: run.locations.get(i),
                claims: result.len(),
                history: run.history,
                applications: apps.len(),
            };
            if json {
                emit_json(&explain::json(&claim, &a, &batch))?;
            } else {
                emit(&explain::render_in_batch(&engine, &claim, &a, &batch, lang))?;
            }
            Ok(if a.status == Status::Invalid { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::DemoData { rules, claims, year, out, parts, history_out, applications_out, outcomes_out, applications } => {
            use skill_subsidy_demo as demo;
            let rules = ruleset(&rules)?;
            if let Some(parts) = parts {
                demo_parquet::write(&rules, claims, year, applications.unwrap_or(claims / 50), &out, parts)?;
                eprintln!(
                    "{} {claims} {} {} ({parts} {})",
                    lang.pick("wrote", "已写入"),
                    lang.pick("claims to", "条申请："),
                    out.display(),
                    lang.pick("parts by person", "个按人员划分的分区")
                );
                return Ok(ExitCode::SUCCESS);
            }
            let generator = demo::Generator::new(&rules, demo::Options { claims, year });
            let mut text = String::from(demo::CSV_HEADER);
            for i in 0..claims {
                demo::write_claim(&mut text, &generator.claim(i));
            }
            write_text(&out, &text, lang)?;
            if let Some(path) = history_out {
                let mut text = String::from(demo::HISTORY_HEADER);
                for h in generator.history() {
                    demo::write_history(&mut text, &h);
                }
                write_text(&path, &text, lang)?;
            }
            if let Some(path) = applications_out {
                let (mut apps, mut outcomes) = (String::from(demo::APPLICATIONS_HEADER), String::from(demo::OUTCOMES_HEADER));
                for i in 0..applications.unwrap_or(claims / 50) {
                    let (row, outcome) = generator.application(i);
                    apps.push_str(&row);
                    outcomes.push_str(outcome.as_deref().unwrap_or_default());
                }
                write_text(&path, &apps, lang)?;
                if let Some(path) = outcomes_out {
                    write_text(&path, &outcomes, lang)?;
                }
            }
            terminal::eprint(&format!(
                "{} {} {} {}\n",
                lang.pick("wrote", "已写入"),
                claims,
                lang.pick("claims to", "条申请："),
                out.display()
            ));
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules { command: RulesCommand::Check { dir } } => {
            let rules = Ruleset::from_dir(&dir)?;
            let versions: usize = rules.catalogues.iter().map(|c| c.versions.len()).sum();
            emit(&format!(
                "{}: {} {} — {} {}, {} {} ({versions} {}), {} {}, {} {}: {}\n",
                dir.display(),
                rules.id,
                lang.pick(&rules.name_en, &rules.name_zh),
                rules.programs.len(),
                lang.pick("programs", "个补贴项目"),
                rules.catalogues.len(),
                lang.pick("catalogues", "个目录"),
                lang.pick("versions", "个版本"),
                rules.sources.len(),
                lang.pick("sources", "个依据"),
                rules.params.len(),
                lang.pick("rule values", "个政策参数"),
                lang.pick("no problems", "未发现问题")
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules { command: RulesCommand::Export { rules, .. } } => {
            let engine = engine(&rules)?;
            emit_json(&engine.export_json())?;
            Ok(ExitCode::SUCCESS)
        }
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::run(engine(&args.rules)?, args),
        Command::Ledger { command } => ledger::execute(command, lang),
        Command::Columns => {
            emit(&columns::render(lang))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema { rules } => {
            let engine = engine(&rules)?;
            emit_json(&skill_subsidy::claim_schema(Some(engine.ruleset())))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn write_text(path: &Path, text: &str, lang: Lang) -> Result<(), Failure> {
    files::write(path, text.as_bytes(), lang)
}

/// Lists invalid claims on stderr (with where they are in the file) and picks the exit code.
fn report_invalid(run: &run::Run, lang: Lang) -> ExitCode {
    let r = &run.result;
    let invalid: Vec<usize> = (0..r.len()).filter(|&i| r.status(i) == Status::Invalid).collect();
    if invalid.is_empty() {
        return ExitCode::SUCCESS;
    }
    terminal::eprint(&format!("{} {}:\n", invalid.len(), lang.pick("claims are invalid", "条申请信息有误")));
    for &i in invalid.iter().take(20) {
        let a = &r.assessment(i);
        let errors: Vec<String> =
            a.errors.iter().map(|e| format!("{} ({})", escape(lang.pick(&e.message_en, &e.message_zh)), e.code.code())).collect();
        let at = run.locations.get(i).map(|l| lang::location(l, lang)).unwrap_or_default();
        terminal::eprint(&format!("  {at} {}: {}\n", escape(r.claim_id(i)), errors.join("; ")));
    }
    if invalid.len() > 20 {
        terminal::eprint(&format!("  {}\n", lang::and_more(invalid.len() - 20, lang)));
    }
    ExitCode::from(1)
}
