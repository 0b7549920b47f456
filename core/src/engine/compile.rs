//! Compiling a ruleset for assessment: for each program, the timeline of `event_date` is cut
//! into segments within which nothing the program reads changes (catalogue versions, shortage
//! lists, institution versions, ranged overrides). Each segment holds ready lookups and
//! precomputed amounts, so assessing a claim is a few lookups and one rounding.

use crate::calendar::{Date, Period};
use crate::level::{Level, LevelSet};
use crate::overrides::Resolved;
use crate::rules::{Calculation, Catalogue, Entries, InstitutionScope, LevelAmounts, ParamId, ParamValue, Ruleset};
use chrono::Datelike;
use rust_decimal::Decimal;
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::Arc;

/// Where a catalogue version sits in the ruleset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VersionRef {
    /// Index into `Ruleset::catalogues`.
    pub catalogue: u16,
    /// Index into that catalogue's versions.
    pub version: u16,
}

/// An occupation as a claim sees it on a date.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OccEntry {
    /// Index in its version's list.
    pub index: u32,
    pub levels: LevelSet,
    /// Index into the engine's category names (0: none).
    pub category: u8,
    /// On the shortage list in force (with the year's earlier listings when sticky).
    pub shortage: bool,
    /// The shortage version that lists it (for traces), when listed.
    pub listed_in: Option<u16>,
    /// On the list in force itself (not only earlier in the year).
    pub on_current_list: bool,
}

pub(crate) struct OccupationIndex {
    pub version: VersionRef,
    pub shortage_version: Option<VersionRef>,
    pub map: FxHashMap<Box<str>, OccEntry>,
}

pub(crate) struct InstitutionEntry {
    pub index: u32,
    pub all: bool,
    pub codes: FxHashSet<Box<str>>,
}

pub(crate) struct InstitutionIndex {
    pub version: VersionRef,
    pub map: FxHashMap<Box<str>, InstitutionEntry>,
}

/// A level's amount in a segment: the base and the uplifted figure.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LevelAmount {
    pub base: Decimal,
    pub base_param: ParamId,
    pub uplifted: Decimal,
    /// The explicit uplifted figure's rule, when the table gives one (it wins over the rate).
    pub explicit: Option<ParamId>,
}

/// A value in force for a stretch of dates instead of the loaded one: a dated rule value (the
/// index of its range in [`crate::rules::Param::ranges`]) or a ranged what-if override (`None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct InForceRange {
    pub param: ParamId,
    pub period: Period,
    pub rule: Option<usize>,
}

/// The policy values in force for a stretch of dates, and which of them come from a range.
#[derive(Clone, Copy)]
pub(crate) struct Values<'a> {
    pub values: &'a [ParamValue],
    pub dated: &'a [InForceRange],
}

impl<'a> Values<'a> {
    /// Values that no range changes (a run's limits, accounts and payment timing).
    pub fn plain(values: &'a [ParamValue]) -> Values<'a> {
        Values { values, dated: &[] }
    }

    /// The range that supplies `id`, when one does.
    pub fn range_of(&self, id: ParamId) -> Option<&'a InForceRange> {
        self.dated.iter().find(|d| d.param == id)
    }
}

/// One stretch of `event_date` for one program.
pub(crate) struct Segment {
    pub from: Date,
    pub values: Arc<[ParamValue]>,
    /// The values of `values` that a dated rule value or a ranged override supplies.
    pub dated: Arc<[InForceRange]>,
    /// `limits.claim_window_months` in force, read once here rather than per claim.
    pub claim_window_months: u32,
    /// `payment.months_after_application` in force.
    pub payment_lag: u32,
    pub occupations: Option<Arc<OccupationIndex>>,
    pub institutions: Option<Arc<InstitutionIndex>>,
    /// Evaluation institutions (评价机构) in force, when the program checks them.
    pub evaluators: Option<Arc<InstitutionIndex>>,
    /// Amounts by category id, then level (level_table and apprenticeship).
    pub table: Vec<[Option<LevelAmount>; 7]>,
}

pub(crate) struct CompiledProgram {
    /// Index into `Ruleset::programs`.
    pub rule: usize,
    pub segments: Vec<Segment>,
}

