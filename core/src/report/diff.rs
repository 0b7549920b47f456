//! What-if differences (假设分析): a baseline report, a variant's report and their difference
//! by the same keys (SPEC §9), as typed values ([`ReportDiff::changes`]) and as JSON
//! ([`ReportDiff::to_json`], built from them).

use super::{AccountLedger, Projection, Report, Tally, DIMENSIONS};
use crate::assessment::serialize_yuan;
use crate::money::format_yuan;
use crate::reasons::Reason;
use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// A baseline report, a variant's report and their difference by the same keys (what-if).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportDiff<'a> {
    /// The baseline.
    pub baseline: &'a Report,
    /// The variant.
    pub variant: &'a Report,
}

/// A count in the baseline and in the variant, and variant − baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CountChange {
    /// In the baseline.
    pub baseline: u64,
    /// In the variant.
    pub variant: u64,
    /// Variant − baseline.
    pub delta: i64,
}

impl CountChange {
    fn new(baseline: u64, variant: u64) -> CountChange {
        let signed = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        CountChange { baseline, variant, delta: signed(variant).saturating_sub(signed(baseline)) }
    }
}

/// The difference of two tallies: variant − baseline, in count and amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TallyDelta {
    /// Person-times, variant − baseline.
    pub count: i64,
    /// Yuan, variant − baseline.
    #[serde(serialize_with = "serialize_yuan")]
    pub amount: Decimal,
}

/// A tally in the baseline and in the variant, and variant − baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TallyChange {
    /// In the baseline (zero where it has no such key).
    pub baseline: Tally,
    /// In the variant (zero where it has no such key).
    pub variant: Tally,
    /// Variant − baseline.
    pub delta: TallyDelta,
}

impl TallyChange {
    fn new(baseline: Tally, variant: Tally) -> TallyChange {
        let count = CountChange::new(baseline.count, variant.count).delta;
        TallyChange { baseline, variant, delta: TallyDelta { count, amount: variant.amount - baseline.amount } }
    }
}

/// An amount of an account in the baseline and in the variant (`None` where that report has no
/// such account, or the account no such amount), and variant − baseline (a missing side as zero;
/// `None` when both are missing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AmountChange {
    /// In the baseline.
    #[serde(serialize_with = "serialize_opt_yuan")]
    pub baseline: Option<Decimal>,
    /// In the variant.
    #[serde(serialize_with = "serialize_opt_yuan")]
    pub variant: Option<Decimal>,
    /// Variant − baseline.
    #[serde(serialize_with = "serialize_opt_yuan")]
    pub delta: Option<Decimal>,
}

impl AmountChange {
    fn new(baseline: Option<Decimal>, variant: Option<Decimal>) -> AmountChange {
        let delta = match (baseline, variant) {
            (None, None) => None,
            (x, y) => Some(y.unwrap_or_default() - x.unwrap_or_default()),
        };
        AmountChange { baseline, variant, delta }
    }
}

fn serialize_opt_yuan<S: Serializer>(amount: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match amount {
        Some(a) => s.serialize_str(&format_yuan(*a)),
        None => s.serialize_none(),
    }
}

/// An account's projection in the baseline and in the variant (`None` where that report has no
/// such account).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ProjectionChange {
    /// In the baseline.
    pub baseline: Option<Projection>,
    /// In the variant.
    pub variant: Option<Projection>,
}

/// One account in the baseline and in the variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AccountChange {
    /// History and batch together, less what outcomes released.
    pub total_committed: AmountChange,
    /// Paid in the months of the account's period.
    pub paid_in_period: AmountChange,
    /// What is left of the opening balance (accounts with one).
    pub remaining: AmountChange,
    /// Where the account is heading.
    pub projection: ProjectionChange,
}

/// Rejected and invalid claims in the baseline and in the variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct StatusChange {
    /// Rejected claims.
    pub rejected: CountChange,
    /// Invalid claims.
    pub invalid: CountChange,
}

/// Approved claims by the keys of each dimension ([`DIMENSIONS`], in that order), in the
/// baseline and in the variant: every key either report has.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[non_exhaustive]
pub struct DimensionChanges {
    /// By program id.
    pub program: BTreeMap<String, TallyChange>,
    /// By level code (`-` for programs without a level).
    pub level: BTreeMap<String, TallyChange>,
    /// By district (`-` when not given).
    pub district: BTreeMap<String, TallyChange>,
    /// By fund.
    pub fund: BTreeMap<String, TallyChange>,
    /// By occupation code (`-` for programs without one).
    pub occupation: BTreeMap<String, TallyChange>,
    /// By month of commitment (`YYYY-MM`).
    pub month: BTreeMap<String, TallyChange>,
}

impl DimensionChanges {
    fn dimension_mut(&mut self, name: &str) -> Option<&mut BTreeMap<String, TallyChange>> {
        Some(match name {
            "program" => &mut self.program,
            "level" => &mut self.level,
            "district" => &mut self.district,
            "fund" => &mut self.fund,
            "occupation" => &mut self.occupation,
            "month" => &mut self.month,
            _ => return None,
        })
    }
}

