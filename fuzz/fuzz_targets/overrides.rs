#![no_main]
//! `cargo fuzz run overrides`: see fuzz/README.md and [skill_subsidy_fuzz::overrides].

libfuzzer_sys::fuzz_target!(|data: &[u8]| skill_subsidy_fuzz::overrides(data));
