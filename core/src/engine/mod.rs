//! The engine (审核引擎): a ruleset compiled for assessment, with any what-if overrides applied.

mod amount;
mod assess;
pub(crate) mod compile;
pub(crate) mod steps;

pub(crate) use assess::Dated;
pub(crate) use compile::VersionRef;

use crate::assessment::Assessment;
use crate::claim::{Claim, FieldMode, FieldSource};
use crate::overrides::Overrides;
use crate::rules::{ParamValue, Program, RulesErrors, Ruleset};
use crate::trace::{NoTrace, Trace};
use compile::CompiledProgram;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// A ruleset ready to assess claims. Cheap to share across threads (`Send + Sync`); what-if
/// variants share the loaded ruleset.
///
/// ```
/// use skill_subsidy::{calendar::parse_date, Claim, Engine, Level, Ruleset, Status};
/// let engine = Engine::new(Ruleset::wuxi_2021()?);
/// let mut claim = Claim::new("C1", "skills_training", "P1", parse_date("2021-05-10").unwrap(), parse_date("2021-05-20").unwrap());
/// claim.occupation = Some("6-18-02-04".into()); // 焊工
/// claim.level = Some(Level::L4);
/// claim.institution = Some("WX-JG-001".into());
/// claim.fee_paid = Some("1800.00".parse().unwrap());
/// let assessment = engine.assess(&claim);
/// assert_eq!(assessment.status, Status::Approved);
/// assert_eq!(assessment.amount.to_string(), "1500.00");
/// # Ok::<(), skill_subsidy::RulesErrors>(())
/// ```
pub struct Engine {
    pub(crate) rules: Arc<Ruleset>,
    overrides: Overrides,
    pub(crate) base_values: Arc<[ParamValue]>,
    pub(crate) programs: Vec<CompiledProgram>,
    pub(crate) program_index: ProgramIndex,
    /// The names an assessment carries, by program index and by catalogue and version index:
    /// small strings, copied into each assessment without allocating.
    names: Names,
}

#[derive(Debug, Default)]
struct Names {
    programs: Vec<compact_str::CompactString>,
    versions: Vec<Vec<compact_str::CompactString>>,
}

/// Program ids to their index. A ruleset has a handful of programs: comparing lengths first
/// and then bytes finds one faster than hashing the id, so small sets are scanned.
pub(crate) struct ProgramIndex {
    ids: Vec<Box<str>>,
    map: FxHashMap<Box<str>, u16>,
}

impl ProgramIndex {
    const SCAN_UP_TO: usize = 16;

    fn new<'a>(ids: impl Iterator<Item = &'a str>) -> ProgramIndex {
        let ids: Vec<Box<str>> = ids.map(Box::from).collect();
        let map = ids.iter().enumerate().map(|(i, id)| (id.clone(), i as u16)).collect();
        ProgramIndex { ids, map }
    }

    #[inline]
    pub(crate) fn get(&self, id: &str) -> Option<u16> {
        if self.ids.len() <= Self::SCAN_UP_TO {
            self.ids.iter().position(|known| known.len() == id.len() && **known == *id).map(|i| i as u16)
        } else {
            self.map.get(id).copied()
        }
    }
}

impl Engine {
    /// Compiles a ruleset.
    #[must_use]
    pub fn new(rules: Ruleset) -> Engine {
        Engine::from_shared(Arc::new(rules))
    }

    /// Compiles a shared ruleset.
    #[must_use]
    pub fn from_shared(rules: Arc<Ruleset>) -> Engine {
        Engine::compiled(rules, Overrides::new(), &[])
    }

    fn compiled(rules: Arc<Ruleset>, overrides: Overrides, resolved: &[crate::overrides::Resolved]) -> Engine {
        let compiled = compile::compile(&rules, resolved);
        let program_index = ProgramIndex::new(rules.programs.iter().map(|p| p.id.as_str()));
        let names = Names {
            programs: compiled.programs.iter().map(|c| rules.programs[c.rule].id.as_str().into()).collect(),
            versions: rules.catalogues.iter().map(|c| c.versions.iter().map(|v| v.id.as_str().into()).collect()).collect(),
        };
        Engine { rules, overrides, base_values: compiled.base_values, programs: compiled.programs, program_index, names }
    }

