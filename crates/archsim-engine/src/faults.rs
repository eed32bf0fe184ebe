//! Faults on a timeline, each active in `[at_ms, at_ms + duration_ms)`.
//!
//! On a node: crash, extra latency, extra errors, slow-down, worker cut; overlapping faults on
//! one node combine (latencies and error rates add, slow-down factors multiply, the workers
//! two cuts leave are what each would leave of the other's: `1 − Π(1 − fraction)` are cut).
//!
//! A crash fails everything at the node with `node_down` — waiting, in service, or waiting on
//! its own downstream calls — as a real crash drops its connections; requests arriving while it
//! is down fail at once. A crashed client simply stops sending.
//!
//! A worker cut (a noisy neighbour taking CPU) takes `round(workers × fraction)` workers of each
//! station away: work in progress finishes, but no new work starts on a lost worker; when the
//! cut ends, the returning workers take the next jobs in line at once.
//!
//! On an edge: a partition swallows every trip along the edge (requests there, answers back,
//! health probes both ways), so the caller sees only its timeouts; an extra latency is added to
//! every trip, with an optional uniform jitter from the edge's own fault stream.
//!
//! At an instant: a cache flush empties a cache's store (it stays up); a burst makes a client
//! send exactly N extra requests, at once or spread evenly over the fault's duration (timers of
//! the client, tag [`BURST`]).
//!
//! An instance crash takes down some instances of an autoscaled service (their requests fail
//! with `node_down`, the node stays up); at its end the group's controller replaces them (see
//! `scaling::group`).
//!
//! A reshard is on the same timeline but is not a failure: the database goes to its new shard
//! count at the start and moves keys until the end (see `node::database`). A primary crash
//! crashes only a database's primaries: the queries at those stations fail as in a crash, and
//! the database routes around them (see `node::replication`).

use archsim_model::design::FaultEffect;

use crate::core::FaultState;
use crate::metrics::{Outcome, node_area};
use crate::node::{BURST, INSTANCES_CHANGED, Step};
use crate::request::JobState;
use crate::sim::{FaultTarget, Sim};
use crate::slab::Handle;
use crate::time::{SimTime, from_ms};

impl Sim {
    pub(crate) fn on_fault(&mut self, fault: u32, start: bool) {
        // What the fault does is counted from its start, before it acts, to its end, after.
        if start {
            self.tally_fault(fault, true);
        }
        match self.faults[fault as usize].target {
            FaultTarget::Node(node) => self.on_node_fault(fault, node, start),
            FaultTarget::Edge(edge) => self.on_edge_fault(fault, edge, start),
        }
        if !start {
            self.tally_fault(fault, false);
        }
    }

    fn on_edge_fault(&mut self, fault: u32, edge: u32, start: bool) {
        let e = &mut self.core.edges[edge as usize];
        let mut state = e.fault;
        let sign = |x: SimTime| -> i128 { if start { x as i128 } else { -(x as i128) } };
        let shift = |v: SimTime, by: i128| (v as i128 + by).max(0) as SimTime;
        match self.faults[fault as usize].effect {
            FaultEffect::Partition => {
                state.partitions = if start {
                    state.partitions + 1
                } else {
                    state.partitions.saturating_sub(1)
                }
            }
            FaultEffect::EdgeLatency {
                extra_ms,
                jitter_ms,
            } => {
                state.extra = shift(state.extra, sign(from_ms(extra_ms)));
                state.jitter = shift(state.jitter, sign(from_ms(jitter_ms)));
                state.latencies = if start {
                    state.latencies + 1
                } else {
                    state.latencies.saturating_sub(1)
                };
            }
            _ => {}
        }
        e.fault = state;
    }

