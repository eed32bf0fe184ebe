//! Client: a traffic source (see `workload`). Each request goes to the client's outgoing edges
//! in round-robin order (one edge per request, so several edges split the traffic evenly).
//! Open loop: Poisson arrivals thinned to the rate profile, whatever the system does. Closed
//! loop: each user starts after one think time, and thinks again after each outcome. A crashed
//! client sends nothing (a closed-loop user tries again after thinking). A client that receives
//! a call (an edge into it) answers at once with success: it acts as a sink.
//!
//! Arrivals are the client's own timer (tag [`ARRIVAL`]). What a client's users saw is counted
//! at the client node, which is where the report's overall figures come from.

use std::collections::HashSet;

use archsim_model::design::{ClientParams, Workload};
use archsim_model::users::{UserPick, Users};

use crate::core::CallOver;
use crate::distribution::{ClassMix, Dist, KeySampler};
use crate::metrics::Outcome;
use crate::request::{NO_DEADLINE, Request};
use crate::rng::SimRng;
use crate::slab::Handle;
use crate::time::SimTime;
use crate::workload::Rate;

use super::{Behaviour, NodeCtx};

/// Timer tag: a user sends its next request.
pub(crate) const ARRIVAL: u32 = 0;
/// Timer tags from here on: one request of burst fault `tag - BURST` (see `faults.rs`): sent
/// whatever the workload, and in a closed loop followed by no think time (a burst adds
/// requests, not users).
pub(crate) const BURST: u32 = 1;

enum Source {
    Open(Rate),
    Closed { think: Dist, users: u32 },
}

pub(crate) struct ClientModel {
    source: Source,
    /// Arrival times, classes and think times.
    rng: SimRng,
    mix: ClassMix,
    /// None when no node looks at keys: the draws would be wasted.
    keys: Option<KeySampler>,
    key_distribution: archsim_model::design::KeyDistribution,
    /// Keys come from their own stream, so whether they are drawn at all (a cache added to the
    /// design, say) never shifts the source's arrival times.
    key_rng: SimRng,
    /// A burst's classes and keys, apart so a burst shifts no arrival, class or key of the
    /// regular traffic.
    burst_rng: SimRng,
    /// Its users population (`users`), and the stream of random picks of them.
    users: Option<Users>,
    user_rng: SimRng,
    /// Burst requests in flight (a closed-loop user does not think after them).
    bursting: HashSet<Handle>,
    /// Round-robin cursor over the outgoing edges.
    rr: u32,
    end: SimTime,
    /// Every request sent: (time, class, key). Tests only.
    #[cfg(test)]
    pub sent: Vec<(SimTime, u16, u64)>,
}

impl ClientModel {
    /// A client whose arrival stream is `rng` and key stream `key_rng`, sending until `end`.
    pub fn new(
        p: &ClientParams,
        mix: ClassMix,
        rng: SimRng,
        key_rng: SimRng,
        burst_rng: SimRng,
        user_rng: SimRng,
        end: SimTime,
    ) -> ClientModel {
        let source = match &p.workload {
            Workload::OpenLoop { rate } => Source::Open(Rate::new(rate)),
            Workload::ClosedLoop { think_time, users } => Source::Closed {
                think: Dist::new(think_time),
                users: *users,
            },
        };
        ClientModel {
            source,
            rng,
            mix,
            keys: None,
            key_distribution: p.keys.clone(),
            key_rng,
            burst_rng,
            users: p.users.clone(),
            user_rng,
            bursting: HashSet::new(),
            rr: 0,
            end,
            #[cfg(test)]
            sent: Vec::new(),
        }
    }

    /// Some node reads request keys: draw them.
    pub fn draw_keys(&mut self) {
        self.keys = Some(KeySampler::new(&self.key_distribution));
    }

    /// The user who sends a request for `key`: one drawn uniformly (`random`), or the key's
    /// owner, user `key mod count` (`key_owner`); 0 without a users population.
    fn user_for(&mut self, key: u64) -> u32 {
        match &self.users {
            None => 0,
            Some(users) => match users.pick {
                UserPick::Random => self.user_rng.below(u64::from(users.count.max(1))) as u32,
                UserPick::KeyOwner => (key % u64::from(users.count.max(1))) as u32,
            },
        }
    }

