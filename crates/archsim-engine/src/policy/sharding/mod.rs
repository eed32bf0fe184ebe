//! Which database shard owns a key.
//!
//! API (one map per database node, built once):
//! ```text
//! let map = ShardMap::new(&params.sharding, params.shards, key_distribution.count);
//! let shard: u32 = map.shard_of(key); // in 0..shards
//! ```
//! A map with 0 shards behaves as one with 1 (every key in shard 0).
//!
//! Schemes, one file each ([`modulo`], [`range`], [`consistent_hash`]), each a [`Scheme`];
//! adding one is a file here and its line in [`Partition`] (and the model's `Sharding`). What
//! they teach:
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

pub mod consistent_hash;
pub mod modulo;
pub mod range;

use archsim_model::design::Sharding;

/// One way of mapping keys onto `shards` shards.
pub trait Scheme {
    /// The shard that owns `key`, in `0..shards`.
    fn shard_of(&self, key: u64, shards: u32) -> u32;
}

/// The closed set of schemes; one variant per file.
#[derive(Debug, Clone)]
pub enum Partition {
    Modulo(modulo::Modulo),
    Range(range::Range),
    ConsistentHash(consistent_hash::ConsistentHash),
}

#[derive(Debug, Clone)]
pub struct ShardMap {
    shards: u32,
    partition: Partition,
}

impl ShardMap {
    /// A map of keys `0..key_space` (the client's key count; only range sharding uses it) onto
    /// `shards` shards.
    pub fn new(sharding: &Sharding, shards: u32, key_space: u64) -> ShardMap {
        let shards = shards.max(1);
        let partition = match *sharding {
            Sharding::Hash => Partition::Modulo(modulo::Modulo),
            Sharding::Range => Partition::Range(range::Range::new(key_space)),
            Sharding::ConsistentHash { virtual_nodes } => Partition::ConsistentHash(
                consistent_hash::ConsistentHash::new(shards, virtual_nodes),
            ),
        };
        ShardMap { shards, partition }
    }

    /// Number of shards (at least 1).
    pub fn shards(&self) -> u32 {
        self.shards
    }

    /// The shard that owns `key`, in `0..shards()`.
    pub fn shard_of(&self, key: u64) -> u32 {
        match &self.partition {
            Partition::Modulo(scheme) => scheme.shard_of(key, self.shards),
            Partition::Range(scheme) => scheme.shard_of(key, self.shards),
            Partition::ConsistentHash(scheme) => scheme.shard_of(key, self.shards),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn counts(map: &ShardMap, keys: u64) -> Vec<u32> {
        let mut counts = vec![0u32; map.shards() as usize];
        for key in 0..keys {
            counts[map.shard_of(key) as usize] += 1;
        }
        counts
    }

    pub(crate) fn moved_fraction(sharding: &Sharding, from: u32, to: u32) -> (f64, bool) {
        let before = ShardMap::new(sharding, from, 10_000);
        let after = ShardMap::new(sharding, to, 10_000);
        let moved: Vec<u64> = (0..10_000)
            .filter(|&k| before.shard_of(k) != after.shard_of(k))
            .collect();
        let only_to_new = moved.iter().all(|&k| after.shard_of(k) >= from);
        (moved.len() as f64 / 10_000.0, only_to_new)
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
