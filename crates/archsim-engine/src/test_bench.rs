//! A test bench for one node kind: a small design compiled into a real engine core, with one
//! node's steps driven by hand instead of by the event loop. What the node did is read back:
//! the calls it started, the processing steps and timers it scheduled, how its jobs ended and
//! its counters. Tests of each kind (`node_tests.rs`) use it to check a kind's logic in
//! isolation: the balancer's choice given its backends' states, the cache's hit, miss and fill,
//! the queue's redelivery and dead-lettering.

use archsim_model::parse_design;

use crate::core::{CallOver, Core, Event};
use crate::metrics::{Outcome, node_counter};
use crate::node::{self, NodeModel, Step};
use crate::queue::EventQueue;
use crate::request::{Job, NO_EDGE, Request};
use crate::sim::Sim;
use crate::slab::Handle;
use crate::time::SimTime;

/// What a node asked for, as seen in the event queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seen {
    /// An attempt on its way to node `to` (the callee's job is `callee`).
    Call { to: String, callee: Handle },
    /// The node's own processing step of `job`, due after `after`.
    Done { job: Handle, after: SimTime },
    /// A timer of node `node`, due after `after`.
    Timer {
        node: String,
        tag: u32,
        after: SimTime,
    },
    /// Anything else (replies, breaker refusals…).
    Other,
}

pub(crate) struct Bench {
    pub core: Core,
    pub models: Vec<NodeModel>,
    ids: Vec<String>,
    edge_ids: Vec<String>,
}

impl Bench {
    /// Compiles `design_json` (a design document) without starting it: no arrivals, no
    /// measurement events, an empty event queue at time 0.
    pub fn new(design_json: &str) -> Bench {
        let design = parse_design(design_json).expect("a valid test design");
        let Sim {
            mut core, models, ..
        } = Sim::new(&design, 0);
        core.queue = EventQueue::new();
        Bench {
            core,
            models,
            ids: design.nodes.iter().map(|n| n.id.clone()).collect(),
            edge_ids: design.edges.iter().map(|e| e.id.clone()).collect(),
        }
    }

    fn node(&self, id: &str) -> usize {
        self.ids
            .iter()
            .position(|n| n == id)
            .unwrap_or_else(|| panic!("no node {id}"))
    }

    /// Moves the clock to `t` nanoseconds.
    pub fn at(&mut self, t: SimTime) {
        self.core.now = t;
    }

    fn step(&mut self, node: usize, step: Step) {
        node::step(&mut self.models[node], &mut self.core, node as u32, step);
    }

    /// A request (`key`, `write`, class 0) arrives at node `id` with nobody waiting for its
    /// reply, and the node accepts it. Returns its job.
    pub fn arrive(&mut self, id: &str, key: u64, write: bool) -> Handle {
        self.arrive_class(id, key, write, 0)
    }

    pub fn arrive_class(&mut self, id: &str, key: u64, write: bool, class: u16) -> Handle {
        let node = self.node(id);
        let request = Request {
            key,
            class,
            write,
            deadline: crate::request::NO_DEADLINE,
            source: 0,
            user: 0,
        };
        let job = self.core.jobs.insert(Job::in_transit(
            node as u32,
            Handle::NONE,
            0,
            NO_EDGE,
            request,
            self.core.now,
        ));
        if let Some(n) = self.core.arrive(job) {
            self.step(n, Step::Accept(job));
        }
        job
    }

    /// The processing step of `job` is over.
    pub fn done(&mut self, job: Handle) {
        let n = self.core.node_of(job);
        self.step(n, Step::Done(job));
    }

    /// The call `job` made is over with `outcome` (a failure from downstream).
    pub fn call_over(&mut self, job: Handle, outcome: Outcome) {
        let n = self.core.node_of(job);
        self.step(
            n,
            Step::CallDone(CallOver {
                caller: job,
                node: n as u32,
                outcome,
                here: false,
            }),
        );
    }

    /// Node `id`'s timer `tag` fires.
    pub fn timer(&mut self, id: &str, tag: u32) {
        let n = self.node(id);
        self.step(n, Step::Timer(tag));
    }

    /// Everything scheduled since the last look, in the order it would run.
    pub fn seen(&mut self) -> Vec<Seen> {
        let now = self.core.now;
        let mut seen = Vec::new();
        while let Some((t, event)) = self.core.queue.pop() {
            seen.push(match event {
                Event::Arrive { job } => Seen::Call {
                    to: self.ids[self.core.node_of(job)].clone(),
                    callee: job,
                },
                Event::Done { job } => Seen::Done {
                    job,
                    after: t - now,
                },
                Event::NodeTimer { node, tag } => Seen::Timer {
                    node: self.ids[node as usize].clone(),
                    tag,
                    after: t - now,
                },
                _ => Seen::Other,
            });
        }
        // Popping moved the queue's clock to the last event; the bench's clock stays put.
        self.core.queue = EventQueue::new();
        seen
    }

    /// The nodes called since the last look, in order.
    pub fn called(&mut self) -> Vec<String> {
        self.seen()
            .into_iter()
            .filter_map(|s| match s {
                Seen::Call { to, .. } => Some(to),
                _ => None,
            })
            .collect()
    }

    /// The job is still at its node.
    pub fn alive(&self, job: Handle) -> bool {
        self.core.jobs.get(job).is_some()
    }

    /// How many jobs node `id` finished successfully.
    pub fn succeeded(&self, id: &str) -> u64 {
        let c = self.core.nodes[self.node(id)].counters;
        self.core.recorder.counter(c + node_counter::SUCCEEDED)
    }

    /// How many jobs node `id` failed with `outcome` (a failure cause).
    pub fn failed(&self, id: &str, outcome: Outcome) -> u64 {
        let c = self.core.nodes[self.node(id)].counters;
        let cause = outcome.cause().expect("a failure") as u32;
        self.core.recorder.counter(c + node_counter::FAILED + cause)
    }

    /// Node `id`'s kind-specific counter `index` (see `metrics::extra`).
    pub fn extra(&self, id: &str, index: u32) -> u64 {
        let x = self.core.nodes[self.node(id)].extra;
        self.core.recorder.counter(x + index)
    }

    /// Node `id` is crashed (or back up), as a fault would leave it.
    pub fn set_crashed(&mut self, id: &str, crashed: bool) {
        let n = self.node(id);
        self.core.nodes[n].fault.crashed = crashed;
    }

    /// Records `failures` failed calls along edge `id`'s breaker (which the edge must have).
    pub fn fail_breaker(&mut self, id: &str, failures: u32) {
        let e = self
            .edge_ids
            .iter()
            .position(|x| x == id)
            .unwrap_or_else(|| panic!("no edge {id}"));
        let now = self.core.now;
        let breaker = self.core.edges[e].breaker.as_mut().expect("a breaker");
        for _ in 0..failures {
            breaker.record(now, false, 0);
        }
    }
}
