//! What the page needs to know about the ruleset to build its form: the programs and the fields
//! each needs, the catalogues in force on a date, the ruleset and its sources, and the reason
//! codes with their messages. Read from the core's typed model, with the engine's values
//! (what-if overrides included); money as decimal strings.

use crate::error::InputError;
use serde_json::{json, Value};
use skill_subsidy::calendar::{parse_date, Date, YearMonth};
use skill_subsidy::money::format_yuan;
use skill_subsidy::rules::{
    Calculation, Catalogue, CatalogueKind, Citation, Entries, InstitutionScope, ParamId, ParamKind, ParamValue, Payee, Program,
};
use skill_subsidy::Group;
use skill_subsidy::Reason;
use skill_subsidy::{rules::LevelSet, Level};
use skill_subsidy::{trace::TRACE_VERSION, Engine, Ruleset};

/// The value in force in this engine (overrides without a date range applied).
fn value(engine: &Engine, id: ParamId) -> ParamValue {
    let param = engine.ruleset().params.get(id);
    engine.value(&param.path).unwrap_or(param.value)
}

/// A number as text: money with two decimals, anything else as written.
fn number_text(engine: &Engine, id: ParamId) -> String {
    let kind = engine.ruleset().params.get(id).kind;
    match value(engine, id) {
        ParamValue::Number(n) if kind == ParamKind::Money => format_yuan(n),
        other => other.to_text(),
    }
}

fn flag(engine: &Engine, id: Option<ParamId>) -> bool {
    id.is_some_and(|id| value(engine, id).flag())
}

fn level_codes(set: LevelSet) -> Vec<&'static str> {
    set.iter().map(Level::code).collect()
}

fn citation_json(rules: &Ruleset, citation: &Citation) -> Value {
    json!({ "citation": citation.keys(), "confidence": rules.confidence_of(citation).map(|c| c.code()) })
}

/// The claim fields a program needs beyond those every claim has — the same rule the engine
/// applies before it assesses (a missing one makes the claim `invalid`, `required_by_program`).
fn needs(engine: &Engine, program: &Program) -> Vec<&'static str> {
    let mut fields = Vec::new();
    if program.payee == Payee::Enterprise {
        fields.push("enterprise_id");
    }
    if program.occupation_catalogue.is_some() {
        fields.push("occupation");
    }
    if matches!(program.calculation, Calculation::LevelTable { .. } | Calculation::Apprenticeship { .. }) {
        fields.push("level");
    }
    if program.institution_catalogue.is_some() {
        fields.push("institution");
    }
    if matches!(program.calculation, Calculation::CappedFee { .. }) || flag(engine, program.caps_at_fee) {
        fields.push("fee_paid");
    }
    if matches!(program.calculation, Calculation::PerMonth { .. } | Calculation::Apprenticeship { .. }) {
        fields.push("months");
    }
    if program.min_ui_contribution_months.is_some() {
        fields.push("ui_contribution_months");
    }
    if matches!(program.calculation, Calculation::PerProject) {
        fields.push("project");
    }
    fields
}

