//! A fixed amount of per-claim work for instruction-count profiling (valgrind --tool=callgrind).
use skill_subsidy::{Decimal, Engine, Ruleset};
use skill_subsidy_bench as w1;

fn main() {
    let engine = Engine::new(Ruleset::from_dir(w1::rules_dir()).expect("W1 rules load"));
    let claims: Vec<_> = (0..100_000).map(w1::engine_claim).collect();
    let total: Decimal = claims.iter().map(|c| engine.assess(c).amount).sum();
    println!("{total}");
}
