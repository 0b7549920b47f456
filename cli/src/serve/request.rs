//! What a batch or what-if request holds — claims, history, apprenticeship applications and
//! (for what-if) overrides — read from a JSON object, a JSON Lines or CSV body of claims, or a
//! multipart form of files, with the command line's readers and the core's field checks.
//!
//! Claims are handed to the caller one at a time as they are read (a batch prepares each at
//! once, so 100,000 raw claims are never held together). History must be valid as a whole, as
//! on the command line: it decides the limits of every later claim. Invalid applications are
//! kept, and come out `invalid`.

use super::body::{self, Kind, Overflow};
use super::problem::{ApiError, Code, ProblemItem};
use crate::apprenticeship;
use crate::input::{self, Fields, Format, Location, Record};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use skill_subsidy::{FieldMode, FieldSource, HistoryRecord, RawClaim};
use std::fmt;
use std::io::BufRead;

/// A request's content; `C` is what each claim became.
pub struct Content<C> {
    pub claims: Vec<C>,
    pub history: Vec<HistoryRecord>,
    pub applications: Vec<apprenticeship::Read>,
    pub overrides: Option<serde_json::Value>,
}

/// The members a JSON request object may have.
#[derive(Debug, Clone, Copy)]
pub enum Members {
    /// `claims`, `history`, `applications`.
    Batch,
    /// `claims`, `history`, `overrides`.
    WhatIf,
}

impl Members {
    fn names(self) -> &'static [&'static str] {
        match self {
            Members::Batch => &["claims", "history", "applications"],
            Members::WhatIf => &["claims", "history", "overrides"],
        }
    }
}

/// The `fields` query parameter: strict or lenient, or the format's default (strict for JSON,
/// lenient for CSV, as on the command line).
pub fn field_mode(chosen: Option<FieldMode>, format: Format) -> FieldMode {
    chosen.unwrap_or(if format == Format::Csv { FieldMode::Lenient } else { FieldMode::Strict })
}

/// Reads a JSON request object from `reader`; each claim goes through `claim`.
pub fn read_json<C>(
    reader: impl BufRead,
    members: Members,
    mode: FieldMode,
    overflow: &Overflow,
    limit: u64,
    claim: impl FnMut(&dyn FieldSource, FieldMode) -> C,
) -> Result<Content<C>, ApiError> {
    let mut problem = None;
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    let mut claim = claim;
    let seed = Object { members, mode, claim: &mut claim, problem: &mut problem };
    let parsed = seed.deserialize(&mut deserializer).and_then(|raw| deserializer.end().map(|()| raw));
    let raw = match parsed {
        Ok(raw) => raw,
        Err(_) if overflow.happened() => return Err(body::too_large(limit)),
        Err(e) => return Err(problem.unwrap_or_else(|| malformed_json(&e))),
    };
    if !raw.has_claims {
        return Err(ApiError::new(
            Code::MalformedJson,
            "the body has no `claims` (an empty list is fine)",
            "请求体缺少 claims（可为空列表）",
        ));
    }
    let history = history(&raw.history, false)?;
    let applications = apprenticeship::from_records(&raw.applications, false);
    Ok(Content { claims: raw.claims, history, applications, overrides: raw.overrides })
}

/// Reads a body of claims alone (JSON Lines or CSV), each through `claim` (on every core, for
/// CSV). Returns the claims and the CSV columns that are not claim fields.
pub fn read_claims<C: Send>(
    reader: impl BufRead,
    name: &str,
    format: Format,
    overflow: &Overflow,
    limit: u64,
    claim: impl Fn(&dyn FieldSource) -> C + Sync,
) -> Result<Vec<C>, ApiError> {
    let mut claims = Vec::new();
    // Each claim is lent where it was read; kept here, it is taken out of its place.
    let read = input::read_claims_prepared_from(
        reader,
        name,
        format,
        |f: &dyn FieldSource| Some(claim(f)),
        |c: &mut Option<C>, _| {
            claims.extend(c.take());
        },
    );
    match read {
        Ok(_) => Ok(claims),
        Err(_) if overflow.happened() => Err(body::too_large(limit)),
        Err(e) => Err(ApiError::new(Code::MalformedBody, e.0.clone(), e.0)),
    }
}

