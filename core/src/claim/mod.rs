//! Claims (补贴申请): one request for one program for one person, and their validation.
//!
//! Input arrives as loosely typed fields ([`RawClaim`]: a JSON object, a CSV row, a Python
//! dict) and is checked field by field into a typed [`Claim`]. Every malformed field is
//! reported, not only the first, with a stable code and a message in English and Chinese.
//! The value of `person_id` (possibly a resident ID number) is never repeated in an error.

use crate::calendar::{parse_date, Date};
use crate::group::Group;
use crate::level::Level;
use crate::money::parse_money;
use compact_str::CompactString;
use rust_decimal::Decimal;

/// The fields of a claim, in the order of SPEC §6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// `claim_id`.
    ClaimId,
    /// `program`.
    Program,
    /// `person_id`.
    PersonId,
    /// `enterprise_id`.
    EnterpriseId,
    /// `group`.
    Group,
    /// `district`.
    District,
    /// `occupation`.
    Occupation,
    /// `level`.
    Level,
    /// `event_date`.
    EventDate,
    /// `applied_on`.
    AppliedOn,
    /// `institution`.
    Institution,
    /// `fee_paid`.
    FeePaid,
    /// `months`.
    Months,
    /// `ui_contribution_months`.
    UiContributionMonths,
    /// `project`.
    Project,
    /// `evaluator`: the evaluation institution (评价机构) that certified the level.
    Evaluator,
}

impl Field {
    /// Every field.
    pub const ALL: [Field; 16] = [
        Field::ClaimId,
        Field::Program,
        Field::PersonId,
        Field::EnterpriseId,
        Field::Group,
        Field::District,
        Field::Occupation,
        Field::Level,
        Field::EventDate,
        Field::AppliedOn,
        Field::Institution,
        Field::FeePaid,
        Field::Months,
        Field::UiContributionMonths,
        Field::Project,
        Field::Evaluator,
    ];

    /// How many fields a claim has.
    pub const COUNT: usize = Field::ALL.len();

    /// The field's name in records.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Field::ClaimId => "claim_id",
            Field::Program => "program",
            Field::PersonId => "person_id",
            Field::EnterpriseId => "enterprise_id",
            Field::Group => "group",
            Field::District => "district",
            Field::Occupation => "occupation",
            Field::Level => "level",
            Field::EventDate => "event_date",
            Field::AppliedOn => "applied_on",
            Field::Institution => "institution",
            Field::FeePaid => "fee_paid",
            Field::Months => "months",
            Field::UiContributionMonths => "ui_contribution_months",
            Field::Project => "project",
            Field::Evaluator => "evaluator",
        }
    }

    /// The field's Chinese name.
    #[must_use]
    pub fn name_zh(self) -> &'static str {
        match self {
            Field::ClaimId => "申请编号",
            Field::Program => "补贴项目",
            Field::PersonId => "人员标识",
            Field::EnterpriseId => "企业标识",
            Field::Group => "人员类别",
            Field::District => "市（县）区",
            Field::Occupation => "职业（工种）",
            Field::Level => "技能等级",
            Field::EventDate => "取证/录用/结业日期",
            Field::AppliedOn => "申请日期",
            Field::Institution => "培训机构",
            Field::FeePaid => "实际缴纳培训费",
            Field::Months => "月数",
            Field::UiContributionMonths => "失业保险缴费月数",
            Field::Project => "项目编号",
            Field::Evaluator => "评价机构",
        }
    }

    /// Reads a field name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }
}

mod count;
mod errors;
// Public through the crate root with the `unstable` feature, for the bindings.
#[cfg_attr(not(feature = "unstable"), allow(dead_code))]
pub mod normalise;
mod raw;
pub(crate) mod record;
mod typed;

pub use count::MAX_MONTHS;
pub use errors::{ClaimErrorKind, FieldError};
pub(crate) use raw::SERDE_JSON_NUMBER;
pub use raw::{FieldSource, RawClaim, RawRef, RawValue};

/// Whether unknown fields are an error (`Strict`, the default for JSON) or ignored
/// (`Lenient`, for CSV exports with extra columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FieldMode {
    /// Unknown fields make the claim invalid.
    #[default]
    Strict,
    /// Unknown fields are ignored.
    Lenient,
}

