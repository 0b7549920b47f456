//! A realistic year of claims for a ruleset (default: Wuxi 2021), generated deterministically:
//! the "realistic demo year" of SPEC §13's bars, written by `subsidy demo-data` and measured by
//! the benchmarks.
//!
//! The mix follows what a city's year looks like: most claims are certificate subsidies
//! (就业技能培训, 岗位技能提升, 技能提升补贴), then hires (岗前, 以工代训), online and project
//! training; persons come back for a higher level (and sometimes the same one), enterprises hire
//! through both 岗前 and 以工代训, some claims come in late or name an occupation or institution
//! the catalogue in force lacks. Occupations, levels, institutions and projects are drawn from the
//! ruleset's own catalogues for each claim's date, so the data stays valid as the rules change.
//!
//! Every draw is `uniform(stream, i, m)` of the counter-based SplitMix64 that workload W1 of the
//! anchor benchmarks also uses ([`draw`]), so the same options give the same data in any language.
//!
//! ```
//! use skill_subsidy_demo::{write_claim, Generator, Options, CSV_HEADER};
//! let rules = skill_subsidy::Ruleset::wuxi_2021().unwrap();
//! let year = Generator::new(&rules, Options { claims: 100, year: 2021 });
//! let mut csv = String::from(CSV_HEADER);
//! (0..100).for_each(|i| write_claim(&mut csv, &year.claim(i)));
//! assert_eq!(csv.lines().count(), 101);
//! ```

pub mod draw;
mod generator;
mod rows;

pub use generator::{Generator, Options};
pub use rows::{write_claim, write_history, APPLICATIONS_HEADER, CSV_HEADER, HISTORY_HEADER, OUTCOMES_HEADER};
