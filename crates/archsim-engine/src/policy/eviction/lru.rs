//! **LRU** evicts the entry unused for longest: recency predicts reuse for most workloads. A
//! doubly linked list threaded through the slots (u32 links), most recent at the head; a use
//! moves the entry to the head. O(1). The same list, never reordered, is FIFO (`fifo.rs`).

use super::Order;
use super::slot_list::SlotList;
use crate::rng::SimRng;

/// Slots in a list, newest at the head; the tail is the victim.
#[derive(Debug, Clone)]
pub struct Recency {
    list: SlotList,
    /// A use moves the slot to the head (LRU), or changes nothing (FIFO).
    move_on_use: bool,
}

impl Recency {
    pub fn new(move_on_use: bool) -> Recency {
        Recency {
            list: SlotList::default(),
            move_on_use,
        }
    }
}

impl Order for Recency {
    fn inserted(&mut self, slot: u32, _key: u64, _clock: u64) {
        self.list.push_head(slot);
    }

    fn used(&mut self, slot: u32, _key: u64, _clock: u64) {
        if self.move_on_use {
            self.list.unlink(slot);
            self.list.push_head(slot);
        }
    }

    fn removed(&mut self, slot: u32) {
        self.list.unlink(slot);
    }

    fn victim(&mut self, _rng: &mut SimRng) -> u32 {
        self.list.tail()
    }
}

#[cfg(test)]
mod tests {
    use archsim_model::design::Eviction;

    use super::super::Lookup;
    use super::super::tests::*;

    #[test]
    fn lru_evicts_least_recently_used() {
        let (mut store, mut rng) = filled(Eviction::Lru, &[1, 2, 3]);
        assert_eq!(store.get(1, 0), Lookup::Hit);
        assert_eq!(store.insert(4, 0, &mut rng), Some(2));
        assert_eq!(store.insert(5, 0, &mut rng), Some(3));
        assert_eq!(store.get(3, 0), Lookup::Miss);
        assert_eq!(store.insert(6, 0, &mut rng), Some(1));
        assert_eq!(store.evictions(), 3);
    }
}