    /// A variant of this engine with more overrides applied on top of its own (what-if).
    /// Every override is checked; all problems are reported together.
    ///
    /// ```
    /// use skill_subsidy::{Engine, Overrides, Ruleset};
    /// let engine = Engine::new(Ruleset::wuxi_2021()?);
    /// let variant = engine.with_overrides(&Overrides::from_json_str(r#"{"shortage.rate": "0.20"}"#)?)?;
    /// assert_eq!(variant.value("shortage.rate").unwrap().to_text(), "0.20");
    /// assert!(engine.with_overrides(&Overrides::from_json_str(r#"{"shortage.rat": "0.2"}"#)?).is_err());
    /// # Ok::<(), skill_subsidy::RulesErrors>(())
    /// ```
    pub fn with_overrides(&self, overrides: &Overrides) -> Result<Engine, RulesErrors> {
        let mut all = self.overrides.clone();
        for o in overrides.items() {
            all.push(&o.path, o.range, &o.value);
        }
        let resolved = all.resolve(&self.rules)?;
        Ok(Engine::compiled(Arc::clone(&self.rules), all, &resolved))
    }

    /// The ruleset.
    #[must_use]
    pub fn ruleset(&self) -> &Ruleset {
        &self.rules
    }

    /// The shared ruleset.
    #[must_use]
    pub fn shared_ruleset(&self) -> Arc<Ruleset> {
        Arc::clone(&self.rules)
    }

    /// The overrides applied.
    #[must_use]
    pub fn overrides(&self) -> &Overrides {
        &self.overrides
    }

    /// The ruleset as JSON (`docs/export.md`) with this engine's overrides in force, and the
    /// overrides listed under `"overrides"`.
    #[must_use]
    pub fn export_json(&self) -> serde_json::Value {
        let mut export = self.rules.export_json_with(&self.base_values);
        if let Some(map) = export.as_object_mut() {
            let overrides: Vec<serde_json::Value> = self
                .overrides
                .items()
                .iter()
                .map(|o| serde_json::json!({ "path": o.path, "value": o.value, "range": o.range.map(|r| r.to_string()) }))
                .collect();
            map.insert("overrides".into(), overrides.into());
        }
        export
    }

    /// The value at a rule path with overrides that have no date range applied.
    #[must_use]
    pub fn value(&self, path: &str) -> Option<ParamValue> {
        self.rules.params.find(path).map(|id| self.base_values[id.0 as usize])
    }

    /// A program by id.
    #[must_use]
    pub fn program(&self, id: &str) -> Option<&Program> {
        self.program_index.get(id).map(|i| &self.rules.programs[self.programs[i as usize].rule])
    }

    /// Names an assessment made by this engine: its program, fund, payee and catalogue
    /// version from their indices.
    pub(crate) fn name(&self, a: &mut Assessment) {
        let program = a.program_index.and_then(|i| Some((self.names.programs.get(usize::from(i))?, self.programs.get(usize::from(i))?)));
        if let Some((id, compiled)) = program {
            let rule = &self.rules.programs[compiled.rule];
            (a.program, a.fund, a.payee) = (Some(id.clone()), Some(rule.fund), Some(rule.payee));
        }
        a.catalogue_version =
            a.version.and_then(|v| self.names.versions.get(usize::from(v.catalogue))?.get(usize::from(v.version))).cloned();
    }

    /// An assessment of this engine named, with its claim id.
    pub(crate) fn named(&self, claim_id: &str, mut a: Assessment) -> Assessment {
        a.claim_id = claim_id.into();
        self.name(&mut a);
        a
    }

