//! Reading a ruleset folder from disk (feature `fs`, off by default so the core stays pure).

use super::{RulesError, RulesErrorKind, RulesErrors, Ruleset};
use std::path::Path;

impl Ruleset {
    /// Loads the ruleset in folder `dir` (its `.toml` files, recursively).
    ///
    /// Every problem of every file is reported together; an unreadable file is one of them.
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Ruleset, RulesErrors> {
        let dir = dir.as_ref();
        if !dir.is_dir() {
            let message = if dir.exists() { "this is a file, not a ruleset folder" } else { "there is no such folder" };
            return Err(RulesErrors(vec![RulesError {
                kind: RulesErrorKind::NotFound,
                file: dir.display().to_string(),
                path: String::new(),
                line: None,
                message: message.into(),
            }]));
        }
        let mut files = Vec::new();
        let mut errors = Vec::new();
        collect(dir, dir, &mut files, &mut errors);
        if !files.iter().any(|(p, _)| p.ends_with(".toml")) && errors.is_empty() {
            errors.push(io_error(dir, "no .toml files here: is this a ruleset folder?".into()));
        }
        if !errors.is_empty() {
            return Err(RulesErrors(errors));
        }
        let folder = dir.canonicalize().ok().and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
        let borrowed = files.iter().map(|(p, t)| (p.as_str(), t.as_str()));
        match folder {
            Some(folder) => Ruleset::from_named_files(&folder, borrowed),
            None => Ruleset::from_files(borrowed),
        }
    }
}

fn collect(base: &Path, dir: &Path, files: &mut Vec<(String, String)>, errors: &mut Vec<RulesError>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            errors.push(io_error(dir, format!("cannot read the folder: {e}")));
            return;
        }
    };
    let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect(base, &path, files, errors);
        } else {
            let relative = path.strip_prefix(base).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            if path.extension().is_some_and(|e| e == "toml") {
                match std::fs::read_to_string(&path) {
                    Ok(text) => files.push((relative, text)),
                    Err(e) => errors.push(io_error(&path, format!("cannot read the file: {e}"))),
                }
            } else {
                // The loader decides whether a file that is not .toml is a note or a mistake.
                files.push((relative, String::new()));
            }
        }
    }
}

fn io_error(path: &Path, message: String) -> RulesError {
    RulesError { kind: RulesErrorKind::Unreadable, file: path.display().to_string(), path: String::new(), line: None, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_folder_is_reported_as_missing_not_as_a_problem_in_the_rules() {
        let e = Ruleset::from_dir("/no/such/ruleset/folder").unwrap_err();
        assert_eq!(e.0.len(), 1);
        assert_eq!(e.0[0].kind, RulesErrorKind::NotFound);
        let shown = e.to_string();
        assert!(shown.starts_with("no ruleset folder at /no/such/ruleset/folder"), "{shown}");
        assert!(!shown.contains("problem in the rules"), "{shown}");
        assert_eq!(crate::Error::from(e).code(), "rules_not_found");
    }
}
