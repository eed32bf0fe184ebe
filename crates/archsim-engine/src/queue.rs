//! The event queue: a binary min-heap keyed by `(time, seq)`.
//!
//! `seq` is a counter incremented on every insertion, so events scheduled for the same
//! nanosecond come out in the order they were scheduled. That makes the run independent of how
//! the heap happens to break ties, which is what makes it deterministic.
//!
//! Entries are plain data (`Copy`): the heap never allocates per event once it has grown to the
//! largest number of pending events.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::time::SimTime;

/// A scheduled event with its ordering key.
#[derive(Debug, Clone, Copy)]
struct Entry<E> {
    /// `time << 64 | seq` as one integer: a single comparison orders by time, then by insertion.
    key: u128,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl<E> Eq for Entry<E> {}

impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<E> Ord for Entry<E> {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap and we want the earliest first.
        other.key.cmp(&self.key)
    }
}

/// Pending events in time order, ties broken by insertion order.
#[derive(Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E: Copy> EventQueue<E> {
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(1024),
            next_seq: 0,
        }
    }

    /// Schedules `event` at `time`.
    #[inline]
    pub fn push(&mut self, time: SimTime, event: E) {
        let key = ((time as u128) << 64) | self.next_seq as u128;
        self.next_seq += 1;
        self.heap.push(Entry { key, event });
    }

    /// The earliest event and its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.heap
            .pop()
            .map(|entry| ((entry.key >> 64) as SimTime, entry.event))
    }

    /// Time of the earliest event, without removing it.
    #[cfg(test)]
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|entry| (entry.key >> 64) as SimTime)
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_order() {
        let mut queue = EventQueue::new();
        for (time, tag) in [(30u64, 'c'), (10, 'a'), (20, 'b'), (5, 'z')] {
            queue.push(time, tag);
        }
        let order: Vec<char> = std::iter::from_fn(|| queue.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, vec!['z', 'a', 'b', 'c']);
    }

    #[test]
    fn equal_times_pop_in_insertion_order() {
        let mut queue = EventQueue::new();
        for tag in 0..100u32 {
            queue.push(7, tag);
        }
        queue.push(3, 1000);
        assert_eq!(queue.pop(), Some((3, 1000)));
        for tag in 0..100u32 {
            assert_eq!(queue.pop(), Some((7, tag)));
        }
        assert!(queue.is_empty());
    }

    #[test]
    fn huge_times_still_order_correctly() {
        let mut queue = EventQueue::new();
        queue.push(u64::MAX, 2u8);
        queue.push(u64::MAX - 1, 1u8);
        assert_eq!(queue.peek_time(), Some(u64::MAX - 1));
        assert_eq!(queue.pop(), Some((u64::MAX - 1, 1)));
        assert_eq!(queue.pop(), Some((u64::MAX, 2)));
    }
}
