//! A strict reader over parsed TOML that collects every problem instead of stopping at the first.
//!
//! Each value read knows its dotted path and line. A [`Table`] remembers which keys were read,
//! so that [`Table::finish`] can report every key the format does not define.

use super::error::{RulesError, RulesErrorKind};
use super::failed::Failed;
use super::params::parse_plain_decimal;
use super::sources::{Citation, CitationRef, Confidence, Source};
use crate::calendar::{parse_date, Date};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::ops::Range;
use toml_edit::{Document, Item, TableLike, Value};

/// Reading context for one file: its text (for lines) and where errors go.
pub(crate) struct Cx<'t, 'e> {
    pub file: &'t str,
    text: &'t str,
    line_starts: Vec<usize>,
    pub errors: &'e mut Vec<RulesError>,
    pub sources: &'e BTreeMap<String, Source>,
    /// What failed to load in the files read before: references to it are not checked.
    pub failed: &'e Failed,
}

/// A TOML element: a table-level item or a value inside an array or inline table.
#[derive(Clone, Copy)]
enum Elem<'d> {
    Item(&'d Item),
    Value(&'d Value),
}

impl<'d> Elem<'d> {
    fn value(self) -> Option<&'d Value> {
        match self {
            Elem::Item(item) => item.as_value(),
            Elem::Value(value) => Some(value),
        }
    }

    fn table_like(self) -> Option<&'d dyn TableLike> {
        match self {
            Elem::Item(item) => item.as_table_like(),
            Elem::Value(Value::InlineTable(t)) => Some(t as &dyn TableLike),
            Elem::Value(_) => None,
        }
    }

    fn span(self) -> Option<Range<usize>> {
        match self {
            Elem::Item(item) => item.span(),
            Elem::Value(value) => value.span(),
        }
    }

    fn describe(self) -> &'static str {
        match self.value() {
            None => "a table",
            Some(Value::String(_)) => "a string",
            Some(Value::Integer(_)) => "an integer",
            Some(Value::Float(_)) => "a decimal number",
            Some(Value::Boolean(_)) => "a boolean",
            Some(Value::Datetime(_)) => "a date",
            Some(Value::Array(_)) => "an array",
            Some(Value::InlineTable(_)) => "a table",
        }
    }
}

/// A value in a file with its path and line.
#[derive(Clone)]
pub(crate) struct Node<'d> {
    elem: Elem<'d>,
    pub path: String,
    pub line: Option<usize>,
}

impl Node<'_> {
    /// Whether the value is an array.
    pub fn is_array(&self) -> bool {
        matches!(self.elem.value(), Some(Value::Array(_)))
    }

    /// Whether the value is a string.
    pub fn is_str(&self) -> bool {
        matches!(self.elem.value(), Some(Value::String(_)))
    }

    /// Whether the value is a table whose keys are all tables (a table of tables).
    pub fn is_table_of_tables(&self) -> bool {
        self.elem
            .table_like()
            .is_some_and(|t| !t.is_empty() && t.iter().all(|(_, item)| item.as_table_like().is_some_and(|c| !c.contains_key("value"))))
    }
}

