//! `POST /v1/batches`: claims (with history and apprenticeship applications) assessed as one
//! batch — first come, first served, the limits and the special account (SPEC §7.2) — and the
//! records and report streamed back.
//!
//! The body is read while it arrives, each claim prepared as soon as it is read; the batch is
//! decided on a blocking thread, at most `--max-batches` at once (the others wait their turn);
//! the answer is written a block of records at a time, so a batch of 100,000 claims is never
//! one string in memory. Every claim comes back, in input order, `approved`, `rejected` or
//! `invalid`.

use super::app::{LogNote, RequestId, Shared};
use super::body::{self, Kind};
use super::params::Params;
use super::problem::{ApiError, Code, PROBLEM_JSON};
use super::request::{self, Content, Members, Part};
use super::wire;
use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use skill_subsidy::{BatchResult, Engine, FieldMode, FieldSource, Prepared};
use std::io::Write;
use std::sync::Arc;

/// How the answer is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Output {
    /// One JSON object: `claims`, `applications`, `report`.
    Json,
    /// JSON Lines: `{"claim": …}`, …, `{"application": …}`, …, `{"report": …}`.
    Jsonl,
}

impl Output {
    /// The first type in `Accept` that can be written (JSON when there is none).
    fn of(headers: &HeaderMap) -> Result<Output, ApiError> {
        let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else { return Ok(Output::Json) };
        for range in accept.split(',') {
            match range.split(';').next().unwrap_or_default().trim().to_ascii_lowercase().as_str() {
                "application/json" | "application/*" | "*/*" => return Ok(Output::Json),
                "application/x-ndjson" | "application/jsonl" => return Ok(Output::Jsonl),
                _ => {}
            }
        }
        Err(ApiError::new(
            Code::NotAcceptable,
            "the answer can be written as application/json or application/x-ndjson",
            "结果可以 application/json 或 application/x-ndjson 格式返回",
        ))
    }

    fn media_type(self) -> &'static str {
        match self {
            Output::Json => "application/json",
            Output::Jsonl => "application/x-ndjson",
        }
    }
}

/// Assess a batch.
#[utoipa::path(
    post,
    path = "/v1/batches",
    operation_id = "assessBatch",
    tag = "claims",
    params(Params),
    request_body(
        description = "Claims with history and applications as one JSON object; or claims alone as CSV (a header row) or JSON Lines; or a multipart form with the files `claims`, `history`, `applications` (each CSV, JSON or JSON Lines, by its Content-Type or file name)",
        content(
            (wire::BatchRequest = "application/json"),
            (String = "text/csv"),
            (String = "application/x-ndjson"),
            ("multipart/form-data"),
        )
    ),
    responses(
        (status = 200, description = "Every claim's record in input order, every application's, and the report; streamed", content(
            (wire::BatchResponse = "application/json"),
            (String = "application/x-ndjson"),
        )),
        (status = 406, description = "`not_acceptable`", body = super::problem::Problem, content_type = PROBLEM_JSON),
        wire::Problems,
    )
)]
pub async fn handle(
    State(state): State<Shared>,
    Extension(id): Extension<RequestId>,
    query: Result<Query<Params>, QueryRejection>,
    request: Request,
) -> Result<Response, ApiError> {
    let params = Params::read(query)?;
    let kind = body::kind(request.headers(), &[Kind::Json, Kind::Jsonl, Kind::Csv, Kind::Multipart])?;
    let output = Output::of(request.headers())?;
    let limit = state.limits.max_body;
    body::check_length(request.headers(), limit)?;
    let turn = state.batch_turn(&id, "/v1/batches").await?;
    let engine = Arc::clone(&state.engine);
    let trace = params.trace.unwrap_or(false);
    let prepare = move |e: &Engine, f: &dyn FieldSource, mode: FieldMode| e.prepare(f, mode);
    let reader = Arc::clone(&engine);
    let read: Box<dyn FnOnce() -> Result<Content<Prepared>, ApiError> + Send> = match kind {
        Kind::Multipart => {
            let parts = read_parts(request, limit).await?;
            Box::new(move || request::read_parts(&parts, params.field_mode(), |f, mode| prepare(&reader, f, mode)))
        }
        Kind::Json => {
            let (body, overflow) = body::blocking_reader(request.into_body(), limit);
            let mode = params.field_mode().unwrap_or(FieldMode::Strict);
            Box::new(move || request::read_json(body, Members::Batch, mode, &overflow, limit, |f, mode| prepare(&reader, f, mode)))
        }
        Kind::Jsonl | Kind::Csv => {
            let format = kind.format().ok_or_else(internal)?;
            let (body, overflow) = body::blocking_reader(request.into_body(), limit);
            let mode = request::field_mode(params.field_mode(), format);
            Box::new(move || {
                let claims = request::read_claims(body, "body", format, &overflow, limit, |f| prepare(&reader, f, mode))?;
                Ok(Content { claims, history: Vec::new(), applications: Vec::new(), overrides: None })
            })
        }
    };
    let decider = Arc::clone(&engine);
    let work = move || {
        // The turn is held by the work itself: a request given up (its time ran out) still holds
        // it until its thread is done, so no more than --max-batches ever run at once.
        let _turn = turn;
        let content = read()?;
        let note = LogNote { claims: Some(content.claims.len()), applications: Some(content.applications.len()) };
        Ok((note, decide_batch(&decider, content, trace)?))
    };
    let (note, result) = tokio::task::spawn_blocking(work).await.map_err(|_| internal())??;
    let mut response = Body::from_stream(stream(result, output)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(output.media_type()));
    response.extensions_mut().insert(note);
    Ok(response)
}

