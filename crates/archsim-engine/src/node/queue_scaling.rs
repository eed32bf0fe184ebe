//! A queue's consumers as a consumer group scaled on lag (`consumer_scaling`, as KEDA's Kafka
//! and SQS scalers feed the HPA; the decisions are `scaling::keda`'s). This is the queue's side:
//! what a replica is, the lag the scaler reads, and what a resize does to the consumers.
//!
//! - A replica is one consumer delivering one message at a time. Of a shared queue (SQS-like),
//!   the replicas are the workers of the queue's one line; of a partitioned topic, each
//!   replica is a consumer with a line of its own, owning the partitions Kafka's range
//!   assignor gives it among the replicas consuming now.
//! - The lag is the messages waiting, plus those being delivered when `count_in_flight` (SQS
//!   `ApproximateNumberOfMessages + ApproximateNumberOfMessagesNotVisible`; a Kafka group's
//!   lag up to its committed offset). With a visibility timeout, the messages in flight are
//!   every message received and not deleted, those waiting out a failed delivery's timeout
//!   included.
//! - A removed consumer finishes the message it is delivering and takes no other.
//! - When the replicas consuming change, the topic's partitions are assigned again (a
//!   rebalance, eager as Kafka's range assignor is): each partition's waiting messages move,
//!   in order, to its new owner's line. A message being delivered at that moment finishes at
//!   its old consumer, so for that one message the partition's next may overlap with it.
//! - With no replica, messages wait (up to `capacity`) until activation brings one.

use archsim_model::design::QueueParams;
use archsim_model::report::{NodeReport, NodeSeries};

use crate::core::Station;
use crate::metrics::{estimate, node_area, ratio};
use crate::policy::partitioner::range_assignment;
use crate::scaling::keda::{ConsumerGroup, Resize};
use crate::time::SimTime;

use super::{KindFigures, NodeCtx, QueueModel};

/// The scaler's timers, at the top of the tag space (a visibility timeout's tags count up
/// from 0).
const POLL: u32 = u32::MAX;
const EVALUATE: u32 = u32::MAX - 1;
/// Replicas decided on earlier start consuming now.
const READY: u32 = u32::MAX - 2;

/// Whether `tag` is one of the scaler's timers.
pub(super) fn is_scaler_tag(tag: u32) -> bool {
    tag >= READY
}

/// A queue's scaled consumer group and what the node last reported of it.
pub(super) struct Consumers {
    pub group: ConsumerGroup,
    /// Of a partitioned topic: the partition count (the lines are consumers).
    partitions: Option<u32>,
    /// The first of the node's counters for scale-ups and scale-downs.
    pub counters: u32,
    /// Levels last reported to the integrals: replicas consuming, consumers working
    /// (consuming ones, and removed ones finishing a message), at max (0/1).
    levels: (u32, u32, u32),
}

impl Consumers {
    pub fn new(p: &QueueParams, counters: u32) -> Option<Consumers> {
        let scaling = p.consumer_scaling.as_ref()?;
        Some(Consumers {
            group: ConsumerGroup::new(scaling, p.consumers, p.partitions),
            partitions: p.partitions,
            counters,
            levels: (0, 0, 0),
        })
    }

    /// Kind counters the group needs (scale-ups, scale-downs).
    pub fn counter_count() -> u32 {
        2
    }

    /// The consumers' stations: of a shared queue its one line, whose workers are the
    /// replicas consuming; of a topic, a line per possible replica (at most one per
    /// partition unless consumers may idle), one worker each while its replica consumes.
    pub fn stations(&self, p: &QueueParams, class_names: &[String]) -> Vec<Station> {
        let consuming = self.group.consuming();
        let line = |workers: u32| {
            let mut station =
                Station::with_discipline(1, p.capacity, &p.queue_discipline, class_names);
            station.workers = workers;
            station
        };
        match self.partitions {
            None => vec![line(consuming)],
            Some(partitions) => {
                let idle = p
                    .consumer_scaling
                    .as_ref()
                    .is_some_and(|s| s.allow_idle_consumers);
                let lines = if idle {
                    self.group.max()
                } else {
                    self.group.max().min(partitions)
                };
                (0..lines.max(1))
                    .map(|i| line(u32::from(i < consuming)))
                    .collect()
            }
        }
    }

    /// The partitions' owners among the replicas consuming now.
    pub fn assignment(&self, partitions: u32) -> Vec<u32> {
        range_assignment(partitions, self.group.consuming())
    }

    pub fn initial_timers(&self) -> Vec<(SimTime, u32)> {
        vec![
            (self.group.polling_interval(), POLL),
            (self.group.evaluation_interval(), EVALUATE),
        ]
    }
}

impl QueueModel {
    /// The lag the scaler reads now (see the module note).
    fn scaler_lag(ctx: &NodeCtx<'_, Self>) -> u64 {
        let Some(consumers) = &ctx.model.consumers else {
            return 0;
        };
        let in_flight = consumers.group.counts_in_flight();
        if let Some((_, visibility)) = &ctx.model.visibility {
            return if in_flight {
                visibility.live_messages()
            } else {
                ctx.station(0).waiting
            };
        }
        let lines = match &ctx.model.topic {
            Some(topic) => topic.owner_lines(),
            None => 1,
        };
        let mut lag = match &ctx.model.topic {
            Some(topic) => topic.waiting(),
            None => ctx.station(0).waiting,
        };
        if in_flight {
            lag += (0..lines)
                .map(|i| u64::from(ctx.station(i).busy))
                .sum::<u64>();
        }
        lag
    }

