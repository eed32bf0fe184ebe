//! The order in which a service's waiting requests get a worker, and which ones it drops: FIFO
//! (the default), LIFO, adaptive LIFO (Facebook's), CoDel (RFC 8289) and priority by request
//! class with the lowest class shed first.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::design::AlgorithmInfo;

/// How a service's wait queue is served.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum QueueDiscipline {
    /// First in, first out: the oldest waiting request is served next.
    #[default]
    Fifo,
    /// Last in, first out: the newest waiting request is served next, so under overload the
    /// requests that wait long are the ones whose callers have most likely given up already.
    Lifo,
    /// FIFO while at most `threshold` requests wait, LIFO while more do (Facebook's adaptive
    /// LIFO: fair when the queue is short, newest-first when it is building up).
    AdaptiveLifo {
        #[serde(default = "default_lifo_threshold")]
        threshold: u32,
    },
    /// CoDel, as RFC 8289's pseudo-code, applied when a worker takes the next request: once the
    /// waiting time of the requests taken has stayed above `target_ms` for `interval_ms`, the
    /// request taken is dropped (cause `codel_dropped`), and further drops follow at
    /// `interval_ms / √count` until a request taken waited less than `target_ms` (or the queue
    /// empties).
    Codel {
        #[serde(default = "default_codel_target_ms")]
        target_ms: f64,
        #[serde(default = "default_codel_interval_ms")]
        interval_ms: f64,
    },
    /// Strict priority by request class: `classes` lists class names from the highest
    /// priority down (classes not listed come after them all, together). The highest class
    /// waiting is served first, FIFO within a class. When the queue is full, a request of a
    /// higher class than the lowest one waiting takes its place: the newest request of the
    /// lowest class waiting is dropped (cause `shed_priority`); otherwise the newcomer is
    /// rejected (`queue_full`).
    Priority { classes: Vec<String> },
}

fn default_lifo_threshold() -> u32 {
    10
}

fn default_codel_target_ms() -> f64 {
    5.0
}

fn default_codel_interval_ms() -> f64 {
    100.0
}

impl QueueDiscipline {
    /// Every discipline, in the editor's order: the one place each is named.
    pub const CATALOG: [AlgorithmInfo; 5] = [
        AlgorithmInfo {
            name: "fifo",
            title: "FIFO",
        },
        AlgorithmInfo {
            name: "lifo",
            title: "LIFO",
        },
        AlgorithmInfo {
            name: "adaptive_lifo",
            title: "Adaptive LIFO",
        },
        AlgorithmInfo {
            name: "codel",
            title: "CoDel",
        },
        AlgorithmInfo {
            name: "priority",
            title: "Priority by class",
        },
    ];

    /// This discipline's catalog entry.
    pub fn info(&self) -> &'static AlgorithmInfo {
        &Self::CATALOG[match self {
            QueueDiscipline::Fifo => 0,
            QueueDiscipline::Lifo => 1,
            QueueDiscipline::AdaptiveLifo { .. } => 2,
            QueueDiscipline::Codel { .. } => 3,
            QueueDiscipline::Priority { .. } => 4,
        }]
    }

    /// The name in JSON.
    pub fn name(&self) -> &'static str {
        self.info().name
    }

    /// The discipline called `name` in JSON, with default parameters (what the editor
    /// switches to).
    pub fn default_named(name: &str) -> Option<QueueDiscipline> {
        [
            QueueDiscipline::Fifo,
            QueueDiscipline::Lifo,
            QueueDiscipline::AdaptiveLifo {
                threshold: default_lifo_threshold(),
            },
            QueueDiscipline::Codel {
                target_ms: default_codel_target_ms(),
                interval_ms: default_codel_interval_ms(),
            },
            QueueDiscipline::Priority {
                classes: Vec::new(),
            },
        ]
        .into_iter()
        .find(|candidate| candidate.name() == name)
    }
}