    fn on_node_fault(&mut self, fault: u32, node: u32, start: bool) {
        let n = node as usize;
        let effect = self.faults[fault as usize].effect.clone();
        match effect {
            FaultEffect::Burst { requests } => {
                if start {
                    self.schedule_burst(fault, node, requests);
                }
                return;
            }
            FaultEffect::CacheFlush => {
                if start {
                    let flushed = self.models[n].fault(&effect, true, self.core.now);
                    self.core.fault_tallies[fault as usize].changed = flushed;
                }
                return;
            }
            FaultEffect::InstanceCrash { count, pick } => {
                // Only some instances go down: the node itself stays up.
                let now = self.core.now;
                self.models[n].instance_fault(fault, count, &pick, start, now);
                let stations = self.models[n].take_crashed_stations();
                if start {
                    self.core.fault_tallies[fault as usize].instances_crashed =
                        stations.len() as u64;
                }
                if !stations.is_empty() {
                    self.fail_stations(node, Some(&stations));
                }
                self.core.queue.push(
                    now,
                    crate::core::Event::NodeTimer {
                        node,
                        tag: INSTANCES_CHANGED,
                    },
                );
                return;
            }
            _ => {}
        }
        let node_state = &mut self.core.nodes[n];
        if start {
            node_state.active_faults.push(fault);
        } else {
            node_state.active_faults.retain(|&f| f != fault);
        }
        let was_crashed = node_state.fault.crashed;
        let mut state = FaultState::default();
        let mut left = 1.0;
        for &f in &node_state.active_faults {
            match self.faults[f as usize].effect {
                FaultEffect::Crash => state.crashed = true,
                FaultEffect::Latency { extra_ms } => {
                    state.extra_latency = state.extra_latency.saturating_add(from_ms(extra_ms))
                }
                FaultEffect::ErrorRate { rate } => state.error_rate += rate,
                FaultEffect::Slowdown { factor } => state.slowdown *= factor.max(0.0),
                FaultEffect::WorkerCut { fraction } => left *= 1.0 - fraction.clamp(0.0, 1.0),
                // Change the kind's own state, below; nothing every kind shares.
                FaultEffect::Reshard { .. } | FaultEffect::PrimaryCrash => {}
                // Not node faults, or instants handled above.
                FaultEffect::Partition
                | FaultEffect::EdgeLatency { .. }
                | FaultEffect::CacheFlush
                | FaultEffect::Burst { .. }
                | FaultEffect::InstanceCrash { .. } => {}
            }
        }
        node_state.fault = state;
        if matches!(
            effect,
            FaultEffect::Reshard { .. } | FaultEffect::PrimaryCrash
        ) {
            let changed = self.models[n].fault(&effect, start, self.core.now);
            let stations = self.models[n].take_crashed_stations();
            if start {
                let tally = &mut self.core.fault_tallies[fault as usize];
                tally.changed = changed;
                tally.instances_crashed = stations.len() as u64;
            }
            if !stations.is_empty() {
                self.fail_stations(node, Some(&stations));
            }
        }
        if matches!(effect, FaultEffect::WorkerCut { .. }) {
            let cut = self.cut_workers(node, 1.0 - left);
            if start {
                let tally = &mut self.core.fault_tallies[fault as usize];
                tally.workers_removed = cut.after.saturating_sub(cut.before);
                tally.workers_before = cut.workers;
            }
        }
        if state.crashed && !was_crashed {
            self.crash(node);
        }
    }

    /// Workers cut now and workers in all, over every station of the node.
    fn workers_cut(&self, node: u32) -> (u64, u64) {
        let stations = &self.core.nodes[node as usize].stations;
        (
            stations.iter().map(|st| u64::from(st.cut)).sum(),
            stations.iter().map(|st| u64::from(st.workers)).sum(),
        )
    }

