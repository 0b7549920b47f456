//! Plain timing of W1 per-claim assessment at N = 1,000,000 (median of runs), for reports.
//!
//! `cargo run --release -p skill-subsidy-bench --bin w1-bench [-- --runs 5]`
//!
//! Prints claims per second with the trace off and on, and the time to load and compile the
//! default ruleset, and checks the total against the anchors' 1,418,059,288.84 yuan.

use skill_subsidy::{Decimal, Engine, Ruleset};
use skill_subsidy_bench as w1;
use std::time::Instant;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    let runs: usize = std::env::args().skip_while(|a| a != "--runs").nth(1).and_then(|v| v.parse().ok()).unwrap_or(5);
    let n = 1_000_000u64;
    let engine = Engine::new(Ruleset::from_dir(w1::rules_dir()).unwrap_or_else(|e| panic!("{e}")));
    let t = Instant::now();
    let claims: Vec<_> = (0..n).map(w1::engine_claim).collect();
    println!("prepare: {n} claims built in {:.3} s (not timed below)", t.elapsed().as_secs_f64());

    let mut times = Vec::new();
    let mut total = Decimal::ZERO;
    for _ in 0..=runs {
        let t = Instant::now();
        total = claims.iter().map(|c| engine.assess(c).amount).sum();
        times.push(t.elapsed().as_secs_f64());
    }
    times.remove(0); // warm-up
    let off = median(times);
    assert_eq!(total, Decimal::new(w1::TOTAL_FEN_1M, 2), "W1 total differs from the anchors");
    println!(
        "trace off: median {off:.4} s over {runs} runs = {:.1} M claims/s (total {total} yuan, equal to the anchors)",
        n as f64 / off / 1e6
    );

    if std::env::var_os("W1_TRACE_OFF_ONLY").is_some() {
        return;
    }
    let sample = &claims[..200_000];
    let mut times = Vec::new();
    for _ in 0..=runs.min(3) {
        let t = Instant::now();
        let s: Decimal = sample.iter().map(|c| engine.explain(c).amount).sum();
        std::hint::black_box(s);
        times.push(t.elapsed().as_secs_f64());
    }
    times.remove(0);
    let on = median(times);
    println!("trace on:  {:.2} M claims/s ({:.2} µs per explained claim)", sample.len() as f64 / on / 1e6, on / sample.len() as f64 * 1e6);

    let mut loads = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        std::hint::black_box(Engine::new(Ruleset::wuxi_2021().unwrap_or_else(|e| panic!("{e}"))));
        loads.push(t.elapsed().as_secs_f64());
    }
    println!("load + validate + compile wuxi-2021: median {:.2} ms", median(loads) * 1e3);
}
