//! Why a claim is rejected (不予补贴的原因), in the order the checks run.

use serde::Serialize;
use std::fmt;

/// The outcome of an assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Status {
    /// Eligible and paid.
    Approved,
    /// Well-formed but not eligible; `reasons` says why.
    Rejected,
    /// Malformed; `errors` says which fields.
    Invalid,
}

impl Status {
    /// The code used in records.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::Invalid => "invalid",
        }
    }
}

macro_rules! reasons {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $en:literal, $zh:literal; )*) => {
        /// A reason for rejection. The declaration order is the check order (SPEC §7.1, §7.2,
        /// §8), so a claim's reasons always list in that order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Reason { $( $(#[$doc])* $variant, )* }

        impl Reason {
            /// Every reason, in check order.
            pub const ALL: &'static [Reason] = &[$(Reason::$variant),*];

            /// The stable snake_case code.
            #[must_use]
            pub fn code(self) -> &'static str {
                match self { $(Reason::$variant => $code,)* }
            }

            /// One line in English.
            #[must_use]
            pub fn message_en(self) -> &'static str {
                match self { $(Reason::$variant => $en,)* }
            }

            /// One line in Chinese.
            #[must_use]
            pub fn message_zh(self) -> &'static str {
                match self { $(Reason::$variant => $zh,)* }
            }
        }
    };
}

