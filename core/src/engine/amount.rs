//! The amount of an eligible claim by calculation kind (SPEC §5): the table, the uplift, the
//! caps, and the one rounding to the fen.

use super::assess::Found;
use super::compile::{LevelAmount, Segment, VersionRef};
use super::steps::note;
use super::Engine;
use crate::claim::Claim;
use crate::money::{format_yuan, min_amount, round_to_fen};
use crate::rules::{Calculation, Program};
use crate::trace::{StepId, StepOutcome, Tracer};
use rust_decimal::Decimal;

fn yuan(d: Decimal) -> String {
    d.normalize().to_string()
}

impl Engine {
    /// The amount of an eligible claim, rounded once. `None` when the table has no amount.
    pub(super) fn amount<T: Tracer>(
        &self,
        claim: &Claim,
        program: &Program,
        seg: &Segment,
        found: &Found<'_>,
        t: &mut T,
    ) -> Option<Decimal> {
        let amount = match &program.calculation {
            Calculation::LevelTable { purchase_prices, .. } => {
                let (level, la) = self.level_amount(claim, seg, found)?;
                // S9: a 培训合格证书 is paid at the government purchase price of its training,
                // where the ruleset lists one for the occupation.
                let code = claim.occupation.as_deref().unwrap_or_default();
                let price = purchase_prices.iter().find(|(c, _)| level == crate::level::Level::T && c == code).map(|(_, id)| *id);
                if let Some(id) = price {
                    let value = seg.number(id);
                    t.step(|| {
                        self.param_step(
                            StepId::BaseAmount,
                            StepOutcome::Info,
                            id,
                            seg.in_force(),
                            (Some(yuan(la.base)), Some(yuan(value))),
                            note!("A training certificate (T) in {code} is paid at its government purchase price: {} yuan (the standard {} does not apply)", yuan(value), yuan(la.base);
                                  "培训合格证书按政府购买培训服务价格补贴：{code} 为 {} 元（不适用一般标准 {} 元）", yuan(value), yuan(la.base)),
                        )
                    });
                    return self.finish_amount(claim, program, seg, value, t);
                }
                t.step(|| {
                    self.param_step(
                        StepId::BaseAmount,
                        StepOutcome::Info,
                        la.base_param,
                        seg.in_force(),
                        (None, Some(yuan(la.base))),
                        note!("Standard for {}: {} yuan", level.name_en(), yuan(la.base); "{}补贴标准：{} 元", level.name_zh(), yuan(la.base)),
                    )
                });
                self.shortage_uplift(claim, program, seg, found, level, la, t)
            }
            Calculation::Apprenticeship { .. } => {
                let (level, la) = self.level_amount(claim, seg, found)?;
                let months = Decimal::from(claim.months.unwrap_or(0));
                // Exact up to 28 digits; a value exactly on a half fen terminates, so the one
                // rounding below is never misled.
                let amount = la.base.checked_mul(months)?.checked_div(Decimal::from(12))?;
                t.step(|| {
                    self.param_step(
                        StepId::BaseAmount,
                        StepOutcome::Info,
                        la.base_param,
                        seg.in_force(),
                        (Some(yuan(la.base)), Some(yuan(amount))),
                        note!("Rate for target level {}: {} yuan a year × {} months / 12 = {}", level, yuan(la.base), months, yuan(amount);
                              "目标等级{}每人每年 {} 元 × {} 个月 / 12 = {}", level.name_zh(), yuan(la.base), months, yuan(amount)),
                    )
                });
                amount
            }
            Calculation::Flat { amount } => {
                let value = seg.number(*amount);
                t.step(|| {
                    self.param_step(
                        StepId::BaseAmount,
                        StepOutcome::Info,
                        *amount,
                        seg.in_force(),
                        (None, Some(yuan(value))),
                        note!("A fixed {} yuan per claim", yuan(value); "每人定额 {} 元", yuan(value)),
                    )
                });
                value
            }
            Calculation::PerMonth { monthly_rate, max_months } => {
                let (rate, max) = (seg.number(*monthly_rate), seg.count(*max_months));
                let claimed = claim.months.unwrap_or(0);
                let paid = claimed.min(max);
                t.step(|| {
                    self.param_step(
                        StepId::MonthsCap,
                        StepOutcome::Info,
                        *max_months,
                        seg.in_force(),
                        (Some(claimed.to_string()), Some(paid.to_string())),
                        if claimed > max {
                            note!("{claimed} months claimed; at most {max} are paid"; "申请 {claimed} 个月，最多补贴 {max} 个月")
                        } else {
                            note!("{claimed} months claimed, within the maximum of {max}"; "申请 {claimed} 个月，未超过上限 {max} 个月")
                        },
                    )
                });
                let value = rate * Decimal::from(paid);
                t.step(|| {
                    self.param_step(
                        StepId::BaseAmount,
                        StepOutcome::Info,
                        *monthly_rate,
                        seg.in_force(),
                        (None, Some(yuan(value))),
                        note!("{} yuan a month × {paid} months = {}", yuan(rate), yuan(value); "每月 {} 元 × {paid} 个月 = {}", yuan(rate), yuan(value)),
                    )
                });
                value
            }
            Calculation::CappedFee { cap } => {
                let fee = claim.fee_paid.unwrap_or_default();
                let limit = seg.number(*cap);
                let value = min_amount(fee, limit);
                t.step(|| {
                    self.param_step(
                        StepId::Cap,
                        StepOutcome::Info,
                        *cap,
                        seg.in_force(),
                        (Some(format_yuan(fee)), Some(yuan(value))),
                        note!("The fee paid {} capped at {}: {}", format_yuan(fee), yuan(limit), yuan(value); "实际培训费 {} 元，补贴上限 {} 元，取 {}", format_yuan(fee), yuan(limit), yuan(value)),
                    )
                });
                value
            }
            Calculation::PerProject => {
                let price = found.project_price?;
                let value = seg.number(price);
                t.step(|| {
                    self.param_step(
                        StepId::BaseAmount,
                        StepOutcome::Info,
                        price,
                        seg.in_force(),
                        (None, Some(yuan(value))),
                        note!("Price per trainee of the project: {} yuan", yuan(value); "项目每人补贴单价（一项一价）：{} 元", yuan(value)),
                    )
                });
                value
            }
        };
        self.finish_amount(claim, program, seg, amount, t)
    }

