//! **Rendezvous** (highest random weight) over the shards' names (`{database id}/shard-{i}`):
//! each shard scores the key, the highest owns it (see [`crate::policy::rendezvous`]). Adding a
//! shard takes `1/(n+1)` of keys, all to the new shard. O(shards) per lookup.

use super::Scheme;
use crate::policy::hash::key_hash;
use crate::policy::rendezvous::{member_seed, winner};

#[derive(Debug, Clone)]
pub struct Rendezvous {
    seeds: Vec<u64>,
}

impl Rendezvous {
    pub fn new(shard_names: &[String]) -> Rendezvous {
        Rendezvous {
            seeds: shard_names.iter().map(|name| member_seed(name)).collect(),
        }
    }
}

impl Scheme for Rendezvous {
    fn shard_of(&self, key: u64, _shards: u32) -> u32 {
        let members = self
            .seeds
            .iter()
            .enumerate()
            .map(|(index, &seed)| (index as u32, seed, 1));
        winner(key_hash(key), members, |_| true).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use archsim_model::design::Sharding;

    use super::super::ShardMap;
    use super::super::tests::{counts, moved_fraction};

    #[test]
    fn rendezvous_sharding_moves_one_nth_to_the_new_shard() {
        let (fraction, only_to_new) = moved_fraction(&Sharding::Rendezvous, 4, 5);
        assert!((0.18..0.22).contains(&fraction), "moved {fraction}");
        assert!(only_to_new);
        let map = ShardMap::new(&Sharding::Rendezvous, 8, 0, "db");
        for c in counts(&map, 80_000) {
            assert!((9_530..10_470).contains(&c), "{c}");
        }
    }
}
