//! **Hash**: `key_hash(key) mod shards` with the fixed [`key_hash`]. Spreads any key set
//! evenly, hot keys included, but changing the shard count moves almost every key (`n/(n+1)`
//! of them going from n to n+1 shards). O(1).

use super::Scheme;
use crate::policy::hash::key_hash;

#[derive(Debug, Clone, Default)]
pub struct Modulo;

impl Scheme for Modulo {
    fn shard_of(&self, key: u64, shards: u32) -> u32 {
        (key_hash(key) % u64::from(shards)) as u32
    }
}

#[cfg(test)]
mod tests {
    use archsim_model::design::Sharding;

    use super::super::ShardMap;
    use super::super::tests::counts;
    use super::super::tests::moved_fraction;

    #[test]
    fn hash_sharding_balances_keys() {
        let map = ShardMap::new(&Sharding::Hash, 8, 80_000, "db");
        for c in counts(&map, 80_000) {
            // Binomial standard deviation ≈ 94; allow 5σ.
            assert!((9_530..10_470).contains(&c), "{c}");
        }
    }

    #[test]
    fn hash_mod_n_moves_most_keys_when_a_shard_is_added() {
        // The contrast that motivates consistent hashing: n/(n+1) = 80% move.
        let (fraction, _) = moved_fraction(&Sharding::Hash, 4, 5);
        assert!((0.75..0.85).contains(&fraction), "moved {fraction}");
    }
}
