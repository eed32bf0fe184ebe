//! What each fault of the timeline did: counted where the fault acts, then turned into the
//! report's `faults` list.
//!
//! Nodes and edges keep cumulative [`Hits`]: trips a partition swallowed, trips an extra
//! latency delayed, requests an injected latency, slow-down or error rate touched. They move
//! only while a fault is in force (each count sits behind the branch that applies the fault),
//! so a run without faults pays nothing per request. A fault's own figures are the difference
//! of its target's hits between its start and its end (or the end of the run), like a
//! period's figures between two snapshots; overlapping faults of the same kind on one target
//! therefore each count what happened while they lasted together. What only a fault's start
//! knows (workers cut, entries flushed, instances crashed, keys moved) and a burst's requests
//! (counted as the client sends each) are kept per fault.
//!
//! Counting draws no random number and schedules nothing: runs are the same with it.

use archsim_model::design::FaultEffect;
use archsim_model::report::Estimate;
use archsim_model::{EdgeEnds, FaultFigures, FaultReport};

use crate::metrics::{Outcome, node_counter};
use crate::sim::{FaultTarget, Sim};

/// Which way a trip along an edge goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trip {
    /// An attempt on its way to the callee.
    Request,
    /// The callee's answer on its way back.
    Reply,
    /// A health probe or its answer.
    Probe,
}

/// Cumulative counts of what faults did at one node or edge.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Hits {
    pub requests_vanished: u64,
    pub replies_vanished: u64,
    pub probes_vanished: u64,
    /// Requests and replies an extra latency delayed.
    pub trips_delayed: u64,
    /// The sum of the jitter draws' uniform variates (each in `[0, 1)`), so a fault's own
    /// jitter is its `jitter_ms` times the part of this sum its window saw.
    pub jitter_units: f64,
    pub requests_delayed: u64,
    pub requests_slowed: u64,
    pub errors_injected: u64,
    /// Requests that failed with `node_down` here (read from the recorder when taken).
    pub node_down: u64,
}

impl Hits {
    fn since(self, start: Hits) -> Hits {
        Hits {
            requests_vanished: self.requests_vanished - start.requests_vanished,
            replies_vanished: self.replies_vanished - start.replies_vanished,
            probes_vanished: self.probes_vanished - start.probes_vanished,
            trips_delayed: self.trips_delayed - start.trips_delayed,
            jitter_units: self.jitter_units - start.jitter_units,
            requests_delayed: self.requests_delayed - start.requests_delayed,
            requests_slowed: self.requests_slowed - start.requests_slowed,
            errors_injected: self.errors_injected - start.errors_injected,
            node_down: self.node_down - start.node_down,
        }
    }

    /// A trip along the edge vanished into a partition.
    #[inline]
    pub fn vanished(&mut self, trip: Trip) {
        match trip {
            Trip::Request => self.requests_vanished += 1,
            Trip::Reply => self.replies_vanished += 1,
            Trip::Probe => self.probes_vanished += 1,
        }
    }
}

/// One fault's tally in one replication.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FaultTally {
    /// Its target's hits when it started; None before it starts (or once it has ended).
    at_start: Option<Hits>,
    /// What its window added to its target's hits.
    during: Hits,
    /// Workers a cut took away, and how many the node had.
    pub workers_removed: u64,
    pub workers_before: u64,
    /// What a fault changed in a kind's own state at its start: entries a cache flush emptied,
    /// keys a reshard moved.
    pub changed: u64,
    /// Instances (or a database's primaries) that went down at its start.
    pub instances_crashed: u64,
    /// A burst's requests sent so far.
    pub requests_sent: u64,
}

impl Sim {
    /// The hits of a fault's target now.
    fn hits_of(&self, target: FaultTarget) -> Hits {
        match target {
            FaultTarget::Edge(edge) => self.core.edges[edge as usize].hits,
            FaultTarget::Node(node) => {
                let state = &self.core.nodes[node as usize];
                let cause = Outcome::NodeDown.cause().expect("a failure") as u32;
                Hits {
                    node_down: self
                        .core
                        .recorder
                        .counter(state.counters + node_counter::FAILED + cause),
                    ..state.hits
                }
            }
        }
    }

    /// Fault `fault` starts (before its effect is applied) or ends (after).
    pub(crate) fn tally_fault(&mut self, fault: u32, start: bool) {
        let hits = self.hits_of(self.faults[fault as usize].target);
        let tally = &mut self.core.fault_tallies[fault as usize];
        if start {
            tally.at_start = Some(hits);
        } else if let Some(at_start) = tally.at_start.take() {
            tally.during = hits.since(at_start);
        }
    }

