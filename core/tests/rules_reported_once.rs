//! One problem in a rules file is reported once (SPEC §12): what depends on a table that failed
//! to load is not checked again. Each case breaks one thing in the Wuxi 2021 ruleset and counts
//! every problem reported.

use skill_subsidy::{RulesError, RulesErrorKind, Ruleset};
use std::path::{Path, PathBuf};

/// The files of `rules/wuxi-2021`, relative to the folder.
fn wuxi_2021() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/wuxi-2021");
    let mut files = Vec::new();
    let mut folders: Vec<PathBuf> = vec![root.clone()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("the ruleset folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                let name = path.strip_prefix(&root).expect("under the root").to_string_lossy().replace('\\', "/");
                files.push((name, std::fs::read_to_string(&path).expect("a rules file")));
            }
        }
    }
    files
}

/// Every problem of the Wuxi 2021 ruleset with `edit` applied to `file`.
fn problems_after(file: &str, edit: impl Fn(&str) -> String) -> Vec<RulesError> {
    let mut files = wuxi_2021();
    let entry = files.iter_mut().find(|(p, _)| p == file).expect("a file of the ruleset");
    let edited = edit(&entry.1);
    assert_ne!(edited, entry.1, "the edit changed nothing");
    entry.1 = edited;
    match Ruleset::from_files(files.iter().map(|(p, t)| (p.as_str(), t.as_str()))) {
        Ok(_) => panic!("the edited ruleset loaded"),
        Err(errors) => errors.into_iter().collect(),
    }
}

/// The single problem reported, checked to be `kind` at `path` of `file`.
fn the_only_problem(errors: &[RulesError], kind: RulesErrorKind, file: &str, path: &str) {
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 1, "{} problems:\n{}", errors.len(), shown.join("\n"));
    assert_eq!((errors[0].kind, errors[0].file.as_str(), errors[0].path.as_str()), (kind, file, path), "{}", shown[0]);
}

fn delete_line(containing: &'static str) -> impl Fn(&str) -> String {
    move |text: &str| text.lines().filter(|l| !l.contains(containing)).map(|l| format!("{l}\n")).collect()
}

#[test]
fn the_wuxi_2021_ruleset_loads_as_read_here() {
    let files = wuxi_2021();
    assert!(files.len() >= 20, "{} files", files.len());
    Ruleset::from_files(files.iter().map(|(p, t)| (p.as_str(), t.as_str()))).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_duplicate_key_in_ruleset_toml_is_one_problem_not_405() {
    // Before: 405 problems, 404 of them `industry … is not in [industries]` for every occupation.
    let errors = problems_after("ruleset.toml", |t| {
        t.replacen("[limits]\n", "[limits]\nclaim_window_months = { value = 12, source = \"S45\" }\n", 1)
    });
    the_only_problem(&errors, RulesErrorKind::TomlSyntax, "ruleset.toml", "");
}

#[test]
fn a_missing_annual_limit_does_not_lose_the_shortage_table() {
    // Before: 4 problems, 3 of them "the uplift needs a [shortage] table" for the uplifted programs.
    let errors = problems_after("ruleset.toml", delete_line("annual_claims ="));
    the_only_problem(&errors, RulesErrorKind::MissingKey, "ruleset.toml", "limits.annual_claims");
}

#[test]
fn a_shortage_table_that_fails_is_not_reported_again_by_each_program() {
    let errors = problems_after("ruleset.toml", |t| t.replacen("rate = { value = \"0.30\"", "rate = { value = \"1.30\"", 1));
    the_only_problem(&errors, RulesErrorKind::RateOutOfRange, "ruleset.toml", "shortage.rate");
}

#[test]
fn a_broken_sources_file_is_one_problem_not_one_per_citation() {
    let errors = problems_after("sources.toml", |t| t.replacen("[sources.seed]", "[sources.seed", 1));
    the_only_problem(&errors, RulesErrorKind::TomlSyntax, "sources.toml", "");
}

#[test]
fn a_source_without_its_title_is_reported_where_it_is_defined_only() {
    // The seed plan is cited all over the ruleset; its one problem is in sources.toml.
    let errors = problems_after("sources.toml", delete_line("title = \"打造技能人才与产业发展深度融合示范城市工作方案\""));
    the_only_problem(&errors, RulesErrorKind::MissingKey, "sources.toml", "sources.seed.title");
}

#[test]
fn an_industry_that_fails_is_not_reported_again_by_its_occupations() {
    let errors = problems_after("ruleset.toml", |t| t.replacen("iot = { name_zh = \"物联网\",", "iot = { name_zh = 7,", 1));
    the_only_problem(&errors, RulesErrorKind::WrongType, "ruleset.toml", "industries.iot.name_zh");
}

#[test]
fn a_catalogue_version_that_fails_leaves_no_false_gap_or_unknown_codes() {
    // Q2 adds occupations that the shortage lists and institutions of Q2 name, and it sits
    // between Q1 and Q3: neither its codes nor the gap it leaves are problems of their own.
    let file = "catalogues/occupations/2021-q2.toml";
    let errors = problems_after(file, |t| t.replacen("effective_from = 2021-04-01", "effective_from = 2021-04-01 x", 1));
    the_only_problem(&errors, RulesErrorKind::TomlSyntax, file, "");
}

#[test]
fn a_broken_programs_file_is_not_reported_again_by_the_projects() {
    let errors = problems_after("programs.toml", |t| t.replacen("[programs.project]", "[programs.project", 1));
    the_only_problem(&errors, RulesErrorKind::TomlSyntax, "programs.toml", "");
}

#[test]
fn a_program_that_fails_is_not_reported_again_by_its_projects() {
    let errors = problems_after("programs.toml", |t| {
        t.replacen("kind = \"per_project\"\npayee = \"enterprise\"", "kind = \"per_project\"\npayee = \"employer\"", 1)
    });
    the_only_problem(&errors, RulesErrorKind::InvalidValue, "programs.toml", "programs.project.payee");
}

#[test]
fn independent_problems_are_all_still_reported() {
    // Two unrelated mistakes in two files: both, each once.
    let mut files = wuxi_2021();
    for (path, text) in &mut files {
        if path == "ruleset.toml" {
            *text = delete_line("annual_claims =")(text);
        } else if path == "projects.toml" {
            *text = text.replacen("program = \"project\"", "program = \"projekt\"", 1);
        }
    }
    let errors = Ruleset::from_files(files.iter().map(|(p, t)| (p.as_str(), t.as_str()))).unwrap_err().errors().to_vec();
    let kinds: Vec<(RulesErrorKind, &str)> = errors.iter().map(|e| (e.kind, e.path.as_str())).collect();
    assert_eq!(
        kinds,
        [(RulesErrorKind::MissingKey, "limits.annual_claims"), (RulesErrorKind::UnknownReference, "projects.XM2021-01.program")]
    );
}
