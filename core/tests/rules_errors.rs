//! Bad rules files: each kind of problem is reported with the file, the key path and the line,
//! and every problem of a ruleset is reported at once.

use skill_subsidy::{Engine, Overrides, RulesError, RulesErrorKind, Ruleset};

const SOURCES: &str = r#"
[sources.S1]
title = "A test source"
confidence = "confirmed"
"#;

const RULESET: &str = r#"
[ruleset]
id = "mini"
name_zh = "测试"
name_en = "Test"
jurisdiction = "test"
basis = "S1"
status = "reconstruction"

[limits]
annual_claims = { value = 3, source = "S1" }
claim_window_months = { value = 12, source = "S1" }
once_per_occupation_level = { value = true, source = "S1" }
no_lower_level_after_higher = { value = true, source = "S1" }

[shortage]
rate = { value = "0.30", source = "S1" }
levels = { value = ["3", "2", "1"], source = "S1" }
listed_until_year_end = { value = true, source = "S1" }

[payment]
months_after_application = { value = 1, source = "S1" }

[industries]
equipment = { name_zh = "装备", name_en = "Equipment" }

[accounts.fund-2021]
name_zh = "专账"
name_en = "Special account"
fund = "special_account"
effective_from = 2021-01-01
effective_to = 2021-12-31
spending_target = { value = "1000000.00", source = "S1" }
closes_when_spent = { value = false, source = "S1" }
"#;

const PROGRAMS: &str = r#"
[programs.training]
source = "S1"
name_zh = "培训"
name_en = "Training"
kind = "level_table"
payee = "individual"
fund = "special_account"
occupation_catalogue = "occupations"
shortage_catalogue = "shortage"
groups = { value = ["employee"], source = "S1" }
levels = { value = ["5", "4", "3"], source = "S1" }
caps_at_fee = { value = true, source = "S1" }
counts_toward_annual_limit = { value = true, source = "S1" }
shortage_uplift = { value = true, source = "S1" }

[programs.training.amounts]
5 = { value = 1000, source = "S1" }
4 = { value = 1500, source = "S1" }
3 = { value = 2000, source = "S1" }
"#;

const H1: &str = r#"
kind = "occupations"
id = "2021-h1"
name_zh = "上半年"
effective_from = 2021-01-01
effective_to = 2021-06-30
source = "S1"
occupations = [
  { code = "6-18-01-01", name_zh = "车工", name_en = "Lathe operator", industry = "equipment", levels = ["5", "4", "3"] },
]
"#;

const H2: &str = r#"
kind = "occupations"
id = "2021-h2"
name_zh = "下半年"
effective_from = 2021-07-01
effective_to = 2021-12-31
source = "S1"
occupations = [
  { code = "6-18-01-01", name_zh = "车工", name_en = "Lathe operator", industry = "equipment", levels = ["5", "4", "3"] },
]
"#;

const SHORTAGE: &str = r#"
kind = "shortage"
id = "2021"
name_zh = "紧缺"
effective_from = 2021-01-01
effective_to = 2021-12-31
source = "S1"
occupations = ["6-18-01-01"]
"#;

fn files() -> Vec<(&'static str, String)> {
    vec![
        ("sources.toml", SOURCES.to_string()),
        ("ruleset.toml", RULESET.to_string()),
        ("programs.toml", PROGRAMS.to_string()),
        ("catalogues/occupations/2021-h1.toml", H1.to_string()),
        ("catalogues/occupations/2021-h2.toml", H2.to_string()),
        ("catalogues/shortage/2021.toml", SHORTAGE.to_string()),
    ]
}

fn load(files: &[(&str, String)]) -> Result<Ruleset, Vec<RulesError>> {
    Ruleset::from_files(files.iter().map(|(p, t)| (*p, t.as_str()))).map_err(|e| e.into_iter().collect())
}