/// One part of a multipart request, read whole.
pub struct Part {
    pub name: String,
    pub format: Format,
    pub bytes: Vec<u8>,
}

/// The format of a multipart part: its `Content-Type`, else its file name's extension.
pub fn part_format(name: &str, content_type: Option<&str>, file_name: Option<&str>) -> Result<Format, ApiError> {
    let by_type = content_type.and_then(Kind::of_media_type).and_then(|k| k.format());
    let by_name = file_name.and_then(|f| Format::from_path(std::path::Path::new(f)));
    by_type.or(by_name).ok_or_else(|| {
        ApiError::new(
            Code::UnsupportedMediaType,
            format!("the part {name:?} needs a Content-Type of text/csv, application/json or application/x-ndjson, or a file name ending .csv, .json or .jsonl"),
            format!("表单部分 {name:?} 需要 text/csv、application/json 或 application/x-ndjson 类型，或以 .csv、.json、.jsonl 结尾的文件名"),
        )
    })
}

/// Reads the parts of a multipart batch: `claims` (required), `history`, `applications`.
pub fn read_parts<C: Send>(
    parts: &[Part],
    chosen: Option<FieldMode>,
    claim: impl Fn(&dyn FieldSource, FieldMode) -> C + Sync,
) -> Result<Content<C>, ApiError> {
    let mut content = Content { claims: Vec::new(), history: Vec::new(), applications: Vec::new(), overrides: None };
    for part in parts {
        let lenient = part.format == Format::Csv;
        let records = |required: &str| {
            input::read_records_from(part.bytes.as_slice(), &part.name, part.format, required)
                .map_err(|e| ApiError::new(Code::MalformedBody, e.0.clone(), e.0))
        };
        match part.name.as_str() {
            "claims" => {
                let mode = field_mode(chosen, part.format);
                let none = Overflow::default();
                content.claims = read_claims(part.bytes.as_slice(), "claims", part.format, &none, u64::MAX, |f| claim(f, mode))?;
            }
            "history" => content.history = history(&records("person_id")?, lenient)?,
            "applications" => content.applications = apprenticeship::from_records(&records("application_id")?, lenient),
            _ => {
                return Err(ApiError::new(
                    Code::MalformedBody,
                    "a multipart batch has the parts claims, history and applications only",
                    "多部分表单只能包含 claims、history、applications 三个部分",
                ))
            }
        }
    }
    Ok(content)
}

/// A history record the core refuses (records read here are checked already, so this is the
/// same problem as an invalid record in the request).
pub(crate) fn history_refused(e: skill_subsidy::Error) -> ApiError {
    let errors: Vec<ProblemItem> = e.field_errors().iter().map(|f| ProblemItem::field(f, None)).collect();
    ApiError::new(
        Code::InvalidHistory,
        format!("an invalid history record; history decides every later claim's limits, so no claim is assessed: {e}"),
        "已享受补贴记录有误；这些记录决定之后每条申请的限额，因此未作审核".to_string(),
    )
    .with_errors(errors)
}

/// Valid history, or the problem listing every invalid record.
fn history(records: &[(Location, Record)], lenient: bool) -> Result<Vec<HistoryRecord>, ApiError> {
    crate::run::history_from_records(records, lenient).map(|located| located.into_iter().map(|(_, h)| h).collect()).map_err(|invalid| {
        let errors: Vec<ProblemItem> = invalid
            .iter()
            .flat_map(|(location, errors)| errors.iter().map(|e| ProblemItem::field(e, Some(location.to_string()))))
            .collect();
        ApiError::new(
            Code::InvalidHistory,
            format!("invalid history records: {}; history decides every later claim's limits, so no claim is assessed", invalid.len()),
            format!("{} 条已享受补贴记录有误；这些记录决定之后每条申请的限额，因此未作审核", invalid.len()),
        )
        .with_errors(errors)
    })
}