/// A validated claim. Text fields are [`CompactString`]s: ids and codes up to 24 bytes are
/// held inline, so a batch of claims is compact in memory and cheap to build.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Claim {
    /// Unique within a batch.
    pub claim_id: CompactString,
    /// A program id of the ruleset.
    pub program: CompactString,
    /// Opaque id of the trainee; never logged or shown in errors.
    pub person_id: CompactString,
    /// The employer, for enterprise-paid programs.
    pub enterprise_id: Option<CompactString>,
    /// The trainee's group (default `employee`).
    pub group: Group,
    /// District, for reports.
    pub district: Option<CompactString>,
    /// Occupation code.
    pub occupation: Option<CompactString>,
    /// Skill level (the target level for an apprenticeship).
    pub level: Option<Level>,
    /// Certificate, hire or completion date: picks the catalogue version.
    pub event_date: Date,
    /// Application date: claim window, annual limit year, queue order, payment month.
    pub applied_on: Date,
    /// Training institution id.
    pub institution: Option<CompactString>,
    /// Fee actually paid, in yuan.
    pub fee_paid: Option<Decimal>,
    /// Months claimed.
    pub months: Option<u32>,
    /// Months of unemployment-insurance contributions.
    pub ui_contribution_months: Option<u32>,
    /// Approved project id.
    pub project: Option<CompactString>,
    /// The evaluation institution (评价机构) that certified the level, when given.
    pub evaluator: Option<CompactString>,
}

impl Claim {
    /// A claim with the fields every claim has; set the others as needed.
    ///
    /// ```
    /// use skill_subsidy::{calendar::parse_date, Claim};
    /// let claim = Claim::new("C1", "pre_job", "P1", parse_date("2021-05-10").unwrap(), parse_date("2021-05-20").unwrap());
    /// assert_eq!(claim.group.code(), "employee");
    /// ```
    #[must_use]
    pub fn new(claim_id: &str, program: &str, person_id: &str, event_date: Date, applied_on: Date) -> Claim {
        Claim {
            claim_id: claim_id.into(),
            program: program.into(),
            person_id: person_id.into(),
            enterprise_id: None,
            group: Group::Employee,
            district: None,
            occupation: None,
            level: None,
            event_date,
            applied_on,
            institution: None,
            fee_paid: None,
            months: None,
            ui_contribution_months: None,
            project: None,
            evaluator: None,
        }
    }

    /// Validates raw fields. On failure, the error ([`ErrorKind::Claim`](crate::ErrorKind::Claim))
    /// holds every field error. A problem with the record as a whole (not an object, an
    /// unreadable row) is its only error: its fields cannot be trusted.
    pub fn parse(raw: &(impl FieldSource + ?Sized), mode: FieldMode) -> Result<Claim, crate::Error> {
        Claim::read(raw, mode).map_err(crate::Error::claim)
    }

    /// [`Claim::parse`], with the field errors as they are kept in an `invalid` assessment.
    pub(crate) fn read(raw: &(impl FieldSource + ?Sized), mode: FieldMode) -> Result<Claim, Vec<FieldError>> {
        if let Some(e) = raw.record_error() {
            return Err(vec![e.clone()]);
        }
        let mut errors = Vec::new();
        if mode == FieldMode::Strict {
            for name in raw.unknown_fields() {
                errors.push(FieldError::new(ClaimErrorKind::UnknownField, name, None));
            }
        }
        // A field given twice is ambiguous in any mode: which value was meant?
        for name in raw.repeated_fields() {
            errors.push(FieldError::new(ClaimErrorKind::RepeatedField, name, None));
        }
        let mut p = FieldReader { raw, errors: &mut errors };
        let claim_id = p.text(Field::ClaimId, true);
        let program = p.text(Field::Program, true);
        let person_id = p.text(Field::PersonId, true);
        let enterprise_id = p.text(Field::EnterpriseId, false);
        let group = p.group();
        let district = p.text(Field::District, false);
        let occupation = p.text(Field::Occupation, false);
        let level = p.level();
        let event_date = p.date(Field::EventDate);
        let applied_on = p.date(Field::AppliedOn);
        let institution = p.text(Field::Institution, false);
        let fee_paid = p.money(Field::FeePaid);
        let months = p.count(Field::Months, 1);
        let ui_contribution_months = p.count(Field::UiContributionMonths, 0);
        let project = p.text(Field::Project, false);
        let evaluator = p.text(Field::Evaluator, false);
        match (claim_id, program, person_id, event_date, applied_on) {
            (Some(claim_id), Some(program), Some(person_id), Some(event_date), Some(applied_on)) if errors.is_empty() => Ok(Claim {
                claim_id,
                program,
                person_id,
                enterprise_id,
                group: group.unwrap_or(Group::Employee),
                district,
                occupation,
                level,
                event_date,
                applied_on,
                institution,
                fee_paid,
                months,
                ui_contribution_months,
                project,
                evaluator,
            }),
            _ => Err(errors),
        }
    }
}

