//! **Jump consistent hash** (Lamping & Veach, "A Fast, Minimal Memory, Consistent Hash
//! Algorithm", 2014): shards numbered `0..n`, no table; the key's 64 bits seed a linear
//! congruential generator whose jumps decide, for each shard count, whether the key moves to
//! the newest shard. Going from n to n+1 shards moves exactly the keys that land on shard n —
//! `1/(n+1)` of them — and no other. O(ln n). Shards can only be added or removed at the end,
//! which is what resharding a database does.

use super::Scheme;
use crate::policy::hash::key_hash;

#[derive(Debug, Clone, Default)]
pub struct Jump;

/// The paper's `JumpConsistentHash(key, num_buckets)`, step for step. The division is in
/// `f64`, which is IEEE-exact on every platform, so WASM agrees with native.
pub fn jump_consistent_hash(mut key: u64, buckets: u32) -> u32 {
    let mut bucket: i64 = -1;
    let mut next: i64 = 0;
    while next < i64::from(buckets) {
        bucket = next;
        key = key.wrapping_mul(2_862_933_555_777_941_757).wrapping_add(1);
        next = ((bucket + 1) as f64 * ((1u64 << 31) as f64 / ((key >> 33) + 1) as f64)) as i64;
    }
    bucket.max(0) as u32
}

impl Scheme for Jump {
    fn shard_of(&self, key: u64, shards: u32) -> u32 {
        // Request keys are small integers (ranks); hashing first spreads them, as the paper
        // expects of its input.
        jump_consistent_hash(key_hash(key), shards)
    }
}

#[cfg(test)]
mod tests {
    use archsim_model::design::Sharding;

    use super::super::ShardMap;
    use super::super::tests::moved_fraction;
    use super::*;

    /// Buckets from the paper's C++ (compiled with g++ 12) for these keys and bucket counts.
    const BUCKETS: [u32; 8] = [1, 2, 5, 10, 100, 1_000, 65_536, 1 << 30];
    const REFERENCE: [(u64, [u32; 8]); 8] = [
        (0, [0, 0, 0, 0, 0, 0, 0, 0]),
        (1, [0, 0, 0, 6, 55, 549, 21_134, 262_355_607]),
        (2, [0, 0, 3, 6, 62, 338, 3_927, 736_532_115]),
        (0xDEAD_BEEF, [0, 1, 3, 5, 87, 285, 64_244, 212_786_410]),
        (
            0x0123_4567_89AB_CDEF,
            [0, 0, 0, 0, 57, 194, 33_301, 283_345_499],
        ),
        (u64::MAX, [0, 1, 2, 9, 92, 313, 18_311, 699_554_662]),
        (
            1_234_567_890_123,
            [0, 0, 3, 3, 34, 560, 45_133, 672_846_944],
        ),
        (42, [0, 1, 2, 2, 43, 571, 5_747, 124_795_770]),
    ];

    #[test]
    fn jump_hash_matches_the_papers_reference_code() {
        for (key, expected) in REFERENCE {
            let got = BUCKETS.map(|n| jump_consistent_hash(key, n));
            assert_eq!(got, expected, "key {key:#x}");
        }
    }

    #[test]
    fn jump_hash_moves_exactly_the_new_shards_keys() {
        for n in 1..40u32 {
            for key in 0..2_000u64 {
                let before = jump_consistent_hash(key_hash(key), n);
                let after = jump_consistent_hash(key_hash(key), n + 1);
                assert!(
                    after == before || after == n,
                    "key {key}: {before} → {after}"
                );
            }
        }
        let (fraction, only_to_new) = moved_fraction(&Sharding::Jump, 4, 5);
        // 1/5 of 10000 keys: σ = 40; allow 5σ.
        assert!((0.18..0.22).contains(&fraction), "moved {fraction}");
        assert!(only_to_new);
    }

    #[test]
    fn jump_hash_balances_keys() {
        let map = ShardMap::new(&Sharding::Jump, 8, 0, "db");
        let counts = super::super::tests::counts(&map, 80_000);
        for c in counts {
            assert!((9_530..10_470).contains(&c), "{c}");
        }
    }
}
