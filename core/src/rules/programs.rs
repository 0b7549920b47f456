//! Programs (补贴项目): who is paid, from which fund, for whom, and by which calculation kind.

use super::catalogue::{Catalogue, CatalogueKind};
use super::error::RulesErrorKind;
use super::failed::Unloaded;
use super::loader::{Cited, Loader};
use super::params::{ParamId, ParamKind};
use super::reader::{Cx, Node, Table};
use crate::group::{Group, GroupSet};
use crate::level::{Level, LevelSet};
use serde::Serialize;

/// Who receives the money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Payee {
    /// The trainee (先付费后补贴, paid to the person).
    Individual,
    /// The employer.
    Enterprise,
}

/// Which fund pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Fund {
    /// 职业技能提升行动专账, with an opening balance that can run out.
    SpecialAccount,
    /// 失业保险基金.
    UnemploymentInsurance,
    /// 就业补助资金.
    EmploymentFund,
}

impl Payee {
    /// The code used in rules and records.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Payee::Individual => "individual",
            Payee::Enterprise => "enterprise",
        }
    }
}

impl Fund {
    /// The code used in rules and records.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Fund::SpecialAccount => "special_account",
            Fund::UnemploymentInsurance => "unemployment_insurance",
            Fund::EmploymentFund => "employment_fund",
        }
    }

    /// Chinese name.
    #[must_use]
    pub fn name_zh(self) -> &'static str {
        match self {
            Fund::SpecialAccount => "职业技能提升行动专账",
            Fund::UnemploymentInsurance => "失业保险基金",
            Fund::EmploymentFund => "就业补助资金",
        }
    }

    pub(crate) fn parse(code: &str) -> Option<Fund> {
        [Fund::SpecialAccount, Fund::UnemploymentInsurance, Fund::EmploymentFund].into_iter().find(|f| f.code() == code)
    }
}

/// Amounts by level, optionally by occupation category first (Jiangsu 2023's A/B/C classes).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LevelAmounts {
    /// One row per category (`None` when the table is not keyed by category), each with an
    /// amount per level in [`Level::ALL`] order.
    pub rows: Vec<(Option<String>, [Option<ParamId>; 7])>,
}

impl LevelAmounts {
    /// The row for an occupation's category: the category's row, or the uncategorised row.
    #[must_use]
    pub fn row(&self, category: Option<&str>) -> Option<&[Option<ParamId>; 7]> {
        self.rows.iter().find(|(c, _)| c.as_deref() == category || c.is_none()).map(|(_, row)| row)
    }

    /// Whether the table is keyed by category.
    #[must_use]
    pub fn by_category(&self) -> bool {
        self.rows.iter().any(|(c, _)| c.is_some())
    }
}

/// How a program computes a claim's amount. A small closed set: a new program of an existing
/// kind is a rules change, not a code change.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Calculation {
    /// amount = table\[level\] (× (1 + uplift)), capped at the fee when the program says so.
    LevelTable {
        /// Base amounts.
        amounts: LevelAmounts,
        /// Explicit uplifted amounts that win over base × (1 + rate).
        shortage_amounts: Option<LevelAmounts>,
        /// The government purchase price of a 培训合格证书 (level `T`) by occupation code
        /// (政府购买就业培训服务, S9); an occupation without one is paid the table's `T` amount.
        purchase_prices: Vec<(String, ParamId)>,
    },
    /// A fixed amount per claim (岗前培训).
    Flat {
        /// The amount.
        amount: ParamId,
    },
    /// rate × min(months, max_months) (以工代训).
    PerMonth {
        /// Yuan a month.
        monthly_rate: ParamId,
        /// Months paid at most.
        max_months: ParamId,
    },
    /// min(fee_paid, cap) (线上培训).
    CappedFee {
        /// The cap.
        cap: ParamId,
    },
    /// The price per trainee of an approved project (项目制, 一项一价).
    PerProject,
    /// Per person-year by target level (企业新型学徒制), staged by review sessions:
    /// rate × months / 12.
    Apprenticeship {
        /// Rates per person-year.
        rates: LevelAmounts,
        /// Shortest duration paid, in months.
        min_months: ParamId,
        /// Longest duration paid, in months.
        max_months: ParamId,
        /// Sessions, staging, quota and the overlap rule.
        review: Box<super::apprenticeship::ReviewRules>,
    },
}

