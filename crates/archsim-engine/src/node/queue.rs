//! Message queue: a producer's request is acknowledged as soon as the message is enqueued (or
//! rejected as queue-full when `capacity` messages are already waiting). Up to `consumers`
//! messages are delivered at once, each to the next ordinary outgoing edge in round-robin order.
//! A failed delivery puts the message back at the tail of the queue, until it has failed
//! `max_deliveries` times; then it goes to the dead-letter node (if any) and is dropped.
//!
//! With `backpressure: block`, a producer that finds the queue full is not answered: it waits,
//! first come first served, until a consumer takes a message and frees a place; then its
//! message is enqueued and it is acknowledged. Its wait is part of its latency (and may run
//! into its caller's timeout).
//!
//! With `partitions` the queue is a partitioned topic, as Kafka's: a message goes to the
//! partition Kafka's default partitioner picks for its key (murmur2 of the key's decimal string,
//! sign bit cleared, modulo the partition count; `policy::partitioner`); the consumers form one consumer group, and each partition is
//! assigned to one consumer (Kafka's range assignor: consecutive partitions, the first
//! consumers taking one more when they do not divide evenly; consumers beyond the partition
//! count idle). A consumer delivers one message at a time, in the order its partitions received
//! them, so order is kept within a partition; a failed delivery is retried at once (up to
//! `max_deliveries`), not sent to the back. A partition's lag is its messages not yet taken by
//! its consumer; a hot key makes a hot partition, and its consumer the bottleneck.
//!
//! With `visibility_timeout_ms` the queue is consumed as Amazon SQS is (`node::visibility`): a
//! received message is invisible for the timeout and deleted when its delivery succeeds; one
//! not deleted in time is visible again and received again — a duplicate if the first
//! delivery then succeeds too. A failed delivery waits out its timeout; a receive beyond
//! `max_deliveries` (SQS's `maxReceiveCount`) sends the message to the dead-letter node.
//!
//! With `fan_out` the queue is a pub/sub topic: every message goes to every subscription — each
//! ordinary outgoing edge is one, a consumer group with its own `consumers` and its own line
//! (its offset and lag) — instead of the edges sharing the messages. A subscription's copy of a
//! message is a job of its own from the moment it is published.
//!
//! With `consumer_scaling` the consumers are a consumer group scaled on lag, as KEDA scales
//! one (`queue_scaling`, `scaling::keda`).
//!
//! `queue_discipline` orders a plain shared queue's line as a service's wait queue is ordered,
//! by the same code (`policy::queue_discipline`, the core's stations): the order in which
//! consumers take waiting messages (FIFO, LIFO, adaptive LIFO, priority by class), and the
//! messages dropped instead of delivered — CoDel on a message's time in the line (from when it
//! joined it: enqueued, or put back after a failed delivery), and under priority, a full queue
//! that refuses producers (`backpressure: reject`) takes a message of a higher class than the
//! lowest waiting by shedding the newest message of that lowest class. Dropped and shed
//! messages fail at the queue (causes `codel_dropped`, `shed_priority`); their producers were
//! acknowledged long before. Validation keeps other disciplines off partitioned, SQS-style and
//! fan-out queues, whose lines keep their own order.
//!
//! A queue with no ordinary outgoing edge (a dead-letter queue, typically) has nobody to deliver
//! to: its messages stay, up to `capacity`, for someone to look at.
//!
//! `delivered` counts deliveries, redeliveries included; a message that failed and went to the
//! dead-letter node counts as a failure of the queue (with the last delivery's cause).
//!
//! The node's figures describe messages: residence is enqueue to successful delivery, in flight
//! is messages held (waiting or being delivered), utilisation is busy consumers.

use std::collections::VecDeque;

use archsim_model::design::{Backpressure, QueueDiscipline, QueueParams};
use archsim_model::report::{NodeReport, NodeSeries, QueueReport};

use crate::core::{Admission, CallOver, Station};
use crate::metrics::{Outcome, estimate, extra};
use crate::policy::partitioner::{partition_for_key, range_assignment};
use crate::request::Message;
use crate::slab::Handle;
use crate::time::{SimTime, from_ms};

use super::visibility::{Expiry, Receive, Visibility};
use super::{Behaviour, BuildContext, KindFigures, NodeCtx};

#[path = "queue_scaling.rs"]
mod scaling;
use scaling::{Consumers, is_scaler_tag};