/// Loads the mini ruleset with `edit` applied to `file` and returns the errors.
fn errors_after(file: &str, edit: impl Fn(&str) -> String) -> Vec<RulesError> {
    let mut files = files();
    let entry = files.iter_mut().find(|(p, _)| *p == file).expect("file of the mini ruleset");
    let edited = edit(&entry.1);
    assert_ne!(edited, entry.1, "the edit changed nothing");
    entry.1 = edited;
    load(&files).expect_err("the edited ruleset must not load")
}

fn replace(from: &'static str, to: &'static str) -> impl Fn(&str) -> String {
    move |text: &str| text.replacen(from, to, 1)
}

/// The one error of `kind`, checked to name `file` and `path`; its line is returned.
fn the_error(errors: &[RulesError], kind: RulesErrorKind, file: &str, path: &str) -> Option<usize> {
    let found = errors.iter().find(|e| e.kind == kind).unwrap_or_else(|| panic!("no {kind:?} among {errors:#?}"));
    assert_eq!(found.file, file, "{found}");
    assert_eq!(found.path, path, "{found}");
    let shown = found.to_string();
    assert!(shown.contains(file) && shown.contains(path) && shown.contains(kind.code()), "{shown}");
    found.line
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).expect("needle in text") + 1
}

#[test]
fn the_mini_ruleset_loads() {
    let rules = load(&files()).unwrap_or_else(|e| panic!("{e:#?}"));
    assert_eq!(rules.programs.len(), 1);
}

#[test]
fn toml_syntax_errors_name_the_line() {
    let errors = errors_after("programs.toml", replace("kind = \"level_table\"", "kind = \"level_table"));
    let line = the_error(&errors, RulesErrorKind::TomlSyntax, "programs.toml", "");
    assert_eq!(line, Some(line_of(PROGRAMS, "kind = ")));
}

#[test]
fn an_unknown_file_is_refused() {
    let mut files = files();
    files.push(("catalogue/typo.toml", String::new()));
    let errors = load(&files).unwrap_err();
    the_error(&errors, RulesErrorKind::UnknownFile, "catalogue/typo.toml", "");
}

#[test]
fn a_misspelt_key_is_never_ignored() {
    let errors = errors_after("programs.toml", replace("caps_at_fee", "caps_at_fees"));
    let line = the_error(&errors, RulesErrorKind::UnknownKey, "programs.toml", "programs.training.caps_at_fees");
    assert_eq!(line, Some(line_of(PROGRAMS, "caps_at_fee")));
}

#[test]
fn a_missing_key_names_where_it_belongs() {
    let errors = errors_after("programs.toml", replace("payee = \"individual\"\n", ""));
    the_error(&errors, RulesErrorKind::MissingKey, "programs.toml", "programs.training.payee");
}

#[test]
fn a_value_of_the_wrong_type_is_refused() {
    let errors = errors_after("programs.toml", replace("name_en = \"Training\"", "name_en = 7"));
    let line = the_error(&errors, RulesErrorKind::WrongType, "programs.toml", "programs.training.name_en");
    assert_eq!(line, Some(line_of(PROGRAMS, "name_en")));
}

#[test]
fn an_invalid_level_or_date_is_refused() {
    let errors = errors_after("catalogues/occupations/2021-h1.toml", replace("levels = [\"5\", \"4\", \"3\"]", "levels = [\"5\", \"6\"]"));
    the_error(&errors, RulesErrorKind::InvalidValue, "catalogues/occupations/2021-h1.toml", "occupations[0].levels[1]");
    let errors = errors_after("ruleset.toml", replace("effective_to = 2021-12-31", "effective_to = \"2021-02-30\""));
    the_error(&errors, RulesErrorKind::InvalidValue, "ruleset.toml", "accounts.fund-2021.effective_to");
}

