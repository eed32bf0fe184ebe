//! CoDel (Controlled Delay, RFC 8289) for a wait queue of requests, following the RFC's
//! pseudo-code (section 5) step for step, with requests for packets:
//!
//! - `dodequeue` takes the next request and looks at its sojourn time (now − when it was
//!   queued). Below `target`, or with at most one request left waiting (the RFC's
//!   `bytes() <= MAXPACKET`), the queue is fine and `first_above_time` is cleared; otherwise
//!   the first such request sets `first_above_time = now + interval`, and once `now` reaches it
//!   the request is `ok_to_drop`. An empty queue clears `first_above_time` too.
//! - `dequeue`: outside the dropping state, an `ok_to_drop` request is dropped, the next one is
//!   taken, and the dropping state begins with `count = 1` — or, when the previous dropping
//!   state ended less than 16 intervals ago and dropped more than one, `count = count −
//!   lastcount` (the Linux variant the RFC gives) — and `drop_next = control_law(now, count)`.
//!   In the dropping state, a request that is not `ok_to_drop` ends it; otherwise while `now ≥
//!   drop_next` the request is dropped, `count` grows by one, the next one is taken and
//!   `drop_next = control_law(drop_next, count)`.
//! - `control_law(t, count) = t + interval / √count`.
//!
//! The queue itself stays with the caller: [`CoDel::dequeue`] takes requests through `take` and
//! hands the dropped ones to `drop`, so the same code runs on a test's plain trace and on a
//! service's wait queue.

use crate::time::SimTime;

/// A request `take` returns: the item, how long it waited, and how many requests are left
/// waiting after it.
#[derive(Debug, Clone, Copy)]
pub struct Taken<T> {
    pub item: T,
    pub sojourn: SimTime,
    pub left: u64,
}

#[derive(Debug, Clone)]
pub struct CoDel {
    target: SimTime,
    interval: SimTime,
    /// When the sojourn time will have stayed above target for an interval (None: below).
    first_above_time: Option<SimTime>,
    drop_next: SimTime,
    count: u64,
    lastcount: u64,
    dropping: bool,
}

impl CoDel {
    pub fn new(target: SimTime, interval: SimTime) -> CoDel {
        CoDel {
            target,
            interval,
            first_above_time: None,
            drop_next: 0,
            count: 0,
            lastcount: 0,
            dropping: false,
        }
    }

    fn control_law(&self, t: SimTime, count: u64) -> SimTime {
        let step = self.interval as f64 / libm::sqrt(count.max(1) as f64);
        t.saturating_add(step as SimTime)
    }

    /// The RFC's `dodequeue`: the next request and whether it may be dropped.
    fn dodequeue<T>(
        &mut self,
        now: SimTime,
        take: &mut impl FnMut() -> Option<Taken<T>>,
    ) -> (Option<T>, bool) {
        let Some(taken) = take() else {
            self.first_above_time = None;
            return (None, false);
        };
        let mut ok_to_drop = false;
        if taken.sojourn < self.target || taken.left <= 1 {
            self.first_above_time = None;
        } else {
            match self.first_above_time {
                None => self.first_above_time = Some(now.saturating_add(self.interval)),
                Some(at) if now >= at => ok_to_drop = true,
                Some(_) => {}
            }
        }
        (Some(taken.item), ok_to_drop)
    }