impl Calculation {
    /// The kind's code in rules files.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Calculation::LevelTable { .. } => "level_table",
            Calculation::Flat { .. } => "flat",
            Calculation::PerMonth { .. } => "per_month",
            Calculation::CappedFee { .. } => "capped_fee",
            Calculation::PerProject => "per_project",
            Calculation::Apprenticeship { .. } => "apprenticeship",
        }
    }
}

/// One program (补贴项目) of a ruleset.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Program {
    /// Id used in claims (`skills_training`).
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// The document(s) that establish the program.
    pub citation: super::sources::Citation,
    /// How the amount is computed.
    pub calculation: Calculation,
    /// Who is paid.
    pub payee: Payee,
    /// Which fund pays.
    pub fund: Fund,
    /// The occupation catalogue a claim's occupation must be in, if any.
    pub occupation_catalogue: Option<String>,
    /// The institution catalogue a claim's institution must be in, if any.
    pub institution_catalogue: Option<String>,
    /// The shortage list for the uplift, if any.
    pub shortage_catalogue: Option<String>,
    /// The evaluation institution catalogue (评价机构目录) a claim's `evaluator` is checked
    /// against, when the claim gives one.
    pub evaluator_catalogue: Option<String>,
    /// Whether a claim must name its evaluation institution.
    pub requires_evaluator: Option<ParamId>,
    /// Groups that may claim.
    pub groups: Cited<GroupSet>,
    /// Levels subsidised (level_table, apprenticeship).
    pub levels: Option<Cited<LevelSet>>,
    /// Whether the amount is capped at `fee_paid`.
    pub caps_at_fee: Option<ParamId>,
    /// Whether a claim counts toward the annual limit.
    pub counts_toward_annual_limit: ParamId,
    /// Whether the shortage uplift applies.
    pub shortage_uplift: Option<ParamId>,
    /// The levels the uplift applies to for this program, when they differ from the ruleset's
    /// `shortage.levels` (Wuxi's unemployment-insurance upgrade: 5, 4 and 3, S11).
    pub shortage_levels: Option<Cited<LevelSet>>,
    /// Programs in the same group pay at most the highest amount per person, enterprise and year.
    pub exclusivity_group: Option<Cited<String>>,
    /// Months of unemployment-insurance contributions required.
    pub min_ui_contribution_months: Option<ParamId>,
}

impl Program {
    /// The fields an earlier subsidy of this program (a history record, SPEC §7.2) must have
    /// for a batch's cross-claim checks to count it: the occupation and level that checks 8 and
    /// 9 compare (every `level_table` program), and the enterprise that exclusivity compares
    /// (check 11, per person, enterprise and year: programs in an exclusivity group). Without
    /// them a record counts for nothing in those checks, and later claims are decided as if it
    /// had not been paid.
    ///
    /// ```
    /// let rules = skill_subsidy::Ruleset::wuxi_2021()?;
    /// let needs = |id: &str| rules.programs.iter().find(|p| p.id == id).map(|p| p.history_fields());
    /// assert_eq!(needs("skills_training"), Some(vec!["occupation", "level"]));
    /// assert_eq!(needs("pre_job"), Some(vec!["enterprise_id"]));
    /// # Ok::<(), skill_subsidy::RulesErrors>(())
    /// ```
    #[must_use]
    pub fn history_fields(&self) -> Vec<&'static str> {
        let mut fields = Vec::new();
        if matches!(self.calculation, Calculation::LevelTable { .. }) {
            fields.extend(["occupation", "level"]);
        }
        if self.exclusivity_group.is_some() {
            fields.push("enterprise_id");
        }
        fields
    }
}

/// What programs may refer to, loaded before them.
struct Context<'c> {
    catalogues: &'c [Catalogue],
    /// Ids of every program of the file, for references between programs.
    program_ids: Vec<String>,
    /// The levels of the `[shortage]` uplift, when the ruleset has one.
    shortage_levels: Option<LevelSet>,
}

