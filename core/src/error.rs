//! The crate's one error type (SPEC §12: every error has a stable code, a location and a
//! message), shaped as the `csv` crate's: an opaque [`Error`] with [`Error::kind`] returning a
//! `#[non_exhaustive]` [`ErrorKind`] whose variants carry where the problem was and the problems
//! inside. Every fallible function of the crate returns it or a type that converts into it, so
//! `?` works in a function returning `Result<_, skill_subsidy::Error>` or `Box<dyn Error>`.
//!
//! ```
//! use skill_subsidy::{Claim, FieldMode, RawClaim};
//! fn read(json: &str) -> Result<Claim, Box<dyn std::error::Error>> {
//!     let raw: RawClaim = serde_json::from_str(json)?;
//!     let claim = Claim::parse(&raw, FieldMode::Strict)?;
//!     Ok(claim)
//! }
//! let err = read(r#"{"claim_id": "C1", "program": "pre_job", "person_id": "P1",
//!                    "event_date": "2021-02-30", "applied_on": "2021-03-01"}"#).unwrap_err();
//! let err = err.downcast::<skill_subsidy::Error>().unwrap();
//! assert_eq!(err.code(), "invalid_claim");
//! assert_eq!(err.field_errors()[0].code.code(), "bad_date");
//! ```

use crate::claim::FieldError;
use crate::rules::{RulesErrorKind, RulesErrors};
use std::fmt;

/// Any error of the crate. Its [`kind`](Error::kind) says what failed and holds the details;
/// [`code`](Error::code) is a stable snake_case code for the kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(Box<ErrorKind>);

/// What failed. More kinds may be added: match with a `_` arm.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A claim whose fields do not validate: every field error, each with its own code.
    Claim {
        /// Where the claim was (a file and row, set by the caller), empty when not known.
        location: String,
        /// Every problem with the claim's fields, in field order.
        errors: Vec<FieldError>,
    },
    /// A history record whose fields do not validate.
    History {
        /// Where the record was, empty when not known.
        location: String,
        /// Every problem with the record's fields.
        errors: Vec<FieldError>,
    },
    /// An apprenticeship application whose fields do not validate.
    Application {
        /// Where the application was, empty when not known.
        location: String,
        /// Every problem with the application's fields.
        errors: Vec<FieldError>,
    },
    /// A ruleset that does not load: every problem with file, key path and line.
    Rules(RulesErrors),
    /// A ruleset folder that does not exist or cannot be listed.
    RulesNotFound {
        /// The folder as given.
        path: String,
        /// Why it cannot be read.
        message: String,
    },
    /// What-if overrides that do not fit the ruleset: every problem with its path.
    Overrides(RulesErrors),
    /// Text that is not a calendar date written `YYYY-MM-DD`.
    Date(crate::calendar::DateError),
}

impl Error {
    /// An error of kind `kind`.
    #[must_use]
    pub fn new(kind: ErrorKind) -> Error {
        Error(Box::new(kind))
    }

    /// A claim's field errors as one error.
    #[must_use]
    pub fn claim(errors: Vec<FieldError>) -> Error {
        Error::new(ErrorKind::Claim { location: String::new(), errors })
    }

    /// A history record's field errors as one error.
    #[must_use]
    pub fn history(errors: Vec<FieldError>) -> Error {
        Error::new(ErrorKind::History { location: String::new(), errors })
    }

