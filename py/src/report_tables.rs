//! A report (SPEC §9) as tables: approved claims by a dimension, rejections by reason, claims by
//! status, one row per account, each account's months. A key column is categorical in its
//! natural order ([`categories`]) and its rows come in that order (programs as the ruleset lists
//! them, months by time); a key the claim did not have (`-` in the report: a program without a
//! level, a claim without a district) is null. Money is written as the caller asks ([`Money`]).

use crate::categories;
use crate::money::{Money, MoneyBuilder};
use crate::output::{fen, field_batch, Layout};
use arrow_array::builder::{Decimal128Builder, Int64Builder, StringBuilder};
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, BooleanArray, DictionaryArray, Int32Array, Int64Array, LargeStringArray, RecordBatch, StringArray};
use arrow_schema::{ArrowError, DataType, Field as ArrowField};
use skill_subsidy::Report;
use skill_subsidy::{report::AccountLedger, report::Tally, Decimal, Engine};
use std::collections::BTreeMap;
use std::sync::Arc;

/// What a report can be tabled by.
pub(crate) const REPORT_TABLES: [&str; 10] =
    ["program", "level", "district", "fund", "occupation", "month", "reason", "status", "account", "account_month"];

/// The dimensions whose missing key the report writes as `-`.
const DASH_FOR_NONE: [&str; 3] = ["level", "district", "occupation"];

/// How a report table is written.
#[derive(Clone, Copy)]
pub(crate) struct Writing<'e> {
    pub(crate) engine: &'e Engine,
    pub(crate) layout: Layout,
    pub(crate) money: Money,
    /// Keys as Chinese labels (`lang="zh"`) rather than codes.
    pub(crate) zh: bool,
}

/// A key column: each row's key as a code into the key's values in their natural order
/// (`None`: the claim had no such key), and the field that says so.
struct Keys {
    field: ArrowField,
    codes: Vec<Option<i32>>,
    values: ArrayRef,
}

impl Keys {
    fn new(w: Writing<'_>, name: &str, keys: &[Option<String>]) -> Keys {
        let order = categories::of_column(w.engine, name);
        let arranged = order.arrange(keys.iter().map(Option::as_deref));
        let codes = keys.iter().map(|k| k.as_deref().and_then(|k| arranged.iter().position(|v| *v == k)).map(|p| p as i32)).collect();
        // Labels in the codes' order (a display: two codes never share a label in a ruleset).
        let labelled: Vec<String> =
            if w.zh { arranged.iter().map(|v| categories::label_zh(w.engine, name, v)).collect() } else { Vec::new() };
        let values: Vec<&str> = if w.zh { labelled.iter().map(String::as_str).collect() } else { arranged };
        let (array, value_type): (ArrayRef, DataType) = match w.layout {
            Layout::View => (Arc::new(LargeStringArray::from(values.clone())), DataType::LargeUtf8),
            Layout::Utf8 => (Arc::new(StringArray::from(values.clone())), DataType::Utf8),
        };
        let mut field = ArrowField::new(name, DataType::Dictionary(Box::new(DataType::Int32), Box::new(value_type)), true)
            .with_dict_is_ordered(order.ordered());
        if order.closed() && w.layout == Layout::View {
            field = field.with_metadata(categories::polars_enum(&values));
        }
        Keys { field, codes, values: array }
    }

    /// The rows in the order of their keys (a row without one last).
    fn sorted(&self) -> Vec<usize> {
        let mut rows: Vec<usize> = (0..self.codes.len()).collect();
        rows.sort_by_key(|&i| self.codes[i].map_or(i64::MAX, i64::from));
        rows
    }

    /// The column of these rows, in this order.
    fn column(&self, rows: &[usize]) -> Result<(ArrowField, ArrayRef), ArrowError> {
        let codes: Int32Array = rows.iter().map(|&i| self.codes[i]).collect();
        Ok((self.field.clone(), Arc::new(DictionaryArray::<Int32Type>::try_new(codes, self.values.clone())?)))
    }
}

/// A key as the report wrote it, `-` read as none.
fn key_of(dimension: &str, key: &str) -> Option<String> {
    (!(key == "-" && DASH_FOR_NONE.contains(&dimension))).then(|| key.to_string())
}

/// The dimensions a report can be cut by several at once.
pub(crate) const DIMENSIONS: [&str; 6] = ["program", "level", "district", "fund", "occupation", "month"];

