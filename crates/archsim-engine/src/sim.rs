//! One replication: the engine core, the node kinds' models, and the event loop that runs them.
//!
//! Split by concern:
//! - `compile.rs` — a design compiled into the engine state (`Sim::new`);
//! - this file — the event loop and the one place node kinds are dispatched to;
//! - `measure.rs` — measurement periods: warm-up, batches, time-series buckets;
//! - `faults.rs` — the fault timeline;
//! - `core.rs` / `calls.rs` — the request paths every kind shares.

use archsim_model::design::{Design, FaultEffect};
use archsim_model::report::StopReason;

use crate::core::{CallOver, Core, Event};
use crate::measure::Measurement;
use crate::metrics::Outcome;
use crate::node::{self, NodeModel, Step};
use crate::request::JobState;
use crate::slab::Handle;
use crate::time::SimTime;

pub(crate) struct FaultSpec {
    pub target: FaultTarget,
    pub effect: FaultEffect,
}

/// What a fault hits: a node, or an edge (partitions and extra latency on the network).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FaultTarget {
    Node(u32),
    Edge(u32),
}

/// One replication in progress. It owns a copy of its design, so a paused replication (see
/// `crate::Simulation`) can be kept by a caller that does not keep the design alive.
pub(crate) struct Sim {
    pub design: Design,
    pub core: Core,
    /// Each node's kind, by node index (apart from `core` so a kind's step can borrow both).
    pub models: Vec<NodeModel>,
    pub end: SimTime,
    pub faults: Vec<FaultSpec>,
    pub measure: Measurement,
    pub events: u64,
    pub max_events: u64,
    /// The memory budget: most requests (jobs) in flight at once.
    pub max_in_flight: u64,
    pub stopped_early: Option<StopReason>,
    /// The run is over and its periods are closed (`advance` does nothing more).
    pub finished: bool,
}

impl Sim {
    /// Why the run stops when the memory budget is reached: the budget, and the node where most
    /// of the requests in flight are (counted once, at the stop, so the hot path stays a compare).
    /// A request on its way to a node counts for that node; a caller waiting on its calls does
    /// not count (its requests are further down, where they pile up).
    fn in_flight_budget_reached(&self) -> StopReason {
        let mut per_node = vec![0u64; self.design.nodes.len()];
        for handle in self.core.jobs.handles() {
            if let Some(job) = self.core.jobs.get(handle)
                && job.state != crate::request::JobState::Calling
            {
                per_node[job.node as usize] += 1;
            }
        }
        // The first node with the most, in design order: deterministic.
        let (node, count) =
            per_node.iter().enumerate().fold(
                (0, 0),
                |best, (i, &n)| if n > best.1 { (i, n) } else { best },
            );
        StopReason::InFlightBudget {
            max_in_flight: self.max_in_flight,
            at_ms: crate::time::to_ms(self.core.now),
            node: self.design.nodes[node].id.clone(),
            node_in_flight: count,
        }
    }

    /// Runs to the end of simulated time or the event budget.
    #[cfg(test)]
    pub fn run(&mut self, progress: &mut dyn FnMut(f64)) {
        while !self.advance(u64::MAX, progress) {}
    }

