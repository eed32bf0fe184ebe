//! What a node kind sees of the simulation: [`NodeCtx`].
//!
//! A node's steps get a context for *that* node: its own state (`ctx.model`), the clock, its
//! own random stream and counters, its outgoing edges, the jobs it holds, its worker stations,
//! and the operations a node may perform (start a call along one of its edges, finish or pass
//! on a job, set a timer for itself). It cannot reach another node's state; what a load
//! balancer needs about its backends comes through [`NodeCtx::backend`].
//!
//! The context is generic over the kind (`K`) so that a worker set free inside one of these
//! operations goes straight to the kind's `begin_work` for the next job in line, statically
//! dispatched, as the engine did before nodes were modules.

use crate::core::{Admission, Core, Event, Grant, Station};
use crate::metrics::{Outcome, node_area};
use crate::policy::breaker::BreakerState;
use crate::request::{JobState, KindDataOf, Request};
use crate::rng::SimRng;
use crate::slab::Handle;
use crate::time::SimTime;

use super::Behaviour;

/// One node's view of the simulation while one of its steps runs.
pub(crate) struct NodeCtx<'a, K> {
    /// The node's own compiled parameters and state.
    pub model: &'a mut K,
    core: &'a mut Core,
    node: u32,
}

/// What a node may know about the node at the end of one of its outgoing edges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backend {
    /// Crashed by a fault.
    pub down: bool,
    /// The edge's circuit breaker, if it has one.
    pub breaker: Option<BreakerState>,
}

impl<'a, K: Behaviour> NodeCtx<'a, K> {
    #[inline(always)]
    pub(crate) fn new(model: &'a mut K, core: &'a mut Core, node: u32) -> Self {
        NodeCtx { model, core, node }
    }

    #[inline(always)]
    fn n(&self) -> usize {
        self.node as usize
    }

    /// The current simulated time.
    #[inline]
    pub fn now(&self) -> SimTime {
        self.core.now
    }

    /// The node's own random stream.
    #[inline]
    pub fn rng(&mut self) -> &mut SimRng {
        &mut self.core.nodes[self.node as usize].rng
    }

    /// The node's state and its random stream at once (a policy that keeps state and draws).
    #[inline]
    pub fn model_and_rng(&mut self) -> (&mut K, &mut SimRng) {
        (
            &mut *self.model,
            &mut self.core.nodes[self.node as usize].rng,
        )
    }

    // ---------------------------------------------------------------------------------------
    // Its edges

    /// How many outgoing edges the node has.
    #[inline]
    pub fn out_len(&self) -> u32 {
        self.core.nodes[self.n()].out.len() as u32
    }

    /// Outgoing edge `index` (design order), as an edge id for [`call`](Self::call).
    #[inline]
    pub fn out_edge(&self, index: u32) -> u32 {
        self.core.nodes[self.n()].out[index as usize]
    }

    /// The next index among `len` edges in the node's round-robin order.
    #[inline]
    pub fn round_robin(&mut self, len: u32) -> u32 {
        let node = &mut self.core.nodes[self.node as usize];
        let i = node.rr % len.max(1);
        node.rr = node.rr.wrapping_add(1);
        i
    }

    /// The probability that the node calls along `edge` (services' optional calls).
    #[inline]
    pub fn call_probability(&self, edge: u32) -> f64 {
        self.core.edges[edge as usize].call_probability
    }

    /// The state of the node at the end of `edge` (one of this node's outgoing edges), as a
    /// health check would see it.
    #[inline]
    pub fn backend(&self, edge: u32) -> Backend {
        let e = &self.core.edges[edge as usize];
        Backend {
            down: self.core.nodes[e.to as usize].fault.crashed,
            breaker: e.breaker.as_ref().map(|b| b.state(self.core.now)),
        }
    }

    /// Sends health probe `seq` to the backend at the end of outgoing edge `index`; its answer
    /// comes back as the kind's `probe_answered` step (see `probes.rs`).
    pub fn send_probe(&mut self, index: u32, seq: u32) {
        let edge = self.out_edge(index);
        self.core.send_probe(self.node, index, edge, seq);
    }

    // ---------------------------------------------------------------------------------------
    // Faults injected into the node

    /// The node is crashed by a fault.
    #[inline]
    pub fn crashed(&self) -> bool {
        self.core.nodes[self.n()].fault.crashed
    }

    /// One more request of burst fault `fault` is sent (for the fault's report).
    #[inline]
    pub fn count_burst_request(&mut self, fault: u32) {
        if let Some(tally) = self.core.fault_tallies.get_mut(fault as usize) {
            tally.requests_sent += 1;
        }
    }

