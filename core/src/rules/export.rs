//! The resolved ruleset as JSON (`subsidy rules export --json`), shape version 1.
//!
//! Every policy value appears as `{ "path", "value", "citation", "confidence" }`: numbers as
//! decimal strings (money never becomes a float), switches as booleans. The shape is documented
//! in `docs/export.md`.

use super::catalogue::{Entries, InstitutionScope};
use super::params::{ParamId, ParamValue};
use super::programs::{Calculation, LevelAmounts};
use super::{Cited, Ruleset};
use crate::level::{Level, LevelSet};
use serde_json::{json, Map, Value};

/// Version of the export's JSON shape.
pub const EXPORT_VERSION: u32 = 1;

/// A value as JSON: numbers as decimal strings, switches as booleans.
fn plain(value: ParamValue) -> Value {
    match value {
        ParamValue::Flag(b) => Value::Bool(b),
        ParamValue::Number(n) => Value::String(n.to_string()),
    }
}

fn levels(set: LevelSet) -> Value {
    Value::from(set.iter().map(Level::code).collect::<Vec<_>>())
}

/// The values an export shows: as loaded, or as a what-if engine has them.
struct Exporter<'a> {
    rules: &'a Ruleset,
    values: Option<&'a [ParamValue]>,
}

impl std::ops::Deref for Exporter<'_> {
    type Target = Ruleset;
    fn deref(&self) -> &Ruleset {
        self.rules
    }
}

impl Ruleset {
    /// The resolved ruleset as JSON (its `export_version` member says the shape's version).
    ///
    /// ```
    /// let rules = skill_subsidy::Ruleset::wuxi_2021()?;
    /// let export = rules.export_json();
    /// assert_eq!(export["programs"][0]["id"], "skills_training");
    /// # Ok::<(), skill_subsidy::RulesErrors>(())
    /// ```
    #[must_use]
    pub fn export_json(&self) -> Value {
        Exporter { rules: self, values: None }.json()
    }

    /// The ruleset as JSON with these values in place of the loaded ones (an engine's, after
    /// what-if overrides).
    #[must_use]
    pub fn export_json_with(&self, values: &[ParamValue]) -> Value {
        Exporter { rules: self, values: Some(values) }.json()
    }
}

