#![no_main]
//! `cargo fuzz run claims_csv`: see fuzz/README.md and [skill_subsidy_fuzz::claims_csv].

libfuzzer_sys::fuzz_target!(|data: &[u8]| skill_subsidy_fuzz::claims_csv(data));