impl CompiledProgram {
    pub fn segment(&self, date: Date) -> &Segment {
        &self.segments[self.segment_index(date)]
    }

    /// The index of the segment in force on `date`: claims of one program whose dates fall in
    /// one segment read the same catalogues, lists, projects and values.
    pub fn segment_index(&self, date: Date) -> usize {
        // Segments start at Date::MIN and are sorted, so partition_point is at least 1.
        self.segments.partition_point(|s| s.from <= date).saturating_sub(1)
    }
}

impl Segment {
    /// The values in force, for trace steps.
    pub fn in_force(&self) -> Values<'_> {
        Values { values: &self.values, dated: &self.dated }
    }

    pub fn number(&self, id: ParamId) -> Decimal {
        self.values[id.0 as usize].number()
    }

    pub fn flag(&self, id: Option<ParamId>) -> bool {
        id.is_some_and(|id| self.values[id.0 as usize].flag())
    }

    /// A count as u32 (counts are validated whole numbers up to 10^9).
    pub fn count(&self, id: ParamId) -> u32 {
        count(self.values[id.0 as usize])
    }
}

/// A count's value as u32 (counts are validated whole numbers up to 10^9).
pub(crate) fn count(value: ParamValue) -> u32 {
    u32::try_from(value.number().trunc().mantissa()).unwrap_or(u32::MAX)
}

/// An amount with exactly two decimal places, so that claims whose amount needs no rounding
/// skip it (amounts in rules are whole fen by validation).
fn in_fen(mut amount: Decimal) -> Decimal {
    if amount.scale() < 2 {
        amount.rescale(2);
    }
    amount
}

/// Occupation catalogue and version, shortage catalogue and version, stickiness: what an
/// occupation index depends on, so that segments share equal indexes.
type OccupationKey = (usize, usize, Option<(usize, usize)>, bool);

pub(crate) struct Compiled {
    pub base_values: Arc<[ParamValue]>,
    pub programs: Vec<CompiledProgram>,
}

fn catalogue_index(rules: &Ruleset, id: Option<&String>) -> Option<usize> {
    let id = id?;
    rules.catalogues.iter().position(|c| &c.id == id)
}

fn version_on(catalogue: &Catalogue, date: Date) -> Option<usize> {
    catalogue.version_index_on(date)
}

fn day_after(d: Date) -> Date {
    d.succ_opt().unwrap_or(Date::MAX)
}

