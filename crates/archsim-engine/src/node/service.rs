//! Service: `workers` workers, a FIFO wait queue of `queue_capacity`, a service-time
//! distribution, an error rate, load-dependent slow-down, then calls to its outgoing edges.
//!
//! Semantics:
//! - Slow-down uses the busy fraction of workers at the start of service, this request's worker
//!   included (with 4 workers and knee 0.7, it starts when a 3rd worker becomes busy).
//! - Errors are decided after the service time; a failed request makes no downstream calls.
//! - Each outgoing edge is called with its `call_probability`. Sequential calls go one after
//!   another and stop at the first failure; parallel calls all go at once and the reply waits
//!   for every one of them. Either way, any failed call fails the request, with that call's
//!   cause (the first failure to come back, in parallel mode). The failure is counted in the
//!   figures of the node where it happened, not again here.
//! - `hold_worker_during_calls = false` frees the worker as soon as the service's own work is
//!   done: the node becomes a pipeline stage, a station of a Jackson network.

use archsim_model::design::{CallMode, ServiceParams};

use crate::distribution::Dist;
use crate::metrics::Outcome;
use crate::sim::{Event, JobState, Sim, Station};
use crate::slab::Handle;

use super::NodeModel;

pub(crate) struct ServiceModel {
    pub station: Station,
    pub service_time: Dist,
    pub error_rate: f64,
    pub slowdown: Option<(f64, f64)>,
    pub parallel: bool,
    pub hold_worker: bool,
}

impl ServiceModel {
    pub fn new(p: &ServiceParams) -> ServiceModel {
        ServiceModel {
            station: Station::new(p.workers, p.queue_capacity as u64),
            service_time: Dist::new(&p.service_time),
            error_rate: p.error_rate,
            slowdown: p.slowdown.as_ref().map(|s| (s.knee, s.factor)),
            parallel: p.calls == CallMode::Parallel,
            hold_worker: p.hold_worker_during_calls,
        }
    }
}

impl Sim {
    pub(crate) fn service_begin(&mut self, job: Handle, n: usize) {
        let NodeModel::Service(s) = &self.nodes[n].model else {
            unreachable!()
        };
        let (dist, busy, workers) = (s.service_time, s.station.busy, s.station.workers);
        let base = dist.sample(&mut self.nodes[n].rng);
        let factor = self.slowdown_factor(n, busy, workers);
        let duration = self.stretched(n, base, factor);
        self.schedule(duration, Event::Done { job });
    }

    pub(crate) fn service_done(&mut self, job: Handle, n: usize) {
        let NodeModel::Service(s) = &self.nodes[n].model else {
            unreachable!()
        };
        let (error_rate, hold, parallel) = (s.error_rate, s.hold_worker, s.parallel);
        if self.draws_error(n, error_rate) {
            self.finish(job, Outcome::Error);
            return;
        }
        if !hold {
            self.let_go_of_worker(job);
        }
        self.jobs.get_mut(job).expect("live").state = JobState::Calling;
        if parallel {
            let mut pending = 0;
            for i in 0..self.nodes[n].out.len() {
                let edge = self.nodes[n].out[i];
                let p = self.edges[edge as usize].call_probability;
                if self.nodes[n].rng.chance(p) {
                    self.start_call(job, edge);
                    pending += 1;
                }
            }
            if pending == 0 {
                self.finish(job, Outcome::Success);
            } else {
                self.jobs.get_mut(job).expect("live").pending = pending;
            }
        } else {
            self.service_next_call(job, n);
        }
    }

    /// Sequential mode: call the next edge that the call probability selects, or reply.
    fn service_next_call(&mut self, job: Handle, n: usize) {
        loop {
            let next = self.jobs.get(job).expect("live").next_edge as usize;
            if next >= self.nodes[n].out.len() {
                self.finish(job, Outcome::Success);
                return;
            }
            self.jobs.get_mut(job).expect("live").next_edge += 1;
            let edge = self.nodes[n].out[next];
            let p = self.edges[edge as usize].call_probability;
            if self.nodes[n].rng.chance(p) {
                self.start_call(job, edge);
                return;
            }
        }
    }

    pub(crate) fn service_call_done(&mut self, job: Handle, outcome: Outcome, here: bool) {
        let n = self.jobs.get(job).expect("live").node as usize;
        let NodeModel::Service(s) = &self.nodes[n].model else {
            unreachable!()
        };
        if s.parallel {
            let j = self.jobs.get_mut(job).expect("live");
            j.pending -= 1;
            if !outcome.is_success() && j.failure.is_success() {
                j.failure = outcome;
                j.failure_here = here;
            }
            if j.pending == 0 {
                let (result, here) = (j.failure, j.failure_here);
                self.pass_on(job, result, here);
            }
        } else if outcome.is_success() {
            self.service_next_call(job, n);
        } else {
            self.pass_on(job, outcome, here);
        }
    }
}