    /// The RFC's `dequeue`: the request a free worker should take now (None: the queue ran
    /// out), every request dropped on the way having gone to `drop`.
    pub fn dequeue<T>(
        &mut self,
        now: SimTime,
        mut take: impl FnMut() -> Option<Taken<T>>,
        mut drop: impl FnMut(T),
    ) -> Option<T> {
        let (mut item, mut ok_to_drop) = self.dodequeue(now, &mut take);
        let Some(first) = item.take() else {
            self.dropping = false;
            return None;
        };
        let mut current = Some(first);
        if self.dropping {
            if !ok_to_drop {
                self.dropping = false;
            }
            while now >= self.drop_next && self.dropping {
                if let Some(dropped) = current.take() {
                    drop(dropped);
                }
                self.count += 1;
                (current, ok_to_drop) = self.dodequeue(now, &mut take);
                if !ok_to_drop {
                    self.dropping = false;
                } else {
                    self.drop_next = self.control_law(self.drop_next, self.count);
                }
            }
        } else if ok_to_drop {
            if let Some(dropped) = current.take() {
                drop(dropped);
            }
            (current, _) = self.dodequeue(now, &mut take);
            self.dropping = true;
            let delta = self.count.saturating_sub(self.lastcount);
            self.count = 1;
            let since_drop_next = now as i128 - self.drop_next as i128;
            if delta > 1 && since_drop_next < 16 * self.interval as i128 {
                self.count = delta;
            }
            self.drop_next = self.control_law(now, self.count);
            self.lastcount = self.count;
        }
        current
    }

    /// A request went to a free worker without waiting (the queue was empty): for CoDel the
    /// same as taking it with a sojourn time of zero and nothing left.
    pub fn served_without_waiting(&mut self) {
        self.first_above_time = None;
        self.dropping = false;
    }

