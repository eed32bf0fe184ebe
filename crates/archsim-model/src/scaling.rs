//! Autoscaled service groups: a service made of instances that a Kubernetes Horizontal Pod
//! Autoscaler (HPA, `autoscaling/v2`) adds and removes.
//!
//! Every field below is named after, and defaults to, its HPA counterpart: the rule
//! `desired = ceil(current × metric / target)` with a tolerance of 0.1, an evaluation every
//! 15 s (the controller's sync period), the default `behavior` (scale up by at most
//! max(100 %, 4 instances) per 15 s with no stabilisation; scale down by up to 100 % per 15 s
//! after a 300 s stabilisation window). The engine's `scaling::hpa` implements the rule; what
//! the fields mean for a person is in `docs/design-format.md`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An autoscaled group: the service runs as `min_instances..=max_instances` instances, each
/// with the service's `workers` and `queue_capacity`; requests are spread round-robin over the
/// instances that serve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Autoscaling {
    /// Fewest instances (HPA `minReplicas`).
    pub min_instances: u32,
    /// Most instances (HPA `maxReplicas`).
    pub max_instances: u32,
    /// Instances serving when the run starts; absent means `min_instances`.
    pub initial_instances: Option<u32>,
    /// What the autoscaler measures on each instance.
    pub metric: ScalingMetric,
    /// The metric's target per instance: a busy fraction of the workers in `0..=1` for
    /// `utilisation`, a number of requests for `in_flight`.
    pub target: f64,
    /// The window each evaluation averages the metric over (metrics-server's resolution).
    pub metric_window_ms: f64,
    /// Time between two evaluations (the HPA controller's sync period).
    pub evaluation_interval_ms: f64,
    /// No change while |metric / target − 1| ≤ tolerance.
    pub tolerance: f64,
    /// How fast the group may grow (HPA `behavior.scaleUp`).
    pub scale_up: ScalingRules,
    /// How fast the group may shrink (HPA `behavior.scaleDown`).
    pub scale_down: ScalingRules,
    /// Time from the decision to add an instance until it serves (scheduling, image pull,
    /// start-up, readiness probe).
    pub provisioning_delay_ms: f64,
    /// A new instance is slower for its first moments (cold caches, JIT warm-up).
    pub cold_start: Option<ColdStart>,
}

impl Default for Autoscaling {
    fn default() -> Self {
        Autoscaling {
            min_instances: 1,
            max_instances: 10,
            initial_instances: None,
            metric: ScalingMetric::Utilisation,
            target: 0.7,
            metric_window_ms: 30_000.0,
            evaluation_interval_ms: 15_000.0,
            tolerance: 0.1,
            scale_up: ScalingRules::default_scale_up(),
            scale_down: ScalingRules::default_scale_down(),
            provisioning_delay_ms: 30_000.0,
            cold_start: None,
        }
    }
}

impl Autoscaling {
    /// Instances at the start of the run.
    pub fn initial(&self) -> u32 {
        self.initial_instances.unwrap_or(self.min_instances)
    }
}

/// The per-instance metric an autoscaler follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScalingMetric {
    /// Busy fraction of an instance's workers over the window (as CPU utilisation).
    #[default]
    Utilisation,
    /// Time-average of the requests an instance holds, waiting or being served, over the
    /// window (a Pods metric with an average-value target).
    InFlight,
}

impl ScalingMetric {
    pub const CATALOG: [(&'static str, &'static str); 2] = [
        ("utilisation", "Utilisation of workers"),
        ("in_flight", "Requests in flight per instance"),
    ];

    pub fn name(self) -> &'static str {
        match self {
            ScalingMetric::Utilisation => "utilisation",
            ScalingMetric::InFlight => "in_flight",
        }
    }

    pub fn named(name: &str) -> Option<ScalingMetric> {
        [ScalingMetric::Utilisation, ScalingMetric::InFlight]
            .into_iter()
            .find(|m| m.name() == name)
    }
}