/// The programs, in ruleset order, with what the form needs to show only the relevant inputs.
#[must_use]
pub fn programs(engine: &Engine) -> Value {
    let rules = engine.ruleset();
    let list: Vec<Value> = rules
        .programs
        .iter()
        .map(|p| {
            let fields = needs(engine, p);
            let need = |f: &str| fields.contains(&f);
            let (min_months, max_months) = match &p.calculation {
                Calculation::PerMonth { max_months, .. } => (None, Some(number_text(engine, *max_months))),
                Calculation::Apprenticeship { min_months, max_months, .. } => {
                    (Some(number_text(engine, *min_months)), Some(number_text(engine, *max_months)))
                }
                _ => (None, None),
            };
            let projects: Vec<Value> = rules
                .projects
                .iter()
                .filter(|project| project.program == p.id)
                .map(|project| {
                    json!({ "id": project.id, "name_zh": project.name_zh, "effective_from": project.period.from.to_string(),
                            "effective_to": project.period.to.to_string(), "price": number_text(engine, project.price) })
                })
                .collect();
            let mut out = json!({
                "id": p.id, "name_zh": p.name_zh, "name_en": p.name_en, "kind": p.calculation.code(),
                "payee": p.payee.code(), "fund": p.fund.code(), "fund_name_zh": p.fund.name_zh(),
                "levels": p.levels.as_ref().map(|l| level_codes(l.value)),
                "groups": p.groups.value.iter().map(Group::code).collect::<Vec<_>>(),
                "fields": fields,
                "needs": {
                    "enterprise_id": need("enterprise_id"), "occupation": need("occupation"), "level": need("level"),
                    "institution": need("institution"), "fee_paid": need("fee_paid"), "months": need("months"),
                    "ui_contribution_months": need("ui_contribution_months"), "project": need("project"),
                },
                "occupation_catalogue": p.occupation_catalogue, "institution_catalogue": p.institution_catalogue,
                "shortage_catalogue": p.shortage_catalogue,
                "caps_at_fee": flag(engine, p.caps_at_fee),
                "shortage_uplift": rules.shortage.is_some() && flag(engine, p.shortage_uplift),
                "counts_toward_annual_limit": flag(engine, Some(p.counts_toward_annual_limit)),
                "exclusivity_group": p.exclusivity_group.as_ref().map(|g| g.value.clone()),
                "min_ui_contribution_months": p.min_ui_contribution_months.map(|id| number_text(engine, id)),
                "min_months": min_months, "max_months": max_months,
                "projects": projects,
                "review": review(engine, p),
            });
            if let Value::Object(m) = &mut out {
                if let Value::Object(c) = citation_json(rules, &p.citation) {
                    m.extend(c);
                }
            }
            out
        })
        .collect();
    Value::Array(list)
}

/// An apprenticeship program's review sessions (会审) and the cut-off before each, in days (SPEC
/// §8); null for other programs.
fn review(engine: &Engine, program: &Program) -> Value {
    match &program.calculation {
        Calculation::Apprenticeship { review, .. } => json!({
            "sessions": review.sessions.value.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "cutoff_days": number_text(engine, review.cutoff_days),
            "advance_share": number_text(engine, review.advance_share),
        }),
        _ => Value::Null,
    }
}

/// Whether a shortage catalogue lists each code on `date`: in the version in force or — when
/// `shortage.listed_until_year_end` is on (S30) — in a version of the same year that started
/// on or before the date. Returns the id of the version that listed it first that year.
fn shortage_listing<'r>(catalogue: &'r Catalogue, date: Date, sticky: bool) -> impl Fn(&str) -> Option<&'r str> {
    let year = YearMonth::of(date).year();
    let versions: Vec<_> = catalogue
        .versions
        .iter()
        .filter(|v| v.period.contains(date) || (sticky && v.period.from <= date && YearMonth::of(v.period.from).year() == year))
        .collect();
    move |code: &str| {
        versions.iter().find(|v| matches!(&v.entries, Entries::Shortage(codes) if codes.iter().any(|c| c == code))).map(|v| v.id.as_str())
    }
}

