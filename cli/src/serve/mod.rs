//! `subsidy serve`: the engine as an HTTP service (SPEC §10), the way in for bureau systems
//! written in Java, Go or .NET.
//!
//! Endpoints — one claim with its trace (`POST /v1/assess`), a batch streamed back
//! (`POST /v1/batches`), a what-if run (`POST /v1/whatif`), the resolved rules
//! (`GET /v1/rules`), the claim's JSON Schema (`GET /v1/schema`), `GET /healthz` and the
//! OpenAPI 3.1 document (`GET /openapi.json`) — are described in `docs/service.md`. Claims go
//! through the same field checks as the command line's files (`RawClaim`, `FieldMode`). Errors
//! are RFC 9457 problem details with stable codes; bodies are limited in size, requests in
//! time, and batches in how many run at once; SIGTERM or Ctrl-C stops taking connections and
//! lets the requests in flight finish. Each request logs one line (JSON by default) with its
//! id, route, status and time — never a body, a query or a person id.

mod app;
mod assess;
mod batches;
mod body;
mod documents;
mod log;
mod openapi;
mod params;
mod problem;
mod request;
mod shutdown;
mod whatif;
mod wire;

use crate::Failure;
use skill_subsidy::Engine;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

/// Options of `subsidy serve`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub rules: crate::RulesArgs,
    /// Address to listen on (`0.0.0.0:8080` for every interface; port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Largest request body taken by /v1/batches and /v1/whatif, in bytes (one claim for
    /// /v1/assess may be at most 64 KiB).
    #[arg(long, value_name = "BYTES", default_value_t = 256 << 20)]
    max_body: u64,
    /// Time limit of a request, in seconds, from its arrival to the start of its response.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    timeout: u64,
    /// Batches and what-if runs computed at once; more wait for a turn (default: the cores).
    #[arg(long, value_name = "N")]
    max_batches: Option<usize>,
    /// On SIGTERM or Ctrl-C, how long requests in flight may take to finish, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    drain: u64,
    /// Print the OpenAPI document (what /openapi.json serves) and stop, for client generators.
    #[arg(long)]
    openapi: bool,
    /// Log lines as JSON (one object a line) or as text.
    #[arg(long, value_enum, default_value_t = log::Format::Json)]
    log_format: log::Format,
}

/// Limits of the service.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest body of a batch or what-if request.
    pub max_body: u64,
    /// Largest body of one claim.
    pub max_claim_body: u64,
    /// Time limit of a request.
    pub timeout: Duration,
    /// Batches computed at once.
    pub max_batches: usize,
}

/// Runs the service until SIGTERM or Ctrl-C, then drains.
pub fn run(engine: Engine, args: Args) -> Result<ExitCode, Failure> {
    if args.openapi {
        crate::emit_json(&openapi::document())?;
        return Ok(ExitCode::SUCCESS);
    }
    log::init(args.log_format);
    let limits = Limits {
        max_body: args.max_body,
        max_claim_body: 64 * 1024,
        timeout: Duration::from_secs(args.timeout),
        max_batches: args.max_batches.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from)).max(1),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let served = runtime.block_on(serve(engine, limits, args.listen, Duration::from_secs(args.drain)));
    // Work still running once the drain time is over (a batch's thread) is not waited for.
    runtime.shutdown_timeout(Duration::from_millis(100));
    served?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(engine: Engine, limits: Limits, listen: SocketAddr, drain: Duration) -> Result<(), Failure> {
    let ruleset = engine.ruleset().id.clone();
    let app = app::router(app::State::new(engine, limits));
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| Failure(format!("cannot listen on {listen}: {e}")))?;
    let address = listener.local_addr()?;
    // The address on stdout, alone on its line, for whoever started the service with port 0.
    crate::emit(&format!("listening on http://{address}\n"))?;
    tracing::info!(%address, %ruleset, max_body = limits.max_body, timeout_s = limits.timeout.as_secs(), max_batches = limits.max_batches, "listening");
    shutdown::serve_until_signal(listener, app, drain).await?;
    Ok(())
}
