//! Reports (统计报表, SPEC §9): what a batch approved, by program, level, district, fund,
//! occupation and month; each account (专账) with its commitments and its payments apart and its
//! spending against the plan's goal; progress against the plan's targets; and the same figures
//! cut by the plan's two-month reporting periods (每双月报送).
//!
//! A report holds only sums and counts, so [`Report::merge`] is associative and commutative:
//! the reports of a batch split by person, merged in any order, equal the whole batch's report.
//! Remaining, utilisation, shares and projections are derived from the sums when asked for.

mod account;
pub(crate) mod diff;
mod keys;
mod periods;
mod progress;
pub(crate) mod totals;
mod wire;

pub use account::{AccountLedger, Projection};
pub use diff::{
    AccountChange, AmountChange, CountChange, DimensionChanges, ProjectionChange, ReportChanges, StatusChange, TallyChange, TallyDelta,
};
pub use keys::{KeyTallies, KEY_DIMENSIONS};
pub use periods::{PeriodAccount, TwoMonthPeriod};
pub use progress::{Counts, MeasureProgress, Progress, TargetCount, TargetDone, TargetLine, TargetSetProgress, TargetSetReport};
pub use wire::REPORT_WIRE_VERSION;

pub(crate) use diff::ReportDiff;
pub(crate) use totals::Report;

use crate::money::format_yuan;
use rust_decimal::Decimal;
use serde_json::{json, Value};

/// Version of the report's JSON shape (`docs/report.md`).
pub const REPORT_VERSION: u32 = 2;

/// A count and an amount (人次 and 金额); serialized as `{"count": 3, "amount": "7800.00"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[non_exhaustive]
pub struct Tally {
    /// Person-times.
    pub count: u64,
    /// Yuan.
    #[serde(serialize_with = "crate::assessment::serialize_yuan")]
    pub amount: Decimal,
}

impl Tally {
    /// A count and an amount.
    #[must_use]
    pub fn new(count: u64, amount: Decimal) -> Tally {
        Tally { count, amount }
    }

    unstable! {
        /// Adds one approved amount.
        fn add(&mut self, amount: Decimal) {
            self.count += 1;
            self.amount += amount;
        }
    }

    pub(crate) fn merge(&mut self, other: &Tally) {
        self.count += other.count;
        self.amount += other.amount;
    }

    pub(crate) fn json(&self) -> Value {
        json!({ "count": self.count, "amount": format_yuan(self.amount) })
    }
}

/// The dimensions of [`Report`], in the order reports list them.
pub const DIMENSIONS: [&str; 6] = ["program", "level", "district", "fund", "occupation", "month"];