    /// When the first requests go: the open loop's first arrival, or each closed-loop user
    /// after one think time (so they do not all fire at 0).
    pub fn first_arrivals(&mut self) -> Vec<SimTime> {
        match &self.source {
            Source::Open(rate) => rate
                .next_arrival(0, self.end, &mut self.rng)
                .map(|t| vec![t])
                .unwrap_or_default(),
            Source::Closed { think, users } => {
                (0..*users).map(|_| think.sample(&mut self.rng)).collect()
            }
        }
    }

    /// A closed-loop user thinks, then sends again.
    fn think(ctx: &mut NodeCtx<'_, Self>) {
        let client = &mut *ctx.model;
        if let Source::Closed { think, .. } = &client.source {
            let delay = think.sample(&mut client.rng).max(1);
            ctx.set_timer(delay, ARRIVAL);
        }
    }

    /// A request is over: what its user saw counts here, every failure included.
    fn request_over(ctx: &mut NodeCtx<'_, Self>, job: Handle, outcome: Outcome) {
        ctx.finish(job, outcome);
        if !ctx.model.bursting.remove(&job) {
            Self::think(ctx);
        }
    }

    /// The next outgoing edge, round robin; None without one.
    fn next_edge(ctx: &mut NodeCtx<'_, Self>) -> Option<u32> {
        let out = ctx.out_len();
        if out == 0 {
            return None;
        }
        let index = ctx.model.rr % out;
        ctx.model.rr = ctx.model.rr.wrapping_add(1);
        Some(ctx.out_edge(index))
    }

    /// One request of a burst: like an arrival, with draws of its own and no next arrival.
    fn burst(ctx: &mut NodeCtx<'_, Self>, fault: u32) {
        if ctx.crashed() {
            return;
        }
        ctx.count_burst_request(fault);
        let client = &mut *ctx.model;
        let (class, write) = client.mix.sample(&mut client.burst_rng);
        let key = match &client.keys {
            Some(keys) => keys.sample(&mut client.burst_rng),
            None => 0,
        };
        let user = client.user_for(key);
        let edge = Self::next_edge(ctx);
        let job = ctx.new_request(Request {
            key,
            class,
            write,
            deadline: NO_DEADLINE,
            source: 0, // this node's index, filled in by `new_request`
            user,
        });
        ctx.model.bursting.insert(job);
        match edge {
            Some(edge) => ctx.call(job, edge),
            None => Self::request_over(ctx, job, Outcome::Success),
        }
    }
}

impl Behaviour for ClientModel {
    type Data = ();

    /// A call into a client: it answers at once.
    fn accept(ctx: &mut NodeCtx<'_, Self>, job: Handle) {
        ctx.finish(job, Outcome::Success);
    }

    fn call_done(ctx: &mut NodeCtx<'_, Self>, job: Handle, over: CallOver) {
        Self::request_over(ctx, job, over.outcome);
    }

    fn timer(ctx: &mut NodeCtx<'_, Self>, tag: u32) {
        if tag >= BURST {
            Self::burst(ctx, tag - BURST);
            return;
        }
        let now = ctx.now();
        let out = ctx.out_len();
        let client = &mut *ctx.model;
        let (class, write) = client.mix.sample(&mut client.rng);
        let key = match &client.keys {
            Some(keys) => keys.sample(&mut client.key_rng),
            None => 0,
        };
        let user = client.user_for(key);
        let next = match &client.source {
            Source::Open(rate) => rate.next_arrival(now, client.end, &mut client.rng),
            Source::Closed { .. } => None,
        };
        let edge = if out == 0 {
            None
        } else {
            let index = client.rr % out;
            client.rr = client.rr.wrapping_add(1);
            Some(ctx.out_edge(index))
        };
        if let Some(t) = next {
            ctx.set_timer_at(t, ARRIVAL);
        }
        if ctx.crashed() {
            Self::think(ctx);
            return;
        }
        #[cfg(test)]
        ctx.model.sent.push((now, class, key));
        let job = ctx.new_request(Request {
            key,
            class,
            write,
            deadline: NO_DEADLINE,
            source: 0, // this node's index, filled in by `new_request`
            user,
        });
        match edge {
            Some(edge) => ctx.call(job, edge),
            None => Self::request_over(ctx, job, Outcome::Success),
        }
    }
}
