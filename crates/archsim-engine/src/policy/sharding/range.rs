//! **Range**: shard `i` owns keys `[⌈i·K/n⌉, ⌈(i+1)·K/n⌉)` of the key space `0..K` (computed
//! as `key·n / K` in integers, so boundaries are exact); keys at or beyond `K` go to the last
//! shard. Range scans stay on one shard, but when popularity follows key order (low keys
//! hottest, as with Zipf ranks) the first shard runs hot. O(1).

use super::Scheme;

#[derive(Debug, Clone)]
pub struct Range {
    key_space: u64,
}

impl Range {
    pub fn new(key_space: u64) -> Range {
        Range { key_space }
    }
}

impl Scheme for Range {
    fn shard_of(&self, key: u64, shards: u32) -> u32 {
        if key >= self.key_space {
            return shards - 1;
        }
        // Exact in 64 bits whenever the product fits, which is every realistic key space; a
        // 128-bit division is a slow software routine (most of all in WASM).
        match key.checked_mul(u64::from(shards)) {
            Some(product) => (product / self.key_space) as u32,
            None => (u128::from(key) * u128::from(shards) / u128::from(self.key_space)) as u32,
        }
    }
}

#[cfg(test)]
mod tests {
    use archsim_model::design::Sharding;

    use super::super::ShardMap;
    use super::super::tests::counts;

    #[test]
    fn range_sharding_boundaries_are_exact() {
        let map = ShardMap::new(&Sharding::Range, 3, 100, "db");
        let owners: Vec<u32> = [0, 33, 34, 66, 67, 99].map(|k| map.shard_of(k)).to_vec();
        assert_eq!(owners, vec![0, 0, 1, 1, 2, 2]);
        assert_eq!(counts(&map, 100), vec![34, 33, 33]);
        assert_eq!(
            map.shard_of(100),
            2,
            "keys past the key space go to the last shard"
        );
        assert_eq!(map.shard_of(u64::MAX), 2);
        let even = ShardMap::new(&Sharding::Range, 4, 1_000, "db");
        assert_eq!(counts(&even, 1_000), vec![250; 4]);
        assert_eq!(even.shard_of(249), 0);
        assert_eq!(even.shard_of(250), 1);
    }

    #[test]
    fn range_sharding_handles_huge_key_spaces_without_overflow() {
        let map = ShardMap::new(&Sharding::Range, 10, u64::MAX, "db");
        assert_eq!(map.shard_of(u64::MAX - 1), 9);
        assert_eq!(map.shard_of(u64::MAX / 2), 4);
    }
}