pub(crate) struct QueueModel {
    max_deliveries: u32,
    deliver_edges: Vec<u32>,
    dead_letter_edge: Option<u32>,
    max_depth_whole: u64,
    max_depth_batch: u64,
    /// Producers wait for a place instead of being refused.
    block: bool,
    /// Producers waiting for a place, oldest first.
    blocked: VecDeque<Handle>,
    /// A partitioned topic's partitions (None: one shared queue).
    topic: Option<Topic>,
    /// SQS's visibility timeout, and the messages' receives.
    visibility: Option<(SimTime, Visibility)>,
    /// Pub/sub: each subscription's (station's) lag, with `fan_out`.
    subscriptions: Option<Lags>,
    /// The first per-subscription counter (messages delivered to it).
    subscription_counters: u32,
    /// A consumer group scaled on lag (`consumer_scaling`).
    consumers: Option<Consumers>,
    /// The discipline sheds by priority when the queue is full.
    sheds_by_priority: bool,
    /// The discipline drops waiting messages (CoDel): a place may free without a delivery.
    drops_waiting: bool,
}

/// Messages waiting per line (partitions, or subscriptions), with the period's maxima.
struct Lags {
    lag: Vec<u64>,
    max_whole: Vec<u64>,
    max_batch: Vec<u64>,
}

impl Lags {
    fn new(lines: usize) -> Lags {
        Lags {
            lag: vec![0; lines],
            max_whole: vec![0; lines],
            max_batch: vec![0; lines],
        }
    }

    fn add(&mut self, line: usize) {
        self.lag[line] += 1;
        self.max_whole[line] = self.max_whole[line].max(self.lag[line]);
        self.max_batch[line] = self.max_batch[line].max(self.lag[line]);
    }

    fn take(&mut self, line: usize) {
        self.lag[line] = self.lag[line].saturating_sub(1);
    }

    fn new_period(&mut self, whole: bool) {
        if whole {
            self.max_whole.clone_from(&self.lag);
        }
        self.max_batch.clone_from(&self.lag);
    }
}

/// A partitioned topic: which consumer (station) owns each partition, and each partition's lag.
struct Topic {
    owner: Vec<u32>,
    /// The consumers' lines (stations).
    lines: u32,
    lag: Vec<u64>,
    max_lag_whole: Vec<u64>,
    max_lag_batch: Vec<u64>,
    capacity: u64,
}

impl Topic {
    fn new(partitions: u32, consumers: u32, capacity: u64) -> Topic {
        let p = partitions.max(1);
        let owner = range_assignment(p, consumers);
        Topic {
            owner,
            lines: consumers.max(1),
            lag: vec![0; p as usize],
            max_lag_whole: vec![0; p as usize],
            max_lag_batch: vec![0; p as usize],
            capacity,
        }
    }

    /// Kafka's default partitioner: murmur2 of the key (as its decimal string) modulo the
    /// partition count.
    fn partition_of(&self, key: u64) -> usize {
        partition_for_key(key, self.owner.len() as u32) as usize
    }

    fn waiting(&self) -> u64 {
        self.lag.iter().sum()
    }

    fn partitions(&self) -> u32 {
        self.owner.len() as u32
    }

    /// The consumers' lines (one station each).
    fn owner_lines(&self) -> u32 {
        self.lines
    }
}

impl QueueModel {
    pub fn new(p: &QueueParams, cx: &BuildContext<'_>) -> QueueModel {
        let is_dead_letter = |e: u32| {
            p.dead_letter
                .as_deref()
                .is_some_and(|dl| cx.design.edges[e as usize].to == dl)
        };
        let deliver_edges: Vec<u32> = cx
            .out
            .iter()
            .copied()
            .filter(|&e| !is_dead_letter(e))
            .collect();
        let fan_out = p.fan_out && !deliver_edges.is_empty();
        let subscription_counters = extra::QUEUE_COUNT + p.partitions.unwrap_or(0);
        let subscription_lines = if fan_out {
            deliver_edges.len() as u32
        } else {
            0
        };
        let consumers = Consumers::new(p, subscription_counters + subscription_lines);
        let mut topic = p.partitions.map(|n| Topic::new(n, p.consumers, p.capacity));
        if let (Some(topic), Some(consumers)) = (&mut topic, &consumers) {
            topic.owner = consumers.assignment(topic.partitions());
            topic.lines = consumers.stations(p, cx.class_names).len() as u32;
        }
        QueueModel {
            max_deliveries: p.max_deliveries.max(1),
            subscriptions: fan_out.then(|| Lags::new(deliver_edges.len())),
            subscription_counters,
            consumers,
            deliver_edges,
            dead_letter_edge: cx.out.iter().copied().find(|&e| is_dead_letter(e)),
            max_depth_whole: 0,
            max_depth_batch: 0,
            block: p.backpressure == Backpressure::Block,
            blocked: VecDeque::new(),
            sheds_by_priority: matches!(p.queue_discipline, QueueDiscipline::Priority { .. }),
            drops_waiting: matches!(p.queue_discipline, QueueDiscipline::Codel { .. }),
            topic,
            visibility: p
                .visibility_timeout_ms
                .map(|t| (from_ms(t), Visibility::new(p.max_deliveries))),
        }
    }