pub(crate) fn load_programs(
    loader: &mut Loader,
    cx: &mut Cx<'_, '_>,
    root: &mut Table<'_>,
    catalogues: &[Catalogue],
    shortage_levels: Option<LevelSet>,
    unloaded: &mut Unloaded,
) -> Vec<Program> {
    let Some(mut programs) = root.req(cx, "programs").and_then(|node| cx.table(&node)) else {
        unloaded.all();
        return Vec::new();
    };
    let entries = programs.entries(cx);
    let context = Context { catalogues, program_ids: entries.iter().map(|(id, _)| id.clone()).collect(), shortage_levels };
    let mut out: Vec<Program> = Vec::new();
    let mut apprenticeship: Option<String> = None;
    for (id, node) in entries {
        if !super::reader::is_ident(&id) {
            cx.error_at(RulesErrorKind::InvalidValue, &node, format!("{id:?} is not a program id (letters, digits, '_' and '-')"));
            unloaded.add(&id);
            continue;
        }
        let before = cx.problems();
        if let Some(mut table) = cx.table(&node) {
            if let Some(program) = load_program(loader, cx, &mut table, id.clone(), &context) {
                if matches!(program.calculation, Calculation::Apprenticeship { .. }) {
                    if let Some(first) = &apprenticeship {
                        cx.error_at(
                            RulesErrorKind::DuplicateId,
                            &node,
                            format!("a ruleset has one apprenticeship program; {first} is one already"),
                        );
                    }
                    apprenticeship.get_or_insert_with(|| program.id.clone());
                }
                out.push(program);
            }
            table.finish(cx);
        }
        // A program that reports a problem is not checked again where projects refer to it.
        if cx.problems() > before || out.last().is_none_or(|p| p.id != id) {
            unloaded.add(&id);
        }
    }
    out
}

