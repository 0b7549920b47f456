//! An override document read as written (SPEC §9 what-if, `docs/overrides.md`): its paths and
//! date ranges in document order, whatever features the embedding program turns on in
//! serde_json (issue 18). A later override for the same path and range wins, so the order is
//! part of the meaning: a `serde_json::Value` without `preserve_order` sorts its keys and would
//! lose it.

use crate::claim::SERDE_JSON_NUMBER;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// The document: each path with its value, in document order.
#[derive(Debug, Default)]
pub(crate) struct Document(pub(super) Vec<(String, Entry)>);

/// A path's value: a scalar as its text, date ranges to scalars, or something that is neither.
#[derive(Debug)]
pub(super) enum Entry {
    /// A string as given, a number as its text, `true`/`false`.
    Text(String),
    /// `{ "FROM..TO": value, ... }` in document order.
    Ranges(Vec<(String, Entry)>),
    /// An array or null: not an override value.
    Other,
}

impl Entry {
    /// A `serde_json::Value` as an entry (objects in the value's own key order).
    pub(super) fn from_value(value: &serde_json::Value) -> Entry {
        match value {
            serde_json::Value::String(s) => Entry::Text(s.clone()),
            serde_json::Value::Number(n) => Entry::Text(n.to_string()),
            serde_json::Value::Bool(b) => Entry::Text(b.to_string()),
            serde_json::Value::Object(map) => Entry::Ranges(map.iter().map(|(k, v)| (k.clone(), Entry::from_value(v))).collect()),
            serde_json::Value::Array(_) | serde_json::Value::Null => Entry::Other,
        }
    }
}

/// A number's text as serde_json writes it: exact with `arbitrary_precision` (it arrives as
/// its text); without it, an integer exactly and a float as its shortest round-trip text.
fn float_text(f: f64) -> Option<String> {
    serde_json::Number::from_f64(f).map(|n| n.to_string())
}

struct DocumentVisitor;

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = Document;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object of path → value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
        let mut out = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            out.push((key, map.next_value::<Entry>()?));
        }
        Ok(Document(out))
    }
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Document, D::Error> {
        deserializer.deserialize_map(DocumentVisitor)
    }
}

struct EntryVisitor;

impl<'de> Visitor<'de> for EntryVisitor {
    type Value = Entry;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a number, a decimal string, true/false, or an object of date ranges")
    }

    fn visit_str<E>(self, v: &str) -> Result<Entry, E> {
        Ok(Entry::Text(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Entry, E> {
        Ok(Entry::Text(v))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Entry, E> {
        Ok(Entry::Text(v.to_string()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Entry, E> {
        Ok(Entry::Text(v.to_string()))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Entry, E> {
        Ok(Entry::Text(v.to_string()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Entry, E> {
        Ok(float_text(v).map_or(Entry::Other, Entry::Text))
    }

    fn visit_unit<E>(self) -> Result<Entry, E> {
        Ok(Entry::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Entry, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Entry::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entry, A::Error> {
        let mut out = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            // serde_json with `arbitrary_precision` hands a number over as a map of this one
            // key, its value the number's exact text.
            if out.is_empty() && key == SERDE_JSON_NUMBER {
                let text: String = map.next_value()?;
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                return Ok(Entry::Text(text));
            }
            out.push((key, map.next_value::<Entry>()?));
        }
        Ok(Entry::Ranges(out))
    }
}

impl<'de> Deserialize<'de> for Entry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Entry, D::Error> {
        deserializer.deserialize_any(EntryVisitor)
    }
}
