//! A design compiled into the engine state of one replication: `Sim::new`.
//!
//! Node and edge ids become indices, every element gets its random streams (derived from the
//! seed, the replication and its id) and its counters, and each node kind compiles its
//! parameters (`node::build`).

use std::collections::VecDeque;

use archsim_model::design::{Design, FaultEffect, NodeKind};

use crate::core::{Core, EdgeFault, EdgeState, Event, FaultState, NodeState};
use crate::distribution::{ClassMix, Dist};
use crate::fault_tally::{FaultTally, Hits};
use crate::measure::Measurement;
use crate::metrics::{
    LatencyStats, PendingLatencies, Recorder, edge_area, edge_counter, node_area, node_counter,
};
use crate::node::{self, BuildContext, NodeModel};
use crate::policy::adaptive_throttle::AdaptiveThrottle;
use crate::policy::breaker::CircuitBreaker;
use crate::policy::hedging::Hedging;
use crate::policy::limiter::Limiter;
use crate::policy::retry_budget::RetryBudget;
use crate::queue::EventQueue;
use crate::rng::{SimRng, StreamKind, stream_id};
use crate::sim::{FaultSpec, FaultTarget, Sim};
use crate::slab::Slab;
use crate::time::from_ms;

impl Sim {
    /// Compiles the design into a replication ready to run. The design must be valid.
    pub fn new(design: &Design, replication: u32) -> Sim {
        let seed = design.run.seed;
        let rep = replication as u64;
        let end = from_ms(design.run.duration_ms).max(1);
        let warmup_end = from_ms(design.run.warmup_ms).min(end);
        let mut recorder = Recorder::default();

        let node_index = |id: &str| {
            design
                .nodes
                .iter()
                .position(|n| n.id == id)
                .map(|i| i as u32)
        };

        // Request classes, interned across every client so routes can index them.
        let mut class_names: Vec<String> = Vec::new();
        let mut intern = |name: &str| -> u16 {
            if let Some(i) = class_names.iter().position(|c| c == name) {
                i as u16
            } else {
                class_names.push(name.to_string());
                (class_names.len() - 1) as u16
            }
        };
        let mut mixes = Vec::new();
        for node in &design.nodes {
            if let NodeKind::Client(params) = &node.spec {
                mixes.push(ClassMix::new(&params.mix, &mut intern));
            }
        }
        let key_space = design
            .nodes
            .iter()
            .filter_map(|n| match &n.spec {
                NodeKind::Client(c) => Some(c.keys.count.max(1)),
                _ => None,
            })
            .max()
            .unwrap_or(1);

        let mut edges = Vec::with_capacity(design.edges.len());
        for edge in &design.edges {
            let params = &edge.params;
            let stream = stream_id(&edge.id);
            let timeout = params.timeout_ms.map(from_ms);
            let retry = params.retry.clone().filter(|r| r.max_attempts > 1);
            let breaker = params.circuit_breaker.as_ref().map(CircuitBreaker::new);
            let budget = params
                .retry_budget
                .as_ref()
                .map(|budget| RetryBudget::new(budget, 0));
            let throttle = params
                .adaptive_throttling
                .as_ref()
                .map(AdaptiveThrottle::new);
            let limiter = params.rate_limit.as_ref().map(Limiter::new);
            edges.push(EdgeState {
                to: node_index(&edge.to).unwrap_or(0),
                fault: EdgeFault::default(),
                hits: Hits::default(),
                fault_rng: SimRng::derive(seed, rep, StreamKind::EdgeFault, stream),
                latency: Dist::new(&params.latency),
                plain: timeout.is_none()
                    && retry.is_none()
                    && breaker.is_none()
                    && budget.is_none()
                    && throttle.is_none()
                    && params.bulkhead.is_none()
                    && limiter.is_none()
                    && params.hedging.is_none()
                    && !params.propagate_deadline,
                timeout,
                retry,
                breaker,
                budget,
                throttle,
                throttle_rng: SimRng::derive(seed, rep, StreamKind::EdgeThrottle, stream),
                bulkhead: params.bulkhead.as_ref().map(|b| b.max_concurrent),
                limiter,
                attempts_in_flight: 0,
                hedging: params.hedging.as_ref().map(Hedging::new),
                propagate: params.propagate_deadline,
                call_probability: params.call_probability,
                rng: SimRng::derive(seed, rep, StreamKind::Edge, stream),
                reply_rng: SimRng::derive(seed, rep, StreamKind::EdgeReply, stream),
                backoff_rng: SimRng::derive(seed, rep, StreamKind::EdgeBackoff, stream),
                probe_rng: SimRng::derive(seed, rep, StreamKind::EdgeProbe, stream),
                probe_reply_rng: SimRng::derive(seed, rep, StreamKind::EdgeProbeReply, stream),
                counters: recorder.alloc_counters(edge_counter::COUNT),
                areas: recorder.alloc_areas(edge_area::COUNT),
                timers: VecDeque::new(),
                timer_armed: false,
            });
        }

        let mut nodes = Vec::with_capacity(design.nodes.len());
        let mut models = Vec::with_capacity(design.nodes.len());
        let mut mixes = mixes.into_iter();
        for node in &design.nodes {
            let stream = stream_id(&node.id);
            let out: Vec<u32> = design
                .edges
                .iter()
                .enumerate()
                .filter(|(_, e)| e.from == node.id)
                .map(|(j, _)| j as u32)
                .collect();
            let counters = recorder.alloc_counters(node_counter::COUNT);
            let areas = recorder.alloc_areas(node_area::COUNT);
            let is_client = matches!(node.spec, NodeKind::Client(_));
            let built = node::build(
                node,
                &BuildContext {
                    design,
                    out: &out,
                    class_names: &class_names,
                    key_space,
                    end,
                    client_mix: is_client.then(|| mixes.next().expect("one mix per client")),
                    source_rng: SimRng::derive(seed, rep, StreamKind::Source, stream),
                    key_rng: SimRng::derive(seed, rep, StreamKind::SourceKeys, stream),
                    lag_rng: SimRng::derive(seed, rep, StreamKind::ReplicationLag, stream),
                    burst_rng: SimRng::derive(seed, rep, StreamKind::SourceBurst, stream),
                    crash_rng: SimRng::derive(seed, rep, StreamKind::InstanceCrash, stream),
                    user_rng: SimRng::derive(seed, rep, StreamKind::SourceUsers, stream),
                },
            );
            let extra = recorder.alloc_counters(built.extra_counters);
            // Right after the node's own integrals (nothing allocated any in between).
            recorder.alloc_areas(built.extra_areas);
            let cancel_on_timeout =
                matches!(&node.spec, NodeKind::Service(s) if s.cancel_on_timeout);
            nodes.push(NodeState {
                out,
                stations: built.stations,
                rng: SimRng::derive(seed, rep, StreamKind::Node, stream),
                counters,
                areas,
                extra,
                fault: FaultState::default(),
                active_faults: Vec::new(),
                hits: Hits::default(),
                rr: 0,
                cancel_on_timeout,
                delays_on_arrival: built.delays_on_arrival,
                is_client,
                probe_station: built.probe_station,
                latency_pending: PendingLatencies::default(),
                latency_whole: LatencyStats::default(),
                latency_batch: LatencyStats::default(),
            });
            models.push(built.model);
        }

        // Sources draw request keys only if some node reads them (asked of each node's kind).
        let route_reads_keys = edges
            .iter()
            .any(|e| e.limiter.as_ref().is_some_and(Limiter::reads_keys));
        if route_reads_keys || models.iter().any(NodeModel::reads_keys) {
            for model in &mut models {
                if let Some(client) = model.as_client_mut() {
                    client.draw_keys();
                }
            }
        }

        let faults = design
            .faults
            .iter()
            .filter_map(|f| {
                let target = if f.effect.on_edge() {
                    let edge = design.edges.iter().position(|e| e.id == f.target)?;
                    FaultTarget::Edge(edge as u32)
                } else {
                    FaultTarget::Node(node_index(&f.target)?)
                };
                Some(FaultSpec {
                    target,
                    effect: f.effect.clone(),
                })
            })
            .collect();

        let mut sim = Sim {
            design: design.clone(),
            core: Core {
                now: 0,
                queue: EventQueue::new(),
                jobs: Slab::default(),
                calls: Slab::default(),
                hedges: Slab::default(),
                nodes,
                edges,
                recorder,
                fault_tallies: vec![FaultTally::default(); design.faults.len()],
            },
            models,
            end,
            faults,
            measure: Measurement::new(warmup_end, end, design.run.bucket_ms),
            events: 0,
            max_events: design.run.max_events.max(1),
            max_in_flight: design.run.max_in_flight.max(1),
            stopped_early: None,
            finished: false,
        };
        sim.schedule_initial();
        sim
    }