/// A report cut by several dimensions at once (`["district", "program"]`): each key, then
/// `count` and `amount`, the rows in the keys' natural order. `None` when a name is not a
/// dimension.
pub(crate) fn crossed_table(report: &Report, names: &[&str], w: Writing<'_>) -> Option<Result<RecordBatch, ArrowError>> {
    let programs = &w.engine.ruleset().programs;
    let fund_of = |p: &str| programs.iter().find(|x| x.id == p).map(|x| x.fund.code().to_string());
    let cut = report.cross(names, fund_of)?;
    let rows: Vec<(&Vec<String>, &Tally)> = cut.iter().collect();
    let keys: Vec<Keys> = names
        .iter()
        .enumerate()
        .map(|(i, name)| Keys::new(w, name, &rows.iter().map(|(k, _)| key_of(name, &k[i])).collect::<Vec<_>>()))
        .collect();
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&r| keys.iter().map(|k| k.codes[r].map_or(i64::MAX, i64::from)).collect::<Vec<_>>());
    Some((|| {
        let mut columns = keys.iter().map(|k| k.column(&order)).collect::<Result<Vec<_>, _>>()?;
        let counts: Int64Array = order.iter().map(|&r| Some(i64::try_from(rows[r].1.count).unwrap_or(i64::MAX))).collect();
        columns.push((ArrowField::new("count", DataType::Int64, false), Arc::new(counts) as ArrayRef));
        let mut amounts = w.money.builder(rows.len(), 38)?;
        for &r in &order {
            amounts.append(Some(fen(rows[r].1.amount)))?;
        }
        columns.push((ArrowField::new("amount", w.money.data_type(38), false), amounts.finish()));
        field_batch(columns)
    })())
}

/// A report as a table: by a dimension (`key`, `count`, `amount`), rejections by `reason`,
/// claims by `status`, one row per `account`, or each account's months (`account_month`:
/// committed, paid). `None` for a key there is no such table of.
pub(crate) fn report_table(report: &Report, by: &str, w: Writing<'_>) -> Option<Result<RecordBatch, ArrowError>> {
    Some(match by {
        "reason" => counts(w, "reason", report.rejections.iter().map(|(r, n)| (r.code().to_string(), *n)).collect()),
        "status" => counts(
            w,
            "status",
            vec![("approved".into(), report.approved.count), ("rejected".into(), report.rejected), ("invalid".into(), report.invalid)],
        ),
        "account" => accounts(report, w),
        "account_month" => account_months(report, w),
        dimension => tallies(w, dimension, &report.dimension(dimension)?),
    })
}

fn counts(w: Writing<'_>, key: &str, rows: Vec<(String, u64)>) -> Result<RecordBatch, ArrowError> {
    let keys = Keys::new(w, key, &rows.iter().map(|(k, _)| Some(k.clone())).collect::<Vec<_>>());
    let order = keys.sorted();
    let counts: Int64Array = order.iter().map(|&i| Some(i64::try_from(rows[i].1).unwrap_or(i64::MAX))).collect();
    field_batch(vec![keys.column(&order)?, (ArrowField::new("count", DataType::Int64, false), Arc::new(counts))])
}

fn tallies(w: Writing<'_>, dimension: &str, tallies: &BTreeMap<String, Tally>) -> Result<RecordBatch, ArrowError> {
    let rows: Vec<(&String, &Tally)> = tallies.iter().collect();
    let keys = Keys::new(w, dimension, &rows.iter().map(|(k, _)| key_of(dimension, k)).collect::<Vec<_>>());
    let order = keys.sorted();
    let mut counts = Int64Builder::with_capacity(rows.len());
    let mut amounts = w.money.builder(rows.len(), 38)?;
    for &i in &order {
        counts.append_value(i64::try_from(rows[i].1.count).unwrap_or(i64::MAX));
        amounts.append(Some(fen(rows[i].1.amount)))?;
    }
    field_batch(vec![
        keys.column(&order)?,
        (ArrowField::new("count", DataType::Int64, false), Arc::new(counts.finish())),
        (ArrowField::new("amount", w.money.data_type(38), false), amounts.finish()),
    ])
}

/// A money column of these amounts (`None`: null, an account without a goal or a balance).
fn money_column(w: Writing<'_>, name: &str, amounts: impl Iterator<Item = Option<Decimal>>) -> Result<(ArrowField, ArrayRef), ArrowError> {
    let mut builder: MoneyBuilder = w.money.builder(0, 38)?;
    for a in amounts {
        builder.append(a.map(fen))?;
    }
    Ok((ArrowField::new(name, w.money.data_type(38), true), builder.finish()))
}

fn text_column(name: &str, values: impl Iterator<Item = Option<String>>) -> (ArrowField, ArrayRef) {
    let mut b = StringBuilder::new();
    for v in values {
        b.append_option(v);
    }
    (ArrowField::new(name, DataType::Utf8, true), Arc::new(b.finish()))
}

