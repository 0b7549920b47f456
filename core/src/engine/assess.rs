//! Assessing one claim: the checks of SPEC §7.1 in order (every failing one is listed), then
//! the amount by calculation kind, the uplift, the caps, and one rounding.

use super::compile::{InstitutionIndex, OccEntry, Segment, Values, VersionRef};
use super::steps::{note, pass_or_fail};
use super::Engine;
use crate::assessment::Assessment;
use crate::calendar::{add_months, after_months, YearMonth};
use crate::claim::{Claim, ClaimErrorKind, Field, FieldError};
use crate::reasons::{Reason, Reasons};
use crate::rules::{Calculation, Payee, Program};
use crate::trace::{StepId, StepOutcome, Trace, Tracer};

/// What the checks found that the amount needs.
#[derive(Default)]
pub(super) struct Found<'e> {
    pub occupation: Option<&'e OccEntry>,
    pub version: Option<VersionRef>,
    pub project_price: Option<crate::rules::ParamId>,
}

impl Engine {
    /// One claim: an apprenticeship is an estimate of its review (SPEC §8); any other claim is
    /// assessed on its own.
    pub(super) fn run<T: Tracer>(&self, claim: &Claim, t: &mut T) -> Assessment {
        // The program is looked up once, here, for both.
        let index = self.program_index.get(claim.program.as_str());
        let apprenticeship = index.is_some_and(|i| {
            matches!(self.rules.programs[self.programs[usize::from(i)].rule].calculation, Calculation::Apprenticeship { .. })
        });
        if apprenticeship {
            self.estimate_apprenticeship(claim, t)
        } else {
            self.run_plain_of(claim, index, Dated::Claim, t)
        }
    }

    /// Checks 1–7 of one claim and its amount, on its own dates — or, for an application dated
    /// at its review session, without the claim window and the month after (an application is
    /// not a certificate claimed late, and its payments are staged).
    pub(crate) fn run_plain<T: Tracer>(&self, claim: &Claim, dated: Dated, t: &mut T) -> Assessment {
        self.run_plain_of(claim, self.program_index.get(claim.program.as_str()), dated, t)
    }

