//! Strict priority by request class, lowest class shed first. The design lists class names
//! from the highest priority down; classes it does not list share the rank after the last
//! listed one. The highest rank waiting is served first, FIFO within a rank. When the queue
//! is full, a newcomer of a higher rank than the lowest one waiting pushes out the newest
//! request of that lowest rank (the station fails it with `shed_priority`); a newcomer of the
//! lowest rank waiting, or lower, is rejected as the queue is full.

#[derive(Debug, Clone)]
pub struct Priority {
    /// Rank of each request class, by class index.
    rank_of_class: Vec<u16>,
    /// Ranks in all: the listed classes plus one for every other class.
    ranks: usize,
}

impl Priority {
    /// `listed` highest first; `class_names` are the design's classes by index.
    pub fn new(listed: &[String], class_names: &[String]) -> Priority {
        let unlisted = listed.len() as u16;
        Priority {
            rank_of_class: class_names
                .iter()
                .map(|name| {
                    listed
                        .iter()
                        .position(|l| l == name)
                        .map_or(unlisted, |rank| rank as u16)
                })
                .collect(),
            ranks: listed.len() + 1,
        }
    }

    pub fn ranks(&self) -> usize {
        self.ranks
    }

    pub fn rank_of(&self, class: u16) -> u16 {
        self.rank_of_class
            .get(class as usize)
            .copied()
            .unwrap_or(self.ranks as u16 - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::queue_discipline::{Entry, Order, WaitQueue};
    use crate::slab::Handle;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn entry(index: u32, rank: u16) -> Entry {
        Entry {
            job: Handle {
                index,
                generation: 0,
            },
            since: 0,
            rank,
        }
    }

    #[test]
    fn listed_classes_rank_in_order_and_the_rest_share_the_last_rank() {
        let p = Priority::new(
            &names(&["gold", "silver"]),
            &names(&["bronze", "gold", "silver", "free"]),
        );
        assert_eq!(p.ranks(), 3);
        assert_eq!(
            (0..4).map(|c| p.rank_of(c)).collect::<Vec<_>>(),
            vec![2, 0, 1, 2]
        );
    }

    #[test]
    fn highest_rank_first_fifo_within_a_rank_and_the_newest_of_the_lowest_is_shed() {
        let p = Priority::new(&names(&["gold", "silver"]), &names(&["gold", "silver"]));
        let mut queue = WaitQueue {
            lanes: (0..p.ranks()).map(|_| Default::default()).collect(),
            order: Order::Priority(p),
        };
        for (index, rank) in [(1, 2), (2, 1), (3, 2), (4, 0), (5, 1), (6, 2)] {
            queue.push(entry(index, rank));
        }
        // A gold newcomer pushes out the newest of the lowest rank (6); a rank-2 one cannot
        // push anyone out.
        assert_eq!(queue.pop_lowest_below(0), Some(entry(6, 2)));
        assert_eq!(queue.pop_lowest_below(2), None);
        // A silver newcomer pushes out the newest rank-2 left (3), never a silver or gold one.
        assert_eq!(queue.pop_lowest_below(1), Some(entry(3, 2)));
        let order: Vec<u32> = std::iter::from_fn(|| queue.pop(0).map(|e| e.job.index)).collect();
        assert_eq!(order, vec![4, 2, 5, 1]);
    }
}
