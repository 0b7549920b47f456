//! What-if runs (假设分析): the same claims under the rules as they are and under changed
//! rules, with the difference by the same keys. The baseline is assessed once and reused for
//! every variant.

use crate::batch::BatchResult;
use crate::claim::{Claim, FieldMode, RawClaim};
use crate::engine::Engine;
use crate::history::HistoryRecord;
use crate::overrides::Overrides;
use crate::report::ReportDiff;
use crate::rules::RulesErrors;

/// The claims of a what-if run: typed, or raw rows (some of which may be invalid).
#[derive(Clone, Copy)]
enum Claims<'a> {
    Typed(&'a [Claim]),
    Raw(&'a [RawClaim], FieldMode),
}

impl Claims<'_> {
    /// The batch, with history already checked (by [`Engine::whatif`]).
    fn assess(self, engine: &Engine, history: &[HistoryRecord]) -> BatchResult {
        let mut batch = engine.batch();
        for (line, h) in (1..).zip(history) {
            batch.push_history(h, line);
        }
        match self {
            Claims::Typed(claims) => claims.iter().for_each(|c| batch.add(c)),
            Claims::Raw(rows, mode) => rows.iter().for_each(|r| batch.add_raw(r, mode)),
        }
        batch.finish()
    }
}

/// A baseline batch, ready to compare variants against.
pub struct WhatIf<'a> {
    engine: &'a Engine,
    claims: Claims<'a>,
    history: Vec<HistoryRecord>,
    baseline: BatchResult,
}

/// One variant: its engine's overrides, its result, and the difference from the baseline.
#[non_exhaustive]
pub struct Variant<'w> {
    /// What changed.
    pub overrides: Overrides,
    /// The claims assessed under the changed rules.
    pub result: BatchResult,
    baseline: &'w BatchResult,
}

impl Engine {
    /// Assesses the baseline once; variants are then compared against it.
    ///
    /// ```
    /// use skill_subsidy::{calendar::parse_date, Claim, Engine, Level, Overrides, Ruleset};
    /// let engine = Engine::new(Ruleset::wuxi_2021()?);
    /// let mut claim = Claim::new("C1", "skills_training", "P1", parse_date("2021-08-02").unwrap(), parse_date("2021-08-20").unwrap());
    /// claim.occupation = Some("6-18-02-04".into());
    /// claim.level = Some(Level::L3);
    /// claim.institution = Some("WX-JG-001".into());
    /// claim.fee_paid = Some("3000.00".parse().unwrap());
    /// let claims = [claim];
    /// let whatif = engine.whatif(&claims, &[])?;
    /// let variant = whatif.variant(&Overrides::from_json_str(r#"{"shortage.rate": "0.20"}"#)?)?;
    /// assert_eq!(variant.diff().to_json()["approved"]["delta"]["amount"], "-200.00");
    /// # Ok::<(), skill_subsidy::Error>(())
    /// ```
    ///
    /// A history record that does not validate is an error, as in [`Engine::assess_batch`].
    pub fn whatif<'a>(&'a self, claims: &'a [Claim], history: &[HistoryRecord]) -> Result<WhatIf<'a>, crate::Error> {
        WhatIf::new(self, Claims::Typed(claims), history)
    }

    /// Like [`Engine::whatif`], from raw rows (a file or a data frame): malformed rows are
    /// `invalid` in the baseline and in every variant alike.
    pub fn whatif_raw<'a>(&'a self, rows: &'a [RawClaim], mode: FieldMode, history: &[HistoryRecord]) -> Result<WhatIf<'a>, crate::Error> {
        WhatIf::new(self, Claims::Raw(rows, mode), history)
    }
}

impl<'a> WhatIf<'a> {
    fn new(engine: &'a Engine, claims: Claims<'a>, history: &[HistoryRecord]) -> Result<WhatIf<'a>, crate::Error> {
        let history = (1..)
            .zip(history)
            .map(|(line, h)| h.checked().map_err(|e| crate::Error::history(e).at(format!("history line {line}"))))
            .collect::<Result<Vec<_>, _>>()?;
        let baseline = claims.assess(engine, &history);
        Ok(WhatIf { engine, claims, history, baseline })
    }
}

impl WhatIf<'_> {
    /// The baseline's result.
    #[must_use]
    pub fn baseline(&self) -> &BatchResult {
        &self.baseline
    }

    /// The same claims under the baseline's rules with `overrides` applied on top.
    pub fn variant(&self, overrides: &Overrides) -> Result<Variant<'_>, RulesErrors> {
        let engine = self.engine.with_overrides(overrides)?;
        let result = self.claims.assess(&engine, &self.history);
        Ok(Variant { overrides: overrides.clone(), result, baseline: &self.baseline })
    }
}

impl Variant<'_> {
    /// The difference from the baseline, by the same keys.
    #[must_use]
    pub fn diff(&self) -> ReportDiff<'_> {
        ReportDiff { baseline: &self.baseline.report, variant: &self.result.report }
    }
}
