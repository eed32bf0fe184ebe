//! A doubly linked list threaded through cache slots (u32 links, no allocation per entry),
//! newest at the head: the order LRU and FIFO (`lru.rs`) and SIEVE (`sieve.rs`) keep their
//! entries in.

use super::slot_mut;

/// No slot: the end of the list.
pub const NIL: u32 = u32::MAX;

#[derive(Debug, Clone)]
pub struct SlotList {
    head: u32,
    tail: u32,
    /// Per slot: (towards the head (newer), towards the tail (older)).
    links: Vec<(u32, u32)>,
}

impl Default for SlotList {
    fn default() -> Self {
        SlotList {
            head: NIL,
            tail: NIL,
            links: Vec::new(),
        }
    }
}

impl SlotList {
    /// The newest slot (NIL when empty).
    pub fn head(&self) -> u32 {
        self.head
    }

    /// The oldest slot (NIL when empty).
    pub fn tail(&self) -> u32 {
        self.tail
    }

    /// The slot just newer than `slot` (NIL at the head).
    pub fn newer(&self, slot: u32) -> u32 {
        self.links[slot as usize].0
    }

    /// `slot`, not in the list, becomes its head.
    pub fn push_head(&mut self, slot: u32) {
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

    /// Takes `slot` out of the list, joining its neighbours.
    pub fn unlink(&mut self, slot: u32) {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The slots from the tail (oldest) to the head (newest).
    fn oldest_first(list: &SlotList) -> Vec<u32> {
        let mut slots = Vec::new();
        let mut slot = list.tail();
        while slot != NIL {
            slots.push(slot);
            slot = list.newer(slot);
        }
        slots
    }

    #[test]
    fn pushes_go_to_the_head_and_unlinking_joins_the_neighbours() {
        let mut list = SlotList::default();
        assert_eq!((list.head(), list.tail()), (NIL, NIL));
        for slot in [3, 0, 7, 5] {
            list.push_head(slot);
        }
        assert_eq!(oldest_first(&list), vec![3, 0, 7, 5]);
        list.unlink(7); // the middle
        list.unlink(3); // the tail
        list.unlink(5); // the head
        assert_eq!(oldest_first(&list), vec![0]);
        assert_eq!((list.head(), list.tail()), (0, 0));
        list.unlink(0);
        assert_eq!((list.head(), list.tail()), (NIL, NIL));
        // A slot taken out goes back in at the head.
        list.push_head(7);
        list.push_head(3);
        assert_eq!(oldest_first(&list), vec![7, 3]);
    }
}
