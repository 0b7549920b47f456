//! The demo year as CSV rows: the headers and rows `subsidy demo-data` writes (the columns of
//! SPEC §3's claim, §6's history and §10's apprenticeship files).

use skill_subsidy::{Claim, HistoryRecord};
use std::fmt::Write as _;

/// The apprenticeship applications CSV header.
pub const APPLICATIONS_HEADER: &str =
    "application_id,enterprise_id,person_id,occupation,target_level,start_date,months,submitted_on,institution,district\n";
/// The apprenticeship outcomes CSV header.
pub const OUTCOMES_HEADER: &str = "application_id,outcome,outcome_date\n";

/// The claims CSV header: every claim field.
pub const CSV_HEADER: &str =
    "claim_id,program,person_id,enterprise_id,group,district,occupation,level,event_date,applied_on,institution,fee_paid,months,ui_contribution_months,project\n";

/// Appends a claim as a CSV row matching [`CSV_HEADER`].
pub fn write_claim(out: &mut String, c: &Claim) {
    let opt = |s: &Option<skill_subsidy::CompactString>| s.as_deref().unwrap_or("").to_string();
    let num = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
    let _ = writeln!(
        out,
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
        c.claim_id,
        c.program,
        c.person_id,
        opt(&c.enterprise_id),
        c.group.code(),
        opt(&c.district),
        opt(&c.occupation),
        c.level.map(|l| l.code()).unwrap_or(""),
        c.event_date,
        c.applied_on,
        opt(&c.institution),
        c.fee_paid.map(|f| f.to_string()).unwrap_or_default(),
        num(c.months),
        num(c.ui_contribution_months),
        opt(&c.project)
    );
}

/// The history CSV header.
pub const HISTORY_HEADER: &str = "person_id,program,enterprise_id,occupation,level,event_date,applied_on,amount\n";

/// Appends a history record as a CSV row matching [`HISTORY_HEADER`].
pub fn write_history(out: &mut String, h: &HistoryRecord) {
    let opt = |s: &Option<skill_subsidy::CompactString>| s.as_deref().unwrap_or("").to_string();
    let _ = writeln!(
        out,
        "{},{},{},{},{},{},{},{}",
        h.person_id,
        h.program,
        opt(&h.enterprise_id),
        opt(&h.occupation),
        h.level.map(|l| l.code()).unwrap_or(""),
        h.event_date,
        h.applied_on,
        h.amount
    );
}