    /// [`Engine::run_plain`] of a claim whose program's index was looked up (`None`: unknown).
    fn run_plain_of<T: Tracer>(&self, claim: &Claim, index: Option<u16>, dated: Dated, t: &mut T) -> Assessment {
        let Some(index) = index else {
            return self.unknown_program(claim, t);
        };
        let compiled = &self.programs[usize::from(index)];
        let program = &self.rules.programs[compiled.rule];
        let seg = compiled.segment(claim.event_date);

        let missing = required_missing(claim, program, seg);
        if missing != 0 {
            let errors = Field::ALL
                .iter()
                .filter(|f| missing & (1 << **f as u32) != 0)
                .map(|f| FieldError::new(ClaimErrorKind::RequiredByProgram, f.name(), None))
                .collect();
            let mut a = Assessment::invalid(errors);
            a.program_index = Some(index);
            if T::ON {
                let trace = self.invalid_trace(&a);
                for step in trace.steps {
                    t.step(|| step);
                }
            }
            return a;
        }
        t.step(|| {
            self.rule_step(
                StepId::Program,
                StepOutcome::Pass,
                Some(format!("programs.{}", program.id)),
                Some(&program.citation),
                (None, Some(program.calculation.code().to_string())),
                note!("Program {} ({}), kind {}, paid to the {} from the fund {}", program.id, program.name_en, program.calculation.code(), program.payee.code(), program.fund.code();
                      "补贴项目：{}（{}），按“{}”计算，补贴给{}，资金来源：{}", program.name_zh, program.id, program.calculation.code(),
                      if program.payee == Payee::Individual { "个人" } else { "企业" }, program.fund.name_zh()),
            )
        });

        let mut reasons = Reasons::NONE;
        let found = self.check_catalogue(claim, program, seg, &mut reasons, t);
        self.check_group(claim, program, &mut reasons, t);
        self.check_institution(claim, program, seg, &mut reasons, t);
        if dated == Dated::Claim {
            self.check_window(claim, seg.claim_window_months, seg.in_force(), &mut reasons, t);
        }
        let found = self.check_conditions(claim, program, seg, found, &mut reasons, t);
        if !reasons.is_empty() {
            return Assessment::rejected(Some(index), reasons, found.version);
        }
        let Some(amount) = self.amount(claim, program, seg, &found, t) else {
            // The loader checks that every subsidised level has an amount in every category,
            // so this is only reached if a catalogue and a table disagree; reject, never guess.
            return Assessment::rejected(Some(index), Reason::LevelNotOffered.into(), found.version);
        };
        if amount.is_zero() {
            // A subsidy of 0.00 (no fee paid) is not a subsidy: it must not use up a place in the
            // annual limit or the once-per-level rule.
            t.step(|| {
                self.rule_step(
                    StepId::ProgramConditions,
                    StepOutcome::Fail,
                    None,
                    None,
                    (Some("0.00".into()), None),
                    note!("The amount comes to 0.00: there is nothing to pay"; "补贴金额为0元，无需发放"),
                )
            });
            return Assessment::rejected(Some(index), Reason::NothingToPay.into(), found.version);
        }
        let lag = seg.payment_lag;
        let month = YearMonth::of(claim.applied_on).plus(lag);
        if dated == Dated::Session {
            return Assessment::approved(index, amount, found.version, month);
        }
        t.step(|| {
            self.param_step(
                StepId::Payment,
                StepOutcome::Info,
                self.rules.payment.months_after_application,
                seg.in_force(),
                (None, Some(month.to_string())),
                note!("Paid in {month}, {lag} month(s) after the month of application (monthly payment)";
                      "按月发放：于 {month} 发放（申请当月之后第 {lag} 个月）"),
            )
        });
        Assessment::approved(index, amount, found.version, month)
    }

    fn unknown_program<T: Tracer>(&self, claim: &Claim, t: &mut T) -> Assessment {
        t.step(|| {
            let known: Vec<&str> = self.rules.programs.iter().map(|p| p.id.as_str()).collect();
            self.rule_step(
                StepId::Program,
                StepOutcome::Fail,
                Some("programs".into()),
                None,
                (Some(claim.program.to_string()), None),
                note!("Program {:?} is not in ruleset {}; its programs are {}", claim.program, self.rules.id, known.join(", ");
                      "补贴项目“{}”不在规则 {} 中；可选项目：{}", claim.program, self.rules.id, known.join("、")),
            )
        });
        let mut reasons = Reasons::from(Reason::UnknownProgram);
        let months = super::compile::count(self.base_values[self.rules.limits.claim_window_months.0 as usize]);
        self.check_window(claim, months, Values::plain(&self.base_values), &mut reasons, t);
        Assessment::rejected(None, reasons, None)
    }

    /// The trace of an invalid claim: one step listing its field errors.
    pub(crate) fn invalid_trace(&self, a: &Assessment) -> Trace {
        let mut trace = Trace::new(&self.rules.id);
        let fields: Vec<String> = a.errors.iter().map(|e| format!("{} ({})", e.field, e.code.code())).collect();
        trace.step(|| {
            self.rule_step(
                StepId::Validation,
                StepOutcome::Fail,
                None,
                None,
                (None, None),
                note!("The claim is malformed and cannot be assessed: {}", fields.join(", ");
                      "申请信息有误，无法审核：{}", fields.join("，")),
            )
        });
        trace
    }