#[test]
fn a_policy_value_without_its_citation_is_refused() {
    let errors = errors_after("programs.toml", replace("4 = { value = 1500, source = \"S1\" }", "4 = 1500"));
    let line = the_error(&errors, RulesErrorKind::MissingCitation, "programs.toml", "programs.training.amounts.4");
    assert_eq!(line, Some(line_of(PROGRAMS, "4 = { value = 1500")));
}

#[test]
fn a_citation_must_point_at_a_source() {
    let errors = errors_after("programs.toml", replace("3 = { value = 2000, source = \"S1\" }", "3 = { value = 2000, source = \"S99\" }"));
    the_error(&errors, RulesErrorKind::UnknownSource, "programs.toml", "programs.training.amounts.3.source");
}

#[test]
fn a_rate_outside_zero_to_one_is_refused() {
    let errors = errors_after("ruleset.toml", replace("rate = { value = \"0.30\"", "rate = { value = 1.30"));
    let line = the_error(&errors, RulesErrorKind::RateOutOfRange, "ruleset.toml", "shortage.rate");
    assert_eq!(line, Some(line_of(RULESET, "rate = ")));
}

#[test]
fn a_level_subsidised_without_an_amount_is_refused() {
    let errors = errors_after(
        "programs.toml",
        replace("levels = { value = [\"5\", \"4\", \"3\"]", "levels = { value = [\"5\", \"4\", \"3\", \"2\"]"),
    );
    the_error(&errors, RulesErrorKind::MissingAmount, "programs.toml", "programs.training.amounts");
}

#[test]
fn a_program_naming_a_missing_catalogue_is_refused() {
    let errors = errors_after("programs.toml", replace("occupation_catalogue = \"occupations\"", "occupation_catalogue = \"occupation\""));
    the_error(&errors, RulesErrorKind::UnknownReference, "programs.toml", "programs.training.occupation_catalogue");
}

#[test]
fn a_shortage_code_outside_the_catalogue_is_refused() {
    let errors = errors_after("catalogues/shortage/2021.toml", replace("[\"6-18-01-01\"]", "[\"6-18-01-01\", \"6-99-99-99\"]"));
    the_error(&errors, RulesErrorKind::UnknownReference, "catalogues/shortage/2021.toml", "occupations[1]");
}

#[test]
fn overlapping_versions_are_refused() {
    let errors = errors_after("catalogues/occupations/2021-h2.toml", replace("effective_from = 2021-07-01", "effective_from = 2021-06-30"));
    the_error(&errors, RulesErrorKind::PeriodOverlap, "catalogues/occupations/2021-h2.toml", "catalogues.occupations.2021-h2");
}

#[test]
fn a_gap_between_versions_is_refused() {
    let errors = errors_after("catalogues/occupations/2021-h2.toml", replace("effective_from = 2021-07-01", "effective_from = 2021-07-02"));
    let e = errors.iter().find(|e| e.kind == RulesErrorKind::PeriodGap).expect("a gap");
    assert!(e.message.contains("2021-07-02") && e.message.contains("2021-06-30"), "{e}");
}

#[test]
fn a_period_that_ends_before_it_starts_is_refused() {
    let errors = errors_after("catalogues/occupations/2021-h1.toml", replace("effective_to = 2021-06-30", "effective_to = 2020-06-30"));
    the_error(&errors, RulesErrorKind::PeriodReversed, "catalogues/occupations/2021-h1.toml", "");
}

#[test]
fn the_same_occupation_twice_in_a_version_is_refused() {
    let errors = errors_after("catalogues/occupations/2021-h1.toml", |t| {
        t.replacen("levels = [\"5\", \"4\", \"3\"] },", "levels = [\"5\", \"4\", \"3\"] },\n  { code = \"6-18-01-01\", name_zh = \"车工\", name_en = \"x\", industry = \"equipment\", levels = [\"5\"] },", 1)
    });
    the_error(&errors, RulesErrorKind::DuplicateId, "catalogues/occupations/2021-h1.toml", "occupations[1].code");
}