/// A cited value's node, its citation, and the key and node of each of its date ranges.
pub(crate) type CitedWithRanges<'d> = (Node<'d>, Citation, Vec<(String, Node<'d>)>);

/// A table being read.
pub(crate) struct Table<'d> {
    pub path: String,
    pub line: Option<usize>,
    inner: &'d dyn TableLike,
    taken: Vec<String>,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl<'t, 'e> Cx<'t, 'e> {
    pub fn new(
        file: &'t str,
        text: &'t str,
        errors: &'e mut Vec<RulesError>,
        sources: &'e BTreeMap<String, Source>,
        failed: &'e Failed,
    ) -> Self {
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Cx { file, text, line_starts, errors, sources, failed }
    }

    /// Problems reported so far (of every file): a part whose reading adds one failed.
    pub fn problems(&self) -> usize {
        self.errors.len()
    }

    /// Parses the file; a syntax error is reported with its line.
    pub fn parse(&mut self) -> Option<Document<&'t str>> {
        match Document::parse(self.text) {
            Ok(doc) => Some(doc),
            Err(e) => {
                let line = self.line(e.span());
                let message = e.message().trim().to_string();
                self.error(RulesErrorKind::TomlSyntax, "", line, format!("not valid TOML: {message}"));
                None
            }
        }
    }

    fn line(&self, span: Option<Range<usize>>) -> Option<usize> {
        let start = span?.start;
        Some(self.line_starts.partition_point(|&s| s <= start))
    }

    pub fn error(&mut self, kind: RulesErrorKind, path: &str, line: Option<usize>, message: impl Into<String>) {
        self.errors.push(RulesError { kind, file: self.file.to_string(), path: path.to_string(), line, message: message.into() });
    }

    pub fn error_at(&mut self, kind: RulesErrorKind, node: &Node<'_>, message: impl Into<String>) {
        let (path, line) = (node.path.clone(), node.line);
        self.error(kind, &path, line, message);
    }

    pub fn root<'d>(&self, doc: &'d Document<&'t str>) -> Table<'d> {
        Table { path: String::new(), line: Some(1), inner: doc.as_table(), taken: Vec::new() }
    }

    fn wrong_type(&mut self, node: &Node<'_>, expected: &str) {
        let found = node.elem.describe();
        self.error_at(RulesErrorKind::WrongType, node, format!("expected {expected}, found {found}"));
    }

    /// A table or inline table.
    pub fn table<'d>(&mut self, node: &Node<'d>) -> Option<Table<'d>> {
        match node.elem.table_like() {
            Some(inner) => Some(Table { path: node.path.clone(), line: node.line, inner, taken: Vec::new() }),
            None => {
                self.wrong_type(node, "a table");
                None
            }
        }
    }

    pub fn string(&mut self, node: &Node<'_>) -> Option<String> {
        match node.elem.value().and_then(Value::as_str) {
            Some(s) => Some(s.to_string()),
            None => {
                self.wrong_type(node, "a string");
                None
            }
        }
    }

    /// A string that is an identifier: letters, digits, `_` and `-` (so paths stay unambiguous).
    pub fn ident(&mut self, node: &Node<'_>) -> Option<String> {
        let s = self.string(node)?;
        if is_ident(&s) {
            Some(s)
        } else {
            self.error_at(RulesErrorKind::InvalidValue, node, format!("{s:?} is not an id (letters, digits, '_' and '-' only)"));
            None
        }
    }

    pub fn boolean(&mut self, node: &Node<'_>) -> Option<bool> {
        match node.elem.value().and_then(Value::as_bool) {
            Some(b) => Some(b),
            None => {
                self.wrong_type(node, "true or false");
                None
            }
        }
    }

    /// A local date (`2021-04-01`, unquoted) or a string in that form.
    pub fn date(&mut self, node: &Node<'_>) -> Option<Date> {
        let text = match node.elem.value() {
            Some(Value::Datetime(dt)) => {
                let dt = dt.value();
                match (dt.date, dt.time, dt.offset) {
                    (Some(d), None, None) => format!("{:04}-{:02}-{:02}", d.year, d.month, d.day),
                    _ => {
                        self.error_at(RulesErrorKind::InvalidValue, node, "expected a date without a time (YYYY-MM-DD)");
                        return None;
                    }
                }
            }
            Some(Value::String(s)) => s.value().clone(),
            _ => {
                self.wrong_type(node, "a date (YYYY-MM-DD)");
                return None;
            }
        };
        let date = parse_date(&text).ok();
        if date.is_none() {
            self.error_at(RulesErrorKind::InvalidValue, node, format!("{text:?} is not a calendar date (YYYY-MM-DD)"));
        }
        date
    }

    /// A number read from its text: an integer, a decimal written `0.30` or `"0.30"`.
    /// TOML floats are read from their source text, never through binary floating point.
    pub fn decimal(&mut self, node: &Node<'_>) -> Option<Decimal> {
        let parsed = match node.elem.value() {
            Some(Value::Integer(i)) => Some(Decimal::from(*i.value())),
            Some(Value::Float(_)) => {
                node.elem.span().and_then(|span| self.text.get(span)).and_then(|t| parse_plain_decimal(&t.replace('_', "")))
            }
            Some(Value::String(s)) => parse_plain_decimal(s.value()),
            _ => {
                self.wrong_type(node, "a number");
                return None;
            }
        };
        if parsed.is_none() {
            self.error_at(RulesErrorKind::InvalidValue, node, "not a plain decimal number (no exponent, inf or nan)");
        }
        parsed
    }

    /// An effective period; reports `period_reversed` when it ends before it starts.
    pub fn period(&mut self, path: &str, line: Option<usize>, from: Date, to: Date) -> Option<crate::calendar::Period> {
        if to < from {
            self.error(RulesErrorKind::PeriodReversed, path, line, format!("the period ends ({to}) before it starts ({from})"));
            return None;
        }
        Some(crate::calendar::Period { from, to })
    }

    /// The items of an array, each with its path (`…[3]`) and line.
    pub fn array<'d>(&mut self, node: &Node<'d>) -> Option<Vec<Node<'d>>> {
        let Some(Value::Array(array)) = node.elem.value() else {
            self.wrong_type(node, "an array");
            return None;
        };
        Some(
            array
                .iter()
                .enumerate()
                .map(|(i, value)| Node {
                    elem: Elem::Value(value),
                    path: format!("{}[{i}]", node.path),
                    line: self.line(value.span()).or(node.line),
                })
                .collect(),
        )
    }

    /// An array of strings, each with its node.
    pub fn strings<'d>(&mut self, node: &Node<'d>) -> Option<Vec<(String, Node<'d>)>> {
        let items = self.array(node)?;
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            let s = self.string(&item)?;
            out.push((s, item));
        }
        Some(out)
    }

    /// A citation written as a key (`"S9"`, `"seed:附件2/2"`) or a list of keys.
    pub fn citation(&mut self, node: &Node<'_>) -> Option<Citation> {
        let keys: Vec<String> =
            if node.is_array() { self.array(node)?.iter().filter_map(|n| self.string(n)).collect() } else { vec![self.string(node)?] };
        if keys.is_empty() {
            self.error_at(RulesErrorKind::MissingCitation, node, "a citation needs at least one source key");
            return None;
        }
        let refs: Vec<CitationRef> = keys.iter().map(|k| CitationRef::parse(k)).collect();
        let mut ok = true;
        for r in &refs {
            // A source that failed to load was reported where it is defined.
            if !self.sources.contains_key(&r.source) && !self.failed.sources.covers(&r.source) {
                ok = false;
                self.error_at(RulesErrorKind::UnknownSource, node, format!("cites {:?}, which sources.toml does not define", r.source));
            }
        }
        ok.then_some(Citation { refs, confidence: None, note: None })
    }

    /// A cited value `{ value = …, source = "…", confidence = "…", note = "…" }`:
    /// returns the value's node (with the cited value's path) and its citation.
    pub fn cited<'d>(&mut self, node: &Node<'d>) -> Option<(Node<'d>, Citation)> {
        let (value, citation, ranges) = self.cited_with_ranges(node)?;
        if let Some((key, range)) = ranges.first() {
            self.error_at(
                RulesErrorKind::InvalidValue,
                range,
                format!("{key:?}: only a number or a switch can change within the ruleset's period"),
            );
        }
        Some((value, citation))
    }

    /// A cited value that may also give values for stretches of dates, each keyed by its range
    /// and cited on its own, the form of a dated what-if override:
    /// `{ value = 4000, source = "S23", "2021-06-22..2021-12-31" = { value = 5000, source = "S20" } }`.
    /// Returns the value, its citation, and each range's key and node.
    pub fn cited_with_ranges<'d>(&mut self, node: &Node<'d>) -> Option<CitedWithRanges<'d>> {
        let Some(inner) = node.elem.table_like().filter(|t| t.contains_key("value")) else {
            self.error_at(
                RulesErrorKind::MissingCitation,
                node,
                "a policy value is written with its citation: { value = …, source = \"S…\" }",
            );
            return None;
        };
        let mut t = Table { path: node.path.clone(), line: node.line, inner, taken: Vec::new() };
        let value = t.field(self, "value")?;
        let value = Node { path: node.path.clone(), ..value };
        let citation = match t.field(self, "source") {
            Some(source) => self.citation(&source),
            None => {
                self.error_at(RulesErrorKind::MissingCitation, node, "the value has no `source`");
                None
            }
        };
        let confidence = t.field(self, "confidence").and_then(|c| self.confidence(&c));
        let note = t.field(self, "note").and_then(|n| self.string(&n));
        let keys: Vec<&str> = inner.iter().map(|(k, _)| k).filter(|k| k.contains("..")).collect();
        let ranges = keys.into_iter().filter_map(|k| t.field(self, k).map(|n| (k.to_string(), n))).collect();
        t.finish(self);
        let mut citation = citation?;
        citation.confidence = confidence;
        citation.note = note;
        Some((value, citation, ranges))
    }

    /// The confidence of a citation's first source.
    pub fn source_confidence(&self, citation: &Citation) -> Option<Confidence> {
        citation.primary().and_then(|r| self.sources.get(&r.source)).map(|s| s.confidence)
    }

    /// A confidence code.
    pub fn confidence(&mut self, node: &Node<'_>) -> Option<Confidence> {
        let code = self.string(node)?;
        let parsed = Confidence::parse(&code);
        if parsed.is_none() {
            self.error_at(RulesErrorKind::InvalidValue, node, format!("{code:?} is not confirmed, inferred or illustrative"));
        }
        parsed
    }

    /// A range of dates written as a key, `FROM..TO` (either end may be open).
    pub fn range_key(&mut self, key: &str, node: &Node<'_>) -> Option<crate::calendar::Period> {
        let period = crate::calendar::Period::parse(key);
        if period.is_none() {
            self.error_at(
                RulesErrorKind::InvalidValue,
                node,
                format!("{key:?} is not a date range FROM..TO (YYYY-MM-DD..YYYY-MM-DD, ending on or after its start)"),
            );
        }
        period
    }
}

