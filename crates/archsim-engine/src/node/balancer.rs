//! Load balancer: picks a backend (outgoing edge) per request with `policy::balancer`, among the
//! backends its health mechanisms leave in (see `policy::health`):
//! - `health_check`: `none` (every backend is in), `instant` (an oracle: a crashed backend is
//!   out at once, version 1's `health_checks: true`) or `active` (Envoy's probes: a backend is
//!   out from its `unhealthy_threshold`th failed probe in a row until its `healthy_threshold`th
//!   passed one). Under `instant` and `active` a backend whose edge breaker is open is out too;
//!   a half-open breaker counts as in (the trial calls have to come from somewhere).
//! - `outlier_detection`: Envoy's consecutive-5xx ejection from the replies of real requests.
//! - Panic mode: below `panic_threshold_percent` backends in, every backend is used.
//!
//! A request that finds no candidate fails with `no_healthy_backend`.
//!
//! Probes: the first goes to every backend at time 0; each next one `interval_ms` after the
//! previous one's answer or timeout, as Envoy's interval timer is re-armed on completion. A
//! probe not answered `timeout_ms` after it was sent fails, and its late answer is ignored.

use std::collections::BTreeMap;

use archsim_model::design::LoadBalancerParams;
use archsim_model::health::HealthCheck;
use archsim_model::report::{BalancerHealthReport, Estimate, NodeReport, NodeSeries};

use crate::core::CallOver;
use crate::metrics::{Outcome, estimate};
use crate::policy::balancer::{BackendView, Balancer};
use crate::policy::breaker::BreakerState;
use crate::policy::health::active::{HostCheck, Thresholds};
use crate::policy::health::in_panic;
use crate::policy::health::outlier::{OutlierConfig, OutlierDetector, ReplyClass};
use crate::request::BalancerRequest;
use crate::slab::Handle;
use crate::time::{SimTime, from_ms};

use super::{Backend, Behaviour, BuildContext, KindFigures, NodeCtx};

/// Timer tags: `backend × 2 + SEND_PROBE` or `+ PROBE_TIMEOUT`, and the outlier detector's tick.
const SEND_PROBE: u32 = 0;
const PROBE_TIMEOUT: u32 = 1;
const OUTLIER_TICK: u32 = u32::MAX;

/// Counters after the per-backend ones (`backends + …`).
pub(crate) mod counter {
    pub const PROBES: u32 = 0;
    pub const PROBE_FAILURES: u32 = 1;
    pub const MARKED_DOWN: u32 = 2;
    pub const EJECTIONS: u32 = 3;
    pub const PANIC_PICKS: u32 = 4;
    pub const COUNT: u32 = 5;
}

/// Active health checking: each backend's state and its probe in flight.
struct Active {
    interval: SimTime,
    timeout: SimTime,
    thresholds: Thresholds,
    hosts: Vec<HostCheck>,
    /// The probe each backend waits for: (sequence number, deadline).
    outstanding: Vec<Option<(u32, SimTime)>>,
    next_seq: u32,
}

enum Mode {
    None,
    Instant,
    Active(Active),
}

pub(crate) struct BalancerModel {
    balancer: Balancer,
    mode: Mode,
    outlier: Option<OutlierDetector>,
    panic_threshold: f64,
    /// Requests sent to each backend and not yet answered.
    in_flight: Vec<u32>,
    /// Reused for every pick, so picks don't allocate.
    views: Vec<BackendView>,
}

/// What a backend's state is, for the report's series.
pub(crate) mod state {
    pub const IN: u8 = 0;
    /// Out by the health check (or its breaker open).
    pub const DOWN: u8 = 1;
    /// Ejected by outlier detection.
    pub const EJECTED: u8 = 2;
    /// Both.
    pub const DOWN_AND_EJECTED: u8 = 3;
}

