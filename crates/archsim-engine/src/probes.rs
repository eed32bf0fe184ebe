//! Health probes: a balancer's active health check travelling to a backend and back.
//!
//! A probe is a job at the backend that no node kind ever sees: the core answers it. It goes out
//! along the balancer's edge with the edge's latency (drawn from a stream of its own, so probes
//! shift no request's draws), and at the backend it is treated like a request that costs no
//! work:
//! - at a crashed backend it is refused at once (a connection reset: the answer is a failure);
//! - at a service or a database it waits for a worker in the same queue as requests, under
//!   the station's discipline, as a request of the first request class (station 0 for a
//!   database: shard 0's primary), and is refused when that queue is full, or dropped by CoDel
//!   or shed by priority (an HTTP 503); once it has a worker it holds it for no time beyond an
//!   injected latency;
//! - any other kind answers it after an injected latency, with no worker.
//!
//! A backend that crashes while a probe waits or is being answered there resets it: the answer
//! is a failure. The answer travels back along the edge and reaches the balancer as a
//! `ProbeReply`; whether it is still wanted (not timed out) is the balancer's business. Probes
//! are not requests: they count in no node's arrivals, completions or latencies, only in the
//! queue length and busy workers they really take up.

use crate::core::{Admission, Core, Event, Grant};
use crate::fault_tally::Trip;
use crate::node::Step;
use crate::request::{Job, JobState, KindData, NO_EDGE, Probe, Request};
use crate::sim::Sim;
use crate::slab::Handle;

impl Core {
    /// Balancer `balancer` sends probe `seq` to its backend `backend` along `edge`.
    pub fn send_probe(&mut self, balancer: u32, backend: u32, edge: u32, seq: u32) {
        let now = self.now;
        let e = &mut self.edges[edge as usize];
        let latency = e.latency.sample(&mut e.probe_rng);
        let Some(latency) = e.trip(latency, Trip::Probe) else {
            return; // Lost in a partition: the balancer's probe timeout counts it failed.
        };
        let mut job = Job::in_transit(
            e.to,
            Handle::NONE,
            seq,
            edge,
            Request {
                key: 0,
                class: 0,
                write: false,
                deadline: crate::request::NO_DEADLINE,
                source: balancer,
                user: 0,
            },
            now,
        );
        job.data = KindData::Probe(Probe { balancer, backend });
        let job = self.jobs.insert(job);
        self.schedule(latency, Event::ProbeArrive { job });
    }

    /// The probe reached its backend: refused, queued, or being answered.
    pub fn probe_arrives(&mut self, handle: Handle) {
        let Some(&job) = self.jobs.get(handle) else {
            return;
        };
        let n = job.node as usize;
        if self.nodes[n].fault.crashed {
            let _ = self.answer_probe(handle, false);
            return;
        }
        let Some(station) = self.nodes[n].probe_station else {
            self.jobs.get_mut(handle).expect("live").state = JobState::Serving;
            let delay = self.stretched(n, 0, 1.0);
            self.schedule(delay, Event::Done { job: handle });
            return;
        };
        // Queued with the requests, by the station's own admission.
        match self.take_place(handle, station) {
            Admission::Working => self.serve_probe(handle),
            Admission::Queued => {}
            // No room: the backend refuses the probe (no worker held: no grant).
            Admission::Rejected => {
                let _ = self.answer_probe(handle, false);
            }
        }
    }

    /// The probe has a worker (or needs none): it is answered after any injected latency.
    pub fn serve_probe(&mut self, handle: Handle) {
        let n = self.node_of(handle);
        let delay = self.stretched(n, 0, 1.0);
        self.schedule(delay, Event::Done { job: handle });
    }

    /// The backend answers the probe (`passed`) and lets go of the worker it held, which is
    /// returned for the backend's kind to give to the next job in line.
    pub fn answer_probe(&mut self, handle: Handle, passed: bool) -> Grant {
        let job = *self.jobs.get(handle)?;
        self.jobs.remove(handle);
        let KindData::Probe(probe) = job.data else {
            unreachable!("only probes are answered as probes")
        };
        debug_assert_ne!(job.reply_edge, NO_EDGE);
        let e = &mut self.edges[job.reply_edge as usize];
        let latency = e.latency.sample(&mut e.probe_reply_rng);
        if let Some(latency) = e.trip(latency, Trip::Probe) {
            self.schedule(
                latency,
                Event::ProbeReply {
                    node: probe.balancer,
                    backend: probe.backend,
                    seq: job.attempt,
                    passed,
                },
            );
        }
        if job.holds_worker {
            self.release_worker(job.node, job.station)
        } else {
            None
        }
    }
}

impl Sim {
    /// A probe's `Done`: its backend answers it, healthy unless crashed meanwhile.
    pub(crate) fn probe_done(&mut self, handle: Handle) {
        let n = self.core.node_of(handle);
        let passed = !self.core.nodes[n].fault.crashed;
        if let Some(next) = self.core.answer_probe(handle, passed) {
            self.dispatch(n, Step::BeginWork(next));
        }
    }

    /// The node crashed: probes waiting or being answered there are reset. Those in the wait
    /// queues were already taken out of them (`crash` drains the queues first).
    pub(crate) fn reset_probes_at(&mut self, node: u32) {
        for handle in self.core.jobs.handles() {
            let Some(job) = self.core.jobs.get(handle) else {
                continue;
            };
            if job.node == node && job.is_probe() && job.state != JobState::Transit {
                // A crashed node hands no worker on: no grant to start.
                let _ = self.core.answer_probe(handle, false);
            }
        }
    }
}
