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

use archsim_model::design::QueueParams;
use archsim_model::report::{NodeReport, NodeSeries, QueueReport};

use crate::core::{Admission, CallOver, Station};
use crate::metrics::{Outcome, estimate, extra};
use crate::request::Message;
use crate::slab::Handle;

use super::{Behaviour, BuildContext, KindFigures, NodeCtx};

pub(crate) struct QueueModel {
    max_deliveries: u32,
    deliver_edges: Vec<u32>,
    dead_letter_edge: Option<u32>,
    max_depth_whole: u64,
    max_depth_batch: u64,
}

impl QueueModel {
    pub fn new(p: &QueueParams, cx: &BuildContext<'_>) -> QueueModel {
        let is_dead_letter = |e: u32| {
            p.dead_letter
                .as_deref()
                .is_some_and(|dl| cx.design.edges[e as usize].to == dl)
        };
        QueueModel {
            max_deliveries: p.max_deliveries.max(1),
            deliver_edges: cx
                .out
                .iter()
                .copied()
                .filter(|&e| !is_dead_letter(e))
                .collect(),
            dead_letter_edge: cx.out.iter().copied().find(|&e| is_dead_letter(e)),
            max_depth_whole: 0,
            max_depth_batch: 0,
        }
    }

    /// Consumers and the messages' wait line.
    pub fn station(p: &QueueParams) -> Station {
        Station::new(p.consumers, p.capacity)
    }

    /// Records the wait line's depth for the period maxima.
    fn note_depth(ctx: &mut NodeCtx<'_, Self>) {
        let depth = ctx.queue_length() as u64;
        let queue = &mut *ctx.model;
        queue.max_depth_whole = queue.max_depth_whole.max(depth);
        queue.max_depth_batch = queue.max_depth_batch.max(depth);
    }
}

impl Behaviour for QueueModel {
    type Data = Message;

    fn accept(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        let station = ctx.station(0);
        if station.waiting >= station.capacity {
            ctx.finish(job, Outcome::QueueFull);
            return;
        }
        ctx.count(extra::QUEUE_ENQUEUED);
        // Acknowledge the producer now; the message lives on without a caller.
        ctx.acknowledge(job);
        if ctx.model.deliver_edges.is_empty() {
            ctx.hold(job, 0);
            Self::note_depth(ctx);
        } else if ctx.admit(job, 0) == Admission::Queued {
            Self::note_depth(ctx);
        }
    }

    /// A consumer took the message: deliver it.
    fn begin_work(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        // Never empty: messages of a queue without delivery edges are only held.
        let len = ctx.model.deliver_edges.len() as u32;
        let i = ctx.round_robin(len);
        let edge = ctx.model.deliver_edges[i as usize];
        ctx.count(extra::QUEUE_DELIVERED);
        ctx.call(job, edge);
    }

    fn call_done(ctx: &mut NodeCtx<'_, Self>, job: Handle, over: CallOver) {
        let failed = match ctx.data(job) {
            Message::DeadLettering { failure } => {
                // The dead-letter hand-off is over, whatever its outcome: the message is gone.
                ctx.finish(job, failure);
                return;
            }
            Message::Delivering { failed } => failed,
        };
        if over.outcome.is_success() {
            ctx.finish(job, Outcome::Success);
            return;
        }
        let failed = failed + 1;
        ctx.set_data(job, Message::Delivering { failed });
        if failed < ctx.model.max_deliveries {
            ctx.count(extra::QUEUE_REDELIVERIES);
            // Back to the tail of the line (it already counts against capacity, so it fits),
            // queued before its consumer goes: the consumer may pick it right up.
            ctx.hold(job, 0);
            Self::note_depth(ctx);
            ctx.let_go_of_worker(job);
            return;
        }
        ctx.count(extra::QUEUE_DEAD_LETTERED);
        ctx.let_go_of_worker(job);
        match ctx.model.dead_letter_edge {
            Some(edge) => {
                ctx.set_data(
                    job,
                    Message::DeadLettering {
                        failure: over.outcome,
                    },
                );
                ctx.call(job, edge);
            }
            None => ctx.finish(job, over.outcome),
        }
    }

    fn new_period(&mut self, whole: bool, waiting: u64) {
        if whole {
            self.max_depth_whole = waiting;
        }
        self.max_depth_batch = waiting;
    }

    fn report(&self, figures: &KindFigures<'_>, report: &mut NodeReport) {
        let count = |i: u32| estimate((figures.extra)(i) as f64);
        let max_depth = if figures.whole {
            self.max_depth_whole
        } else {
            self.max_depth_batch
        };
        report.queue = Some(QueueReport {
            enqueued: count(extra::QUEUE_ENQUEUED),
            delivered: count(extra::QUEUE_DELIVERED),
            redeliveries: count(extra::QUEUE_REDELIVERIES),
            dead_lettered: count(extra::QUEUE_DEAD_LETTERED),
            max_depth: estimate(max_depth as f64),
        });
    }

    fn push_series(&self, figures: &KindFigures<'_>, series: &mut NodeSeries) {
        series.enqueued.push((figures.extra)(extra::QUEUE_ENQUEUED));
        series
            .delivered
            .push((figures.extra)(extra::QUEUE_DELIVERED));
        series
            .redeliveries
            .push((figures.extra)(extra::QUEUE_REDELIVERIES));
        series
            .dead_lettered
            .push((figures.extra)(extra::QUEUE_DEAD_LETTERED));
    }
}
