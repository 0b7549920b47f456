//! Apprenticeship files and views: applications and outcomes in; the session calendar, each
//! enterprise's payments and the monthly cash flow out.

use crate::input::{self, Location};
use crate::lang::Lang;
use crate::summary::{pad, right, thousands};
use crate::terminal::{self, escape};
use crate::Failure;
use skill_subsidy::calendar::YearMonth;
use skill_subsidy::money::format_yuan;
use skill_subsidy::{
    Application, ApplicationResult, Batch, BatchResult, ClaimErrorKind, Decimal, FieldError, Outcome, OutcomeKind, PaymentKind, RawValue,
    Status,
};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// An application as read: parsed, or its id and errors.
pub enum Read {
    Ok(Application),
    Invalid(String, Vec<FieldError>, Location),
}

/// Reads applications, with the outcomes of an outcomes file (application_id, outcome,
/// outcome_date) joined to the application they name, as if its own fields: an outcome that does
/// not validate (a bad date, an unknown outcome, two for one application) is that application's
/// error, and the rest of the run goes on. Returns the applications and the outcome rows that
/// name no application (problems of the outcomes file, never dropped silently).
pub fn read(path: &str, outcomes: Option<&str>) -> Result<(Vec<Read>, Vec<String>), Failure> {
    let lenient = path.ends_with(".csv");
    let text_of = |fields: &input::Record, name: &str| {
        fields.iter().find(|(k, _)| k == name).and_then(|(_, v)| match v {
            RawValue::Text(s) | RawValue::Number(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            _ => None,
        })
    };
    let mut joined: BTreeMap<String, Vec<(Location, input::Record)>> = BTreeMap::new();
    let mut problems = Vec::new();
    if let Some(file) = outcomes {
        for (location, fields) in input::read_records(file, "application_id")? {
            match text_of(&fields, "application_id") {
                Some(id) => joined.entry(id).or_default().push((location, fields)),
                None => problems.push(format!("{file}: {location}: an outcome needs the application_id it belongs to")),
            }
        }
    }
    // A row that cannot be read is that application's error (with its id when it was read);
    // the other applications go on.
    let mut rows = input::read_rows(path, "application_id")?;
    for row in rows.iter_mut().filter(|r| r.problem.is_none()) {
        let id = text_of(&row.fields, "application_id").unwrap_or_default();
        for (_, outcome) in joined.remove(&id).unwrap_or_default() {
            row.fields.extend(outcome.into_iter().filter(|(k, _)| k == "outcome" || k == "outcome_date"));
        }
    }
    if let Some(file) = outcomes {
        for (id, rows) in joined {
            for (location, _) in rows {
                problems.push(format!("{file}: {location}: no application {} in {path}", escape(&id)));
            }
        }
    }
    let apps = rows
        .iter()
        .map(|row| match &row.problem {
            None => from_record(row.location, &row.fields, lenient),
            Some(problem) => {
                let id = Application::id_of(row.fields.iter().map(|(k, v)| (k.as_str(), v)));
                Read::Invalid(id, vec![FieldError::new(ClaimErrorKind::MalformedRow, "", Some(problem.clone()))], row.location)
            }
        })
        .collect();
    Ok((apps, problems))
}

/// Reads outcomes (application_id, outcome, outcome_date; a withdrawal needs its date), by
/// application id. Every row must be readable: an outcome changes what is paid.
pub fn read_outcomes(file: &str) -> Result<BTreeMap<String, Outcome>, Failure> {
    let mut known: BTreeMap<String, Outcome> = BTreeMap::new();
    for (location, fields) in input::read_records(file, "application_id")? {
        let get = |name: &str| {
            fields.iter().find(|(k, _)| k == name).and_then(|(_, v)| match v {
                RawValue::Text(s) | RawValue::Number(s) => Some(s.trim().to_string()),
                _ => None,
            })
        };
        let (Some(id), Some(kind)) = (get("application_id"), get("outcome")) else {
            return Err(Failure(format!("{file}: {location}: an outcome needs application_id and outcome")));
        };
        let kind = OutcomeKind::parse(&kind).ok_or_else(|| {
            Failure(format!("{file}: {location}: outcome {kind:?} is not completed_certified, completed_uncertified or withdrawn"))
        })?;
        let date = match get("outcome_date") {
            Some(d) => Some(
                skill_subsidy::calendar::parse_date(&d)
                    .map_err(|_| Failure(format!("{file}: {location}: {d:?} is not a date (YYYY-MM-DD)")))?,
            ),
            None if kind == OutcomeKind::Withdrawn => {
                return Err(Failure(format!("{file}: {location}: a withdrawal needs its outcome_date")))
            }
            None => None,
        };
        known.insert(id, Outcome::new(kind, date));
    }
    Ok(known)
}

/// Applications from rows read (a file, a request), an outcome among each row's fields.
pub fn from_records(records: &[(Location, input::Record)], lenient: bool) -> Vec<Read> {
    records.iter().map(|(location, fields)| from_record(*location, fields, lenient)).collect()
}

fn from_record(location: Location, fields: &input::Record, lenient: bool) -> Read {
    let pairs = fields.iter().map(|(k, v)| (k.as_str(), v));
    match Application::parse(pairs.clone(), lenient) {
        Ok(app) => Read::Ok(app),
        Err(errors) => Read::Invalid(Application::id_of(pairs), errors, location),
    }
}

/// Adds the applications to a batch, invalid ones as invalid.
pub fn add_to(batch: &mut Batch<'_>, apps: &[Read]) {
    for app in apps {
        match app {
            Read::Ok(app) => batch.add_application(app),
            Read::Invalid(id, errors, _) => batch.add_invalid_application(id, errors.clone()),
        }
    }
}

/// Lists invalid applications on stderr; true when there were any.
pub fn report_invalid(apps: &[Read], lang: Lang) -> bool {
    let invalid: Vec<&Read> = apps.iter().filter(|r| matches!(r, Read::Invalid(..))).collect();
    for r in invalid.iter().take(20) {
        if let Read::Invalid(id, errors, location) = r {
            let text: Vec<String> =
                errors.iter().map(|e| format!("{} ({})", escape(lang.pick(&e.message_en, &e.message_zh)), e.code.code())).collect();
            terminal::eprint(&format!("  {location} {}: {}\n", escape(id), text.join("; ")));
        }
    }
    !invalid.is_empty()
}

/// One session's line: reviewed, approved, committed, rejections by reason.
type SessionRow = (u64, u64, Decimal, BTreeMap<&'static str, u64>);

/// Enterprises listed on the terminal.
const SHOWN_ENTERPRISES: usize = 15;

fn money(d: Decimal) -> String {
    thousands(&format_yuan(d))
}

/// The session calendar, each enterprise's payments and the monthly cash flow.
pub fn render(result: &BatchResult, apps: &[Read], lang: Lang) -> String {
    let mut out = String::new();
    let enterprise_of: BTreeMap<&str, &str> = apps
        .iter()
        .filter_map(|r| match r {
            Read::Ok(a) => Some((a.application_id.as_str(), a.enterprise_id.as_str())),
            Read::Invalid(..) => None,
        })
        .collect();
    // The calendar: what each session reviewed, approved and committed.
    let _ = writeln!(out, "{}", lang.pick("Review sessions (学徒制会审)", "学徒制会审"));
    let _ = writeln!(
        out,
        "  {} {} {} {} {}  {}",
        pad(lang.pick("session", "会审日期"), 12),
        right(lang.pick("reviewed", "审核"), 8),
        right(lang.pick("approved", "通过"), 8),
        right(lang.pick("rejected", "未通过"), 8),
        right(lang.pick("committed", "列支"), 16),
        lang.pick("rejections", "未通过原因")
    );
    let mut sessions: BTreeMap<String, SessionRow> = BTreeMap::new();
    for a in &result.applications {
        let key = a.session.map_or_else(|| lang.pick("(none)", "（无）").to_string(), |d| d.to_string());
        let row = sessions.entry(key).or_default();
        row.0 += 1;
        if a.assessment.status == Status::Approved {
            row.1 += 1;
            row.2 += a.assessment.amount;
        }
        for r in a.assessment.reasons.iter() {
            *row.3.entry(r.code()).or_default() += 1;
        }
        if a.assessment.status == Status::Invalid {
            *row.3.entry("invalid").or_default() += 1;
        }
    }
    for (session, (reviewed, approved, committed, reasons)) in &sessions {
        let why: Vec<String> = reasons.iter().map(|(r, n)| format!("{r} {n}")).collect();
        let head = format!("  {} {reviewed:>8} {approved:>8} {:>8} {:>16} ", pad(session, 12), reviewed - approved, money(*committed));
        crate::summary::head_and_tail(&mut out, &head, &why.join(", "));
    }
    // Payments by enterprise, and the cash flow by month.
    let mut by_enterprise: BTreeMap<&str, BTreeMap<YearMonth, Decimal>> = BTreeMap::new();
    let mut flow: BTreeMap<YearMonth, [Decimal; 3]> = BTreeMap::new();
    for a in &result.applications {
        let Some(schedule) = &a.schedule else { continue };
        let enterprise = enterprise_of.get(a.application_id.as_str()).copied().unwrap_or("-");
        for p in &schedule.payments {
            *by_enterprise.entry(enterprise).or_default().entry(p.month).or_default() += p.amount;
            let slot = match p.kind {
                PaymentKind::Advance => 0,
                PaymentKind::Settlement => 1,
                _ => 2,
            };
            flow.entry(p.month).or_default()[slot] += p.amount;
        }
    }
    // The enterprises paid most first; the full list is in the JSON output.
    let mut ranked: Vec<(&str, Decimal, &BTreeMap<YearMonth, Decimal>)> =
        by_enterprise.iter().map(|(e, months)| (*e, months.values().sum(), months)).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let _ = writeln!(
        out,
        "\n{} ({} {})",
        lang.pick("Payments by enterprise, the largest first", "各企业补贴发放（按金额从高到低）"),
        ranked.len(),
        lang.pick("enterprises", "家企业")
    );
    for (enterprise, total, months) in ranked.iter().take(SHOWN_ENTERPRISES) {
        let list: Vec<String> = months.iter().filter(|(_, a)| !a.is_zero()).map(|(m, a)| format!("{m} {}", money(*a))).collect();
        // Months after months, a new line before one that would pass 100 columns.
        let mut line = format!("  {} {:>14} ", pad(&escape(enterprise), 10), money(*total));
        let indent = crate::summary::display_width(&line);
        for (i, item) in list.iter().enumerate() {
            let piece = if i == 0 { format!(" {item}") } else { format!(" · {item}") };
            if i > 0 && crate::summary::display_width(&line) + crate::summary::display_width(&piece) > crate::summary::MAX_COLUMNS {
                let _ = writeln!(out, "{line}");
                line = format!("{} {item}", " ".repeat(indent));
            } else {
                line.push_str(&piece);
            }
        }
        let _ = writeln!(out, "{line}");
    }
    if ranked.len() > SHOWN_ENTERPRISES {
        let _ = writeln!(
            out,
            "  … {} {}",
            ranked.len() - SHOWN_ENTERPRISES,
            lang.pick("more (all of them with --out / --apprenticeships-out)", "家（完整名单见 --out / --apprenticeships-out）")
        );
    }
    let _ = writeln!(out, "\n{}", lang.pick("Cash flow by month", "按月资金流"));
    let _ = writeln!(
        out,
        "  {} {} {} {} {}",
        pad(lang.pick("month", "月份"), 8),
        right(lang.pick("advances", "预拨"), 16),
        right(lang.pick("settlements", "结算"), 16),
        right(lang.pick("recoveries", "追回"), 16),
        right(lang.pick("net", "净额"), 16)
    );
    for (month, [advance, settle, recover]) in &flow {
        let _ = writeln!(
            out,
            "  {} {:>16} {:>16} {:>16} {:>16}",
            pad(&month.to_string(), 8),
            money(*advance),
            money(*settle),
            money(*recover),
            money(*advance + *settle + *recover)
        );
    }
    out
}

/// Everything as JSON: the results, the calendar and the cash flow.
pub fn to_json(result: &BatchResult) -> serde_json::Value {
    let results: Vec<serde_json::Value> = result.applications.iter().map(|a: &ApplicationResult| a.to_json()).collect();
    let mut flow: BTreeMap<String, Decimal> = BTreeMap::new();
    for a in &result.applications {
        for p in a.schedule.iter().flat_map(|s| &s.payments) {
            *flow.entry(p.month.to_string()).or_default() += p.amount;
        }
    }
    serde_json::json!({
        "applications": results,
        "cash_flow": flow.iter().map(|(m, a)| (m.clone(), serde_json::Value::String(format_yuan(*a)))).collect::<serde_json::Map<_, _>>(),
        "report": result.report.to_json(),
    })
}