    /// Checks 2 and 3: the catalogue in force, the occupation in it, the level offered.
    fn check_catalogue<'e, T: Tracer>(
        &self,
        claim: &Claim,
        program: &Program,
        seg: &'e Segment,
        reasons: &mut Reasons,
        t: &mut T,
    ) -> Found<'e> {
        let mut found = Found::default();
        if let Some(catalogue) = &program.occupation_catalogue {
            match &seg.occupations {
                None => {
                    reasons.add(Reason::NoCatalogueInForce);
                    t.step(|| {
                        self.rule_step(
                            StepId::Catalogue,
                            StepOutcome::Fail,
                            Some(format!("catalogues.{catalogue}")),
                            None,
                            (Some(claim.event_date.to_string()), None),
                            note!("No version of catalogue {catalogue} is in force on {}", claim.event_date;
                                  "{} 当日没有有效的“{catalogue}”目录版本", claim.event_date),
                        )
                    });
                }
                Some(index) => {
                    found.version = Some(index.version);
                    let version = &self.rules.catalogues[usize::from(index.version.catalogue)].versions[usize::from(index.version.version)];
                    t.catalogue_version(|| version.id.clone());
                    t.step(|| {
                        self.rule_step(
                            StepId::Catalogue,
                            StepOutcome::Pass,
                            Some(format!("catalogues.{catalogue}.{}", version.id)),
                            Some(&version.citation),
                            (Some(claim.event_date.to_string()), Some(version.id.clone())),
                            note!("Catalogue version {} ({}) is in force on {}", version.id, version.period, claim.event_date;
                                  "{} 适用目录版本 {}（{}）", claim.event_date, version.id, version.period),
                        )
                    });
                    let code = claim.occupation.as_deref().unwrap_or_default();
                    found.occupation = index.map.get(code);
                    let level = claim.level;
                    match found.occupation {
                        None => reasons.add(Reason::OccupationNotInCatalogue),
                        Some(o) if level.is_some_and(|l| !o.levels.contains(l)) => reasons.add(Reason::LevelNotOffered),
                        Some(_) => {}
                    }
                    t.step(|| {
                        let rule = Some(format!("catalogues.{catalogue}.{}.occupations", version.id));
                        match found.occupation {
                            None => self.rule_step(
                                StepId::Occupation,
                                StepOutcome::Fail,
                                rule,
                                Some(&version.citation),
                                (Some(code.to_string()), None),
                                note!("Occupation {code} is not in catalogue version {}", version.id; "职业（工种）{code} 不在目录版本 {} 中", version.id),
                            ),
                            Some(o) => {
                                let occupation = &version.occupations()[o.index as usize];
                                let offered = level.is_none_or(|l| o.levels.contains(l));
                                let level_text = level.map(|l| l.code()).unwrap_or("-");
                                self.rule_step(
                                    StepId::Occupation,
                                    pass_or_fail(offered),
                                    rule,
                                    Some(occupation.citation.as_ref().unwrap_or(&version.citation)),
                                    (Some(code.to_string()), Some(o.levels.codes())),
                                    note!("{code} {} ({}) offers levels {}; level {level_text} is {}", occupation.name_zh, occupation.name_en, o.levels.codes(),
                                          if offered { "offered" } else { "not offered" };
                                          "{code} {} 可评定等级 {}；等级 {level_text} {}", occupation.name_zh, o.levels.codes(), if offered { "在列" } else { "不在列" }),
                                )
                            }
                        }
                    });
                }
            }
        }
        if let (Some(levels), Some(level)) = (&program.levels, claim.level) {
            let ok = levels.value.contains(level);
            reasons.require(ok, Reason::LevelNotOffered);
            t.step(|| {
                self.rule_step(
                    StepId::Level,
                    pass_or_fail(ok),
                    Some(levels.path.clone()),
                    Some(&levels.citation),
                    (Some(level.code().to_string()), Some(levels.value.codes())),
                    note!("{} subsidises levels {}; {} is {}", program.id, levels.value.codes(), level.name_en(), if ok { "one of them" } else { "not" };
                          "{}补贴的等级为 {}；{}{}", program.name_zh, levels.value.codes(), level.name_zh(), if ok { "在列" } else { "不在补贴范围内" }),
                )
            });
        }
        found
    }

    /// Check 4: the group may claim.
    fn check_group<T: Tracer>(&self, claim: &Claim, program: &Program, reasons: &mut Reasons, t: &mut T) {
        let ok = program.groups.value.contains(claim.group);
        reasons.require(ok, Reason::GroupNotEligible);
        t.step(|| {
            let groups: Vec<&str> = program.groups.value.iter().map(|g| g.code()).collect();
            let groups_zh: Vec<&str> = program.groups.value.iter().map(|g| g.name_zh()).collect();
            self.rule_step(
                StepId::Group,
                pass_or_fail(ok),
                Some(program.groups.path.clone()),
                Some(&program.groups.citation),
                (Some(claim.group.code().to_string()), Some(groups.join(","))),
                note!("Group {} {} claim {}; eligible groups: {}", claim.group, if ok { "may" } else { "may not" }, program.id, groups.join(", ");
                      "人员类别“{}”{}申请{}；补贴对象：{}", claim.group.name_zh(), if ok { "可以" } else { "不可" }, program.name_zh, groups_zh.join("、")),
            )
        });
    }

    /// Check 5: the institution is in the catalogue in force and may train the occupation; the
    /// evaluation institution, when the claim names one (or the program requires it), likewise.
    fn check_institution<T: Tracer>(&self, claim: &Claim, program: &Program, seg: &Segment, reasons: &mut Reasons, t: &mut T) {
        if let Some(catalogue) = &program.institution_catalogue {
            let id = claim.institution.as_deref().unwrap_or_default();
            self.check_listed(claim, catalogue, seg.institutions.as_deref(), id, Listing::Training, reasons, t);
        }
        if let (Some(catalogue), Some(id)) = (&program.evaluator_catalogue, claim.evaluator.as_deref()) {
            self.check_listed(claim, catalogue, seg.evaluators.as_deref(), id, Listing::Evaluation, reasons, t);
        }
    }

    /// Whether institution `id` is in the version of `catalogue` in force and approved for the
    /// claim's occupation.
    #[allow(clippy::too_many_arguments)]
    fn check_listed<T: Tracer>(
        &self,
        claim: &Claim,
        catalogue: &str,
        index: Option<&InstitutionIndex>,
        id: &str,
        listing: Listing,
        reasons: &mut Reasons,
        t: &mut T,
    ) {
        let occupation = claim.occupation.as_deref();
        let entry = index.and_then(|idx| idx.map.get(id));
        let scope_ok = entry.is_some_and(|e| e.all || occupation.is_none_or(|o| e.codes.contains(o)));
        let (step, reason, en, zh, verb_zh) = match listing {
            Listing::Training => (StepId::Institution, Reason::InstitutionNotApproved, "Institution", "培训机构", "培训"),
            Listing::Evaluation => (StepId::Evaluator, Reason::EvaluatorNotApproved, "Evaluation institution", "评价机构", "评价"),
        };
        reasons.require(scope_ok, reason);
        t.step(|| match index {
            None => self.rule_step(
                step,
                StepOutcome::Fail,
                Some(format!("catalogues.{catalogue}")),
                None,
                (Some(id.to_string()), None),
                note!("No version of catalogue {catalogue} is in force on {}", claim.event_date; "{} 当日没有有效的{zh}目录", claim.event_date),
            ),
            Some(index) => {
                let version = &self.rules.catalogues[usize::from(index.version.catalogue)].versions[usize::from(index.version.version)];
                let rule = Some(format!("catalogues.{catalogue}.{}.{}", version.id, listing.key()));
                let (en, zh) = match (entry, scope_ok) {
                    (None, _) => (format!("{en} {id} is not in version {}", version.id), format!("{zh} {id} 不在目录版本 {} 中", version.id)),
                    (Some(_), false) => (
                        format!("{en} {id} is in version {} but not approved for occupation {}", version.id, occupation.unwrap_or("-")),
                        format!("{zh} {id} 在目录版本 {} 中，但未获准{verb_zh}职业（工种）{}", version.id, occupation.unwrap_or("-")),
                    ),
                    (Some(e), true) => {
                        let name = match &version.entries {
                            crate::rules::Entries::Institutions(list) => list[e.index as usize].name_zh.as_str(),
                            _ => "",
                        };
                        (format!("{en} {id} ({name}) is approved in version {}", version.id), format!("{zh} {id}（{name}）在目录版本 {} 中，准予{verb_zh}", version.id))
                    }
                };
                self.rule_step(step, pass_or_fail(scope_ok), rule, Some(&version.citation), (Some(id.to_string()), None), note!("{}", en; "{}", zh))
            }
        });
    }

    /// Check 6: applied on or after the event, and within the claim window.
    fn check_window<T: Tracer>(&self, claim: &Claim, months: u32, values: Values<'_>, reasons: &mut Reasons, t: &mut T) {
        let limit = self.rules.limits.claim_window_months;
        let before = claim.applied_on < claim.event_date;
        let late = after_months(claim.event_date, months, claim.applied_on);
        if before {
            reasons.add(Reason::AppliedBeforeEvent);
        } else if late {
            reasons.add(Reason::ClaimWindowExpired);
        }
        t.step(|| {
            let deadline = add_months(claim.event_date, months).map(|d| d.to_string()).unwrap_or_default();
            let (en, zh) = if before {
                (
                    format!("Applied {} before the event date {}", claim.applied_on, claim.event_date),
                    format!("申请日期 {} 早于事件日期 {}", claim.applied_on, claim.event_date),
                )
            } else if late {
                (
                    format!(
                        "Applied {}, after the window of {months} months from {} closed on {deadline}",
                        claim.applied_on, claim.event_date
                    ),
                    format!("申请日期 {} 已超过自 {} 起 {months} 个月的申请期限（截至 {deadline}）", claim.applied_on, claim.event_date),
                )
            } else {
                (
                    format!("Applied {}, within {months} months of {} (by {deadline})", claim.applied_on, claim.event_date),
                    format!("申请日期 {} 在自 {} 起 {months} 个月内（截至 {deadline}）", claim.applied_on, claim.event_date),
                )
            };
            self.param_step(
                StepId::ClaimWindow,
                pass_or_fail(!before && !late),
                limit,
                values,
                (Some(claim.applied_on.to_string()), Some(deadline)),
                note!("{}", en; "{}", zh),
            )
        });
    }

    /// Check 7: the program's own conditions.
    fn check_conditions<'e, T: Tracer>(
        &self,
        claim: &Claim,
        program: &Program,
        seg: &Segment,
        mut found: Found<'e>,
        reasons: &mut Reasons,
        t: &mut T,
    ) -> Found<'e> {
        if let Some(min) = program.min_ui_contribution_months {
            let need = seg.count(min);
            let have = claim.ui_contribution_months.unwrap_or(0);
            let ok = have >= need;
            reasons.require(ok, Reason::InsufficientUiContributions);
            t.step(|| {
                self.param_step(
                    StepId::ProgramConditions,
                    pass_or_fail(ok),
                    min,
                    seg.in_force(),
                    (Some(have.to_string()), Some(need.to_string())),
                    note!("{have} months of unemployment-insurance contributions; {need} required"; "失业保险缴费 {have} 个月，要求不少于 {need} 个月"),
                )
            });
        }
        match &program.calculation {
            Calculation::PerProject => {
                let id = claim.project.as_deref().unwrap_or_default();
                let project =
                    self.rules.projects.iter().find(|p| p.id == id && p.program == program.id && p.period.contains(claim.event_date));
                found.project_price = project.map(|p| p.price);
                reasons.require(project.is_some(), Reason::UnknownProject);
                t.step(|| match project {
                    Some(p) => self.param_step(
                        StepId::ProgramConditions,
                        StepOutcome::Pass,
                        p.price,
                        seg.in_force(),
                        (Some(id.to_string()), None),
                        note!("Project {id} ({}) is approved for {} from {} to {}", p.name_zh, program.id, p.period.from, p.period.to;
                              "项目 {id}（{}）已立项，有效期 {} 至 {}", p.name_zh, p.period.from, p.period.to),
                    ),
                    None => self.rule_step(
                        StepId::ProgramConditions,
                        StepOutcome::Fail,
                        Some("projects".into()),
                        None,
                        (Some(id.to_string()), None),
                        note!("No approved project {id} of {} is in force on {}", program.id, claim.event_date; "{} 当日无已立项且在有效期内的项目 {id}", claim.event_date),
                    ),
                });
            }
            Calculation::Apprenticeship { min_months, max_months, .. } => {
                let (min, max) = (seg.count(*min_months), seg.count(*max_months));
                let months = claim.months.unwrap_or(0);
                let ok = (min..=max).contains(&months);
                reasons.require(ok, Reason::DurationOutOfRange);
                t.step(|| {
                    self.param_step(
                        StepId::ProgramConditions,
                        pass_or_fail(ok),
                        *max_months,
                        seg.in_force(),
                        (Some(months.to_string()), Some(format!("{min}..{max}"))),
                        note!("An apprenticeship of {months} months; {min} to {max} months are paid"; "学徒培养期 {months} 个月；补贴期限为 {min} 至 {max} 个月"),
                    )
                });
            }
            _ => {}
        }
        found
    }
}