impl Exporter<'_> {
    fn value_json(&self, id: ParamId) -> Value {
        let p = self.params.get(id);
        let in_force = self.values.and_then(|v| v.get(id.0 as usize)).copied().unwrap_or(p.value);
        let mut out = json!({
            "path": p.path,
            "value": plain(in_force),
            "citation": p.citation.keys(),
            "confidence": self.confidence_of(&p.citation).map(|c| c.code()),
        });
        if !p.ranges.is_empty() {
            let ranges: Vec<Value> = p
                .ranges
                .iter()
                .map(|r| {
                    json!({
                        "range": r.period.to_string(), "value": plain(r.value),
                        "citation": r.citation.keys(), "confidence": self.confidence_of(&r.citation).map(|c| c.code()),
                    })
                })
                .collect();
            out["ranges"] = Value::from(ranges);
        }
        out
    }

    fn opt_value_json(&self, id: Option<ParamId>) -> Value {
        id.map_or(Value::Null, |id| self.value_json(id))
    }

    fn cited_json<T>(&self, cited: &Cited<T>, value: Value) -> Value {
        json!({
            "path": cited.path,
            "value": value,
            "citation": cited.citation.keys(),
            "confidence": self.confidence_of(&cited.citation).map(|c| c.code()),
        })
    }

    fn table_json(&self, table: &LevelAmounts) -> Value {
        let row_json = |row: &[Option<ParamId>; 7]| {
            let mut m = Map::new();
            for level in Level::ALL {
                if let Some(id) = row[level.index()] {
                    m.insert(level.code().to_string(), self.value_json(id));
                }
            }
            Value::Object(m)
        };
        if table.by_category() {
            let mut m = Map::new();
            for (category, row) in &table.rows {
                m.insert(category.clone().unwrap_or_default(), row_json(row));
            }
            Value::Object(m)
        } else {
            table.rows.first().map_or(Value::Null, |(_, row)| row_json(row))
        }
    }

    fn json(&self) -> Value {
        let sources: Vec<Value> = self
            .sources
            .values()
            .map(|s| json!({"id": s.id, "title": s.title, "document": s.document, "date": s.date, "url": s.url, "confidence": s.confidence.code(), "note": s.note}))
            .collect();
        let programs: Vec<Value> = self
            .programs
            .iter()
            .map(|p| {
                let mut m = json!({
                    "id": p.id, "name_zh": p.name_zh, "name_en": p.name_en, "kind": p.calculation.code(),
                    "citation": p.citation.keys(), "confidence": self.confidence_of(&p.citation).map(|c| c.code()),
                    "payee": p.payee.code(), "fund": p.fund.code(),
                    "occupation_catalogue": p.occupation_catalogue, "institution_catalogue": p.institution_catalogue,
                    "shortage_catalogue": p.shortage_catalogue, "evaluator_catalogue": p.evaluator_catalogue,
                    "requires_evaluator": self.opt_value_json(p.requires_evaluator),
                    "groups": self.cited_json(&p.groups, Value::from(p.groups.value.iter().map(crate::group::Group::code).collect::<Vec<_>>())),
                    "levels": p.levels.as_ref().map(|l| self.cited_json(l, levels(l.value))),
                    "caps_at_fee": self.opt_value_json(p.caps_at_fee),
                    "counts_toward_annual_limit": self.value_json(p.counts_toward_annual_limit),
                    "shortage_uplift": self.opt_value_json(p.shortage_uplift),
                    "shortage_levels": p.shortage_levels.as_ref().map(|l| self.cited_json(l, levels(l.value))),
                    "exclusivity_group": p.exclusivity_group.as_ref().map(|g| self.cited_json(g, Value::from(g.value.clone()))),
                    "min_ui_contribution_months": self.opt_value_json(p.min_ui_contribution_months),
                });
                let extra = match &p.calculation {
                    Calculation::LevelTable { amounts, shortage_amounts, purchase_prices } => json!({
                        "amounts": self.table_json(amounts),
                        "shortage_amounts": shortage_amounts.as_ref().map(|t| self.table_json(t)),
                        "purchase_prices": purchase_prices.iter().map(|(code, id)| (code.clone(), self.value_json(*id))).collect::<Map<_, _>>(),
                    }),
                    Calculation::Flat { amount } => json!({ "amount": self.value_json(*amount) }),
                    Calculation::PerMonth { monthly_rate, max_months } => {
                        json!({ "monthly_rate": self.value_json(*monthly_rate), "max_months": self.value_json(*max_months) })
                    }
                    Calculation::CappedFee { cap } => json!({ "cap": self.value_json(*cap) }),
                    Calculation::PerProject => json!({}),
                    Calculation::Apprenticeship { rates, min_months, max_months, review } => json!({
                        "rates": self.table_json(rates),
                        "min_months": self.value_json(*min_months),
                        "max_months": self.value_json(*max_months),
                        "review": {
                            "sessions": self.cited_json(&review.sessions, Value::from(review.sessions.value.iter().map(ToString::to_string).collect::<Vec<_>>())),
                            "cutoff_days": self.value_json(review.cutoff_days),
                            "advance_share": self.value_json(review.advance_share),
                            "uncertified_share": self.value_json(review.uncertified_share),
                            "quota": self.opt_value_json(review.quota),
                            "overlap": self.value_json(review.overlap),
                            "overlap_programs": self.cited_json(&review.overlap_programs, Value::from(review.overlap_programs.value.clone())),
                        },
                    }),
                };
                if let (Value::Object(m), Value::Object(extra)) = (&mut m, extra) {
                    m.extend(extra);
                }
                m
            })
            .collect();
        let catalogues: Vec<Value> = self
            .catalogues
            .iter()
            .map(|c| {
                let versions: Vec<Value> = c
                    .versions
                    .iter()
                    .map(|v| {
                        let entries = match &v.entries {
                            Entries::Occupations(list) => json!({"occupations": list.iter().map(|o| json!({
                                "code": o.code, "name_zh": o.name_zh, "name_en": o.name_en, "industry": o.industry,
                                "levels": levels(o.levels), "category": o.category,
                                "citation": o.citation.as_ref().map(super::sources::Citation::keys),
                            })).collect::<Vec<_>>()}),
                            Entries::Shortage(codes) => json!({ "occupations": codes }),
                            Entries::Institutions(list) => json!({"institutions": list.iter().map(|i| json!({
                                "id": i.id, "name_zh": i.name_zh, "name_en": i.name_en, "district": i.district,
                                "occupations": match &i.scope { InstitutionScope::All => json!("all"), InstitutionScope::Occupations(c) => json!(c) },
                            })).collect::<Vec<_>>()}),
                        };
                        let mut m = json!({
                            "id": v.id, "name_zh": v.name_zh, "effective_from": v.period.from.to_string(),
                            "effective_to": v.period.to.to_string(), "citation": v.citation.keys(),
                            "confidence": self.confidence_of(&v.citation).map(|c| c.code()),
                        });
                        if let (Value::Object(m), Value::Object(e)) = (&mut m, entries) {
                            m.extend(e);
                        }
                        m
                    })
                    .collect();
                json!({ "id": c.id, "kind": c.kind.code(), "versions": versions })
            })
            .collect();
        json!({
            "export_version": EXPORT_VERSION,
            "ruleset": { "id": self.id, "name_zh": self.name_zh, "name_en": self.name_en, "jurisdiction": self.jurisdiction, "basis": self.basis, "status": self.status },
            "sources": sources,
            "limits": {
                "annual_claims": self.value_json(self.limits.annual_claims),
                "claim_window_months": self.value_json(self.limits.claim_window_months),
                "once_per_occupation_level": self.value_json(self.limits.once_per_occupation_level),
                "no_lower_level_after_higher": self.value_json(self.limits.no_lower_level_after_higher),
            },
            "shortage": self.shortage.as_ref().map(|s| json!({
                "rate": self.value_json(s.rate),
                "levels": self.cited_json(&s.levels, levels(s.levels.value)),
                "listed_until_year_end": self.value_json(s.listed_until_year_end),
            })),
            "payment": { "months_after_application": self.value_json(self.payment.months_after_application) },
            "industries": self.industries.iter().map(|i| json!({"id": i.id, "name_zh": i.name_zh, "name_en": i.name_en})).collect::<Vec<_>>(),
            "accounts": self.accounts.iter().map(|a| json!({
                "id": a.id, "name_zh": a.name_zh, "name_en": a.name_en, "fund": a.fund.code(),
                "effective_from": a.period.from.to_string(), "effective_to": a.period.to.to_string(),
                "spending_target": self.opt_value_json(a.spending_target),
                "opening_balance": self.opt_value_json(a.opening_balance),
                "closes_when_spent": self.value_json(a.closes_when_spent),
            })).collect::<Vec<_>>(),
            "targets": self.targets.iter().map(|t| json!({
                "id": t.id, "name_zh": t.name_zh, "name_en": t.name_en,
                "effective_from": t.period.from.to_string(), "effective_to": t.period.to.to_string(),
                "targets": t.targets.iter().map(|x| json!({
                    "key": x.key(), "measure": x.measure.code(), "per_year": x.per_year, "value": self.value_json(x.value),
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "programs": programs,
            "projects": self.projects.iter().map(|p| json!({
                "id": p.id, "name_zh": p.name_zh, "program": p.program,
                "effective_from": p.period.from.to_string(), "effective_to": p.period.to.to_string(),
                "price": self.value_json(p.price),
            })).collect::<Vec<_>>(),
            "catalogues": catalogues,
        })
    }
}
