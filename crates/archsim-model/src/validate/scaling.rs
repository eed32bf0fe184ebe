//! Rules of an autoscaled group's parameters (`crate::scaling`).

use crate::design::NodeKind;
use crate::problem::{field_path, index_path};
use crate::scaling::{Autoscaling, Discovery, InstancePick, ScalingMetric, ScalingRules};

use super::Checker;

/// Most instances an autoscaled group may have: each is a station allocated when the run
/// starts.
pub const MAX_INSTANCES: u64 = 1_000;

impl Checker<'_> {
    pub(super) fn autoscaling(&mut self, path: &str, scaling: &Autoscaling) {
        let min_path = field_path(path, "min_instances");
        let max_path = field_path(path, "max_instances");
        self.at_least_one(
            &min_path,
            scaling.min_instances.into(),
            "an autoscaled group keeps at least one instance",
        );
        self.at_most(
            &max_path,
            scaling.max_instances.into(),
            MAX_INSTANCES,
            "instances of one group",
        );
        if scaling.max_instances < scaling.min_instances {
            self.report(
                max_path,
                format!(
                    "must be at least min_instances ({}), found {}",
                    scaling.min_instances, scaling.max_instances
                ),
            );
        } else if let Some(initial) = scaling.initial_instances
            && !(scaling.min_instances..=scaling.max_instances).contains(&initial)
        {
            self.report(
                field_path(path, "initial_instances"),
                format!(
                    "must be between min_instances ({}) and max_instances ({}), found {initial}",
                    scaling.min_instances, scaling.max_instances
                ),
            );
        }
        let target_path = field_path(path, "target");
        match scaling.metric {
            ScalingMetric::Utilisation => {
                if !(scaling.target > 0.0 && scaling.target <= 1.0) {
                    self.report(
                        target_path,
                        format!(
                            "a utilisation target is a busy fraction of the workers in (0, 1] (0.7 for 70 %), found {}",
                            scaling.target
                        ),
                    );
                }
            }
            ScalingMetric::InFlight => self.positive(&target_path, scaling.target),
        }
        self.positive(
            &field_path(path, "metric_window_ms"),
            scaling.metric_window_ms,
        );
        self.positive(
            &field_path(path, "evaluation_interval_ms"),
            scaling.evaluation_interval_ms,
        );
        let tolerance_path = field_path(path, "tolerance");
        if !(scaling.tolerance >= 0.0 && scaling.tolerance < 1.0) {
            self.report(
                tolerance_path,
                format!(
                    "must be a fraction in [0, 1) (0.1: no change while the metric is within 10 % of the target), found {}",
                    scaling.tolerance
                ),
            );
        }
        self.scaling_rules(&field_path(path, "scale_up"), &scaling.scale_up);
        self.scaling_rules(&field_path(path, "scale_down"), &scaling.scale_down);
        self.non_negative(
            &field_path(path, "provisioning_delay_ms"),
            scaling.provisioning_delay_ms,
        );
        if let Some(cold) = &scaling.cold_start {
            let cold_path = field_path(path, "cold_start");
            self.non_negative(&field_path(&cold_path, "duration_ms"), cold.duration_ms);
            let factor_path = field_path(&cold_path, "factor");
            if !(cold.factor.is_finite() && cold.factor >= 1.0) {
                self.report(
                    factor_path,
                    format!(
                        "must be a multiple of the service time ≥ 1 (3: three times as slow), found {}",
                        cold.factor
                    ),
                );
            }
        }
    }

    pub(super) fn scaling_rules(&mut self, path: &str, rules: &ScalingRules) {
        self.non_negative(
            &field_path(path, "stabilization_window_ms"),
            rules.stabilization_window_ms,
        );
        let policies_path = field_path(path, "policies");
        for (i, policy) in rules.policies.iter().enumerate() {
            let policy_path = index_path(&policies_path, i);
            self.at_least_one(
                &field_path(&policy_path, "value"),
                policy.value.into(),
                "instances or percent a period may change by",
            );
            self.positive(&field_path(&policy_path, "period_ms"), policy.period_ms);
        }
    }
}

impl Checker<'_> {
    /// An instance crash targets an autoscaled service and crashes 1..=`max_instances` of its
    /// instances, picked at an index the group has.
    pub(super) fn instance_crash(
        &mut self,
        index: usize,
        effect: &str,
        count: u32,
        pick: &InstancePick,
    ) {
        let design = self.design;
        let fault = &design.faults[index];
        let path = self.fault_path(index);
        let max = match self.kind_of(&fault.target) {
            Some(NodeKind::Service(service)) => match &service.autoscaling {
                Some(scaling) => Some(scaling.max_instances),
                None => {
                    self.report(
                        field_path(&path, "target"),
                        format!(
                            "an instance crash takes down instances of an autoscaled group, but `{}` is one fixed instance: turn on its autoscaling (min_instances = max_instances for a fixed group), or use a crash",
                            fault.target
                        ),
                    );
                    None
                }
            },
            None => None,
            Some(other) => {
                self.report(
                    field_path(&path, "target"),
                    format!(
                        "an instance crash takes down instances of an autoscaled service, but `{}` is a {}",
                        fault.target,
                        other.name()
                    ),
                );
                None
            }
        };
        let count_path = field_path(effect, "count");
        self.at_least_one(&count_path, count.into(), "instances that crash");
        if let Some(max) = max {
            if count > max {
                self.report(
                    count_path,
                    format!("must be at most the group's max_instances ({max}), found {count}"),
                );
            }
            if let InstancePick::Index { index: at } = pick
                && *at >= max
            {
                self.report(
                    field_path(&field_path(effect, "pick"), "index"),
                    format!(
                        "must be an instance of the group: 0 to {} (max_instances − 1), found {at}",
                        max - 1
                    ),
                );
            }
        }
    }

    /// `service_path` is the service's `params`; discovery needs a group of instances.
    pub(super) fn discovery(&mut self, service_path: &str, discovery: &Discovery, grouped: bool) {
        let path = field_path(service_path, "discovery");
        if !grouped {
            self.report(
                path.clone(),
                "service discovery applies to a group of instances: turn on autoscaling (min_instances = max_instances for a fixed group), or remove discovery",
            );
        }
        self.non_negative(
            &field_path(&path, "registration_delay_ms"),
            discovery.registration_delay_ms,
        );
        self.non_negative(
            &field_path(&path, "heartbeat_timeout_ms"),
            discovery.heartbeat_timeout_ms,
        );
        self.positive(
            &field_path(&path, "refresh_interval_ms"),
            discovery.refresh_interval_ms,
        );
    }
}
