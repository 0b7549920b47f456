//! Loading a ruleset's files: which files exist, in which order they are read, and the parts
//! of `ruleset.toml` and `sources.toml`.

use super::accounts::{self, Account, TargetSet};
use super::catalogue::{check_versions, load_version, Catalogue, CatalogueKind};
use super::error::{RulesError, RulesErrorKind, RulesErrors};
use super::failed::{Failed, Unloaded};
use super::params::{Param, ParamId, ParamKind, ParamRange, ParamValue, Params, DATED_PREFIXES};
use super::programs::{load_levels, load_programs};
use super::projects::load_projects;
use super::reader::{is_ident, Cx, Node, Table};
use super::sources::{Citation, Confidence, Source};
use super::{Industry, Limits, PaymentLag, Ruleset, ShortageRule};
use std::collections::{BTreeMap, BTreeSet};

/// A policy value that is not a number or switch (a list of levels, a group name), with its
/// citation and path.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Cited<T> {
    /// The value.
    pub value: T,
    /// Its citation.
    pub citation: Citation,
    /// Its dotted path.
    pub path: String,
}

/// State shared by the readers of one ruleset's files.
pub(crate) struct Loader {
    pub params: Params,
    pub industries: BTreeSet<String>,
}

impl Loader {
    /// Reads a cited number or switch of `kind` (and any values it takes for stretches of
    /// dates) and registers it under its path.
    pub fn param(&mut self, cx: &mut Cx<'_, '_>, node: &Node<'_>, kind: ParamKind) -> Option<ParamId> {
        let (value, citation, dated) = cx.cited_with_ranges(node)?;
        let parsed = param_value(cx, &value, kind)?;
        let mut ranges: Vec<ParamRange> = Vec::new();
        for (key, range) in dated {
            let period = cx.range_key(&key, &range);
            let Some((value, citation)) = cx.cited(&range) else { continue };
            if let (Some(period), Some(value)) = (period, param_value(cx, &value, kind)) {
                ranges.push(ParamRange { period, value, citation, line: range.line });
            }
        }
        if !ranges.is_empty() && !DATED_PREFIXES.iter().any(|p| node.path.starts_with(p)) {
            cx.error_at(
                RulesErrorKind::InvalidValue,
                node,
                "only program, shortage and project values can change within the period; limits, accounts, targets and payment apply to the whole run",
            );
        }
        ranges.sort_by_key(|r| r.period);
        for pair in ranges.windows(2) {
            if pair[0].period.overlaps(&pair[1].period) {
                cx.error(
                    RulesErrorKind::PeriodOverlap,
                    &node.path,
                    pair[1].line,
                    format!("the ranges {} and {} of one value overlap", pair[0].period, pair[1].period),
                );
            }
        }
        let param = Param { path: node.path.clone(), kind, value: parsed, citation, file: cx.file.to_string(), line: node.line, ranges };
        Some(self.params.add(param))
    }
}

/// A number or switch of `kind`, checked against the kind's range.
fn param_value(cx: &mut Cx<'_, '_>, value: &Node<'_>, kind: ParamKind) -> Option<ParamValue> {
    if kind == ParamKind::Flag {
        return Some(ParamValue::Flag(cx.boolean(value)?));
    }
    let number = cx.decimal(value)?;
    match kind.check_number(number) {
        Ok(v) => Some(v),
        Err(message) => {
            let code = if kind == ParamKind::Rate { RulesErrorKind::RateOutOfRange } else { RulesErrorKind::InvalidValue };
            cx.error_at(code, value, format!("expected {}: {message}", kind.describe()));
            None
        }
    }
}

const TOP_FILES: [&str; 4] = ["sources.toml", "ruleset.toml", "programs.toml", "projects.toml"];

