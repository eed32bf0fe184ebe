//! Node kinds: the closed set of behaviours a request can meet, one module per kind.
//!
//! A kind is a type implementing [`Behaviour`]: its compiled parameters and state, the steps
//! the engine calls, and what it adds to the report. Every step gets a [`NodeCtx`] for its
//! node, never the simulation: a kind sees its own state, its edges, its jobs, its stations,
//! its random stream and counters, and acts through the context's operations. This module
//! imports the engine core (through the context); the core never imports node kinds.
//!
//! The steps, dispatched at one point ([`step`]) by `match` on the closed [`NodeModel`] enum
//! (no trait objects on the hot path):
//! - `accept`: the request has arrived and been admitted (counted in flight);
//! - `begin_work`: a worker of one of the node's stations has been given to it;
//! - `done`: the node's own processing step (service time, overhead, lookup, wait) is over;
//! - `call_done`: a call it made along an outgoing edge has its outcome;
//! - `timer`: a timer the node set for itself is due.
//!
//! Adding a kind: a module here, a variant of [`NodeModel`] with its line in `build` and in
//! `each_kind!`; see `docs/adding-a-node-kind.md`.

mod backend_health;
mod balancer;
mod cache;
mod client;
mod context;
mod database;
mod gateway;
mod limiter;
mod queue;
mod replication;
mod service;
mod visibility;

use archsim_model::design::{Design, FaultEffect, Node, NodeKind};
use archsim_model::report::{AutoscalingReport, NodeReport, NodeSeries, ScaleEvent};
use archsim_model::scaling::InstancePick;

use crate::core::{CallOver, Core, Station};
use crate::distribution::ClassMix;
use crate::metrics::{estimate, extra, node_area, ratio};
use crate::request::KindDataOf;
use crate::rng::SimRng;
use crate::slab::Handle;
use crate::time::SimTime;

pub(crate) use balancer::BalancerModel;
pub(crate) use cache::CacheModel;
pub(crate) use client::{ARRIVAL, BURST, ClientModel};
pub(crate) use context::{Backend, NodeCtx};
pub(crate) use database::DatabaseModel;
pub(crate) use gateway::GatewayModel;
pub(crate) use limiter::LimiterModel;
pub(crate) use queue::QueueModel;
pub(crate) use service::{INSTANCES_CHANGED, ServiceModel};

/// A node kind: its state and its steps (see the module note). Steps a kind never needs have
/// defaults: a kind without stations is never given a worker, one that schedules no processing
/// step is never `done`, one that sets no timer has none fire.
pub(crate) trait Behaviour: Sized {
    /// What the kind keeps on each of its jobs (`()` for nothing).
    type Data: KindDataOf;