/// One direction's rules (HPA `HPAScalingRules`): a stabilisation window, and policies that
/// bound how many instances may be added (or removed) within a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScalingRules {
    /// Scaling up: the lowest recommendation of this window is applied; scaling down: the
    /// highest. 0 applies the newest recommendation at once.
    pub stabilization_window_ms: f64,
    /// Which policy wins when several allow different changes.
    #[serde(default)]
    pub select_policy: SelectPolicy,
    /// Limits on the change within a period; none means no limit.
    #[serde(default)]
    pub policies: Vec<ScalingPolicy>,
}

impl ScalingRules {
    /// HPA's default scale-up: no stabilisation; at most double, or add 4, per 15 s, whichever
    /// allows more.
    pub fn default_scale_up() -> ScalingRules {
        ScalingRules {
            stabilization_window_ms: 0.0,
            select_policy: SelectPolicy::Max,
            policies: vec![
                ScalingPolicy {
                    kind: PolicyKind::Percent,
                    value: 100,
                    period_ms: 15_000.0,
                },
                ScalingPolicy {
                    kind: PolicyKind::Instances,
                    value: 4,
                    period_ms: 15_000.0,
                },
            ],
        }
    }

    /// HPA's default scale-down: 300 s stabilisation; down to the minimum at once.
    pub fn default_scale_down() -> ScalingRules {
        ScalingRules {
            stabilization_window_ms: 300_000.0,
            select_policy: SelectPolicy::Max,
            policies: vec![ScalingPolicy {
                kind: PolicyKind::Percent,
                value: 100,
                period_ms: 15_000.0,
            }],
        }
    }
}

/// HPA `selectPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SelectPolicy {
    /// The policy that allows the largest change.
    #[default]
    Max,
    /// The policy that allows the smallest change.
    Min,
    /// No scaling in this direction.
    Disabled,
}

/// HPA `HPAScalingPolicy`: within any `period_ms`, change by at most `value` instances or
/// `value` percent of the instances at the period's start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScalingPolicy {
    #[serde(rename = "type")]
    pub kind: PolicyKind,
    pub value: u32,
    pub period_ms: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    /// `value` instances (HPA `Pods`).
    Instances,
    /// `value` percent (HPA `Percent`).
    Percent,
}

/// Which serving instances an `instance_crash` fault takes down.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum InstancePick {
    /// Drawn at random among the instances serving at that moment (each set of `count` equally
    /// likely), from the service's own instance-crash stream: the same seed crashes the same
    /// instances, and no other draw of the run moves.
    #[default]
    Random,
    /// The serving instances from index `index` up (0 is the first instance of the group), as
    /// many as `count`; fewer if fewer serve there.
    Index { index: u32 },
}

/// For its first `duration_ms` of serving, an instance's service times are `factor` times as
/// long.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ColdStart {
    pub duration_ms: f64,
    pub factor: f64,
}

impl Default for ColdStart {
    fn default() -> Self {
        ColdStart {
            duration_ms: 10_000.0,
            factor: 3.0,
        }
    }
}

/// Service discovery through a registry (as Eureka or Consul with client-side caching): the
/// callers of an autoscaled group learn of its instances only through the registry, so a new
/// instance serves before anyone sends it work, and one that is gone keeps being sent work
/// until the callers hear of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Discovery {
    /// From the moment an instance serves until the registry lists it (start-up registration,
    /// first heartbeat).
    pub registration_delay_ms: f64,
    /// An instance that stops without deregistering stays listed this long after its last
    /// heartbeat (the lease expiry).
    pub heartbeat_timeout_ms: f64,
    /// Callers re-read the registry this often (all at the same moments, from the start);
    /// between refreshes they use what they read last.
    pub refresh_interval_ms: f64,
    /// A removed instance deregisters as it starts draining (a graceful shutdown). When false
    /// it just stops, and the registry drops it only when its heartbeat times out.
    pub deregister_on_shutdown: bool,
}

impl Default for Discovery {
    fn default() -> Self {
        Discovery {
            registration_delay_ms: 10_000.0,
            heartbeat_timeout_ms: 90_000.0,
            refresh_interval_ms: 30_000.0,
            deregister_on_shutdown: true,
        }
    }
}
