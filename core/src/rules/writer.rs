//! Writing a ruleset back to its TOML files. Loading what this writes gives the same ruleset,
//! so a ruleset with overrides applied can be saved and shared as ordinary rules files.

use super::catalogue::{Entries, InstitutionScope};
use super::params::{ParamId, ParamValue};
use super::programs::{Calculation, LevelAmounts, Program};
use super::sources::Citation;
use super::{Cited, Ruleset};
use crate::level::{Level, LevelSet};
use std::fmt::Write as _;

/// A TOML string literal.
fn q(s: &str) -> String {
    toml_edit::Value::from(s).to_string().trim().to_string()
}

fn list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    format!("[{}]", items.into_iter().map(q).collect::<Vec<_>>().join(", "))
}

fn levels(set: LevelSet) -> String {
    list(set.iter().map(Level::code))
}

fn citation_fields(c: &Citation) -> String {
    let mut out = if c.refs.len() == 1 {
        format!("source = {}", q(&c.refs[0].to_string()))
    } else {
        format!("source = {}", list(c.refs.iter().map(ToString::to_string).collect::<Vec<_>>().iter().map(String::as_str)))
    };
    if let Some(confidence) = c.confidence {
        let _ = write!(out, ", confidence = {}", q(confidence.code()));
    }
    if let Some(note) = &c.note {
        let _ = write!(out, ", note = {}", q(note));
    }
    out
}

impl Ruleset {
    fn cited_param(&self, id: ParamId) -> String {
        let param = self.params.get(id);
        let value = |v: ParamValue| match v {
            ParamValue::Flag(b) => b.to_string(),
            ParamValue::Number(n) if n.scale() == 0 => n.to_string(),
            ParamValue::Number(n) => q(&n.to_string()),
        };
        let mut out = format!("{{ value = {}, {}", value(param.value), citation_fields(&param.citation));
        for r in &param.ranges {
            let _ = write!(out, ", {} = {{ value = {}, {} }}", q(&r.period.to_string()), value(r.value), citation_fields(&r.citation));
        }
        out.push_str(" }");
        out
    }

    fn cited_text<T>(&self, cited: &Cited<T>, value: String) -> String {
        format!("{{ value = {value}, {} }}", citation_fields(&cited.citation))
    }

    /// The ruleset as its TOML files: `(path relative to the ruleset folder, text)`.
    #[must_use]
    pub fn to_files(&self) -> Vec<(String, String)> {
        let mut files = vec![
            ("sources.toml".to_string(), self.sources_file()),
            ("ruleset.toml".to_string(), self.head_file()),
            ("programs.toml".to_string(), self.programs_file()),
        ];
        if !self.projects.is_empty() {
            files.push(("projects.toml".to_string(), self.projects_file()));
        }
        for catalogue in &self.catalogues {
            for version in &catalogue.versions {
                files.push((version.file.clone(), self.version_file(catalogue.kind, version)));
            }
        }
        files
    }

    fn sources_file(&self) -> String {
        let mut out = String::new();
        for s in self.sources.values() {
            let _ = writeln!(out, "[sources.{}]", q(&s.id));
            for (key, value) in [("title", &s.title), ("document", &s.document), ("date", &s.date), ("url", &s.url)] {
                let _ = writeln!(out, "{key} = {}", q(value));
            }
            let _ = writeln!(out, "confidence = {}\nnote = {}\n", q(s.confidence.code()), q(&s.note));
        }
        out
    }

