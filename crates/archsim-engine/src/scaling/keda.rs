//! A queue's consumer group scaled on lag, as KEDA does it: KEDA's scaler (Kafka or SQS)
//! reports the group's lag as an external metric with an average-value target of
//! `lag_threshold` per replica, and the Kubernetes HPA sizes the group from it; KEDA itself
//! only takes the group from 0 to its first replica and back to 0.
//!
//! - **The metric** (`lag_metric`): the lag; of a partitioned topic without
//!   `allow_idle_consumers`, capped at `partitions × lag_threshold` when
//!   `floor(lag / lag_threshold)` exceeds the partition count (the Kafka scaler's
//!   `GetMetrics`), so the HPA never asks for more consumers than partitions.
//! - **The HPA** (every `evaluation_interval_ms`, only while the group has replicas):
//!   `desired = ceil(metric / lag_threshold)` unless `|metric / (lag_threshold × current) − 1|`
//!   is within the tolerance (`hpa::external_average_replicas`; every replica counts, ready or
//!   not), then the same stabilisation windows, rate policies and bounds as an autoscaled
//!   service (`hpa::Hpa`, one implementation). Its minimum is `max(min_replicas, 1)`, as KEDA
//!   configures the HPA it creates.
//! - **KEDA's activation** (every `polling_interval_ms`): the group is active while the lag
//!   is above `activation_lag_threshold`; an active group with no replica is scaled to
//!   `max(min_replicas, 1)` (`scaleFromZeroOrIdle`), and an inactive one with `min_replicas`
//!   0 is scaled to 0 once `cooldown_period_ms` has passed since it was last active. The run's
//!   start counts as a moment the group was active.
//!
//! A new replica consumes `provisioning_delay_ms` after the decision. A removal takes replicas
//! still starting first (the latest decided first), then consuming ones; a removed consumer
//! finishes the message it is delivering (the node does that).

use archsim_model::keda::ConsumerScaling;
use archsim_model::report::ScaleEvent;

use crate::scaling::hpa::{Hpa, external_average_replicas};
use crate::time::{SimTime, from_ms, to_ms};

/// The metric KEDA's scaler reports for a `lag`: the lag itself, or of a partitioned topic
/// whose consumers may not idle, capped so that it asks for at most one replica per partition.
pub(crate) fn lag_metric(lag: u64, threshold: f64, partition_cap: Option<u32>) -> f64 {
    let lag = lag as f64;
    match partition_cap {
        Some(partitions) if (lag / threshold).floor() > partitions as f64 => {
            partitions as f64 * threshold
        }
        _ => lag,
    }
}

/// The group's size changed: what the node must do.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Resize {
    /// A replica begins to consume at each of these times (set a timer for each).
    pub ready_at: Vec<SimTime>,
    /// Consuming replicas removed now.
    pub stopped: u32,
}

pub(crate) struct ConsumerGroup {
    hpa: Hpa,
    min: u32,
    max: u32,
    threshold: f64,
    activation: f64,
    partition_cap: Option<u32>,
    count_in_flight: bool,
    polling: SimTime,
    cooldown: SimTime,
    interval: SimTime,
    provisioning: SimTime,
    /// Replicas consuming now.
    consuming: u32,
    /// Replicas decided on, not consuming yet: when each will.
    starting: Vec<SimTime>,
    last_active: SimTime,
    /// The first replication's decisions (the report shows the first's).
    pub events: Vec<ScaleEvent>,
    /// Most replicas consuming at once since the summary's and the batch's period began.
    pub peak_whole: u32,
    pub peak_batch: u32,
}

