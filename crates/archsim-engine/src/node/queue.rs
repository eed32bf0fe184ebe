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
//! Fan-out combines with the other modes, each subscription being a *consumer group* with all
//! of the queue's consumption settings on its own (the node's stations are the groups' lines,
//! group after group, every group laid out alike):
//! - with `partitions`, a Kafka topic read by several consumer groups: each group's own
//!   consumers, its own range assignment of the partitions to them, its own committed offset
//!   and lag per partition; order is kept within a partition in every group, and a slow group
//!   falls behind without slowing another;
//! - with `visibility_timeout_ms`, SNS fanned out to SQS queues: each subscription is an SQS
//!   queue of its own, each copy of a message its own SQS message with its own receives and
//!   visibility timeout;
//! - with `consumer_scaling`, each group is a scaled object of its own (KEDA scales a Kafka
//!   consumer group, or an SQS queue's workers, on that group's lag alone).
//!
//! A partition's *committed offset* in a group is the count of the partition's messages the
//! group has finished (delivered, or given up on and dead-lettered): a consumer commits after
//! processing, as Kafka's default auto-commit of processed records does. Its lag here is the
//! messages its consumer has not taken yet (Kafka's lag, the log-end offset minus the committed
//! offset, also counts the one being processed).
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
use crate::metrics::{Outcome, estimate, extra, node_area};
use crate::policy::partitioner::partition_for_key;
use crate::request::Message;
use crate::slab::Handle;
use crate::time::{SimTime, from_ms};

use super::visibility::{Expiry, Receive, Visibility};
use super::{Behaviour, BuildContext, KindFigures, NodeCtx};