pub(crate) fn compile(rules: &Ruleset, overrides: &[Resolved]) -> Compiled {
    let mut values: Vec<ParamValue> = rules.params.iter().map(|(_, p)| p.value).collect();
    let mut replaced = FxHashSet::default();
    for o in overrides.iter().filter(|o| o.range.is_none()) {
        values[o.param.0 as usize] = o.value;
        replaced.insert(o.param);
    }
    let base_values: Arc<[ParamValue]> = values.into();
    // Values for stretches of dates: the rules' own (unless an override replaced the value
    // outright), then ranged overrides, which win where both apply.
    let mut ranged: Vec<(InForceRange, ParamValue)> = Vec::new();
    for (id, param) in rules.params.iter().filter(|(id, _)| !replaced.contains(id)) {
        for (i, r) in param.ranges.iter().enumerate() {
            ranged.push((InForceRange { param: id, period: r.period, rule: Some(i) }, r.value));
        }
    }
    for o in overrides {
        if let Some(period) = o.range {
            ranged.push((InForceRange { param: o.param, period, rule: None }, o.value));
        }
    }

    let mut categories = vec![String::new()];
    for catalogue in &rules.catalogues {
        for version in &catalogue.versions {
            for o in version.occupations() {
                if let Some(c) = &o.category {
                    if !categories.contains(c) {
                        categories.push(c.clone());
                    }
                }
            }
        }
    }

    let mut occupation_cache: FxHashMap<OccupationKey, Arc<OccupationIndex>> = FxHashMap::default();
    let mut institution_cache: FxHashMap<(usize, usize), Arc<InstitutionIndex>> = FxHashMap::default();
    // The values of each set of ranges in force, shared by the segments that have it.
    type InForce = (Arc<[ParamValue]>, Arc<[InForceRange]>);
    let mut values_cache: FxHashMap<Vec<usize>, InForce> = FxHashMap::default();

    let mut programs = Vec::with_capacity(rules.programs.len());
    for (rule, program) in rules.programs.iter().enumerate() {
        let occ = catalogue_index(rules, program.occupation_catalogue.as_ref());
        let inst = catalogue_index(rules, program.institution_catalogue.as_ref());
        let short = catalogue_index(rules, program.shortage_catalogue.as_ref());
        let eval = catalogue_index(rules, program.evaluator_catalogue.as_ref());

        let mut starts: Vec<Date> = vec![Date::MIN];
        for c in [occ, inst, short, eval].into_iter().flatten() {
            for v in &rules.catalogues[c].versions {
                starts.push(v.period.from);
                starts.push(day_after(v.period.to));
                // A sticky shortage list changes at each new year.
                starts.push(Date::from_ymd_opt(v.period.from.year() + 1, 1, 1).unwrap_or(Date::MAX));
            }
        }
        for (r, _) in &ranged {
            starts.push(r.period.from);
            starts.push(day_after(r.period.to));
        }
        // A project is approved for a period (一项一价): within a segment every claim sees the
        // same projects in force.
        for p in rules.projects.iter().filter(|p| p.program == program.id) {
            starts.push(p.period.from);
            starts.push(day_after(p.period.to));
        }
        starts.sort();
        starts.dedup();

        let segments = starts
            .iter()
            .map(|&from| {
                let active: Vec<usize> = ranged.iter().enumerate().filter(|(_, (r, _))| r.period.contains(from)).map(|(i, _)| i).collect();
                let (values, dated) = values_cache
                    .entry(active.clone())
                    .or_insert_with(|| {
                        let mut v = base_values.to_vec();
                        let mut dated: Vec<InForceRange> = Vec::new();
                        // Rule ranges come first in `ranged`, so an override of the same value
                        // replaces the rule's range here.
                        for &i in &active {
                            let (r, value) = ranged[i];
                            v[r.param.0 as usize] = value;
                            dated.retain(|d| d.param != r.param);
                            dated.push(r);
                        }
                        (v.into(), dated.into())
                    })
                    .clone();
                let sticky = rules.shortage.as_ref().is_some_and(|s| values[s.listed_until_year_end.0 as usize].flag());
                let occupations = occ.and_then(|c| {
                    let v = version_on(&rules.catalogues[c], from)?;
                    let s = short.and_then(|s| version_on(&rules.catalogues[s], from).map(|v| (s, v)));
                    Some(
                        occupation_cache
                            .entry((c, v, s, sticky))
                            .or_insert_with(|| Arc::new(occupation_index(rules, c, v, short, from, sticky, &categories)))
                            .clone(),
                    )
                });
                let mut institutions_of = |catalogue: Option<usize>| {
                    let c = catalogue?;
                    let v = version_on(&rules.catalogues[c], from)?;
                    Some(institution_cache.entry((c, v)).or_insert_with(|| Arc::new(institution_index(rules, c, v))).clone())
                };
                let institutions = institutions_of(inst);
                let evaluators = institutions_of(eval);
                let table = amount_table(rules, &program.calculation, &values, &categories);
                let claim_window_months = count(values[rules.limits.claim_window_months.0 as usize]);
                let payment_lag = count(values[rules.payment.months_after_application.0 as usize]);
                Segment { from, values, dated, claim_window_months, payment_lag, occupations, institutions, evaluators, table }
            })
            .collect();
        programs.push(CompiledProgram { rule, segments });
    }
    Compiled { base_values, programs }
}

fn vref(catalogue: usize, version: usize) -> VersionRef {
    VersionRef { catalogue: u16::try_from(catalogue).unwrap_or(u16::MAX), version: u16::try_from(version).unwrap_or(u16::MAX) }
}

