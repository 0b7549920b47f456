//! The review and staging rules of an `apprenticeship` program (企业新型学徒制): the bimonthly
//! joint review sessions (每双月学徒制会审), the cut-off before a session, the advance and the
//! settlement shares, an optional yearly quota, and the rule against paying an enterprise twice
//! for an apprentice's training.

use super::error::RulesErrorKind;
use super::loader::{Cited, Loader};
use super::params::{ParamId, ParamKind};
use super::reader::{Cx, Table};
use crate::calendar::Date;

/// How applications are reviewed and paid.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReviewRules {
    /// Session dates (会审), ascending.
    pub sessions: Cited<Vec<Date>>,
    /// An application is reviewed at the first session at least this many days after it was
    /// submitted.
    pub cutoff_days: ParamId,
    /// Share of one year's rate paid in advance, the month after the session.
    pub advance_share: ParamId,
    /// Share of the amount paid when the apprentice completes without a certificate.
    pub uncertified_share: ParamId,
    /// Apprentices approved a calendar year at most, when the ruleset sets a quota.
    pub quota: Option<ParamId>,
    /// Whether an apprentice's claims of `overlap_programs` for the same enterprise are refused
    /// while the apprenticeship runs.
    pub overlap: ParamId,
    /// The programs the overlap rule applies to.
    pub overlap_programs: Cited<Vec<String>>,
}

pub(crate) fn load_review(loader: &mut Loader, cx: &mut Cx<'_, '_>, t: &mut Table<'_>, program_ids: &[String]) -> Option<ReviewRules> {
    let sessions = t.req(cx, "sessions").and_then(|n| {
        let (value, citation) = cx.cited(&n)?;
        let mut dates = Vec::new();
        for item in cx.array(&value)? {
            dates.push(cx.date(&item)?);
        }
        if dates.windows(2).any(|w| w[0] >= w[1]) {
            cx.error_at(RulesErrorKind::InvalidValue, &value, "session dates must be in ascending order, each once");
        }
        if dates.is_empty() {
            cx.error_at(RulesErrorKind::InvalidValue, &value, "at least one review session is needed");
        }
        Some(Cited { value: dates, citation, path: n.path.clone() })
    });
    let cutoff_days = t.req(cx, "cutoff_days").and_then(|n| loader.param(cx, &n, ParamKind::Count));
    let advance_share = t.req(cx, "advance_share").and_then(|n| loader.param(cx, &n, ParamKind::Rate));
    let uncertified_share = t.req(cx, "uncertified_share").and_then(|n| loader.param(cx, &n, ParamKind::Rate));
    let quota = t.field(cx, "quota").and_then(|n| loader.param(cx, &n, ParamKind::Count));
    let overlap = t.req(cx, "overlap").and_then(|n| loader.param(cx, &n, ParamKind::Flag));
    let overlap_programs = t.req(cx, "overlap_programs").and_then(|n| {
        let (value, citation) = cx.cited(&n)?;
        let mut ids = Vec::new();
        for (id, item) in cx.strings(&value)? {
            if !program_ids.contains(&id) {
                cx.error_at(RulesErrorKind::UnknownReference, &item, format!("{id:?} is not a program of programs.toml"));
            }
            ids.push(id);
        }
        Some(Cited { value: ids, citation, path: n.path.clone() })
    });
    Some(ReviewRules {
        sessions: sessions?,
        cutoff_days: cutoff_days?,
        advance_share: advance_share?,
        uncertified_share: uncertified_share?,
        quota,
        overlap: overlap?,
        overlap_programs: overlap_programs?,
    })
}
