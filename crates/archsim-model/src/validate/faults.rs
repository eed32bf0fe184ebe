//! Rules of the fault timeline (targets, windows, the reshard fault), of the faults that hit edges,
//! and of those that only some kinds can suffer: a
//! partition or an extra latency names an edge, a cache flush a cache, a worker cut a node
//! with workers, a burst a client.

use crate::design::{Fault, FaultEffect, NodeKind};
use crate::problem::field_path;

use super::MAX_SHARDS;

use super::Checker;

/// Most requests one burst may send: each is an event and a request in flight at once.
pub const MAX_BURST_REQUESTS: u64 = 1_000_000;

impl Checker<'_> {
    /// An edge fault's target must be an edge's id.
    pub(super) fn edge_fault_target(&mut self, path: &str, target: &str) {
        let known = self.gaps.edges_missing
            || self.gaps.broken_edge_ids.iter().any(|(_, id)| id == target)
            || self.design.edges.iter().any(|edge| edge.id == target);
        if !known {
            let hint = if self.may_be_a_node(target) && !self.gaps.node_without_id {
                format!(" (`{target}` is a node; this effect hits an edge, so name an edge's id)")
            } else {
                String::new()
            };
            self.report(
                field_path(path, "target"),
                format!("no edge has id `{target}`{hint}"),
            );
        }
    }

    /// The rules of the effects that came with the overload issue's timeline.
    pub(super) fn timeline_fault(&mut self, path: &str, fault: &Fault) {
        let effect = field_path(path, "effect");
        match fault.effect {
            FaultEffect::Partition => {}
            FaultEffect::EdgeLatency {
                extra_ms,
                jitter_ms,
            } => {
                self.non_negative(&field_path(&effect, "extra_ms"), extra_ms);
                self.non_negative(&field_path(&effect, "jitter_ms"), jitter_ms);
            }
            FaultEffect::CacheFlush => self.fault_on_kind(
                path,
                fault,
                |kind| matches!(kind, NodeKind::Cache(_)),
                "a cache flush empties a cache",
            ),
            FaultEffect::WorkerCut { fraction } => {
                self.fault_on_kind(
                    path,
                    fault,
                    |kind| kind.info().has_workers,
                    "a worker cut takes workers away, so it needs a node with workers",
                );
                if !(fraction > 0.0 && fraction <= 1.0) {
                    self.report(
                        field_path(&effect, "fraction"),
                        format!(
                            "must be a fraction of the workers in (0, 1] (1 takes every worker), found {fraction}"
                        ),
                    );
                }
            }
            FaultEffect::Burst { requests } => {
                self.fault_on_kind(
                    path,
                    fault,
                    |kind| matches!(kind, NodeKind::Client(_)),
                    "a burst is extra requests from a traffic source, so it needs a client",
                );
                let requests_path = field_path(&effect, "requests");
                self.at_least_one(&requests_path, requests.into(), "requests in the burst");
                self.at_most(
                    &requests_path,
                    requests.into(),
                    MAX_BURST_REQUESTS,
                    "requests in one burst",
                );
            }
            _ => {}
        }
    }

    fn fault_on_kind(
        &mut self,
        path: &str,
        fault: &Fault,
        fits: impl Fn(&NodeKind) -> bool,
        why: &str,
    ) {
        if let Some(kind) = self.kind_of(&fault.target)
            && !fits(kind)
        {
            self.report(
                field_path(path, "target"),
                format!("{why}, but `{}` is a {}", fault.target, kind.name()),
            );
        }
    }
}

impl Checker<'_> {
    pub(super) fn faults(&mut self) {
        let design = self.design;
        for (index, fault) in design.faults.iter().enumerate() {
            let path = self.fault_path(index);
            if fault.effect.on_edge() {
                self.edge_fault_target(&path, &fault.target);
            } else if !self.may_be_a_node(&fault.target) {
                self.report(
                    field_path(&path, "target"),
                    format!("no node has id `{}`", fault.target),
                );
            }
            self.non_negative(&field_path(&path, "at_ms"), fault.at_ms);
            if fault.effect.may_be_instant() {
                self.non_negative(&field_path(&path, "duration_ms"), fault.duration_ms);
            } else {
                self.positive(&field_path(&path, "duration_ms"), fault.duration_ms);
            }
            let effect = field_path(&path, "effect");
            match fault.effect {
                FaultEffect::Crash => {}
                FaultEffect::Latency { extra_ms } => {
                    self.non_negative(&field_path(&effect, "extra_ms"), extra_ms)
                }
                FaultEffect::ErrorRate { rate } => {
                    self.fraction(&field_path(&effect, "rate"), rate)
                }
                FaultEffect::Slowdown { factor } => {
                    self.positive(&field_path(&effect, "factor"), factor)
                }
                FaultEffect::Reshard { shards } => self.reshard(index, &effect, shards),
                FaultEffect::PrimaryCrash => self.primary_crash(index),
                FaultEffect::InstanceCrash { count, ref pick } => {
                    self.instance_crash(index, &effect, count, pick)
                }
                FaultEffect::Partition
                | FaultEffect::EdgeLatency { .. }
                | FaultEffect::CacheFlush
                | FaultEffect::WorkerCut { .. }
                | FaultEffect::Burst { .. } => self.timeline_fault(&path, fault),
            }
        }
    }

    /// A reshard targets a database, asks for 1 to `MAX_SHARDS` shards, and does not overlap
    /// another reshard of the same database (one move at a time, as real resharding goes).
    pub(super) fn reshard(&mut self, index: usize, effect: &str, shards: u32) {
        let design = self.design;
        let fault = &design.faults[index];
        let path = self.fault_path(index);
        match self.kind_of(&fault.target) {
            Some(NodeKind::Database(_)) | None => {}
            Some(other) => self.report(
                field_path(&path, "target"),
                format!(
                    "a reshard changes a database's shard count, but `{}` is a {}",
                    fault.target,
                    other.name()
                ),
            ),
        }
        let shards_path = field_path(effect, "shards");
        self.at_least_one(&shards_path, shards.into(), "shards after the reshard");
        self.at_most(&shards_path, shards.into(), MAX_SHARDS, "shards");
        let end = fault.at_ms + fault.duration_ms;
        let overlapping = design.faults[..index].iter().position(|other| {
            other.target == fault.target
                && matches!(other.effect, FaultEffect::Reshard { .. })
                && other.at_ms < end
                && fault.at_ms < other.at_ms + other.duration_ms
        });
        if let Some(other) = overlapping {
            self.report(
                field_path(&path, "at_ms"),
                format!(
                    "this reshard of `{}` overlaps the one at {}; a database moves its keys for one reshard at a time, so start this one after that one's duration",
                    fault.target,
                    self.fault_path(other)
                ),
            );
        }
    }
}
