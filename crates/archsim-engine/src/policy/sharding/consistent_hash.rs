//! **Consistent hash**: a [`HashRing`] with `virtual_nodes` points per shard, placed by the
//! shard's name (`{database id}/shard-{i}`, behind the ring salt) as Envoy places a host's
//! points by its address; a key belongs to the first point clockwise from its hash. Going from
//! n to n+1 shards moves only the keys on the new shard's arcs, about `1/(n+1)` of them, all to
//! the new shard. O(log(n·vnodes)).

use super::Scheme;
use crate::policy::hash::{HashRing, key_hash};

#[derive(Debug, Clone)]
pub struct ConsistentHash {
    ring: HashRing,
}

impl ConsistentHash {
    pub fn new(shard_names: &[String], virtual_nodes: u32) -> ConsistentHash {
        ConsistentHash {
            ring: HashRing::new(shard_names, virtual_nodes),
        }
    }
}

impl Scheme for ConsistentHash {
    fn shard_of(&self, key: u64, _shards: u32) -> u32 {
        self.ring.owner(key_hash(key), |_| true).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use archsim_model::design::Sharding;

    use super::super::ShardMap;
    use super::super::tests::counts;
    use super::super::tests::moved_fraction;

    fn ring(virtual_nodes: u32, ring_salt: &str) -> Sharding {
        Sharding::ConsistentHash {
            virtual_nodes,
            ring_salt: ring_salt.to_string(),
        }
    }

    #[test]
    fn consistent_hash_sharding_balances_keys_with_many_virtual_nodes() {
        let map = ShardMap::new(&ring(200, ""), 8, 0, "db");
        for c in counts(&map, 80_000) {
            // Share spread ≈ √(7/1601) ≈ 6.6%: 10000 ± 25% is beyond 3.5σ.
            assert!((7_500..12_500).contains(&c), "{c}");
        }
    }

    #[test]
    fn consistent_hash_moves_about_one_nth_when_a_shard_is_added() {
        let (fraction, only_to_new) = moved_fraction(&ring(160, ""), 4, 5);
        assert!((0.15..0.25).contains(&fraction), "moved {fraction}");
        assert!(only_to_new, "keys move only to the new shard");
    }

    #[test]
    fn shard_ring_depends_on_the_database_id_and_the_salt() {
        let owners = |sharding: &Sharding, db: &str| {
            let map = ShardMap::new(sharding, 4, 0, db);
            (0..1_000).map(|k| map.shard_of(k)).collect::<Vec<_>>()
        };
        let base = owners(&ring(50, ""), "orders");
        assert_eq!(
            base,
            owners(&ring(50, ""), "orders"),
            "same names, same ring"
        );
        assert_ne!(
            base,
            owners(&ring(50, ""), "users"),
            "another database, another ring"
        );
        assert_ne!(
            base,
            owners(&ring(50, "v2"), "orders"),
            "another salt, another ring"
        );
    }
}