fn load_program(loader: &mut Loader, cx: &mut Cx<'_, '_>, t: &mut Table<'_>, id: String, context: &Context<'_>) -> Option<Program> {
    let citation = t.req(cx, "source").and_then(|n| cx.citation(&n));
    let name_zh = t.req(cx, "name_zh").and_then(|n| cx.string(&n));
    let name_en = t.req(cx, "name_en").and_then(|n| cx.string(&n));
    let kind = t.req(cx, "kind").and_then(|n| Some((cx.string(&n)?, n)));
    let payee = t.req(cx, "payee").and_then(|n| match cx.string(&n)?.as_str() {
        "individual" => Some(Payee::Individual),
        "enterprise" => Some(Payee::Enterprise),
        other => {
            cx.error_at(RulesErrorKind::InvalidValue, &n, format!("payee {other:?} is not individual or enterprise"));
            None
        }
    });
    let fund = t.req(cx, "fund").and_then(|n| {
        let code = cx.string(&n)?;
        let fund = Fund::parse(&code);
        if fund.is_none() {
            cx.error_at(
                RulesErrorKind::InvalidValue,
                &n,
                format!("fund {code:?} is not special_account, unemployment_insurance or employment_fund"),
            );
        }
        fund
    });
    let catalogue = |cx: &mut Cx<'_, '_>, t: &mut Table<'_>, key: &str, kind: CatalogueKind| {
        let node = t.field(cx, key)?;
        let id = cx.ident(&node)?;
        match context.catalogues.iter().find(|c| c.id == id) {
            Some(c) if c.kind == kind => Some(id),
            Some(c) => {
                cx.error_at(
                    RulesErrorKind::UnknownReference,
                    &node,
                    format!("catalogue {id} lists {}, not {}", c.kind.code(), kind.code()),
                );
                None
            }
            // A catalogue that failed to load was reported in its own files.
            None if cx.failed.catalogues.covers(&id) => Some(id),
            None => {
                cx.error_at(RulesErrorKind::UnknownReference, &node, format!("there is no catalogue {id:?} (no folder catalogues/{id}/)"));
                None
            }
        }
    };
    let occupation_catalogue = catalogue(cx, t, "occupation_catalogue", CatalogueKind::Occupations);
    let institution_catalogue = catalogue(cx, t, "institution_catalogue", CatalogueKind::Institutions);
    let shortage_catalogue = catalogue(cx, t, "shortage_catalogue", CatalogueKind::Shortage);
    let evaluator_catalogue = catalogue(cx, t, "evaluator_catalogue", CatalogueKind::Evaluators);
    let requires_evaluator = t.field(cx, "requires_evaluator").and_then(|n| loader.param(cx, &n, ParamKind::Flag));
    if let (Some(_), None) = (&requires_evaluator, &evaluator_catalogue) {
        cx.error(
            RulesErrorKind::MissingKey,
            &format!("{}.evaluator_catalogue", t.path),
            t.line,
            "`requires_evaluator` needs an `evaluator_catalogue` to check the evaluator against",
        );
    }
    let groups = t.req(cx, "groups").and_then(|n| load_groups(cx, &n));
    let levels = t.field(cx, "levels").and_then(|n| load_levels(cx, &n));
    let caps_at_fee = t.field(cx, "caps_at_fee").and_then(|n| loader.param(cx, &n, ParamKind::Flag));
    let counts = t.req(cx, "counts_toward_annual_limit").and_then(|n| loader.param(cx, &n, ParamKind::Flag));
    let shortage_uplift = t.field(cx, "shortage_uplift").and_then(|n| loader.param(cx, &n, ParamKind::Flag));
    let shortage_levels = t.field(cx, "shortage_levels").and_then(|n| load_levels(cx, &n));
    let exclusivity_group = t.field(cx, "exclusivity_group").and_then(|n| {
        let (value, citation) = cx.cited(&n)?;
        Some(Cited { value: cx.ident(&value)?, citation, path: n.path.clone() })
    });
    let min_ui = t.field(cx, "min_ui_contribution_months").and_then(|n| loader.param(cx, &n, ParamKind::Count));

    let (kind, kind_node) = kind?;
    let calculation = match kind.as_str() {
        "level_table" => {
            let amounts = t.req(cx, "amounts").and_then(|n| load_level_amounts(loader, cx, &n, ParamKind::Money));
            let shortage_amounts = t.field(cx, "shortage_amounts").map(|n| load_level_amounts(loader, cx, &n, ParamKind::Money));
            if levels.is_none() {
                cx.error(
                    RulesErrorKind::MissingKey,
                    &format!("{}.levels", t.path),
                    t.line,
                    "a level_table program lists the `levels` it subsidises",
                );
            }
            let purchase_prices = t
                .field(cx, "purchase_prices")
                .map(|n| load_purchase_prices(loader, cx, &n, levels.as_ref(), context, occupation_catalogue.as_deref()))
                .unwrap_or_default();
            Calculation::LevelTable { amounts: amounts?, shortage_amounts: shortage_amounts.flatten(), purchase_prices }
        }
        "flat" => Calculation::Flat { amount: t.req(cx, "amount").and_then(|n| loader.param(cx, &n, ParamKind::Money))? },
        "per_month" => {
            let monthly_rate = t.req(cx, "monthly_rate").and_then(|n| loader.param(cx, &n, ParamKind::Money));
            let max_months = t.req(cx, "max_months").and_then(|n| loader.param(cx, &n, ParamKind::Count));
            Calculation::PerMonth { monthly_rate: monthly_rate?, max_months: max_months? }
        }
        "capped_fee" => Calculation::CappedFee { cap: t.req(cx, "cap").and_then(|n| loader.param(cx, &n, ParamKind::Money))? },
        "per_project" => Calculation::PerProject,
        "apprenticeship" => {
            let rates = t.req(cx, "rates").and_then(|n| load_level_amounts(loader, cx, &n, ParamKind::Money));
            let min_months = t.req(cx, "min_months").and_then(|n| loader.param(cx, &n, ParamKind::Count));
            let max_months = t.req(cx, "max_months").and_then(|n| loader.param(cx, &n, ParamKind::Count));
            let review = t.req(cx, "review").and_then(|n| {
                let mut table = cx.table(&n)?;
                let review = super::apprenticeship::load_review(loader, cx, &mut table, &context.program_ids);
                table.finish(cx);
                review
            });
            Calculation::Apprenticeship { rates: rates?, min_months: min_months?, max_months: max_months?, review: Box::new(review?) }
        }
        other => {
            cx.error_at(
                RulesErrorKind::InvalidValue,
                &kind_node,
                format!("kind {other:?} is not one of level_table, flat, per_month, capped_fee, per_project, apprenticeship"),
            );
            return None;
        }
    };
    let program = Program {
        id,
        name_zh: name_zh?,
        name_en: name_en?,
        citation: citation?,
        calculation,
        payee: payee?,
        fund: fund?,
        occupation_catalogue,
        institution_catalogue,
        shortage_catalogue,
        evaluator_catalogue,
        requires_evaluator,
        groups: groups?,
        levels,
        caps_at_fee,
        counts_toward_annual_limit: counts?,
        shortage_uplift,
        shortage_levels,
        exclusivity_group,
        min_ui_contribution_months: min_ui,
    };
    check_amounts_cover_levels(cx, &program, &t.path, t.line);
    check_uplift_is_defined(cx, &program, &t.path, t.line, context);
    check_categories(cx, &program, &t.path, t.line, context);
    check_uplifted_table(cx, &program, &t.path, t.line, context);
    check_durations(cx, loader, &program, &t.path, t.line);
    Some(program)
}