/// The catalogues in force on `date` (`YYYY-MM-DD`): each catalogue's version, the occupations
/// with their levels and shortage flag, the training institutions with the occupations each
/// trains, and the evaluation institutions with the occupations each may evaluate.
#[must_use]
pub fn catalogue(engine: &Engine, date_text: Option<&str>) -> Value {
    let text = date_text.unwrap_or_default();
    let Ok(date) = parse_date(text) else {
        let mut shown: String = text.chars().take(60).collect();
        if date_text.is_none() {
            shown = "(not a string)".into();
        }
        let error = InputError::BadDate { field: "date", value: shown }.to_json();
        return json!({ "date": text, "versions": [], "occupations": [], "institutions": [], "evaluators": [], "errors": [error] });
    };
    let rules = engine.ruleset();
    let sticky = rules.shortage.as_ref().is_some_and(|s| value(engine, s.listed_until_year_end).flag());
    let mut versions = Vec::new();
    let mut occupations = Vec::new();
    let mut institutions = Vec::new();
    let mut evaluators = Vec::new();
    for c in &rules.catalogues {
        let Some(version) = c.version_on(date) else { continue };
        versions.push(json!({ "catalogue": c.id, "kind": c.kind.code(), "version": version.id, "name_zh": version.name_zh,
                              "effective_from": version.period.from.to_string(), "effective_to": version.period.to.to_string() }));
        match &version.entries {
            Entries::Occupations(list) => {
                // The shortage list paired with this catalogue by the programs that use both.
                let shortage = rules
                    .programs
                    .iter()
                    .filter(|p| p.occupation_catalogue.as_deref() == Some(c.id.as_str()))
                    .find_map(|p| p.shortage_catalogue.as_deref())
                    .and_then(|id| rules.catalogue(id))
                    .filter(|s| s.kind == CatalogueKind::Shortage && rules.shortage.is_some());
                let listed = shortage.map(|s| shortage_listing(s, date, sticky));
                for o in list {
                    let listed_in = listed.as_ref().and_then(|f| f(&o.code));
                    let industry = rules.industries.iter().find(|i| i.id == o.industry);
                    occupations.push(json!({
                        "code": o.code, "name_zh": o.name_zh, "name_en": o.name_en, "catalogue": c.id,
                        "industry": o.industry, "industry_zh": industry.map(|i| i.name_zh.as_str()),
                        "industry_en": industry.map(|i| i.name_en.as_str()),
                        "levels": level_codes(o.levels), "category": o.category,
                        "shortage": listed_in.is_some(), "shortage_listed_in": listed_in,
                    }));
                }
            }
            Entries::Institutions(list) => {
                for i in list {
                    let scope = match &i.scope {
                        InstitutionScope::All => json!("all"),
                        InstitutionScope::Occupations(codes) => json!(codes),
                        _ => json!([]),
                    };
                    let entry = json!({ "id": i.id, "name_zh": i.name_zh, "name_en": i.name_en, "district": i.district,
                                        "catalogue": c.id, "occupations": scope });
                    // Training institutions (培训机构) and evaluation institutions (评价机构) apart.
                    if c.kind == CatalogueKind::Evaluators {
                        evaluators.push(entry);
                    } else {
                        institutions.push(entry);
                    }
                }
            }
            _ => {}
        }
    }
    json!({
        "date": date.to_string(),
        "versions": versions,
        "occupations": occupations,
        "institutions": institutions,
        "evaluators": evaluators,
        "shortage": shortage_rule(engine),
        "errors": [],
    })
}

fn shortage_rule(engine: &Engine) -> Value {
    let rules = engine.ruleset();
    rules.shortage.as_ref().map_or(Value::Null, |s| {
        json!({ "rate": number_text(engine, s.rate), "levels": level_codes(s.levels.value),
                "listed_until_year_end": value(engine, s.listed_until_year_end).flag() })
    })
}

/// The days the ruleset covers: from the first day any of its catalogue versions or accounts is
/// in force to the last. A form states it and checks the event date against it (a claim dated
/// outside finds no catalogue, or no account, in force).
#[must_use]
pub fn period(rules: &Ruleset) -> Value {
    let periods = rules.catalogues.iter().flat_map(|c| c.versions.iter().map(|v| v.period)).chain(rules.accounts.iter().map(|a| a.period));
    let span = periods.fold(None, |span: Option<(Date, Date)>, p| match span {
        None => Some((p.from, p.to)),
        Some((from, to)) => Some((from.min(p.from), to.max(p.to))),
    });
    span.map_or(Value::Null, |(from, to)| json!({ "from": from.to_string(), "to": to.to_string() }))
}

/// An embedded ruleset as a list of them shows it: id, names, status and period.
#[must_use]
pub fn ruleset_summary(engine: &Engine) -> Value {
    let rules = engine.ruleset();
    json!({ "id": rules.id, "name_zh": rules.name_zh, "name_en": rules.name_en, "status": rules.status, "period": period(rules) })
}

