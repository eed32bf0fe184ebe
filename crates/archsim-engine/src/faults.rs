//! Faults on a timeline: crash, extra latency, extra errors, slow-down, each active in
//! `[at_ms, at_ms + duration_ms)`. Overlapping faults on one node combine (latencies and error
//! rates add, slow-down factors multiply).
//!
//! A crash fails everything at the node with `node_down` — waiting, in service, or waiting on
//! its own downstream calls — as a real crash drops its connections; requests arriving while it
//! is down fail at once. A crashed client simply stops sending.
//!
//! A reshard is on the same timeline but is not a failure: the database goes to its new shard
//! count at the start and moves keys until the end (see `node::database`). A primary crash
//! crashes only a database's primaries: the queries at those stations fail as in a crash, and
//! the database routes around them (see `node::replication`).

use archsim_model::design::FaultEffect;

use crate::core::FaultState;
use crate::metrics::{Outcome, node_area};
use crate::request::JobState;
use crate::sim::Sim;
use crate::slab::Handle;
use crate::time::from_ms;

impl Sim {
    pub(crate) fn on_fault(&mut self, fault: u32, start: bool) {
        let n = self.faults[fault as usize].node as usize;
        let node = &mut self.core.nodes[n];
        if start {
            node.active_faults.push(fault);
        } else {
            node.active_faults.retain(|&f| f != fault);
        }
        let was_crashed = node.fault.crashed;
        let mut state = FaultState::default();
        for &f in &node.active_faults {
            match self.faults[f as usize].effect {
                FaultEffect::Crash => state.crashed = true,
                FaultEffect::Latency { extra_ms } => {
                    state.extra_latency = state.extra_latency.saturating_add(from_ms(extra_ms))
                }
                FaultEffect::ErrorRate { rate } => state.error_rate += rate,
                FaultEffect::Slowdown { factor } => state.slowdown *= factor.max(0.0),
                // Change the kind's own state, below; nothing every kind shares.
                FaultEffect::Reshard { .. } | FaultEffect::PrimaryCrash => {}
            }
        }
        node.fault = state;
        let effect = &self.faults[fault as usize].effect;
        if matches!(
            effect,
            FaultEffect::Reshard { .. } | FaultEffect::PrimaryCrash
        ) {
            self.models[n].fault(effect, start, self.core.now);
            let stations = self.models[n].take_crashed_stations();
            if !stations.is_empty() {
                self.fail_stations(n as u32, Some(&stations));
            }
        }
        if state.crashed && !was_crashed {
            self.crash(n as u32);
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