    fn schedule_initial(&mut self) {
        // End first: among events at the end instant it pops first, so nothing at `end` runs.
        self.core.queue.push(self.end, Event::End);
        self.schedule_measurement();
        for (i, fault) in self.design.faults.iter().enumerate() {
            if i >= self.faults.len() {
                break;
            }
            let start = from_ms(fault.at_ms);
            let stop = start.saturating_add(from_ms(fault.duration_ms));
            let instant = fault.effect.may_be_instant();
            // An instance crash may last no time, but its end (the replacement) still happens.
            let ends = !instant || matches!(fault.effect, FaultEffect::InstanceCrash { .. });
            if start < self.end && (stop > start || instant) {
                self.core
                    .queue
                    .push(start, Event::FaultStart { fault: i as u32 });
                if ends {
                    self.core
                        .queue
                        .push(stop, Event::FaultEnd { fault: i as u32 });
                }
            }
        }
        for (node, model) in self.models.iter_mut().enumerate() {
            for (at, tag) in model.initial_timers() {
                self.core.queue.push(
                    at,
                    Event::NodeTimer {
                        node: node as u32,
                        tag,
                    },
                );
            }
            if let Some(client) = model.as_client_mut() {
                for t in client.first_arrivals() {
                    self.core.queue.push(
                        t,
                        Event::NodeTimer {
                            node: node as u32,
                            tag: node::ARRIVAL,
                        },
                    );
                }
            }
        }
    }
}
