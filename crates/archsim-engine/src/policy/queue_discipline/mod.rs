//! Queue disciplines: in which order a station's waiting requests get a worker, and which
//! ones are dropped instead. FIFO (the default) and LIFO are a line's two ends; adaptive LIFO
//! (`adaptive_lifo.rs`), CoDel (`codel.rs`) and priority by request class (`priority.rs`) each
//! have their own file and tests.
//!
//! [`WaitQueue`] holds the entries (job, time queued, class rank) and picks the next one by
//! discipline; it knows nothing of jobs. CoDel keeps FIFO order and is a separate state
//! ([`codel_of`]) that judges what the queue yields. The station (`core.rs`) skips entries
//! whose job was cancelled while waiting, passes live ones through CoDel when it has one, and
//! finishes the dropped and shed requests.

pub mod adaptive_lifo;
pub mod codel;
pub mod priority;

use std::collections::VecDeque;

use archsim_model::design::QueueDiscipline;

use crate::slab::Handle;
use crate::time::{SimTime, from_ms};

use adaptive_lifo::AdaptiveLifo;
use codel::CoDel;
use priority::Priority;

/// The CoDel state of a discipline that drops by CoDel.
pub fn codel_of(discipline: &QueueDiscipline) -> Option<CoDel> {
    match discipline {
        QueueDiscipline::Codel {
            target_ms,
            interval_ms,
        } => Some(CoDel::new(from_ms(*target_ms), from_ms(*interval_ms))),
        _ => None,
    }
}

/// A request waiting for a worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub job: Handle,
    /// When it joined the queue (CoDel's sojourn time is measured from here).
    pub since: SimTime,
    /// Its class's priority rank, 0 the highest (0 for every request but under priority).
    pub rank: u16,
}

/// How the next entry is picked.
#[derive(Debug, Clone)]
pub enum Order {
    Fifo,
    Lifo,
    AdaptiveLifo(AdaptiveLifo),
    Priority(Priority),
}

/// The wait line of a station: one lane, or one per priority rank.
#[derive(Debug, Clone)]
pub struct WaitQueue {
    pub(super) lanes: Vec<VecDeque<Entry>>,
    pub order: Order,
}

impl WaitQueue {
    pub fn fifo() -> WaitQueue {
        WaitQueue::new(Order::Fifo)
    }

    /// The queue of a discipline; `class_names` are the design's request classes by index.
    pub fn of(discipline: &QueueDiscipline, class_names: &[String]) -> WaitQueue {
        WaitQueue::new(match discipline {
            // CoDel serves in arrival order; its drops are `codel_of`'s.
            QueueDiscipline::Fifo | QueueDiscipline::Codel { .. } => Order::Fifo,
            QueueDiscipline::Lifo => Order::Lifo,
            QueueDiscipline::AdaptiveLifo { threshold } => {
                Order::AdaptiveLifo(AdaptiveLifo::new(u64::from(*threshold)))
            }
            QueueDiscipline::Priority { classes } => {
                Order::Priority(Priority::new(classes, class_names))
            }
        })
    }

    fn new(order: Order) -> WaitQueue {
        let lanes = match &order {
            Order::Priority(p) => p.ranks(),
            _ => 1,
        };
        WaitQueue {
            lanes: (0..lanes).map(|_| VecDeque::new()).collect(),
            order,
        }
    }

    /// The rank a request of class `class` waits under.
    pub fn rank_of(&self, class: u16) -> u16 {
        match &self.order {
            Order::Priority(p) => p.rank_of(class),
            _ => 0,
        }
    }

    pub fn push(&mut self, entry: Entry) {
        self.lanes[entry.rank as usize].push_back(entry);
    }

    /// Entries held, cancelled ones included.
    pub fn len(&self) -> usize {
        self.lanes.iter().map(VecDeque::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.lanes.iter().all(VecDeque::is_empty)
    }

    /// The next entry in the discipline's order, with `live` requests waiting (cancelled
    /// entries are not requests: adaptive LIFO counts only the live ones).
    pub fn pop(&mut self, live: u64) -> Option<Entry> {
        match &self.order {
            Order::Fifo => self.lanes[0].pop_front(),
            Order::Lifo => self.lanes[0].pop_back(),
            Order::AdaptiveLifo(a) => {
                if a.newest_first(live) {
                    self.lanes[0].pop_back()
                } else {
                    self.lanes[0].pop_front()
                }
            }
            Order::Priority(_) => self.lanes.iter_mut().find_map(VecDeque::pop_front),
        }
    }

    /// Under priority: the newest entry of the lowest rank below `rank` that holds any (the
    /// one a newcomer of `rank` may push out when the queue is full). None otherwise.
    pub fn pop_lowest_below(&mut self, rank: u16) -> Option<Entry> {
        if !matches!(self.order, Order::Priority(_)) {
            return None;
        }
        self.lanes
            .iter_mut()
            .skip(rank as usize + 1)
            .rev()
            .find_map(VecDeque::pop_back)
    }

    /// Under priority: whether an entry of a lower rank than `rank` passes `live`. False
    /// otherwise.
    pub fn any_below(&self, rank: u16, live: impl Fn(&Entry) -> bool) -> bool {
        matches!(self.order, Order::Priority(_))
            && self
                .lanes
                .iter()
                .skip(rank as usize + 1)
                .any(|lane| lane.iter().any(&live))
    }

    /// Every entry, the queue left empty (a crash).
    pub fn drain(&mut self) -> Vec<Entry> {
        self.lanes
            .iter_mut()
            .flat_map(|lane| lane.drain(..))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u32, rank: u16) -> Entry {
        Entry {
            job: Handle {
                index: n,
                generation: 0,
            },
            since: 0,
            rank,
        }
    }

    #[test]
    fn fifo_serves_the_oldest_and_lifo_the_newest() {
        let mut fifo = WaitQueue::of(&QueueDiscipline::Fifo, &[]);
        let mut lifo = WaitQueue::of(&QueueDiscipline::Lifo, &[]);
        for n in 1..=3 {
            fifo.push(entry(n, 0));
            lifo.push(entry(n, 0));
        }
        assert_eq!(fifo.pop(3), Some(entry(1, 0)));
        assert_eq!(lifo.pop(3), Some(entry(3, 0)));
        assert_eq!(lifo.pop(2), Some(entry(2, 0)));
        assert_eq!(fifo.len(), 2);
    }
}