    /// Consumers and the messages' wait line: one shared line, or with partitions one line and
    /// one consumer each (a consumer's line holds its partitions' messages in arrival order).
    /// With `fan_out`, one line and `consumers` per subscription.
    pub fn stations(&self, p: &QueueParams, class_names: &[String]) -> Vec<Station> {
        if let Some(consumers) = &self.consumers {
            return consumers.stations(p, class_names);
        }
        if let Some(subscriptions) = &self.subscriptions {
            return subscriptions
                .lag
                .iter()
                .map(|_| Station::new(p.consumers, p.capacity))
                .collect();
        }
        match p.partitions {
            None => vec![Station::with_discipline(
                p.consumers,
                p.capacity,
                &p.queue_discipline,
                class_names,
            )],
            Some(_) => (0..p.consumers.max(1))
                .map(|_| Station::new(1, p.capacity))
                .collect(),
        }
    }

    /// Kind-specific counters: the queue's, then messages per partition, then messages
    /// delivered per subscription.
    pub fn counters(&self, _p: &QueueParams) -> u32 {
        self.subscription_counters
            + self
                .subscriptions
                .as_ref()
                .map_or(0, |s| s.lag.len() as u32)
            + self
                .consumers
                .as_ref()
                .map_or(0, |_| Consumers::counter_count())
    }

    /// Whether the queue has no room for one more message.
    fn full(ctx: &NodeCtx<'_, Self>) -> bool {
        if let Some(subscriptions) = &ctx.model.subscriptions {
            // Full when any subscription's line is.
            return (0..subscriptions.lag.len() as u32).any(|i| {
                let station = ctx.station(i);
                station.waiting >= station.capacity
            });
        }
        match &ctx.model.topic {
            Some(topic) => topic.waiting() >= topic.capacity,
            None => {
                let station = ctx.station(0);
                station.waiting >= station.capacity
            }
        }
    }

    /// Records the wait line's depth for the period maxima.
    fn note_depth(ctx: &mut NodeCtx<'_, Self>) {
        let depth = ctx.queue_length() as u64;
        let queue = &mut *ctx.model;
        queue.max_depth_whole = queue.max_depth_whole.max(depth);
        queue.max_depth_batch = queue.max_depth_batch.max(depth);
    }

    /// The message joins the wait line (or a free consumer takes it) and the producer is
    /// acknowledged.
    fn enqueue(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        ctx.count(extra::QUEUE_ENQUEUED);
        // Acknowledge the producer now; the message lives on without a caller.
        ctx.acknowledge(job);
        let request = ctx.request(job);
        if let Some((_, visibility)) = &mut ctx.model.visibility {
            let id = visibility.enqueue(request);
            ctx.set_data(job, Message::Delivering { failed: 0, id });
        }
        if ctx.model.deliver_edges.is_empty() {
            ctx.hold(job, 0);
            Self::note_depth(ctx);
            return;
        }
        if let Some(subscriptions) = &ctx.model.subscriptions {
            // Every subscription but the first gets a copy; the first, the message itself.
            for line in (0..subscriptions.lag.len() as u32).rev() {
                let copy = if line == 0 {
                    job
                } else {
                    let copy = ctx.new_request(request);
                    ctx.set_data(copy, Message::default());
                    copy
                };
                if let Some(subscriptions) = &mut ctx.model.subscriptions {
                    subscriptions.add(line as usize);
                }
                if ctx.admit(copy, line) == Admission::Queued {
                    Self::note_depth(ctx);
                }
            }
            return;
        }
        let key = ctx.request(job).key;
        let station = match &mut ctx.model.topic {
            Some(topic) => {
                let partition = topic.partition_of(key);
                topic.lag[partition] += 1;
                let lag = topic.lag[partition];
                topic.max_lag_whole[partition] = topic.max_lag_whole[partition].max(lag);
                topic.max_lag_batch[partition] = topic.max_lag_batch[partition].max(lag);
                let owner = topic.owner[partition];
                ctx.count(extra::QUEUE_COUNT + partition as u32);
                owner
            }
            None => 0,
        };
        if ctx.admit(job, station) == Admission::Queued {
            Self::note_depth(ctx);
        }
    }

