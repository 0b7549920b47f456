//! Claims as they arrive (a JSON object, a CSV row, a Python dict): loosely typed values by
//! field name, before validation.

use super::{ClaimErrorKind, Field, FieldError};

/// A field's value as it arrived, before validation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RawValue {
    /// A string.
    Text(String),
    /// A number, as its decimal text (a JSON number, an integer, or a float written in its
    /// shortest round-trip form: `1500.1`, `0.30000000000000004`).
    Number(String),
    /// A boolean.
    Bool(bool),
    /// Absent (null, None, an empty CSV cell).
    Null,
    /// Something else (an array, an object), by its kind.
    Other(&'static str),
    /// Bytes that are not UTF-8 (a CSV cell from a mis-encoded export).
    NotUtf8,
}

/// A field's value as it arrived, borrowed from where it was read (a CSV line, a JSON value):
/// validating it allocates nothing but the claim's own small strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RawRef<'a> {
    /// A string.
    Text(&'a str),
    /// A number, as its decimal text.
    Number(&'a str),
    /// A boolean.
    Bool(bool),
    /// Absent.
    Null,
    /// Something else, by its kind.
    Other(&'static str),
    /// Bytes that are not UTF-8.
    NotUtf8,
}

/// Anything claims can be read from: a [`RawClaim`], a CSV row, a row of a data frame.
pub trait FieldSource {
    /// The value of a claim field, if given.
    fn value(&self, field: Field) -> Option<RawRef<'_>>;
    /// Names of fields given that are not claim fields.
    fn unknown_fields(&self) -> &[String] {
        &[]
    }
    /// Names of fields given more than once.
    fn repeated_fields(&self) -> &[String] {
        &[]
    }
    /// A problem with the record as a whole.
    fn record_error(&self) -> Option<&FieldError> {
        None
    }
    /// The claim id as given, for records of claims that fail validation.
    fn claim_id_text(&self) -> String {
        match self.value(Field::ClaimId) {
            Some(RawRef::Text(s) | RawRef::Number(s)) => s.to_string(),
            _ => String::new(),
        }
    }
}

impl<T: FieldSource + ?Sized> FieldSource for &T {
    fn value(&self, field: Field) -> Option<RawRef<'_>> {
        (**self).value(field)
    }
    fn unknown_fields(&self) -> &[String] {
        (**self).unknown_fields()
    }
    fn repeated_fields(&self) -> &[String] {
        (**self).repeated_fields()
    }
    fn record_error(&self) -> Option<&FieldError> {
        (**self).record_error()
    }
    fn claim_id_text(&self) -> String {
        (**self).claim_id_text()
    }
}

impl RawValue {
    /// The value, borrowed.
    #[must_use]
    pub fn as_raw_ref(&self) -> RawRef<'_> {
        match self {
            RawValue::Text(s) => RawRef::Text(s),
            RawValue::Number(s) => RawRef::Number(s),
            RawValue::Bool(b) => RawRef::Bool(*b),
            RawValue::Null => RawRef::Null,
            RawValue::Other(kind) => RawRef::Other(kind),
            RawValue::NotUtf8 => RawRef::NotUtf8,
        }
    }
}

impl FieldSource for RawClaim {
    fn value(&self, field: Field) -> Option<RawRef<'_>> {
        self.get(field).map(RawValue::as_raw_ref)
    }

    fn unknown_fields(&self) -> &[String] {
        &self.unknown
    }

    fn repeated_fields(&self) -> &[String] {
        &self.repeated
    }

    fn record_error(&self) -> Option<&FieldError> {
        self.record_error.as_ref()
    }

    fn claim_id_text(&self) -> String {
        RawClaim::claim_id_text(self)
    }
}

/// A claim as it arrived: a value per known field, the names of unknown fields, and any
/// problem with the record as a whole (a CSV row that could not be read).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RawClaim {
    values: [Option<RawValue>; Field::COUNT],
    /// Names of fields that are not claim fields.
    pub unknown: Vec<String>,
    /// Names of fields given more than once (a JSON object with a repeated key).
    pub repeated: Vec<String>,
    /// A problem with the whole record, reported as an error of field `""`.
    pub record_error: Option<FieldError>,
}

impl RawClaim {
    /// Sets a field by name; an unknown name is remembered in [`RawClaim::unknown`].
    pub fn set(&mut self, name: &str, value: RawValue) {
        match Field::parse(name) {
            Some(field) => self.values[field as usize] = Some(value),
            None => self.unknown.push(name.to_string()),
        }
    }

    /// Sets a known field.
    pub fn set_field(&mut self, field: Field, value: RawValue) {
        self.values[field as usize] = Some(value);
    }

    /// The value of a field, if given.
    #[must_use]
    pub fn get(&self, field: Field) -> Option<&RawValue> {
        self.values[field as usize].as_ref()
    }

    /// Reads a JSON object. Numbers keep their exact text.
    #[must_use]
    pub fn from_json(value: &serde_json::Value) -> RawClaim {
        let mut raw = RawClaim::default();
        match value {
            serde_json::Value::Object(map) => {
                for (name, v) in map {
                    raw.set(name, RawValue::from_json(v));
                }
            }
            other => {
                raw.record_error = Some(FieldError::new(ClaimErrorKind::NotAnObject, "", Some(json_kind(other).to_string())));
            }
        }
        raw
    }