    /// The cap at the fee paid, where the program caps, and the one rounding.
    fn finish_amount<T: Tracer>(&self, claim: &Claim, program: &Program, seg: &Segment, mut amount: Decimal, t: &mut T) -> Option<Decimal> {
        if let Some(caps) = program.caps_at_fee.filter(|c| seg.flag(Some(*c))) {
            let fee = claim.fee_paid.unwrap_or_default();
            let capped = min_amount(amount, fee);
            t.step(|| {
                self.param_step(
                    StepId::FeeCap,
                    StepOutcome::Info,
                    caps,
                    seg.in_force(),
                    (Some(yuan(amount)), Some(yuan(capped))),
                    if capped < amount {
                        note!("Capped at the fee paid: min({}, {}) = {}", yuan(amount), format_yuan(fee), yuan(capped); "不超过实际缴纳的培训费：min({}, {}) = {}", yuan(amount), format_yuan(fee), yuan(capped))
                    } else {
                        note!("The fee paid {} is not below {}: no cap", format_yuan(fee), yuan(amount); "实际培训费 {} 不低于 {}，无需封顶", format_yuan(fee), yuan(amount))
                    },
                )
            });
            amount = capped;
        }
        let rounded = round_to_fen(amount);
        t.step(|| {
            self.rule_step(
                StepId::Rounding,
                StepOutcome::Info,
                None,
                None,
                (Some(yuan(amount)), Some(format_yuan(rounded))),
                note!("Rounded once to the fen, half away from zero: {} → {}", yuan(amount), format_yuan(rounded); "四舍五入到分（仅此一次）：{} → {}", yuan(amount), format_yuan(rounded)),
            )
        });
        Some(rounded)
    }

    fn level_amount(&self, claim: &Claim, seg: &Segment, found: &Found<'_>) -> Option<(crate::level::Level, LevelAmount)> {
        let level = claim.level?;
        let category = found.occupation.map_or(0, |o| usize::from(o.category));
        let la = seg.table.get(category)?[level.index()]?;
        Some((level, la))
    }

