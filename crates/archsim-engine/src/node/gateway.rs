//! API gateway: a fixed processing overhead per request (no worker limit, but at most
//! `max_concurrency` requests in flight, beyond which requests are rejected as queue-full), then
//! routing: a request class with a route goes to that route's edge; any other goes to the
//! outgoing edges in round-robin order.
//!
//! Its backends' health is the load balancer's component (`backend_health`), over all its
//! outgoing edges, with panic mode asked of the pool a request picks from, as Envoy asks it of
//! a route's cluster:
//! - unrouted classes: the pool is every outgoing edge; the round robin skips backends that
//!   are out (the next in turn that is in), so a crashed backend stops taking a share once it
//!   is found down;
//! - a routed class: the pool is the route's edge; when it is out (and the pool not in panic)
//!   the request fails at once with `no_healthy_backend` (Envoy's 503 "no healthy upstream"),
//!   instead of waiting for its timeout at a dead backend.
//!
//! With no health mechanism (the default) every backend is always in: the gateway routes as
//! it did before it had any.

use archsim_model::design::GatewayParams;
use archsim_model::health::WithHealth;
use archsim_model::report::{NodeReport, NodeSeries};

use crate::core::CallOver;
use crate::distribution::Dist;
use crate::metrics::Outcome;
use crate::request::BalancerRequest;
use crate::slab::Handle;
use crate::time::SimTime;

use super::backend_health::{BackendHealth, WatchesBackends, counter, state};
use super::{Behaviour, BuildContext, KindFigures, NodeCtx};

pub(crate) struct GatewayModel {
    overhead: Dist,
    max_concurrency: u32,
    /// Route by global class id: the index of the route's outgoing edge (None: round robin).
    routes: Vec<Option<u32>>,
    health: BackendHealth,
    backends: u32,
}

impl GatewayModel {
    pub fn new(p: &GatewayParams, cx: &BuildContext<'_>) -> GatewayModel {
        let routes = cx
            .class_names
            .iter()
            .map(|class| {
                let route = p.routes.iter().find(|r| &r.class == class)?;
                cx.out
                    .iter()
                    .position(|&e| cx.design.edges[e as usize].to == route.to)
                    .map(|i| i as u32)
            })
            .collect();
        let backends = cx.out.len() as u32;
        GatewayModel {
            overhead: Dist::new(&p.overhead),
            max_concurrency: p.max_concurrency,
            routes,
            health: BackendHealth::new(&p.health(), backends, 0),
            backends,
        }
    }

    /// Kind counters a gateway needs: its health component's.
    pub fn counters() -> u32 {
        counter::COUNT
    }

    /// Whether backend `index` is in (its health mechanisms leave it a candidate).
    fn is_in(ctx: &NodeCtx<'_, Self>, index: u32) -> bool {
        let backend = ctx.backend(ctx.out_edge(index));
        ctx.model.health.state_of(index, backend) == state::IN
    }

    /// The backend a request of an unrouted class goes to: the next in round-robin order that
    /// is in; in panic, the next in turn whatever its state; None when none is in.
    fn round_robin_pick(ctx: &mut NodeCtx<'_, Self>) -> Option<u32> {
        let len = ctx.out_len();
        if !ctx.model.health.watches() {
            return Some(ctx.round_robin(len));
        }
        let healthy = (0..len).filter(|&i| Self::is_in(ctx, i)).count() as u32;
        if ctx.model.health.in_panic(healthy, len) {
            BackendHealth::panic_pick(ctx);
            return Some(ctx.round_robin(len));
        }
        if healthy == 0 {
            return None;
        }
        // At most `len` turns: one of them is in.
        for _ in 0..len {
            let i = ctx.round_robin(len);
            if Self::is_in(ctx, i) {
                return Some(i);
            }
        }
        None
    }

    /// Whether a routed request may go to its route's backend `index`: it is in, or the route's
    /// one-backend pool is in panic.
    fn route_open(ctx: &mut NodeCtx<'_, Self>, index: u32) -> bool {
        if !ctx.model.health.watches() || Self::is_in(ctx, index) {
            return true;
        }
        let panic = ctx.model.health.in_panic(0, 1);
        if panic {
            BackendHealth::panic_pick(ctx);
        }
        panic
    }
}

impl WatchesBackends for GatewayModel {
    fn health(&self) -> &BackendHealth {
        &self.health
    }

    fn health_mut(&mut self) -> &mut BackendHealth {
        &mut self.health
    }
}

impl Behaviour for GatewayModel {
    type Data = BalancerRequest;

    fn accept(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        let (max, overhead) = (ctx.model.max_concurrency, ctx.model.overhead);
        // The in-flight level already counts this request.
        if max > 0 && ctx.in_flight() > max {
            ctx.finish(job, Outcome::QueueFull);
            return;
        }
        let base = overhead.sample(ctx.rng());
        let delay = ctx.processing_time(base, ctx.fault_slowdown());
        ctx.work_for(job, delay);
    }

    fn done(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        if ctx.draws_error(0.0) {
            ctx.finish(job, Outcome::Error);
            return;
        }
        if ctx.out_len() == 0 {
            ctx.finish(job, Outcome::Success);
            return;
        }
        let class = ctx.request(job).class as usize;
        let picked = match ctx.model.routes.get(class).copied().flatten() {
            Some(index) => Self::route_open(ctx, index).then_some(index),
            None => Self::round_robin_pick(ctx),
        };
        let Some(index) = picked else {
            ctx.finish(job, Outcome::NoHealthyBackend);
            return;
        };
        ctx.set_data(job, BalancerRequest { backend: index });
        let edge = ctx.out_edge(index);
        ctx.call(job, edge);
    }

    fn call_done(ctx: &mut NodeCtx<'_, Self>, job: Handle, over: CallOver) {
        let index = ctx.data(job).backend;
        BackendHealth::call_over(ctx, index, &over);
        ctx.pass_on(job, over.outcome, over.here);
    }

    fn timer(ctx: &mut NodeCtx<'_, Self>, tag: u32) {
        BackendHealth::timer(ctx, tag);
    }

    fn probe_answered(ctx: &mut NodeCtx<'_, Self>, backend: u32, seq: u32, passed: bool) {
        BackendHealth::probe_answered(ctx, backend, seq, passed);
    }

    fn initial_timers(&self) -> Vec<(SimTime, u32)> {
        self.health.initial_timers(self.backends)
    }

    fn report(&self, figures: &KindFigures<'_>, report: &mut NodeReport) {
        // A gateway without health mechanisms has no health figures (as before it had any).
        if self.health.watches() {
            report.balancer_health = Some(self.health.report(figures));
        }
    }

    fn push_series(&self, figures: &KindFigures<'_>, series: &mut NodeSeries) {
        if self.health.watches() {
            self.health.push_series(figures, series);
        }
    }
}
