//! Per-claim assessment of workload W1, trace off and on (criterion).
//!
//! `cargo bench -p skill-subsidy-bench --bench assess`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use skill_subsidy::{Engine, Ruleset};
use skill_subsidy_bench as w1;
use std::hint::black_box;

const N: u64 = 100_000;

fn per_claim(c: &mut Criterion) {
    let engine = Engine::new(Ruleset::from_dir(w1::rules_dir()).expect("tests/bench/w1 loads"));
    let claims: Vec<_> = (0..N).map(w1::engine_claim).collect();
    let mut group = c.benchmark_group("w1_per_claim");
    group.throughput(Throughput::Elements(N));
    group.bench_function("trace_off", |b| {
        b.iter(|| claims.iter().map(|claim| engine.assess(black_box(claim)).amount).sum::<skill_subsidy::Decimal>())
    });
    group.sample_size(10);
    group.bench_function("trace_on", |b| {
        b.iter(|| claims.iter().map(|claim| engine.explain(black_box(claim)).amount).sum::<skill_subsidy::Decimal>())
    });
    group.finish();
}

fn ruleset_load(c: &mut Criterion) {
    c.bench_function("load_wuxi_2021", |b| b.iter(|| Engine::new(Ruleset::wuxi_2021().expect("embedded ruleset loads"))));
}

criterion_group!(benches, per_claim, ruleset_load);
criterion_main!(benches);