/// One row per account: its period, goal and balance, commitments, payments in and after the
/// period, the goal's share, what remains, and where it is heading.
fn accounts(report: &Report, w: Writing<'_>) -> Result<RecordBatch, ArrowError> {
    let ledgers: Vec<_> = report.accounts.values().collect();
    let ids = Keys::new(w, "account", &report.accounts.keys().map(|k| Some(k.clone())).collect::<Vec<_>>());
    let closes: BooleanArray = ledgers.iter().map(|l| Some(l.closes_when_spent)).collect();
    // Accounts by id, as the report holds them.
    let mut columns = vec![
        ids.column(&(0..ledgers.len()).collect::<Vec<_>>())?,
        text_column("effective_from", ledgers.iter().map(|l| Some(l.period.from.to_string()))),
        text_column("effective_to", ledgers.iter().map(|l| Some(l.period.to.to_string()))),
        (ArrowField::new("closes_when_spent", DataType::Boolean, false), Arc::new(closes) as ArrayRef),
    ];
    type Sum = fn(&AccountLedger) -> Option<Decimal>;
    let sums: [(&str, Sum); 9] = [
        ("spending_target", |l| l.spending_target),
        ("opening_balance", |l| l.opening_balance),
        ("history_committed", |l| Some(l.history_committed)),
        ("committed", |l| Some(l.committed)),
        ("released", |l| Some(l.released)),
        ("total_committed", |l| Some(l.total_committed())),
        ("paid_in_period", |l| Some(l.paid_in_period())),
        ("paid_after_period", |l| Some(l.paid_after_period())),
        ("remaining", AccountLedger::remaining),
    ];
    for (name, value) in sums {
        columns.push(money_column(w, name, ledgers.iter().map(|l| value(l)))?);
    }
    columns.push(ratio_column(w, "goal_share", ledgers.iter().map(|l| l.goal_share()))?);
    columns.push(ratio_column(w, "utilisation", ledgers.iter().map(|l| l.utilisation()))?);
    let projections: Vec<serde_json::Value> = ledgers.iter().map(|l| l.projection().json()).collect();
    columns.push(text_column("projection", projections.iter().map(|p| p["status"].as_str().map(str::to_string))));
    columns.push(text_column("projection_month", projections.iter().map(|p| p["month"].as_str().map(str::to_string))));
    field_batch(columns)
}

/// A ratio column (four places; `None`: null): a decimal, or a float where money is floats (for
/// charts).
fn ratio_column(w: Writing<'_>, name: &str, ratios: impl Iterator<Item = Option<Decimal>>) -> Result<(ArrowField, ArrayRef), ArrowError> {
    let ratios: Vec<Option<Decimal>> = ratios
        .map(|r| {
            r.map(|mut r| {
                r.rescale(4);
                r
            })
        })
        .collect();
    if w.money == Money::Float {
        let floats: arrow_array::Float64Array = ratios.iter().map(|r| r.map(|r| r.mantissa() as f64 / 10_000.0)).collect();
        return Ok((ArrowField::new(name, DataType::Float64, true), Arc::new(floats)));
    }
    let mut b = Decimal128Builder::with_capacity(ratios.len()).with_precision_and_scale(38, 4)?;
    for r in &ratios {
        b.append_option(r.map(|r| r.mantissa()));
    }
    Ok((ArrowField::new(name, DataType::Decimal128(38, 4), true), Arc::new(b.finish())))
}

/// Each account's months: committed (at approval) and paid (by payment month).
fn account_months(report: &Report, w: Writing<'_>) -> Result<RecordBatch, ArrowError> {
    let mut rows: Vec<(String, String, Decimal, Decimal)> = Vec::new();
    for (key, ledger) in &report.accounts {
        let months: std::collections::BTreeSet<_> = ledger.committed_by_month.keys().chain(ledger.paid_by_month.keys()).collect();
        for m in months {
            let committed = ledger.committed_by_month.get(m).copied().unwrap_or_default();
            let paid = ledger.paid_by_month.get(m).copied().unwrap_or_default();
            rows.push((key.clone(), m.to_string(), committed, paid));
        }
    }
    // Accounts by id, each account's months by time: as the report holds them.
    let all: Vec<usize> = (0..rows.len()).collect();
    field_batch(vec![
        Keys::new(w, "account", &rows.iter().map(|r| Some(r.0.clone())).collect::<Vec<_>>()).column(&all)?,
        Keys::new(w, "month", &rows.iter().map(|r| Some(r.1.clone())).collect::<Vec<_>>()).column(&all)?,
        money_column(w, "committed", rows.iter().map(|r| Some(r.2)))?,
        money_column(w, "paid", rows.iter().map(|r| Some(r.3)))?,
    ])
}
