#![no_main]
//! `cargo fuzz run claims_json`: see fuzz/README.md and [skill_subsidy_fuzz::claims_json].

libfuzzer_sys::fuzz_target!(|data: &[u8]| skill_subsidy_fuzz::claims_json(data));