    /// The request has arrived and been admitted.
    fn accept(ctx: &mut NodeCtx<'_, Self>, job: Handle);

    /// A worker of the job's station has been given to it.
    fn begin_work(_ctx: &mut NodeCtx<'_, Self>, _job: Handle) {
        unreachable!("only kinds with stations are given workers")
    }

    /// The node's own processing step of the job (`NodeCtx::work_for`) is over.
    fn done(_ctx: &mut NodeCtx<'_, Self>, _job: Handle) {
        unreachable!("this kind schedules no processing step")
    }

    /// A call the job made is over (`over.here`: a failure arose at this node, its own call's
    /// timeout or breaker, rather than downstream).
    fn call_done(ctx: &mut NodeCtx<'_, Self>, job: Handle, over: CallOver);

    /// A timer the node set (`NodeCtx::set_timer`) is due.
    fn timer(_ctx: &mut NodeCtx<'_, Self>, _tag: u32) {}

    /// Timers the node needs from the start (a balancer's first health probes, an autoscaled
    /// service's first evaluation): `(time, tag)`.
    fn initial_timers(&self) -> Vec<(SimTime, u32)> {
        Vec::new()
    }

    /// The answer to health probe `seq` the node sent to its backend `backend` (see
    /// `NodeCtx::send_probe`) is back.
    fn probe_answered(_ctx: &mut NodeCtx<'_, Self>, _backend: u32, _seq: u32, _passed: bool) {
        unreachable!("only load balancers and gateways send health probes")
    }

    /// Whether the kind looks at request keys. When no node does, sources skip drawing them.
    fn reads_keys(&self) -> bool {
        false
    }

    /// The node crashed: whatever a real process would lose, it loses.
    fn crashed(&mut self) {}

    /// After a crash: a kind counter and its new cumulative value, for what the crash lost
    /// that only the kind knows about (a write-back cache's unflushed writes).
    fn crash_loss(&self) -> Option<(u32, u64)> {
        None
    }

    /// A fault on the node's timeline started (`start`) or ended at `now`. Crashes, latency,
    /// errors and slow-downs reach a kind through its context; this is for effects that change
    /// the kind's own state (a reshard, a cache flush). Returns how much it changed, for the
    /// fault's report: entries a flush emptied, keys a reshard moved; 0 otherwise.
    fn fault(&mut self, _effect: &FaultEffect, _start: bool, _now: SimTime) -> u64 {
        0
    }

    /// An `instance_crash` fault (number `fault` of the design) started or ended at `now`:
    /// an autoscaled group's instances crash, or are replaced. The stations that crashed are
    /// then taken with `take_crashed_stations`, and the kind's `timer` runs at once with
    /// [`INSTANCES_CHANGED`] to act on the rest.
    fn instance_fault(
        &mut self,
        _fault: u32,
        _count: u32,
        _pick: &InstancePick,
        _start: bool,
        _now: SimTime,
    ) {
    }

    /// After `fault`: the stations that crashed with it (a database's primaries), whose
    /// queries the simulation fails as a crash would.
    fn take_crashed_stations(&mut self) -> Vec<u32> {
        Vec::new()
    }

    /// A measurement period starts (the summary's when `whole`, else a batch); `waiting` is
    /// the node's wait queue now.
    fn new_period(&mut self, _whole: bool, _waiting: u64) {}

    /// The kind's own figures for a period (`figures.extra(i)`: how much its counter `i`
    /// grew).
    fn report(&self, _figures: &KindFigures<'_>, _report: &mut NodeReport) {}

    /// The kind's own figures for one time-series bucket.
    fn push_series(&self, _figures: &KindFigures<'_>, _series: &mut NodeSeries) {}
}

/// What a kind may read when it reports a period.
pub(crate) struct KindFigures<'a> {
    /// Growth of the node's kind-specific counter `i` over the period.
    pub extra: &'a dyn Fn(u32) -> u64,
    /// Growth of the node's time integral `i` (`metrics::node_area`) over the period, ns.
    pub area: &'a dyn Fn(u32) -> f64,
    /// The period's length, ns.
    pub period_ns: f64,
    /// The ids of the nodes its outgoing edges lead to, in edge order.
    pub targets: &'a [&'a str],
    /// The summary's figures (else a batch's).
    pub whole: bool,
    /// What a health check would see of each backend at the period's end (time series only;
    /// empty in a period's report).
    pub backends: &'a [Backend],
}

/// A node's compiled parameters and its kind-specific state.
pub(crate) enum NodeModel {
    Client(ClientModel),
    Gateway(GatewayModel),
    Balancer(BalancerModel),
    Service(ServiceModel),
    Cache(CacheModel),
    Queue(QueueModel),
    Database(DatabaseModel),
    Limiter(LimiterModel),
}

/// Runs `$body` with `$m` bound to the kind's model, whatever the kind: the one list of kinds
/// that the dispatch and the kind-independent questions share.
macro_rules! each_kind {
    ($model:expr, $m:ident => $body:expr) => {
        match $model {
            NodeModel::Client($m) => $body,
            NodeModel::Gateway($m) => $body,
            NodeModel::Balancer($m) => $body,
            NodeModel::Service($m) => $body,
            NodeModel::Cache($m) => $body,
            NodeModel::Queue($m) => $body,
            NodeModel::Database($m) => $body,
            NodeModel::Limiter($m) => $body,
        }
    };
}

/// A compiled node: its kind's model and what the core needs to know about it.
pub(crate) struct Built {
    pub model: NodeModel,
    /// Kind-specific counters the node needs (see `metrics::extra`).
    pub extra_counters: u32,
    /// Time integrals the node needs besides `metrics::node_area`'s: they follow the node's,
    /// from `node_area::COUNT`.
    pub extra_areas: u32,
    /// Its worker stations.
    pub stations: Vec<Station>,
    /// No processing time of its own: an injected latency delays requests on arrival.
    pub delays_on_arrival: bool,
    /// The station where health probes wait for a worker (see `probes.rs`).
    pub probe_station: Option<u32>,
}

/// What compiling a node needs besides the node itself.
pub(crate) struct BuildContext<'a> {
    pub design: &'a Design,
    /// Its outgoing edges (indices into `design.edges`).
    pub out: &'a [u32],
    /// Request classes of every client, interned (routes index them).
    pub class_names: &'a [String],
    /// The largest key space of any client.
    pub key_space: u64,
    /// Where the run ends (sources stop there).
    pub end: SimTime,
    /// A client's request classes (interned with every other client's).
    pub client_mix: Option<ClassMix>,
    /// A client's arrival stream and key stream.
    pub source_rng: SimRng,
    pub key_rng: SimRng,
    /// A database's replication lag stream.
    pub lag_rng: SimRng,
    /// A client's burst requests' classes and keys.
    pub burst_rng: SimRng,
    /// An autoscaled service's picks of instances to crash.
    pub crash_rng: SimRng,
    /// A client's draws of the user sending each request.
    pub user_rng: SimRng,
}

/// Compiles one node.
impl KindFigures<'_> {
    /// An autoscaled group's figures, the same whichever kind keeps the group (a service's
    /// HPA-sized instances, a queue's KEDA-scaled consumers): instances and time at the maximum
    /// from the node's time integrals, scale-ups and -downs from its counters starting at
    /// `first_counter`, the peaks (since the summary's and the batch's period began) and the
    /// first replication's decisions from the group. Discovery's two figures are left empty
    /// for a service with a registry to fill.
    pub fn autoscaling(
        &self,
        first_counter: u32,
        peaks: (u32, u32),
        events: &[ScaleEvent],
    ) -> AutoscalingReport {
        self.autoscaling_at(
            first_counter,
            (node_area::INSTANCES, node_area::AT_MAX),
            peaks,
            events,
        )
    }

    /// An autoscaling report whose instances and time at max are the integrals `instances`
    /// and `at_max` of the node (a group of several, each with its own).
    pub fn autoscaling_at(
        &self,
        first_counter: u32,
        (instances, at_max): (u32, u32),
        (peak_whole, peak_batch): (u32, u32),
        events: &[ScaleEvent],
    ) -> AutoscalingReport {
        let count = |i: u32| estimate((self.extra)(first_counter + i) as f64);
        let per_period = |i: u32| estimate(ratio((self.area)(i), self.period_ns));
        AutoscalingReport {
            mean_instances: per_period(instances),
            peak_instances: estimate(if self.whole { peak_whole } else { peak_batch } as f64),
            time_at_max: per_period(at_max),
            scale_ups: count(extra::GROUP_SCALE_UPS),
            scale_downs: count(extra::GROUP_SCALE_DOWNS),
            mean_instances_known: None,
            sent_to_gone: estimate(0.0),
            instance_crashes: None,
            events: if self.whole {
                events.to_vec()
            } else {
                Vec::new()
            },
        }
    }
}

pub(crate) fn build(node: &Node, cx: &BuildContext<'_>) -> Built {
    let plain = |model: NodeModel| Built {
        model,
        extra_counters: 0,
        extra_areas: 0,
        stations: Vec::new(),
        delays_on_arrival: false,
        probe_station: None,
    };
    match &node.spec {
        NodeKind::Client(p) => plain(NodeModel::Client(ClientModel::new(
            p,
            cx.client_mix.clone().expect("a client has its mix"),
            cx.source_rng.clone(),
            cx.key_rng.clone(),
            cx.burst_rng.clone(),
            cx.user_rng.clone(),
            cx.end,
        ))),
        NodeKind::ApiGateway(p) => Built {
            extra_counters: GatewayModel::counters(),
            ..plain(NodeModel::Gateway(GatewayModel::new(p, cx)))
        },
        NodeKind::LoadBalancer(p) => Built {
            extra_counters: BalancerModel::counters(cx.out.len() as u32),
            delays_on_arrival: true,
            ..plain(NodeModel::Balancer(BalancerModel::new(p, cx)))
        },
        NodeKind::Service(p) => {
            let mut model = ServiceModel::new(p);
            let crash_faults = cx.design.faults.iter().any(|f| {
                f.target == node.id && matches!(f.effect, FaultEffect::InstanceCrash { .. })
            });
            model.expect_instance_crashes(cx.crash_rng.clone(), crash_faults);
            Built {
                stations: model.stations(p, cx.class_names),
                extra_counters: model.extra_counters(),
                probe_station: Some(0),
                ..plain(NodeModel::Service(model))
            }
        }
        NodeKind::Cache(p) => Built {
            extra_counters: crate::metrics::extra::CACHE_COUNT,
            ..plain(NodeModel::Cache(CacheModel::new(p)))
        },
        NodeKind::Queue(p) => {
            let model = QueueModel::new(p, cx);
            Built {
                extra_counters: model.counters(p),
                extra_areas: model.extra_areas(),
                stations: model.stations(p, cx.class_names),
                delays_on_arrival: true,
                ..plain(NodeModel::Queue(model))
            }
        }
        NodeKind::Database(p) => {
            let model =
                DatabaseModel::new(p, cx.key_space, &node.id, cx.design, cx.lag_rng.clone());
            Built {
                extra_counters: model.counters(),
                stations: model.stations(p),
                probe_station: Some(0),
                ..plain(NodeModel::Database(model))
            }
        }
        NodeKind::RateLimiter(p) => Built {
            extra_counters: crate::metrics::extra::LIMITER_COUNT,
            delays_on_arrival: true,
            ..plain(NodeModel::Limiter(LimiterModel::new(p)))
        },
    }
}

/// One step of a node, as the simulation hands it over.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Step {
    Accept(Handle),
    BeginWork(Handle),
    Done(Handle),
    CallDone(CallOver),
    Timer(u32),
    ProbeAnswered {
        backend: u32,
        seq: u32,
        passed: bool,
    },
}

