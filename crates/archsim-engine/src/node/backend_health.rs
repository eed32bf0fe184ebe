//! Backend health for any node that spreads calls over several backends (its outgoing edges):
//! the load balancer and the API gateway hold one [`BackendHealth`] each and hand it their
//! probe answers, timers and call outcomes. One component, so that both kinds find backends
//! down, eject them and panic exactly alike (Envoy's semantics, in `policy::health`):
//! - `health_check`: `none` (every backend is in), `instant` (an oracle: a crashed backend is
//!   out at once, version 1's `health_checks: true`) or `active` (Envoy's probes: a backend is
//!   out from its `unhealthy_threshold`th failed probe in a row until its `healthy_threshold`th
//!   passed one). Under `instant` and `active` a backend whose edge breaker is open is out too;
//!   a half-open breaker counts as in (the trial calls have to come from somewhere).
//! - `outlier_detection`: Envoy's consecutive-5xx ejection from the replies of real requests.
//! - Panic mode ([`in_panic`]): the node asks it of each pool of backends it picks from.
//!
//! Probes: the first goes to every backend at time 0; each next one `interval_ms` after the
//! previous one's answer or timeout, as Envoy's interval timer is re-armed on completion. A
//! probe not answered `timeout_ms` after it was sent fails, and its late answer is ignored.
//!
//! The component owns the timer tags below and `COUNT` kind counters from the `first_counter`
//! its node gives it.

use archsim_model::health::{HealthCheck, HealthSettings};
use archsim_model::report::{BalancerHealthReport, NodeSeries};

use crate::core::CallOver;
use crate::metrics::{Outcome, estimate};
use crate::policy::breaker::BreakerState;
use crate::policy::health::active::{HostCheck, Thresholds};
use crate::policy::health::outlier::{OutlierConfig, OutlierDetector, ReplyClass};
use crate::time::{SimTime, from_ms};

use std::collections::BTreeMap;

use super::{Backend, Behaviour, KindFigures, NodeCtx};

pub(crate) use crate::policy::health::in_panic;

/// Timer tags: `backend × 2 + SEND_PROBE` or `+ PROBE_TIMEOUT`, and the outlier detector's tick.
/// A node holding the component sets no timers of its own below `OUTLIER_TICK`.
const SEND_PROBE: u32 = 0;
const PROBE_TIMEOUT: u32 = 1;
const OUTLIER_TICK: u32 = u32::MAX;

/// The component's counters, after its node's `first_counter`.
pub(crate) mod counter {
    pub const PROBES: u32 = 0;
    pub const PROBE_FAILURES: u32 = 1;
    pub const MARKED_DOWN: u32 = 2;
    pub const EJECTIONS: u32 = 3;
    pub const PANIC_PICKS: u32 = 4;
    pub const COUNT: u32 = 5;
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

/// The health of one node's backends (its outgoing edges, by index).
pub(crate) struct BackendHealth {
    mode: Mode,
    outlier: Option<OutlierDetector>,
    panic_threshold: f64,
    /// Where the component's counters start among its node's kind counters.
    first_counter: u32,
}

/// A node kind that holds a [`BackendHealth`].
pub(crate) trait WatchesBackends: Behaviour {
    fn health(&self) -> &BackendHealth;
    fn health_mut(&mut self) -> &mut BackendHealth;
}

impl BackendHealth {
    pub fn new(settings: &HealthSettings, backends: u32, first_counter: u32) -> BackendHealth {
        let mode = match &settings.health_check {
            HealthCheck::None => Mode::None,
            HealthCheck::Instant => Mode::Instant,
            HealthCheck::Active(a) => Mode::Active(Active {
                interval: from_ms(a.interval_ms).max(1),
                timeout: from_ms(a.timeout_ms).max(1),
                thresholds: Thresholds {
                    unhealthy: a.unhealthy_threshold.max(1),
                    healthy: a.healthy_threshold.max(1),
                },
                hosts: vec![HostCheck::new(a.start_healthy); backends as usize],
                outstanding: vec![None; backends as usize],
                next_seq: 0,
            }),
        };
        let outlier = settings.outlier_detection.as_ref().map(|o| {
            OutlierDetector::new(
                OutlierConfig {
                    consecutive_errors: o.consecutive_errors.max(1),
                    interval: from_ms(o.interval_ms).max(1),
                    base_ejection: from_ms(o.base_ejection_ms),
                    max_ejection: from_ms(o.max_ejection_ms.max(o.base_ejection_ms)),
                    max_ejection_percent: o.max_ejection_percent,
                    always_eject_one: o.always_eject_one,
                },
                backends,
            )
        });
        BackendHealth {
            mode,
            outlier,
            panic_threshold: settings.panic_threshold_percent,
            first_counter,
        }
    }

    /// Whether any mechanism watches the backends; if not, every backend is always in, and the
    /// node reports no health figures.
    pub fn watches(&self) -> bool {
        !matches!(self.mode, Mode::None) || self.outlier.is_some()
    }

