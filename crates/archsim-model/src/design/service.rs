//! The service node: workers, queue, service time, load-dependent slowdown and calls downstream.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Distribution;
use crate::discipline::QueueDiscipline;
use crate::load_curve::LoadCurve;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ServiceParams {
    /// Requests served at once.
    pub workers: u32,
    /// Requests that may wait for a worker; one more is rejected (queue full).
    pub queue_capacity: u32,
    pub service_time: Distribution,
    /// Probability that a request fails with an error after being served.
    pub error_rate: f64,
    /// Load-dependent slow-down: above the knee utilisation, service time grows.
    pub slowdown: Option<Slowdown>,
    /// How the service calls its outgoing edges after its own work.
    pub calls: CallMode,
    /// Keep the worker busy while waiting for downstream calls (thread-per-request servers).
    /// When false, the worker is freed once the service's own work is done and the request waits
    /// for its downstream calls without holding one: a pipeline stage, as in a Jackson network.
    pub hold_worker_during_calls: bool,
    /// When the caller gives up (timeout), drop the request here too instead of finishing it.
    pub cancel_on_timeout: bool,
    /// Which waiting request a free worker takes, and which ones are dropped (FIFO by default).
    pub queue_discipline: QueueDiscipline,
    /// Service time multiplied by a curve of the busy fraction of workers (instead of
    /// `slowdown`, which is the knee curve).
    pub load_curve: Option<LoadCurve>,
    /// Run the service as an autoscaled group of instances (each with these workers and this
    /// queue); absent means one fixed instance.
    pub autoscaling: Option<crate::scaling::Autoscaling>,
    /// How the callers of an autoscaled group learn about its instances; absent means at once
    /// (they always know exactly which instances serve).
    pub discovery: Option<crate::scaling::Discovery>,
}

impl Default for ServiceParams {
    fn default() -> Self {
        ServiceParams {
            workers: 4,
            queue_capacity: 100,
            service_time: Distribution::Exponential { mean_ms: 20.0 },
            error_rate: 0.0,
            slowdown: None,
            calls: CallMode::Sequential,
            hold_worker_during_calls: true,
            cancel_on_timeout: false,
            queue_discipline: QueueDiscipline::Fifo,
            load_curve: None,
            autoscaling: None,
            discovery: None,
        }
    }
}

/// Service time is multiplied by `1 + factor · (u - knee) / (1 - knee)` when the busy fraction
/// of workers `u` is above `knee`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Slowdown {
    /// Utilisation in `0..1` where slow-down starts.
    pub knee: f64,
    /// Extra service time, as a multiple, at full utilisation.
    pub factor: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallMode {
    /// One downstream call after another; the worker waits for each.
    #[default]
    Sequential,
    /// All downstream calls at once (fan-out); the reply waits for the slowest.
    Parallel,
}