fn load_groups(cx: &mut Cx<'_, '_>, node: &Node<'_>) -> Option<Cited<GroupSet>> {
    let (value, citation) = cx.cited(node)?;
    let mut set = Vec::new();
    for (code, item) in cx.strings(&value)? {
        match Group::parse(&code) {
            Some(group) => set.push(group),
            None => cx.error_at(RulesErrorKind::InvalidValue, &item, format!("{code:?} is not a group code")),
        }
    }
    Some(Cited { value: set.into_iter().collect(), citation, path: node.path.clone() })
}

/// A cited list of level codes.
pub(crate) fn load_levels(cx: &mut Cx<'_, '_>, node: &Node<'_>) -> Option<Cited<LevelSet>> {
    let (value, citation) = cx.cited(node)?;
    let levels = level_list(cx, &value)?;
    Some(Cited { value: levels, citation, path: node.path.clone() })
}

/// A plain list of level codes (`["5", "4", "3"]`).
pub(crate) fn level_list(cx: &mut Cx<'_, '_>, node: &Node<'_>) -> Option<LevelSet> {
    let mut set = LevelSet::EMPTY;
    for (code, item) in cx.strings(node)? {
        match Level::parse(&code) {
            Some(level) => set = set.with(level),
            None => cx.error_at(RulesErrorKind::InvalidValue, &item, format!("{code:?} is not a level (5, 4, 3, 2, 1, S, T)")),
        }
    }
    if set.is_empty() {
        cx.error_at(RulesErrorKind::InvalidValue, node, "the list of levels is empty");
        return None;
    }
    Some(set)
}

/// `[programs.x.purchase_prices]`: a price per occupation code for level `T`, each a code of the
/// program's occupation catalogue.
fn load_purchase_prices(
    loader: &mut Loader,
    cx: &mut Cx<'_, '_>,
    node: &Node<'_>,
    levels: Option<&Cited<LevelSet>>,
    context: &Context<'_>,
    catalogue: Option<&str>,
) -> Vec<(String, ParamId)> {
    let Some(mut table) = cx.table(node) else { return Vec::new() };
    if !levels.is_some_and(|l| l.value.contains(Level::T)) {
        cx.error_at(RulesErrorKind::InvalidValue, node, "purchase prices are for level T (培训合格证书), which `levels` does not list");
    }
    let unchecked = catalogue.is_some_and(|id| cx.failed.catalogues.covers(id));
    let known = |code: &str| {
        unchecked
            || context
                .catalogues
                .iter()
                .filter(|c| Some(c.id.as_str()) == catalogue)
                .flat_map(|c| &c.versions)
                .any(|v| v.occupations().iter().any(|o| o.code == code))
    };
    let mut out = Vec::new();
    for (code, child) in table.entries(cx) {
        if !known(&code) {
            cx.error_at(RulesErrorKind::UnknownReference, &child, format!("{code} is in no version of the program's occupation catalogue"));
        }
        if let Some(id) = loader.param(cx, &child, ParamKind::Money) {
            out.push((code, id));
        }
    }
    out
}