/// The fields a row of a table holds for itself — its ids, enterprise, dates and fee — read
/// as [`Claim::read`] reads them (SPEC §6). The table path reads these per row and every other
/// field once per distinct text (`batch/table/read.rs`).
#[derive(Debug, Clone)]
pub(crate) struct OwnFields {
    pub claim_id: CompactString,
    pub person_id: CompactString,
    pub enterprise_id: Option<CompactString>,
    pub event_date: Date,
    pub applied_on: Date,
    pub fee_paid: Option<Decimal>,
}

/// Own fields a column gave without text (an integer id, a fee in whole fen) or read once for a
/// block of rows that share them (a date): taken as they are, the others read from the row.
#[derive(Debug, Default)]
pub(crate) struct GivenFields {
    pub claim_id: Option<CompactString>,
    pub person_id: Option<CompactString>,
    pub fee_fen: Option<i64>,
    pub event_date: Option<Date>,
    pub applied_on: Option<Date>,
}

/// A date field's value read as [`Claim::read`] reads it, or `None` when it does not validate.
pub(crate) fn read_date(field: Field, value: RawRef<'_>) -> Option<Date> {
    struct One<'v>(Field, RawRef<'v>);
    impl FieldSource for One<'_> {
        fn value(&self, field: Field) -> Option<RawRef<'_>> {
            (field == self.0).then_some(self.1)
        }
        fn unknown_fields(&self) -> &[String] {
            &[]
        }
    }
    let mut errors = Vec::new();
    FieldReader { raw: &One(field, value), errors: &mut errors }.date(field).filter(|_| errors.is_empty())
}

impl OwnFields {
    /// A row's own fields, or `None` when one does not validate (the row is then read whole,
    /// which gives its errors).
    pub(crate) fn read(raw: &(impl FieldSource + ?Sized), given: GivenFields) -> Option<OwnFields> {
        let mut errors = Vec::new();
        let mut p = FieldReader { raw, errors: &mut errors };
        let claim_id = given.claim_id.or_else(|| p.text(Field::ClaimId, true));
        let person_id = given.person_id.or_else(|| p.text(Field::PersonId, true));
        let enterprise_id = p.text(Field::EnterpriseId, false);
        let event_date = given.event_date.or_else(|| p.date(Field::EventDate));
        let applied_on = given.applied_on.or_else(|| p.date(Field::AppliedOn));
        let fee_paid = match given.fee_fen {
            Some(fen) => Some(Decimal::new(fen, 2)),
            None => p.money(Field::FeePaid),
        };
        match (claim_id, person_id, event_date, applied_on) {
            (Some(claim_id), Some(person_id), Some(event_date), Some(applied_on)) if errors.is_empty() => {
                Some(OwnFields { claim_id, person_id, enterprise_id, event_date, applied_on, fee_paid })
            }
            _ => None,
        }
    }

    /// `shared` (a claim read with placeholder ids and dates and neither enterprise nor fee)
    /// with these fields: the claim [`Claim::read`] gives for the whole row.
    pub(crate) fn into_claim(self, shared: &Claim) -> Claim {
        Claim {
            claim_id: self.claim_id,
            person_id: self.person_id,
            enterprise_id: self.enterprise_id,
            event_date: self.event_date,
            applied_on: self.applied_on,
            fee_paid: self.fee_paid,
            ..shared.clone()
        }
    }
}

/// Longest text a field may hold, in bytes.
pub const MAX_FIELD_BYTES: usize = 200;

struct FieldReader<'a, S: FieldSource + ?Sized> {
    raw: &'a S,
    errors: &'a mut Vec<FieldError>,
}