    /// Waiting producers get the places that have freed, oldest first.
    fn unblock(ctx: &mut NodeCtx<'_, Self>) {
        while !ctx.model.blocked.is_empty() && !Self::full(ctx) {
            let Some(job) = ctx.model.blocked.pop_front() else {
                return;
            };
            Self::enqueue(ctx, job);
        }
    }

    fn deliver(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        let i = if ctx.model.subscriptions.is_some() {
            // A subscription's line delivers along its own edge.
            let line = ctx.station_of(job);
            ctx.count(ctx.model.subscription_counters + line);
            line
        } else {
            let len = ctx.model.deliver_edges.len() as u32;
            ctx.round_robin(len)
        };
        let edge = ctx.model.deliver_edges[i as usize];
        ctx.count(extra::QUEUE_DELIVERED);
        ctx.call(job, edge);
    }

    /// A consumer received a message of a queue with a visibility timeout: deliver it (for the
    /// timeout), dead-letter it, or drop a copy whose message is already deleted.
    fn receive(ctx: &mut NodeCtx<'_, Self>, job: Handle, id: u32) {
        let Some((timeout, visibility)) = &mut ctx.model.visibility else {
            return;
        };
        let timeout = *timeout;
        match visibility.receive(id) {
            Receive::Deliver { tag, again } => {
                if again {
                    ctx.count(extra::QUEUE_REDELIVERIES);
                }
                ctx.set_timer(timeout, tag);
                Self::deliver(ctx, job);
            }
            Receive::DeadLetter => {
                ctx.count(extra::QUEUE_DEAD_LETTERED);
                ctx.let_go_of_worker(job);
                Self::message_job_over(ctx, id);
                match ctx.model.dead_letter_edge {
                    Some(edge) => {
                        ctx.set_data(
                            job,
                            Message::DeadLettering {
                                failure: Outcome::Error,
                            },
                        );
                        ctx.call(job, edge);
                    }
                    None => ctx.finish(job, Outcome::Error),
                }
            }
            Receive::Deleted => {
                Self::message_job_over(ctx, id);
                ctx.finish(job, Outcome::Success);
            }
        }
    }

    /// One job of message `id` is over (the message is forgotten with its last).
    fn message_job_over(ctx: &mut NodeCtx<'_, Self>, id: u32) {
        if let Some((_, visibility)) = &mut ctx.model.visibility {
            visibility.job_ended(id);
        }
    }

    /// The message of `job` goes (back) in line: a free consumer takes it, or it waits.
    fn make_visible(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        let station = ctx.station(0);
        if station.busy < station.workers {
            ctx.admit(job, 0);
        } else {
            // In line even past `capacity`: an in-flight message already had its place.
            ctx.hold(job, 0);
            Self::note_depth(ctx);
        }
    }
}

impl Behaviour for QueueModel {
    type Data = Message;

    fn accept(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        let full = Self::full(ctx);
        if ctx.model.block && (full || !ctx.model.blocked.is_empty()) {
            // Behind the producers already waiting, even if a place is free right now.
            ctx.count(extra::QUEUE_BLOCKED);
            ctx.model.blocked.push_back(job);
            return;
        }
        // Under priority a full queue still takes a message of a higher class than the lowest
        // waiting: the station sheds one of that class to make room.
        let sheds = full && ctx.model.sheds_by_priority && ctx.lower_class_waiting(job, 0);
        if full && !sheds {
            ctx.finish(job, Outcome::QueueFull);
            return;
        }
        Self::enqueue(ctx, job);
    }

