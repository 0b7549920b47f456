//! Typed claims checked as claims read from text are (SPEC §6, issue 18): a [`Claim`] built in
//! code holds the same values a JSON claim could, or it is `invalid` with the same errors.
//!
//! A typed claim's *text form* is what it would be as JSON (`fee_paid` as its decimal text, a
//! date as `YYYY-MM-DD`, a count as a number). Checking reads that text form with the one
//! claim reader ([`Claim::parse`]), so the codes, fields and values shown are the reader's own;
//! a claim whose values the reader would keep as they are (the usual case) is recognised
//! without writing the text out.

use super::{has_control, Claim, Field, FieldError, FieldMode, RawClaim, RawValue, MAX_FIELD_BYTES};
use crate::calendar::Date;
use crate::money::MAX_MONEY;
use chrono::Datelike;
use std::borrow::Cow;

impl Claim {
    /// Checks the claim's fields as the text reader checks them: a negative fee, a fee finer
    /// than the fen, an empty `claim_id` or `person_id`, text with control characters or over
    /// 200 bytes, `months` of 0 or over 1200, a date outside years 0000–9999 are errors, with
    /// the codes a JSON claim with those values gets.
    ///
    /// ```
    /// use skill_subsidy::{Claim, calendar::parse_date};
    /// let mut claim = Claim::new("C1", "skills_training", "P1", parse_date("2021-08-02")?, parse_date("2021-08-20")?);
    /// claim.fee_paid = Some("-100".parse().unwrap());
    /// let err = claim.validate().unwrap_err();
    /// assert_eq!(err.field_errors()[0].code.code(), "negative_money");
    /// # Ok::<(), skill_subsidy::Error>(())
    /// ```
    pub fn validate(&self) -> Result<(), crate::Error> {
        self.check().map(|_| ()).map_err(crate::Error::claim)
    }

    /// The claim as the text reader would hold it — text trimmed, blank optional text absent,
    /// `fee_paid` to the fen — or the errors [`Claim::validate`] finds.
    pub fn checked(self) -> Result<Claim, crate::Error> {
        match self.check() {
            Ok(Cow::Borrowed(_)) => Ok(self),
            Ok(Cow::Owned(claim)) => Ok(claim),
            Err(errors) => Err(crate::Error::claim(errors)),
        }
    }

    /// The claim as the reader holds it (borrowed when it already is), or its field errors.
    pub(crate) fn check(&self) -> Result<Cow<'_, Claim>, Vec<FieldError>> {
        if self.is_as_read() {
            return Ok(Cow::Borrowed(self));
        }
        Claim::read(&self.text_form(), FieldMode::Strict).map(Cow::Owned)
    }

    /// Whether reading the claim's text form gives back this very claim (conservative: `false`
    /// sends the claim through the reader, which decides).
    pub(crate) fn is_as_read(&self) -> bool {
        let required = [&self.claim_id, &self.program, &self.person_id];
        let optional = [&self.enterprise_id, &self.district, &self.occupation, &self.institution, &self.project, &self.evaluator];
        required.into_iter().all(|t| text_as_read(t))
            && optional.into_iter().flatten().all(|t| text_as_read(t))
            && date_as_read(self.event_date)
            && date_as_read(self.applied_on)
            // Of equal scale, amounts compare as their mantissas (cheaper than `Decimal`'s `<=`).
            && self.fee_paid.is_none_or(|f| f.scale() == 2 && !f.is_sign_negative() && f.mantissa() <= MAX_MONEY.mantissa())
            && self.months.is_none_or(|m| (1..=super::MAX_MONTHS).contains(&m))
            && self.ui_contribution_months.is_none_or(|m| m <= super::MAX_MONTHS)
    }

    /// The claim as a JSON object would give it.
    pub(crate) fn text_form(&self) -> RawClaim {
        let mut raw = RawClaim::default();
        let mut text = |field: Field, value: Option<String>| {
            if let Some(v) = value {
                raw.set_field(field, RawValue::Text(v));
            }
        };
        text(Field::ClaimId, Some(self.claim_id.to_string()));
        text(Field::Program, Some(self.program.to_string()));
        text(Field::PersonId, Some(self.person_id.to_string()));
        text(Field::EnterpriseId, self.enterprise_id.as_ref().map(ToString::to_string));
        text(Field::Group, Some(self.group.code().to_string()));
        text(Field::District, self.district.as_ref().map(ToString::to_string));
        text(Field::Occupation, self.occupation.as_ref().map(ToString::to_string));
        text(Field::Level, self.level.map(|l| l.code().to_string()));
        text(Field::EventDate, Some(self.event_date.to_string()));
        text(Field::AppliedOn, Some(self.applied_on.to_string()));
        text(Field::Institution, self.institution.as_ref().map(ToString::to_string));
        text(Field::FeePaid, self.fee_paid.map(|f| f.to_string()));
        text(Field::Project, self.project.as_ref().map(ToString::to_string));
        text(Field::Evaluator, self.evaluator.as_ref().map(ToString::to_string));
        for (field, count) in [(Field::Months, self.months), (Field::UiContributionMonths, self.ui_contribution_months)] {
            if let Some(n) = count {
                raw.set_field(field, RawValue::Number(n.to_string()));
            }
        }
        raw
    }
}

/// Text the reader keeps as it is: not blank, trimmed, short, no control characters.
fn text_as_read(text: &str) -> bool {
    let bytes = text.as_bytes();
    match (bytes.first(), bytes.last()) {
        _ if bytes.len() > MAX_FIELD_BYTES => false,
        // Printable ASCII (the ids and codes of nearly every claim), decided in one pass.
        (Some(&first), Some(&last)) if bytes.iter().all(|b| (0x20..0x7F).contains(b)) => first != b' ' && last != b' ',
        (Some(_), Some(_)) => !has_control(text) && text.trim().len() == text.len(),
        _ => false,
    }
}

/// A date the reader can read back: `YYYY-MM-DD` has four digits of year.
fn date_as_read(date: Date) -> bool {
    (0..=9999).contains(&date.year())
}