    fn head_file(&self) -> String {
        let mut out = String::from("[ruleset]\n");
        for (key, value) in [
            ("id", &self.id),
            ("name_zh", &self.name_zh),
            ("name_en", &self.name_en),
            ("jurisdiction", &self.jurisdiction),
            ("basis", &self.basis),
            ("status", &self.status),
        ] {
            let _ = writeln!(out, "{key} = {}", q(value));
        }
        let l = &self.limits;
        let _ = writeln!(
            out,
            "\n[limits]\nannual_claims = {}\nclaim_window_months = {}\nonce_per_occupation_level = {}\nno_lower_level_after_higher = {}",
            self.cited_param(l.annual_claims),
            self.cited_param(l.claim_window_months),
            self.cited_param(l.once_per_occupation_level),
            self.cited_param(l.no_lower_level_after_higher)
        );
        if let Some(s) = &self.shortage {
            let _ = writeln!(
                out,
                "\n[shortage]\nrate = {}\nlevels = {}\nlisted_until_year_end = {}",
                self.cited_param(s.rate),
                self.cited_text(&s.levels, levels(s.levels.value)),
                self.cited_param(s.listed_until_year_end)
            );
        }
        let _ = writeln!(out, "\n[payment]\nmonths_after_application = {}", self.cited_param(self.payment.months_after_application));
        out.push_str("\n[industries]\n");
        for i in &self.industries {
            let _ = writeln!(out, "{} = {{ name_zh = {}, name_en = {} }}", q(&i.id), q(&i.name_zh), q(&i.name_en));
        }
        for a in &self.accounts {
            let _ = writeln!(
                out,
                "\n[accounts.{}]\nname_zh = {}\nname_en = {}\nfund = {}\neffective_from = {}\neffective_to = {}",
                q(&a.id),
                q(&a.name_zh),
                q(&a.name_en),
                q(a.fund.code()),
                a.period.from,
                a.period.to,
            );
            for (key, id) in [
                ("spending_target", a.spending_target),
                ("opening_balance", a.opening_balance),
                ("closes_when_spent", Some(a.closes_when_spent)),
            ] {
                if let Some(id) = id {
                    let _ = writeln!(out, "{key} = {}", self.cited_param(id));
                }
            }
        }
        for t in &self.targets {
            let _ = writeln!(
                out,
                "\n[targets.{}]\nname_zh = {}\nname_en = {}\neffective_from = {}\neffective_to = {}",
                q(&t.id),
                q(&t.name_zh),
                q(&t.name_en),
                t.period.from,
                t.period.to,
            );
            for target in &t.targets {
                let _ = writeln!(out, "{} = {}", target.key(), self.cited_param(target.value));
            }
        }
        out
    }

    fn programs_file(&self) -> String {
        let mut out = String::new();
        for p in &self.programs {
            self.program_section(&mut out, p);
        }
        out
    }

    fn program_section(&self, out: &mut String, p: &Program) {
        let _ = writeln!(out, "[programs.{}]", q(&p.id));
        let _ = writeln!(out, "{}", citation_fields(&p.citation));
        let _ = writeln!(out, "name_zh = {}\nname_en = {}\nkind = {}", q(&p.name_zh), q(&p.name_en), q(p.calculation.code()));
        let _ = writeln!(out, "payee = {}\nfund = {}", q(p.payee.code()), q(p.fund.code()));
        for (key, value) in [
            ("occupation_catalogue", &p.occupation_catalogue),
            ("institution_catalogue", &p.institution_catalogue),
            ("shortage_catalogue", &p.shortage_catalogue),
            ("evaluator_catalogue", &p.evaluator_catalogue),
        ] {
            if let Some(v) = value {
                let _ = writeln!(out, "{key} = {}", q(v));
            }
        }
        let groups = list(p.groups.value.iter().map(crate::group::Group::code));
        let _ = writeln!(out, "groups = {}", self.cited_text(&p.groups, groups));
        if let Some(l) = &p.levels {
            let _ = writeln!(out, "levels = {}", self.cited_text(l, levels(l.value)));
        }
        for (key, value) in [
            ("caps_at_fee", p.caps_at_fee),
            ("counts_toward_annual_limit", Some(p.counts_toward_annual_limit)),
            ("shortage_uplift", p.shortage_uplift),
            ("requires_evaluator", p.requires_evaluator),
            ("min_ui_contribution_months", p.min_ui_contribution_months),
        ] {
            if let Some(id) = value {
                let _ = writeln!(out, "{key} = {}", self.cited_param(id));
            }
        }
        if let Some(l) = &p.shortage_levels {
            let _ = writeln!(out, "shortage_levels = {}", self.cited_text(l, levels(l.value)));
        }
        if let Some(g) = &p.exclusivity_group {
            let _ = writeln!(out, "exclusivity_group = {}", self.cited_text(g, q(&g.value)));
        }
        match &p.calculation {
            Calculation::LevelTable { amounts, shortage_amounts, purchase_prices } => {
                self.amounts_section(out, &p.id, "amounts", amounts);
                if let Some(s) = shortage_amounts {
                    self.amounts_section(out, &p.id, "shortage_amounts", s);
                }
                if !purchase_prices.is_empty() {
                    let _ = writeln!(out, "\n[programs.{}.purchase_prices]", q(&p.id));
                    for (code, id) in purchase_prices {
                        let _ = writeln!(out, "{} = {}", q(code), self.cited_param(*id));
                    }
                }
            }
            Calculation::Flat { amount } => {
                let _ = writeln!(out, "amount = {}", self.cited_param(*amount));
            }
            Calculation::PerMonth { monthly_rate, max_months } => {
                let _ = writeln!(out, "monthly_rate = {}\nmax_months = {}", self.cited_param(*monthly_rate), self.cited_param(*max_months));
            }
            Calculation::CappedFee { cap } => {
                let _ = writeln!(out, "cap = {}", self.cited_param(*cap));
            }
            Calculation::PerProject => {}
            Calculation::Apprenticeship { rates, min_months, max_months, review } => {
                let _ = writeln!(out, "min_months = {}\nmax_months = {}", self.cited_param(*min_months), self.cited_param(*max_months));
                self.amounts_section(out, &p.id, "rates", rates);
                let dates: Vec<String> = review.sessions.value.iter().map(ToString::to_string).collect();
                let _ = writeln!(out, "\n[programs.{}.review]", q(&p.id));
                let _ = writeln!(out, "sessions = {}", self.cited_text(&review.sessions, format!("[{}]", dates.join(", "))));
                for (key, id) in [
                    ("cutoff_days", Some(review.cutoff_days)),
                    ("advance_share", Some(review.advance_share)),
                    ("uncertified_share", Some(review.uncertified_share)),
                    ("quota", review.quota),
                    ("overlap", Some(review.overlap)),
                ] {
                    if let Some(id) = id {
                        let _ = writeln!(out, "{key} = {}", self.cited_param(id));
                    }
                }
                let programs = list(review.overlap_programs.value.iter().map(String::as_str));
                let _ = writeln!(out, "overlap_programs = {}", self.cited_text(&review.overlap_programs, programs));
            }
        }
        out.push('\n');
    }