    /// The run is over: faults still in force count up to now.
    pub(crate) fn close_fault_tallies(&mut self) {
        for fault in 0..self.faults.len() as u32 {
            if self.core.fault_tallies[fault as usize].at_start.is_some() {
                self.tally_fault(fault, false);
            }
        }
    }

    /// What every fault of the design did in this replication.
    pub(crate) fn fault_reports(&self) -> Vec<FaultReport> {
        let run_end = self.design.run.duration_ms;
        self.design
            .faults
            .iter()
            .zip(&self.faults)
            .zip(&self.core.fault_tallies)
            .enumerate()
            .map(|(index, ((fault, spec), tally))| {
                let edge = match spec.target {
                    FaultTarget::Edge(e) => {
                        let e = &self.design.edges[e as usize];
                        Some(EdgeEnds {
                            from: e.from.clone(),
                            to: e.to.clone(),
                        })
                    }
                    FaultTarget::Node(_) => None,
                };
                let start_ms = fault.at_ms.clamp(0.0, run_end);
                let end_ms = (fault.at_ms + fault.duration_ms).clamp(start_ms, run_end);
                FaultReport {
                    index: index as u32,
                    kind: fault.effect.type_name().to_string(),
                    effect: fault.effect.clone(),
                    target: fault.target.clone(),
                    edge,
                    start_ms,
                    end_ms,
                    figures: figures(&fault.effect, tally),
                }
            })
            .collect()
    }
}

/// The figures of a fault's kind from its tally.
fn figures(effect: &FaultEffect, tally: &FaultTally) -> FaultFigures {
    let n = |x: u64| Some(Estimate::exact(x as f64));
    let d = &tally.during;
    let mut f = FaultFigures::default();
    match *effect {
        FaultEffect::Crash => f.requests_failed = n(d.node_down),
        FaultEffect::PrimaryCrash | FaultEffect::InstanceCrash { .. } => {
            f.requests_failed = n(d.node_down);
            f.instances_crashed = n(tally.instances_crashed);
        }
        FaultEffect::Latency { .. } => f.requests_delayed = n(d.requests_delayed),
        FaultEffect::Slowdown { .. } => f.requests_slowed = n(d.requests_slowed),
        FaultEffect::ErrorRate { .. } => f.errors_injected = n(d.errors_injected),
        FaultEffect::Reshard { .. } => f.keys_moved = n(tally.changed),
        FaultEffect::Partition => {
            f.requests_vanished = n(d.requests_vanished);
            f.replies_vanished = n(d.replies_vanished);
            f.probes_vanished = n(d.probes_vanished);
        }
        FaultEffect::EdgeLatency {
            extra_ms,
            jitter_ms,
        } => {
            f.trips_delayed = n(d.trips_delayed);
            // Its own share of each delayed trip: its extra, plus its jitter times the trip's
            // uniform draw (overlapping faults' jitters share one draw in proportion).
            let mean = if d.trips_delayed == 0 {
                0.0
            } else {
                extra_ms + jitter_ms * d.jitter_units / d.trips_delayed as f64
            };
            f.mean_added_ms = Some(Estimate::exact(mean));
        }
        FaultEffect::CacheFlush => f.entries_flushed = n(tally.changed),
        FaultEffect::WorkerCut { .. } => {
            f.workers_removed = n(tally.workers_removed);
            f.workers_before = n(tally.workers_before);
        }
        FaultEffect::Burst { .. } => f.requests_sent = n(tally.requests_sent),
    }
    f
}

/// Replications: each figure's mean over them, with its Student-t 95% half-width.
pub(crate) fn combine(reports: &[&[FaultReport]]) -> Vec<FaultReport> {
    let Some(first) = reports.first() else {
        return Vec::new();
    };
    let mut combined = first.to_vec();
    for (i, fault) in combined.iter_mut().enumerate() {
        let columns: Vec<Vec<f64>> = reports
            .iter()
            .filter_map(|faults| faults.get(i))
            .map(|f| {
                let mut figures = f.figures.clone();
                figures.estimates_mut().iter().map(|e| e.value).collect()
            })
            .collect();
        for (k, e) in fault.figures.estimates_mut().into_iter().enumerate() {
            let samples: Vec<f64> = columns.iter().filter_map(|c| c.get(k).copied()).collect();
            let (value, ci95) = crate::stats::mean_ci95(&samples);
            *e = Estimate { value, ci95 };
        }
    }
    combined
}