/// The dispatch point: runs `step` of node `node`, whose model is `model`.
// Forced: the event loop calls this for nearly every event; inlined, the kind's `match` and the
// step's `match` fold into the caller's, as the hand-written dispatch did.
#[inline(always)]
pub(crate) fn step(model: &mut NodeModel, core: &mut Core, node: u32, step: Step) {
    each_kind!(model, m => run(m, core, node, step))
}

#[inline(always)]
fn run<K: Behaviour>(model: &mut K, core: &mut Core, node: u32, step: Step) {
    let mut ctx = NodeCtx::new(model, core, node);
    match step {
        Step::Accept(job) => K::accept(&mut ctx, job),
        Step::BeginWork(job) => K::begin_work(&mut ctx, job),
        Step::Done(job) => K::done(&mut ctx, job),
        Step::CallDone(over) => K::call_done(&mut ctx, over.caller, over),
        Step::Timer(tag) => K::timer(&mut ctx, tag),
        Step::ProbeAnswered {
            backend,
            seq,
            passed,
        } => K::probe_answered(&mut ctx, backend, seq, passed),
    }
}

impl NodeModel {
    pub fn reads_keys(&self) -> bool {
        each_kind!(self, m => m.reads_keys())
    }

    pub fn initial_timers(&self) -> Vec<(SimTime, u32)> {
        each_kind!(self, m => m.initial_timers())
    }

