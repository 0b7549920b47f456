//! Embeds the rulesets of `../rules/` (every folder with a `ruleset.toml`) into the library, so
//! that `Ruleset::wuxi_2021()` needs no file system: it works the same in a CLI, a Python
//! wheel and a browser.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

/// The default ruleset comes first.
const DEFAULT: &str = "wuxi-2021";

fn toml_files(dir: &Path, base: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            toml_files(&path, base, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            let relative = path.strip_prefix(base).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            out.push((relative, path));
        }
    }
}

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let rules = manifest.join("..").join("rules");
    println!("cargo:rerun-if-changed={}", rules.display());

    let mut rulesets: Vec<(String, PathBuf)> = fs::read_dir(&rules)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.join("ruleset.toml").is_file())
                .map(|p| (p.file_name().unwrap_or_default().to_string_lossy().into_owned(), p))
                .collect()
        })
        .unwrap_or_default();
    rulesets.sort_by_key(|(id, _)| (id != DEFAULT, id.clone()));

    let mut code = String::from("&[\n");
    for (id, dir) in &rulesets {
        let mut files = Vec::new();
        toml_files(dir, dir, &mut files);
        let _ = writeln!(code, "    ({id:?}, &[");
        for (relative, path) in &files {
            println!("cargo:rerun-if-changed={}", path.display());
            let _ = writeln!(code, "        ({relative:?}, include_str!({:?})),", path.display().to_string());
        }
        code.push_str("    ]),\n");
        let _ = fs::read_dir(dir).map(|_| println!("cargo:rerun-if-changed={}", dir.display()));
        for sub in ["catalogues"] {
            let catalogues = dir.join(sub);
            if let Ok(entries) = fs::read_dir(&catalogues) {
                println!("cargo:rerun-if-changed={}", catalogues.display());
                for entry in entries.filter_map(Result::ok) {
                    println!("cargo:rerun-if-changed={}", entry.path().display());
                }
            }
        }
    }
    code.push(']');
    let out = PathBuf::from(env::var("OUT_DIR").unwrap_or_default()).join("embedded_rulesets.rs");
    if let Err(e) = fs::write(&out, code) {
        println!("cargo:warning=could not write {}: {e}", out.display());
    }
}