    /// Copies any field source into an owned raw claim.
    #[must_use]
    pub fn from_source(source: &(impl FieldSource + ?Sized)) -> RawClaim {
        let mut raw = RawClaim::default();
        for field in Field::ALL {
            if let Some(value) = source.value(field) {
                raw.set_field(
                    field,
                    match value {
                        RawRef::Text(s) => RawValue::Text(s.to_string()),
                        RawRef::Number(s) => RawValue::Number(s.to_string()),
                        RawRef::Bool(b) => RawValue::Bool(b),
                        RawRef::Null => RawValue::Null,
                        RawRef::Other(kind) => RawValue::Other(kind),
                        RawRef::NotUtf8 => RawValue::NotUtf8,
                    },
                );
            }
        }
        raw.unknown = source.unknown_fields().to_vec();
        raw.repeated = source.repeated_fields().to_vec();
        raw.record_error = source.record_error().cloned();
        raw
    }

    /// The claim id as given, for records of claims that fail validation.
    #[must_use]
    pub fn claim_id_text(&self) -> String {
        match self.get(Field::ClaimId) {
            Some(RawValue::Text(s) | RawValue::Number(s)) => s.clone(),
            _ => String::new(),
        }
    }
}

/// Reads a claim straight from JSON (or any serde format), seeing every key: a repeated field
/// is kept as an error instead of silently taking its last value, and a value that is not an
/// object becomes a claim with a record error rather than a failure of the whole input.
impl<'de> serde::Deserialize<'de> for RawClaim {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<RawClaim, D::Error> {
        deserializer.deserialize_any(RawClaimVisitor)
    }
}

struct RawClaimVisitor;

/// The key under which serde_json (feature `arbitrary_precision`) passes a number's text.
pub(crate) const SERDE_JSON_NUMBER: &str = "$serde_json::private::Number";

impl RawClaimVisitor {
    fn not_an_object(kind: &str) -> RawClaim {
        RawClaim { record_error: Some(FieldError::new(ClaimErrorKind::NotAnObject, "", Some(kind.to_string()))), ..RawClaim::default() }
    }
}

impl<'de> serde::de::Visitor<'de> for RawClaimVisitor {
    type Value = RawClaim;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a claim object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<RawClaim, A::Error> {
        let mut raw = RawClaim::default();
        let mut seen: Vec<String> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            // serde_json with `arbitrary_precision` hands a number over as a map of this one key.
            if seen.is_empty() && key == SERDE_JSON_NUMBER {
                let _: serde::de::IgnoredAny = map.next_value()?;
                while map.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {}
                return Ok(Self::not_an_object("a number"));
            }
            let value: serde_json::Value = map.next_value()?;
            if seen.contains(&key) {
                if !raw.repeated.contains(&key) {
                    raw.repeated.push(key);
                }
            } else {
                raw.set(&key, RawValue::from_json(&value));
                seen.push(key);
            }
        }
        Ok(raw)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<RawClaim, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(Self::not_an_object("an array"))
    }

    fn visit_bool<E>(self, _: bool) -> Result<RawClaim, E> {
        Ok(Self::not_an_object("a boolean"))
    }

    fn visit_i64<E>(self, _: i64) -> Result<RawClaim, E> {
        Ok(Self::not_an_object("a number"))
    }

    fn visit_u64<E>(self, _: u64) -> Result<RawClaim, E> {
        Ok(Self::not_an_object("a number"))
    }

    // A top-level JSON number is not a claim: its value is never read (money inside a claim
    // arrives as its decimal text, never as a float).
    fn visit_f64<E>(self, _: f64) -> Result<RawClaim, E> {
        Ok(Self::not_an_object("a number"))
    }

    fn visit_str<E>(self, _: &str) -> Result<RawClaim, E> {
        Ok(Self::not_an_object("a string"))
    }

    fn visit_unit<E>(self) -> Result<RawClaim, E> {
        Ok(Self::not_an_object("null"))
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

impl RawValue {
    /// Converts a JSON value, a number as its text. With serde_json's `arbitrary_precision`
    /// (the CLI, Python and the browser turn it on) that is the number's exact text: money
    /// `1930.10` never passes through an `f64`. Without it (the core does not turn it on for
    /// the programs that embed it) serde_json holds an integer as `u64`/`i64`, exactly, and a
    /// fraction as an `f64`, written as its shortest round-trip text (`1930.10` reads `1930.1`,
    /// the same amount; `0.1 + 0.2` reads `0.30000000000000004`, more precise than the fen and
    /// `invalid`), as the Python binding reads a float (`tests/vectors/floats.json`). Money as a
    /// JSON string keeps its text in every build.
    #[must_use]
    pub fn from_json(v: &serde_json::Value) -> RawValue {
        match v {
            serde_json::Value::Null => RawValue::Null,
            serde_json::Value::Bool(b) => RawValue::Bool(*b),
            serde_json::Value::Number(n) => RawValue::Number(n.to_string()),
            serde_json::Value::String(s) => RawValue::Text(s.clone()),
            serde_json::Value::Array(_) => RawValue::Other("an array"),
            serde_json::Value::Object(_) => RawValue::Other("an object"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JSON Lines line holding a bare number is a claim with a record error, read the same by
    /// the serde reader and from a `serde_json::Value` (found by fuzzing: with serde_json's
    /// `arbitrary_precision` a number arrives as a one-key map, and became an "unknown field").
    #[test]
    fn a_bare_number_is_not_an_object_by_either_reader() {
        for text in ["3", "-7", "1.5", "3333333333333333333333333333333333333333333333333333"] {
            let by_serde: RawClaim = serde_json::from_str(text).unwrap();
            let by_value = RawClaim::from_json(&serde_json::from_str(text).unwrap());
            assert_eq!(by_serde, by_value, "{text}");
            assert_eq!(by_serde.record_error.as_ref().map(|e| e.code), Some(ClaimErrorKind::NotAnObject), "{text}");
            assert!(by_serde.unknown.is_empty(), "{text}");
        }
    }
}
