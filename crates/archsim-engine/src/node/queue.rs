//! Message queue: a producer's request is acknowledged as soon as the message is enqueued (or
//! rejected as queue-full when `capacity` messages are already waiting). Up to `consumers`
//! messages are delivered at once, each to the next ordinary outgoing edge in round-robin order.
//! A failed delivery puts the message back at the tail of the queue, until it has failed
//! `max_deliveries` times; then it goes to the dead-letter node (if any) and is dropped.
//!
//! A queue with no ordinary outgoing edge (a dead-letter queue, typically) has nobody to deliver
//! to: its messages stay, up to `capacity`, for someone to look at.
//!
//! `delivered` counts deliveries, redeliveries included; a message that failed and went to the
//! dead-letter node counts as a failure of the queue (with the last delivery's cause).
//!
//! The node's figures describe messages: residence is enqueue to successful delivery, in flight
//! is messages held (waiting or being delivered), utilisation is busy consumers.

use archsim_model::design::{Design, QueueParams};

use crate::metrics::{Outcome, extra, node_area};
use crate::sim::{JobState, Sim, Station};
use crate::slab::Handle;

use super::NodeModel;

pub(crate) struct QueueModel {
    pub station: Station,
    pub max_deliveries: u32,
    pub deliver_edges: Vec<u32>,
    pub dead_letter_edge: Option<u32>,
    pub max_depth_whole: u64,
    pub max_depth_batch: u64,
}

impl QueueModel {
    pub fn new(p: &QueueParams, out: &[u32], design: &Design) -> QueueModel {
        let is_dead_letter = |e: u32| {
            p.dead_letter
                .as_deref()
                .is_some_and(|dl| design.edges[e as usize].to == dl)
        };
        QueueModel {
            station: Station::new(p.consumers, p.capacity),
            max_deliveries: p.max_deliveries.max(1),
            deliver_edges: out
                .iter()
                .copied()
                .filter(|&e| !is_dead_letter(e))
                .collect(),
            dead_letter_edge: out.iter().copied().find(|&e| is_dead_letter(e)),
            max_depth_whole: 0,
            max_depth_batch: 0,
        }
    }
}

impl Sim {
    pub(crate) fn queue_accept(&mut self, job: Handle, n: usize) {
        let NodeModel::Queue(q) = &self.nodes[n].model else {
            unreachable!()
        };
        if q.station.waiting >= q.station.capacity {
            self.finish(job, Outcome::QueueFull);
            return;
        }
        let extra_base = self.nodes[n].extra;
        self.recorder.incr(extra_base + extra::QUEUE_ENQUEUED);
        // Acknowledge the producer now; the message lives on without a caller.
        let (parent, attempt, reply_edge) = {
            let j = self.jobs.get_mut(job).expect("live");
            let caller = (j.parent, j.attempt, j.reply_edge);
            j.parent = Handle::NONE;
            caller
        };
        self.send_reply(parent, attempt, reply_edge, Outcome::Success);
        let NodeModel::Queue(q) = &mut self.nodes[n].model else {
            unreachable!()
        };
        if q.deliver_edges.is_empty() {
            q.station.queue.push_back(job);
            q.station.waiting += 1;
            let areas = self.nodes[n].areas;
            self.recorder
                .change_level(areas + node_area::QUEUE, self.now, 1);
            let depth = self.recorder.level(areas + node_area::QUEUE) as u64;
            self.nodes[n].model.note_depth(depth);
            self.jobs.get_mut(job).expect("live").state = JobState::Queued;
        } else {
            self.station_admit(job, 0);
        }
    }

    /// A consumer took the message: deliver it.
    pub(crate) fn queue_deliver(&mut self, job: Handle, n: usize) {
        let NodeModel::Queue(q) = &self.nodes[n].model else {
            unreachable!()
        };
        // Never empty: messages of a queue without delivery edges are only held.
        let len = q.deliver_edges.len() as u32;
        let i = self.round_robin(n, len);
        let NodeModel::Queue(q) = &self.nodes[n].model else {
            unreachable!()
        };
        let edge = q.deliver_edges[i as usize];
        let extra_base = self.nodes[n].extra;
        self.recorder.incr(extra_base + extra::QUEUE_DELIVERED);
        self.jobs.get_mut(job).expect("live").state = JobState::Calling;
        self.start_call(job, edge);
    }

    pub(crate) fn queue_call_done(&mut self, job: Handle, n: usize, _edge: u32, outcome: Outcome) {
        let extra_base = self.nodes[n].extra;
        let j = *self.jobs.get(job).expect("live");
        if j.flag {
            // The dead-letter hand-off is over, whatever its outcome: the message is gone.
            self.finish(job, j.failure);
            return;
        }
        if outcome.is_success() {
            self.finish(job, Outcome::Success);
            return;
        }
        let NodeModel::Queue(q) = &self.nodes[n].model else {
            unreachable!()
        };
        let (max, dead_letter) = (q.max_deliveries, q.dead_letter_edge);
        let deliveries = j.aux + 1;
        self.jobs.get_mut(job).expect("live").aux = deliveries;
        if deliveries < max {
            self.recorder.incr(extra_base + extra::QUEUE_REDELIVERIES);
            self.requeue(job, n);
            return;
        }
        self.recorder.incr(extra_base + extra::QUEUE_DEAD_LETTERED);
        self.let_go_of_worker(job);
        match dead_letter {
            Some(edge) => {
                let j = self.jobs.get_mut(job).expect("live");
                j.flag = true;
                j.failure = outcome;
                self.start_call(job, edge);
            }
            None => self.finish(job, outcome),
        }
    }

    /// Back to the tail of the queue (it already counts against capacity, so it always fits).
    fn requeue(&mut self, job: Handle, n: usize) {
        let now = self.now;
        let areas = self.nodes[n].areas;
        let NodeModel::Queue(q) = &mut self.nodes[n].model else {
            unreachable!()
        };
        q.station.queue.push_back(job);
        q.station.waiting += 1;
        self.recorder.change_level(areas + node_area::QUEUE, now, 1);
        let depth = self.recorder.level(areas + node_area::QUEUE) as u64;
        self.nodes[n].model.note_depth(depth);
        // Mark it queued before the consumer is released: releasing may pick it right up.
        let j = self.jobs.get_mut(job).expect("live");
        j.state = JobState::Queued;
        let held = j.holds_worker;
        j.holds_worker = false;
        if held {
            self.release_worker(n as u32, 0);
        }
    }
}