impl<'d> Table<'d> {
    /// The value of `key`, if present; marks the key as read.
    pub fn field(&mut self, cx: &Cx<'_, '_>, key: &str) -> Option<Node<'d>> {
        let item = self.inner.get(key)?;
        self.taken.push(key.to_string());
        let span = self.inner.key(key).and_then(|k| k.span()).or_else(|| item.span());
        Some(Node { elem: Elem::Item(item), path: join(&self.path, key), line: cx.line(span).or(self.line) })
    }

    /// The value of a required key; reports `missing_key` when absent.
    pub fn req(&mut self, cx: &mut Cx<'_, '_>, key: &str) -> Option<Node<'d>> {
        let node = self.field(cx, key);
        if node.is_none() {
            cx.error(RulesErrorKind::MissingKey, &join(&self.path, key), self.line, format!("`{key}` is required here"));
        }
        node
    }

    /// Every entry, in file order; marks them all as read.
    pub fn entries(&mut self, cx: &Cx<'_, '_>) -> Vec<(String, Node<'d>)> {
        let keys: Vec<&'d str> = self.inner.iter().map(|(k, _)| k).collect();
        keys.into_iter().filter_map(|key| self.field(cx, key).map(|node| (key.to_string(), node))).collect()
    }

    /// Reports every key that was not read: the format does not define it.
    pub fn finish(self, cx: &mut Cx<'_, '_>) {
        for (key, item) in self.inner.iter() {
            if !self.taken.iter().any(|t| t == key) {
                let span = self.inner.key(key).and_then(|k| k.span()).or_else(|| item.span());
                let line = cx.line(span).or(self.line);
                cx.error(RulesErrorKind::UnknownKey, &join(&self.path, key), line, format!("unknown key `{key}`"));
            }
        }
    }
}

/// Whether `s` is a usable id: non-empty, at most 64 bytes of letters, digits, `_` and `-`.
pub(crate) fn is_ident(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}
