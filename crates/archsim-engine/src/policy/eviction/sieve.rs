//! **SIEVE** (Zhang et al., "SIEVE is Simpler than LRU", NSDI'24): a FIFO queue of entries,
//! newest at the head, each with a *visited* bit, and a *hand*. A hit only sets the bit (no
//! list move, so hits are cheaper than LRU's). To evict, the hand walks from where it last
//! stopped (the tail, the oldest, at first) towards the head, clearing set bits as it passes,
//! and evicts the first entry whose bit is clear; it then stays at that entry's newer
//! neighbour, wrapping to the tail after the head. New entries go in at the head unvisited, so
//! one-hit wonders are evicted quickly while entries that were used survive a pass. O(1)
//! amortised.

use super::slot_list::{NIL, SlotList};
use super::{Order, slot_mut};
use crate::rng::SimRng;

#[derive(Debug, Clone)]
pub struct Sieve {
    /// The FIFO queue, newest at the head.
    list: SlotList,
    visited: Vec<bool>,
    /// Where the next eviction starts looking; NIL: at the tail.
    hand: u32,
}

impl Default for Sieve {
    fn default() -> Self {
        Sieve {
            list: SlotList::default(),
            visited: Vec::new(),
            hand: NIL,
        }
    }
}

impl Sieve {
    /// The entry after `slot` on the hand's way: its newer neighbour, or the tail after the
    /// head.
    fn next_from(&self, slot: u32) -> u32 {
        match self.list.newer(slot) {
            NIL => self.list.tail(),
            newer => newer,
        }
    }
}

impl Order for Sieve {
    fn inserted(&mut self, slot: u32, _key: u64, _clock: u64) {
        self.list.push_head(slot);
        *slot_mut(&mut self.visited, slot, false) = false;
    }

    fn used(&mut self, slot: u32, _key: u64, _clock: u64) {
        self.visited[slot as usize] = true;
    }

    fn removed(&mut self, slot: u32) {
        if self.hand == slot {
            // The hand keeps its place in the walk: the entry it would have looked at next.
            self.hand = self.list.newer(slot);
        }
        self.list.unlink(slot);
    }

    fn victim(&mut self, _rng: &mut SimRng) -> u32 {
        let mut slot = if self.hand == NIL {
            self.list.tail()
        } else {
            self.hand
        };
        while self.visited[slot as usize] {
            self.visited[slot as usize] = false;
            slot = self.next_from(slot);
        }
        // The store removes the victim next, which moves the hand to its newer neighbour.
        self.hand = slot;
        slot
    }
}

#[cfg(test)]
mod tests {
    use archsim_model::design::Eviction;

    use super::super::tests::*;
    use super::super::{CacheStore, Lookup};

    #[test]
    fn sieve_follows_the_papers_algorithm_on_a_worked_trace() {
        // Capacity 3. Worked by hand from the paper's pseudocode (queue shown head → tail):
        //  A B C in → C B A; hit A. D in: the hand starts at the tail A (visited: clear it,
        //  move on to B), evicts B, stays at C → D C A. E in: C unvisited, evicted; hand at D
        //  → E D A. Hits on A and E. F in: D evicted; hand at E → F E A. G in: E visited
        //  (cleared), F evicted; F was the head, so the hand wraps to the tail → G E A. H in:
        //  A visited (cleared), E evicted → H G A.
        let mut rng = rng();
        let mut store = CacheStore::new(3, Eviction::Sieve, None);
        let (a, b, c, d, e, f, g, h) = (1, 2, 3, 4, 5, 6, 7, 8);
        for key in [a, b, c] {
            assert_eq!(store.insert(key, 0, &mut rng), None);
        }
        assert_eq!(store.get(a, 0), Lookup::Hit);
        assert_eq!(store.insert(d, 0, &mut rng), Some(b));
        assert_eq!(store.insert(e, 0, &mut rng), Some(c));
        assert_eq!(store.get(a, 0), Lookup::Hit);
        assert_eq!(store.get(e, 0), Lookup::Hit);
        assert_eq!(store.insert(f, 0, &mut rng), Some(d));
        assert_eq!(store.insert(g, 0, &mut rng), Some(f));
        assert_eq!(store.insert(h, 0, &mut rng), Some(e));
        for key in [h, g, a] {
            assert_eq!(store.get(key, 0), Lookup::Hit, "{key} should be cached");
        }
    }

    #[test]
    fn sieve_keeps_its_hand_when_the_entry_under_it_goes() {
        // 1 2 3 in, hit 1; 4 in evicts 2 (hand then at 3). Invalidating 3 moves the hand to
        // 4 (3's newer neighbour); 5 in fills the free slot; 6 in: the hand looks at 4
        // (unvisited) and evicts it, not 1.
        let (mut store, mut rng) = filled(Eviction::Sieve, &[1, 2, 3]);
        assert_eq!(store.get(1, 0), Lookup::Hit);
        assert_eq!(store.insert(4, 0, &mut rng), Some(2));
        assert!(store.invalidate(3));
        assert_eq!(store.insert(5, 0, &mut rng), None);
        assert_eq!(store.insert(6, 0, &mut rng), Some(4));
    }

    #[test]
    fn sieve_beats_fifo_on_a_skewed_workload() {
        // The paper's headline: lower miss ratio than FIFO (and on par with or better than
        // LRU) on skewed web traces. Zipf(1), 1000 keys, 100 slots.
        let sieve = zipf_hit_ratio(Eviction::Sieve, 1_000, 100);
        let fifo = zipf_hit_ratio(Eviction::Fifo, 1_000, 100);
        let lru = zipf_hit_ratio(Eviction::Lru, 1_000, 100);
        assert!(sieve > fifo + 0.02, "sieve {sieve}, fifo {fifo}");
        assert!(sieve > lru - 0.01, "sieve {sieve}, lru {lru}");
    }
}
