//! **Consistent hash**: a [`HashRing`] with `virtual_nodes` points per shard; a key belongs to
//! the first point clockwise from its hash. Going from n to n+1 shards moves only about
//! `1/(n+1)` of keys, all to the new shard. O(log(n·vnodes)).

use super::Scheme;
use crate::policy::hash::{HashRing, key_hash};

#[derive(Debug, Clone)]
pub struct ConsistentHash {
    ring: HashRing,
}

impl ConsistentHash {
    pub fn new(shards: u32, virtual_nodes: u32) -> ConsistentHash {
        ConsistentHash {
            ring: HashRing::new(shards, virtual_nodes),
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

    #[test]
    fn consistent_hash_sharding_balances_keys_with_many_virtual_nodes() {
        let map = ShardMap::new(&Sharding::ConsistentHash { virtual_nodes: 200 }, 8, 0);
        for c in counts(&map, 80_000) {
            assert!((7_500..12_500).contains(&c), "{c}");
        }
    }

    #[test]
    fn consistent_hash_moves_about_one_nth_when_a_shard_is_added() {
        let (fraction, only_to_new) =
            moved_fraction(&Sharding::ConsistentHash { virtual_nodes: 160 }, 4, 5);
        assert!((0.15..0.25).contains(&fraction), "moved {fraction}");
        assert!(only_to_new, "keys move only to the new shard");
    }
}
