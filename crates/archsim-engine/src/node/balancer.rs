//! Load balancer: picks a backend (outgoing edge) per request with `policy::balancer`. With
//! health checks, backends whose node is down (crash fault) or whose edge breaker is open are
//! skipped; a request that finds no candidate fails with `no_healthy_backend`. A half-open
//! breaker counts as healthy: the probes have to come from somewhere.

use archsim_model::design::{Design, LoadBalancerParams};

use crate::metrics::Outcome;
use crate::policy::balancer::{BackendView, Balancer};
use crate::policy::breaker::BreakerState;
use crate::sim::{JobState, Sim};
use crate::slab::Handle;

use super::NodeModel;

pub(crate) struct BalancerModel {
    pub balancer: Balancer,
    pub health_checks: bool,
    /// Requests sent to each backend and not yet answered.
    pub in_flight: Vec<u32>,
    views: Vec<BackendView>,
}

impl BalancerModel {
    pub fn new(p: &LoadBalancerParams, out: &[u32], design: &Design) -> BalancerModel {
        let weights: Vec<u32> = out
            .iter()
            .map(|&e| design.edges[e as usize].params.weight)
            .collect();
        BalancerModel {
            balancer: Balancer::new(&p.algorithm, &weights),
            health_checks: p.health_checks,
            in_flight: vec![0; out.len()],
            views: Vec::with_capacity(out.len()),
        }
    }
}

impl Sim {
    pub(crate) fn balancer_accept(&mut self, job: Handle, n: usize) {
        let now = self.now;
        let key = self.jobs.get(job).expect("live").key;
        let NodeModel::Balancer(b) = &mut self.nodes[n].model else {
            unreachable!()
        };
        let mut views = std::mem::take(&mut b.views);
        let health_checks = b.health_checks;
        views.clear();
        for (i, &edge) in self.nodes[n].out.iter().enumerate() {
            let e = &self.edges[edge as usize];
            let healthy = !health_checks
                || (!self.nodes[e.to as usize].fault.crashed
                    && e.breaker
                        .as_ref()
                        .is_none_or(|br| br.state(now) != BreakerState::Open));
            let NodeModel::Balancer(b) = &self.nodes[n].model else {
                unreachable!()
            };
            views.push(BackendView {
                healthy,
                in_flight: b.in_flight[i],
            });
        }
        let node = &mut self.nodes[n];
        let NodeModel::Balancer(b) = &mut node.model else {
            unreachable!()
        };
        let pick = b.balancer.pick(key, &views, &mut node.rng);
        b.views = views;
        let Some(index) = pick else {
            self.finish(job, Outcome::NoHealthyBackend);
            return;
        };
        b.in_flight[index as usize] += 1;
        let edge = node.out[index as usize];
        let extra = node.extra;
        self.recorder.incr(extra + index);
        let j = self.jobs.get_mut(job).expect("live");
        j.aux = index;
        j.state = JobState::Calling;
        self.start_call(job, edge);
    }

    pub(crate) fn balancer_call_done(
        &mut self,
        job: Handle,
        n: usize,
        outcome: Outcome,
        here: bool,
    ) {
        let index = self.jobs.get(job).expect("live").aux as usize;
        if let NodeModel::Balancer(b) = &mut self.nodes[n].model {
            b.in_flight[index] = b.in_flight[index].saturating_sub(1);
        }
        self.pass_on(job, outcome, here);
    }
}
