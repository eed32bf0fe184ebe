//! Node kinds: the closed set of behaviours a request can meet, one module per kind.
//!
//! Every kind implements the same four steps, dispatched here by `match` (no trait objects on
//! the hot path):
//! - `accept`: the request has arrived and been admitted (counted in flight);
//! - `begin_work`: a worker of one of the node's stations has been given to it;
//! - `done`: the node's own processing step (service time, overhead, lookup, wait) is over;
//! - `call_done`: a call it made along an outgoing edge has its outcome.

mod balancer;
mod cache;
mod client;
mod database;
mod gateway;
mod limiter;
mod queue;
mod service;

use archsim_model::design::{Design, Node, NodeKind};

use crate::sim::{Sim, Station};
use crate::slab::Handle;

pub(crate) use balancer::BalancerModel;
pub(crate) use cache::CacheModel;
pub(crate) use database::DatabaseModel;
pub(crate) use gateway::GatewayModel;
pub(crate) use limiter::LimiterModel;
pub(crate) use queue::QueueModel;
pub(crate) use service::ServiceModel;

/// A node's compiled parameters and its kind-specific state.
pub(crate) enum NodeModel {
    Client,
    Gateway(GatewayModel),
    Balancer(BalancerModel),
    Service(ServiceModel),
    Cache(CacheModel),
    Queue(QueueModel),
    Database(DatabaseModel),
    Limiter(LimiterModel),
}

pub(crate) struct Built {
    pub model: NodeModel,
    /// Kind-specific counters the node needs (see `metrics::extra`).
    pub extra_counters: u32,
}

/// Compiles one node. `out` are its outgoing edges (indices into `design.edges`).
pub(crate) fn build(
    node: &Node,
    out: &[u32],
    design: &Design,
    class_names: &[String],
    key_space: u64,
) -> Built {
    match &node.spec {
        NodeKind::Client(_) => Built {
            model: NodeModel::Client,
            extra_counters: 0,
        },
        NodeKind::ApiGateway(p) => Built {
            model: NodeModel::Gateway(GatewayModel::new(p, out, design, class_names)),
            extra_counters: 0,
        },
        NodeKind::LoadBalancer(p) => Built {
            extra_counters: out.len() as u32,
            model: NodeModel::Balancer(BalancerModel::new(p, out, design)),
        },
        NodeKind::Service(p) => Built {
            model: NodeModel::Service(ServiceModel::new(p)),
            extra_counters: 0,
        },
        NodeKind::Cache(p) => Built {
            model: NodeModel::Cache(CacheModel::new(p)),
            extra_counters: crate::metrics::extra::CACHE_COUNT,
        },
        NodeKind::Queue(p) => Built {
            model: NodeModel::Queue(QueueModel::new(p, out, design)),
            extra_counters: crate::metrics::extra::QUEUE_COUNT,
        },
        NodeKind::Database(p) => {
            let model = DatabaseModel::new(p, key_space);
            Built {
                extra_counters: crate::metrics::extra::DB_SHARD_QUERIES + model.shards(),
                model: NodeModel::Database(model),
            }
        }
        NodeKind::RateLimiter(p) => Built {
            model: NodeModel::Limiter(LimiterModel::new(p)),
            extra_counters: crate::metrics::extra::LIMITER_COUNT,
        },
    }
}

impl NodeModel {
    /// Worker station `index` of the node. Only kinds with workers are ever asked.
    pub fn station_mut(&mut self, index: u32) -> &mut Station {
        match self {
            NodeModel::Service(s) => &mut s.station,
            NodeModel::Queue(q) => &mut q.station,
            NodeModel::Database(d) => &mut d.members[index as usize],
            _ => unreachable!("only services, queues and databases have worker stations"),
        }
    }

    pub fn station_count(&self) -> u32 {
        match self {
            NodeModel::Service(_) | NodeModel::Queue(_) => 1,
            NodeModel::Database(d) => d.members.len() as u32,
            _ => 0,
        }
    }

    /// Total workers (connections, consumers), for utilisation.
    pub fn capacity(&self) -> u64 {
        match self {
            NodeModel::Service(s) => s.station.workers as u64,
            NodeModel::Queue(q) => q.station.workers as u64,
            NodeModel::Database(d) => d.members.iter().map(|m| m.workers as u64).sum(),
            _ => 0,
        }
    }

    /// Kinds with no processing time of their own; an injected latency fault delays requests
    /// on arrival there instead of stretching a service time.
    pub fn has_no_own_delay(&self) -> bool {
        matches!(
            self,
            NodeModel::Balancer(_) | NodeModel::Limiter(_) | NodeModel::Queue(_)
        )
    }