    pub fn crashed(&mut self) {
        each_kind!(self, m => m.crashed())
    }

    pub fn crash_loss(&self) -> Option<(u32, u64)> {
        each_kind!(self, m => m.crash_loss())
    }

    pub fn fault(&mut self, effect: &FaultEffect, start: bool, now: SimTime) -> u64 {
        each_kind!(self, m => m.fault(effect, start, now))
    }

    pub fn take_crashed_stations(&mut self) -> Vec<u32> {
        each_kind!(self, m => m.take_crashed_stations())
    }

    pub fn instance_fault(
        &mut self,
        fault: u32,
        count: u32,
        pick: &InstancePick,
        start: bool,
        now: SimTime,
    ) {
        each_kind!(self, m => m.instance_fault(fault, count, pick, start, now))
    }

    pub fn new_period(&mut self, whole: bool, waiting: u64) {
        each_kind!(self, m => m.new_period(whole, waiting))
    }

    pub fn report(&self, figures: &KindFigures<'_>, report: &mut NodeReport) {
        each_kind!(self, m => m.report(figures, report))
    }

    pub fn push_series(&self, figures: &KindFigures<'_>, series: &mut NodeSeries) {
        each_kind!(self, m => m.push_series(figures, series))
    }

    /// The traffic source of a client node.
    pub fn as_client_mut(&mut self) -> Option<&mut ClientModel> {
        match self {
            NodeModel::Client(c) => Some(c),
            _ => None,
        }
    }
}
