//! W1 as a table of columns through `Engine::assess_table` (the path of a data frame from
//! Python), without Python: where the time of a table goes.
//!
//!     [RUNS=7] cargo run --release -p skill-subsidy-bench --bin table-bench [-- N]

use skill_subsidy::{ClaimColumn, ClaimTable, ColumnCell, CompactString, Engine, Field, FieldMode, RawRef, Ruleset};
use skill_subsidy_bench as w1;
use std::time::Instant;

/// Text laid out as Arrow lays it out: one buffer and offsets.
struct Texts {
    offsets: Vec<usize>,
    bytes: String,
}

impl Texts {
    fn new(values: impl Iterator<Item = String>) -> Texts {
        let (mut offsets, mut bytes) = (vec![0], String::new());
        for v in values {
            bytes.push_str(&v);
            offsets.push(bytes.len());
        }
        Texts { offsets, bytes }
    }
}

impl ClaimColumn for Texts {
    fn cell(&self, row: usize, _: &mut CompactString) -> ColumnCell<'_> {
        let text = self.bytes.get(self.offsets[row]..self.offsets[row + 1]).unwrap_or_default();
        ColumnCell::Value(RawRef::Text(text))
    }

    /// One text repeated: offsets a constant step apart over bytes that repeat with that step.
    fn same_text(&self, rows: std::ops::Range<usize>) -> Option<&str> {
        let offsets = self.offsets.get(rows.start..=rows.end)?;
        let (first, step) = (*offsets.first()?, offsets.get(1)? - offsets.first()?);
        let regular = offsets.iter().enumerate().fold(true, |ok, (i, &o)| ok & (o == first + i * step));
        let bytes = self.bytes.as_bytes().get(first..*offsets.last()?)?;
        (regular && bytes.get(step..)? == bytes.get(..bytes.len() - step)?).then(|| self.bytes.get(first..first + step)).flatten()
    }

    fn texts<'s>(&'s self, rows: std::ops::Range<usize>, out: &mut Vec<&'s str>) -> bool {
        out.extend(self.offsets[rows.start..=rows.end].windows(2).map(|w| self.bytes.get(w[0]..w[1]).unwrap_or_default()));
        true
    }
}

struct Ints(Vec<i64>);
impl ClaimColumn for Ints {
    fn cell(&self, row: usize, scratch: &mut CompactString) -> ColumnCell<'_> {
        scratch.clear();
        scratch.push_str(&self.0[row].to_string());
        ColumnCell::Number
    }
    fn integer(&self, row: usize) -> Option<i64> {
        Some(self.0[row])
    }

    fn integers(&self, rows: std::ops::Range<usize>, out: &mut Vec<i64>) -> bool {
        out.extend_from_slice(&self.0[rows]);
        true
    }
}

struct Fen(Vec<i64>);
impl ClaimColumn for Fen {
    fn cell(&self, row: usize, scratch: &mut CompactString) -> ColumnCell<'_> {
        scratch.clear();
        scratch.push_str(&format!("{}.{:02}", self.0[row] / 100, self.0[row] % 100));
        ColumnCell::Number
    }
    fn fen(&self, row: usize) -> Option<i64> {
        Some(self.0[row])
    }

    fn fens(&self, rows: std::ops::Range<usize>, out: &mut Vec<i64>) -> bool {
        out.extend_from_slice(&self.0[rows]);
        true
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u64 = std::env::args().nth(1).map(|a| a.parse()).transpose()?.unwrap_or(1_000_000);
    let engine = Engine::new(Ruleset::from_dir(w1::rules_dir())?);
    let claims: Vec<w1::W1Claim> = (0..n).map(w1::claim).collect();
    let ids = Ints(claims.iter().map(|c| c.person_id as i64).collect());
    let persons = Ints(claims.iter().map(|c| c.person_id as i64).collect());
    let occupations = Texts::new(claims.iter().map(|c| w1::occupation_code(c.occupation)));
    let levels = Texts::new(claims.iter().map(|c| c.level.to_string()));
    let fees = Fen(claims.iter().map(|c| c.fee_fen).collect());
    let constant = |s: &str| Texts::new((0..n).map(|_| s.to_string()));
    let (program, event, applied) = (constant("w1"), constant("2021-06-01"), constant("2021-06-15"));
    let mut table = ClaimTable::new(Vec::new());
    let columns: [(Field, &dyn ClaimColumn); 8] = [
        (Field::ClaimId, &ids),
        (Field::PersonId, &persons),
        (Field::Program, &program),
        (Field::Occupation, &occupations),
        (Field::Level, &levels),
        (Field::EventDate, &event),
        (Field::AppliedOn, &applied),
        (Field::FeePaid, &fees),
    ];
    table.push_chunk(n as usize, columns);
    let expect: i64 = claims.iter().map(w1::reference_fen).sum();
    let mut times = Vec::new();
    for _ in 0..std::env::var("RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(7) {
        let t = Instant::now();
        let result = engine.assess_table(&table, FieldMode::Lenient);
        times.push(t.elapsed().as_secs_f64());
        let total: i64 = result.fen().iter().sum();
        assert_eq!(total, expect, "total");
        assert!(result.outcomes().len() < 10_000, "{} shapes: the table went row by row", result.outcomes().len());
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!("W1 table, N = {n}: median {median:.4} s ({:.1} M claims/s), best {:.4} s", n as f64 / median / 1e6, times[0]);
    Ok(())
}