    /// One of the scaler's timers.
    pub(super) fn scaler_timer(ctx: &mut NodeCtx<'_, Self>, tag: u32) {
        let lag = Self::scaler_lag(ctx);
        let now = ctx.now();
        let Some(consumers) = &mut ctx.model.consumers else {
            return;
        };
        let resize = match tag {
            POLL => {
                let next = consumers.group.polling_interval();
                ctx.set_timer(next, POLL);
                let Some(consumers) = &mut ctx.model.consumers else {
                    return;
                };
                consumers.group.poll(now, lag)
            }
            EVALUATE => {
                let next = consumers.group.evaluation_interval();
                ctx.set_timer(next, EVALUATE);
                let Some(consumers) = &mut ctx.model.consumers else {
                    return;
                };
                consumers.group.evaluate(now, lag)
            }
            _ => {
                if consumers.group.ready(now) > 0 {
                    Self::apply_consumers(ctx);
                }
                Self::sync_consumer_levels(ctx);
                return;
            }
        };
        if let Some(resize) = resize {
            Self::resized(ctx, resize);
        }
        Self::sync_consumer_levels(ctx);
    }

    fn resized(ctx: &mut NodeCtx<'_, Self>, resize: Resize) {
        let Some(consumers) = &ctx.model.consumers else {
            return;
        };
        let base = consumers.counters;
        let grew = !resize.ready_at.is_empty();
        ctx.count(base + if grew { 0 } else { 1 });
        let mut timers = resize.ready_at;
        timers.dedup();
        for at in timers {
            ctx.set_timer_at(at, READY);
        }
        if resize.stopped > 0 {
            Self::apply_consumers(ctx);
        }
    }

    /// Brings the lines' workers (and a topic's partition owners) to the replicas consuming.
    fn apply_consumers(ctx: &mut NodeCtx<'_, Self>) {
        let Some(consumers) = &ctx.model.consumers else {
            return;
        };
        let consuming = consumers.group.consuming();
        let Some(topic) = &ctx.model.topic else {
            ctx.set_workers(0, consuming);
            return;
        };
        let lines = topic.owner_lines();
        let partitions = topic.partitions();
        let owner = consumers.assignment(partitions);
        if consuming > 0 && owner != topic.owner {
            Self::rebalance(ctx, owner, lines);
        }
        for line in 0..lines {
            ctx.set_workers(line, u32::from(line < consuming));
        }
    }

    /// The partitions get new owners: every waiting message moves to its partition's owner's
    /// line, each line's messages in the order they waited, so each partition keeps its order.
    fn rebalance(ctx: &mut NodeCtx<'_, Self>, owner: Vec<u32>, lines: u32) {
        let mut moving = Vec::new();
        for line in 0..lines {
            moving.extend(ctx.take_waiting(line));
        }
        if let Some(topic) = &mut ctx.model.topic {
            topic.owner = owner;
        }
        for job in moving {
            let key = ctx.request(job).key;
            let to = match &ctx.model.topic {
                Some(topic) => topic.owner[topic.partition_of(key)],
                None => 0,
            };
            ctx.hold(job, to);
        }
    }

    /// Brings the node's integrals (replicas consuming, consumers working, at max) to now.
    pub(super) fn sync_consumer_levels(ctx: &mut NodeCtx<'_, Self>) {
        let Some(consumers) = &ctx.model.consumers else {
            return;
        };
        let consuming = consumers.group.consuming();
        let at_max = u32::from(consumers.group.at_max());
        let lines = ctx
            .model
            .topic
            .as_ref()
            .map_or(1, |topic| topic.owner_lines());
        // Removed consumers still delivering work too: they count until they finish.
        let working: u32 = (0..lines)
            .map(|i| {
                let station = ctx.station(i);
                station.workers.max(station.busy)
            })
            .sum();
        let new = (consuming, working, at_max);
        let Some(consumers) = &mut ctx.model.consumers else {
            return;
        };
        let old = std::mem::replace(&mut consumers.levels, new);
        let delta = |a: u32, b: u32| a as i32 - b as i32;
        ctx.change_level(node_area::INSTANCES, delta(new.0, old.0));
        ctx.change_level(node_area::SERVING_WORKERS, delta(new.1, old.1));
        ctx.change_level(node_area::AT_MAX, delta(new.2, old.2));
    }

    pub(super) fn report_consumers(&self, figures: &KindFigures<'_>, report: &mut NodeReport) {
        let Some(consumers) = &self.consumers else {
            return;
        };
        let area = figures.area;
        report.utilisation = estimate(ratio(
            area(node_area::BUSY),
            area(node_area::SERVING_WORKERS),
        ));
        let group = &consumers.group;
        report.autoscaling = Some(figures.autoscaling(
            consumers.counters,
            (group.peak_whole, group.peak_batch),
            &group.events,
        ));
    }

    pub(super) fn push_consumer_series(&self, figures: &KindFigures<'_>, series: &mut NodeSeries) {
        if self.consumers.is_none() {
            return;
        }
        let area = figures.area;
        if let Some(last) = series.utilisation.last_mut() {
            *last = ratio(area(node_area::BUSY), area(node_area::SERVING_WORKERS));
        }
        series
            .instances
            .push(ratio(area(node_area::INSTANCES), figures.period_ns));
    }
}