#[test]
fn every_problem_of_every_file_is_reported_together() {
    let mut files = files();
    files[2].1 = files[2].1.replacen("caps_at_fee", "caps_at_fees", 1).replacen("4 = { value = 1500, source = \"S1\" }", "4 = 1500", 1);
    files[1].1 = files[1].1.replacen("rate = { value = \"0.30\"", "rate = { value = \"2\"", 1);
    let errors = load(&files).unwrap_err();
    let kinds: Vec<RulesErrorKind> = errors.iter().map(|e| e.kind).collect();
    for kind in [RulesErrorKind::UnknownKey, RulesErrorKind::MissingCitation, RulesErrorKind::RateOutOfRange] {
        assert!(kinds.contains(&kind), "{kind:?} missing from {errors:#?}");
    }
    assert!(errors.iter().any(|e| e.file == "ruleset.toml") && errors.iter().any(|e| e.file == "programs.toml"));
}

#[test]
fn an_override_to_a_missing_path_is_an_error_with_hints() {
    let engine = Engine::new(load(&files()).unwrap());
    let e =
        engine.with_overrides(&Overrides::from_json_str(r#"{"programs.training.amounts.2": "2500"}"#).unwrap()).err().expect("an error");
    let e = &e.errors()[0];
    assert_eq!(e.kind, RulesErrorKind::UnknownPath);
    assert!(e.message.contains("programs.training.amounts.3"), "{e}");
    let bad = engine
        .with_overrides(&Overrides::from_json_str(r#"{"shortage.rate": "1.5", "limits.annual_claims": {"2021-01-01..": "2"}}"#).unwrap())
        .err()
        .expect("errors");
    assert_eq!(bad.iter().map(|e| e.kind).collect::<Vec<_>>(), [RulesErrorKind::BadOverride, RulesErrorKind::BadOverride]);
}

#[test]
fn a_rules_file_under_the_wrong_name_is_not_skipped() {
    let mut files = files();
    files[4].0 = "catalogues/occupations/2021-h2.tml";
    let errors = load(&files).unwrap_err();
    the_error(&errors, RulesErrorKind::UnknownFile, "catalogues/occupations/2021-h2.tml", "");
    // Notes beside the rules are fine.
    let mut files = self::files();
    files.push(("README.md", "# notes".into()));
    assert!(load(&files).is_ok());
}

#[test]
fn an_uplifted_figure_the_uplift_cannot_use_is_refused() {
    let errors =
        errors_after("programs.toml", |t| format!("{t}\n[programs.training.shortage_amounts]\n5 = {{ value = 1300, source = \"S1\" }}\n"));
    the_error(&errors, RulesErrorKind::InvalidValue, "programs.toml", "programs.training.shortage_amounts.5");
    let errors = errors_after("programs.toml", |t| {
        format!("{t}\n[programs.training.shortage_amounts.D]\n3 = {{ value = 2400, source = \"S1\" }}\n")
    });
    the_error(&errors, RulesErrorKind::UnknownReference, "programs.toml", "programs.training.shortage_amounts.D");
}

#[test]
fn a_version_id_used_twice_is_refused_wherever_it_is() {
    let errors = errors_after("catalogues/occupations/2021-h2.toml", replace("id = \"2021-h2\"", "id = \"2021-h1\""));
    let e = errors.iter().find(|e| e.kind == RulesErrorKind::DuplicateId).expect("a duplicate id");
    assert!(e.message.contains("2021-h1"), "{e}");
}

#[test]
fn a_decimal_too_long_to_hold_exactly_is_refused_not_rounded() {
    let errors = errors_after("ruleset.toml", replace("rate = { value = \"0.30\"", "rate = { value = \"0.30000000000000000000000000001\""));
    the_error(&errors, RulesErrorKind::InvalidValue, "ruleset.toml", "shortage.rate");
}

/// The files of the small apprenticeship test ruleset, with programs.toml changed by `edit`.
fn apprenticeship_files(edit: impl Fn(String) -> String) -> Result<Ruleset, skill_subsidy::RulesErrors> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/rulesets/apprenticeship-quota");
    let mut files = Vec::new();
    for rel in ["ruleset.toml", "sources.toml", "programs.toml", "catalogues/occupations/2021.toml", "catalogues/institutions/2021.toml"] {
        let text = std::fs::read_to_string(dir.join(rel)).unwrap();
        files.push((rel, if rel == "programs.toml" { edit(text) } else { text }));
    }
    Ruleset::from_files(files.iter().map(|(p, t)| (*p, t.as_str())))
}

#[test]
fn the_apprenticeship_review_is_checked_like_every_rule() {
    assert!(apprenticeship_files(|t| t).is_ok());
    // The overlap rule names programs of the ruleset.
    let errors = apprenticeship_files(|t| t.replace("overlap_programs = { value = []", "overlap_programs = { value = [\"upgrade\"]"))
        .unwrap_err()
        .errors()
        .to_vec();
    the_error(&errors, RulesErrorKind::UnknownReference, "programs.toml", "programs.apprenticeship.review.overlap_programs[0]");
    // Sessions ascend; shares are rates.
    let errors = apprenticeship_files(|t| t.replace("[2021-02-20, 2021-04-20", "[2021-04-20, 2021-02-20")).unwrap_err().errors().to_vec();
    assert!(errors.iter().any(|e| e.kind == RulesErrorKind::InvalidValue && e.path.contains("sessions")), "{errors:?}");
    let errors = apprenticeship_files(|t| t.replace("advance_share = { value = \"0.50\"", "advance_share = { value = \"1.50\""))
        .unwrap_err()
        .errors()
        .to_vec();
    the_error(&errors, RulesErrorKind::RateOutOfRange, "programs.toml", "programs.apprenticeship.review.advance_share");
    // One apprenticeship program a ruleset: the review would not know which.
    let errors = apprenticeship_files(|t| {
        let second = t[t.find("[programs.apprenticeship]").unwrap()..].replace("programs.apprenticeship", "programs.apprenticeship_b");
        format!("{t}\n{second}")
    })
    .unwrap_err()
    .errors()
    .to_vec();
    the_error(&errors, RulesErrorKind::DuplicateId, "programs.toml", "programs.apprenticeship_b");
}

#[test]
fn an_account_that_closes_when_spent_needs_an_opening_balance() {
    let errors = errors_after("ruleset.toml", replace("closes_when_spent = { value = false", "closes_when_spent = { value = true"));
    the_error(&errors, RulesErrorKind::MissingKey, "ruleset.toml", "accounts.fund-2021.opening_balance");
    // Nor can a what-if switch it on.
    let rules = load(&files()).unwrap();
    let engine = skill_subsidy::Engine::new(rules);
    let Err(errors) =
        engine.with_overrides(&skill_subsidy::Overrides::from_json_str(r#"{"accounts.fund-2021.closes_when_spent": "true"}"#).unwrap())
    else {
        panic!("an account without a balance was switched to close")
    };
    let errors = errors.errors().to_vec();
    the_error(&errors, RulesErrorKind::BadOverride, "overrides", "accounts.fund-2021.closes_when_spent");
    // With a balance it may close.
    let with_balance = replace(
        "closes_when_spent = { value = false",
        "opening_balance = { value = \"5000.00\", source = \"S1\" }\ncloses_when_spent = { value = true",
    );
    let mut files = files();
    files[1].1 = with_balance(&files[1].1);
    assert!(load(&files).is_ok());
}

#[test]
fn a_value_may_change_within_the_period_by_date_range_with_its_own_citation() {
    let dated = replace(
        "3 = { value = 2000, source = \"S1\" }",
        "3 = { value = 2000, source = \"S1\", \"2021-07-01..\" = { value = 2200, source = \"S1\", confidence = \"inferred\" } }",
    );
    let mut files = files();
    files[2].1 = dated(&files[2].1);
    let rules = load(&files).unwrap_or_else(|e| panic!("{e:#?}"));
    let param = rules.param("programs.training.amounts.3").unwrap();
    assert_eq!(param.ranges.len(), 1);
    assert_eq!(param.ranges[0].period.to_string(), "2021-07-01..");
    // What is written reads back the same.
    let again = rules.to_files();
    let reread = Ruleset::from_files(again.iter().map(|(p, t)| (p.as_str(), t.as_str()))).unwrap();
    let again = reread.param("programs.training.amounts.3").unwrap();
    assert_eq!((again.value, &again.citation, &again.ranges[0].period), (param.value, &param.citation, &param.ranges[0].period));
    assert_eq!((again.ranges[0].value, &again.ranges[0].citation), (param.ranges[0].value, &param.ranges[0].citation));
    // Overlapping ranges, a range that is not a range, and a range on a whole-run value are refused.
    let errors = errors_after(
        "programs.toml",
        replace(
            "3 = { value = 2000, source = \"S1\" }",
            "3 = { value = 2000, source = \"S1\", \"2021-07-01..\" = { value = 2200, source = \"S1\" }, \"2021-06-01..2021-07-31\" = { value = 2100, source = \"S1\" } }",
        ),
    );
    the_error(&errors, RulesErrorKind::PeriodOverlap, "programs.toml", "programs.training.amounts.3");
    let errors = errors_after(
        "programs.toml",
        replace(
            "3 = { value = 2000, source = \"S1\" }",
            "3 = { value = 2000, source = \"S1\", \"2021-13-01..\" = { value = 1, source = \"S1\" } }",
        ),
    );
    the_error(&errors, RulesErrorKind::InvalidValue, "programs.toml", "programs.training.amounts.3.2021-13-01..");
    let errors = errors_after(
        "ruleset.toml",
        replace(
            "annual_claims = { value = 3, source = \"S1\" }",
            "annual_claims = { value = 3, source = \"S1\", \"2021-07-01..\" = { value = 4, source = \"S1\" } }",
        ),
    );
    the_error(&errors, RulesErrorKind::InvalidValue, "ruleset.toml", "limits.annual_claims");
}

#[test]
fn a_sample_entry_is_never_more_certain_than_its_table() {
    // S1 is confirmed; an illustrative table caps the confidence of the entries that cite it.
    let sample = |text: &str| {
        text.replace("source = \"S1\"\noccupations", "source = \"S1\"\nconfidence = \"illustrative\"\noccupations")
            .replace("levels = [\"5\", \"4\", \"3\"] }", "levels = [\"5\", \"4\", \"3\"], source = \"S1\" }")
    };
    let mut files = files();
    files[3].1 = sample(&files[3].1);
    let rules = load(&files).unwrap_or_else(|e| panic!("{e:#?}"));
    let version = &rules.catalogue("occupations").unwrap().versions[0];
    let entry = version.occupations()[0].citation.as_ref().unwrap();
    assert_eq!(rules.confidence_of(entry), Some(skill_subsidy::rules::Confidence::Illustrative));
    assert_eq!(rules.confidence_of(&version.citation), Some(skill_subsidy::rules::Confidence::Illustrative));
}

#[test]
fn shortage_levels_of_a_program_must_be_levels_it_pays() {
    let errors = errors_after(
        "programs.toml",
        replace(
            "shortage_uplift = { value = true, source = \"S1\" }",
            "shortage_uplift = { value = true, source = \"S1\" }\nshortage_levels = { value = [\"5\", \"1\"], source = \"S1\" }",
        ),
    );
    the_error(&errors, RulesErrorKind::InvalidValue, "programs.toml", "programs.training.shortage_levels");
}
