//! Load balancer: picks a backend (outgoing edge) per request with `policy::balancer`, among the
//! backends its health mechanisms leave in (the shared `backend_health` component: health
//! check, outlier ejection and panic mode over all its backends, as Envoy has them).
//!
//! A request that finds no candidate fails with `no_healthy_backend`.

use std::collections::BTreeMap;

use archsim_model::design::LoadBalancerParams;
use archsim_model::health::WithHealth;
use archsim_model::report::{Estimate, NodeReport, NodeSeries};

use crate::core::CallOver;
use crate::metrics::{Outcome, estimate};
use crate::policy::balancer::{BackendView, Balancer};
use crate::request::BalancerRequest;
use crate::slab::Handle;
use crate::time::SimTime;

use super::backend_health::{BackendHealth, WatchesBackends, counter, state};
use super::{Behaviour, BuildContext, KindFigures, NodeCtx};

pub(crate) struct BalancerModel {
    balancer: Balancer,
    /// Its health mechanisms; their counters come after the per-backend ones.
    health: BackendHealth,
    /// Requests sent to each backend and not yet answered.
    in_flight: Vec<u32>,
    /// Reused for every pick, so picks don't allocate.
    views: Vec<BackendView>,
}

impl BalancerModel {
    pub fn new(p: &LoadBalancerParams, cx: &BuildContext<'_>) -> BalancerModel {
        let weights: Vec<u32> = cx
            .out
            .iter()
            .map(|&e| cx.design.edges[e as usize].params.weight)
            .collect();
        let backends = cx.out.len();
        // Hashing algorithms place each backend by its node id (Envoy: by its address).
        let ids: Vec<String> = cx
            .out
            .iter()
            .map(|&e| cx.design.edges[e as usize].to.clone())
            .collect();
        BalancerModel {
            balancer: Balancer::with_names(&p.algorithm, &weights, &ids),
            health: BackendHealth::new(&p.health(), backends as u32, backends as u32),
            in_flight: vec![0; backends],
            views: Vec::with_capacity(backends),
        }
    }

    /// Extra counters a balancer with `backends` backends needs.
    pub fn counters(backends: u32) -> u32 {
        backends + counter::COUNT
    }

    fn backends(&self) -> u32 {
        self.in_flight.len() as u32
    }
}

impl WatchesBackends for BalancerModel {
    fn health(&self) -> &BackendHealth {
        &self.health
    }

    fn health_mut(&mut self) -> &mut BackendHealth {
        &mut self.health
    }
}

impl Behaviour for BalancerModel {
    type Data = BalancerRequest;

    fn accept(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        let key = ctx.request(job).key;
        let mut views = std::mem::take(&mut ctx.model.views);
        views.clear();
        let mut healthy = 0;
        for index in 0..ctx.out_len() {
            let backend = ctx.backend(ctx.out_edge(index));
            let is_in = ctx.model.health.state_of(index, backend) == state::IN;
            healthy += u32::from(is_in);
            views.push(BackendView {
                healthy: is_in,
                in_flight: ctx.model.in_flight[index as usize],
            });
        }
        let panic = ctx.model.health.in_panic(healthy, ctx.out_len());
        if panic {
            views.iter_mut().for_each(|view| view.healthy = true);
        }
        let (model, rng) = ctx.model_and_rng();
        let pick = model.balancer.pick(key, &views, rng);
        ctx.model.views = views;
        let Some(index) = pick else {
            ctx.finish(job, Outcome::NoHealthyBackend);
            return;
        };
        if panic {
            BackendHealth::panic_pick(ctx);
        }
        ctx.model.in_flight[index as usize] += 1;
        ctx.count(index);
        ctx.set_data(job, BalancerRequest { backend: index });
        let edge = ctx.out_edge(index);
        ctx.call(job, edge);
    }

    fn call_done(ctx: &mut NodeCtx<'_, Self>, job: Handle, over: CallOver) {
        let index = ctx.data(job).backend;
        let balancer = &mut *ctx.model;
        let i = index as usize;
        balancer.in_flight[i] = balancer.in_flight[i].saturating_sub(1);
        balancer
            .balancer
            .call_over(index, over.outcome.is_success());
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
        self.health.initial_timers(self.backends())
    }

    fn reads_keys(&self) -> bool {
        self.balancer.reads_keys()
    }

    fn crashed(&mut self) {
        self.in_flight.iter_mut().for_each(|n| *n = 0);
    }

    fn report(&self, figures: &KindFigures<'_>, report: &mut NodeReport) {
        let mut per_backend = BTreeMap::new();
        for (b, &to) in figures.targets.iter().enumerate() {
            let count = (figures.extra)(b as u32) as f64;
            per_backend
                .entry(to.to_string())
                .and_modify(|e: &mut Estimate| e.value += count)
                .or_insert(estimate(count));
        }
        report.balancer = Some(per_backend);
        report.balancer_health = Some(self.health.report(figures));
    }

    fn push_series(&self, figures: &KindFigures<'_>, series: &mut NodeSeries) {
        self.health.push_series(figures, series);
    }
}
