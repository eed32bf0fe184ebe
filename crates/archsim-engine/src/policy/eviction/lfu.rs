//! **LFU** evicts the least frequently used, the least recently used among equals. Best for a
//! stable skewed (Zipf) popularity, but a new entry starts at frequency 1 and is the first to
//! go, and once-hot keys linger after they cool. A `BTreeSet` of (frequency, last use, slot):
//! O(log n).

use std::collections::BTreeSet;

use super::{Order, slot_mut};
use crate::rng::SimRng;

#[derive(Debug, Clone, Default)]
pub struct Lfu {
    set: BTreeSet<(u64, u64, u32)>,
    /// Per slot: (frequency, last use).
    uses: Vec<(u64, u64)>,
}

impl Order for Lfu {
    fn inserted(&mut self, slot: u32, _key: u64, clock: u64) {
        *slot_mut(&mut self.uses, slot, (0, 0)) = (1, clock);
        self.set.insert((1, clock, slot));
    }

    fn used(&mut self, slot: u32, _key: u64, clock: u64) {
        let (frequency, last_used) = self.uses[slot as usize];
        self.set.remove(&(frequency, last_used, slot));
        self.uses[slot as usize] = (frequency + 1, clock);
        self.set.insert((frequency + 1, clock, slot));
    }

    fn removed(&mut self, slot: u32) {
        let (frequency, last_used) = self.uses[slot as usize];
        self.set.remove(&(frequency, last_used, slot));
    }

    fn victim(&mut self, _rng: &mut SimRng) -> u32 {
        self.set
            .first()
            .map(|&(_, _, slot)| slot)
            .unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use archsim_model::design::Eviction;

    use super::super::tests::*;

    #[test]
    fn lfu_evicts_least_frequent_then_least_recent() {
        let (mut store, mut rng) = filled(Eviction::Lfu, &[1, 2, 3]);
        store.get(1, 0);
        store.get(1, 0);
        store.get(2, 0);
        // Frequencies 1:3, 2:2, 3:1.
        assert_eq!(store.insert(4, 0, &mut rng), Some(3));
        // 4 has frequency 1: the newcomer goes first.
        assert_eq!(store.insert(5, 0, &mut rng), Some(4));
        // Ties on frequency: the least recently used of them goes.
        let (mut store, mut rng) = filled(Eviction::Lfu, &[1, 2, 3]);
        assert_eq!(store.insert(4, 0, &mut rng), Some(1));
        store.get(2, 0);
        store.get(3, 0);
        store.get(4, 0);
        store.get(4, 0);
        assert_eq!(store.insert(5, 0, &mut rng), Some(2));
    }

    #[test]
    fn lfu_beats_lru_on_stable_zipf_popularity() {
        let lfu = zipf_hit_ratio(Eviction::Lfu, 2_000, 100);
        let lru = zipf_hit_ratio(Eviction::Lru, 2_000, 100);
        let fifo = zipf_hit_ratio(Eviction::Fifo, 2_000, 100);
        // The 100 most popular of 2000 Zipf(1) keys get about 63% of requests: LFU's ceiling.
        assert!(
            lfu >= lru && lru >= fifo * 0.98,
            "lfu {lfu} lru {lru} fifo {fifo}"
        );
        assert!((0.55..0.66).contains(&lfu), "lfu {lfu}");
    }
}
