//! Replays the committed corpus of every target through the same functions the fuzz targets
//! call, on stable Rust: `cargo test --manifest-path fuzz/Cargo.toml --no-default-features`.
//! `cargo fuzz run` replays it too before it fuzzes (scripts/test-all).

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target);
    let mut inputs = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a corpus entry").path();
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        run(&data);
        inputs += 1;
    }
    assert!(inputs > 0, "{}: the corpus is empty", dir.display());
}

#[test]
fn claims_json_corpus() {
    replay("claims_json", skill_subsidy_fuzz::claims_json);
}

#[test]
fn claims_csv_corpus() {
    replay("claims_csv", skill_subsidy_fuzz::claims_csv);
}

#[test]
fn records_json_corpus() {
    replay("records_json", skill_subsidy_fuzz::records_json);
}

#[test]
fn rules_toml_corpus() {
    replay("rules_toml", skill_subsidy_fuzz::rules_toml);
}

#[test]
fn overrides_corpus() {
    replay("overrides", skill_subsidy_fuzz::overrides);
}
