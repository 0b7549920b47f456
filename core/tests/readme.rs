//! The README's table of the default ruleset is rendered from the rules, so that it can never
//! say a figure is confirmed when the rules file says otherwise. Run with `UPDATE_README=1` to
//! rewrite the block after a rules change.

use skill_subsidy::Engine;
use skill_subsidy::{rules::Calculation, rules::Confidence, rules::ParamId, rules::Program, Ruleset};
use std::fmt::Write as _;

const START: &str = "<!-- programs: rendered from rules/wuxi-2021 by core/tests/readme.rs (UPDATE_README=1 rewrites it) -->";
const END: &str = "<!-- /programs -->";

/// One figure of a program: a label, its value as text, its confidence and its sources.
struct Figure {
    text: String,
    confidence: Confidence,
    sources: Vec<String>,
}

fn figure(rules: &Ruleset, id: ParamId, label: &str) -> Vec<Figure> {
    let p = rules.params.get(id);
    let value = p.value.to_text();
    let own = |citation: &skill_subsidy::rules::Citation| Figure {
        text: String::new(),
        confidence: rules.confidence_of(citation).unwrap_or(Confidence::Illustrative),
        sources: citation.refs.iter().map(|r| r.source.clone()).collect(),
    };
    let mut out = vec![Figure { text: format!("{label}{value}"), ..own(&p.citation) }];
    for r in &p.ranges {
        out.push(Figure { text: format!("{label}{} from {}", r.value.to_text(), r.period.from), ..own(&r.citation) });
    }
    out
}

fn figures(rules: &Ruleset, program: &Program) -> (String, Vec<Figure>) {
    let level_row = |table: &skill_subsidy::rules::LevelAmounts| -> Vec<Figure> {
        let row = &table.rows[0].1;
        skill_subsidy::Level::ALL
            .iter()
            .filter_map(|l| row[l.index()].map(|id| figure(rules, id, &format!("{} ", l.code()))))
            .flatten()
            .collect()
    };
    match &program.calculation {
        Calculation::LevelTable { amounts, purchase_prices, .. } => {
            let capped = if program.caps_at_fee.is_some() { ", capped at the fee" } else { "" };
            let mut f = level_row(amounts);
            if !purchase_prices.is_empty() {
                f.push(Figure {
                    text: format!("T at its purchase price ({} listed)", purchase_prices.len()),
                    ..figure(rules, purchase_prices[0].1, "")[0].clone_meta()
                });
            }
            (format!("level table{capped}"), f)
        }
        Calculation::Flat { amount } => ("flat".into(), figure(rules, *amount, "")),
        Calculation::PerMonth { monthly_rate, max_months } => {
            let mut f = figure(rules, *monthly_rate, "");
            f[0].text.push_str(" a month");
            f.extend(figure(rules, *max_months, "at most ").into_iter().map(|mut x| {
                x.text.push_str(" months");
                x
            }));
            ("per month".into(), f)
        }
        Calculation::CappedFee { cap } => (
            "capped fee".into(),
            figure(rules, *cap, "min(fee, ")
                .into_iter()
                .map(|mut x| {
                    x.text.push(')');
                    x
                })
                .collect(),
        ),
        Calculation::PerProject => {
            let f = rules
                .projects
                .iter()
                .filter(|p| p.program == program.id)
                .flat_map(|p| figure(rules, p.price, &format!("{} ", p.id)))
                .collect();
            ("per project".into(), f)
        }
        Calculation::Apprenticeship { rates, .. } => ("per person-year".into(), level_row(rates)),
        _ => ("other".into(), Vec::new()),
    }
}

impl Figure {
    fn clone_meta(&self) -> Figure {
        Figure { text: String::new(), confidence: self.confidence, sources: self.sources.clone() }
    }
}

/// Consecutive figures of the same confidence as one group: "a, b · c" and "confirmed (S9) · inferred (S12)".
fn grouped(figures: &[Figure]) -> (String, String) {
    let mut groups: Vec<(Confidence, Vec<&Figure>)> = Vec::new();
    for f in figures {
        match groups.last_mut() {
            Some((c, list)) if *c == f.confidence => list.push(f),
            _ => groups.push((f.confidence, vec![f])),
        }
    }
    let values =
        groups.iter().map(|(_, g)| g.iter().map(|f| f.text.as_str()).collect::<Vec<_>>().join(", ")).collect::<Vec<_>>().join(" · ");
    let confidence = groups
        .iter()
        .map(|(c, g)| {
            let mut sources: Vec<&str> = g.iter().flat_map(|f| f.sources.iter().map(String::as_str)).collect();
            sources.dedup();
            let mut seen = Vec::new();
            sources.retain(|s| {
                if seen.contains(s) {
                    false
                } else {
                    seen.push(*s);
                    true
                }
            });
            format!("{} ({})", c.code(), sources.join(", "))
        })
        .collect::<Vec<_>>()
        .join(" · ");
    (values, confidence)
}

