//! How a node that spreads calls over several backends (a load balancer, an API gateway) learns
//! which of them are healthy: active health checks (Envoy's `HealthCheck`), passive outlier
//! detection (Envoy's `OutlierDetection`) and the panic threshold (Envoy's
//! `healthy_panic_threshold`). Semantics in `docs/design-format.md`; the engine's
//! `policy::health` and `node::backend_health` implement them, once for both kinds.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The three health settings of a node with backends, as one value: what the load balancer's and
/// the gateway's parameters both carry (under the same field names), so that one validation,
/// one engine component and one editor serve both kinds.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthSettings {
    pub health_check: HealthCheck,
    pub outlier_detection: Option<OutlierDetection>,
    pub panic_threshold_percent: f64,
}

impl HealthSettings {
    /// Whether any mechanism watches the backends (else every backend is always a candidate).
    pub fn watches(&self) -> bool {
        self.health_check != HealthCheck::None || self.outlier_detection.is_some()
    }
}

/// A node kind's parameters that hold [`HealthSettings`].
pub trait WithHealth {
    fn health(&self) -> HealthSettings;
    fn set_health(&mut self, health: HealthSettings);
}

/// How the balancer decides a backend is up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum HealthCheck {
    /// No health checking: every backend is always a candidate, crashed or not.
    None,
    /// An oracle that knows at once and without error whether a backend is crashed (and skips
    /// backends whose edge breaker is open). No real system has it; it is what version-1
    /// designs' `"health_checks": true` meant, kept so those designs behave as they did.
    Instant,
    /// Envoy's active health checking: a probe to each backend every `interval_ms` (after the
    /// previous probe's answer or timeout), through the edge's network latency, answered by the
    /// backend like a request that costs no work (so it waits in the backend's queue, is refused
    /// when the queue is full, and gets no answer from a crashed backend).
    Active(ActiveHealthCheck),
}

impl Default for HealthCheck {
    fn default() -> Self {
        HealthCheck::Active(ActiveHealthCheck::default())
    }
}

impl HealthCheck {
    /// Every mode, in the editor's order: (JSON name, title).
    pub const MODES: [(&'static str, &'static str); 3] = [
        ("active", "Active probes (Envoy)"),
        ("instant", "Instant oracle (idealised)"),
        ("none", "None"),
    ];

    /// This mode's JSON name.
    pub fn name(&self) -> &'static str {
        match self {
            HealthCheck::None => "none",
            HealthCheck::Instant => "instant",
            HealthCheck::Active(_) => "active",
        }
    }

    /// The mode with this JSON name, with its default parameters.
    pub fn default_named(name: &str) -> Option<HealthCheck> {
        match name {
            "none" => Some(HealthCheck::None),
            "instant" => Some(HealthCheck::Instant),
            "active" => Some(HealthCheck::default()),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ActiveHealthCheck {
    /// Time between a probe's answer (or timeout) and the next probe to the same backend, ms.
    pub interval_ms: f64,
    /// A probe not answered within this time fails, ms.
    pub timeout_ms: f64,
    /// Consecutive failed probes that mark a healthy backend down.
    pub unhealthy_threshold: u32,
    /// Consecutive passed probes that bring a down backend back.
    pub healthy_threshold: u32,
    /// Backends start healthy (true), or start down until their first probe passes (false: a
    /// single passing probe is then enough, as Envoy does for a newly added host).
    pub start_healthy: bool,
}

impl Default for ActiveHealthCheck {
    fn default() -> Self {
        ActiveHealthCheck {
            interval_ms: 5_000.0,
            timeout_ms: 1_000.0,
            unhealthy_threshold: 3,
            healthy_threshold: 2,
            start_healthy: true,
        }
    }
}

/// Envoy's consecutive-5xx outlier detection: passive, from the replies of real requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct OutlierDetection {
    /// Consecutive failed replies from a backend that eject it (Envoy's `consecutive_5xx`).
    pub consecutive_errors: u32,
    /// How often ejected backends are looked at to be brought back, ms (Envoy's `interval`).
    pub interval_ms: f64,
    /// Ejection time: this times the backend's ejection multiplier, ms (Envoy's
    /// `base_ejection_time`).
    pub base_ejection_ms: f64,
    /// The longest an ejection lasts, ms (Envoy's `max_ejection_time`); at least
    /// `base_ejection_ms`.
    pub max_ejection_ms: f64,
    /// At most this percentage of the backends ejected at once (Envoy's
    /// `max_ejection_percent`).
    pub max_ejection_percent: f64,
    /// Eject one backend even when `max_ejection_percent` allows none (Envoy's
    /// `always_eject_one_host`).
    pub always_eject_one: bool,
}

impl Default for OutlierDetection {
    fn default() -> Self {
        OutlierDetection {
            consecutive_errors: 5,
            interval_ms: 10_000.0,
            base_ejection_ms: 30_000.0,
            max_ejection_ms: 300_000.0,
            max_ejection_percent: 10.0,
            always_eject_one: false,
        }
    }
}

/// Least connections' choice among backends with equally few requests in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Ties {
    /// The first in the balancer's edge order.
    First,
    /// The scan starts just after the last backend chosen, so tied backends take turns.
    #[default]
    Rotate,
    /// Uniformly at random among the tied backends.
    Random,
}

impl Ties {
    /// Every rule, in the editor's order: (JSON name, title).
    pub const ALL: [(Ties, &'static str, &'static str); 3] = [
        (Ties::Rotate, "rotate", "Rotate"),
        (Ties::First, "first", "First in order"),
        (Ties::Random, "random", "Random"),
    ];

    pub fn name(self) -> &'static str {
        match self {
            Ties::First => "first",
            Ties::Rotate => "rotate",
            Ties::Random => "random",
        }
    }

    pub fn named(name: &str) -> Option<Ties> {
        Ties::ALL
            .iter()
            .find(|(_, n, _)| *n == name)
            .map(|(t, _, _)| *t)
    }
}
