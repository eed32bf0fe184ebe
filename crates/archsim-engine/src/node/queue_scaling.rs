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
//! - With `fan_out`, each subscription's group is scaled on its own lag, with its own timers
//!   (tags `u32::MAX − 3g ..` for group `g`), counters and time integrals: one slow group grows
//!   while a fast one stays small.

use archsim_model::design::QueueParams;
use archsim_model::report::{NodeReport, NodeSeries};

use archsim_model::report::AutoscalingReport;

use crate::core::Station;
use crate::metrics::{estimate, node_area, ratio};
use crate::policy::partitioner::range_assignment;
use crate::scaling::keda::{ConsumerGroup, Resize};
use crate::time::SimTime;

use super::{KindFigures, NodeCtx, QueueModel};

/// The scalers' timers, at the top of the tag space (a visibility timeout's tags count up
/// from 0): group `g`'s are `u32::MAX − 3g − kind`.
const POLL: u32 = 0;
const EVALUATE: u32 = 1;
/// Replicas decided on earlier start consuming now.
const READY: u32 = 2;
const KINDS: u32 = 3;

fn scaler_tag(group: u32, kind: u32) -> u32 {
    u32::MAX - (group * KINDS + kind)
}

/// Whether `tag` is a timer of one of `groups` scalers.
pub(super) fn is_scaler_tag(tag: u32, groups: u32) -> bool {
    u32::MAX - tag < groups * KINDS
}

/// A scaler's timer: its group and kind.
fn scaler_timer_of(tag: u32) -> (usize, u32) {
    let k = u32::MAX - tag;
    ((k / KINDS) as usize, k % KINDS)
}

/// A queue's scaled consumer group and what the node last reported of it.
pub(super) struct Consumers {
    pub group: ConsumerGroup,
    /// Of a partitioned topic: the partition count (the lines are consumers).
    partitions: Option<u32>,
    /// The first of the node's counters for scale-ups and scale-downs.
    pub counters: u32,
    /// Of one of several groups: the first of its own time integrals (replicas consuming, at
    /// max), after the node's.
    areas: Option<u32>,
    /// Levels last reported to the integrals: replicas consuming, consumers working
    /// (consuming ones, and removed ones finishing a message), at max (0/1).
    levels: (u32, u32, u32),
}

impl Consumers {
    /// Time integrals of a group of its own: replicas consuming, at max.
    pub const AREAS: u32 = 2;

