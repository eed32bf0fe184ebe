//! Rules of a queue's consumers scaled on lag (`crate::keda`).

use crate::design::QueueParams;
use crate::keda::ConsumerScaling;
use crate::problem::field_path;

use super::Checker;

/// Most replicas a scaled consumer group may have: each is a consumer the run allocates when
/// it starts.
pub const MAX_CONSUMER_REPLICAS: u64 = 1_000;

impl Checker<'_> {
    /// `params` is the queue's `params` path.
    pub(super) fn consumer_scaling(
        &mut self,
        params: &str,
        queue: &QueueParams,
        scaling: &ConsumerScaling,
    ) {
        let path = field_path(params, "consumer_scaling");
        let max_path = field_path(&path, "max_replicas");
        self.at_least_one(
            &max_path,
            scaling.max_replicas.into(),
            "a consumer group that may never have a consumer delivers nothing",
        );
        self.at_most(
            &max_path,
            scaling.max_replicas.into(),
            MAX_CONSUMER_REPLICAS,
            "replicas of one consumer group",
        );
        if scaling.max_replicas < scaling.min_replicas {
            self.report(
                max_path,
                format!(
                    "must be at least min_replicas ({}), found {}",
                    scaling.min_replicas, scaling.max_replicas
                ),
            );
        } else if !(scaling.min_replicas..=scaling.max_replicas).contains(&queue.consumers) {
            self.report(
                field_path(params, "consumers"),
                format!(
                    "with consumer scaling, consumers is the number of replicas when the run starts: it must be between min_replicas ({}) and max_replicas ({}), found {}",
                    scaling.min_replicas, scaling.max_replicas, queue.consumers
                ),
            );
        }
        if let Some(threshold) = scaling.lag_threshold {
            self.positive(&field_path(&path, "lag_threshold"), threshold);
        }
        self.non_negative(
            &field_path(&path, "activation_lag_threshold"),
            scaling.activation_lag_threshold,
        );
        if scaling.allow_idle_consumers && queue.partitions.is_none() {
            self.report(
                field_path(&path, "allow_idle_consumers"),
                "only a partitioned topic has idle consumers (more consumers than partitions): set partitions, or turn allow_idle_consumers off",
            );
        }
        self.positive(
            &field_path(&path, "polling_interval_ms"),
            scaling.polling_interval_ms,
        );
        self.non_negative(
            &field_path(&path, "cooldown_period_ms"),
            scaling.cooldown_period_ms,
        );
        self.positive(
            &field_path(&path, "evaluation_interval_ms"),
            scaling.evaluation_interval_ms,
        );
        if !(scaling.tolerance >= 0.0 && scaling.tolerance < 1.0) {
            self.report(
                field_path(&path, "tolerance"),
                format!(
                    "must be a fraction in [0, 1) (0.1: no change while the lag is within 10 % of the target), found {}",
                    scaling.tolerance
                ),
            );
        }
        self.scaling_rules(&field_path(&path, "scale_up"), &scaling.scale_up);
        self.scaling_rules(&field_path(&path, "scale_down"), &scaling.scale_down);
        self.non_negative(
            &field_path(&path, "provisioning_delay_ms"),
            scaling.provisioning_delay_ms,
        );
    }
}