    #[allow(clippy::too_many_arguments)]
    fn shortage_uplift<T: Tracer>(
        &self,
        claim: &Claim,
        program: &Program,
        seg: &Segment,
        found: &Found<'_>,
        level: crate::level::Level,
        la: LevelAmount,
        t: &mut T,
    ) -> Decimal {
        let (Some(rule), true) = (&self.rules.shortage, seg.flag(program.shortage_uplift)) else { return la.base };
        let listed = found.occupation.is_some_and(|o| o.shortage);
        // A program may set its own uplifted levels (S11: Wuxi's unemployment-insurance upgrade
        // at levels 5, 4 and 3); otherwise the ruleset's apply.
        let levels = program.shortage_levels.as_ref().unwrap_or(&rule.levels);
        let level_ok = levels.value.contains(level);
        let applies = listed && level_ok;
        t.step(|| {
            let code = claim.occupation.as_deref().unwrap_or("-");
            let list = seg.occupations.as_ref().and_then(|i| i.shortage_version).map(|v| self.version_id(v).to_string()).unwrap_or_default();
            let listed_in = found
                .occupation
                .and_then(|o| o.listed_in)
                .zip(seg.occupations.as_ref().and_then(|i| i.shortage_version))
                .map(|(v, at)| self.version_id(VersionRef { version: v, ..at }).to_string())
                .unwrap_or_default();
            let catalogue = program.shortage_catalogue.as_deref().unwrap_or("shortage");
            if !listed {
                self.rule_step(
                    StepId::ShortageUplift,
                    StepOutcome::Info,
                    Some(format!("catalogues.{catalogue}.{list}")),
                    None,
                    (Some(yuan(la.base)), Some(yuan(la.base))),
                    note!("{code} is not on the shortage list in force ({list}): no uplift"; "{code} 不在当期紧缺职业目录（{list}）中，不上浮"),
                )
            } else if !level_ok {
                self.rule_step(
                    StepId::ShortageUplift,
                    StepOutcome::Info,
                    Some(levels.path.clone()),
                    Some(&levels.citation),
                    (Some(yuan(la.base)), Some(yuan(la.base))),
                    note!("{code} is a shortage occupation, but the uplift applies only to levels {}: none for level {level}", levels.value.codes();
                          "{code} 为紧缺职业，但上浮仅适用于等级 {}，{}不上浮", levels.value.codes(), level.name_zh()),
                )
            } else if found.occupation.is_some_and(|o| !o.on_current_list) {
                // Listed earlier this year and dropped since: S30 keeps it listed to year end.
                let uplifted = la.uplifted;
                self.param_step(
                    StepId::ShortageUplift,
                    StepOutcome::Info,
                    rule.listed_until_year_end,
                    seg.in_force(),
                    (Some(yuan(la.base)), Some(yuan(uplifted))),
                    note!("{code} was listed in {listed_in} but is not on the list in force ({list}); a listing stays valid for the rest of the year, so it is still uplifted: {} → {}", yuan(la.base), yuan(uplifted);
                          "{code} 曾于 {listed_in} 列入紧缺职业目录，当期目录（{list}）未列入；当年已列入的持续有效，仍上浮：{} → {}", yuan(la.base), yuan(uplifted)),
                )
            } else if let Some(explicit) = la.explicit {
                self.param_step(
                    StepId::ShortageUplift,
                    StepOutcome::Info,
                    explicit,
                    seg.in_force(),
                    (Some(yuan(la.base)), Some(yuan(la.uplifted))),
                    note!("{code} is on the shortage list ({listed_in}); the published uplifted figure {} replaces the standard {}", yuan(la.uplifted), yuan(la.base);
                          "{code} 列入紧缺职业目录（{listed_in}），按公布的紧缺补贴标准 {} 元（基准 {} 元）", yuan(la.uplifted), yuan(la.base)),
                )
            } else {
                let rate = seg.number(rule.rate);
                self.param_step(
                    StepId::ShortageUplift,
                    StepOutcome::Info,
                    rule.rate,
                    seg.in_force(),
                    (Some(yuan(la.base)), Some(yuan(la.uplifted))),
                    note!("{code} is on the shortage list in force (listed since {listed_in}): {} × (1 + {}) = {}", yuan(la.base), yuan(rate), yuan(la.uplifted);
                          "{code} 列入紧缺职业目录（自 {listed_in} 起），上浮 {}：{} × (1 + {}) = {}", yuan(rate), yuan(la.base), yuan(rate), yuan(la.uplifted)),
                )
            }
        });
        if applies {
            la.uplifted
        } else {
            la.base
        }
    }
}
