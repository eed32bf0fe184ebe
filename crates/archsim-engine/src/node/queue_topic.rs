//! The message queue's lag bookkeeping: messages waiting per line (partitions or
//! subscriptions) with each period's maxima, and a partitioned topic as one consumer group
//! reads it (partition owners, lag, committed offsets).

use crate::policy::partitioner::range_assignment;

/// Messages waiting per line (partitions, or subscriptions), with the period's maxima.
pub(super) struct Lags {
    pub(super) lag: Vec<u64>,
    pub(super) max_whole: Vec<u64>,
    pub(super) max_batch: Vec<u64>,
}

impl Lags {
    pub(super) fn new(lines: usize) -> Lags {
        Lags {
            lag: vec![0; lines],
            max_whole: vec![0; lines],
            max_batch: vec![0; lines],
        }
    }

    pub(super) fn add(&mut self, line: usize) {
        self.lag[line] += 1;
        self.max_whole[line] = self.max_whole[line].max(self.lag[line]);
        self.max_batch[line] = self.max_batch[line].max(self.lag[line]);
    }

    pub(super) fn take(&mut self, line: usize) {
        self.lag[line] = self.lag[line].saturating_sub(1);
    }

    pub(super) fn new_period(&mut self, whole: bool) {
        if whole {
            self.max_whole.clone_from(&self.lag);
        }
        self.max_batch.clone_from(&self.lag);
    }
}

/// A partitioned topic as one consumer group reads it: which of the group's consumers (its
/// lines, from 0) owns each partition, each partition's lag, and the group's committed offset
/// in each partition.
pub(super) struct Topic {
    pub(super) owner: Vec<u32>,
    /// The consumers' lines (stations) in the group.
    pub(super) lines: u32,
    pub(super) lag: Vec<u64>,
    pub(super) max_lag_whole: Vec<u64>,
    pub(super) max_lag_batch: Vec<u64>,
    /// Messages of each partition the group has finished (its committed offset).
    pub(super) committed: Vec<u64>,
}

impl Topic {
    pub(super) fn new(partitions: u32, consumers: u32) -> Topic {
        let p = partitions.max(1);
        let owner = range_assignment(p, consumers);
        Topic {
            owner,
            lines: consumers.max(1),
            lag: vec![0; p as usize],
            max_lag_whole: vec![0; p as usize],
            max_lag_batch: vec![0; p as usize],
            committed: vec![0; p as usize],
        }
    }

    /// A message joins partition `partition`'s lag.
    pub(super) fn add(&mut self, partition: usize) {
        self.lag[partition] += 1;
        let lag = self.lag[partition];
        self.max_lag_whole[partition] = self.max_lag_whole[partition].max(lag);
        self.max_lag_batch[partition] = self.max_lag_batch[partition].max(lag);
    }

    pub(super) fn waiting(&self) -> u64 {
        self.lag.iter().sum()
    }

    pub(super) fn partitions(&self) -> u32 {
        self.owner.len() as u32
    }

    /// The consumers' lines (one station each).
    pub(super) fn owner_lines(&self) -> u32 {
        self.lines
    }
}

/// Appends each member's lag at the bucket's end to its line of `lines`.
pub(super) fn push_lags(lines: &mut Vec<Vec<u64>>, lags: &[u64]) {
    if lines.len() < lags.len() {
        lines.resize_with(lags.len(), Vec::new);
    }
    for (line, &lag) in lines.iter_mut().zip(lags) {
        line.push(lag);
    }
}
