//! The counter-based draws of the generated workloads (SPEC §13): SplitMix64 over a seed, a stream
//! and a counter, the hash of the shared anchor benchmarks' W1 generator
//! (`shared/bench/anchors/w1_data.py`). Draw `i` of a stream needs no other draw, so the same data
//! comes out in any language, in any order and on any number of threads. The demo year uses
//! streams 101 and up; W1 (the bench crate) streams 1–4.

/// The generators' seed (`SEED` in w1_data.py).
pub const SEED: u64 = 20_250_601;

fn mix64(mut z: u64) -> u64 {
    z ^= z >> 30;
    z = z.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z ^= z >> 27;
    z = z.wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Draw `i` of `stream`: 64 random bits.
#[must_use]
pub fn draw(stream: u64, i: u64) -> u64 {
    mix64(SEED.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(stream.wrapping_mul(0xD1B5_4A32_D192_ED03)).wrapping_add(i))
}

/// `((draw >> 32) * m) >> 32`: an integer in `0..m`.
#[must_use]
pub fn uniform(stream: u64, i: u64, m: u64) -> u64 {
    ((draw(stream, i) >> 32) * m) >> 32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_stay_in_range_and_depend_on_stream_and_counter() {
        assert!((0..1_000).all(|i| uniform(7, i, 13) < 13));
        assert_ne!(draw(1, 0), draw(2, 0));
        assert_ne!(draw(1, 0), draw(1, 1));
        assert_eq!(uniform(1, 5, 1), 0);
    }
}
