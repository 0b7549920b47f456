//! A readable explanation on the terminal, in English or Chinese, of a claim where its batch
//! decided it (SPEC §7.4): the decision, where it was made, and the steps, the cross-claim ones
//! naming the earlier claims and history lines that counted. Text from the claim (its id, field
//! names and values) is escaped (terminal.rs).

use crate::input::Location;
use crate::lang::Lang;
use crate::summary::count;
use crate::terminal::escape;
use skill_subsidy::trace::StepOutcome;
use skill_subsidy::{Assessment, Engine, Status};
use std::fmt::Write as _;

/// The batch a claim was decided in.
pub struct Batch<'a> {
    /// The claims file.
    pub file: &'a str,
    /// Where the claim was read in it.
    pub location: Option<Location>,
    pub claims: usize,
    pub history: usize,
    pub applications: usize,
}

impl Batch<'_> {
    /// One line: where the decision was made.
    fn line(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => format!(
                "  在批次中决定：{}{}（申请 {} 条，已享受补贴记录 {} 条，学徒制申请 {} 条；按申请先后审核）",
                escape(self.file),
                self.location.map(|l| format!(" {}", l.zh())).unwrap_or_default(),
                count(self.claims as u64),
                count(self.history as u64),
                count(self.applications as u64)
            ),
            Lang::En => format!(
                "  decided in the batch of {}{} (claims: {}, history records: {}, applications: {}; first come, first served)",
                escape(self.file),
                self.location.map(|l| format!(", {l}")).unwrap_or_default(),
                count(self.claims as u64),
                count(self.history as u64),
                count(self.applications as u64)
            ),
        }
    }
}

/// A claim's explanation where its batch decided it: the decision, the batch, the steps.
pub fn render_in_batch(engine: &Engine, claim_id: &str, a: &Assessment, batch: &Batch<'_>, lang: Lang) -> String {
    let text = render(engine, claim_id, a, lang);
    let (head, rest) = text.split_once('\n').unwrap_or((&text, ""));
    format!("{head}\n{}\n{rest}", batch.line(lang))
}

/// The record with its trace, and the batch it was decided in, as JSON.
pub fn json(claim_id: &str, a: &Assessment, batch: &Batch<'_>) -> serde_json::Value {
    let mut record = serde_json::to_value(a.record().with_claim_id(claim_id)).unwrap_or_default();
    if let Some(fields) = record.as_object_mut() {
        fields.insert(
            "batch".into(),
            serde_json::json!({
                "file": batch.file,
                "location": batch.location.map(|l| l.to_string()),
                "claims": batch.claims,
                "history": batch.history,
                "applications": batch.applications,
            }),
        );
    }
    record
}

/// The explanation of one assessment as text.
pub fn render(engine: &Engine, claim_id: &str, a: &Assessment, lang: Lang) -> String {
    let record = a.record().with_claim_id(claim_id);
    let program = a.program.as_deref().and_then(|id| engine.program(id));
    let mut out = String::new();
    let zh = lang == Lang::Zh;
    let status = match (a.status, zh) {
        (Status::Approved, false) => format!("approved, {} yuan", record.amount),
        (Status::Approved, true) => format!("予以补贴，{} 元", record.amount),
        (Status::Rejected, false) => "rejected".to_string(),
        (Status::Rejected, true) => "不予补贴".to_string(),
        (Status::Invalid, false) => "invalid".to_string(),
        (Status::Invalid, true) => "申请信息有误".to_string(),
        (_, _) => a.status.code().to_string(),
    };
    let _ = write!(out, "{} {}: {status}", if zh { "申请" } else { "Claim" }, escape(claim_id));
    if let Some(p) = program {
        let _ = write!(out, " — {} {}", p.id, if zh { &p.name_zh } else { &p.name_en });
    }
    out.push('\n');
    if let Some(v) = record.catalogue_version {
        let _ = writeln!(out, "  {}: {v}", if zh { "目录版本" } else { "catalogue version" });
    }
    if let Some(m) = &record.payment_month {
        let _ = writeln!(out, "  {}: {m}", if zh { "发放月份" } else { "paid in" });
    }
    for reason in a.reasons.iter() {
        let _ = writeln!(out, "  ✗ {} — {}", reason.code(), if zh { reason.message_zh() } else { reason.message_en() });
    }
    for e in &a.errors {
        let _ = writeln!(out, "  ✗ {} ({}): {}", escape(&e.field), e.code.code(), escape(if zh { &e.message_zh } else { &e.message_en }));
    }
    let Some(trace) = &a.trace else { return out };
    let _ = writeln!(
        out,
        "\n{} (trace v{}, {} {})",
        if zh { "计算过程" } else { "Steps" },
        trace.trace_version,
        if zh { "规则" } else { "ruleset" },
        trace.ruleset
    );
    let mut sources: Vec<(String, String, String)> = Vec::new();
    for (i, step) in trace.steps.iter().enumerate() {
        let mark = match step.outcome {
            StepOutcome::Pass => "✓",
            StepOutcome::Fail => "✗",
            _ => "•",
        };
        let _ = write!(out, "{:>3}. {mark} {:<18}", i + 1, step.step.code());
        if let Some(rule) = &step.rule {
            let _ = write!(out, " {rule}");
        }
        // A check shows the value it checked; a computation shows what it changed.
        match (step.outcome, &step.before, &step.after) {
            (StepOutcome::Pass | StepOutcome::Fail, Some(b), _) => {
                let _ = write!(out, "  [{}]", escape(b));
            }
            (_, Some(b), Some(a)) if b != a => {
                let _ = write!(out, "  {} → {}", escape(b), escape(a));
            }
            (_, _, Some(a)) => {
                let _ = write!(out, "  = {}", escape(a));
            }
            _ => {}
        }
        out.push('\n');
        let _ = writeln!(out, "        {}", escape(if zh { &step.note_zh } else { &step.note_en }));
        if let Some(c) = &step.citation {
            let confidence = step.confidence.map(|c| c.code()).unwrap_or("-");
            let _ = writeln!(out, "        [{c} · {confidence}]");
            if let Some(doc) = &step.document {
                let key = c.split(", ").next().unwrap_or(c).to_string();
                if !sources.iter().any(|(k, ..)| *k == key) {
                    sources.push((key, doc.clone(), step.url.clone().unwrap_or_default()));
                }
            }
        }
    }
    if !sources.is_empty() {
        let _ = writeln!(out, "\n{}", if zh { "依据" } else { "Sources" });
        for (key, doc, url) in sources {
            let _ = writeln!(out, "  {key:<14} {doc}{}", if url.is_empty() { String::new() } else { format!("\n                 {url}") });
        }
    }
    out
}