    /// Backend `index`'s state: in, or out and why, given what a health check would see of it
    /// (`backend`: crashed, breaker).
    pub fn state_of(&self, index: u32, backend: Backend) -> u8 {
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

    /// Whether a pool of `total` backends with `healthy` in is in panic (use them all).
    pub fn in_panic(&self, healthy: u32, total: u32) -> bool {
        in_panic(healthy, total, self.panic_threshold)
    }

    fn counter(&self, which: u32) -> u32 {
        self.first_counter + which
    }

    /// Timers the component needs from the start.
    pub fn initial_timers(&self, backends: u32) -> Vec<(SimTime, u32)> {
        let mut timers = Vec::new();
        if let Mode::Active(_) = self.mode {
            timers.extend((0..backends).map(|b| (0, b * 2 + SEND_PROBE)));
        }
        if let Some(outlier) = &self.outlier {
            timers.push((outlier.interval(), OUTLIER_TICK));
        }
        timers
    }

    /// The node picked a backend in panic mode: counted.
    pub fn panic_pick<K: WatchesBackends>(ctx: &mut NodeCtx<'_, K>) {
        let picks = ctx.model.health().counter(counter::PANIC_PICKS);
        ctx.count(picks);
    }

    /// A call the node made to backend `index` is over: outlier detection learns of its reply.
    pub fn call_over<K: WatchesBackends>(ctx: &mut NodeCtx<'_, K>, index: u32, over: &CallOver) {
        let now = ctx.now();
        let health = ctx.model.health_mut();
        let ejections = health.counter(counter::EJECTIONS);
        let Some(outlier) = &mut health.outlier else {
            return;
        };
        let class = match over.outcome {
            // The call never reached the backend: its own breaker refused it here.
            Outcome::BreakerOpen if over.here => None,
            Outcome::Success | Outcome::RateLimited => Some(ReplyClass::Other),
            _ => Some(ReplyClass::Failure),
        };
        let ejected = class.is_some_and(|class| outlier.reply(index, class, now));
        if ejected {
            ctx.count(ejections);
        }
    }

    /// One of the component's timers is due (`tag`, as it set it).
    pub fn timer<K: WatchesBackends>(ctx: &mut NodeCtx<'_, K>, tag: u32) {
        if tag == OUTLIER_TICK {
            let now = ctx.now();
            if let Some(outlier) = &mut ctx.model.health_mut().outlier {
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
                let timed_out = matches!(&ctx.model.health().mode, Mode::Active(active)
                    if active.outstanding[backend as usize]
                        .is_some_and(|(_, deadline)| deadline == now));
                if timed_out {
                    Self::probe_over(ctx, backend, false);
                }
            }
        }
    }

    /// The answer to probe `seq` to `backend` is back.
    pub fn probe_answered<K: WatchesBackends>(
        ctx: &mut NodeCtx<'_, K>,
        backend: u32,
        seq: u32,
        passed: bool,
    ) {
        let awaited = matches!(&ctx.model.health().mode, Mode::Active(active)
            if active.outstanding[backend as usize].is_some_and(|(s, _)| s == seq));
        if awaited {
            Self::probe_over(ctx, backend, passed);
        }
    }

    fn send_probe<K: WatchesBackends>(ctx: &mut NodeCtx<'_, K>, backend: u32) {
        let now = ctx.now();
        let health = ctx.model.health_mut();
        let probes = health.counter(counter::PROBES);
        let Mode::Active(active) = &mut health.mode else {
            return;
        };
        let seq = active.next_seq;
        active.next_seq = active.next_seq.wrapping_add(1);
        let deadline = now.saturating_add(active.timeout);
        active.outstanding[backend as usize] = Some((seq, deadline));
        let timeout = active.timeout;
        ctx.count(probes);
        ctx.send_probe(backend, seq);
        ctx.set_timer(timeout, backend * 2 + PROBE_TIMEOUT);
    }

    /// The probe to `backend` is over (`passed` or not): count it, and probe again after the
    /// interval.
    fn probe_over<K: WatchesBackends>(ctx: &mut NodeCtx<'_, K>, backend: u32, passed: bool) {
        let health = ctx.model.health_mut();
        let (failures, down) = (
            health.counter(counter::PROBE_FAILURES),
            health.counter(counter::MARKED_DOWN),
        );
        let Mode::Active(active) = &mut health.mode else {
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
            ctx.count(failures);
        }
        if marked_down {
            ctx.count(down);
        }
        ctx.set_timer(interval, backend * 2 + SEND_PROBE);
    }

    /// The report's health figures for a period.
    pub fn report(&self, figures: &KindFigures<'_>) -> BalancerHealthReport {
        let extra = |which| estimate((figures.extra)(self.counter(which)) as f64);
        BalancerHealthReport {
            probes: extra(counter::PROBES),
            probe_failures: extra(counter::PROBE_FAILURES),
            marked_down: extra(counter::MARKED_DOWN),
            ejections: extra(counter::EJECTIONS),
            panic_picks: extra(counter::PANIC_PICKS),
        }
    }

    /// One bucket of the health series: backends in, ejected, and each backend node's state.
    pub fn push_series(&self, figures: &KindFigures<'_>, series: &mut NodeSeries) {
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