pub(crate) fn load<'a>(folder: Option<&str>, files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<Ruleset, RulesErrors> {
    let mut errors = Vec::new();
    let mut top: BTreeMap<&str, (String, &str)> = BTreeMap::new();
    let mut catalogue_files: Vec<(String, String, &str)> = Vec::new();
    for (path, text) in files {
        let path = path.replace('\\', "/");
        let path = path.trim_start_matches("./").to_string();
        let parts: Vec<&str> = path.split('/').collect();
        let name = parts.last().copied().unwrap_or_default();
        // Notes beside the rules are fine; anything else that is not a .toml file is a rules
        // file under the wrong name (`2021-q4.tml`, `2021-h2.TOML`) and must not be skipped.
        let notes = parts.len() == 1 && (name.ends_with(".md") || name.starts_with('.') || name.to_ascii_uppercase().starts_with("README"));
        if notes {
            continue;
        }
        match parts.as_slice() {
            [name] if TOP_FILES.contains(name) => {
                let key = TOP_FILES.iter().find(|f| *f == name).copied().unwrap_or_default();
                top.insert(key, (path.clone(), text));
            }
            ["catalogues", id, file] if is_ident(id) && file.ends_with(".toml") => {
                catalogue_files.push((id.to_string(), path.clone(), text))
            }
            _ => errors.push(RulesError {
                kind: RulesErrorKind::UnknownFile,
                file: path.clone(),
                path: String::new(),
                line: None,
                message: "not a file of the ruleset format: expected sources.toml, ruleset.toml, programs.toml, \
                          projects.toml or catalogues/<catalogue>/<version>.toml (lowercase .toml)"
                    .into(),
            }),
        }
    }
    for required in ["sources.toml", "ruleset.toml", "programs.toml"] {
        if !top.contains_key(required) {
            errors.push(RulesError {
                kind: RulesErrorKind::MissingKey,
                file: required.to_string(),
                path: String::new(),
                line: None,
                message: format!("the ruleset has no {required}"),
            });
        }
    }

    // Each file is read after what it refers to; what failed to load is noted in `failed`, and
    // references to it are not checked again (failed.rs).
    let mut failed = Failed::default();
    let mut sources = BTreeMap::new();
    match top.get("sources.toml") {
        Some((file, text)) => {
            let (no_sources, nothing_failed) = (BTreeMap::new(), Failed::default());
            let mut unloaded = Unloaded::default();
            let mut cx = Cx::new(file, text, &mut errors, &no_sources, &nothing_failed);
            match cx.parse() {
                Some(doc) => {
                    let mut root = cx.root(&doc);
                    sources = load_sources(&mut cx, &mut root, &mut unloaded);
                    root.finish(&mut cx);
                }
                None => unloaded.all(),
            }
            failed.sources = unloaded;
        }
        None => failed.sources.all(),
    }

    let mut loader = Loader { params: Params::default(), industries: BTreeSet::new() };
    let mut head = None;
    let mut shortage = None;
    match top.get("ruleset.toml") {
        Some((file, text)) => {
            let (mut industries, mut shortage_failed) = (Unloaded::default(), false);
            let mut cx = Cx::new(file, text, &mut errors, &sources, &failed);
            match cx.parse() {
                Some(doc) => {
                    let mut root = cx.root(&doc);
                    let (read, uplift) = load_head(&mut loader, &mut cx, &mut root, folder, &mut industries, &mut shortage_failed);
                    (head, shortage) = (read, uplift);
                    root.finish(&mut cx);
                }
                None => {
                    industries.all();
                    shortage_failed = true;
                }
            }
            (failed.industries, failed.shortage) = (industries, shortage_failed);
        }
        None => {
            failed.industries.all();
            failed.shortage = true;
        }
    }

    // Occupation catalogues first: shortage lists and institutions refer to their codes.
    let mut catalogues: Vec<Catalogue> = Vec::new();
    let mut parsed = Vec::new();
    for (id, file, text) in &catalogue_files {
        let mut cx = Cx::new(file, text, &mut errors, &sources, &failed);
        match cx.parse() {
            Some(doc) => {
                let occupations_first = doc.get("kind").and_then(|k| k.as_str()) != Some("occupations");
                parsed.push((occupations_first, id, file, text, doc));
            }
            None => failed.catalogues.add(id),
        }
    }
    parsed.sort_by_key(|(later, ..)| *later);
    for (_, id, file, text, doc) in &parsed {
        // An occupation code cannot be checked while a catalogue that may list it failed to load
        // (one whose kind is unknown, or an occupations catalogue).
        let occupations_unknown = catalogue_files.iter().any(|(other, ..)| {
            failed.catalogues.covers(other)
                && catalogues.iter().find(|c| &c.id == other).is_none_or(|c| c.kind == CatalogueKind::Occupations)
        });
        let occupations: Vec<Catalogue> = catalogues.iter().filter(|c| c.kind == CatalogueKind::Occupations).cloned().collect();
        let mut cx = Cx::new(file, text, &mut errors, &sources, &failed);
        let before = cx.problems();
        let mut root = cx.root(doc);
        let version = load_version(&loader, &mut cx, &mut root, (!occupations_unknown).then_some(occupations.as_slice()));
        let mut ok = version.is_some();
        if let Some((kind, version)) = version {
            match catalogues.iter_mut().find(|c| &c.id == *id) {
                Some(catalogue) if catalogue.kind != kind => {
                    ok = false;
                    cx.error(
                        RulesErrorKind::InvalidValue,
                        "kind",
                        Some(1),
                        format!("catalogue {id} holds {} versions; this file says {}", catalogue.kind.code(), kind.code()),
                    )
                }
                Some(catalogue) => catalogue.versions.push(version),
                None => catalogues.push(Catalogue { id: id.to_string(), kind, versions: vec![version] }),
            }
        }
        root.finish(&mut cx);
        if !ok || cx.problems() > before {
            failed.catalogues.add(id);
        }
    }
    for catalogue in &mut catalogues {
        // A version that failed to load leaves a gap that is not a gap in the rules.
        let complete = !failed.catalogues.covers(&catalogue.id);
        check_versions(&mut errors, catalogue, complete);
    }

    let mut programs = Vec::new();
    match top.get("programs.toml") {
        Some((file, text)) => {
            let mut unloaded = Unloaded::default();
            let mut cx = Cx::new(file, text, &mut errors, &sources, &failed);
            match cx.parse() {
                Some(doc) => {
                    let mut root = cx.root(&doc);
                    let shortage_levels = shortage.as_ref().map(|s: &ShortageRule| s.levels.value);
                    programs = load_programs(&mut loader, &mut cx, &mut root, &catalogues, shortage_levels, &mut unloaded);
                    root.finish(&mut cx);
                }
                None => unloaded.all(),
            }
            failed.programs = unloaded;
        }
        None => failed.programs.all(),
    }

    let mut projects = Vec::new();
    if let Some((file, text)) = top.get("projects.toml") {
        let mut cx = Cx::new(file, text, &mut errors, &sources, &failed);
        if let Some(doc) = cx.parse() {
            let mut root = cx.root(&doc);
            projects = load_projects(&mut loader, &mut cx, &mut root, &programs);
            root.finish(&mut cx);
        }
    }

    match head {
        Some(head) if errors.is_empty() => Ok(Ruleset {
            id: head.id,
            name_zh: head.name_zh,
            name_en: head.name_en,
            jurisdiction: head.jurisdiction,
            basis: head.basis,
            status: head.status,
            sources,
            params: loader.params,
            limits: head.limits,
            shortage,
            payment: head.payment,
            industries: head.industries,
            accounts: head.accounts,
            targets: head.targets,
            programs,
            projects,
            catalogues,
        }),
        _ => Err(RulesErrors(errors)),
    }
}