    /// The injected slow-down factor (1 without one).
    #[inline]
    pub fn fault_slowdown(&self) -> f64 {
        self.core.nodes[self.n()].fault.slowdown
    }

    /// A processing time `base` stretched by `factor` plus any injected latency (a request
    /// an injected latency or slow-down touches is counted for the fault's report).
    #[inline]
    pub fn processing_time(&mut self, base: SimTime, factor: f64) -> SimTime {
        let node = &mut self.core.nodes[self.node as usize];
        if node.fault.extra_latency > 0 {
            node.hits.requests_delayed += 1;
        }
        if node.fault.slowdown != 1.0 {
            node.hits.requests_slowed += 1;
        }
        self.core.stretched(self.n(), base, factor)
    }

    /// Whether the node fails this request: its own error rate plus injected errors (one draw
    /// from the node's stream when the total is strictly between 0 and 1). An error is the
    /// injected one's when the draw falls in its share, above the node's own rate (when the
    /// total is certain there is no draw: it is the fault's when the node's own rate is not).
    #[inline]
    pub fn draws_error(&mut self, own_rate: f64) -> bool {
        let node = &mut self.core.nodes[self.node as usize];
        let injected = node.fault.error_rate;
        if injected <= 0.0 {
            return node.rng.chance(own_rate + injected);
        }
        let rate = own_rate + injected;
        // The same single draw as `chance(rate)`.
        let (fails, of_the_fault) = if rate >= 1.0 {
            (true, own_rate < 1.0)
        } else {
            let u = node.rng.uniform01();
            (u < rate, u < rate && u >= own_rate)
        };
        if of_the_fault {
            node.hits.errors_injected += 1;
        }
        fails
    }

    // ---------------------------------------------------------------------------------------
    // Its jobs

    /// What the job asks (key, class, read or write).
    #[inline]
    pub fn request(&self, job: Handle) -> Request {
        self.core.jobs.get(job).expect("live job").request
    }

    /// The kind's own data on the job (its default until set).
    #[inline]
    pub fn data(&self, job: Handle) -> K::Data {
        K::Data::unwrap(self.core.jobs.get(job).expect("live job").data)
    }

    #[inline]
    pub fn set_data(&mut self, job: Handle, data: K::Data) {
        self.core.jobs.get_mut(job).expect("live job").data = data.wrap();
    }

    /// The worker station the job is at (database member), else 0.
    #[inline]
    pub fn station_of(&self, job: Handle) -> u32 {
        self.core.jobs.get(job).expect("live job").station
    }

    /// The node's own processing step of the job takes `delay`; its `done` step runs after.
    #[inline]
    pub fn work_for(&mut self, job: Handle, delay: SimTime) {
        self.core.jobs.get_mut(job).expect("live job").state = JobState::Serving;
        self.core.schedule(delay, Event::Done { job });
    }

    /// The worker the job holds (`begin_work`) serves it for `delay`; the kind's `done` step
    /// runs after. (A job given a worker is already serving: no state to change.)
    #[inline]
    pub fn worker_busy_for(&mut self, job: Handle, delay: SimTime) {
        self.core.schedule(delay, Event::Done { job });
    }

    /// Calls along `edge` (an outgoing edge of this node) on behalf of `job`; its `call_done`
    /// step runs when the call is over.
    #[inline]
    pub fn call(&mut self, job: Handle, edge: u32) {
        self.core.start_call(job, edge);
    }

    /// The job is over with `outcome`, a failure of this node's own making (counted here).
    #[inline]
    pub fn finish(&mut self, job: Handle, outcome: Outcome) {
        let grant = self.core.finish(job, outcome, true);
        self.begin(grant);
    }

    /// The job is over with the outcome of a call it made: a failure that happened downstream
    /// (`here` false) is counted where it happened, not again here.
    #[inline]
    pub fn pass_on(&mut self, job: Handle, outcome: Outcome, here: bool) {
        let grant = self.core.finish(job, outcome, here);
        self.begin(grant);
    }

    /// Answers the job's caller with success now; the job stays at this node, with nobody
    /// waiting for it (a queue's acknowledged message).
    pub fn acknowledge(&mut self, job: Handle) {
        self.core.reply_early(job, Outcome::Success);
    }

    /// A new request from this node (a traffic source), counted as an arrival and in flight.
    pub fn new_request(&mut self, request: Request) -> Handle {
        let request = Request {
            source: self.node,
            ..request
        };
        self.core.new_request(self.node, request)
    }

    // ---------------------------------------------------------------------------------------
    // Worker stations

    /// Station `index` of the node (workers, busy, waiting).
    #[inline]
    pub fn station(&self, index: u32) -> &Station {
        &self.core.nodes[self.n()].stations[index as usize]
    }