/// The ruleset: id, names, status, jurisdiction, its sources, and the vocabularies a form needs.
#[must_use]
pub fn ruleset_info(engine: &Engine) -> Value {
    let rules = engine.ruleset();
    json!({
        "id": rules.id, "name_zh": rules.name_zh, "name_en": rules.name_en, "status": rules.status,
        "jurisdiction": rules.jurisdiction, "basis": rules.basis, "period": period(rules),
        "trace_version": TRACE_VERSION,
        "embedded": Ruleset::embedded_ids(),
        "sources": rules.sources.values().map(|s| json!({
            "id": s.id, "title": s.title, "document": s.document, "date": s.date, "url": s.url,
            "confidence": s.confidence.code(), "note": s.note,
        })).collect::<Vec<_>>(),
        "levels": Level::ALL.iter().map(|l| json!({ "code": l.code(), "name_zh": l.name_zh(), "name_en": l.name_en() })).collect::<Vec<_>>(),
        "groups": Group::ALL.iter().map(|g| json!({ "code": g.code(), "name_zh": g.name_zh() })).collect::<Vec<_>>(),
        "shortage": shortage_rule(engine),
        "accounts": rules.accounts.iter().map(|a| json!({
            "id": a.id, "name_zh": a.name_zh, "name_en": a.name_en, "fund": a.fund.code(),
            "effective_from": a.period.from.to_string(), "effective_to": a.period.to.to_string(),
            "spending_target": a.spending_target.map(|p| number_text(engine, p)),
            "opening_balance": a.opening_balance.map(|p| number_text(engine, p)),
            "closes_when_spent": engine.value(&format!("accounts.{}.closes_when_spent", a.id)).is_some_and(|v| v.flag()),
        })).collect::<Vec<_>>(),
        "overrides": engine.overrides().items().iter().map(|o| json!({ "path": o.path, "value": o.value, "range": o.range.map(|r| r.to_string()) })).collect::<Vec<_>>(),
    })
}

