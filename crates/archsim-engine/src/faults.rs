//! Faults on a timeline: crash, extra latency, extra errors, slow-down, each active in
//! `[at_ms, at_ms + duration_ms)`. Overlapping faults on one node combine (latencies and error
//! rates add, slow-down factors multiply).
//!
//! A crash fails everything at the node with `node_down` — waiting, in service, or waiting on
//! its own downstream calls — as a real crash drops its connections; requests arriving while it
//! is down fail at once. A crashed client simply stops sending.

use archsim_model::design::FaultEffect;

use crate::metrics::{Outcome, node_area};
use crate::node::NodeModel;
use crate::sim::{FaultState, JobState, Sim};
use crate::slab::Handle;
use crate::time::from_ms;

impl Sim {
    pub(crate) fn on_fault(&mut self, fault: u32, start: bool) {
        let n = self.faults[fault as usize].node as usize;
        if start {
            self.nodes[n].active_faults.push(fault);
        } else {
            self.nodes[n].active_faults.retain(|&f| f != fault);
        }
        let was_crashed = self.nodes[n].fault.crashed;
        let mut state = FaultState::default();
        for &f in &self.nodes[n].active_faults {
            match self.faults[f as usize].effect {
                FaultEffect::Crash => state.crashed = true,
                FaultEffect::Latency { extra_ms } => {
                    state.extra_latency = state.extra_latency.saturating_add(from_ms(extra_ms))
                }
                FaultEffect::ErrorRate { rate } => state.error_rate += rate,
                FaultEffect::Slowdown { factor } => state.slowdown *= factor.max(0.0),
            }
        }
        self.nodes[n].fault = state;
        if state.crashed && !was_crashed {
            self.crash(n as u32);
        } else if !state.crashed && was_crashed {
            self.recover(n as u32);
        }
    }

    /// Everything at the node fails with NodeDown: queued, in service, waiting on calls.
    fn crash(&mut self, node: u32) {
        if matches!(self.nodes[node as usize].model, NodeModel::Client) {
            // A crashed client just stops sending (see `on_source_arrival`).
            return;
        }
        let now = self.now;
        let areas = self.nodes[node as usize].areas;
        // Wait queues first: those jobs never held a worker.
        for station in 0..self.nodes[node as usize].model.station_count() {
            let drained: Vec<Handle> = {
                let st = self.nodes[node as usize].model.station_mut(station);
                st.waiting = 0;
                st.queue.drain(..).collect()
            };
            for handle in drained {
                let Some(job) = self.jobs.get_mut(handle) else {
                    continue;
                };
                if job.state == JobState::Queued {
                    job.state = JobState::Serving;
                    self.recorder
                        .change_level(areas + node_area::QUEUE, now, -1);
                    self.finish(handle, Outcome::NodeDown);
                } else {
                    self.jobs.remove(handle);
                }
            }
        }
        for handle in self.jobs.handles() {
            let Some(job) = self.jobs.get(handle) else {
                continue;
            };
            if job.node == node && job.admitted && job.state != JobState::Cancelled {
                self.finish(handle, Outcome::NodeDown);
            }
        }
        self.nodes[node as usize].model.on_crash();
    }

    fn recover(&mut self, node: u32) {
        self.nodes[node as usize].model.on_recover();
    }
}
