//! Building trace steps: each names its rule, that rule's citation and document, and says
//! when a what-if override replaced the loaded value.

use super::compile::{InForceRange, Values};
use super::Engine;
use crate::calendar::Date;
use crate::rules::{Citation, ParamId, Source};
use crate::trace::{Step, StepId, StepOutcome};

/// The notes of a step, in English and Chinese.
pub(crate) struct Note {
    pub en: String,
    pub zh: String,
}

/// `note!("english {}", x; "中文 {}", y)`.
macro_rules! note {
    ($en:expr $(, $ea:expr)*; $zh:expr $(, $za:expr)*) => {
        $crate::engine::steps::Note { en: format!($en $(, $ea)*), zh: format!($zh $(, $za)*) }
    };
}
pub(crate) use note;

impl Engine {
    /// A step that read `rule`, cited by `citation`.
    pub(crate) fn rule_step(
        &self,
        step: StepId,
        outcome: StepOutcome,
        rule: Option<String>,
        citation: Option<&Citation>,
        values: (Option<String>, Option<String>),
        note: Note,
    ) -> Step {
        let source = citation.and_then(|c| self.rules.source_of(c));
        Step {
            step,
            outcome,
            rule,
            citation: citation.map(Citation::keys),
            document: source.map(Source::describe),
            url: source.map(|s| s.url.clone()).filter(|u| !u.is_empty()),
            confidence: citation.and_then(|c| self.rules.confidence_of(c)),
            range: None,
            before: values.0,
            after: values.1,
            note_en: note.en,
            note_zh: note.zh,
            counted: Vec::new(),
        }
    }

    /// A step that read the policy value `id` as it stands in `in_force` (the values of the
    /// claim's segment). When a value that changes within the period supplied it, the step
    /// cites that value's own source and names its range; when a what-if override changed it,
    /// the notes say so and give the loaded value.
    pub(crate) fn param_step(
        &self,
        step: StepId,
        outcome: StepOutcome,
        id: ParamId,
        in_force: Values<'_>,
        values: (Option<String>, Option<String>),
        mut note: Note,
    ) -> Step {
        let param = self.rules.params.get(id);
        let value = in_force.values[id.0 as usize];
        let mut citation = &param.citation;
        let range = in_force.range_of(id);
        match range {
            Some(InForceRange { rule: Some(i), period, .. }) => {
                if let Some(dated) = param.ranges.get(*i) {
                    citation = &dated.citation;
                }
                let (from, to) = (period.from, period.to);
                let (en, zh) = match (from == Date::MIN, to == Date::MAX) {
                    (false, true) => (format!("from {from}"), format!("自 {from} 起")),
                    (true, false) => (format!("until {to}"), format!("至 {to} 止")),
                    _ => (format!("from {from} to {to}"), format!("{from} 至 {to}")),
                };
                note.en.push_str(&format!(" [the value in force {en}: {}]", value.to_text()));
                note.zh.push_str(&format!("（{zh}适用 {}）", value.to_text()));
            }
            Some(InForceRange { rule: None, period, .. }) => {
                note.en.push_str(&format!(" [what-if: {} = {} for {period}]", param.path, value.to_text()));
                note.zh.push_str(&format!("【假设分析：{} 在 {period} 取 {}】", param.path, value.to_text()));
            }
            None if value != param.value => {
                let was = param.value.to_text();
                note.en.push_str(&format!(" [what-if: {} = {} instead of {was}]", param.path, value.to_text()));
                note.zh.push_str(&format!("【假设分析：{} 取 {}，原为 {was}】", param.path, value.to_text()));
            }
            None => {}
        }
        let mut step = self.rule_step(step, outcome, Some(param.path.clone()), Some(citation), values, note);
        step.range = range.map(|r| r.period.to_string());
        step
    }
}

pub(crate) fn pass_or_fail(ok: bool) -> StepOutcome {
    if ok {
        StepOutcome::Pass
    } else {
        StepOutcome::Fail
    }
}