    /// Requests dropped in the current (or last) dropping state.
    pub fn count(&self) -> u64 {
        self.count
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::*;

    const MS: SimTime = 1_000_000;

    /// A plain FIFO of enqueue times, served at given instants: the trace CoDel sees.
    struct Trace {
        queue: VecDeque<SimTime>,
        dropped: Vec<(SimTime, SimTime)>,
        served: Vec<(SimTime, SimTime)>,
    }

    impl Trace {
        fn new() -> Trace {
            Trace {
                queue: VecDeque::new(),
                dropped: Vec::new(),
                served: Vec::new(),
            }
        }

        fn dequeue(&mut self, codel: &mut CoDel, now: SimTime) {
            let queue = &mut self.queue;
            let mut dropped = Vec::new();
            let served = codel.dequeue(
                now,
                || {
                    let at = queue.pop_front()?;
                    Some(Taken {
                        item: at,
                        sojourn: now - at,
                        left: queue.len() as u64,
                    })
                },
                |at| dropped.push((now, at)),
            );
            self.dropped.extend(dropped);
            if let Some(at) = served {
                self.served.push((now, at));
            }
        }
    }

    #[test]
    fn nothing_is_dropped_while_the_sojourn_time_stays_below_target() {
        let mut codel = CoDel::new(5 * MS, 100 * MS);
        let mut trace = Trace::new();
        // A request every ms, served 4 ms later, a long queue behind: always below 5 ms.
        for t in 0..1_000u64 {
            trace.queue.push_back(t * MS);
        }
        for t in 4..1_000u64 {
            trace.dequeue(&mut codel, t * MS);
        }
        assert!(trace.dropped.is_empty());
    }

    #[test]
    fn first_drop_comes_one_interval_after_the_sojourn_time_first_exceeds_target() {
        // A standing queue: 10 000 requests all queued at t = 0; one served every ms from
        // t = 10 ms (sojourn 10 ms > 5 ms target from the first). The first dequeue sets
        // first_above_time = 10 + 100 = 110 ms; the dequeue at 110 ms is the first allowed to
        // drop: it drops one and serves the next; the next drop is due at 110 + 100/√1.
        let mut codel = CoDel::new(5 * MS, 100 * MS);
        let mut trace = Trace::new();
        trace.queue.extend(std::iter::repeat_n(0, 10_000));
        for t in 10..=110u64 {
            trace.dequeue(&mut codel, t * MS);
        }
        assert_eq!(trace.dropped, vec![(110 * MS, 0)]);
        assert_eq!(trace.served.len(), 101);
        assert_eq!(codel.count(), 1);
    }

    #[test]
    fn drops_follow_the_control_law_interval_over_root_count() {
        // The same standing queue, served every 1 ms until t = 2 s. The RFC's schedule: the
        // first drop at 110 ms, then drop n+1 at drop_next = drop_n + 100/√n ms (n = count
        // after drop n), each at the first dequeue at or after it.
        let mut codel = CoDel::new(5 * MS, 100 * MS);
        let mut trace = Trace::new();
        trace.queue.extend(std::iter::repeat_n(0, 100_000));
        for t in 10..=2_000u64 {
            trace.dequeue(&mut codel, t * MS);
        }
        let mut expected = vec![110 * MS];
        let mut drop_next = 110 * MS;
        let mut count = 1u64;
        loop {
            drop_next += (100.0 * MS as f64 / libm::sqrt(count as f64)) as SimTime;
            // Dequeues happen on whole milliseconds.
            let at = drop_next.div_ceil(MS) * MS;
            if at > 2_000 * MS {
                break;
            }
            expected.push(at);
            count += 1;
        }
        let got: Vec<SimTime> = trace.dropped.iter().map(|&(now, _)| now).collect();
        assert_eq!(got, expected);
        // Σ 100/√n ≈ 100·(2√N + ζ(½)) = 200√N − 146 ms reaches the 1890 ms after the first
        // drop at N ≈ 104.
        assert!((100..=108).contains(&got.len()), "{}", got.len());
    }

    #[test]
    fn several_drops_in_one_dequeue_when_behind_schedule() {
        // Dequeues far apart: at 110 ms the dropping state begins (drop 1, count 1, next due
        // at 210 ms). The next dequeue comes at 400 ms: drops while now ≥ drop_next —
        // drop_next 210 → (count 2) 210 + 70.71 = 280.71 → (count 3) + 57.74 = 338.45 →
        // (count 4) + 50 = 388.45 → (count 5) + 44.72 = 433.17 > 400: four drops, then serve.
        let mut codel = CoDel::new(5 * MS, 100 * MS);
        let mut trace = Trace::new();
        trace.queue.extend(std::iter::repeat_n(0, 1_000));
        trace.dequeue(&mut codel, 10 * MS);
        trace.dequeue(&mut codel, 110 * MS);
        assert_eq!(trace.dropped.len(), 1);
        trace.dequeue(&mut codel, 400 * MS);
        assert_eq!(trace.dropped.len(), 5);
        assert_eq!(codel.count(), 5);
        assert_eq!(trace.served.len(), 3);
    }

    #[test]
    fn a_short_sojourn_ends_the_dropping_state_and_a_quick_return_resumes_the_old_rate() {
        let mut codel = CoDel::new(5 * MS, 100 * MS);
        let mut trace = Trace::new();
        trace.queue.extend(std::iter::repeat_n(0, 1_000));
        for t in 10..=400u64 {
            trace.dequeue(&mut codel, t * MS);
        }
        let count = codel.count();
        assert!(count >= 4, "{count}");
        // A fresh request (sojourn 0 < target) ends the dropping state.
        trace.queue.clear();
        trace.queue.extend([401 * MS, 401 * MS, 401 * MS]);
        trace.dequeue(&mut codel, 401 * MS);
        assert!(!codel.dropping);
        // The queue stands again: above target from 410 ms, ok to drop from 510 ms, within
        // 16 intervals of the last drop_next: the dropping state resumes with
        // count = count − lastcount (lastcount was 1), not 1.
        trace.queue.clear();
        trace.queue.extend(std::iter::repeat_n(400 * MS, 1_000));
        let before = trace.dropped.len();
        for t in 410..=510u64 {
            trace.dequeue(&mut codel, t * MS);
        }
        assert_eq!(trace.dropped.len(), before + 1);
        assert_eq!(codel.count(), count - 1);
    }

    #[test]
    fn with_at_most_one_request_left_nothing_is_dropped() {
        // The RFC's "bytes() <= MAXPACKET": a single old request is no standing queue.
        let mut codel = CoDel::new(5 * MS, 100 * MS);
        let mut trace = Trace::new();
        for t in 0..50u64 {
            trace.queue.extend([t * 10 * MS, t * 10 * MS]);
            trace.dequeue(&mut codel, t * 10 * MS + 200 * MS);
            trace.dequeue(&mut codel, t * 10 * MS + 200 * MS);
        }
        assert!(trace.dropped.is_empty());
    }
}
