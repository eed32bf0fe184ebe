//! **Maglev** over the shards' names (`{database id}/shard-{i}`): a lookup table of prime size
//! (see [`crate::policy::maglev`]); a key belongs to `table[hash mod size]`. Each shard owns
//! an equal share of entries (±1); adding a shard moves a little more than `1/(n+1)` of keys
//! (Maglev trades a few extra moves for perfect balance). O(1).

use super::Scheme;
use crate::policy::hash::key_hash;
use crate::policy::maglev::{MaglevMember, MaglevTable};

#[derive(Debug, Clone)]
pub struct Maglev {
    table: MaglevTable,
}

impl Maglev {
    pub fn new(shard_names: &[String], table_size: u32) -> Maglev {
        let members: Vec<MaglevMember<'_>> = shard_names
            .iter()
            .enumerate()
            .map(|(index, name)| MaglevMember {
                index: index as u32,
                name,
                weight: 1,
            })
            .collect();
        Maglev {
            table: MaglevTable::new(&members, table_size),
        }
    }
}

impl Scheme for Maglev {
    fn shard_of(&self, key: u64, _shards: u32) -> u32 {
        self.table.owner(key_hash(key)).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use archsim_model::design::Sharding;

    use super::super::ShardMap;
    use super::super::tests::{counts, moved_fraction};

    #[test]
    fn maglev_sharding_balances_and_moves_few_keys() {
        let maglev = Sharding::Maglev { table_size: 65_537 };
        let map = ShardMap::new(&maglev, 8, 0, "db");
        for c in counts(&map, 80_000) {
            assert!((9_530..10_470).contains(&c), "{c}");
        }
        let (fraction, _) = moved_fraction(&maglev, 4, 5);
        // At least the 1/5 the new shard must take, and far below hash-mod's 4/5.
        assert!((0.18..0.30).contains(&fraction), "moved {fraction}");
    }
}
