//! **Random** evicts a uniformly random entry: one `below(len)` draw per eviction, from a dense
//! array of slots with swap-remove. O(1). No draw is made when nothing is evicted.

use super::{Order, slot_mut};
use crate::rng::SimRng;

#[derive(Debug, Clone, Default)]
pub struct RandomOrder {
    members: Vec<u32>,
    /// Per slot: its index in `members`.
    position: Vec<u32>,
}

impl Order for RandomOrder {
    fn inserted(&mut self, slot: u32, _key: u64, _clock: u64) {
        *slot_mut(&mut self.position, slot, 0) = self.members.len() as u32;
        self.members.push(slot);
    }

    fn used(&mut self, _slot: u32, _key: u64, _clock: u64) {}

    fn removed(&mut self, slot: u32) {
        let position = self.position[slot as usize];
        self.members.swap_remove(position as usize);
        if let Some(&moved) = self.members.get(position as usize) {
            self.position[moved as usize] = position;
        }
    }

    fn victim(&mut self, rng: &mut SimRng) -> u32 {
        self.members[rng.below(self.members.len() as u64) as usize]
    }
}

#[cfg(test)]
mod tests {
    use archsim_model::design::Eviction;

    use super::super::CacheStore;
    use super::super::tests::*;

    #[test]
    fn random_eviction_is_uniform_and_reproducible() {
        let mut counts = [0u32; 4];
        let mut trial_rng = rng();
        for trial in 0..8_000u64 {
            let mut store = CacheStore::new(4, Eviction::Random, None);
            for key in 0..4 {
                store.insert(key, 0, &mut trial_rng);
            }
            let victim = store.insert(100 + trial, 0, &mut trial_rng).unwrap();
            counts[victim as usize] += 1;
        }
        for c in counts {
            assert!((1_850..2_150).contains(&c), "{counts:?}");
        }
        let run = || {
            let mut rng = rng();
            let mut store = CacheStore::new(10, Eviction::Random, None);
            (0..100)
                .filter_map(|key| store.insert(key, 0, &mut rng))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(), run());
    }
}
