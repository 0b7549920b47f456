//! Catalogues (目录) as whole-table versions with effective periods: subsidised occupations
//! (补贴职业（工种）目录), shortage occupations (紧缺职业（工种）目录) and institutions
//! (培训机构目录).

use super::error::{RulesError, RulesErrorKind};
use super::loader::Loader;
use super::programs::level_list;
use super::reader::{Cx, Node, Table};
use super::sources::Citation;
use crate::calendar::Period;
use crate::level::LevelSet;

/// What a catalogue lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CatalogueKind {
    /// Subsidised occupations with the levels each offers.
    Occupations,
    /// Shortage occupations whose subsidy is uplifted.
    Shortage,
    /// Approved training institutions (培训机构目录).
    Institutions,
    /// Approved evaluation institutions (评价机构目录), which assess and certify skill levels.
    Evaluators,
}

impl CatalogueKind {
    /// The code used in catalogue files.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            CatalogueKind::Occupations => "occupations",
            CatalogueKind::Shortage => "shortage",
            CatalogueKind::Institutions => "institutions",
            CatalogueKind::Evaluators => "evaluators",
        }
    }

    /// The key of a version file that lists the entries.
    #[must_use]
    pub fn entries_key(self) -> &'static str {
        match self {
            CatalogueKind::Occupations | CatalogueKind::Shortage => "occupations",
            CatalogueKind::Institutions => "institutions",
            CatalogueKind::Evaluators => "evaluators",
        }
    }

    fn parse(code: &str) -> Option<CatalogueKind> {
        [CatalogueKind::Occupations, CatalogueKind::Shortage, CatalogueKind::Institutions, CatalogueKind::Evaluators]
            .into_iter()
            .find(|k| k.code() == code)
    }
}

/// An occupation (职业（工种）) in a catalogue version.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Occupation {
    /// 国家职业分类大典 code, e.g. `6-18-02-04`.
    pub code: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Industry id (`ruleset.toml` `[industries]`).
    pub industry: String,
    /// Levels offered.
    pub levels: LevelSet,
    /// Category for category-keyed tables (A/B/C).
    pub category: Option<String>,
    /// Its own citation, when it has one beyond the table's.
    pub citation: Option<Citation>,
}

/// Which occupations an institution may train.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InstitutionScope {
    /// Every catalogued occupation.
    All,
    /// These codes.
    Occupations(Vec<String>),
}

/// A training institution (培训机构) or an evaluation institution (评价机构) in a catalogue
/// version.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Institution {
    /// Id used in claims.
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// District (市（县）区).
    pub district: String,
    /// Occupations it may train.
    pub scope: InstitutionScope,
}

/// The rows of a catalogue version.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Entries {
    /// Occupations.
    Occupations(Vec<Occupation>),
    /// Shortage occupation codes.
    Shortage(Vec<String>),
    /// Training or evaluation institutions.
    Institutions(Vec<Institution>),
}

/// One whole-table version of a catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CatalogueVersion {
    /// Version id (`2021-q2`).
    pub id: String,
    /// Title.
    pub name_zh: String,
    /// When it is in force.
    pub period: Period,
    /// Citation of the table.
    pub citation: Citation,
    /// File it came from, relative to the ruleset.
    pub file: String,
    /// Its rows.
    pub entries: Entries,
}

/// A catalogue: its versions, in date order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Catalogue {
    /// Catalogue id: the folder name under `catalogues/`.
    pub id: String,
    /// What it lists.
    pub kind: CatalogueKind,
    /// Versions, sorted by start date.
    pub versions: Vec<CatalogueVersion>,
}

impl Catalogue {
    /// The version in force on `date`.
    #[must_use]
    pub fn version_on(&self, date: crate::calendar::Date) -> Option<&CatalogueVersion> {
        self.version_index_on(date).map(|i| &self.versions[i])
    }

    /// The position of the version in force on `date`.
    #[must_use]
    pub fn version_index_on(&self, date: crate::calendar::Date) -> Option<usize> {
        self.versions.iter().position(|v| v.period.contains(date))
    }
}

impl CatalogueVersion {
    /// The occupations, if this is an occupations version.
    #[must_use]
    pub fn occupations(&self) -> &[Occupation] {
        match &self.entries {
            Entries::Occupations(list) => list,
            _ => &[],
        }
    }
}

