//! Request bodies: their media type, their size limit, and reading them — whole, or as a
//! blocking reader for the file readers of the command line, so a large CSV batch is parsed
//! while it arrives and never held whole in memory.

use super::problem::{ApiError, Code};
use crate::input::Format;
use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap};
use futures_util::{Stream, StreamExt, TryStreamExt};
use std::io::BufRead;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// What a body holds, by its `Content-Type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// `application/json`.
    Json,
    /// `application/x-ndjson` or `application/jsonl`: one claim a line.
    Jsonl,
    /// `text/csv`: claims with a header row.
    Csv,
    /// `multipart/form-data`: parts named `claims`, `history`, `applications`.
    Multipart,
}

impl Kind {
    /// The kind of a body or of a multipart part with this media type (parameters aside).
    pub fn of_media_type(media_type: &str) -> Option<Kind> {
        let essence = media_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        match essence.as_str() {
            "application/json" => Some(Kind::Json),
            "application/x-ndjson" | "application/jsonl" | "application/json-lines" => Some(Kind::Jsonl),
            "text/csv" => Some(Kind::Csv),
            "multipart/form-data" => Some(Kind::Multipart),
            _ => None,
        }
    }

    /// The command line's reader for this kind.
    pub fn format(&self) -> Option<Format> {
        match self {
            Kind::Json => Some(Format::Json),
            Kind::Jsonl => Some(Format::Jsonl),
            Kind::Csv => Some(Format::Csv),
            Kind::Multipart => None,
        }
    }
}

/// The body's kind, if it is one of `accepted`; otherwise `unsupported_media_type`. Text must
/// be UTF-8 (a `charset` other than UTF-8 is refused rather than misread).
pub fn kind(headers: &HeaderMap, accepted: &[Kind]) -> Result<Kind, ApiError> {
    let names = accepted.iter().map(media_type_name).collect::<Vec<_>>().join(", ");
    let refuse = || {
        ApiError::new(
            Code::UnsupportedMediaType,
            format!("send the body as one of: {names} (with a Content-Type header)"),
            format!("请求体类型应为：{names}（并设置 Content-Type 请求头）"),
        )
    };
    let value = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).ok_or_else(refuse)?;
    let kind = Kind::of_media_type(value).filter(|k| accepted.contains(k)).ok_or_else(refuse)?;
    let charset = value.split(';').skip(1).filter_map(|p| p.split_once('=')).find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"));
    if let Some((_, charset)) = charset {
        let charset = charset.trim().trim_matches('"').to_ascii_lowercase();
        if charset != "utf-8" && charset != "utf8" {
            return Err(ApiError::new(
                Code::UnsupportedMediaType,
                "send text as UTF-8 (charset=utf-8)",
                "文本请使用 UTF-8 编码（charset=utf-8）",
            ));
        }
    }
    Ok(kind)
}

fn media_type_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::Json => "application/json",
        Kind::Jsonl => "application/x-ndjson",
        Kind::Csv => "text/csv",
        Kind::Multipart => "multipart/form-data",
    }
}

/// The problem for a body over `limit` bytes.
pub fn too_large(limit: u64) -> ApiError {
    ApiError::new(
        Code::BodyTooLarge,
        format!("the body is larger than {limit} bytes; split the batch (the limit is set by `subsidy serve --max-body`)"),
        format!("请求体超过 {limit} 字节；请拆分批次（上限由 subsidy serve --max-body 设定）"),
    )
}

/// Refuses at once a body whose `Content-Length` says it is over `limit`.
pub fn check_length(headers: &HeaderMap, limit: u64) -> Result<(), ApiError> {
    let length = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    match length {
        Some(n) if n > limit => Err(too_large(limit)),
        _ => Ok(()),
    }
}

/// Set when a body went over its limit while it was read.
#[derive(Debug, Clone, Default)]
pub struct Overflow(Arc<AtomicBool>);

impl Overflow {
    /// Whether the body went over its limit.
    pub fn happened(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The body's chunks, failing once more than `limit` bytes have come.
pub fn limited(body: Body, limit: u64) -> (impl Stream<Item = std::io::Result<Bytes>> + Send + Unpin + 'static, Overflow) {
    let overflow = Overflow::default();
    let flag = overflow.clone();
    let mut seen = 0u64;
    let stream = body.into_data_stream().map_err(std::io::Error::other).map(move |chunk| {
        let chunk = chunk?;
        seen += chunk.len() as u64;
        if seen > limit {
            flag.0.store(true, Ordering::Relaxed);
            return Err(std::io::Error::other(format!("the body is larger than {limit} bytes")));
        }
        Ok(chunk)
    });
    (stream, overflow)
}

/// The whole body, at most `limit` bytes.
pub async fn read_all(body: Body, limit: u64) -> Result<Vec<u8>, ApiError> {
    let (mut stream, overflow) = limited(body, limit);
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(chunk) => bytes.extend_from_slice(&chunk),
            Err(_) if overflow.happened() => return Err(too_large(limit)),
            Err(_) => return Err(unreadable()),
        }
    }
    Ok(bytes)
}

/// The body as a blocking reader, for a blocking thread (`spawn_blocking`); call it within the
/// runtime. Reading fails once the body passes `limit` bytes, and `Overflow` tells why.
pub fn blocking_reader(body: Body, limit: u64) -> (impl BufRead + Send + 'static, Overflow) {
    let (stream, overflow) = limited(body, limit);
    let reader = tokio_util::io::SyncIoBridge::new(tokio_util::io::StreamReader::new(stream));
    (std::io::BufReader::with_capacity(256 * 1024, reader), overflow)
}

/// The problem for a body that stopped arriving (the client went away, the connection broke).
pub fn unreadable() -> ApiError {
    ApiError::new(Code::MalformedBody, "the body could not be read to its end", "请求体未能完整读取")
}
