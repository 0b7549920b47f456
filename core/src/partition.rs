//! Which partition a person's records go to when a batch is split across machines (SPEC §11).
//!
//! Cross-claim checks need all of a person's claims, history and applications in one
//! partition, so a province-wide run partitions them by person. The bucket of a person is the
//! CRC-32 (IEEE, as zlib, Java's `java.util.zip.CRC32` and Spark SQL's `crc32` compute it) of
//! the person id as the engine reads it — trimmed, UTF-8 — modulo the number of buckets: a
//! stable function that any engine can compute, so data partitioned once (a Parquet data set
//! written by `subsidy demo-data --parts K`) is used as it is.

/// The bucket (`0..buckets`) of a person id; 0 when `buckets` is 0. An absent or blank id is
/// bucket 0 (such a claim is invalid and meets no other).
///
/// ```
/// use skill_subsidy::partition::person_bucket;
/// assert_eq!(person_bucket("P0000001", 8), person_bucket("  P0000001 ", 8));
/// assert_eq!(person_bucket("", 8), 0);
/// ```
#[must_use]
pub fn person_bucket(person_id: &str, buckets: u32) -> u32 {
    if buckets == 0 {
        return 0;
    }
    crc32fast::hash(person_id.trim().as_bytes()) % buckets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_is_zlibs_crc32_of_the_trimmed_id() {
        // Python's zlib, Java and Spark compute the same (py/tests/scale_out checks them).
        assert_eq!(crc32fast::hash(b"123456789"), 0xCBF4_3926); // the CRC-32 check value
        assert_eq!(person_bucket("\u{3000}P1\t", 1_000_003), person_bucket("P1", 1_000_003));
        assert!((0..1000).all(|i| person_bucket(&format!("P{i}"), 7) < 7));
    }
}