impl<'a, S: FieldSource + ?Sized> FieldReader<'a, S> {
    fn fail(&mut self, kind: ClaimErrorKind, field: Field, value: Option<&str>) {
        // A person id may be a resident ID number: it never appears in an error (SPEC §12).
        let shown = if field == Field::PersonId { None } else { value.map(shorten) };
        self.errors.push(FieldError::new(kind, field.name(), shown));
    }

    /// The field as text, when present and not empty. Numbers are accepted as their text.
    fn present(&mut self, field: Field) -> Option<&'a str> {
        match self.raw.value(field)? {
            RawRef::Null => None,
            RawRef::Text(s) if trim(s).is_empty() => None,
            RawRef::Text(s) | RawRef::Number(s) => Some(s),
            RawRef::Bool(b) => {
                self.fail(ClaimErrorKind::WrongType, field, Some(&b.to_string()));
                None
            }
            RawRef::Other(kind) => {
                self.fail(ClaimErrorKind::WrongType, field, Some(kind));
                None
            }
            RawRef::NotUtf8 => {
                self.fail(ClaimErrorKind::InvalidUtf8, field, None);
                None
            }
        }
    }

    fn text(&mut self, field: Field, required: bool) -> Option<CompactString> {
        let Some(text) = self.present(field) else {
            if required && matches!(self.raw.value(field), None | Some(RawRef::Null | RawRef::Text(_))) {
                self.fail(ClaimErrorKind::MissingField, field, None);
            }
            return None;
        };
        if text.len() > MAX_FIELD_BYTES {
            self.fail(ClaimErrorKind::TooLong, field, Some(text));
            None
        } else if has_control(text) {
            self.fail(ClaimErrorKind::InvalidCharacters, field, Some(text));
            None
        } else {
            Some(CompactString::from(trim(text)))
        }
    }

    fn group(&mut self) -> Option<Group> {
        let text = self.text(Field::Group, false)?;
        let group = Group::parse(&text);
        if group.is_none() {
            self.fail(ClaimErrorKind::UnknownGroup, Field::Group, Some(&text));
        }
        group
    }

    fn level(&mut self) -> Option<Level> {
        let number = matches!(self.raw.value(Field::Level), Some(RawRef::Number(_)));
        let text = self.text(Field::Level, false)?;
        // A level given as a JSON number is read by its value, as the schema's enum compares it.
        let level =
            if number { count::parse_count(&text, true, 1).ok().and_then(|n| Level::parse(&n.to_string())) } else { Level::parse(&text) };
        if level.is_none() {
            self.fail(ClaimErrorKind::UnknownLevel, Field::Level, Some(&text));
        }
        level
    }

    fn date(&mut self, field: Field) -> Option<Date> {
        let text = self.text(field, true)?;
        let date = parse_date(&text).ok();
        if date.is_none() {
            self.fail(ClaimErrorKind::BadDate, field, Some(&text));
        }
        date
    }

    fn money(&mut self, field: Field) -> Option<Decimal> {
        let text = self.text(field, false)?;
        match parse_money(&text) {
            Ok(amount) => Some(amount),
            Err(e) => {
                let kind = ClaimErrorKind::from(e);
                self.fail(kind, field, Some(&text));
                None
            }
        }
    }

    fn count(&mut self, field: Field, minimum: u32) -> Option<u32> {
        let number = matches!(self.raw.value(field), Some(RawRef::Number(_)));
        let text = self.text(field, false)?;
        match count::parse_count(&text, number, minimum) {
            Ok(n) => Some(n),
            Err(kind) => {
                self.fail(kind, field, Some(&text));
                None
            }
        }
    }
}

/// Whether text holds a control character (C0, DEL or C1). ASCII text, the usual case, is
/// checked byte by byte without decoding.
pub(crate) fn has_control(text: &str) -> bool {
    // Visible ASCII and spaces (nearly every value) are checked a byte at a time, without
    // decoding; only other text is decoded.
    !text.bytes().all(|b| (0x20..0x7F).contains(&b)) && text.chars().any(char::is_control)
}

/// `text.trim()`, without decoding where it starts and ends with visible ASCII (nearly every
/// value): only then can it have no white space to trim at either end.
pub(crate) fn trim(text: &str) -> &str {
    match (text.as_bytes().first(), text.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => text,
        _ => text.trim(),
    }
}