/// `{ 5 = {…}, 4 = {…} }` or `{ A = { 5 = {…} }, B = {…} }`.
fn load_level_amounts(loader: &mut Loader, cx: &mut Cx<'_, '_>, node: &Node<'_>, kind: ParamKind) -> Option<LevelAmounts> {
    let mut table = cx.table(node)?;
    let mut rows = Vec::new();
    if node.is_table_of_tables() {
        for (category, child) in table.entries(cx) {
            let mut inner = cx.table(&child)?;
            rows.push((Some(category), load_level_row(loader, cx, &mut inner, kind)));
        }
    } else {
        rows.push((None, load_level_row(loader, cx, &mut table, kind)));
    }
    Some(LevelAmounts { rows })
}

fn load_level_row(loader: &mut Loader, cx: &mut Cx<'_, '_>, table: &mut Table<'_>, kind: ParamKind) -> [Option<ParamId>; 7] {
    let mut row = [None; 7];
    for (key, child) in table.entries(cx) {
        match Level::parse(&key) {
            Some(level) => row[level.index()] = loader.param(cx, &child, kind),
            None => cx.error_at(RulesErrorKind::UnknownKey, &child, format!("{key:?} is not a level (5, 4, 3, 2, 1, S, T)")),
        }
    }
    row
}

/// S5 (Jiangsu 2023) and the format: every level a program subsidises has an amount, in every
/// category; an amount for a level the program does not subsidise is a slip of the pen.
fn check_amounts_cover_levels(cx: &mut Cx<'_, '_>, program: &Program, path: &str, line: Option<usize>) {
    let Some(levels) = &program.levels else { return };
    let (tables, key): (Vec<&LevelAmounts>, &str) = match &program.calculation {
        Calculation::LevelTable { amounts, .. } => (vec![amounts], "amounts"),
        Calculation::Apprenticeship { rates, .. } => (vec![rates], "rates"),
        _ => return,
    };
    for table in tables {
        for (category, row) in &table.rows {
            let at = match category {
                Some(c) => format!("{path}.{key}.{c}"),
                None => format!("{path}.{key}"),
            };
            for level in Level::ALL {
                match (levels.value.contains(level), row[level.index()].is_some()) {
                    (true, false) => cx.error(
                        RulesErrorKind::MissingAmount,
                        &at,
                        line,
                        format!("level {level} is subsidised (`levels`) but has no amount"),
                    ),
                    (false, true) => cx.error(
                        RulesErrorKind::InvalidValue,
                        &format!("{at}.{level}"),
                        line,
                        format!("an amount for level {level}, which `levels` does not list"),
                    ),
                    _ => {}
                }
            }
        }
    }
}

/// The uplift needs the ruleset's `[shortage]` rate and a list to look occupations up in.
fn check_uplift_is_defined(cx: &mut Cx<'_, '_>, program: &Program, path: &str, line: Option<usize>, context: &Context<'_>) {
    if let (Some(levels), None) = (&program.shortage_levels, program.shortage_uplift) {
        cx.error(
            RulesErrorKind::MissingKey,
            &levels.path,
            line,
            "`shortage_levels` needs `shortage_uplift` (the switch that turns the uplift on)",
        );
    }
    if program.shortage_uplift.is_none() {
        return;
    }
    if let (Some(uplifted), Some(paid)) = (&program.shortage_levels, &program.levels) {
        for level in uplifted.value.iter().filter(|l| !paid.value.contains(*l)) {
            cx.error(
                RulesErrorKind::InvalidValue,
                &uplifted.path,
                line,
                format!("level {level} is uplifted but `levels` does not subsidise it"),
            );
        }
    }
    // A [shortage] table that failed to load was reported in ruleset.toml.
    if context.shortage_levels.is_none() && !cx.failed.shortage {
        cx.error(
            RulesErrorKind::UnknownReference,
            &format!("{path}.shortage_uplift"),
            line,
            "the uplift needs a [shortage] table in ruleset.toml",
        );
    }
    if program.shortage_catalogue.is_none() {
        cx.error(
            RulesErrorKind::MissingKey,
            &format!("{path}.shortage_catalogue"),
            line,
            "the uplift needs a `shortage_catalogue` to look occupations up in",
        );
    }
}