#[path = "queue_scaling.rs"]
mod scaling;
#[path = "queue_topic.rs"]
mod topic;
use scaling::{Consumers, is_scaler_tag};
use topic::{Lags, Topic, push_lags};

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
    /// Messages one group's line (or its partitions) holds; one more is refused.
    capacity: u64,
    /// The consumer groups: 1 (the outgoing edges share the messages), or with `fan_out` one
    /// per subscription.
    groups: u32,
    /// Stations of each group (every group is laid out alike): group `g`'s are
    /// `g × group_lines ..`.
    group_lines: u32,
    /// A partitioned topic's partition count (None: not partitioned).
    partitions: Option<u32>,
    /// Each group's view of the partitioned topic (its owners, lags, committed offsets); empty
    /// when not partitioned.
    topics: Vec<Topic>,
    /// SQS's visibility timeout, and the messages' receives.
    visibility: Option<(SimTime, Visibility)>,
    /// Pub/sub: each subscription's (group's) lag, with `fan_out`.
    subscriptions: Option<Lags>,
    /// The first per-subscription counter (messages delivered to it).
    subscription_counters: u32,
    /// Each group's consumers scaled on lag (`consumer_scaling`); empty without.
    consumers: Vec<Consumers>,
    /// The discipline sheds by priority when the queue is full.
    sheds_by_priority: bool,
    /// The discipline drops waiting messages (CoDel): a place may free without a delivery.
    drops_waiting: bool,
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
        let groups = if fan_out {
            deliver_edges.len() as u32
        } else {
            1
        };
        let subscription_counters = extra::QUEUE_COUNT + p.partitions.unwrap_or(0);
        let subscription_lines = if fan_out { groups } else { 0 };
        // Each group's scaler: its two counters after the subscriptions', and with several
        // groups two time integrals of its own after the node's.
        let consumers: Vec<Consumers> = (0..groups)
            .filter_map(|g| {
                Consumers::new(
                    p,
                    subscription_counters + subscription_lines + g * Consumers::counter_count(),
                    fan_out.then(|| node_area::COUNT + g * Consumers::AREAS),
                )
            })
            .collect();
        let topics = (0..groups)
            .filter_map(|g| {
                let mut topic = Topic::new(p.partitions?, p.consumers);
                if let Some(consumers) = consumers.get(g as usize) {
                    topic.owner = consumers.assignment(topic.partitions());
                    topic.lines = consumers.stations(p, cx.class_names).len() as u32;
                }
                Some(topic)
            })
            .collect();
        let mut queue = QueueModel {
            max_deliveries: p.max_deliveries.max(1),
            subscriptions: fan_out.then(|| Lags::new(deliver_edges.len())),
            subscription_counters,
            consumers,
            capacity: p.capacity,
            groups,
            group_lines: 1,
            partitions: p.partitions.map(|n| n.max(1)),
            topics,
            deliver_edges,
            dead_letter_edge: cx.out.iter().copied().find(|&e| is_dead_letter(e)),
            max_depth_whole: 0,
            max_depth_batch: 0,
            block: p.backpressure == Backpressure::Block,
            blocked: VecDeque::new(),
            sheds_by_priority: matches!(p.queue_discipline, QueueDiscipline::Priority { .. }),
            drops_waiting: matches!(p.queue_discipline, QueueDiscipline::Codel { .. }),
            visibility: p
                .visibility_timeout_ms
                .map(|t| (from_ms(t), Visibility::new(p.max_deliveries))),
        };
        queue.group_lines = queue.group_stations(p, cx.class_names).len() as u32;
        queue
    }

    /// Consumers and the messages' wait lines, group after group (see `group_stations`).
    pub fn stations(&self, p: &QueueParams, class_names: &[String]) -> Vec<Station> {
        (0..self.groups)
            .flat_map(|_| self.group_stations(p, class_names))
            .collect()
    }

    /// One group's consumers and wait line: one shared line, or with partitions one line and
    /// one consumer each (a consumer's line holds its partitions' messages in arrival order);
    /// scaled, a line per possible replica (`Consumers::stations`).
    fn group_stations(&self, p: &QueueParams, class_names: &[String]) -> Vec<Station> {
        if let Some(consumers) = self.consumers.first() {
            return consumers.stations(p, class_names);
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

    /// Time integrals the node needs besides its own: each group's when there are several
    /// scaled groups.
    pub fn extra_areas(&self) -> u32 {
        if self.subscriptions.is_some() {
            self.consumers.len() as u32 * Consumers::AREAS
        } else {
            0
        }
    }

    /// The group whose line station `station` is.
    fn group_of(&self, station: u32) -> usize {
        (station / self.group_lines.max(1)) as usize
    }

    /// Group `group`'s first station.
    fn first_line(&self, group: usize) -> u32 {
        group as u32 * self.group_lines
    }

    /// The partition Kafka's default partitioner picks for `key` (murmur2 of the key as its
    /// decimal string, modulo the partition count).
    fn partition_of(&self, key: u64) -> usize {
        partition_for_key(key, self.partitions.unwrap_or(1)) as usize
    }

    /// Kind-specific counters: the queue's, then messages per partition, then messages
    /// delivered per subscription.
    pub fn counters(&self, _p: &QueueParams) -> u32 {
        self.subscription_counters
            + self
                .subscriptions
                .as_ref()
                .map_or(0, |s| s.lag.len() as u32)
            + self.consumers.len() as u32 * Consumers::counter_count()
    }

    /// Messages waiting in group `group`'s line (its partitions').
    fn waiting_in(ctx: &NodeCtx<'_, Self>, group: usize) -> u64 {
        match ctx.model.topics.get(group) {
            Some(topic) => topic.waiting(),
            None => ctx.station(ctx.model.first_line(group)).waiting,
        }
    }

    /// Whether the queue has no room for one more message: any group's line is full.
    fn full(ctx: &NodeCtx<'_, Self>) -> bool {
        (0..ctx.model.groups as usize).any(|g| Self::waiting_in(ctx, g) >= ctx.model.capacity)
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
        if ctx.model.deliver_edges.is_empty() {
            if let Some((_, visibility)) = &mut ctx.model.visibility {
                let id = visibility.enqueue(request, 0);
                ctx.set_data(job, Message::Delivering { failed: 0, id });
            }
            ctx.hold(job, 0);
            Self::note_depth(ctx);
            return;
        }
        // The partition's log gets the message once, whatever reads it.
        let partition = ctx
            .model
            .partitions
            .map(|_| ctx.model.partition_of(request.key));
        if let Some(partition) = partition {
            ctx.count(extra::QUEUE_COUNT + partition as u32);
        }
        // Every group but the first gets a copy; the first, the message itself.
        for group in (0..ctx.model.groups as usize).rev() {
            let copy = if group == 0 {
                job
            } else {
                let copy = ctx.new_request(request);
                ctx.set_data(copy, Message::default());
                copy
            };
            if let Some((_, visibility)) = &mut ctx.model.visibility {
                // Of SNS fanned out to SQS, each queue's copy is an SQS message of its own.
                let id = visibility.enqueue(request, group as u32);
                ctx.set_data(copy, Message::Delivering { failed: 0, id });
            }
            if let Some(subscriptions) = &mut ctx.model.subscriptions {
                subscriptions.add(group);
            }
            Self::line_up(ctx, copy, group, partition);
        }
    }

    /// A message joins group `group`: the line of its partition's owner (of a topic), or the
    /// group's line.
    fn line_up(ctx: &mut NodeCtx<'_, Self>, job: Handle, group: usize, partition: Option<usize>) {
        let line = match (ctx.model.topics.get_mut(group), partition) {
            (Some(topic), Some(partition)) => {
                topic.add(partition);
                topic.owner[partition]
            }
            _ => 0,
        };
        let station = ctx.model.first_line(group) + line;
        if ctx.admit(job, station) == Admission::Queued {
            Self::note_depth(ctx);
        }
    }

    /// Group `group` finished the message of `job` (delivered, or dead-lettered): of a topic,
    /// the group commits the next offset of its partition.
    fn commit(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        if ctx.model.topics.is_empty() {
            return;
        }
        let group = ctx.model.group_of(ctx.station_of(job));
        let partition = ctx.model.partition_of(ctx.request(job).key);
        if let Some(topic) = ctx.model.topics.get_mut(group) {
            topic.committed[partition] += 1;
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
            // A subscription's lines deliver along its own edge.
            let group = ctx.model.group_of(ctx.station_of(job)) as u32;
            ctx.count(ctx.model.subscription_counters + group);
            group
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

    /// The message of `job` goes (back) in line — its group's (`id`: the message's): a free
    /// consumer takes it, or it waits.
    fn make_visible(ctx: &mut NodeCtx<'_, Self>, job: Handle, id: u32) {
        let group = match &ctx.model.visibility {
            Some((_, visibility)) => visibility.group_of(id) as usize,
            None => 0,
        };
        if let Some(subscriptions) = &mut ctx.model.subscriptions {
            subscriptions.add(group);
        }
        let line = ctx.model.first_line(group);
        let station = ctx.station(line);
        if station.busy < station.workers {
            ctx.admit(job, line);
        } else {
            // In line even past `capacity`: an in-flight message already had its place.
            ctx.hold(job, line);
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
        let group = ctx.model.group_of(ctx.station_of(job));
        if let Some(subscriptions) = &mut ctx.model.subscriptions {
            subscriptions.take(group);
        }
        if ctx.model.visibility.is_some() {
            if let Message::Delivering { id, .. } = ctx.data(job) {
                Self::receive(ctx, job, id);
            }
            Self::unblock(ctx);
            return;
        }
        if !ctx.model.topics.is_empty() {
            let partition = ctx.model.partition_of(ctx.request(job).key);
            let topic = &mut ctx.model.topics[group];
            topic.lag[partition] = topic.lag[partition].saturating_sub(1);
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
        if is_scaler_tag(tag, ctx.model.consumers.len() as u32) {
            Self::scaler_timer(ctx, tag);
            return;
        }
        Self::visibility_timer(ctx, tag);
    }

    fn initial_timers(&self) -> Vec<(SimTime, u32)> {
        self.consumers
            .iter()
            .enumerate()
            .flat_map(|(g, consumers)| consumers.initial_timers(g as u32))
            .collect()
    }

    fn reads_keys(&self) -> bool {
        self.partitions.is_some()
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
        for topic in &mut self.topics {
            topic.lag.iter_mut().for_each(|lag| *lag = 0);
        }
    }

    fn new_period(&mut self, whole: bool, waiting: u64) {
        // A topic's messages wait at several consumers' lines.
        let waiting = if self.topics.is_empty() {
            waiting
        } else {
            self.topics.iter().map(Topic::waiting).sum()
        };
        if whole {
            self.max_depth_whole = waiting;
        }
        self.max_depth_batch = waiting;
        for topic in &mut self.topics {
            if whole {
                topic.max_lag_whole.clone_from(&topic.lag);
            }
            topic.max_lag_batch.clone_from(&topic.lag);
        }
        if let Some(subscriptions) = &mut self.subscriptions {
            subscriptions.new_period(whole);
        }
        for consumers in &mut self.consumers {
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
        let max_lag = |topic: &Topic| -> Vec<u64> {
            if figures.whole {
                topic.max_lag_whole.clone()
            } else {
                topic.max_lag_batch.clone()
            }
        };
        let group_partition_max_lag: Vec<Vec<u64>> = self.topics.iter().map(max_lag).collect();
        let several = self.topics.len() > 1;
        let partitions = self.partitions.unwrap_or(0);
        let partition_messages = (0..partitions)
            .map(|p| count(extra::QUEUE_COUNT + p))
            .collect();
        // Of several groups, each partition's largest lag in any of them.
        let partition_max_lag = (0..partitions as usize)
            .map(|p| {
                let most = group_partition_max_lag.iter().map(|g| g[p]).max();
                estimate(most.unwrap_or(0) as f64)
            })
            .collect();
        let as_estimates = |v: &[u64]| -> Vec<archsim_model::report::Estimate> {
            v.iter().map(|&x| estimate(x as f64)).collect()
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
            // One group's is `partition_max_lag`.
            group_partition_max_lag: if several {
                group_partition_max_lag
                    .iter()
                    .map(|g| as_estimates(g))
                    .collect()
            } else {
                Vec::new()
            },
            group_committed_offsets: self.topics.iter().map(|t| t.committed.clone()).collect(),
            group_autoscaling: Vec::new(),
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
        match self.topics.as_slice() {
            [] => {}
            [topic] => push_lags(&mut series.partition_lag, &topic.lag),
            // Of several groups, each group's partitions.
            topics => {
                if series.group_partition_lag.len() < topics.len() {
                    series
                        .group_partition_lag
                        .resize_with(topics.len(), Vec::new);
                }
                for (lines, topic) in series.group_partition_lag.iter_mut().zip(topics) {
                    push_lags(lines, &topic.lag);
                }
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
            Self::commit(ctx, job);
            ctx.finish(job, Outcome::Success);
            return;
        }
        let failed = failed + 1;
        ctx.set_data(job, Message::Delivering { failed, id });
        if failed < ctx.model.max_deliveries {
            ctx.count(extra::QUEUE_REDELIVERIES);
            if !ctx.model.topics.is_empty() {
                // A partition is consumed in order: retry this message before any later one.
                Self::deliver(ctx, job);
                return;
            }
            // Back to the tail of its line (it already counts against capacity, so it fits),
            // queued before its consumer goes: the consumer may pick it right up.
            let line = ctx.station_of(job);
            let group = ctx.model.group_of(line);
            if let Some(subscriptions) = &mut ctx.model.subscriptions {
                subscriptions.add(group);
            }
            ctx.hold(job, line);
            Self::note_depth(ctx);
            ctx.let_go_of_worker(job);
            return;
        }
        // Given up on: the group moves past it (a partition's next message comes next).
        Self::commit(ctx, job);
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
            Expiry::Unpark(job, id) => {
                ctx.count(extra::QUEUE_VISIBLE_AGAIN);
                Self::make_visible(ctx, job, id);
            }
            Expiry::Copy(request, id) => {
                ctx.count(extra::QUEUE_VISIBLE_AGAIN);
                let copy = ctx.new_request(request);
                ctx.set_data(copy, Message::Delivering { failed: 0, id });
                Self::make_visible(ctx, copy, id);
            }
        }
    }
}
