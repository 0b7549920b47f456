//! Timing of whole batches of N claims (default 1,000,000; median of runs) and their peak memory,
//! for reports (SPEC §13: peak RSS at 1M and 5M).
//!
//! `cargo run --release -p skill-subsidy-bench --bin batch-bench [-- --runs 5] [--n 5000000] [--only w1|w1-account|demo]`
//!
//! The per-claim checks run on every core (`Batch::add_all`, a block while the one before is added);
//! the cross-claim passes decide persons on every core too, and the account's pass 2 runs on one.
//!
//! Three workloads: W1 (one program, every person once: the per-claim work and the batch's
//! bookkeeping); W1 paid from a special account that runs out half way (the budget's global pass
//! and pass 3 on every claim after the closing point) and a demo year of the Wuxi 2021 rules (eight programs, repeat persons, history,
//! every cross-claim check, and a special account that runs out, so pass 3 re-decides persons).
//! Claims are built before timing ("prepare", as the anchors do); the timed part is
//! `Engine::assess_batch` from claims in memory to assessments and the report. Peak memory is
//! the process's high-water mark (`VmHWM` of `/proc/self/status`) after resetting it before the
//! timed runs, so it includes the claims held in memory; the bytes a claim above them are
//! `(peak - RSS before) / N`. Only on Linux: elsewhere the line says it was not measured.

use skill_subsidy::{Claim, Engine, HistoryRecord, Ruleset};
use skill_subsidy_bench::{engine_claim, rules_dir};
use skill_subsidy_demo as demo;
use std::time::Instant;

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// A `/proc/self/status` value in KiB (Linux); `None` elsewhere.
fn status_kib(key: &str) -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(key)).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()))
}

/// Peak memory as reported: MiB with the claims, and bytes a claim above them.
fn memory(base: Option<u64>, peak: Option<u64>, claims: usize) -> String {
    match (base, peak) {
        (Some(base), Some(peak)) => format!(
            "peak RSS {} MiB ({} MiB before: the claims in memory; {} bytes a claim above them)",
            peak / 1024,
            base / 1024,
            peak.saturating_sub(base) * 1024 / (claims.max(1) as u64)
        ),
        _ => "peak RSS not measured (it is read from /proc/self/status, on Linux only)".into(),
    }
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn run(name: &str, engine: &Engine, claims: &[Claim], history: &[HistoryRecord], runs: usize) {
    let base = status_kib("VmRSS:");
    reset_peak();
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..=runs {
        // The previous run's result goes first: peak memory is one run's.
        drop(last.take());
        let t = Instant::now();
        let result = match engine.assess_batch(claims, history) {
            Ok(result) => result,
            Err(e) => {
                eprintln!("{name}: {e}");
                std::process::exit(1);
            }
        };
        times.push(t.elapsed().as_secs_f64());
        last = Some(result);
    }
    times.remove(0);
    let peak = status_kib("VmHWM:");
    let Some(result) = last else { return };
    let r = &result.report;
    println!(
        "{name}: {} claims, median {:.3} s over {runs} runs ({:.2} M claims/s); {}; approved {} of {}, rejected {}, {} reasons{}",
        claims.len(),
        median(times.clone()),
        claims.len() as f64 / median(times) / 1e6,
        memory(base, peak, claims.len()),
        r.approved.count,
        r.claims,
        r.rejected,
        r.rejections.len(),
        r.accounts.values().find_map(|a| a.closed_in).map(|m| format!("; the account ran out in {m}")).unwrap_or_default()
    );
}

fn main() {
    let runs: usize = std::env::args().skip_while(|a| a != "--runs").nth(1).and_then(|v| v.parse().ok()).unwrap_or(5);
    let n: u64 = std::env::args().skip_while(|a| a != "--n").nth(1).and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(1_000_000);
    let which = std::env::args().skip_while(|a| a != "--only").nth(1).unwrap_or_default();

    if which.is_empty() || which == "w1" {
        let engine = Engine::new(Ruleset::from_dir(rules_dir()).unwrap_or_else(|e| panic!("{e}")));
        let t = Instant::now();
        let claims: Vec<Claim> = (0..n).map(engine_claim).collect();
        println!("prepare W1: {n} claims in {:.2} s", t.elapsed().as_secs_f64());
        run("batch W1", &engine, &claims, &[], runs);
    }
    if which.is_empty() || which == "w1-account" {
        // W1 paid from a special account of 700 million: at 1M it closes about half way through the
        // queue (W1 totals 1,418 million), so pass 3 refuses the second half.
        let mut files: Vec<(String, String)> = Vec::new();
        let mut stack = vec![rules_dir()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if let (Ok(rel), Ok(text)) = (path.strip_prefix(rules_dir()), std::fs::read_to_string(&path)) {
                    files.push((rel.to_string_lossy().replace('\\', "/"), text));
                }
            }
        }
        for (path, text) in &mut files {
            if path == "programs.toml" {
                *text = text.replace("fund = \"employment_fund\"", "fund = \"special_account\"");
            } else if path == "ruleset.toml" {
                text.push_str(
                    "\n[accounts.w1]\nname_zh = \"W1 专账\"\nname_en = \"W1 account\"\nfund = \"special_account\"\n\
                     effective_from = 2021-01-01\neffective_to = 2021-12-31\nopening_balance = { value = \"700000000.00\", source = \"w1\" }\n\
                     closes_when_spent = { value = true, source = \"w1\" }\n",
                );
            }
        }
        let rules = Ruleset::from_files(files.iter().filter(|(p, _)| p.ends_with(".toml")).map(|(p, t)| (p.as_str(), t.as_str())))
            .unwrap_or_else(|e| panic!("{e}"));
        let engine = Engine::new(rules);
        let claims: Vec<Claim> = (0..n).map(engine_claim).collect();
        run("batch W1 on a special account that runs out (half way at 1M)", &engine, &claims, &[], runs);
    }
    if which.is_empty() || which == "demo" {
        let rules = Ruleset::wuxi_2021().unwrap_or_else(|e| panic!("{e}"));
        let generator = demo::Generator::new(&rules, demo::Options { claims: n, year: 2021 });
        let t = Instant::now();
        let claims: Vec<Claim> = (0..n).map(|i| generator.claim(i)).collect();
        let history = generator.history();
        println!("prepare demo: {n} claims and {} history records in {:.2} s", history.len(), t.elapsed().as_secs_f64());
        // The account as a bureau whose money runs out would run it (资金用完即止): the illustrative
        // balance of 500,000,000.00 closes it part of the way through a million claims.
        let closing = skill_subsidy::Overrides::from_json_str(r#"{"accounts.wuxi-2021.closes_when_spent": "true"}"#).unwrap_or_default();
        let engine = Engine::new(rules).with_overrides(&closing).unwrap_or_else(|e| panic!("{e}"));
        run("batch demo-2021 (all checks, the account runs out)", &engine, &claims, &history, runs);
    }
}
