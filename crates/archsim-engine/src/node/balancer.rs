//! Load balancer: picks a backend (outgoing edge) per request with `policy::balancer`. With
//! health checks, backends whose node is down (crash fault) or whose edge breaker is open are
//! skipped; a request that finds no candidate fails with `no_healthy_backend`. A half-open
//! breaker counts as healthy: the probes have to come from somewhere.

use std::collections::BTreeMap;

use archsim_model::design::LoadBalancerParams;
use archsim_model::report::{Estimate, NodeReport};

use crate::core::CallOver;
use crate::metrics::{Outcome, estimate};
use crate::policy::balancer::{BackendView, Balancer};
use crate::policy::breaker::BreakerState;
use crate::request::BalancerRequest;
use crate::slab::Handle;

use super::{Behaviour, BuildContext, KindFigures, NodeCtx};

pub(crate) struct BalancerModel {
    balancer: Balancer,
    health_checks: bool,
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
        BalancerModel {
            balancer: Balancer::new(&p.algorithm, &weights),
            health_checks: p.health_checks,
            in_flight: vec![0; cx.out.len()],
            views: Vec::with_capacity(cx.out.len()),
        }
    }
}

impl Behaviour for BalancerModel {
    type Data = BalancerRequest;

    fn accept(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        let key = ctx.request(job).key;
        let mut views = std::mem::take(&mut ctx.model.views);
        views.clear();
        for index in 0..ctx.out_len() {
            let healthy = !ctx.model.health_checks || {
                let backend = ctx.backend(ctx.out_edge(index));
                !backend.down && backend.breaker != Some(BreakerState::Open)
            };
            views.push(BackendView {
                healthy,
                in_flight: ctx.model.in_flight[index as usize],
            });
        }
        let (model, rng) = ctx.model_and_rng();
        let pick = model.balancer.pick(key, &views, rng);
        ctx.model.views = views;
        let Some(index) = pick else {
            ctx.finish(job, Outcome::NoHealthyBackend);
            return;
        };
        ctx.model.in_flight[index as usize] += 1;
        ctx.count(index);
        ctx.set_data(job, BalancerRequest { backend: index });
        let edge = ctx.out_edge(index);
        ctx.call(job, edge);
    }

    fn call_done(ctx: &mut NodeCtx<'_, Self>, job: Handle, over: CallOver) {
        let index = ctx.data(job).backend as usize;
        let balancer = &mut *ctx.model;
        balancer.in_flight[index] = balancer.in_flight[index].saturating_sub(1);
        balancer
            .balancer
            .call_over(index as u32, over.outcome.is_success());
        ctx.pass_on(job, over.outcome, over.here);
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
    }
}