    /// A consumer took the message: deliver it.
    fn begin_work(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        if ctx.model.visibility.is_some() {
            if let Message::Delivering { id, .. } = ctx.data(job) {
                Self::receive(ctx, job, id);
            }
            Self::unblock(ctx);
            return;
        }
        let key = ctx.request(job).key;
        if let Some(topic) = &mut ctx.model.topic {
            let partition = topic.partition_of(key);
            topic.lag[partition] = topic.lag[partition].saturating_sub(1);
        }
        let line = ctx.station_of(job) as usize;
        if let Some(subscriptions) = &mut ctx.model.subscriptions {
            subscriptions.take(line);
        }
        // Never without edges: messages of a queue without delivery edges are only held.
        Self::deliver(ctx, job);
        // A place in the wait line may have freed: let a waiting producer in.
        Self::unblock(ctx);
        Self::sync_consumer_levels(ctx);
    }

    fn call_done(ctx: &mut NodeCtx<'_, Self>, job: Handle, over: CallOver) {
        Self::delivery_over(ctx, job, over);
        if ctx.model.drops_waiting {
            // CoDel may have dropped every message the freed consumer looked at: places freed
            // with no message taken, so no `begin_work` let a waiting producer in.
            Self::unblock(ctx);
        }
        // A removed consumer that finished its last message stops working.
        Self::sync_consumer_levels(ctx);
    }

    /// The scaler's timers, or a receive's visibility timeout.
    fn timer(ctx: &mut NodeCtx<'_, Self>, tag: u32) {
        if ctx.model.consumers.is_some() && is_scaler_tag(tag) {
            Self::scaler_timer(ctx, tag);
            return;
        }
        Self::visibility_timer(ctx, tag);
    }

    fn initial_timers(&self) -> Vec<(SimTime, u32)> {
        self.consumers
            .as_ref()
            .map_or_else(Vec::new, Consumers::initial_timers)
    }

    fn reads_keys(&self) -> bool {
        self.topic.is_some()
    }

    fn crashed(&mut self) {
        // The crash failed every message and waiting producer (all admitted at the node).
        self.blocked.clear();
        if let Some((_, visibility)) = &mut self.visibility {
            visibility.clear();
        }
        if let Some(subscriptions) = &mut self.subscriptions {
            subscriptions.lag.iter_mut().for_each(|lag| *lag = 0);
        }
        if let Some(topic) = &mut self.topic {
            topic.lag.iter_mut().for_each(|lag| *lag = 0);
        }
    }

    fn new_period(&mut self, whole: bool, waiting: u64) {
        // A topic's messages wait at several consumers' lines.
        let waiting = self.topic.as_ref().map_or(waiting, Topic::waiting);
        if whole {
            self.max_depth_whole = waiting;
        }
        self.max_depth_batch = waiting;
        if let Some(topic) = &mut self.topic {
            if whole {
                topic.max_lag_whole.clone_from(&topic.lag);
            }
            topic.max_lag_batch.clone_from(&topic.lag);
        }
        if let Some(subscriptions) = &mut self.subscriptions {
            subscriptions.new_period(whole);
        }
        if let Some(consumers) = &mut self.consumers {
            consumers.group.new_period(whole);
        }
    }

    fn report(&self, figures: &KindFigures<'_>, report: &mut NodeReport) {
        let count = |i: u32| estimate((figures.extra)(i) as f64);
        let max_depth = if figures.whole {
            self.max_depth_whole
        } else {
            self.max_depth_batch
        };
        let (partition_messages, partition_max_lag) = match &self.topic {
            Some(topic) => {
                let max_lag = if figures.whole {
                    &topic.max_lag_whole
                } else {
                    &topic.max_lag_batch
                };
                (
                    (0..topic.lag.len() as u32)
                        .map(|p| count(extra::QUEUE_COUNT + p))
                        .collect(),
                    max_lag.iter().map(|&l| estimate(l as f64)).collect(),
                )
            }
            None => (Vec::new(), Vec::new()),
        };
        report.queue = Some(QueueReport {
            enqueued: count(extra::QUEUE_ENQUEUED),
            delivered: count(extra::QUEUE_DELIVERED),
            redeliveries: count(extra::QUEUE_REDELIVERIES),
            dead_lettered: count(extra::QUEUE_DEAD_LETTERED),
            max_depth: estimate(max_depth as f64),
            blocked: count(extra::QUEUE_BLOCKED),
            partition_messages,
            partition_max_lag,
            subscription_messages: match &self.subscriptions {
                Some(s) => (0..s.lag.len() as u32)
                    .map(|i| count(self.subscription_counters + i))
                    .collect(),
                None => Vec::new(),
            },
            subscription_max_lag: match &self.subscriptions {
                Some(s) => {
                    let max = if figures.whole {
                        &s.max_whole
                    } else {
                        &s.max_batch
                    };
                    max.iter().map(|&l| estimate(l as f64)).collect()
                }
                None => Vec::new(),
            },
            visible_again: self
                .visibility
                .is_some()
                .then(|| count(extra::QUEUE_VISIBLE_AGAIN)),
            duplicates: self
                .visibility
                .is_some()
                .then(|| count(extra::QUEUE_DUPLICATES)),
        });
        self.report_consumers(figures, report);
    }