fn shorten(value: &str) -> String {
    if value.len() <= 60 {
        value.to_string()
    } else {
        let cut = (0..=57).rev().find(|&i| value.is_char_boundary(i)).unwrap_or(0);
        format!("{}…", &value[..cut])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quick_trim_and_control_check_agree_with_the_plain_ones() {
        let plain_control = |t: &str| t.chars().any(char::is_control);
        for text in
            ["", " ", "a", " a", "a ", "\u{3000}a", "a\u{3000}", "\u{a0}", "滨湖区", "a\tb", "a\u{7f}", "a\u{85}", "x\u{9f}y", "~!", "a b"]
        {
            assert_eq!(trim(text), text.trim(), "{text:?}");
            assert_eq!(has_control(text), plain_control(text), "{text:?}");
        }
    }

    fn raw(pairs: &[(&str, &str)]) -> RawClaim {
        let mut raw = RawClaim::default();
        for (k, v) in pairs {
            raw.set(k, RawValue::Text((*v).to_string()));
        }
        raw
    }

    const BASE: [(&str, &str); 5] = [
        ("claim_id", "C1"),
        ("program", "skills_training"),
        ("person_id", "320211199001011234"),
        ("event_date", "2021-05-01"),
        ("applied_on", "2021-05-20"),
    ];

    #[test]
    fn a_minimal_claim_is_valid_and_defaults_to_employee() {
        let claim = Claim::read(&raw(&BASE), FieldMode::Strict).unwrap();
        assert_eq!(claim.group, Group::Employee);
        assert_eq!(claim.event_date.to_string(), "2021-05-01");
    }

    #[test]
    fn every_bad_field_is_reported_not_only_the_first() {
        let mut pairs = BASE.to_vec();
        pairs.extend([("event_date", "2021-02-30"), ("fee_paid", "NaN"), ("level", "6"), ("months", "0"), ("colour", "red")]);
        let errors = Claim::read(&raw(&pairs), FieldMode::Strict).unwrap_err();
        let codes: Vec<&str> = errors.iter().map(|e| e.code.code()).collect();
        assert_eq!(codes, ["unknown_field", "unknown_level", "bad_date", "bad_money", "out_of_range"]);
        assert!(errors.iter().all(|e| !e.message_zh.is_empty() && !e.message_en.is_empty()));
    }

    #[test]
    fn lenient_mode_ignores_unknown_fields() {
        let mut pairs = BASE.to_vec();
        pairs.push(("colour", "red"));
        assert!(Claim::read(&raw(&pairs), FieldMode::Lenient).is_ok());
    }

    #[test]
    fn a_repeated_json_key_is_an_error_not_its_last_value() {
        let raw: RawClaim = serde_json::from_str(
            r#"{"claim_id":"C1","program":"online","person_id":"P1","event_date":"2021-05-01","applied_on":"2021-05-02","fee_paid":"3000","fee_paid":"10"}"#,
        )
        .unwrap();
        let errors = Claim::read(&raw, FieldMode::Lenient).unwrap_err();
        assert_eq!(errors.iter().map(|e| (e.field.as_str(), e.code)).collect::<Vec<_>>(), [("fee_paid", ClaimErrorKind::RepeatedField)]);
        let not_object: RawClaim = serde_json::from_str("[1, 2]").unwrap();
        assert_eq!(Claim::read(&not_object, FieldMode::Strict).unwrap_err()[0].code, ClaimErrorKind::NotAnObject);
    }

    #[test]
    fn person_id_never_appears_in_errors() {
        let mut pairs = BASE.to_vec();
        pairs.push(("person_id", "32021119900101\u{7}1234"));
        let errors = Claim::read(&raw(&pairs), FieldMode::Strict).unwrap_err();
        assert_eq!(errors[0].field, "person_id");
        assert_eq!(errors[0].value, None);
        let shown = serde_json::to_string(&errors).unwrap();
        assert!(!shown.contains("3202111990"), "{shown}");
    }

    #[test]
    fn float_money_that_is_not_whole_fen_is_refused() {
        let mut claim = raw(&BASE);
        claim.set("fee_paid", RawValue::Number("0.30000000000000004".into()));
        let errors = Claim::read(&claim, FieldMode::Strict).unwrap_err();
        assert_eq!(errors[0].code, ClaimErrorKind::MoneyPrecision);
        claim.set("fee_paid", RawValue::Number("1500.1".into()));
        assert_eq!(Claim::read(&claim, FieldMode::Strict).unwrap().fee_paid, Some("1500.1".parse().unwrap()));
    }
}