    pub fn slowdown(&self) -> Option<(f64, f64)> {
        match self {
            NodeModel::Service(s) => s.slowdown,
            _ => None,
        }
    }

    /// Records a wait-queue depth for the period maxima (queues report `max_depth`).
    pub fn note_depth(&mut self, depth: u64) {
        if let NodeModel::Queue(q) = self {
            q.max_depth_whole = q.max_depth_whole.max(depth);
            q.max_depth_batch = q.max_depth_batch.max(depth);
        }
    }

    /// Starts a new measurement period for maxima: the summary (`whole`) and/or the batch.
    pub fn reset_period_maxima(&mut self, whole: bool) {
        if let NodeModel::Queue(q) = self {
            let depth = q.station.waiting;
            if whole {
                q.max_depth_whole = depth;
            }
            q.max_depth_batch = depth;
        }
    }

    pub fn on_crash(&mut self) {
        match self {
            NodeModel::Balancer(b) => b.in_flight.iter_mut().for_each(|n| *n = 0),
            NodeModel::Cache(c) => c.lose_contents(),
            _ => {}
        }
    }

    pub fn on_recover(&mut self) {}
}

impl Sim {
    /// The job has arrived and been admitted at its node.
    // Forced: once the event loop became resumable (`Sim::advance`) the compiler stopped
    // inlining this dispatch into it; inlined, M/M/1 runs 1.6% fewer instructions.
    #[inline(always)]
    pub(crate) fn node_accept(&mut self, job: Handle) {
        let n = self.jobs.get(job).expect("live job").node as usize;
        match &self.nodes[n].model {
            NodeModel::Client => self.finish(job, crate::metrics::Outcome::Success),
            NodeModel::Gateway(_) => self.gateway_accept(job, n),
            NodeModel::Balancer(_) => self.balancer_accept(job, n),
            NodeModel::Service(_) => self.station_admit(job, 0),
            NodeModel::Cache(_) => self.cache_accept(job, n),
            NodeModel::Queue(_) => self.queue_accept(job, n),
            NodeModel::Database(_) => self.database_accept(job, n),
            NodeModel::Limiter(_) => self.limiter_accept(job, n),
        }
    }

    /// A worker has been given to the job.
    pub(crate) fn begin_work(&mut self, job: Handle) {
        let n = self.jobs.get(job).expect("live job").node as usize;
        match &self.nodes[n].model {
            NodeModel::Service(_) => self.service_begin(job, n),
            NodeModel::Queue(_) => self.queue_deliver(job, n),
            NodeModel::Database(_) => self.database_begin(job, n),
            _ => unreachable!("only kinds with stations get workers"),
        }
    }

    /// The node's own processing step of the job is over.
    pub(crate) fn node_done(&mut self, job: Handle) {
        let n = self.jobs.get(job).expect("live job").node as usize;
        match &self.nodes[n].model {
            NodeModel::Gateway(_) => self.gateway_done(job, n),
            NodeModel::Service(_) => self.service_done(job, n),
            NodeModel::Cache(_) => self.cache_done(job, n),
            NodeModel::Database(_) => self.database_done(job, n),
            NodeModel::Limiter(_) => self.limiter_done(job, n),
            NodeModel::Client | NodeModel::Balancer(_) | NodeModel::Queue(_) => {
                unreachable!("these kinds schedule no processing step")
            }
        }
    }

    /// A call the job made along `edge` is over; `here` says a failure arose at this node
    /// (its call timed out or was short-circuited) rather than downstream.
    pub(crate) fn node_call_done(
        &mut self,
        job: Handle,
        edge: u32,
        outcome: crate::metrics::Outcome,
        here: bool,
    ) {
        let n = self.jobs.get(job).expect("live job").node as usize;
        match &self.nodes[n].model {
            // A client's figures are what its users saw: every failure counts there.
            NodeModel::Client => self.finish_client_request(job, outcome),
            NodeModel::Gateway(_) | NodeModel::Limiter(_) | NodeModel::Database(_) => {
                self.pass_on(job, outcome, here)
            }
            NodeModel::Balancer(_) => self.balancer_call_done(job, n, outcome, here),
            NodeModel::Service(_) => self.service_call_done(job, outcome, here),
            NodeModel::Cache(_) => self.cache_call_done(job, n, outcome, here),
            NodeModel::Queue(_) => self.queue_call_done(job, n, edge, outcome),
        }
    }
}