    /// The id of a catalogue version (`2021-q2`).
    pub(crate) fn version_id(&self, version: VersionRef) -> &str {
        self.rules
            .catalogues
            .get(usize::from(version.catalogue))
            .and_then(|c| c.versions.get(usize::from(version.version)))
            .map_or("", |v| v.id.as_str())
    }

    /// Assesses one claim (checks 1–7 of SPEC §7.1 and its amount), without a trace. A claim
    /// whose fields do not validate ([`Claim::validate`]) is `invalid`, with the errors the
    /// same claim read from JSON gets.
    #[must_use]
    pub fn assess(&self, claim: &Claim) -> Assessment {
        // A claim as the reader holds it (most are) is assessed as it is: the result of `check`
        // holds a whole claim, and moving it cost a sixth of a W1 claim's time. The assessment is
        // named in place for the same reason.
        let mut a = if claim.is_as_read() {
            self.run(claim, &mut NoTrace)
        } else {
            match claim.check() {
                Ok(claim) => self.run(&claim, &mut NoTrace),
                Err(errors) => Assessment::invalid(errors),
            }
        };
        a.claim_id.clone_from(&claim.claim_id);
        self.name(&mut a);
        a
    }

    /// Assesses one claim and explains it step by step (an `invalid` one as [`Engine::assess`]).
    #[must_use]
    pub fn explain(&self, claim: &Claim) -> Assessment {
        let checked = match claim.check() {
            Ok(checked) => checked,
            Err(errors) => {
                let mut a = Assessment::invalid(errors);
                a.trace = Some(Box::new(self.invalid_trace(&a)));
                return self.named(&claim.claim_id, a);
            }
        };
        let mut trace = Trace::new(&self.rules.id);
        let mut assessment = self.run(&checked, &mut trace);
        assessment.trace = Some(Box::new(trace));
        self.named(&claim.claim_id, assessment)
    }

    /// Validates raw fields and assesses the claim; a malformed claim is `invalid`.
    #[must_use]
    pub fn assess_raw(&self, raw: &(impl FieldSource + ?Sized), mode: FieldMode, explain: bool) -> Assessment {
        let mut a = match Claim::read(raw, mode) {
            Ok(claim) if explain => self.explain(&claim),
            Ok(claim) => self.assess(&claim),
            Err(errors) => {
                let mut a = Assessment::invalid(errors);
                if explain {
                    a.trace = Some(Box::new(self.invalid_trace(&a)));
                }
                a
            }
        };
        // The id as given, as the record shows it (SPEC §7.3).
        a.claim_id = raw.claim_id_text().into();
        a
    }
}

impl Engine {
    /// The opening balance of account `account` (an index into `Ruleset::accounts`) when it
    /// closes once spent (资金用完即止), with this engine's overrides; `None` for an account that
    /// is a spending goal and never refuses a claim.
    pub(crate) fn closing_balance(&self, account: usize) -> Option<rust_decimal::Decimal> {
        let a = self.rules.accounts.get(account)?;
        let value = |id: crate::rules::ParamId| self.base_values[id.0 as usize];
        let opening = a.opening_balance.filter(|_| value(a.closes_when_spent).flag())?;
        Some(value(opening).number())
    }

    /// Whether the fee paid caps the amount of an eligible claim (the program caps at the fee
    /// on its event date, or pays the fee up to a cap). Its amount is then
    /// `min(amount with no cap, fee)`: the one rounding commutes with the minimum, since a fee
    /// is whole fen.
    pub(crate) fn fee_caps(&self, claim: &Claim) -> bool {
        let Some(index) = self.program_index.get(claim.program.as_str()) else { return false };
        let compiled = &self.programs[usize::from(index)];
        let program = &self.rules.programs[compiled.rule];
        let seg = compiled.segment(claim.event_date);
        matches!(program.calculation, crate::rules::Calculation::CappedFee { .. }) || seg.flag(program.caps_at_fee)
    }
}
