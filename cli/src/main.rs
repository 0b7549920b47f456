//! `subsidy`: assess, explain and report vocational-training subsidy claims (职业培训补贴).
//!
//! Exit codes: 0 done; 1 invalid input (a claim came out `invalid`, a file could not be read,
//! a rules or override error); 2 wrong usage.

mod explain;
mod input;
mod lang;
mod output;
mod summary;

use clap::{Parser, Subcommand};
use input::Format;
use lang::Lang;
use skill_subsidy::{Assessment, Engine, FieldMode, Overrides, RulesErrors, Ruleset, Status};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "subsidy", version, about = "Assess, explain and report vocational-training subsidy claims (职业培训补贴)")]
struct Cli {
    /// Language of messages on the terminal.
    #[arg(long, global = true, value_enum, default_value_t = Lang::En)]
    lang: Lang,
    #[command(subcommand)]
    command: Command,
}

/// Options that choose the rules.
#[derive(clap::Args)]
struct RulesArgs {
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
    /// Claims file: .csv, .json (array) or .jsonl; `-` for stdin.
    file: String,
    /// Input format, when the extension does not say.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Unknown fields make a claim invalid (default for JSON).
    #[arg(long, conflicts_with = "lenient")]
    strict: bool,
    /// Unknown fields are ignored (default for CSV).
    #[arg(long)]
    lenient: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Assess claims and write one record per claim.
    Assess {
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        rules: RulesArgs,
        /// Output file: .json (array), .jsonl or .csv (default: JSON Lines on stdout).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Include each claim's trace in JSON output.
        #[arg(long)]
        trace: bool,
    },
    /// Explain one claim step by step.
    Explain {
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        rules: RulesArgs,
        /// The claim to explain, when the file holds several.
        #[arg(long, value_name = "CLAIM_ID")]
        claim: Option<String>,
        /// Print the assessment record with its trace as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check or export rulesets.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Print the JSON Schema of a claim.
    Schema {
        #[command(flatten)]
        rules: RulesArgs,
    },
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
struct Failure(String);

impl From<RulesErrors> for Failure {
    fn from(e: RulesErrors) -> Self {
        Failure(e.to_string())
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

/// Writes to stdout. A reader that stops early (`subsidy … | head`) is not an error: the
/// command just ends.
fn emit(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

fn emit_json(value: &impl serde::Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Failure(e.to_string()))?;
    emit(&format!("{text}\n"))
}

fn engine(args: &RulesArgs) -> Result<Engine, Failure> {
    let rules = match &args.rules {
        Some(dir) => Ruleset::from_dir(dir)?,
        None => Ruleset::wuxi_2021()?,
    };
    let engine = Engine::new(rules);
    if args.set.is_empty() {
        return Ok(engine);
    }
    let mut overrides = Overrides::new();
    for assignment in &args.set {
        overrides.add_assignment(assignment)?;
    }
    Ok(engine.with_overrides(&overrides)?)
}

/// Strict for JSON, lenient for CSV (exports often carry extra columns), unless asked.
fn field_mode(args: &InputArgs, input: &input::Input) -> FieldMode {
    match (args.strict, args.lenient, input.format) {
        (true, _, _) => FieldMode::Strict,
        (_, true, _) | (_, _, Format::Csv) => FieldMode::Lenient,
        _ => FieldMode::Strict,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command, cli.lang) {
        Ok(code) => code,
        Err(Failure(message)) => {
            eprintln!("subsidy: {message}");
            ExitCode::from(1)
        }
    }
}

fn run(command: Command, lang: Lang) -> Result<ExitCode, Failure> {
    match command {
        Command::Assess { input: args, rules, out, trace } => {
            let engine = engine(&rules)?;
            let input = input::read(&args.file, args.format)?;
            let mode = field_mode(&args, &input);
            if mode == FieldMode::Lenient && !input.extra_columns.is_empty() {
                eprintln!(
                    "{} {}",
                    lang.pick("note: ignored columns that are not claim fields:", "提示：已忽略非申请字段的列："),
                    input.extra_columns.join(", ")
                );
            }
            let assessments: Vec<Assessment> = input.rows.iter().map(|row| engine.assess_raw(&row.raw, mode, trace)).collect();
            let ids: Vec<String> = input.rows.iter().map(|row| row.raw.claim_id_text()).collect();
            match output::write_records(&engine, out.as_deref(), ids.iter().map(String::as_str).zip(&assessments)) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e.into()),
                _ => {}
            }
            let summary = summary::render(&engine, &assessments.iter().collect::<Vec<_>>(), lang);
            if out.as_deref().is_some_and(|p| p != std::path::Path::new("-")) {
                emit(&summary)?;
            } else {
                eprint!("{summary}");
            }
            Ok(report_invalid(&input.rows, &assessments, lang))
        }
        Command::Explain { input: args, rules, claim, json } => {
            let engine = engine(&rules)?;
            let input = input::read(&args.file, args.format)?;
            let mode = field_mode(&args, &input);
            let row = match &claim {
                Some(id) => input
                    .rows
                    .iter()
                    .find(|r| &r.raw.claim_id_text() == id)
                    .ok_or_else(|| Failure(format!("{}: no claim {id}", args.file)))?,
                None if input.rows.len() == 1 => &input.rows[0],
                None => return Err(Failure(format!("{}: holds {} claims; choose one with --claim ID", args.file, input.rows.len()))),
            };
            let a = engine.assess_raw(&row.raw, mode, true);
            let id = row.raw.claim_id_text();
            if json {
                emit_json(&engine.record(&id, &a))?;
            } else {
                emit(&explain::render(&engine, &id, &a, lang))?;
            }
            Ok(if a.status == Status::Invalid { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Command::Rules { command: RulesCommand::Check { dir } } => {
            let rules = Ruleset::from_dir(&dir)?;
            let versions: usize = rules.catalogues.iter().map(|c| c.versions.len()).sum();
            emit(&format!(
                "{}: {} {} — {} programs, {} catalogues ({versions} versions), {} sources, {} rule values: {}\n",
                dir.display(),
                rules.id,
                lang.pick(&rules.name_en, &rules.name_zh),
                rules.programs.len(),
                rules.catalogues.len(),
                rules.sources.len(),
                rules.params.len(),
                lang.pick("no problems", "未发现问题")
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Rules { command: RulesCommand::Export { rules, .. } } => {
            let engine = engine(&rules)?;
            emit_json(&engine.export_json())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema { rules } => {
            let engine = engine(&rules)?;
            emit_json(&skill_subsidy::schema::claim_schema(Some(engine.ruleset())))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Lists invalid rows on stderr (with where they are in the file) and picks the exit code.
fn report_invalid(rows: &[input::Row], assessments: &[Assessment], lang: Lang) -> ExitCode {
    let invalid: Vec<(&input::Row, &Assessment)> = rows.iter().zip(assessments).filter(|(_, a)| a.status == Status::Invalid).collect();
    if invalid.is_empty() {
        return ExitCode::SUCCESS;
    }
    eprintln!("{} {}:", invalid.len(), lang.pick("claims are invalid", "条申请信息有误"));
    for (row, a) in invalid.iter().take(20) {
        let errors: Vec<String> =
            a.errors.iter().map(|e| format!("{} ({})", lang.pick(&e.message_en, &e.message_zh), e.code.code())).collect();
        eprintln!("  {} {}: {}", row.location, row.raw.claim_id_text(), errors.join("; "));
    }
    if invalid.len() > 20 {
        eprintln!("  … {}", invalid.len() - 20);
    }
    ExitCode::from(1)
}