reasons! {
    /// 1. The program is not in the ruleset.
    UnknownProgram = "unknown_program", "the program is not in the ruleset", "补贴项目不在本规则中";
    /// 2. No catalogue version covers `event_date`.
    NoCatalogueInForce = "no_catalogue_in_force", "no catalogue version is in force on the event date", "事件日期当日无有效的补贴目录";
    /// 3. The occupation is not in the catalogue in force.
    OccupationNotInCatalogue = "occupation_not_in_catalogue", "the occupation is not in the catalogue in force", "该职业（工种）不在当期补贴目录内";
    /// 3. The level is not offered for the occupation, or not subsidised by the program.
    LevelNotOffered = "level_not_offered", "the level is not offered for this occupation or program", "该职业（工种）或补贴项目不含此技能等级";
    /// 4. The group may not claim this program.
    GroupNotEligible = "group_not_eligible", "the trainee's group may not claim this program", "该人员类别不属于本项目补贴对象";
    /// 5. The institution is not approved (for this occupation).
    InstitutionNotApproved = "institution_not_approved", "the institution is not in the institution catalogue for this occupation", "培训机构不在当期培训机构目录内，或未获准培训该职业（工种）";
    /// 5. The evaluation institution is not approved (for this occupation).
    EvaluatorNotApproved = "evaluator_not_approved", "the evaluation institution is not in the evaluation institution catalogue for this occupation", "评价机构不在当期评价机构目录内，或未获准评价该职业（工种）";
    /// 6. Applied before the event.
    AppliedBeforeEvent = "applied_before_event", "the application is dated before the event", "申请日期早于取证/录用/结业日期";
    /// 6. Applied too long after the event.
    ClaimWindowExpired = "claim_window_expired", "the application came after the claim window closed", "超过申请期限";
    /// 7. Too few months of unemployment-insurance contributions.
    InsufficientUiContributions = "insufficient_ui_contributions", "too few months of unemployment-insurance contributions", "失业保险缴费月数不足";
    /// 7. No approved project with this id for this program on the event date.
    UnknownProject = "unknown_project", "no approved project with this id is in force for this program", "无此已立项的项目制培训项目";
    /// 7. An apprenticeship's duration is outside what the program pays for.
    DurationOutOfRange = "duration_out_of_range", "the duration is outside what the program pays for", "培训期限不在规定范围内";
    /// 7. The amount comes to zero (no fee was paid): nothing to pay, and nothing to count
    /// toward a limit.
    NothingToPay = "nothing_to_pay", "the amount comes to 0.00: there is nothing to pay", "补贴金额为0元，无需发放";
    /// §8. Submitted too late for the last review session.
    NoReviewSession = "no_review_session", "no review session remains for this application", "已无可安排的学徒制会审";
    /// §8. An apprenticeship sent as a plain claim in a batch: it is approved only at a review
    /// session, as an application.
    NeedsReview = "needs_review", "an apprenticeship is approved only at a review session: submit it as an application", "企业新型学徒制须经学徒制会审批准，请以学徒制申请提交";
    /// 8. Already subsidised for this occupation and level.
    DuplicateLevel = "duplicate_level", "this person was already subsidised for this occupation and level", "同一职业（工种）同一等级已享受过补贴";
    /// 9. Already subsidised for a higher level of this occupation.
    LowerThanSubsidisedLevel = "lower_than_subsidised_level", "this person was already subsidised for a higher level of this occupation", "已享受该职业（工种）更高等级的补贴";
    /// 10. Three subsidies already this calendar year.
    AnnualLimitReached = "annual_limit_reached", "this person already has the most subsidies allowed this year", "本年度享受补贴次数已达上限";
    /// 11. The exclusivity group already paid as much or more.
    ExclusiveWithOtherProgram = "exclusive_with_other_program", "a program of the same group already paid as much or more", "已享受同类补贴（取其高，不重复享受）";
    /// 11. An apprentice's enterprise claims for the same enterprise while apprenticed.
    ApprenticeshipOverlap = "apprenticeship_overlap", "the person is an apprentice of this enterprise at the time", "学徒培训期间企业不得重复申请岗位技能提升培训补贴";
    /// §8. The person already holds an approved apprenticeship at the time.
    AlreadyApprenticed = "already_apprenticed", "the person already holds an approved apprenticeship at the time", "该人员已有在培的学徒制培训";
    /// §8. The yearly quota of apprentices is full.
    QuotaFull = "quota_full", "the yearly quota of apprentices is full", "学徒制年度名额已满";
    /// 12. The special account is exhausted at this point of the queue.
    BudgetExhausted = "budget_exhausted", "the special account is used up (paid in order until it runs out)", "专账资金已用完（资金用完即止）";
    /// 12. No account of the fund covers `applied_on`.
    NoAccountInForce = "no_account_in_force", "no account of this fund covers the application date", "申请日期不在专账资金使用期内";
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// A set of reasons that iterates in check order (a bit mask, so that assessing a claim
/// allocates nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Reasons(u32);

impl Reasons {
    /// No reason.
    pub const NONE: Reasons = Reasons(0);

    unstable! {
        /// Adds a reason.
        fn add(&mut self, reason: Reason) {
            self.0 |= 1 << reason as u32;
        }
    }

    /// Adds `reason` when a check did not pass; returns `passed`.
    pub fn require(&mut self, passed: bool, reason: Reason) -> bool {
        if !passed {
            self.add(reason);
        }
        passed
    }

    /// Whether the set has `reason`.
    #[must_use]
    pub fn contains(self, reason: Reason) -> bool {
        self.0 & (1 << reason as u32) != 0
    }

    /// Whether there is none.
    #[must_use]
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The reasons in check order.
    pub fn iter(self) -> impl Iterator<Item = Reason> {
        Reason::ALL.iter().copied().filter(move |r| self.contains(*r))
    }

    /// The set as a bit mask over [`Reason::ALL`] (a compact key).
    #[must_use]
    pub(crate) fn bits(self) -> u32 {
        self.0
    }

    /// The set from [`Reasons::bits`].
    #[must_use]
    pub(crate) fn from_bits(bits: u32) -> Reasons {
        Reasons(bits)
    }

    /// The codes joined with `;` (the CSV form).
    #[must_use]
    pub fn joined(self) -> String {
        self.iter().map(Reason::code).collect::<Vec<_>>().join(";")
    }
}

impl From<Reason> for Reasons {
    fn from(reason: Reason) -> Reasons {
        let mut r = Reasons::NONE;
        r.add(reason);
        r
    }
}

impl Serialize for Reasons {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_list_in_check_order_whatever_order_they_were_found() {
        let mut r = Reasons::NONE;
        r.add(Reason::ClaimWindowExpired);
        r.add(Reason::OccupationNotInCatalogue);
        r.add(Reason::GroupNotEligible);
        assert_eq!(r.joined(), "occupation_not_in_catalogue;group_not_eligible;claim_window_expired");
        assert!(Reason::ALL.len() <= 32, "Reasons is a u32 mask");
    }
}