    fn push_series(&self, figures: &KindFigures<'_>, series: &mut NodeSeries) {
        self.push_consumer_series(figures, series);
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
        if self.visibility.is_some() {
            series
                .visible_again
                .push((figures.extra)(extra::QUEUE_VISIBLE_AGAIN));
            series
                .duplicates
                .push((figures.extra)(extra::QUEUE_DUPLICATES));
        }
        if let Some(subscriptions) = &self.subscriptions {
            if series.subscription_lag.len() < subscriptions.lag.len() {
                series
                    .subscription_lag
                    .resize_with(subscriptions.lag.len(), Vec::new);
            }
            for (line, &lag) in series.subscription_lag.iter_mut().zip(&subscriptions.lag) {
                line.push(lag);
            }
        }
        if let Some(topic) = &self.topic {
            if series.partition_lag.len() < topic.lag.len() {
                series.partition_lag.resize_with(topic.lag.len(), Vec::new);
            }
            for (line, &lag) in series.partition_lag.iter_mut().zip(&topic.lag) {
                line.push(lag);
            }
        }
    }
}

impl QueueModel {
    /// A delivery (or the dead-letter hand-off) is over.
    fn delivery_over(ctx: &mut NodeCtx<'_, Self>, job: Handle, over: CallOver) {
        let (failed, id) = match ctx.data(job) {
            Message::DeadLettering { failure } => {
                // The dead-letter hand-off is over, whatever its outcome: the message is gone.
                ctx.finish(job, failure);
                return;
            }
            Message::Delivering { failed, id } => (failed, id),
        };
        if let Some((_, visibility)) = &mut ctx.model.visibility {
            if over.outcome.is_success() {
                // Deleted; a job of the message kept after a failed delivery is over too.
                let (duplicate, parked) = visibility.succeeded(id);
                if duplicate {
                    ctx.count(extra::QUEUE_DUPLICATES);
                }
                if let Some(parked) = parked {
                    Self::message_job_over(ctx, id);
                    ctx.finish(parked, Outcome::Success);
                }
                Self::message_job_over(ctx, id);
                ctx.finish(job, Outcome::Success);
            } else if visibility.failed(id, job) {
                // Not deleted: invisible until its timeout ends, then received again.
                ctx.let_go_of_worker(job);
            } else {
                // Its message lives on in another job (visible again, or deleted).
                Self::message_job_over(ctx, id);
                ctx.finish(job, Outcome::Success);
            }
            return;
        }
        if over.outcome.is_success() {
            ctx.finish(job, Outcome::Success);
            return;
        }
        let failed = failed + 1;
        ctx.set_data(job, Message::Delivering { failed, id });
        if failed < ctx.model.max_deliveries {
            ctx.count(extra::QUEUE_REDELIVERIES);
            if ctx.model.topic.is_some() {
                // A partition is consumed in order: retry this message before any later one.
                Self::deliver(ctx, job);
                return;
            }
            // Back to the tail of its line (it already counts against capacity, so it fits),
            // queued before its consumer goes: the consumer may pick it right up.
            let line = ctx.station_of(job);
            if let Some(subscriptions) = &mut ctx.model.subscriptions {
                subscriptions.add(line as usize);
            }
            ctx.hold(job, line);
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

    /// A receive's visibility timeout ended.
    fn visibility_timer(ctx: &mut NodeCtx<'_, Self>, tag: u32) {
        let Some((_, visibility)) = &mut ctx.model.visibility else {
            return;
        };
        match visibility.expired(tag) {
            Expiry::Nothing => {}
            Expiry::Unpark(job) => {
                ctx.count(extra::QUEUE_VISIBLE_AGAIN);
                Self::make_visible(ctx, job);
            }
            Expiry::Copy(request, id) => {
                ctx.count(extra::QUEUE_VISIBLE_AGAIN);
                let copy = ctx.new_request(request);
                ctx.set_data(copy, Message::Delivering { failed: 0, id });
                Self::make_visible(ctx, copy);
            }
        }
    }
}
