//! A report as data to send between processes (SPEC §11): every sum and count of a [`Report`],
//! losslessly, so that the reports of a batch's partitions, made on the workers of a cluster,
//! merge on the client into the single run's report, to the fen.
//!
//! This is not the report's published JSON (`docs/report.md`, [`Report::to_json`]): that shape
//! shows derived figures (remaining, shares, projections) and cannot be read back. The wire
//! form holds the fields themselves, money as decimal strings. Every struct is rebuilt with all
//! its fields named, so a field added to a report does not compile here until it crosses too.

use super::{AccountLedger, Counts, Progress, Report, Tally, TargetLine, TargetSetReport};
use crate::calendar::{parse_date, Period, YearMonth};
use crate::reasons::Reason;
use crate::rules::Measure;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The version of the wire form: a client and its workers must speak the same one.
pub const REPORT_WIRE_VERSION: u64 = 3;

fn tally(t: &Tally) -> Value {
    json!([t.count, t.amount.to_string()])
}

fn tallies<K: ToString>(m: &BTreeMap<K, Tally>) -> Value {
    Value::Object(m.iter().map(|(k, t)| (k.to_string(), tally(t))).collect())
}

fn months(m: &BTreeMap<YearMonth, Decimal>) -> Value {
    Value::Object(m.iter().map(|(k, v)| (k.to_string(), Value::String(v.to_string()))).collect())
}

fn money(v: &Option<Decimal>) -> Value {
    v.map_or(Value::Null, |d| Value::String(d.to_string()))
}

fn period(p: &Period) -> Value {
    json!([p.from.to_string(), p.to.to_string()])
}

fn ledger(a: &AccountLedger) -> Value {
    json!({
        "period": period(&a.period),
        "spending_target": money(&a.spending_target),
        "opening_balance": money(&a.opening_balance),
        "closes_when_spent": a.closes_when_spent,
        "history_committed": a.history_committed.to_string(),
        "committed": a.committed.to_string(),
        "released": a.released.to_string(),
        "committed_by_month": months(&a.committed_by_month),
        "paid_by_month": months(&a.paid_by_month),
        "closed_in": a.closed_in.map(|m| m.to_string()),
    })
}

fn progress(p: &Progress) -> Value {
    json!({
        "by_month": p.by_month.iter().map(|(m, c)| json!([m.to_string(), c.person_times, c.apprentices, c.high_skill_workers])).collect::<Vec<_>>(),
        "projects": p.projects.iter().map(|(m, id)| json!([m.to_string(), id])).collect::<Vec<_>>(),
    })
}

fn target_set(t: &TargetSetReport) -> Value {
    json!({
        "id": t.id,
        "name_zh": t.name_zh,
        "name_en": t.name_en,
        "period": period(&t.period),
        "lines": t.lines.iter().map(|l| json!([l.measure.code(), l.per_year, l.target])).collect::<Vec<_>>(),
    })
}

impl Report {
    /// Every field of the report as JSON data, to be read back by [`Report::from_wire`].
    ///
    /// ```
    /// use skill_subsidy::{Engine, Report, Ruleset, Claim, calendar::parse_date};
    /// let engine = Engine::new(Ruleset::wuxi_2021()?);
    /// let mut claim = Claim::new("C1", "pre_job", "P1", parse_date("2021-05-10").unwrap(), parse_date("2021-05-20").unwrap());
    /// claim.enterprise_id = Some("E1".into());
    /// let report = engine.assess_batch(&[claim], &[])?.report;
    /// assert_eq!(Report::from_wire(&report.to_wire()), Some(report));
    /// # Ok::<(), skill_subsidy::Error>(())
    /// ```
    #[must_use]
    pub fn to_wire(&self) -> Value {
        json!({
            "wire_version": REPORT_WIRE_VERSION,
            "claims": self.claims,
            "approved": tally(&self.approved),
            "rejected": self.rejected,
            "invalid": self.invalid,
            "rejections": Value::Object(self.rejections.iter().map(|(r, n)| (r.code().to_string(), json!(n))).collect()),
            "by_program": tallies(&self.by_program),
            "by_level": tallies(&self.by_level),
            "by_district": tallies(&self.by_district),
            "by_fund": tallies(&self.by_fund),
            "by_occupation": tallies(&self.by_occupation),
            "by_month": tallies(&self.by_month),
            "by_month_program": self.by_month_program.iter().map(|((m, p), t)| json!([m.to_string(), p, tally(t)])).collect::<Vec<_>>(),
            "by_keys": self.by_keys.to_wire(),
            "accounts": Value::Object(self.accounts.iter().map(|(id, a)| (id.clone(), ledger(a))).collect()),
            "progress": progress(&self.progress),
            "targets": self.targets.iter().map(target_set).collect::<Vec<_>>(),
        })
    }