/// The difference of two reports, by the same keys: what [`ReportDiff::to_json`] writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ReportChanges {
    /// Approved claims and their amount.
    pub approved: TallyChange,
    /// Rejected and invalid claims.
    pub status: StatusChange,
    /// Rejections by reason (every reason either report has).
    pub rejections: BTreeMap<Reason, CountChange>,
    /// Approved by every key of each dimension either report has.
    pub by: DimensionChanges,
    /// Accounts by id (every account either report has).
    pub accounts: BTreeMap<String, AccountChange>,
}

impl<'a> ReportDiff<'a> {
    /// The difference of `variant` to `baseline`, by the same keys.
    #[must_use]
    pub fn new(baseline: &'a Report, variant: &'a Report) -> ReportDiff<'a> {
        ReportDiff { baseline, variant }
    }

    /// The difference, typed: for every key of every dimension, baseline, variant and
    /// variant − baseline; the same for the totals, rejections and accounts.
    #[must_use]
    pub fn changes(&self) -> ReportChanges {
        let (b, v) = (self.baseline, self.variant);
        let mut by = DimensionChanges::default();
        for d in DIMENSIONS {
            let (x, y) = (b.dimension(d).unwrap_or_default(), v.dimension(d).unwrap_or_default());
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            let rows = keys
                .into_iter()
                .map(|k| (k.clone(), TallyChange::new(x.get(k).copied().unwrap_or_default(), y.get(k).copied().unwrap_or_default())));
            if let Some(into) = by.dimension_mut(d) {
                into.extend(rows);
            }
        }
        let reasons: BTreeSet<&Reason> = b.rejections.keys().chain(v.rejections.keys()).collect();
        let rejections = reasons
            .into_iter()
            .map(|r| (*r, CountChange::new(b.rejections.get(r).copied().unwrap_or(0), v.rejections.get(r).copied().unwrap_or(0))))
            .collect();
        let ids: BTreeSet<&String> = b.accounts.keys().chain(v.accounts.keys()).collect();
        let accounts = ids
            .into_iter()
            .map(|id| {
                let (x, y) = (b.accounts.get(id), v.accounts.get(id));
                let amount = |f: fn(&AccountLedger) -> Option<Decimal>| AmountChange::new(x.and_then(f), y.and_then(f));
                let change = AccountChange {
                    total_committed: amount(|a| Some(a.total_committed())),
                    paid_in_period: amount(|a| Some(a.paid_in_period())),
                    remaining: amount(AccountLedger::remaining),
                    projection: ProjectionChange { baseline: x.map(AccountLedger::projection), variant: y.map(AccountLedger::projection) },
                };
                (id.clone(), change)
            })
            .collect();
        ReportChanges {
            approved: TallyChange::new(b.approved, v.approved),
            status: StatusChange { rejected: CountChange::new(b.rejected, v.rejected), invalid: CountChange::new(b.invalid, v.invalid) },
            rejections,
            by,
            accounts,
        }
    }

    /// The difference as JSON ([`ReportDiff::changes`] serialized): for every key of every
    /// dimension, baseline, variant and variant − baseline; the same for the totals, rejections
    /// and accounts.
    #[must_use]
    pub fn to_json(&self) -> Value {
        // The changes hold strings, numbers and maps with string keys only: serializing them
        // cannot fail.
        serde_json::to_value(self.changes()).unwrap_or(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_cover_the_keys_of_either_report_and_count_a_missing_side_as_zero() {
        let (mut b, mut v) = (Report::default(), Report::default());
        b.by_program.insert("only_baseline".into(), Tally::new(2, Decimal::from(10)));
        v.by_program.insert("only_variant".into(), Tally::new(1, Decimal::from(3)));
        b.rejected = 5;
        v.rejected = 2;
        let changes = ReportDiff::new(&b, &v).changes();
        assert_eq!(changes.by.program["only_baseline"].delta, TallyDelta { count: -2, amount: Decimal::from(-10) });
        assert_eq!(changes.by.program["only_variant"].baseline, Tally::default());
        assert_eq!(changes.status.rejected, CountChange { baseline: 5, variant: 2, delta: -3 });
        assert!(changes.accounts.is_empty() && changes.by.month.is_empty());
        let json = ReportDiff::new(&b, &v).to_json();
        assert_eq!(json["by"]["program"]["only_baseline"]["delta"], serde_json::json!({ "count": -2, "amount": "-10.00" }));
        assert_eq!(json["status"]["rejected"]["delta"], -3);
    }

    #[test]
    fn an_amount_missing_on_one_side_counts_as_zero_and_on_both_is_none() {
        assert_eq!(AmountChange::new(None, Some(Decimal::from(4))).delta, Some(Decimal::from(4)));
        assert_eq!(AmountChange::new(None, None).delta, None);
        let json = serde_json::to_value(AmountChange::new(Some(Decimal::from(1)), None)).unwrap();
        assert_eq!(json, serde_json::json!({ "baseline": "1.00", "variant": null, "delta": "-1.00" }));
    }
}