/// Reads one version file of catalogue `catalogue`.
pub(crate) fn load_version(
    loader: &Loader,
    cx: &mut Cx<'_, '_>,
    root: &mut Table<'_>,
    occupations: Option<&[Catalogue]>,
) -> Option<(CatalogueKind, CatalogueVersion)> {
    let kind_node = root.req(cx, "kind");
    let id = root.req(cx, "id").and_then(|n| cx.ident(&n));
    let name_zh = root.req(cx, "name_zh").and_then(|n| cx.string(&n));
    let from = root.req(cx, "effective_from").and_then(|n| cx.date(&n));
    let to = root.req(cx, "effective_to").and_then(|n| cx.date(&n));
    let citation = root.req(cx, "source").and_then(|n| cx.citation(&n));
    // A table's own confidence: a sample list is illustrative whatever its source confirms.
    let confidence = root.field(cx, "confidence").and_then(|n| cx.confidence(&n));
    let citation = citation.map(|c| Citation { confidence: confidence.or(c.confidence), ..c });
    let kind = match kind_node.as_ref().and_then(|n| cx.string(n)).as_deref() {
        Some(code) => match CatalogueKind::parse(code) {
            Some(kind) => kind,
            None => {
                let node = kind_node?;
                cx.error_at(
                    RulesErrorKind::InvalidValue,
                    &node,
                    format!("kind {code:?} is not occupations, shortage, institutions or evaluators"),
                );
                return None;
            }
        },
        None => return None,
    };
    let period = match (from, to) {
        (Some(from), Some(to)) => cx.period(&root.path, root.line, from, to),
        _ => None,
    };
    // Before the period is known, codes cannot be checked against the catalogue in force; nor
    // while an occupations catalogue failed to load (`occupations` is `None`).
    let known = |code: &str| {
        let (Some(period), Some(occupations)) = (period, occupations) else { return true };
        occupations
            .iter()
            .flat_map(|c| &c.versions)
            .filter(|v| v.period.overlaps(&period))
            .any(|v| v.occupations().iter().any(|o| o.code == code))
    };
    let node = root.req(cx, kind.entries_key())?;
    let entries = match kind {
        CatalogueKind::Occupations => {
            // An entry is never more certain than its table: a sample entry citing a confirmed
            // source (for its code, say) is still a sample.
            let table = citation.as_ref().and_then(|c| c.confidence.or_else(|| cx.source_confidence(c)));
            let mut list = load_occupations(loader, cx, node);
            for o in &mut list {
                if let (Some(c), Some(table)) = (o.citation.as_mut(), table) {
                    let own = c.confidence.or_else(|| cx.source_confidence(c));
                    if own.is_none_or(|own| own < table) {
                        c.confidence = Some(table);
                    }
                }
            }
            Entries::Occupations(list)
        }
        CatalogueKind::Shortage => Entries::Shortage(load_codes(cx, &node, &known)?),
        CatalogueKind::Institutions | CatalogueKind::Evaluators => Entries::Institutions(load_institutions(cx, node, &known)),
    };
    Some((kind, CatalogueVersion { id: id?, name_zh: name_zh?, period: period?, citation: citation?, file: cx.file.to_string(), entries }))
}

fn load_codes(cx: &mut Cx<'_, '_>, node: &Node<'_>, known: &dyn Fn(&str) -> bool) -> Option<Vec<String>> {
    let mut codes: Vec<String> = Vec::new();
    for (code, item) in cx.strings(node)? {
        if !is_code(&code) {
            cx.error_at(RulesErrorKind::InvalidValue, &item, format!("{code:?} is not an occupation code"));
        } else if !known(&code) {
            cx.error_at(
                RulesErrorKind::UnknownReference,
                &item,
                format!("{code} is in no occupation catalogue version in force during this version's period"),
            );
        } else if codes.contains(&code) {
            cx.error_at(RulesErrorKind::DuplicateId, &item, format!("{code} is listed twice"));
        } else {
            codes.push(code);
        }
    }
    Some(codes)
}

