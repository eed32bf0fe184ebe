//! Which database shard owns a key.
//!
//! API (one map per database node, built once):
//! ```text
//! let map = ShardMap::new(&params.sharding, params.shards, key_distribution.count);
//! let shard: u32 = map.shard_of(key); // in 0..shards
//! ```
//! A map with 0 shards behaves as one with 1 (every key in shard 0).
//!
//! Schemes, and what they teach:
//! - **Hash**: `key_hash(key) mod shards` with the fixed [`key_hash`]. Spreads any key set
//!   evenly, hot keys included, but changing the shard count moves almost every key
//!   (`n/(n+1)` of them going from n to n+1 shards). O(1).
//! - **Range**: shard `i` owns keys `[⌈i·K/n⌉, ⌈(i+1)·K/n⌉)` of the key space `0..K`
//!   (computed as `key·n / K` in 128-bit integers, so boundaries are exact); keys at or beyond
//!   `K` go to the last shard. Range scans stay on one shard, but when popularity follows key
//!   order (low keys hottest, as with Zipf ranks) the first shard runs hot. O(1).
//! - **Consistent hash**: a [`HashRing`] with `virtual_nodes` points per shard; a key belongs to
//!   the first point clockwise from its hash. Going from n to n+1 shards moves only about
//!   `1/(n+1)` of keys, all to the new shard. O(log(n·vnodes)).

use archsim_model::design::Sharding;

use crate::policy::hash::{HashRing, key_hash};

#[derive(Debug, Clone)]
pub struct ShardMap {
    shards: u32,
    scheme: Scheme,
}

#[derive(Debug, Clone)]
enum Scheme {
    Hash,
    Range { key_space: u64 },
    Ring(HashRing),
}

impl ShardMap {
    /// A map of keys `0..key_space` (the client's key count; only range sharding uses it) onto
    /// `shards` shards.
    pub fn new(sharding: &Sharding, shards: u32, key_space: u64) -> ShardMap {
        let shards = shards.max(1);
        let scheme = match *sharding {
            Sharding::Hash => Scheme::Hash,
            Sharding::Range => Scheme::Range { key_space },
            Sharding::ConsistentHash { virtual_nodes } => {
                Scheme::Ring(HashRing::new(shards, virtual_nodes))
            }
        };
        ShardMap { shards, scheme }
    }

    /// Number of shards (at least 1).
    pub fn shards(&self) -> u32 {
        self.shards
    }

    /// The shard that owns `key`, in `0..shards()`.
    pub fn shard_of(&self, key: u64) -> u32 {
        match &self.scheme {
            Scheme::Hash => (key_hash(key) % u64::from(self.shards)) as u32,
            Scheme::Range { key_space } => {
                if key >= *key_space {
                    self.shards - 1
                } else {
                    // Exact in 64 bits whenever the product fits, which is every realistic key
                    // space; a 128-bit division is a slow software routine (most of all in WASM).
                    match key.checked_mul(u64::from(self.shards)) {
                        Some(product) => (product / *key_space) as u32,
                        None => {
                            (u128::from(key) * u128::from(self.shards) / u128::from(*key_space))
                                as u32
                        }
                    }
                }
            }
            Scheme::Ring(ring) => ring.owner(key_hash(key), |_| true).unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(map: &ShardMap, keys: u64) -> Vec<u32> {
        let mut counts = vec![0u32; map.shards() as usize];
        for key in 0..keys {
            counts[map.shard_of(key) as usize] += 1;
        }
        counts
    }

    #[test]
    fn hash_sharding_balances_keys() {
        let map = ShardMap::new(&Sharding::Hash, 8, 80_000);
        for c in counts(&map, 80_000) {
            // Binomial standard deviation ≈ 94; allow 5σ.
            assert!((9_530..10_470).contains(&c), "{c}");
        }
    }

    #[test]
    fn consistent_hash_sharding_balances_keys_with_many_virtual_nodes() {
        let map = ShardMap::new(&Sharding::ConsistentHash { virtual_nodes: 200 }, 8, 0);
        for c in counts(&map, 80_000) {
            assert!((7_500..12_500).contains(&c), "{c}");
        }
    }

    #[test]
    fn range_sharding_boundaries_are_exact() {
        let map = ShardMap::new(&Sharding::Range, 3, 100);
        let owners: Vec<u32> = [0, 33, 34, 66, 67, 99].map(|k| map.shard_of(k)).to_vec();
        assert_eq!(owners, vec![0, 0, 1, 1, 2, 2]);
        assert_eq!(counts(&map, 100), vec![34, 33, 33]);
        assert_eq!(
            map.shard_of(100),
            2,
            "keys past the key space go to the last shard"
        );
        assert_eq!(map.shard_of(u64::MAX), 2);
        let even = ShardMap::new(&Sharding::Range, 4, 1_000);
        assert_eq!(counts(&even, 1_000), vec![250; 4]);
        assert_eq!(even.shard_of(249), 0);
        assert_eq!(even.shard_of(250), 1);
    }

    #[test]
    fn range_sharding_handles_huge_key_spaces_without_overflow() {
        let map = ShardMap::new(&Sharding::Range, 10, u64::MAX);
        assert_eq!(map.shard_of(u64::MAX - 1), 9);
        assert_eq!(map.shard_of(u64::MAX / 2), 4);
    }

    fn moved_fraction(sharding: &Sharding, from: u32, to: u32) -> (f64, bool) {
        let before = ShardMap::new(sharding, from, 10_000);
        let after = ShardMap::new(sharding, to, 10_000);
        let moved: Vec<u64> = (0..10_000)
            .filter(|&k| before.shard_of(k) != after.shard_of(k))
            .collect();
        let only_to_new = moved.iter().all(|&k| after.shard_of(k) >= from);
        (moved.len() as f64 / 10_000.0, only_to_new)
    }

    #[test]
    fn consistent_hash_moves_about_one_nth_when_a_shard_is_added() {
        let (fraction, only_to_new) =
            moved_fraction(&Sharding::ConsistentHash { virtual_nodes: 160 }, 4, 5);
        assert!((0.15..0.25).contains(&fraction), "moved {fraction}");
        assert!(only_to_new, "keys move only to the new shard");
    }

    #[test]
    fn hash_mod_n_moves_most_keys_when_a_shard_is_added() {
        // The contrast that motivates consistent hashing: n/(n+1) = 80% move.
        let (fraction, _) = moved_fraction(&Sharding::Hash, 4, 5);
        assert!((0.75..0.85).contains(&fraction), "moved {fraction}");
    }

    #[test]
    fn zero_shards_means_one() {
        for sharding in [
            Sharding::Hash,
            Sharding::Range,
            Sharding::ConsistentHash { virtual_nodes: 0 },
        ] {
            let map = ShardMap::new(&sharding, 0, 0);
            assert_eq!(map.shards(), 1);
            assert_eq!(map.shard_of(12345), 0, "{sharding:?}");
        }
    }
}