    fn amounts_section(&self, out: &mut String, program: &str, key: &str, table: &LevelAmounts) {
        for (category, row) in &table.rows {
            match category {
                Some(c) => {
                    let _ = writeln!(out, "\n[programs.{}.{key}.{}]", q(program), q(c));
                }
                None => {
                    let _ = writeln!(out, "\n[programs.{}.{key}]", q(program));
                }
            }
            for level in Level::ALL {
                if let Some(id) = row[level.index()] {
                    let _ = writeln!(out, "{} = {}", q(level.code()), self.cited_param(id));
                }
            }
        }
    }

    fn projects_file(&self) -> String {
        let mut out = String::new();
        for p in &self.projects {
            let _ = writeln!(
                out,
                "[projects.{}]\nname_zh = {}\nprogram = {}\neffective_from = {}\neffective_to = {}\nprice = {}\n",
                q(&p.id),
                q(&p.name_zh),
                q(&p.program),
                p.period.from,
                p.period.to,
                self.cited_param(p.price)
            );
        }
        out
    }

    fn version_file(&self, kind: super::CatalogueKind, v: &super::CatalogueVersion) -> String {
        let source = Citation { confidence: None, note: None, ..v.citation.clone() };
        let mut out = format!(
            "kind = {}\nid = {}\nname_zh = {}\neffective_from = {}\neffective_to = {}\n{}\n",
            q(kind.code()),
            q(&v.id),
            q(&v.name_zh),
            v.period.from,
            v.period.to,
            citation_fields(&source)
        );
        if let Some(confidence) = v.citation.confidence {
            let _ = writeln!(out, "confidence = {}", q(confidence.code()));
        }
        out.push('\n');
        match &v.entries {
            Entries::Occupations(list_) => {
                out.push_str("occupations = [\n");
                for o in list_ {
                    let _ = write!(
                        out,
                        "  {{ code = {}, name_zh = {}, name_en = {}, industry = {}, levels = {}",
                        q(&o.code),
                        q(&o.name_zh),
                        q(&o.name_en),
                        q(&o.industry),
                        levels(o.levels)
                    );
                    if let Some(c) = &o.category {
                        let _ = write!(out, ", category = {}", q(c));
                    }
                    if let Some(c) = &o.citation {
                        let _ = write!(out, ", {}", citation_fields(c));
                    }
                    out.push_str(" },\n");
                }
            }
            Entries::Shortage(codes) => {
                out.push_str("occupations = [\n");
                for code in codes {
                    let _ = writeln!(out, "  {},", q(code));
                }
            }
            Entries::Institutions(list_) => {
                let _ = writeln!(out, "{} = [", kind.entries_key());
                for i in list_ {
                    let scope = match &i.scope {
                        InstitutionScope::All => q("all"),
                        InstitutionScope::Occupations(codes) => list(codes.iter().map(String::as_str)),
                    };
                    let _ = writeln!(
                        out,
                        "  {{ id = {}, name_zh = {}, name_en = {}, district = {}, occupations = {} }},",
                        q(&i.id),
                        q(&i.name_zh),
                        q(&i.name_en),
                        q(&i.district),
                        scope
                    );
                }
            }
        }
        out.push_str("]\n");
        out
    }
}
