//! The service's log: one line per event on stderr, JSON (for a log collector) or text.
//!
//! What is logged is chosen, field by field, in [`super::app`]: a request's id, method, route
//! template, status, time, problem code and claim counts. Never a body, a query string, a raw
//! path or a header value, so never a person id (SPEC §12).

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object a line.
    Json,
    /// Text for a terminal.
    Text,
}

/// Installs the subscriber (once; a second call, as in tests, keeps the first).
pub fn init(format: Format) {
    let builder = tracing_subscriber::fmt().with_writer(std::io::stderr).with_max_level(tracing::Level::INFO).with_target(false);
    let _ = match format {
        Format::Json => builder.json().flatten_event(true).with_current_span(false).try_init(),
        Format::Text => builder.with_ansi(false).try_init(),
    };
}
