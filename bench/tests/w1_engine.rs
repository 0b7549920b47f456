//! The engine on workload W1 gives the anchors' results, claim by claim and in total.

use sha2::{Digest, Sha256};
use skill_subsidy::{Engine, Ruleset, Status};
use skill_subsidy_bench as w1;

fn engine() -> Engine {
    Engine::new(Ruleset::from_dir(w1::rules_dir()).unwrap_or_else(|e| panic!("{e}")))
}

#[test]
fn the_committed_w1_catalogues_are_what_the_generator_writes() {
    let dir = w1::rules_dir();
    let occupations = std::fs::read_to_string(dir.join("catalogues/occupations/w1.toml")).unwrap();
    let shortage = std::fs::read_to_string(dir.join("catalogues/shortage/w1.toml")).unwrap();
    assert_eq!(occupations, w1::occupations_toml());
    assert_eq!(shortage, w1::shortage_toml());
}

#[test]
fn the_generated_claims_are_bit_identical_to_the_anchors_data() {
    // w1_data.py --fingerprint: sha256 of "person_id,occupation,level,fee_paid" CSV at N = 1M.
    let mut hash = Sha256::new();
    hash.update(b"person_id,occupation,level,fee_paid\n");
    let mut row = String::new();
    for i in 0..1_000_000 {
        let c = w1::claim(i);
        row.clear();
        use std::fmt::Write;
        let _ =
            writeln!(row, "{},{},{},{}.{:02}", c.person_id, w1::occupation_code(c.occupation), c.level, c.fee_fen / 100, c.fee_fen % 100);
        hash.update(row.as_bytes());
    }
    let hex: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex, "b5a4cc764815f4244ae143804bdeb6536232f918e59f76058514f34e5aa3a6df");
}

#[test]
fn every_w1_claim_matches_the_reference_and_the_total_is_the_anchors_to_the_fen() {
    let engine = engine();
    let mut total = skill_subsidy::Decimal::ZERO;
    for i in 0..1_000_000 {
        let a = engine.assess(&w1::engine_claim(i));
        assert_eq!(a.status, Status::Approved, "claim {i}");
        let fen = w1::reference_fen(&w1::claim(i));
        assert_eq!(a.amount, skill_subsidy::Decimal::new(fen, 2), "claim {i}");
        total += a.amount;
    }
    assert_eq!(total, skill_subsidy::Decimal::new(w1::TOTAL_FEN_1M, 2));
    assert_eq!(total.to_string(), "1418059288.84");
}
