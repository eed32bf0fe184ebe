//! Faults on the timeline: what goes wrong, where and when.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Something that goes wrong on a node or an edge during `[at_ms, at_ms + duration_ms)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// Id of the node the fault hits, or of the edge for the edge effects (`partition`,
    /// `edge_latency`).
    pub target: String,
    pub at_ms: f64,
    pub duration_ms: f64,
    pub effect: FaultEffect,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultEffect {
    /// The node is down: requests reaching it fail at once, in-flight work is lost.
    Crash,
    /// Every request the node serves takes `extra_ms` longer.
    Latency { extra_ms: f64 },
    /// The node fails this fraction of requests (on top of its own error rate).
    ErrorRate { rate: f64 },
    /// Service times are multiplied by `factor` (a noisy neighbour, a GC storm).
    Slowdown { factor: f64 },
    /// A database goes to `shards` shards at `at_ms` and stays there. Keys whose shard changed
    /// are moved during `duration_ms`: until then, the first query of a moved key also reads it
    /// from its old shard (a miss-like slower query). Not a failure: it never reverts.
    Reshard { shards: u32 },
    /// A database's primaries crash (every shard's): their queries fail, and writes fail until
    /// a replica is promoted (`failover`) or the primary is back at the end (then a replica if
    /// one was promoted meanwhile).
    PrimaryCrash,
    /// Edge: a network partition. Every request sent along the edge, and every answer sent
    /// back along it, while the fault lasts vanishes: the caller sees only its timeouts.
    Partition,
    /// Edge: every trip along the edge (there and back) takes `extra_ms` longer, plus a
    /// uniform draw in `[0, jitter_ms]`.
    EdgeLatency {
        extra_ms: f64,
        #[serde(default)]
        jitter_ms: f64,
    },
    /// Cache: emptied at `at_ms` (a `FLUSHALL`, a cold restart of the store) without going
    /// down; `duration_ms` plays no part.
    CacheFlush,
    /// A node with workers loses `fraction` of them (rounded to the nearest whole worker, in
    /// every station) while the fault lasts: CPU starvation, a noisy neighbour. Work in
    /// progress finishes; no new work starts on a lost worker until the fault ends.
    WorkerCut { fraction: f64 },
    /// Client: exactly `requests` extra requests (a thundering herd), all at `at_ms` when
    /// `duration_ms` is 0, else spread evenly over `duration_ms`.
    Burst { requests: u32 },
    /// Autoscaled service: `count` of its serving instances crash at `at_ms` (the requests they
    /// hold fail with `node_down`); each stays down for `duration_ms` (until the group's
    /// controller notices; 0: at once), then is replaced by a new instance that serves after
    /// the group's `provisioning_delay_ms`. `pick` says which instances.
    InstanceCrash {
        #[serde(default = "one_instance")]
        count: u32,
        #[serde(default)]
        pick: crate::scaling::InstancePick,
    },
}

fn one_instance() -> u32 {
    1
}

impl FaultEffect {
    /// The effect's `type` in the design format (the report's fault `kind`, the editor's
    /// choice of effect).
    pub fn type_name(&self) -> &'static str {
        match self {
            FaultEffect::Crash => "crash",
            FaultEffect::Latency { .. } => "latency",
            FaultEffect::ErrorRate { .. } => "error_rate",
            FaultEffect::Slowdown { .. } => "slowdown",
            FaultEffect::Reshard { .. } => "reshard",
            FaultEffect::PrimaryCrash => "primary_crash",
            FaultEffect::Partition => "partition",
            FaultEffect::EdgeLatency { .. } => "edge_latency",
            FaultEffect::CacheFlush => "cache_flush",
            FaultEffect::WorkerCut { .. } => "worker_cut",
            FaultEffect::Burst { .. } => "burst",
            FaultEffect::InstanceCrash { .. } => "instance_crash",
        }
    }

    /// Whether the fault hits an edge (its `target` is an edge id) rather than a node.
    pub fn on_edge(&self) -> bool {
        matches!(
            self,
            FaultEffect::Partition | FaultEffect::EdgeLatency { .. }
        )
    }

    /// Whether the fault happens at an instant, so that a `duration_ms` of 0 is allowed.
    pub fn may_be_instant(&self) -> bool {
        matches!(
            self,
            FaultEffect::CacheFlush | FaultEffect::Burst { .. } | FaultEffect::InstanceCrash { .. }
        )
    }
}

// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_name_is_the_effects_type_in_the_design_format() {
        let effects = [
            FaultEffect::Crash,
            FaultEffect::Latency { extra_ms: 1.0 },
            FaultEffect::ErrorRate { rate: 0.1 },
            FaultEffect::Slowdown { factor: 2.0 },
            FaultEffect::Reshard { shards: 2 },
            FaultEffect::PrimaryCrash,
            FaultEffect::Partition,
            FaultEffect::EdgeLatency {
                extra_ms: 1.0,
                jitter_ms: 0.0,
            },
            FaultEffect::CacheFlush,
            FaultEffect::WorkerCut { fraction: 0.5 },
            FaultEffect::Burst { requests: 10 },
            FaultEffect::InstanceCrash {
                count: 1,
                pick: Default::default(),
            },
        ];
        for effect in effects {
            let json = serde_json::to_value(&effect).expect("serializes");
            assert_eq!(json["type"], effect.type_name(), "{effect:?}");
        }
    }
}