    pub fn new(p: &QueueParams, counters: u32, areas: Option<u32>) -> Option<Consumers> {
        let scaling = p.consumer_scaling.as_ref()?;
        Some(Consumers {
            group: ConsumerGroup::new(scaling, p.consumers, p.partitions),
            partitions: p.partitions,
            counters,
            areas,
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

    /// Its first poll and evaluation, as group `group`'s.
    pub fn initial_timers(&self, group: u32) -> Vec<(SimTime, u32)> {
        vec![
            (self.group.polling_interval(), scaler_tag(group, POLL)),
            (
                self.group.evaluation_interval(),
                scaler_tag(group, EVALUATE),
            ),
        ]
    }

    /// The group's figures over the period, from its own integrals (`areas`).
    fn report(&self, figures: &KindFigures<'_>, areas: u32) -> AutoscalingReport {
        figures.autoscaling_at(
            self.counters,
            (areas, areas + 1),
            (self.group.peak_whole, self.group.peak_batch),
            &self.group.events,
        )
    }
}

impl QueueModel {
    /// The lag group `g`'s scaler reads now (see the module note).
    fn scaler_lag(ctx: &NodeCtx<'_, Self>, g: usize) -> u64 {
        let Some(consumers) = ctx.model.consumers.get(g) else {
            return 0;
        };
        let first = ctx.model.first_line(g);
        let in_flight = consumers.group.counts_in_flight();
        if let Some((_, visibility)) = &ctx.model.visibility {
            return if in_flight {
                visibility.live_messages(g as u32)
            } else {
                ctx.station(first).waiting
            };
        }
        let lines = match ctx.model.topics.get(g) {
            Some(topic) => topic.owner_lines(),
            None => 1,
        };
        let mut lag = Self::waiting_in(ctx, g);
        if in_flight {
            lag += (first..first + lines)
                .map(|i| u64::from(ctx.station(i).busy))
                .sum::<u64>();
        }
        lag
    }

    /// One of the scalers' timers.
    pub(super) fn scaler_timer(ctx: &mut NodeCtx<'_, Self>, tag: u32) {
        let (g, kind) = scaler_timer_of(tag);
        let lag = Self::scaler_lag(ctx, g);
        let now = ctx.now();
        let Some(consumers) = ctx.model.consumers.get_mut(g) else {
            return;
        };
        let resize = match kind {
            POLL => {
                let next = consumers.group.polling_interval();
                let resize = consumers.group.poll(now, lag);
                ctx.set_timer(next, tag);
                resize
            }
            EVALUATE => {
                let next = consumers.group.evaluation_interval();
                let resize = consumers.group.evaluate(now, lag);
                ctx.set_timer(next, tag);
                resize
            }
            _ => {
                if consumers.group.ready(now) > 0 {
                    Self::apply_consumers(ctx, g);
                }
                Self::sync_consumer_levels(ctx);
                return;
            }
        };
        if let Some(resize) = resize {
            Self::resized(ctx, g, resize);
        }
        Self::sync_consumer_levels(ctx);
    }

    fn resized(ctx: &mut NodeCtx<'_, Self>, g: usize, resize: Resize) {
        let Some(consumers) = ctx.model.consumers.get(g) else {
            return;
        };
        let base = consumers.counters;
        let grew = !resize.ready_at.is_empty();
        ctx.count(base + if grew { 0 } else { 1 });
        let mut timers = resize.ready_at;
        timers.dedup();
        for at in timers {
            ctx.set_timer_at(at, scaler_tag(g as u32, READY));
        }
        if resize.stopped > 0 {
            Self::apply_consumers(ctx, g);
        }
    }

    /// Brings group `g`'s lines' workers (and a topic's partition owners) to the replicas
    /// consuming.
    fn apply_consumers(ctx: &mut NodeCtx<'_, Self>, g: usize) {
        let Some(consumers) = ctx.model.consumers.get(g) else {
            return;
        };
        let consuming = consumers.group.consuming();
        let first = ctx.model.first_line(g);
        let Some(topic) = ctx.model.topics.get(g) else {
            ctx.set_workers(first, consuming);
            return;
        };
        let lines = topic.owner_lines();
        let partitions = topic.partitions();
        let owner = consumers.assignment(partitions);
        if consuming > 0 && owner != topic.owner {
            Self::rebalance(ctx, g, owner, lines);
        }
        for line in 0..lines {
            ctx.set_workers(first + line, u32::from(line < consuming));
        }
    }

    /// Group `g`'s partitions get new owners: every waiting message moves to its partition's
    /// owner's line, each line's messages in the order they waited, so each partition keeps
    /// its order.
    fn rebalance(ctx: &mut NodeCtx<'_, Self>, g: usize, owner: Vec<u32>, lines: u32) {
        let first = ctx.model.first_line(g);
        let mut moving = Vec::new();
        for line in 0..lines {
            moving.extend(ctx.take_waiting(first + line));
        }
        if let Some(topic) = ctx.model.topics.get_mut(g) {
            topic.owner = owner;
        }
        for job in moving {
            let partition = ctx.model.partition_of(ctx.request(job).key);
            let to = ctx.model.topics.get(g).map_or(0, |t| t.owner[partition]);
            ctx.hold(job, first + to);
        }
    }

    /// Brings the integrals (replicas consuming, consumers working, at max) to now: the
    /// node's (every group's together), and each group's own when it has them.
    pub(super) fn sync_consumer_levels(ctx: &mut NodeCtx<'_, Self>) {
        for g in 0..ctx.model.consumers.len() {
            let consumers = &ctx.model.consumers[g];
            let consuming = consumers.group.consuming();
            let at_max = u32::from(consumers.group.at_max());
            let first = ctx.model.first_line(g);
            let lines = ctx
                .model
                .topics
                .get(g)
                .map_or(1, |topic| topic.owner_lines());
            // Removed consumers still delivering work too: they count until they finish.
            let working: u32 = (first..first + lines)
                .map(|i| {
                    let station = ctx.station(i);
                    station.workers.max(station.busy)
                })
                .sum();
            let new = (consuming, working, at_max);
            let consumers = &mut ctx.model.consumers[g];
            let old = std::mem::replace(&mut consumers.levels, new);
            let areas = consumers.areas;
            let delta = |a: u32, b: u32| a as i32 - b as i32;
            if new == old {
                continue;
            }
            ctx.change_level(node_area::INSTANCES, delta(new.0, old.0));
            ctx.change_level(node_area::SERVING_WORKERS, delta(new.1, old.1));
            ctx.change_level(node_area::AT_MAX, delta(new.2, old.2));
            if let Some(areas) = areas {
                ctx.change_level(areas, delta(new.0, old.0));
                ctx.change_level(areas + 1, delta(new.2, old.2));
            }
        }
    }

    pub(super) fn report_consumers(&self, figures: &KindFigures<'_>, report: &mut NodeReport) {
        let Some(first) = self.consumers.first() else {
            return;
        };
        let area = figures.area;
        report.utilisation = estimate(ratio(
            area(node_area::BUSY),
            area(node_area::SERVING_WORKERS),
        ));
        if self.subscriptions.is_none() {
            let group = &first.group;
            report.autoscaling = Some(figures.autoscaling(
                first.counters,
                (group.peak_whole, group.peak_batch),
                &group.events,
            ));
        } else if let Some(queue) = &mut report.queue {
            // Each subscription's group is scaled on its own: a report each.
            queue.group_autoscaling = self
                .consumers
                .iter()
                .filter_map(|c| Some(c.report(figures, c.areas?)))
                .collect();
        }
    }

    pub(super) fn push_consumer_series(&self, figures: &KindFigures<'_>, series: &mut NodeSeries) {
        if self.consumers.is_empty() {
            return;
        }
        let area = figures.area;
        if let Some(last) = series.utilisation.last_mut() {
            *last = ratio(area(node_area::BUSY), area(node_area::SERVING_WORKERS));
        }
        if self.subscriptions.is_none() {
            series
                .instances
                .push(ratio(area(node_area::INSTANCES), figures.period_ns));
            return;
        }
        let groups = self.consumers.len();
        if series.group_consumers.len() < groups {
            series.group_consumers.resize_with(groups, Vec::new);
        }
        for (line, consumers) in series.group_consumers.iter_mut().zip(&self.consumers) {
            let consuming = consumers.areas.map_or(0.0, area);
            line.push(ratio(consuming, figures.period_ns));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_groups_timers_have_tags_of_their_own_at_the_top_of_the_tag_space() {
        // Group 0's are the tags a single group always had.
        assert_eq!(scaler_tag(0, POLL), u32::MAX);
        assert_eq!(scaler_tag(0, READY), u32::MAX - 2);
        for group in 0..5 {
            for kind in [POLL, EVALUATE, READY] {
                let tag = scaler_tag(group, kind);
                assert!(is_scaler_tag(tag, 5));
                assert_eq!(scaler_timer_of(tag), (group as usize, kind));
            }
        }
        // Beyond the groups there are, and a visibility timeout's tags (from 0), are not.
        assert!(!is_scaler_tag(scaler_tag(5, POLL), 5));
        assert!(!is_scaler_tag(0, 5));
        assert!(!is_scaler_tag(u32::MAX, 0));
    }
}
