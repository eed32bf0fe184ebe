//! The event queue: events in `(time, seq)` order, where `seq` is the scheduling order.
//!
//! Events scheduled for the same nanosecond come out in the order they were scheduled. That
//! makes the run independent of how the heap happens to break ties, which is what makes it
//! deterministic.
//!
//! Two lanes, one order. Events for a later time go into a binary min-heap keyed by
//! `time << 64 | seq`. Events for the current instant (a zero network latency, a zero back-off,
//! a short circuit) go into a FIFO, the *now lane*, which costs a ring-buffer push and pop
//! instead of two heap sifts. The lanes together pop in exactly `(time, seq)` order:
//! - the current time only moves forward, and an event goes to the now lane exactly when its
//!   time equals the current time, so every heap entry due *now* was scheduled while the clock
//!   was still earlier: its `seq` is smaller than that of every entry in the now lane;
//! - so `pop` takes heap entries due now first (in `seq` order, as the heap gives them), then
//!   the now lane in FIFO (= `seq`) order, and only then moves the clock to the heap's next time.
//!
//! Entries are plain data (`Copy`): the heap never allocates per event once it has grown to the
//! largest number of pending events.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

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
    /// Events due after `now`, plus those due at `now` that were scheduled before it came.
    heap: BinaryHeap<Entry<E>>,
    /// Events scheduled at `now` for `now`, in scheduling order.
    now_lane: VecDeque<E>,
    /// Time of the last event popped.
    now: SimTime,
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
            now_lane: VecDeque::with_capacity(64),
            now: 0,
            next_seq: 0,
        }
    }

    /// Schedules `event` at `time`, which must not be earlier than the last event popped.
    #[inline]
    pub fn push(&mut self, time: SimTime, event: E) {
        debug_assert!(time >= self.now, "an event scheduled in the past");
        if time <= self.now {
            self.now_lane.push_back(event);
            return;
        }
        let key = ((time as u128) << 64) | self.next_seq as u128;
        self.next_seq += 1;
        self.heap.push(Entry { key, event });
    }

    /// The earliest event and its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        if !self.now_lane.is_empty() {
            let heap_due_now = self
                .heap
                .peek()
                .is_some_and(|entry| (entry.key >> 64) as SimTime == self.now);
            if !heap_due_now {
                return self.now_lane.pop_front().map(|event| (self.now, event));
            }
        }
        let entry = self.heap.pop()?;
        self.now = (entry.key >> 64) as SimTime;
        Some((self.now, entry.event))
    }

    /// Time of the earliest event, without removing it.
    #[cfg(test)]
    pub fn peek_time(&self) -> Option<SimTime> {
        if self.now_lane.is_empty() {
            self.heap.peek().map(|entry| (entry.key >> 64) as SimTime)
        } else {
            Some(self.now)
        }
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty() && self.now_lane.is_empty()
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

    /// The reference order: every event sorted by (time, scheduling order).
    fn reference_order(scheduled: &[(SimTime, u32)]) -> Vec<(SimTime, u32)> {
        let mut sorted: Vec<(usize, SimTime, u32)> = scheduled
            .iter()
            .enumerate()
            .map(|(i, &(t, e))| (i, t, e))
            .collect();
        sorted.sort_by_key(|&(i, t, _)| (t, i));
        sorted.into_iter().map(|(_, t, e)| (t, e)).collect()
    }

    #[test]
    fn now_lane_keeps_time_then_scheduling_order() {
        // A handler-like driver: each popped event schedules follow-ups, some for the same
        // instant (the now lane), some later, some at a time already waiting in the heap.
        let mut queue = EventQueue::new();
        let mut scheduled: Vec<(SimTime, u32)> = Vec::new();
        let mut popped: Vec<(SimTime, u32)> = Vec::new();
        let mut next_tag = 0u32;
        let mut push = |queue: &mut EventQueue<u32>, scheduled: &mut Vec<_>, time| {
            queue.push(time, next_tag);
            scheduled.push((time, next_tag));
            next_tag += 1;
        };
        for time in [5, 5, 0, 3, 5, 0] {
            push(&mut queue, &mut scheduled, time);
        }
        let mut state = 12345u64;
        while let Some((now, tag)) = queue.pop() {
            popped.push((now, tag));
            if popped.len() > 5_000 {
                continue;
            }
            for _ in 0..(tag % 3) {
                state = crate::rng::splitmix64(&mut state);
                let delay = [0, 0, 1, 2, 5][(state % 5) as usize];
                push(&mut queue, &mut scheduled, now + delay);
            }
        }
        // Events scheduled at the same time must come out in scheduling order, times ascending.
        assert!(popped.len() > 1_000, "the driver produced {}", popped.len());
        assert_eq!(popped, reference_order(&scheduled));
    }

    #[test]
    fn heap_entries_due_now_go_before_the_now_lane() {
        let mut queue = EventQueue::new();
        queue.push(10, 'a');
        queue.push(10, 'b');
        assert_eq!(queue.pop(), Some((10, 'a')));
        // Scheduled at 10 for 10: after 'b', which was scheduled earlier for 10.
        queue.push(10, 'c');
        queue.push(11, 'd');
        assert_eq!(queue.peek_time(), Some(10));
        assert_eq!(queue.pop(), Some((10, 'b')));
        queue.push(10, 'e');
        assert_eq!(queue.pop(), Some((10, 'c')));
        assert_eq!(queue.pop(), Some((10, 'e')));
        assert_eq!(queue.pop(), Some((11, 'd')));
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
