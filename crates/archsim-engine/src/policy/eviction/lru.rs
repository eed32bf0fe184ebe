//! **LRU** evicts the entry unused for longest: recency predicts reuse for most workloads. A
//! doubly linked list threaded through the slots (u32 links), most recent at the head; a use
//! moves the entry to the head. O(1). The same list, never reordered, is FIFO (`fifo.rs`).

use super::{Order, slot_mut};
use crate::rng::SimRng;

const NIL: u32 = u32::MAX;

/// Slots in a list, newest at the head; the tail is the victim.
#[derive(Debug, Clone)]
pub struct Recency {
    head: u32,
    tail: u32,
    /// Per slot: (towards the head, towards the tail).
    links: Vec<(u32, u32)>,
    /// A use moves the slot to the head (LRU), or changes nothing (FIFO).
    move_on_use: bool,
}

impl Recency {
    pub fn new(move_on_use: bool) -> Recency {
        Recency {
            head: NIL,
            tail: NIL,
            links: Vec::new(),
            move_on_use,
        }
    }

    fn push_head(&mut self, slot: u32) {
        let head = self.head;
        *slot_mut(&mut self.links, slot, (NIL, NIL)) = (NIL, head);
        if head != NIL {
            self.links[head as usize].0 = slot;
        }
        self.head = slot;
        if self.tail == NIL {
            self.tail = slot;
        }
    }

    fn unlink(&mut self, slot: u32) {
        let (newer, older) = self.links[slot as usize];
        if newer != NIL {
            self.links[newer as usize].1 = older;
        } else {
            self.head = older;
        }
        if older != NIL {
            self.links[older as usize].0 = newer;
        } else {
            self.tail = newer;
        }
    }
}

impl Order for Recency {
    fn inserted(&mut self, slot: u32, _key: u64, _clock: u64) {
        self.push_head(slot);
    }

    fn used(&mut self, slot: u32, _key: u64, _clock: u64) {
        if self.move_on_use {
            self.unlink(slot);
            self.push_head(slot);
        }
    }

    fn removed(&mut self, slot: u32) {
        self.unlink(slot);
    }

    fn victim(&mut self, _rng: &mut SimRng) -> u32 {
        self.tail
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
