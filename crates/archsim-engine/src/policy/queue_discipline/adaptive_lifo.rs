//! Adaptive LIFO, as Facebook describes it ("Fail at Scale", 2015): first in, first out while
//! the queue is short, last in, first out while more than `threshold` requests wait. When a
//! queue builds up, the oldest requests are the ones whose callers have most likely given up;
//! serving the newest first keeps the requests that can still succeed succeeding, and once the
//! queue is short again everybody is served in order.

#[derive(Debug, Clone)]
pub struct AdaptiveLifo {
    threshold: u64,
}

impl AdaptiveLifo {
    pub fn new(threshold: u64) -> AdaptiveLifo {
        AdaptiveLifo { threshold }
    }

    /// Whether the next request is the newest, with `waiting` requests in the queue.
    pub fn newest_first(&self, waiting: u64) -> bool {
        waiting > self.threshold
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::queue_discipline::{Entry, Order, WaitQueue};
    use crate::slab::Handle;

    #[test]
    fn switches_to_newest_first_only_above_the_threshold() {
        let lifo = AdaptiveLifo::new(3);
        assert!(!lifo.newest_first(0));
        assert!(!lifo.newest_first(3));
        assert!(lifo.newest_first(4));
    }

    #[test]
    fn a_building_queue_serves_newest_then_oldest_once_short() {
        let mut queue = WaitQueue {
            lanes: vec![std::collections::VecDeque::new()],
            order: Order::AdaptiveLifo(AdaptiveLifo::new(2)),
        };
        for index in 1..=5 {
            queue.push(Entry {
                job: Handle {
                    index,
                    generation: 0,
                },
                since: 0,
                rank: 0,
            });
        }
        let mut served = Vec::new();
        let mut waiting = 5;
        while let Some(entry) = queue.pop(waiting) {
            served.push(entry.job.index);
            waiting -= 1;
        }
        // 5, 4 and 3 waiting (more than 2): newest first; from 2 waiting on: oldest first.
        assert_eq!(served, vec![5, 4, 3, 1, 2]);
    }
}
