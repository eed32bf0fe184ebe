//! Kafka's default partitioner for keyed records: `toPositive(murmur2(keyBytes)) % partitions`,
//! with Kafka's 32-bit MurmurHash2 (seed `0x9747b28c`, little-endian 4-byte blocks, Java `int`
//! arithmetic). A request key is sent as its decimal string (what a `StringSerializer` makes of
//! a customer id such as `"42"`), so the partition of key 42 is the one a Java producer picks
//! for the record key `"42"`.

/// Kafka's `Utils.murmur2` of `data`, as the Java `int` it returns.
pub fn murmur2(data: &[u8]) -> i32 {
    const SEED: u32 = 0x9747_b28c;
    const M: u32 = 0x5bd1_e995;
    const R: u32 = 24;
    let mut h = SEED ^ data.len() as u32;
    let mut blocks = data.chunks_exact(4);
    for block in &mut blocks {
        let mut k = u32::from_le_bytes([block[0], block[1], block[2], block[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        // Kafka's switch falls through from the last byte to the first.
        for (i, &byte) in tail.iter().enumerate().rev() {
            h ^= u32::from(byte) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// The partition Kafka's default partitioner gives a record whose key is `key` written in
/// decimal, among `partitions` (at least 1).
pub fn partition_for_key(key: u64, partitions: u32) -> u32 {
    let text = key.to_string();
    // `Utils.toPositive`: clear the sign bit (not `abs`, which overflows at i32::MIN).
    let positive = (murmur2(text.as_bytes()) as u32) & 0x7fff_ffff;
    positive % partitions.max(1)
}

/// Kafka's `RangeAssignor` for one topic: with the consumers in order, consumer `i` gets
/// `partitions / consumers` consecutive partitions, one more for each of the first
/// `partitions % consumers`; consumers beyond the partition count get none. Returns each
/// partition's consumer.
pub fn range_assignment(partitions: u32, consumers: u32) -> Vec<u32> {
    let (p, c) = (partitions.max(1), consumers.max(1));
    let (share, extra) = (p / c, p % c);
    let mut owner = Vec::with_capacity(p as usize);
    for consumer in 0..c.min(p) {
        let count = share + u32::from(consumer < extra);
        owner.extend(std::iter::repeat_n(consumer, count as usize));
    }
    owner
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The RangeAssignor's documented example: 3 partitions, 2 consumers: C0 gets p0 and p1,
    /// C1 gets p2.
    #[test]
    fn range_assignment_matches_kafkas_documented_example() {
        assert_eq!(range_assignment(3, 2), vec![0, 0, 1]);
    }

    #[test]
    fn range_assignment_gives_the_first_consumers_the_remainder_and_idles_the_surplus() {
        // 10 partitions over 3 consumers: 4, 3, 3.
        assert_eq!(range_assignment(10, 3), vec![0, 0, 0, 0, 1, 1, 1, 2, 2, 2]);
        // 4 partitions over 6 consumers: one each, consumers 4 and 5 idle.
        assert_eq!(range_assignment(4, 6), vec![0, 1, 2, 3]);
        assert_eq!(range_assignment(8, 8), (0..8).collect::<Vec<_>>());
    }

    /// Kafka's own vectors (`UtilsTest.testMurmur2`).
    #[test]
    fn murmur2_matches_kafkas_published_vectors() {
        let vectors: [(&str, i32); 6] = [
            ("21", -973_932_308),
            ("foobar", -790_332_482),
            ("a-little-bit-long-string", -985_981_536),
            ("a-little-bit-longer-string", -1_486_304_829),
            (
                "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
                -58_897_971,
            ),
            ("abc", 479_470_107),
        ];
        for (text, expected) in vectors {
            assert_eq!(murmur2(text.as_bytes()), expected, "murmur2({text:?})");
        }
    }

    /// Vectors of decimal keys from a client that reproduces Kafka's hash (Akka's Kafka
    /// sharding tests), covering every tail length.
    #[test]
    fn murmur2_of_decimal_keys_matches_other_kafka_clients() {
        let vectors: [(&str, i32); 5] = [
            ("1", -1_993_445_489),
            ("12", 126_087_238),
            ("123", -267_702_483),
            ("1234", -1_614_185_708),
            ("12345", -1_188_365_604),
        ];
        for (text, expected) in vectors {
            assert_eq!(murmur2(text.as_bytes()), expected, "murmur2({text:?})");
        }
    }

    #[test]
    fn the_partition_is_the_positive_hash_modulo_the_partition_count() {
        // "21" hashes to -973932308: its low 31 bits are 1173551340.
        assert_eq!(partition_for_key(21, i32::MAX as u32), 1_173_551_340);
        assert_eq!(partition_for_key(21, 8), 1_173_551_340 % 8);
        // A negative hash whose low 31 bits are what counts, not its absolute value.
        let positive = (-1_993_445_489_i32 as u32) & 0x7fff_ffff;
        assert_eq!(positive, 154_038_159);
        assert_eq!(partition_for_key(1, 8), 7);
        assert_ne!(1_993_445_489 % 8, 7);
        assert!((0..1_000).all(|k| partition_for_key(k, 7) < 7));
    }
}