fn malformed_json(e: &serde_json::Error) -> ApiError {
    let what = input::json_problem(e);
    ApiError::new(
        Code::MalformedJson,
        format!("the body is not the JSON this endpoint takes: {what}"),
        format!("请求体不是本接口接受的 JSON：{what}"),
    )
}

/// The request object as read, before its records are checked.
struct Raw<C> {
    claims: Vec<C>,
    has_claims: bool,
    history: Vec<(Location, Record)>,
    applications: Vec<(Location, Record)>,
    overrides: Option<serde_json::Value>,
}

/// Reads the request object; a problem found on the way is left in `problem`.
struct Object<'a, F> {
    members: Members,
    mode: FieldMode,
    claim: &'a mut F,
    problem: &'a mut Option<ApiError>,
}

impl<'de, C, F: FnMut(&dyn FieldSource, FieldMode) -> C> DeserializeSeed<'de> for Object<'_, F> {
    type Value = Raw<C>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Raw<C>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, C, F: FnMut(&dyn FieldSource, FieldMode) -> C> Visitor<'de> for Object<'_, F> {
    type Value = Raw<C>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with the members ")?;
        f.write_str(&self.members.names().join(", "))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw<C>, A::Error> {
        let mut raw = Raw { claims: Vec::new(), has_claims: false, history: Vec::new(), applications: Vec::new(), overrides: None };
        let mut seen: Vec<String> = Vec::new();
        let names = self.members.names();
        while let Some(key) = map.next_key::<String>()? {
            // Only the members' own names are repeated in a message, never the key sent.
            if !names.contains(&key.as_str()) {
                let list = names.join(", ");
                *self.problem = Some(ApiError::new(
                    Code::MalformedJson,
                    format!("the body has a member this endpoint does not take; it takes {list}"),
                    format!("请求体含有本接口不接受的成员；可用成员为 {list}"),
                ));
                return Err(de::Error::custom("unknown member"));
            }
            if seen.contains(&key) {
                *self.problem =
                    Some(ApiError::new(Code::MalformedJson, format!("the member {key} is given twice"), format!("成员 {key} 重复出现")));
                return Err(de::Error::custom("repeated member"));
            }
            match key.as_str() {
                "claims" => {
                    raw.claims = map.next_value_seed(Claims { mode: self.mode, claim: &mut *self.claim })?;
                    raw.has_claims = true;
                }
                "history" => raw.history = located(map.next_value::<Vec<Fields>>()?),
                "applications" => raw.applications = located(map.next_value::<Vec<Fields>>()?),
                _ => raw.overrides = Some(map.next_value::<serde_json::Value>()?),
            }
            seen.push(key);
        }
        Ok(raw)
    }
}

fn located(records: Vec<Fields>) -> Vec<(Location, Record)> {
    records.into_iter().enumerate().map(|(i, f)| (Location::Record(i as u32 + 1), f.0)).collect()
}

/// Reads the `claims` array, handing each claim on as soon as it is read.
struct Claims<'a, F> {
    mode: FieldMode,
    claim: &'a mut F,
}

impl<'de, C, F: FnMut(&dyn FieldSource, FieldMode) -> C> DeserializeSeed<'de> for Claims<'_, F> {
    type Value = Vec<C>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Vec<C>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, C, F: FnMut(&dyn FieldSource, FieldMode) -> C> Visitor<'de> for Claims<'_, F> {
    type Value = Vec<C>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of claims")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<C>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 20));
        while let Some(raw) = seq.next_element::<RawClaim>()? {
            out.push((self.claim)(&raw, self.mode));
        }
        Ok(out)
    }
}