    /// `fraction` of every station's workers are cut from now on; workers given back take the
    /// next jobs in line at once.
    fn cut_workers(&mut self, node: u32, fraction: f64) -> WorkersCut {
        let n = node as usize;
        let now = self.core.now;
        let (before, workers) = self.workers_cut(node);
        for station in 0..self.core.nodes[n].stations.len() {
            let st = &mut self.core.nodes[n].stations[station];
            st.settle(now);
            let cut = (st.workers as f64 * fraction).round() as u32;
            st.cut = cut.min(st.workers);
            let bound = st.workers as u64 + st.waiting;
            if self.core.nodes[n].fault.crashed {
                continue;
            }
            // Each turn starts a job, answers a probe or drops a job CoDel or a spent deadline
            // condemns, so the loop ends; the bound is a guard.
            for _ in 0..=bound {
                let st = &self.core.nodes[n].stations[station];
                if st.busy >= st.usable() || st.waiting == 0 {
                    break;
                }
                if let Some(job) = self.core.grant_waiting(node, station as u32) {
                    self.dispatch(n, Step::BeginWork(job));
                }
            }
        }
        // Utilisation is the busy share of the workers left (`metrics::busy_share`).
        let (after, _) = self.workers_cut(node);
        let areas = self.core.nodes[n].areas;
        self.core.recorder.change_level(
            areas + node_area::CUT,
            now,
            (after as i64 - before as i64) as i32,
        );
        WorkersCut {
            before,
            after,
            workers,
        }
    }

    /// A burst's requests: client timers at the start, or spread evenly over the duration.
    fn schedule_burst(&mut self, fault: u32, node: u32, requests: u32) {
        let design_fault = &self.design.faults[fault as usize];
        let span = from_ms(design_fault.duration_ms);
        let now = self.core.now;
        for i in 0..u64::from(requests) {
            let offset = (span as u128 * i as u128 / u64::from(requests).max(1) as u128) as u64;
            // The tag says which burst, so the client counts its requests for it.
            self.core.queue.push(
                now.saturating_add(offset),
                crate::core::Event::NodeTimer {
                    node,
                    tag: BURST + fault,
                },
            );
        }
    }

    /// Everything at the node fails with NodeDown: queued, in service, waiting on calls.
    fn crash(&mut self, node: u32) {
        let n = node as usize;
        if self.core.nodes[n].is_client {
            // A crashed client just stops sending (see `node::client`).
            return;
        }
        self.fail_stations(node, None);
        self.reset_probes_at(node);
        self.models[n].crashed();
        if let Some((counter, total)) = self.models[n].crash_loss() {
            let extra = self.core.nodes[n].extra;
            self.core.recorder.set(extra + counter, total);
        }
    }

    /// Fails with NodeDown what is at the node's stations (all of them, or `only` these):
    /// queued, in service, waiting on calls.
    fn fail_stations(&mut self, node: u32, only: Option<&[u32]>) {
        let n = node as usize;
        let picked = |station: u32| only.is_none_or(|only| only.contains(&station));
        let now = self.core.now;
        let areas = self.core.nodes[n].areas;
        // Wait queues first: those jobs never held a worker.
        for station in 0..self.core.nodes[n].stations.len() {
            if !picked(station as u32) {
                continue;
            }
            let drained: Vec<Handle> = {
                let st = &mut self.core.nodes[n].stations[station];
                st.settle(now);
                st.waiting = 0;
                st.queue
                    .drain()
                    .into_iter()
                    .map(|entry| entry.job)
                    .collect()
            };
            for handle in drained {
                let Some(job) = self.core.jobs.get_mut(handle) else {
                    continue;
                };
                if job.is_probe() {
                    self.core
                        .recorder
                        .change_level(areas + node_area::QUEUE, now, -1);
                    // Not holding a worker: no grant.
                    let _ = self.core.answer_probe(handle, false);
                } else if job.state == JobState::Queued {
                    job.state = JobState::Serving;
                    self.core
                        .recorder
                        .change_level(areas + node_area::QUEUE, now, -1);
                    self.finish_from_outside(handle, Outcome::NodeDown);
                } else {
                    self.core.jobs.remove(handle);
                }
            }
        }
        for handle in self.core.jobs.handles() {
            let Some(job) = self.core.jobs.get(handle) else {
                continue;
            };
            if job.node == node
                && job.admitted
                && job.state != JobState::Cancelled
                && picked(job.station)
            {
                self.finish_from_outside(handle, Outcome::NodeDown);
            }
        }
    }
}

/// A node's workers cut before and after a change of its worker cuts, of `workers` in all.
struct WorkersCut {
    before: u64,
    after: u64,
    workers: u64,
}