fn load_occupations(loader: &Loader, cx: &mut Cx<'_, '_>, node: Node<'_>) -> Vec<Occupation> {
    let mut out: Vec<Occupation> = Vec::new();
    for item in cx.array(&node).unwrap_or_default() {
        let Some(mut t) = cx.table(&item) else { continue };
        let code = t.req(cx, "code").and_then(|n| {
            let code = cx.string(&n)?;
            if !is_code(&code) {
                cx.error_at(RulesErrorKind::InvalidValue, &n, format!("{code:?} is not an occupation code"));
                return None;
            }
            if out.iter().any(|o| o.code == code) {
                cx.error_at(RulesErrorKind::DuplicateId, &n, format!("occupation {code} is listed twice"));
                return None;
            }
            Some(code)
        });
        let name_zh = t.req(cx, "name_zh").and_then(|n| cx.string(&n));
        let name_en = t.req(cx, "name_en").and_then(|n| cx.string(&n));
        let industry = t.req(cx, "industry").and_then(|n| {
            let industry = cx.ident(&n)?;
            // An industry that failed to load in ruleset.toml was reported there.
            if !loader.industries.contains(&industry) && !cx.failed.industries.covers(&industry) {
                cx.error_at(RulesErrorKind::UnknownReference, &n, format!("industry {industry:?} is not in ruleset.toml [industries]"));
            }
            Some(industry)
        });
        let levels = t.req(cx, "levels").and_then(|n| level_list(cx, &n));
        let category = t.field(cx, "category").and_then(|n| cx.ident(&n));
        let citation = t.field(cx, "source").and_then(|n| cx.citation(&n));
        let confidence = t.field(cx, "confidence").and_then(|n| cx.confidence(&n));
        let citation = citation.map(|c| Citation { confidence: confidence.or(c.confidence), ..c });
        t.finish(cx);
        if let (Some(code), Some(name_zh), Some(name_en), Some(industry), Some(levels)) = (code, name_zh, name_en, industry, levels) {
            out.push(Occupation { code, name_zh, name_en, industry, levels, category, citation });
        }
    }
    out
}

fn load_institutions(cx: &mut Cx<'_, '_>, node: Node<'_>, known: &dyn Fn(&str) -> bool) -> Vec<Institution> {
    let mut out: Vec<Institution> = Vec::new();
    for item in cx.array(&node).unwrap_or_default() {
        let Some(mut t) = cx.table(&item) else { continue };
        let id = t.req(cx, "id").and_then(|n| {
            let id = cx.ident(&n)?;
            if out.iter().any(|i| i.id == id) {
                cx.error_at(RulesErrorKind::DuplicateId, &n, format!("institution {id} is listed twice"));
                return None;
            }
            Some(id)
        });
        let name_zh = t.req(cx, "name_zh").and_then(|n| cx.string(&n));
        let name_en = t.req(cx, "name_en").and_then(|n| cx.string(&n));
        let district = t.req(cx, "district").and_then(|n| cx.string(&n));
        let scope = t.req(cx, "occupations").and_then(|n| {
            if n.is_str() {
                match cx.string(&n)?.as_str() {
                    "all" => Some(InstitutionScope::All),
                    other => {
                        cx.error_at(RulesErrorKind::InvalidValue, &n, format!("{other:?}: write \"all\" or a list of occupation codes"));
                        None
                    }
                }
            } else {
                load_codes(cx, &n, known).map(InstitutionScope::Occupations)
            }
        });
        t.finish(cx);
        if let (Some(id), Some(name_zh), Some(name_en), Some(district), Some(scope)) = (id, name_zh, name_en, district, scope) {
            out.push(Institution { id, name_zh, name_en, district, scope });
        }
    }
    out
}

/// An occupation code: 1 to 32 characters of digits, letters and `-` (大典 codes such as
/// `6-18-02-04`; local catalogues sometimes use a longer unit number).
pub(crate) fn is_code(code: &str) -> bool {
    !code.is_empty() && code.len() <= 32 && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Sorts a catalogue's versions and reports overlaps, version ids used twice and, when every
/// version loaded (`complete`), gaps between them.
pub(crate) fn check_versions(errors: &mut Vec<RulesError>, catalogue: &mut Catalogue, complete: bool) {
    let mut error = |kind, file: &str, path: &str, message: String| {
        errors.push(RulesError { kind, file: file.to_string(), path: path.to_string(), line: None, message });
    };
    catalogue.versions.sort_by_key(|v| v.period.from);
    for pair in catalogue.versions.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let path = format!("catalogues.{}.{}", catalogue.id, b.id);
        if a.period.overlaps(&b.period) {
            error(
                RulesErrorKind::PeriodOverlap,
                &b.file,
                &path,
                format!("{} ({}) overlaps {} ({}) of the same catalogue", b.id, b.period, a.id, a.period),
            );
        } else if complete && a.period.to.succ_opt() != Some(b.period.from) {
            error(
                RulesErrorKind::PeriodGap,
                &b.file,
                &path,
                format!("{} starts {} but {} ends {}: the days between have no version", b.id, b.period.from, a.id, a.period.to),
            );
        }
    }
    for (i, v) in catalogue.versions.iter().enumerate() {
        if let Some(first) = catalogue.versions[..i].iter().find(|w| w.id == v.id) {
            let path = format!("catalogues.{}.{}", catalogue.id, v.id);
            error(RulesErrorKind::DuplicateId, &v.file, &path, format!("version id {} is also used by {}", v.id, first.file));
        }
    }
}
