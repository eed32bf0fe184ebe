//! API gateway: a fixed processing overhead per request (no worker limit, but at most
//! `max_concurrency` requests in flight, beyond which requests are rejected as queue-full), then
//! routing: a request class with a route goes to that route's edge; any other goes to the
//! outgoing edges in round-robin order.

use archsim_model::design::{Design, GatewayParams};

use crate::distribution::Dist;
use crate::metrics::{Outcome, node_area};
use crate::sim::{Event, JobState, Sim};
use crate::slab::Handle;

use super::NodeModel;

pub(crate) struct GatewayModel {
    pub overhead: Dist,
    pub max_concurrency: u32,
    /// Route edge by global class id (None: round robin).
    pub routes: Vec<Option<u32>>,
}

impl GatewayModel {
    pub fn new(
        p: &GatewayParams,
        out: &[u32],
        design: &Design,
        class_names: &[String],
    ) -> GatewayModel {
        let routes = class_names
            .iter()
            .map(|class| {
                let route = p.routes.iter().find(|r| &r.class == class)?;
                out.iter()
                    .copied()
                    .find(|&e| design.edges[e as usize].to == route.to)
            })
            .collect();
        GatewayModel {
            overhead: Dist::new(&p.overhead),
            max_concurrency: p.max_concurrency,
            routes,
        }
    }
}

impl Sim {
    pub(crate) fn gateway_accept(&mut self, job: Handle, n: usize) {
        let NodeModel::Gateway(g) = &self.nodes[n].model else {
            unreachable!()
        };
        let (max, overhead) = (g.max_concurrency, g.overhead);
        // The in-flight level already counts this request.
        let in_flight = self
            .recorder
            .level(self.nodes[n].areas + node_area::IN_FLIGHT);
        if max > 0 && in_flight > max {
            self.finish(job, Outcome::QueueFull);
            return;
        }
        self.jobs.get_mut(job).expect("live").state = JobState::Serving;
        let base = overhead.sample(&mut self.nodes[n].rng);
        let factor = self.nodes[n].fault.slowdown;
        let delay = self.stretched(n, base, factor);
        self.schedule(delay, Event::Done { job });
    }

    pub(crate) fn gateway_done(&mut self, job: Handle, n: usize) {
        if self.draws_error(n, 0.0) {
            self.finish(job, Outcome::Error);
            return;
        }
        let class = self.jobs.get(job).expect("live").class as usize;
        let NodeModel::Gateway(g) = &self.nodes[n].model else {
            unreachable!()
        };
        let routed = g.routes.get(class).copied().flatten();
        let edge = match routed {
            Some(edge) => edge,
            None => {
                let len = self.nodes[n].out.len() as u32;
                if len == 0 {
                    self.finish(job, Outcome::Success);
                    return;
                }
                let i = self.round_robin(n, len);
                self.nodes[n].out[i as usize]
            }
        };
        self.jobs.get_mut(job).expect("live").state = JobState::Calling;
        self.start_call(job, edge);
    }
}