    /// Processes at most `max_steps` events; true once the run is over (end of simulated time,
    /// event budget, or nothing left to do), after which further calls do nothing. Stopping
    /// between two events and going on later changes nothing: the run is the same sequence of
    /// events whatever the slices.
    pub fn advance(&mut self, max_steps: u64, progress: &mut dyn FnMut(f64)) -> bool {
        if self.finished {
            return true;
        }
        for _ in 0..max_steps {
            let Some((time, event)) = self.core.queue.pop() else {
                self.complete(progress);
                return true;
            };
            if self.events >= self.max_events {
                self.stopped_early = Some(StopReason::EventBudget {
                    max_events: self.max_events,
                    at_ms: crate::time::to_ms(self.core.now),
                });
                self.complete(progress);
                return true;
            }
            if u64::from(self.core.jobs.len()) >= self.max_in_flight {
                self.stopped_early = Some(self.in_flight_budget_reached());
                self.complete(progress);
                return true;
            }
            self.core.now = time;
            self.events += 1;
            match event {
                Event::Arrive { job } => {
                    if let Some(n) = self.core.arrive(job) {
                        self.dispatch(n, Step::Accept(job));
                    }
                }
                Event::Done { job } => self.on_done(job),
                Event::NodeTimer { node, tag } => self.dispatch(node as usize, Step::Timer(tag)),
                Event::Reply {
                    call,
                    attempt,
                    outcome,
                } => {
                    if self.core.is_hedged(call) {
                        self.hedged_reply(call, attempt, outcome);
                    } else {
                        let over = self.core.on_reply(call, attempt, outcome);
                        self.call_over(over);
                    }
                }
                Event::DirectReply {
                    caller,
                    edge,
                    outcome,
                } => {
                    let over = self.core.on_direct_reply(caller, edge, outcome);
                    self.call_over(over);
                }
                Event::ShortCircuit { call } => {
                    let over = self.core.on_short_circuit(call);
                    self.call_over(over);
                }
                Event::AttemptDeadline { call, attempt } => {
                    if self.core.is_hedged(call) {
                        self.hedged_timeout(call, true);
                    } else if let Some(callee) = self.core.timeout_fires(call, attempt) {
                        // The caller gives up: with the deadline propagated, the callee's work
                        // and every call it started are cancelled at once (`cancel.rs`).
                        self.cancel_tree(callee, Outcome::DeadlineExceeded);
                        let over = self.core.after_timeout(call);
                        self.call_over(over);
                    }
                }
                Event::DeadlineGone { call } => {
                    let over = self.core.on_deadline_gone(call);
                    self.call_over(over);
                }
                Event::BulkheadFull { call } => {
                    let over = self.core.on_bulkhead_full(call);
                    self.call_over(over);
                }
                Event::RouteRateLimited { call } => {
                    let over = self.core.on_route_rate_limited(call);
                    self.call_over(over);
                }
                Event::Throttled { call } => {
                    let over = self.core.on_throttled(call);
                    self.call_over(over);
                }
                Event::EdgeTimers { edge } => self.on_edge_timers(edge),
                Event::Retry { call } => self.core.on_retry(call),
                Event::Hedge { call, attempt } => self.core.on_hedge_due(call, attempt),
                Event::ProbeArrive { job } => self.core.probe_arrives(job),
                Event::ProbeReply {
                    node,
                    backend,
                    seq,
                    passed,
                } => self.dispatch(
                    node as usize,
                    Step::ProbeAnswered {
                        backend,
                        seq,
                        passed,
                    },
                ),
                Event::FaultStart { fault } => self.on_fault(fault, true),
                Event::FaultEnd { fault } => self.on_fault(fault, false),
                Event::WarmupEnd => self.begin_measurement(),
                Event::BatchEnd => self.end_batch(),
                Event::BucketEnd => {
                    self.end_bucket();
                    let next = self.core.now.saturating_add(self.measure.bucket_ns);
                    if next < self.end {
                        self.core.queue.push(next, Event::BucketEnd);
                    }
                }
                Event::Progress => {
                    progress(self.progress());
                    let next = self.core.now.saturating_add(self.measure.progress_step);
                    if next < self.end {
                        self.core.queue.push(next, Event::Progress);
                    }
                }
                Event::End => {
                    self.complete(progress);
                    return true;
                }
            }
        }
        false
    }

    /// Fraction of simulated time done, in `0..=1` (1 once the run is over).
    pub fn progress(&self) -> f64 {
        if self.finished {
            1.0
        } else {
            (self.core.now as f64 / self.end as f64).min(1.0)
        }
    }

    /// Closes the open measurement periods; the run is over.
    fn complete(&mut self, progress: &mut dyn FnMut(f64)) {
        self.finish_run();
        self.close_fault_tallies();
        self.finished = true;
        progress(1.0);
    }

    // -----------------------------------------------------------------------------------------
    // The dispatch point