impl BalancerModel {
    pub fn new(p: &LoadBalancerParams, cx: &BuildContext<'_>) -> BalancerModel {
        let weights: Vec<u32> = cx
            .out
            .iter()
            .map(|&e| cx.design.edges[e as usize].params.weight)
            .collect();
        let backends = cx.out.len();
        let mode = match &p.health_check {
            HealthCheck::None => Mode::None,
            HealthCheck::Instant => Mode::Instant,
            HealthCheck::Active(a) => Mode::Active(Active {
                interval: from_ms(a.interval_ms).max(1),
                timeout: from_ms(a.timeout_ms).max(1),
                thresholds: Thresholds {
                    unhealthy: a.unhealthy_threshold.max(1),
                    healthy: a.healthy_threshold.max(1),
                },
                hosts: vec![HostCheck::new(a.start_healthy); backends],
                outstanding: vec![None; backends],
                next_seq: 0,
            }),
        };
        let outlier = p.outlier_detection.as_ref().map(|o| {
            OutlierDetector::new(
                OutlierConfig {
                    consecutive_errors: o.consecutive_errors.max(1),
                    interval: from_ms(o.interval_ms).max(1),
                    base_ejection: from_ms(o.base_ejection_ms),
                    max_ejection: from_ms(o.max_ejection_ms.max(o.base_ejection_ms)),
                    max_ejection_percent: o.max_ejection_percent,
                    always_eject_one: o.always_eject_one,
                },
                backends as u32,
            )
        });
        // Hashing algorithms place each backend by its node id (Envoy: by its address).
        let ids: Vec<String> = cx
            .out
            .iter()
            .map(|&e| cx.design.edges[e as usize].to.clone())
            .collect();
        BalancerModel {
            balancer: Balancer::with_names(&p.algorithm, &weights, &ids),
            mode,
            outlier,
            panic_threshold: p.panic_threshold_percent,
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

    /// Backend `index`'s state: in, or out and why, given what a health check would see of it
    /// (`backend`: crashed, breaker).
    fn state_of(&self, index: u32, backend: Backend) -> u8 {
        let down = match &self.mode {
            Mode::None => false,
            Mode::Instant => backend.down || backend.breaker == Some(BreakerState::Open),
            Mode::Active(active) => {
                !active.hosts[index as usize].healthy()
                    || backend.breaker == Some(BreakerState::Open)
            }
        };
        let ejected = self.outlier.as_ref().is_some_and(|o| o.is_ejected(index));
        match (down, ejected) {
            (false, false) => state::IN,
            (true, false) => state::DOWN,
            (false, true) => state::EJECTED,
            (true, true) => state::DOWN_AND_EJECTED,
        }
    }

    fn extra(&self, which: u32) -> u32 {
        self.backends() + which
    }

    fn send_probe(ctx: &mut NodeCtx<'_, Self>, backend: u32) {
        let now = ctx.now();
        let Mode::Active(active) = &mut ctx.model.mode else {
            return;
        };
        let seq = active.next_seq;
        active.next_seq = active.next_seq.wrapping_add(1);
        let deadline = now.saturating_add(active.timeout);
        active.outstanding[backend as usize] = Some((seq, deadline));
        let timeout = active.timeout;
        let probes = ctx.model.extra(counter::PROBES);
        ctx.count(probes);
        ctx.send_probe(backend, seq);
        ctx.set_timer(timeout, backend * 2 + PROBE_TIMEOUT);
    }

    /// The probe to `backend` is over (`passed` or not): count it, and probe again after the
    /// interval.
    fn probe_over(ctx: &mut NodeCtx<'_, Self>, backend: u32, passed: bool) {
        let Mode::Active(active) = &mut ctx.model.mode else {
            return;
        };
        active.outstanding[backend as usize] = None;
        let thresholds = active.thresholds;
        let host = &mut active.hosts[backend as usize];
        let marked_down = if passed {
            host.passed(thresholds);
            false
        } else {
            host.failed(thresholds)
        };
        let interval = active.interval;
        if !passed {
            let failures = ctx.model.extra(counter::PROBE_FAILURES);
            ctx.count(failures);
        }
        if marked_down {
            let down = ctx.model.extra(counter::MARKED_DOWN);
            ctx.count(down);
        }
        ctx.set_timer(interval, backend * 2 + SEND_PROBE);
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
            let is_in = ctx.model.state_of(index, backend) == state::IN;
            healthy += u32::from(is_in);
            views.push(BackendView {
                healthy: is_in,
                in_flight: ctx.model.in_flight[index as usize],
            });
        }
        let panic = in_panic(healthy, ctx.out_len(), ctx.model.panic_threshold);
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
            let picks = ctx.model.extra(counter::PANIC_PICKS);
            ctx.count(picks);
        }
        ctx.model.in_flight[index as usize] += 1;
        ctx.count(index);
        ctx.set_data(job, BalancerRequest { backend: index });
        let edge = ctx.out_edge(index);
        ctx.call(job, edge);
    }

