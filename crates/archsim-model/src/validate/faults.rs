//! Rules of the faults that hit edges, and of those that only some kinds can suffer: a
//! partition or an extra latency names an edge, a cache flush a cache, a worker cut a node
//! with workers, a burst a client.

use crate::design::{Fault, FaultEffect, NodeKind};
use crate::problem::field_path;

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