    /// The node's state, its stations and the time at once (a group that looks at its
    /// instances while it changes them).
    pub fn model_and_stations(&mut self) -> (&mut K, &[Station], SimTime) {
        let now = self.core.now;
        (
            &mut *self.model,
            &self.core.nodes[self.node as usize].stations,
            now,
        )
    }

    /// Offers the job to station `index`: a free worker takes it (its `begin_work` runs now),
    /// or it waits, or the wait queue is full and it fails with `queue_full`.
    #[inline]
    pub fn admit(&mut self, job: Handle, station: u32) -> Admission {
        let admission = self.core.station_admit(job, station);
        if admission == Admission::Working {
            K::begin_work(self, job);
        }
        admission
    }

    /// Whether a message of `job`'s class could take the place of a waiting job of a lower
    /// class at station `index` (under priority; never under other disciplines).
    pub fn lower_class_waiting(&self, job: Handle, index: u32) -> bool {
        self.core.lower_class_is_waiting(self.node, index, job)
    }

    /// Puts the job at the tail of station `index`'s wait queue without asking for a worker
    /// (a held message, a redelivery). A worker it holds stays held until let go of. The job
    /// must already count against the queue's capacity, or fit in it.
    pub fn hold(&mut self, job: Handle, station: u32) {
        self.core.enqueue(job, station);
    }

    /// Takes every job waiting at station `index` out of its line, in serving order (to be
    /// put in another with `hold`).
    pub fn take_waiting(&mut self, index: u32) -> Vec<Handle> {
        let node = self.node;
        self.core.take_waiting(node, index)
    }

    /// Gives station `index` `workers` workers: the ones taken away finish what they hold,
    /// new ones take the jobs waiting at once.
    pub fn set_workers(&mut self, index: u32, workers: u32) {
        let node = self.node;
        self.core.set_workers(node, index, workers);
        if self.crashed() {
            return;
        }
        loop {
            let station = self.station(index);
            if station.busy >= station.usable() || station.waiting == 0 {
                return;
            }
            let before = station.waiting;
            let grant = self.core.grant_waiting(node, index);
            let moved = self.station(index).waiting != before;
            self.begin(grant);
            if !moved {
                return;
            }
        }
    }

    /// Frees the worker the job holds without finishing the job (pipeline stages, dead
    /// letters); the next job in line may take it at once.
    #[inline]
    pub fn let_go_of_worker(&mut self, job: Handle) {
        let grant = self.core.let_go_of_worker(job);
        self.begin(grant);
    }

    #[inline(always)]
    fn begin(&mut self, grant: Grant) {
        if let Some(next) = grant {
            K::begin_work(self, next);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Its measurements

    /// Adds one to the node's kind-specific counter `index` (see `metrics::extra`).
    #[inline]
    pub fn count(&mut self, index: u32) {
        let extra = self.core.nodes[self.n()].extra;
        self.core.recorder.incr(extra + index);
    }

    /// Sets the node's kind-specific counter `index` (a cumulative figure kept elsewhere).
    #[inline]
    pub fn set_count(&mut self, index: u32, value: u64) {
        let extra = self.core.nodes[self.n()].extra;
        self.core.recorder.set(extra + index, value);
    }

    /// Changes the level of the node's time integral `area` (one of `metrics::node_area`'s
    /// kind-reported levels, such as an autoscaled group's instances) by `delta`.
    pub fn change_level(&mut self, area: u32, delta: i32) {
        let areas = self.core.nodes[self.n()].areas;
        let now = self.core.now;
        self.core.recorder.change_level(areas + area, now, delta);
    }

    /// Requests at the node now, this one included.
    #[inline]
    pub fn in_flight(&self) -> u32 {
        let areas = self.core.nodes[self.n()].areas;
        self.core.recorder.level(areas + node_area::IN_FLIGHT)
    }

    /// Jobs waiting for a worker at the node now.
    #[inline]
    pub fn queue_length(&self) -> u32 {
        let areas = self.core.nodes[self.n()].areas;
        self.core.recorder.level(areas + node_area::QUEUE)
    }

    // ---------------------------------------------------------------------------------------
    // Timers

    /// Runs the node's `timer` step with `tag` after `delay`.
    #[inline]
    pub fn set_timer(&mut self, delay: SimTime, tag: u32) {
        let node = self.node;
        self.core.schedule(delay, Event::NodeTimer { node, tag });
    }

    /// Runs the node's `timer` step with `tag` at time `at` (not before now).
    #[inline]
    pub fn set_timer_at(&mut self, at: SimTime, tag: u32) {
        let node = self.node;
        self.core
            .queue
            .push(at.max(self.core.now), Event::NodeTimer { node, tag });
    }
}