/// A table keyed by category needs every occupation of the program's catalogue to carry one of
/// its categories.
fn check_categories(cx: &mut Cx<'_, '_>, program: &Program, path: &str, line: Option<usize>, context: &Context<'_>) {
    let table = match &program.calculation {
        Calculation::LevelTable { amounts, .. } => amounts,
        Calculation::Apprenticeship { rates, .. } => rates,
        _ => return,
    };
    if !table.by_category() {
        return;
    }
    if program.occupation_catalogue.as_ref().is_some_and(|id| cx.failed.catalogues.covers(id)) {
        return; // its occupations are not all known
    }
    let Some(catalogue) = program.occupation_catalogue.as_ref().and_then(|id| context.catalogues.iter().find(|c| &c.id == id)) else {
        cx.error(
            RulesErrorKind::MissingKey,
            &format!("{path}.occupation_catalogue"),
            line,
            "amounts by category need an occupation catalogue",
        );
        return;
    };
    for version in &catalogue.versions {
        for occupation in version.occupations() {
            if table.row(occupation.category.as_deref()).is_none() {
                cx.error(
                    RulesErrorKind::MissingAmount,
                    &format!("{path}.amounts"),
                    line,
                    format!(
                        "occupation {} ({}, version {}) has category {:?}, which the table lacks",
                        occupation.code,
                        occupation.name_zh,
                        version.id,
                        occupation.category.as_deref().unwrap_or("none")
                    ),
                );
            }
        }
    }
}

/// An explicit uplifted figure must sit in a category and at a level the program pays and the
/// uplift covers; otherwise it could never be used and a typo would pass unnoticed.
fn check_uplifted_table(cx: &mut Cx<'_, '_>, program: &Program, path: &str, line: Option<usize>, context: &Context<'_>) {
    let Calculation::LevelTable { amounts, shortage_amounts: Some(uplifted), .. } = &program.calculation else { return };
    for (category, row) in &uplifted.rows {
        let at = match category {
            Some(c) => format!("{path}.shortage_amounts.{c}"),
            None => format!("{path}.shortage_amounts"),
        };
        if category.is_some() != amounts.by_category() || (category.is_some() && !amounts.rows.iter().any(|(c, _)| c == category)) {
            cx.error(RulesErrorKind::UnknownReference, &at, line, "this category is not one of the `amounts` table's categories");
            continue;
        }
        for level in Level::ALL.into_iter().filter(|l| row[l.index()].is_some()) {
            let paid = program.levels.as_ref().is_some_and(|l| l.value.contains(level));
            let uplifted_level = match program.shortage_levels.as_ref().map(|l| l.value).or(context.shortage_levels) {
                Some(levels) => levels.contains(level),
                None => cx.failed.shortage, // the [shortage] levels are not known
            };
            if !paid || !uplifted_level {
                cx.error(
                    RulesErrorKind::InvalidValue,
                    &format!("{at}.{level}"),
                    line,
                    format!(
                        "an uplifted figure for level {level}, which the {} does not cover",
                        if paid { "[shortage] uplift" } else { "program" }
                    ),
                );
            }
        }
    }
}

/// An apprenticeship's shortest duration cannot exceed its longest.
fn check_durations(cx: &mut Cx<'_, '_>, loader: &Loader, program: &Program, path: &str, line: Option<usize>) {
    if let Calculation::Apprenticeship { min_months, max_months, .. } = &program.calculation {
        let (min, max) = (loader.params.get(*min_months).value.number(), loader.params.get(*max_months).value.number());
        if min > max {
            cx.error(
                RulesErrorKind::InvalidValue,
                &format!("{path}.min_months"),
                line,
                format!("min_months ({min}) is above max_months ({max})"),
            );
        }
    }
}
