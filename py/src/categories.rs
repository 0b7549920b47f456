//! The natural order of the categorical columns a result or a report table has (issue 15): a
//! status in the order a claim can end (approved, rejected, invalid), programs in the order the
//! ruleset lists them, catalogue versions by the date they came into force, months and the
//! other keys by their text (`YYYY-MM` sorts by time), rejection reasons in check order (SPEC
//! §7.1, §7.2), levels from 五级 up to 一级 and then S, T.
//!
//! A column's dictionary is written in this order and marked ordered, so that pandas sorts and
//! groups it in this order (an ordered `Categorical`) and a chart of it reads left to right.
//! The closed sets (statuses, programs, catalogue versions) also carry the polars metadata that
//! makes the column an `Enum` of exactly these categories: a polars `Categorical` sorts by its
//! text, which is wrong for them, and an `Enum` is the same type in every result of a ruleset,
//! so results concatenate. Months stay a polars `Categorical`, whose text order is time order
//! and whose set is open (monthly results concatenate).

use skill_subsidy::rules::Payee;
use skill_subsidy::Level;
use skill_subsidy::{Engine, Reason};
use std::collections::HashMap;

/// How a column's categories are ordered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Order {
    /// As the values first appear (no natural order: reasons joined, errors, funds, payees).
    Appearance,
    /// These values first, in this order, whether a row has them or not; any other value after
    /// them, as it first appears. `closed`: a polars `Enum`.
    Given { values: Vec<String>, closed: bool },
    /// The values present, sorted by their text.
    Text,
}

impl Order {
    /// Whether the column's dictionary is ordered.
    pub(crate) fn ordered(&self) -> bool {
        !matches!(self, Order::Appearance)
    }

    /// Whether polars should take the column as an `Enum`.
    pub(crate) fn closed(&self) -> bool {
        matches!(self, Order::Given { closed: true, .. })
    }

    /// The distinct `texts` (nulls left out) in this order: each text's position.
    pub(crate) fn arrange<'t>(&'t self, texts: impl Iterator<Item = Option<&'t str>>) -> Vec<&'t str> {
        let mut values: Vec<&str> = match self {
            Order::Given { values, .. } => values.iter().map(String::as_str).collect(),
            _ => Vec::new(),
        };
        let mut seen: HashMap<&str, ()> = values.iter().map(|v| (*v, ())).collect();
        for t in texts.flatten() {
            if seen.insert(t, ()).is_none() {
                values.push(t);
            }
        }
        if *self == Order::Text {
            values.sort_unstable();
        }
        values
    }
}

/// The statuses in the order a claim can end.
pub(crate) const STATUSES: [&str; 3] = ["approved", "rejected", "invalid"];

/// A result's or a report's column by its name.
pub(crate) fn of_column(engine: &Engine, name: &str) -> Order {
    let closed = |values: Vec<String>| Order::Given { values, closed: true };
    match name {
        "status" => closed(STATUSES.iter().map(|s| s.to_string()).collect()),
        "program" => closed(engine.ruleset().programs.iter().map(|p| p.id.clone()).collect()),
        "catalogue_version" => closed(catalogue_versions(engine)),
        "reason" => closed(Reason::ALL.iter().map(|r| r.code().to_string()).collect()),
        "level" => closed(Level::ALL.iter().map(|l| l.code().to_string()).collect()),
        "payment_month" | "month" | "district" | "occupation" | "fund" | "account" => Order::Text,
        _ => Order::Appearance,
    }
}

/// Every catalogue version of the ruleset (of every catalogue), by the day it came into force
/// and then its id; an id is listed once.
fn catalogue_versions(engine: &Engine) -> Vec<String> {
    let mut versions: Vec<(skill_subsidy::calendar::Date, &str)> =
        engine.ruleset().catalogues.iter().flat_map(|c| c.versions.iter().map(|v| (v.period.from, v.id.as_str()))).collect();
    versions.sort_unstable();
    let mut ids: Vec<String> = Vec::with_capacity(versions.len());
    for (_, id) in versions {
        if !ids.iter().any(|i| i == id) {
            ids.push(id.to_string());
        }
    }
    ids
}

/// The statuses as the CLI words them in Chinese (`--lang zh`).
const STATUSES_ZH: [&str; 3] = ["予以补贴", "不予补贴", "信息有误"];

/// A key's value as a Chinese reader reads it (`lang="zh"`): a program's and a fund's name from
/// the ruleset and the core, a reason's one line, a level's name, a status as the CLI words it;
/// any other value as it is. A label is a display: codes stay the data.
pub(crate) fn label_zh(engine: &Engine, column: &str, value: &str) -> String {
    let rules = engine.ruleset();
    let found: Option<&str> = match column {
        "program" => rules.programs.iter().find(|p| p.id == value).map(|p| p.name_zh.as_str()),
        "fund" => rules.programs.iter().map(|p| p.fund).find(|f| f.code() == value).map(|f| f.name_zh()),
        "payee" => match value {
            v if v == Payee::Individual.code() => Some("个人"),
            v if v == Payee::Enterprise.code() => Some("企业"),
            _ => None,
        },
        "reason" => Reason::ALL.iter().find(|r| r.code() == value).map(|r| r.message_zh()),
        "status" => STATUSES.iter().position(|s| *s == value).map(|i| STATUSES_ZH[i]),
        "level" => Level::parse(value).map(Level::name_zh),
        _ => None,
    };
    found.map_or_else(|| value.to_string(), str::to_string)
}

/// Every label of the columns that have them, code → Chinese label.
pub(crate) fn labels_zh(engine: &Engine) -> Vec<(&'static str, Vec<(String, String)>)> {
    let rules = engine.ruleset();
    let mut funds: Vec<&str> = rules.programs.iter().map(|p| p.fund.code()).collect();
    funds.dedup();
    let codes: [(&'static str, Vec<String>); 6] = [
        ("program", rules.programs.iter().map(|p| p.id.clone()).collect()),
        ("fund", funds.iter().map(|f| f.to_string()).collect()),
        ("payee", vec![Payee::Individual.code().to_string(), Payee::Enterprise.code().to_string()]),
        ("reason", Reason::ALL.iter().map(|r| r.code().to_string()).collect()),
        ("status", STATUSES.iter().map(|s| s.to_string()).collect()),
        ("level", Level::ALL.iter().map(|l| l.code().to_string()).collect()),
    ];
    codes
        .into_iter()
        .map(|(column, codes)| {
            let labelled = codes.into_iter().map(|c| {
                let label = label_zh(engine, column, &c);
                (c, label)
            });
            (column, labelled.collect())
        })
        .collect()
}

/// The polars field metadata that makes a dictionary column an `Enum` of `values` (polars'
/// `_PL_ENUM_VALUES2`: each value's length in bytes, `;`, the value). polars reads it when it
/// imports the column, which is a third quicker than importing a `Categorical`; a polars that
/// does not read it gets a `Categorical`, cast in Python.
pub(crate) fn polars_enum(values: &[&str]) -> HashMap<String, String> {
    let mut text = String::new();
    for v in values {
        text.push_str(&v.len().to_string());
        text.push(';');
        text.push_str(v);
    }
    HashMap::from([("_PL_ENUM_VALUES2".to_string(), text)])
}