    fn call_done(ctx: &mut NodeCtx<'_, Self>, job: Handle, over: CallOver) {
        let index = ctx.data(job).backend;
        let now = ctx.now();
        let balancer = &mut *ctx.model;
        let i = index as usize;
        balancer.in_flight[i] = balancer.in_flight[i].saturating_sub(1);
        balancer
            .balancer
            .call_over(index, over.outcome.is_success());
        let mut ejected = false;
        if let Some(outlier) = &mut balancer.outlier {
            let class = match over.outcome {
                // The call never reached the backend: its own breaker refused it here.
                Outcome::BreakerOpen if over.here => None,
                Outcome::Success | Outcome::RateLimited => Some(ReplyClass::Other),
                _ => Some(ReplyClass::Failure),
            };
            if let Some(class) = class {
                ejected = outlier.reply(index, class, now);
            }
        }
        if ejected {
            let ejections = ctx.model.extra(counter::EJECTIONS);
            ctx.count(ejections);
        }
        ctx.pass_on(job, over.outcome, over.here);
    }

    fn timer(ctx: &mut NodeCtx<'_, Self>, tag: u32) {
        if tag == OUTLIER_TICK {
            let now = ctx.now();
            if let Some(outlier) = &mut ctx.model.outlier {
                outlier.tick(now);
                let interval = outlier.interval();
                ctx.set_timer(interval, OUTLIER_TICK);
            }
            return;
        }
        let backend = tag / 2;
        match tag % 2 {
            SEND_PROBE => Self::send_probe(ctx, backend),
            _ => {
                let now = ctx.now();
                let timed_out = matches!(&ctx.model.mode, Mode::Active(active)
                    if active.outstanding[backend as usize]
                        .is_some_and(|(_, deadline)| deadline == now));
                if timed_out {
                    Self::probe_over(ctx, backend, false);
                }
            }
        }
    }

    fn probe_answered(ctx: &mut NodeCtx<'_, Self>, backend: u32, seq: u32, passed: bool) {
        let awaited = matches!(&ctx.model.mode, Mode::Active(active)
            if active.outstanding[backend as usize].is_some_and(|(s, _)| s == seq));
        if awaited {
            Self::probe_over(ctx, backend, passed);
        }
    }

    fn initial_timers(&self) -> Vec<(SimTime, u32)> {
        let mut timers = Vec::new();
        if let Mode::Active(_) = self.mode {
            timers.extend((0..self.backends()).map(|b| (0, b * 2 + SEND_PROBE)));
        }
        if let Some(outlier) = &self.outlier {
            timers.push((outlier.interval(), OUTLIER_TICK));
        }
        timers
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
        let extra = |which| estimate((figures.extra)(self.extra(which)) as f64);
        report.balancer_health = Some(BalancerHealthReport {
            probes: extra(counter::PROBES),
            probe_failures: extra(counter::PROBE_FAILURES),
            marked_down: extra(counter::MARKED_DOWN),
            ejections: extra(counter::EJECTIONS),
            panic_picks: extra(counter::PANIC_PICKS),
        });
    }

    fn push_series(&self, figures: &KindFigures<'_>, series: &mut NodeSeries) {
        let (mut healthy, mut ejected) = (0, 0);
        // Several edges to one node: the node's state is its worst edge's.
        let mut states: BTreeMap<&str, u8> = BTreeMap::new();
        for (index, (&backend, &to)) in figures.backends.iter().zip(figures.targets).enumerate() {
            let state = self.state_of(index as u32, backend);
            healthy += u32::from(state == state::IN);
            ejected += u32::from(state & state::EJECTED != 0);
            let entry = states.entry(to).or_insert(state);
            *entry |= state;
        }
        series.healthy_backends.push(healthy);
        series.ejected_backends.push(ejected);
        for (to, state) in states {
            series
                .backend_state
                .entry(to.to_string())
                .or_default()
                .push(state);
        }
    }
}