impl ConsumerGroup {
    /// `initial`: the queue's `consumers`; `partitions`: a partitioned topic's.
    pub fn new(p: &ConsumerScaling, initial: u32, partitions: Option<u32>) -> ConsumerGroup {
        let max = p.max_replicas.max(1);
        let initial = initial.clamp(p.min_replicas.min(max), max);
        ConsumerGroup {
            hpa: Hpa::with_rules(
                p.min_replicas.max(1),
                max,
                p.tolerance,
                &p.scale_up,
                &p.scale_down,
            ),
            min: p.min_replicas.min(max),
            max,
            threshold: p.threshold(partitions.is_some()),
            activation: p.activation_lag_threshold,
            partition_cap: partitions.filter(|_| !p.allow_idle_consumers),
            count_in_flight: p.count_in_flight,
            polling: from_ms(p.polling_interval_ms).max(1),
            cooldown: from_ms(p.cooldown_period_ms),
            interval: from_ms(p.evaluation_interval_ms).max(1),
            provisioning: from_ms(p.provisioning_delay_ms),
            consuming: initial,
            starting: Vec::new(),
            last_active: 0,
            events: Vec::new(),
            peak_whole: initial,
            peak_batch: initial,
        }
    }

    /// Most replicas the group can have: the consumers the node allocates.
    pub fn max(&self) -> u32 {
        self.max
    }

    pub fn consuming(&self) -> u32 {
        self.consuming
    }

    /// Replicas consuming or starting (the scale's replicas).
    pub fn current(&self) -> u32 {
        self.consuming + self.starting.len() as u32
    }

    pub fn at_max(&self) -> bool {
        self.current() >= self.max
    }

    pub fn counts_in_flight(&self) -> bool {
        self.count_in_flight
    }

    pub fn polling_interval(&self) -> SimTime {
        self.polling
    }

    pub fn evaluation_interval(&self) -> SimTime {
        self.interval
    }

    /// The HPA's evaluation at `now`, the lag being `lag`.
    pub fn evaluate(&mut self, now: SimTime, lag: u64) -> Option<Resize> {
        let current = self.current();
        if current == 0 {
            // An HPA does nothing to a target scaled to zero; KEDA's activation wakes it.
            return None;
        }
        let metric = lag_metric(lag, self.threshold, self.partition_cap);
        let (threshold, tolerance) = (self.threshold, self.hpa.tolerance());
        let desired = self.hpa.evaluate_proposal(now, current, || {
            Some(external_average_replicas(
                metric, current, threshold, tolerance,
            ))
        });
        self.resize(now, desired, metric)
    }

    /// KEDA's activation check at `now`, the lag being `lag`.
    pub fn poll(&mut self, now: SimTime, lag: u64) -> Option<Resize> {
        let active = lag as f64 > self.activation;
        let current = self.current();
        if active {
            self.last_active = now;
            if current == 0 {
                return self.resize(now, self.min.max(1), lag as f64);
            }
        } else if current > 0
            && self.min == 0
            && now >= self.last_active.saturating_add(self.cooldown)
        {
            return self.resize(now, 0, lag as f64);
        }
        None
    }

    fn resize(&mut self, now: SimTime, desired: u32, metric: f64) -> Option<Resize> {
        let current = self.current();
        let desired = desired.min(self.max);
        if desired == current {
            return None;
        }
        self.events.push(ScaleEvent {
            t_ms: to_ms(now),
            from: current,
            to: desired,
            metric,
        });
        let mut resize = Resize::default();
        if desired > current {
            let ready_at = now.saturating_add(self.provisioning);
            for _ in current..desired {
                self.starting.push(ready_at);
                resize.ready_at.push(ready_at);
            }
        } else {
            let mut to_remove = current - desired;
            while to_remove > 0 && self.starting.pop().is_some() {
                to_remove -= 1;
            }
            self.consuming -= to_remove;
            resize.stopped = to_remove;
        }
        Some(resize)
    }

    /// Replicas whose start-up is over by `now` consume; returns how many began.
    pub fn ready(&mut self, now: SimTime) -> u32 {
        let before = self.starting.len();
        self.starting.retain(|&at| at > now);
        let began = (before - self.starting.len()) as u32;
        self.consuming += began;
        self.peak_whole = self.peak_whole.max(self.consuming);
        self.peak_batch = self.peak_batch.max(self.consuming);
        began
    }

    /// A measurement period starts: the peaks start from now's size.
    pub fn new_period(&mut self, whole: bool) {
        if whole {
            self.peak_whole = self.consuming;
        }
        self.peak_batch = self.consuming;
    }
}

#[cfg(test)]
#[path = "keda_tests.rs"]
mod tests;