    /// A report from [`Report::to_wire`]; `None` when `value` is not one (or of another wire
    /// version).
    #[must_use]
    pub fn from_wire(value: &Value) -> Option<Report> {
        if value["wire_version"].as_u64()? != REPORT_WIRE_VERSION {
            return None;
        }
        let mut rejections = BTreeMap::new();
        for (code, n) in value["rejections"].as_object()? {
            rejections.insert(Reason::ALL.iter().copied().find(|r| r.code() == code)?, n.as_u64()?);
        }
        let text = |k: &str| Some(k.to_string());
        let mut by_month_program = BTreeMap::new();
        for row in value["by_month_program"].as_array()? {
            by_month_program.insert((YearMonth::parse(row[0].as_str()?)?, row[1].as_str()?.to_string()), read_tally(&row[2])?);
        }
        Some(Report {
            claims: value["claims"].as_u64()?,
            approved: read_tally(&value["approved"])?,
            rejected: value["rejected"].as_u64()?,
            invalid: value["invalid"].as_u64()?,
            rejections,
            by_program: read_tallies(&value["by_program"], text)?,
            by_level: read_tallies(&value["by_level"], text)?,
            by_district: read_tallies(&value["by_district"], text)?,
            by_fund: read_tallies(&value["by_fund"], text)?,
            by_occupation: read_tallies(&value["by_occupation"], text)?,
            by_month: read_tallies(&value["by_month"], YearMonth::parse)?,
            by_month_program,
            by_keys: super::keys::KeyTallies::from_wire(&value["by_keys"])?,
            accounts: value["accounts"].as_object()?.iter().map(|(id, a)| Some((id.clone(), read_ledger(a)?))).collect::<Option<_>>()?,
            progress: read_progress(&value["progress"])?,
            targets: value["targets"].as_array()?.iter().map(read_target_set).collect::<Option<_>>()?,
        })
    }
}

fn read_money(v: &Value) -> Option<Decimal> {
    v.as_str()?.parse().ok()
}

fn read_optional_money(v: &Value) -> Option<Option<Decimal>> {
    match v {
        Value::Null => Some(None),
        m => read_money(m).map(Some),
    }
}

fn read_period(v: &Value) -> Option<Period> {
    Some(Period { from: parse_date(v[0].as_str()?).ok()?, to: parse_date(v[1].as_str()?).ok()? })
}

fn read_tally(v: &Value) -> Option<Tally> {
    Some(Tally { count: v[0].as_u64()?, amount: read_money(&v[1])? })
}

fn read_tallies<K: Ord>(v: &Value, key: impl Fn(&str) -> Option<K>) -> Option<BTreeMap<K, Tally>> {
    v.as_object()?.iter().map(|(k, t)| Some((key(k)?, read_tally(t)?))).collect()
}

fn read_months(v: &Value) -> Option<BTreeMap<YearMonth, Decimal>> {
    v.as_object()?.iter().map(|(k, a)| Some((YearMonth::parse(k)?, read_money(a)?))).collect()
}