/// The `[sources]` table; a source that reports a problem is noted in `unloaded`.
fn load_sources(cx: &mut Cx<'_, '_>, root: &mut Table<'_>, unloaded: &mut Unloaded) -> BTreeMap<String, Source> {
    let mut out = BTreeMap::new();
    let Some(mut table) = root.req(cx, "sources").and_then(|node| cx.table(&node)) else {
        unloaded.all();
        return out;
    };
    for (id, node) in table.entries(cx) {
        let before = cx.problems();
        let Some(mut t) = cx.table(&node) else {
            unloaded.add(&id);
            continue;
        };
        let title = t.req(cx, "title").and_then(|n| cx.string(&n));
        let document = t.field(cx, "document").and_then(|n| cx.string(&n)).unwrap_or_default();
        let date = t.field(cx, "date").and_then(|n| cx.string(&n)).unwrap_or_default();
        let url = t.field(cx, "url").and_then(|n| cx.string(&n)).unwrap_or_default();
        let note = t.field(cx, "note").and_then(|n| cx.string(&n)).unwrap_or_default();
        let confidence = t.req(cx, "confidence").and_then(|n| {
            let code = cx.string(&n)?;
            let parsed = Confidence::parse(&code);
            if parsed.is_none() {
                cx.error_at(RulesErrorKind::InvalidValue, &n, format!("{code:?} is not confirmed, inferred or illustrative"));
            }
            parsed
        });
        t.finish(cx);
        if id.contains(':') || id.is_empty() {
            cx.error_at(RulesErrorKind::InvalidValue, &node, "a source key cannot contain ':' (it separates the clause)");
        } else if let (Some(title), Some(confidence)) = (title, confidence) {
            out.insert(id.clone(), Source { id: id.clone(), title, document, date, url, confidence, note });
        }
        if cx.problems() > before || !out.contains_key(&id) {
            unloaded.add(&id);
        }
    }
    out
}

/// The parts of `ruleset.toml`.
struct Head {
    id: String,
    name_zh: String,
    name_en: String,
    jurisdiction: String,
    basis: String,
    status: String,
    limits: Limits,
    payment: PaymentLag,
    industries: Vec<Industry>,
    accounts: Vec<Account>,
    targets: Vec<TargetSet>,
}

