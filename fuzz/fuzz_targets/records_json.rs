#![no_main]
//! `cargo fuzz run records_json`: see fuzz/README.md and [skill_subsidy_fuzz::records_json].

libfuzzer_sys::fuzz_target!(|data: &[u8]| skill_subsidy_fuzz::records_json(data));