fn occupation_index(
    rules: &Ruleset,
    c: usize,
    v: usize,
    short: Option<usize>,
    on: Date,
    sticky: bool,
    categories: &[String],
) -> OccupationIndex {
    // S30: once listed in a year, listed for the rest of it — the versions of the same year
    // that started on or before `on` count, not only the one in force.
    let mut listed: FxHashMap<&str, u16> = FxHashMap::default();
    let mut current: Vec<&str> = Vec::new();
    let mut shortage_version = None;
    if let Some(s) = short {
        for (i, version) in rules.catalogues[s].versions.iter().enumerate() {
            let in_force = version.period.contains(on);
            let earlier_this_year = sticky && version.period.from <= on && version.period.from.year() == on.year();
            if in_force {
                shortage_version = Some(vref(s, i));
            }
            if in_force || earlier_this_year {
                if let Entries::Shortage(codes) = &version.entries {
                    for code in codes {
                        listed.entry(code.as_str()).or_insert(i as u16);
                        if in_force {
                            current.push(code.as_str());
                        }
                    }
                }
            }
        }
    }
    let version = &rules.catalogues[c].versions[v];
    let map = version
        .occupations()
        .iter()
        .enumerate()
        .map(|(index, o)| {
            let category = o.category.as_ref().and_then(|c| categories.iter().position(|x| x == c)).unwrap_or(0) as u8;
            let listed_in = listed.get(o.code.as_str()).copied();
            let on_current_list = current.contains(&o.code.as_str());
            let entry =
                OccEntry { index: index as u32, levels: o.levels, category, shortage: listed_in.is_some(), listed_in, on_current_list };
            (o.code.clone().into_boxed_str(), entry)
        })
        .collect();
    OccupationIndex { version: vref(c, v), shortage_version, map }
}

fn institution_index(rules: &Ruleset, c: usize, v: usize) -> InstitutionIndex {
    let map = match &rules.catalogues[c].versions[v].entries {
        Entries::Institutions(list) => list
            .iter()
            .enumerate()
            .map(|(index, i)| {
                let (all, codes) = match &i.scope {
                    InstitutionScope::All => (true, FxHashSet::default()),
                    InstitutionScope::Occupations(codes) => (false, codes.iter().map(|c| c.clone().into_boxed_str()).collect()),
                };
                (i.id.clone().into_boxed_str(), InstitutionEntry { index: index as u32, all, codes })
            })
            .collect(),
        _ => FxHashMap::default(),
    };
    InstitutionIndex { version: vref(c, v), map }
}

/// Base and uplifted amounts by category and level. Uplifted = the explicit figure when the
/// table gives one, else base × (1 + rate): exact, rounding waits for the claim's end.
fn amount_table(rules: &Ruleset, calculation: &Calculation, values: &[ParamValue], categories: &[String]) -> Vec<[Option<LevelAmount>; 7]> {
    let (amounts, explicit): (&LevelAmounts, Option<&LevelAmounts>) = match calculation {
        Calculation::LevelTable { amounts, shortage_amounts, .. } => (amounts, shortage_amounts.as_ref()),
        Calculation::Apprenticeship { rates, .. } => (rates, None),
        _ => return Vec::new(),
    };
    let rate = rules.shortage.as_ref().map_or(Decimal::ZERO, |s| values[s.rate.0 as usize].number());
    let uplift = Decimal::ONE + rate;
    categories
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let category = (i > 0).then_some(name.as_str());
            let mut row = [None; 7];
            let Some(base_row) = amounts.row(category) else { return row };
            let explicit_row = explicit.and_then(|t| t.row(category));
            for level in Level::ALL {
                if let Some(base_param) = base_row[level.index()] {
                    let base = values[base_param.0 as usize].number();
                    let explicit = explicit_row.and_then(|r| r[level.index()]);
                    // Money ≤ 999,999,999,999.99 and rate ≤ 1: the product cannot overflow.
                    let uplifted = match explicit {
                        Some(p) => values[p.0 as usize].number(),
                        None => base.checked_mul(uplift).unwrap_or(base),
                    };
                    row[level.index()] = Some(LevelAmount { base: in_fen(base), base_param, uplifted: in_fen(uplifted), explicit });
                }
            }
            row
        })
        .collect()
}