    /// Runs one step of node `n`'s kind.
    #[inline(always)]
    pub(crate) fn dispatch(&mut self, n: usize, step: Step) {
        node::step(&mut self.models[n], &mut self.core, n as u32, step);
    }

    #[inline]
    fn on_done(&mut self, job: Handle) {
        let Some(j) = self.core.jobs.get(job) else {
            return;
        };
        let n = j.node as usize;
        if j.is_probe() {
            self.probe_done(job);
        } else if j.state == JobState::Delay {
            self.dispatch(n, Step::Accept(job));
        } else {
            self.dispatch(n, Step::Done(job));
        }
    }

    /// A call is over: its caller's kind has the outcome.
    #[inline]
    pub(crate) fn call_over(&mut self, over: Option<CallOver>) {
        if let Some(over) = over {
            self.dispatch(over.node as usize, Step::CallDone(over));
        }
    }

    /// Finishes a job from outside its node's steps (a crash, a cancelled timeout); a worker it
    /// frees goes to the next job in line through the node's kind.
    pub(crate) fn finish_from_outside(&mut self, job: Handle, outcome: Outcome) {
        if let Some(next) = self.core.finish(job, outcome, true) {
            let n = self.core.node_of(next);
            self.dispatch(n, Step::BeginWork(next));
        }
    }

    // -----------------------------------------------------------------------------------------
    // Timeouts

    /// Fires every due timeout of the edge, then re-arms for the next one.
    fn on_edge_timers(&mut self, edge: u32) {
        let mut budget = self.core.edges[edge as usize].timers.len();
        while let Some((call, attempt)) = self.core.next_due_timeout(edge, &mut budget) {
            if self.core.is_hedged(call) {
                self.hedged_timeout(call, false);
            } else if let Some(callee) = self.core.timeout_fires(call, attempt) {
                self.cancel_if_asked(callee);
                let over = self.core.after_timeout(call);
                self.call_over(over);
            }
        }
        self.core.rearm_edge_timers(edge);
    }

    /// The caller gave up on `callee`: a service with `cancel_on_timeout` drops the work too.
    /// Only the direct callee is cancelled; calls it already made run their course.
    pub(crate) fn cancel_if_asked(&mut self, callee: Handle) {
        let Some(&job) = self.core.jobs.get(callee) else {
            return;
        };
        if self.core.nodes[job.node as usize].cancel_on_timeout {
            self.cancel_job(callee, Outcome::Timeout);
        }
    }

    /// The work of `callee` is dropped (its caller gave up): it fails with `outcome` where it
    /// is, wherever it is in its node's hands.
    pub(crate) fn cancel_job(&mut self, callee: Handle, outcome: Outcome) {
        let Some(&job) = self.core.jobs.get(callee) else {
            return;
        };
        match job.state {
            JobState::Transit => {
                // Never arrives: `Core::arrive` frees it.
                self.core.jobs.get_mut(callee).expect("live").state = JobState::Cancelled;
            }
            JobState::Cancelled => {}
            JobState::Queued => {
                self.core.unqueue_in_place(callee);
                self.finish_from_outside(callee, outcome);
            }
            JobState::Delay | JobState::Serving | JobState::Calling => {
                self.finish_from_outside(callee, outcome);
            }
        }
    }

    /// Every request the sources sent: (time, source, class, key), sources in node order, in
    /// time order. Tests only.
    #[cfg(test)]
    pub fn arrival_log(&self) -> Vec<(SimTime, u32, u16, u64)> {
        let mut log: Vec<_> = self
            .models
            .iter()
            .filter_map(|model| match model {
                NodeModel::Client(client) => Some(client),
                _ => None,
            })
            .enumerate()
            .flat_map(|(source, client)| {
                client
                    .sent
                    .iter()
                    .map(move |&(t, class, key)| (t, source as u32, class, key))
            })
            .collect();
        log.sort_by_key(|entry| entry.0);
        log
    }

    /// Jobs alive now and job slots ever allocated (tests of slot reuse).
    #[cfg(test)]
    pub fn job_slots(&self) -> (u32, usize) {
        (self.core.jobs.len(), self.core.jobs.slots())
    }
}