/// `500000000.00` → `500,000,000.00`.
fn thousands(text: &str) -> String {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if fraction.is_empty() {
        out
    } else {
        format!("{out}.{fraction}")
    }
}

fn render(engine: &Engine) -> String {
    let rules = engine.ruleset();
    let mut out = format!("{START}\n| program | 中文 | kind | figures (yuan) | confidence |\n| --- | --- | --- | --- | --- |\n");
    for p in &rules.programs {
        let (kind, f) = figures(rules, p);
        let (values, confidence) = grouped(&f);
        let _ = writeln!(out, "| `{}` | {} | {kind} | {values} | {confidence} |", p.id, p.name_zh);
    }
    let line = |id: ParamId| {
        let p = rules.params.get(id);
        let c = rules.confidence_of(&p.citation).map_or("", |c| c.code());
        let value = match (p.kind, p.value) {
            (skill_subsidy::rules::ParamKind::Money, v) => format!("{} yuan", thousands(&skill_subsidy::money::format_yuan(v.number()))),
            (_, v) => v.to_text(),
        };
        format!("{value} ({c}, {})", p.citation.keys())
    };
    out.push('\n');
    if let Some(s) = &rules.shortage {
        let c = |cited: &skill_subsidy::rules::Cited<skill_subsidy::rules::LevelSet>| {
            rules.confidence_of(&cited.citation).map_or("", |c| c.code())
        };
        let _ = write!(out, "Shortage uplift: rate {}; at levels {} ({})", line(s.rate), s.levels.value.codes(), c(&s.levels));
        for p in rules.programs.iter().filter(|p| p.shortage_levels.is_some()) {
            let l = p.shortage_levels.as_ref().unwrap_or(&s.levels);
            let _ = write!(out, ", `{}` at {} ({})", p.id, l.value.codes(), c(l));
        }
        out.push_str(".\n");
    }
    let _ = writeln!(
        out,
        "Limits: {} subsidies per person a year ({}); claims within {} months of the event ({}).",
        rules.params.get(rules.limits.annual_claims).value.to_text(),
        line(rules.limits.annual_claims).split_once(" (").map_or("", |(_, r)| r.trim_end_matches(')')),
        rules.params.get(rules.limits.claim_window_months).value.to_text(),
        line(rules.limits.claim_window_months).split_once(" (").map_or("", |(_, r)| r.trim_end_matches(')')),
    );
    for a in &rules.accounts {
        let _ = write!(out, "Special account `{}` ({}):", a.id, a.period);
        if let Some(t) = a.spending_target {
            let _ = write!(out, " a spending goal of {}", line(t));
        }
        if let Some(b) = a.opening_balance {
            let _ = write!(out, "; opening balance {}", line(b));
        }
        let _ = writeln!(out, "; closes when spent: {}.", line(a.closes_when_spent));
    }
    out.push_str(END);
    out
}

#[test]
fn the_readme_table_of_the_default_ruleset_is_the_rules_own() {
    let engine = Engine::new(Ruleset::wuxi_2021().unwrap());
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let rendered = render(&engine);
    let (Some(start), Some(end)) = (readme.find(START), readme.find(END)) else {
        panic!("README.md lacks the rendered block; put this where the table belongs:\n{rendered}")
    };
    let current = &readme[start..end + END.len()];
    if current != rendered {
        if std::env::var_os("UPDATE_README").is_some() {
            std::fs::write(&path, readme.replace(current, &rendered)).unwrap();
        } else {
            panic!("the README's table differs from the rules; run with UPDATE_README=1 to rewrite it:\n{rendered}");
        }
    }
    // The table never calls a sample confirmed.
    for row in rendered.lines().filter(|l| l.starts_with("| `")) {
        assert!(!(row.contains("confirmed (sample") || row.contains("confirmed (sample)")), "{row}");
    }
}
