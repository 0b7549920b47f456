#![no_main]
//! `cargo fuzz run rules_toml`: see fuzz/README.md and [skill_subsidy_fuzz::rules_toml].

libfuzzer_sys::fuzz_target!(|data: &[u8]| skill_subsidy_fuzz::rules_toml(data));
