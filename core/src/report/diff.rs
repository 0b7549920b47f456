//! What-if differences (假设分析): a baseline report, a variant's report and their difference
//! by the same keys (SPEC §9).

use super::{AccountLedger, Report, Tally, DIMENSIONS};
use crate::money::format_yuan;
use crate::reasons::Reason;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// A baseline report, a variant's report and their difference by the same keys (what-if).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportDiff<'a> {
    /// The baseline.
    pub baseline: &'a Report,
    /// The variant.
    pub variant: &'a Report,
}

impl<'a> ReportDiff<'a> {
    /// The difference of `variant` to `baseline`, by the same keys.
    #[must_use]
    pub fn new(baseline: &'a Report, variant: &'a Report) -> ReportDiff<'a> {
        ReportDiff { baseline, variant }
    }

    /// The difference as JSON: for every key of every dimension, baseline, variant and
    /// variant − baseline; the same for the totals, rejections and accounts.
    #[must_use]
    pub fn to_json(&self) -> Value {
        let (b, v) = (self.baseline, self.variant);
        let delta = |x: &Tally, y: &Tally| {
            json!({
                "baseline": x.json(), "variant": y.json(),
                "delta": { "count": y.count as i64 - x.count as i64, "amount": format_yuan(y.amount - x.amount) },
            })
        };
        let mut by = Map::new();
        for d in DIMENSIONS {
            let (x, y) = (b.dimension(d).unwrap_or_default(), v.dimension(d).unwrap_or_default());
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            let rows: Map<String, Value> = keys
                .into_iter()
                .map(|k| (k.clone(), delta(x.get(k).unwrap_or(&Tally::default()), y.get(k).unwrap_or(&Tally::default()))))
                .collect();
            by.insert(d.to_string(), Value::Object(rows));
        }
        let reasons: BTreeSet<&Reason> = b.rejections.keys().chain(v.rejections.keys()).collect();
        let rejections: Map<String, Value> = reasons
            .into_iter()
            .map(|r| {
                let (x, y) = (b.rejections.get(r).copied().unwrap_or(0), v.rejections.get(r).copied().unwrap_or(0));
                (r.code().to_string(), json!({ "baseline": x, "variant": y, "delta": y as i64 - x as i64 }))
            })
            .collect();
        let ids: BTreeSet<&String> = b.accounts.keys().chain(v.accounts.keys()).collect();
        let accounts: Map<String, Value> = ids
            .into_iter()
            .map(|id| {
                let (x, y) = (b.accounts.get(id), v.accounts.get(id));
                let row = |f: fn(&AccountLedger) -> Option<Decimal>| {
                    let (x, y) = (x.and_then(f), y.and_then(f));
                    json!({
                        "baseline": x.map(format_yuan), "variant": y.map(format_yuan),
                        "delta": match (x, y) { (None, None) => None, (x, y) => Some(format_yuan(y.unwrap_or_default() - x.unwrap_or_default())) },
                    })
                };
                (
                    id.clone(),
                    json!({
                        "total_committed": row(|a| Some(a.total_committed())),
                        "paid_in_period": row(|a| Some(a.paid_in_period())),
                        "remaining": row(AccountLedger::remaining),
                        "projection": { "baseline": x.map(|a| a.projection().json()), "variant": y.map(|a| a.projection().json()) },
                    }),
                )
            })
            .collect();
        json!({
            "approved": delta(&b.approved, &v.approved),
            "status": {
                "rejected": { "baseline": b.rejected, "variant": v.rejected, "delta": v.rejected as i64 - b.rejected as i64 },
                "invalid": { "baseline": b.invalid, "variant": v.invalid, "delta": v.invalid as i64 - b.invalid as i64 },
            },
            "rejections": rejections,
            "by": by,
            "accounts": accounts,
        })
    }
}