/// The parts of `ruleset.toml`: the head, complete or `None`, and the shortage uplift, read on
/// its own (programs refer to it); an industry or a `[shortage]` table that reports a problem is
/// noted in `industries_failed` or `shortage_failed`.
fn load_head(
    loader: &mut Loader,
    cx: &mut Cx<'_, '_>,
    root: &mut Table<'_>,
    folder: Option<&str>,
    industries_failed: &mut Unloaded,
    shortage_failed: &mut bool,
) -> (Option<Head>, Option<ShortageRule>) {
    let meta = root.req(cx, "ruleset").and_then(|n| cx.table(&n));
    let (mut id, mut name_zh, mut name_en, mut jurisdiction, mut basis, mut status) = (None, None, None, None, None, None);
    if let Some(mut t) = meta {
        id = t.req(cx, "id").and_then(|n| {
            let id = cx.ident(&n)?;
            if let Some(folder) = folder.filter(|f| *f != id) {
                cx.error_at(RulesErrorKind::InvalidValue, &n, format!("the id {id:?} differs from the folder name {folder:?}"));
            }
            Some(id)
        });
        name_zh = t.req(cx, "name_zh").and_then(|n| cx.string(&n));
        name_en = t.req(cx, "name_en").and_then(|n| cx.string(&n));
        jurisdiction = t.req(cx, "jurisdiction").and_then(|n| cx.string(&n));
        basis = t.req(cx, "basis").and_then(|n| cx.citation(&n)).and_then(|c| c.primary().map(|r| r.source.clone()));
        status = t.req(cx, "status").and_then(|n| {
            let s = cx.string(&n)?;
            if s != "reconstruction" && s != "official" {
                cx.error_at(RulesErrorKind::InvalidValue, &n, format!("status {s:?} is not reconstruction or official"));
            }
            Some(s)
        });
        t.finish(cx);
    }

    let limits = root.req(cx, "limits").and_then(|n| cx.table(&n)).and_then(|mut t| {
        let annual = t.req(cx, "annual_claims").and_then(|n| loader.param(cx, &n, ParamKind::Count));
        let window = t.req(cx, "claim_window_months").and_then(|n| loader.param(cx, &n, ParamKind::Count));
        let once = t.req(cx, "once_per_occupation_level").and_then(|n| loader.param(cx, &n, ParamKind::Flag));
        let lower = t.req(cx, "no_lower_level_after_higher").and_then(|n| loader.param(cx, &n, ParamKind::Flag));
        t.finish(cx);
        Some(Limits {
            annual_claims: annual?,
            claim_window_months: window?,
            once_per_occupation_level: once?,
            no_lower_level_after_higher: lower?,
        })
    });

    let before = cx.problems();
    let shortage_node = root.field(cx, "shortage");
    let shortage = shortage_node.as_ref().and_then(|n| cx.table(n)).and_then(|mut t| {
        let rate = t.req(cx, "rate").and_then(|n| loader.param(cx, &n, ParamKind::Rate));
        let levels = t.req(cx, "levels").and_then(|n| load_levels(cx, &n));
        let sticky = t.req(cx, "listed_until_year_end").and_then(|n| loader.param(cx, &n, ParamKind::Flag));
        t.finish(cx);
        Some(ShortageRule { rate: rate?, levels: levels?, listed_until_year_end: sticky? })
    });
    *shortage_failed = shortage_node.is_some() && (shortage.is_none() || cx.problems() > before);

    let payment = root.req(cx, "payment").and_then(|n| cx.table(&n)).and_then(|mut t| {
        let months = t.req(cx, "months_after_application").and_then(|n| loader.param(cx, &n, ParamKind::Count));
        t.finish(cx);
        Some(PaymentLag { months_after_application: months? })
    });

    let mut industries = Vec::new();
    match root.req(cx, "industries").and_then(|n| cx.table(&n)) {
        Some(mut t) => {
            for (id, node) in t.entries(cx) {
                let Some(mut row) = cx.table(&node) else {
                    industries_failed.add(&id);
                    continue;
                };
                let zh = row.req(cx, "name_zh").and_then(|n| cx.string(&n));
                let en = row.req(cx, "name_en").and_then(|n| cx.string(&n));
                row.finish(cx);
                if let (Some(name_zh), Some(name_en)) = (zh, en) {
                    loader.industries.insert(id.clone());
                    industries.push(Industry { id, name_zh, name_en });
                } else {
                    industries_failed.add(&id);
                }
            }
        }
        None => industries_failed.all(),
    }

    let accounts =
        root.field(cx, "accounts").and_then(|n| cx.table(&n)).map(|mut t| accounts::load_accounts(loader, cx, &mut t)).unwrap_or_default();
    let targets =
        root.field(cx, "targets").and_then(|n| cx.table(&n)).map(|mut t| accounts::load_targets(loader, cx, &mut t)).unwrap_or_default();

    let head = match (id, name_zh, name_en, jurisdiction, basis, status, limits, payment) {
        (Some(id), Some(name_zh), Some(name_en), Some(jurisdiction), Some(basis), Some(status), Some(limits), Some(payment)) => {
            Some(Head { id, name_zh, name_en, jurisdiction, basis, status, limits, payment, industries, accounts, targets })
        }
        _ => None,
    };
    (head, shortage)
}