fn read_ledger(v: &Value) -> Option<AccountLedger> {
    Some(AccountLedger {
        period: read_period(&v["period"])?,
        spending_target: read_optional_money(&v["spending_target"])?,
        opening_balance: read_optional_money(&v["opening_balance"])?,
        closes_when_spent: v["closes_when_spent"].as_bool()?,
        history_committed: read_money(&v["history_committed"])?,
        committed: read_money(&v["committed"])?,
        released: read_money(&v["released"])?,
        committed_by_month: read_months(&v["committed_by_month"])?,
        paid_by_month: read_months(&v["paid_by_month"])?,
        closed_in: match &v["closed_in"] {
            Value::Null => None,
            m => Some(YearMonth::parse(m.as_str()?)?),
        },
    })
}

fn read_progress(v: &Value) -> Option<Progress> {
    let mut by_month = BTreeMap::new();
    for row in v["by_month"].as_array()? {
        let counts = Counts { person_times: row[1].as_u64()?, apprentices: row[2].as_u64()?, high_skill_workers: row[3].as_u64()? };
        by_month.insert(YearMonth::parse(row[0].as_str()?)?, counts);
    }
    let projects = v["projects"]
        .as_array()?
        .iter()
        .map(|p| Some((YearMonth::parse(p[0].as_str()?)?, p[1].as_str()?.to_string())))
        .collect::<Option<_>>()?;
    Some(Progress { by_month, projects })
}

fn read_target_set(v: &Value) -> Option<TargetSetReport> {
    let lines = v["lines"]
        .as_array()?
        .iter()
        .map(|l| {
            let measure = Measure::ALL.iter().copied().find(|m| Some(m.code()) == l[0].as_str())?;
            Some(TargetLine { measure, per_year: l[1].as_bool()?, target: l[2].as_u64()? })
        })
        .collect::<Option<_>>()?;
    Some(TargetSetReport {
        id: v["id"].as_str()?.to_string(),
        name_zh: v["name_zh"].as_str()?.to_string(),
        name_en: v["name_en"].as_str()?.to_string(),
        period: read_period(&v["period"])?,
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Claim, Engine, HistoryRecord, Overrides, Ruleset};

    /// A batch whose report has every field set: claims of several programs, districts, a
    /// project, history, rejections, targets, and the account closing in May.
    fn year_with_a_closing_account() -> Report {
        let closing = r#"{"accounts.wuxi-2021.opening_balance": "2000", "accounts.wuxi-2021.closes_when_spent": "true"}"#;
        let engine = Engine::new(Ruleset::wuxi_2021().unwrap()).with_overrides(&Overrides::from_json_str(closing).unwrap()).unwrap();
        let date = |s: &str| parse_date(s).unwrap();
        let mut claims = Vec::new();
        for (i, program) in ["pre_job", "pre_job", "online", "on_job", "pre_job", "project"].iter().enumerate() {
            let mut c = Claim::new(&format!("C{i}"), program, &format!("P{i}"), date("2021-05-10"), date("2021-05-20"));
            c.enterprise_id = Some("E1".into());
            c.district = Some("梁溪区".into());
            c.fee_paid = Some(Decimal::new(80_000, 2));
            c.months = Some(3);
            claims.push(c);
        }
        let history = vec![HistoryRecord::new("P9", "pre_job", date("2021-01-02"), date("2021-01-10"), Decimal::new(30_000, 2))];
        engine.assess_batch(&claims, &history).unwrap().report
    }

    #[test]
    fn a_report_crosses_the_wire_unchanged() {
        let report = year_with_a_closing_account();
        let account = &report.accounts["wuxi-2021"];
        assert!(account.closed_in.is_some() && !account.history_committed.is_zero(), "{account:?}");
        assert!(!report.rejections.is_empty() && !report.targets.is_empty() && !report.progress.by_month.is_empty());
        let text = report.to_wire().to_string();
        assert_eq!(Report::from_wire(&serde_json::from_str(&text).unwrap()), Some(report));
    }

    #[test]
    fn what_is_not_a_report_is_refused() {
        assert_eq!(Report::from_wire(&json!({})), None);
        let mut wire = year_with_a_closing_account().to_wire();
        wire["rejections"] = json!({"no_such_reason": 1});
        assert_eq!(Report::from_wire(&wire), None);
        wire["wire_version"] = json!(REPORT_WIRE_VERSION + 1);
        assert_eq!(Report::from_wire(&wire), None);
    }
}