    /// What failed.
    #[must_use]
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }

    /// What failed, owned.
    #[must_use]
    pub fn into_kind(self) -> ErrorKind {
        *self.0
    }

    /// The stable code of the kind (`invalid_claim`, `rules`, `rules_not_found` …).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match &*self.0 {
            ErrorKind::Claim { .. } => "invalid_claim",
            ErrorKind::History { .. } => "invalid_history",
            ErrorKind::Application { .. } => "invalid_application",
            ErrorKind::Rules(_) => "rules",
            ErrorKind::RulesNotFound { .. } => "rules_not_found",
            ErrorKind::Overrides(_) => "overrides",
            ErrorKind::Date(_) => "bad_date",
        }
    }

    /// The field errors inside (of a claim, a history record or an application); empty for
    /// other kinds.
    #[must_use]
    pub fn field_errors(&self) -> &[FieldError] {
        match &*self.0 {
            ErrorKind::Claim { errors, .. } | ErrorKind::History { errors, .. } | ErrorKind::Application { errors, .. } => errors,
            _ => &[],
        }
    }

    /// The field errors inside, owned (empty for other kinds): what an `invalid` assessment holds.
    #[must_use]
    pub fn into_field_errors(self) -> Vec<FieldError> {
        match *self.0 {
            ErrorKind::Claim { errors, .. } | ErrorKind::History { errors, .. } | ErrorKind::Application { errors, .. } => errors,
            _ => Vec::new(),
        }
    }

    /// The same error with where it happened (a file and row), for kinds that carry a location.
    #[must_use]
    pub fn at(mut self, place: impl Into<String>) -> Error {
        if let ErrorKind::Claim { location, .. } | ErrorKind::History { location, .. } | ErrorKind::Application { location, .. } =
            &mut *self.0
        {
            *location = place.into();
        }
        self
    }
}

fn fields(f: &mut fmt::Formatter<'_>, what: &str, location: &str, errors: &[FieldError]) -> fmt::Result {
    if location.is_empty() {
        write!(f, "{what} does not validate")?;
    } else {
        write!(f, "{what} at {location} does not validate")?;
    }
    for e in errors {
        write!(f, "\n  {}: {} [{}]", if e.field.is_empty() { "(record)" } else { &e.field }, e.message_en, e.code.code())?;
    }
    Ok(())
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            ErrorKind::Claim { location, errors } => fields(f, "a claim", location, errors),
            ErrorKind::History { location, errors } => fields(f, "a history record", location, errors),
            ErrorKind::Application { location, errors } => fields(f, "an application", location, errors),
            ErrorKind::Rules(e) => write!(f, "{e}"),
            ErrorKind::RulesNotFound { path, message } => write!(f, "no ruleset folder at {path}: {message}"),
            ErrorKind::Overrides(e) => {
                let n = e.0.len();
                write!(f, "{n} problem{} in the overrides", if n == 1 { "" } else { "s" })?;
                e.0.iter().try_for_each(|e| write!(f, "\n  {e}"))
            }
            ErrorKind::Date(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.0 {
            ErrorKind::Rules(e) | ErrorKind::Overrides(e) => Some(e),
            ErrorKind::Date(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Error {
        Error::new(kind)
    }
}

/// Rules errors: a folder that is not there is [`ErrorKind::RulesNotFound`], problems of
/// override documents are [`ErrorKind::Overrides`], any other is [`ErrorKind::Rules`].
impl From<RulesErrors> for Error {
    fn from(e: RulesErrors) -> Error {
        match e.0.as_slice() {
            [only] if only.kind == RulesErrorKind::NotFound => {
                Error::new(ErrorKind::RulesNotFound { path: only.file.clone(), message: only.message.clone() })
            }
            all if !all.is_empty() && all.iter().all(|e| e.file == crate::overrides::OVERRIDES_FILE) => Error::new(ErrorKind::Overrides(e)),
            _ => Error::new(ErrorKind::Rules(e)),
        }
    }
}

impl From<crate::calendar::DateError> for Error {
    fn from(e: crate::calendar::DateError) -> Error {
        Error::new(ErrorKind::Date(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RulesError;

    #[test]
    fn rules_overrides_and_a_missing_folder_are_told_apart() {
        let one = |kind, file: &str| {
            RulesErrors(vec![RulesError { kind, file: file.into(), path: String::new(), line: None, message: "m".into() }])
        };
        let missing = Error::from(one(RulesErrorKind::NotFound, "/no/such"));
        assert_eq!(missing.code(), "rules_not_found");
        assert_eq!(missing.to_string(), "no ruleset folder at /no/such: m");
        assert_eq!(Error::from(one(RulesErrorKind::BadOverride, "overrides")).code(), "overrides");
        assert_eq!(Error::from(one(RulesErrorKind::MissingKey, "programs.toml")).code(), "rules");
    }
}