/// What a claim's dates are: its own, or an application's review session (SPEC §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dated {
    /// A claim: `event_date` and `applied_on` as given.
    Claim,
    /// An apprenticeship application re-dated at its review session.
    Session,
}

/// Which catalogue of institutions a check reads.
#[derive(Clone, Copy)]
enum Listing {
    /// 培训机构目录.
    Training,
    /// 评价机构目录.
    Evaluation,
}

impl Listing {
    fn key(self) -> &'static str {
        match self {
            Listing::Training => "institutions",
            Listing::Evaluation => "evaluators",
        }
    }
}

/// Fields the claim's program needs that the claim lacks, as a bit mask over [`Field`].
fn required_missing(claim: &Claim, program: &Program, seg: &Segment) -> u32 {
    let mut missing = 0u32;
    let mut need = |field: Field, present: bool| {
        if !present {
            missing |= 1 << field as u32;
        }
    };
    if program.payee == Payee::Enterprise {
        need(Field::EnterpriseId, claim.enterprise_id.is_some());
    }
    if program.occupation_catalogue.is_some() {
        need(Field::Occupation, claim.occupation.is_some());
    }
    if program.institution_catalogue.is_some() {
        need(Field::Institution, claim.institution.is_some());
    }
    match &program.calculation {
        Calculation::LevelTable { .. } => need(Field::Level, claim.level.is_some()),
        Calculation::Apprenticeship { .. } => {
            need(Field::Level, claim.level.is_some());
            need(Field::Months, claim.months.is_some());
        }
        Calculation::PerMonth { .. } => need(Field::Months, claim.months.is_some()),
        Calculation::CappedFee { .. } => need(Field::FeePaid, claim.fee_paid.is_some()),
        Calculation::PerProject => need(Field::Project, claim.project.is_some()),
        Calculation::Flat { .. } => {}
    }
    if seg.flag(program.caps_at_fee) {
        need(Field::FeePaid, claim.fee_paid.is_some());
    }
    if program.min_ui_contribution_months.is_some() {
        need(Field::UiContributionMonths, claim.ui_contribution_months.is_some());
    }
    if seg.flag(program.requires_evaluator) {
        need(Field::Evaluator, claim.evaluator.is_some());
    }
    missing
}