fn internal() -> ApiError {
    ApiError::new(Code::Internal, "the service could not run the batch", "服务无法处理该批次")
}

/// The parts of a multipart form, each read whole (together at most `limit` bytes).
async fn read_parts(request: Request, limit: u64) -> Result<Vec<Part>, ApiError> {
    let (parts, body) = request.into_parts();
    let (stream, overflow) = body::limited(body, limit);
    let request = Request::from_parts(parts, Body::from_stream(stream));
    let malformed = || ApiError::new(Code::MalformedBody, "the multipart form cannot be read", "无法读取多部分表单");
    let mut form = Multipart::from_request(request, &()).await.map_err(|_| malformed())?;
    let mut out = Vec::new();
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) if overflow.happened() => return Err(body::too_large(limit)),
            Err(_) => return Err(malformed()),
        };
        let name = field.name().unwrap_or_default().to_string();
        let format = request::part_format(&name, field.content_type(), field.file_name())?;
        match field.bytes().await {
            Ok(bytes) => out.push(Part { name, format, bytes: bytes.to_vec() }),
            Err(_) if overflow.happened() => return Err(body::too_large(limit)),
            Err(_) => return Err(malformed()),
        }
    }
    Ok(out)
}

/// Decides the batch: history first, then applications and claims, in the queue order.
fn decide_batch(engine: &Engine, content: Content<Prepared>, trace: bool) -> Result<BatchResult, ApiError> {
    let mut batch = engine.batch().with_trace(trace);
    for h in &content.history {
        batch.add_history(h).map_err(request::history_refused)?;
    }
    crate::apprenticeship::add_to(&mut batch, &content.applications);
    batch.reserve(content.claims.len());
    for claim in &content.claims {
        batch.add_prepared(claim);
    }
    Ok(batch.finish())
}

/// Records written per chunk of the answer.
const CHUNK_RECORDS: usize = 2048;

/// The answer as a stream of chunks, written on a blocking thread; it stops when the client
/// goes away.
fn stream(result: BatchResult, output: Output) -> impl futures_util::Stream<Item = Result<Bytes, std::io::Error>> {
    let (sender, receiver) = tokio::sync::mpsc::channel::<Bytes>(4);
    tokio::task::spawn_blocking(move || write(&result, output, &mut |chunk| sender.blocking_send(Bytes::from(chunk)).is_ok()));
    futures_util::stream::unfold(receiver, |mut receiver| async move { receiver.recv().await.map(|chunk| (Ok(chunk), receiver)) })
}

/// Writes the answer in chunks to `send`, which says whether to go on.
fn write(result: &BatchResult, output: Output, send: &mut dyn FnMut(Vec<u8>) -> bool) {
    let json = output == Output::Json;
    let mut chunk = Vec::with_capacity(CHUNK_RECORDS * 256);
    chunk.extend_from_slice(if json { b"{\"claims\":[" } else { b"" });
    for i in 0..result.len() {
        let a = result.assessment(i);
        let record = a.record().with_claim_id(result.claim_id(i));
        let written = if json {
            chunk.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
            serde_json::to_writer(&mut chunk, &record)
        } else {
            chunk.extend_from_slice(b"{\"claim\":");
            serde_json::to_writer(&mut chunk, &record).and_then(|()| chunk.write_all(b"}\n").map_err(serde_json::Error::io))
        };
        if written.is_err() {
            return;
        }
        if (i + 1) % CHUNK_RECORDS == 0 && !send(std::mem::take(&mut chunk)) {
            return;
        }
    }
    chunk.extend_from_slice(if json { b"\n],\"applications\":[" } else { b"" });
    for (i, application) in result.applications.iter().enumerate() {
        let value = application.to_json();
        if json {
            chunk.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
            let _ = serde_json::to_writer(&mut chunk, &value);
        } else {
            let _ = serde_json::to_writer(&mut chunk, &serde_json::json!({ "application": value }));
            chunk.push(b'\n');
        }
    }
    if json {
        chunk.extend_from_slice(b"\n],\"report\":");
        let _ = serde_json::to_writer(&mut chunk, &result.report.to_json());
        chunk.extend_from_slice(b"}\n");
    } else {
        let _ = serde_json::to_writer(&mut chunk, &serde_json::json!({ "report": result.report.to_json() }));
        chunk.push(b'\n');
    }
    send(chunk);
}
