//! Writes W1 claims as CSV, and (with `--rules DIR`) the W1 catalogue files of the ruleset.
//!
//! ```text
//! cargo run --release -p skill-subsidy-bench --bin w1-gen -- --n 1000000 --out w1.csv
//! cargo run -p skill-subsidy-bench --bin w1-gen -- --rules tests/bench/w1
//! ```

use std::io::Write;
use std::path::PathBuf;

fn main() {
    let mut n: u64 = 1_000_000;
    let mut out: Option<PathBuf> = None;
    let mut rules: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--n" => n = args.next().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or_else(|| usage()),
            "--out" => out = args.next().map(PathBuf::from),
            "--rules" => rules = args.next().map(PathBuf::from),
            _ => usage(),
        }
    }
    if let Some(dir) = rules {
        for (file, text) in [
            ("catalogues/occupations/w1.toml", skill_subsidy_bench::occupations_toml()),
            ("catalogues/shortage/w1.toml", skill_subsidy_bench::shortage_toml()),
        ] {
            let path = dir.join(file);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).unwrap_or_else(|e| fail(&format!("{}: {e}", parent.display())));
            }
            std::fs::write(&path, text).unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())));
        }
    }
    if let Some(path) = out {
        let file = std::fs::File::create(&path).unwrap_or_else(|e| fail(&format!("{}: {e}", path.display())));
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        let mut chunk = String::from(skill_subsidy_bench::CSV_HEADER);
        for i in 0..n {
            skill_subsidy_bench::write_csv_row(&mut chunk, i);
            if chunk.len() > 1 << 20 {
                w.write_all(chunk.as_bytes()).unwrap_or_else(|e| fail(&e.to_string()));
                chunk.clear();
            }
        }
        w.write_all(chunk.as_bytes()).and_then(|()| w.flush()).unwrap_or_else(|e| fail(&e.to_string()));
    }
}

fn usage() -> ! {
    eprintln!("usage: w1-gen [--n N] [--out CLAIMS.csv] [--rules RULESET_DIR]");
    std::process::exit(2)
}

fn fail(message: &str) -> ! {
    eprintln!("w1-gen: {message}");
    std::process::exit(1)
}
