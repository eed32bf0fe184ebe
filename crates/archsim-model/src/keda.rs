//! A queue's consumers scaled on lag, as KEDA scales a Kafka consumer group or an SQS worker
//! pool: KEDA's scaler reports the lag as an external metric with an average-value target of
//! `lag_threshold` per replica, and the Kubernetes HPA turns it into replicas
//! (`desired = ceil(lag / lag_threshold)`, with its tolerance, stabilisation windows and rate
//! policies — the same rules as an autoscaled service's, `crate::scaling`). KEDA itself takes
//! the group from 0 to its first replica when the lag exceeds `activation_lag_threshold`, and
//! back to 0 after `cooldown_period_ms` without lag (when `min_replicas` is 0).
//!
//! Every field is named after, and defaults to, its KEDA (`ScaledObject`, Kafka and SQS
//! triggers) or HPA counterpart; what it means for a person is in `docs/design-format.md`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::scaling::ScalingRules;

/// A queue's consumers as a scaled consumer group: each replica is one consumer (it delivers
/// one message at a time; of a partitioned topic, it owns the partitions the range assignor
/// gives it). The queue's `consumers` is the number of replicas when the run starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ConsumerScaling {
    /// Fewest replicas (KEDA `minReplicaCount`); 0 lets the group scale to zero.
    pub min_replicas: u32,
    /// Most replicas (KEDA `maxReplicaCount`).
    pub max_replicas: u32,
    /// Target lag per replica (Kafka trigger `lagThreshold`, SQS trigger `queueLength`):
    /// the HPA asks for `ceil(lag / lag_threshold)` replicas. Absent: KEDA's default, 10 for a
    /// partitioned topic (Kafka) and 5 for any other queue (SQS).
    pub lag_threshold: Option<f64>,
    /// The group goes from 0 to its first replica when the lag is above this (KEDA
    /// `activationLagThreshold` / `activationQueueLength`).
    pub activation_lag_threshold: f64,
    /// Messages being delivered count as lag (SQS `scaleOnInFlight`, default true; a Kafka
    /// group's lag counts up to its committed offset, which a consumer commits after
    /// processing). false: only the messages waiting.
    pub count_in_flight: bool,
    /// Of a partitioned topic: allow more replicas than partitions (Kafka trigger
    /// `allowIdleConsumers`). false (KEDA's default): the metric is capped so the HPA never
    /// asks for more replicas than there are partitions.
    pub allow_idle_consumers: bool,
    /// How often KEDA checks whether the group is active (KEDA `pollingInterval`): the 0 → 1
    /// and 1 → 0 decisions.
    pub polling_interval_ms: f64,
    /// A group with `min_replicas` 0 goes back to 0 this long after the lag was last above the
    /// activation threshold (KEDA `cooldownPeriod`).
    pub cooldown_period_ms: f64,
    /// Time between two HPA evaluations (its sync period).
    pub evaluation_interval_ms: f64,
    /// No change while |lag / (lag_threshold × replicas) − 1| ≤ tolerance.
    pub tolerance: f64,
    /// How fast the group may grow (HPA `behavior.scaleUp`).
    pub scale_up: ScalingRules,
    /// How fast the group may shrink (HPA `behavior.scaleDown`).
    pub scale_down: ScalingRules,
    /// Time from the decision to add a replica until it consumes (pod start-up, joining the
    /// group).
    pub provisioning_delay_ms: f64,
}

impl Default for ConsumerScaling {
    fn default() -> Self {
        ConsumerScaling {
            min_replicas: 0,
            max_replicas: 100,
            lag_threshold: None,
            activation_lag_threshold: 0.0,
            count_in_flight: true,
            allow_idle_consumers: false,
            polling_interval_ms: 30_000.0,
            cooldown_period_ms: 300_000.0,
            evaluation_interval_ms: 15_000.0,
            tolerance: 0.1,
            scale_up: ScalingRules::default_scale_up(),
            scale_down: ScalingRules::default_scale_down(),
            provisioning_delay_ms: 10_000.0,
        }
    }
}

impl ConsumerScaling {
    /// KEDA's default target lag per replica: the Kafka trigger's `lagThreshold` (10) for a
    /// partitioned topic, the SQS trigger's `queueLength` (5) otherwise.
    pub fn threshold(&self, partitioned: bool) -> f64 {
        self.lag_threshold
            .unwrap_or(if partitioned { 10.0 } else { 5.0 })
    }
}