/// Every reason code in check order, with its messages.
#[must_use]
pub fn reasons() -> Value {
    Value::Array(
        Reason::ALL.iter().map(|r| json!({ "code": r.code(), "message_en": r.message_en(), "message_zh": r.message_zh() })).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use skill_subsidy::Overrides;

    fn engine() -> Engine {
        Engine::new(Ruleset::wuxi_2021().expect("the embedded ruleset loads (core/tests/load_embedded.rs)"))
    }

    fn program<'a>(list: &'a Value, id: &str) -> &'a Value {
        list.as_array().unwrap().iter().find(|p| p["id"] == id).unwrap()
    }

    #[test]
    fn each_program_says_which_fields_its_claims_need() {
        let list = programs(&engine());
        let skills = program(&list, "skills_training");
        assert_eq!(skills["fields"], json!(["occupation", "level", "institution", "fee_paid"]));
        assert_eq!(skills["payee"], "individual");
        assert_eq!(program(&list, "on_job")["fields"], json!(["enterprise_id", "months"]));
        assert_eq!(program(&list, "on_job")["max_months"], "4");
        assert_eq!(program(&list, "ui_skill_upgrade")["needs"]["ui_contribution_months"], true);
        let project = program(&list, "project");
        assert!(project["needs"]["project"].as_bool().unwrap());
        assert!(project["projects"].as_array().unwrap().iter().any(|p| p["price"] == "2466.67"));
        let review = &program(&list, "apprenticeship")["review"];
        assert_eq!(review["sessions"].as_array().unwrap().len(), 6);
        assert_eq!(review["sessions"][5], "2021-12-20");
        assert_eq!(review["cutoff_days"], "7");
        assert_eq!(skills["review"], Value::Null);
    }

    #[test]
    fn the_catalogue_in_force_marks_shortage_occupations_including_those_listed_earlier_that_year() {
        let e = engine();
        let q3 = catalogue(&e, Some("2021-08-02"));
        assert_eq!(q3["errors"], json!([]));
        let find = |code: &str| q3["occupations"].as_array().unwrap().iter().find(|o| o["code"] == code).cloned().unwrap();
        assert_eq!(find("6-18-02-04")["shortage"], true);
        // 锻造工: on the Q2 list, dropped in Q3, still uplifted for the rest of 2021 (S30).
        assert_eq!(find("6-18-02-02")["shortage"], true);
        assert_eq!(find("6-18-02-02")["shortage_listed_in"], "2021-q2");
        assert!(q3["occupations"].as_array().unwrap().len() >= 60);
        assert!(q3["institutions"].as_array().unwrap().iter().any(|i| i["id"] == "WX-JG-001" && i["occupations"] == "all"));
        let off = e.with_overrides(&Overrides::from_json_str(r#"{"shortage.listed_until_year_end": false}"#).unwrap()).unwrap();
        let q3_off = catalogue(&off, Some("2021-08-02"));
        let forging = q3_off["occupations"].as_array().unwrap().iter().find(|o| o["code"] == "6-18-02-02").unwrap();
        assert_eq!(forging["shortage"], false);
    }

    /// `needs` restates the engine's own rule for fields a program requires (the core does not
    /// expose it): check it against what the engine does with a claim that lacks each field.
    #[test]
    fn the_fields_each_program_needs_are_those_the_engine_requires() {
        use skill_subsidy::{FieldMode, RawClaim};
        let e = engine();
        let optional = ["enterprise_id", "occupation", "level", "institution", "fee_paid", "months", "ui_contribution_months", "project"];
        for p in programs(&e).as_array().unwrap() {
            let full = json!({"claim_id": "C1", "program": p["id"], "person_id": "P1", "enterprise_id": "E1", "occupation": "6-18-02-04",
                              "level": "3", "institution": "WX-JG-001", "fee_paid": "3000", "months": 12, "ui_contribution_months": 24,
                              "project": "XM2021-02", "event_date": "2021-08-02", "applied_on": "2021-08-20"});
            let required: Vec<&str> = optional
                .into_iter()
                .filter(|field| {
                    let mut claim = full.clone();
                    claim.as_object_mut().unwrap().remove(*field);
                    let a = e.assess_raw(&RawClaim::from_json(&claim), FieldMode::Strict, false);
                    a.errors.iter().any(|err| err.field == *field && err.code.code() == "required_by_program")
                })
                .collect();
            assert_eq!(p["fields"], json!(required), "program {}", p["id"]);
        }
    }

    /// The shortage flag restates the engine's reading of the shortage lists (S30 included):
    /// check it against the uplift the engine applies to a level-3 certificate on each date.
    #[test]
    fn the_shortage_flag_is_the_uplift_the_engine_applies() {
        let e = engine();
        for date in ["2021-02-15", "2021-05-10", "2021-08-02", "2021-11-02"] {
            let cat = catalogue(&e, Some(date));
            for o in cat["occupations"].as_array().unwrap().iter().filter(|o| o["levels"].as_array().unwrap().contains(&json!("3"))) {
                let claim = json!({"claim_id": "C1", "program": "ui_skill_upgrade", "person_id": "P1", "occupation": o["code"], "level": "3",
                                   "ui_contribution_months": 24, "event_date": date, "applied_on": date});
                let a = e.assess_raw(&skill_subsidy::RawClaim::from_json(&claim), skill_subsidy::FieldMode::Strict, false);
                assert!(a.is_approved(), "{date} {}: {:?}", o["code"], a.reasons);
                let uplifted = a.amount.to_string() == "2600.00";
                assert_eq!(o["shortage"].as_bool(), Some(uplifted), "{date} {}", o["code"]);
            }
        }
    }

    /// Wuxi 2023 runs from the Jiangsu 2023 standard (2023-06-01) to the eve of the next
    /// catalogue (2024-05-31): its two half-year catalogue versions, read from the ruleset.
    #[test]
    fn the_period_covered_is_read_from_the_catalogues_and_accounts() {
        let rules = Ruleset::embedded("wuxi-2023").expect("embedded (core/tests/years.rs)");
        assert_eq!(period(&rules), json!({"from": "2023-06-01", "to": "2024-05-31"}));
        let summary = ruleset_summary(&Engine::new(rules));
        assert_eq!(summary["id"], "wuxi-2023");
        assert_eq!(summary["period"]["to"], "2024-05-31");
    }

    #[test]
    fn a_bad_date_is_an_error_in_the_answer() {
        let out = catalogue(&engine(), Some("2021-02-30"));
        assert_eq!(out["errors"][0]["code"], "bad_date");
        assert_eq!(out["occupations"], json!([]));
        assert_eq!(catalogue(&engine(), None)["errors"][0]["code"], "bad_date");
    }

    #[test]
    fn the_ruleset_says_it_is_a_reconstruction_and_lists_its_sources() {
        let info = ruleset_info(&engine());
        assert_eq!(info["id"], "wuxi-2021");
        assert_eq!(info["status"], "reconstruction");
        assert_eq!(info["period"], json!({"from": "2021-01-01", "to": "2021-12-31"}));
        assert!(info["sources"].as_array().unwrap().iter().any(|s| s["id"] == "S9" && s["url"].as_str().is_some_and(|u| !u.is_empty())));
        assert_eq!(reasons()[0]["code"], "unknown_program");
    }
}
