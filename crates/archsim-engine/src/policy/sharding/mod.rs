//! Which database shard owns a key.
//!
//! API (one map per database node, built once):
//! ```text
//! let map = ShardMap::new(&params.sharding, params.shards, key_distribution.count, db_id);
//! let shard: u32 = map.shard_of(key); // in 0..shards
//! ```
//! A map with 0 shards behaves as one with 1 (every key in shard 0).
//!
//! Schemes, one file each ([`modulo`], [`range`], [`consistent_hash`], [`jump`],
//! [`rendezvous`], [`maglev`]), each a [`Scheme`];
//! adding one is a file here and its line in [`Partition`] (and the model's `Sharding`). What
//! they teach:
//! - **Hash**: `key_hash(key) mod shards` with the fixed [`key_hash`]. Spreads any key set
//!   evenly, hot keys included, but changing the shard count moves almost every key
//!   (`n/(n+1)` of them going from n to n+1 shards). O(1).
//! - **Range**: shard `i` owns keys `[⌈i·K/n⌉, ⌈(i+1)·K/n⌉)` of the key space `0..K`
//!   (computed as `key·n / K` in 128-bit integers, so boundaries are exact); keys at or beyond
//!   `K` go to the last shard. Range scans stay on one shard, but when popularity follows key
//!   order (low keys hottest, as with Zipf ranks) the first shard runs hot. O(1).
//! - **Consistent hash**: a [`HashRing`](crate::policy::hash::HashRing) with `virtual_nodes`
//!   points per shard, placed by the shard's name; a key belongs to the first point clockwise
//!   from its hash. Going from n to n+1 shards moves only about `1/(n+1)` of keys, all to the
//!   new shard. O(log(n·vnodes)).
//! - **Jump** (Lamping & Veach): `1/(n+1)` of keys move, exactly the new shard's. O(ln n).
//! - **Rendezvous**: the shard with the highest hash of (key, shard name). O(n).
//! - **Maglev**: a prime-sized lookup table over the shard names. O(1).
//!
//! Shard `i` of database `db` is named `db/shard-i` (behind the ring salt, if any): names,
//! not positions, place shards on rings, tables and scores, so two databases with the same
//! shard count do not share one (possibly unlucky) layout.

pub mod consistent_hash;
pub mod jump;
pub mod maglev;
pub mod modulo;
pub mod range;
pub mod rendezvous;

use archsim_model::design::Sharding;

use crate::policy::hash::salted_name;

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
    Jump(jump::Jump),
    Rendezvous(rendezvous::Rendezvous),
    Maglev(maglev::Maglev),
}

#[derive(Debug, Clone)]
pub struct ShardMap {
    shards: u32,
    partition: Partition,
}

impl ShardMap {
    /// A map of keys `0..key_space` (the client's key count; only range sharding uses it) onto
    /// `shards` shards of the database `database_id`.
    pub fn new(sharding: &Sharding, shards: u32, key_space: u64, database_id: &str) -> ShardMap {
        let shards = shards.max(1);
        let salt = match sharding {
            Sharding::ConsistentHash { ring_salt, .. } => ring_salt.as_str(),
            _ => "",
        };
        let names = || shard_names(database_id, salt, shards);
        let partition = match *sharding {
            Sharding::Hash => Partition::Modulo(modulo::Modulo),
            Sharding::Range => Partition::Range(range::Range::new(key_space)),
            Sharding::ConsistentHash { virtual_nodes, .. } => Partition::ConsistentHash(
                consistent_hash::ConsistentHash::new(&names(), virtual_nodes),
            ),
            Sharding::Jump => Partition::Jump(jump::Jump),
            Sharding::Rendezvous => Partition::Rendezvous(rendezvous::Rendezvous::new(&names())),
            Sharding::Maglev { table_size } => {
                Partition::Maglev(maglev::Maglev::new(&names(), table_size))
            }
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
            Partition::Jump(scheme) => scheme.shard_of(key, self.shards),
            Partition::Rendezvous(scheme) => scheme.shard_of(key, self.shards),
            Partition::Maglev(scheme) => scheme.shard_of(key, self.shards),
        }
    }
}

/// The names shards are hashed under: `{database id}/shard-{i}`, behind the salt.
pub fn shard_names(database_id: &str, salt: &str, shards: u32) -> Vec<String> {
    (0..shards)
        .map(|i| salted_name(salt, &format!("{database_id}/shard-{i}")))
        .collect()
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
        let before = ShardMap::new(sharding, from, 10_000, "db");
        let after = ShardMap::new(sharding, to, 10_000, "db");
        let moved: Vec<u64> = (0..10_000)
            .filter(|&k| before.shard_of(k) != after.shard_of(k))
            .collect();
        let only_to_new = moved.iter().all(|&k| after.shard_of(k) >= from);
        (moved.len() as f64 / 10_000.0, only_to_new)
    }

    #[test]
    fn zero_shards_means_one() {
        for sharding in Sharding::CATALOG
            .iter()
            .map(|info| Sharding::default_named(info.name).unwrap())
        {
            let map = ShardMap::new(&sharding, 0, 0, "db");
            assert_eq!(map.shards(), 1);
            assert_eq!(map.shard_of(12345), 0, "{sharding:?}");
        }
    }
}
