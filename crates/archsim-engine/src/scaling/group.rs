//! An autoscaled group of instances: which instances exist and in what state, which one a
//! request goes to, what the autoscaler measures, and what its decisions do.
//!
//! Instances (each a worker station of the service node, so each has the service's workers and
//! wait queue) go through `off → starting → serving → draining → off`:
//! - a scale-up turns off instances on, lowest index first; each serves after the provisioning
//!   delay, and for its first `cold_start.duration_ms` its service times are `factor` times as
//!   long;
//! - a scale-down removes starting instances first, then the serving ones that started serving
//!   last (as a ReplicaSet picks pods to delete: not-ready before ready, then the youngest);
//!   a removed serving instance drains: it takes no new work, finishes what it holds, then is
//!   off;
//! - requests go round-robin to the instances that serve (and that discovery has told the
//!   group's callers about, see `discovery`).
//!
//! - an `instance_crash` fault takes serving instances down at once (the node fails what they
//!   hold); each counts as not ready until the fault ends, when the group's controller replaces
//!   it: it starts again and serves after the provisioning delay. With discovery, a crashed
//!   instance does not deregister: the registry lists it until its heartbeat times out.
//!
//! Evaluations happen every `evaluation_interval_ms` from the start. Each sees, for every
//! serving instance, its metric averaged over the window `(now − metric_window_ms, now]` (or
//! since it began serving, if later): the busy fraction of its workers, or the requests it
//! held. The window's start values are snapshots taken at `t_k − window` for each evaluation
//! time `t_k`, so the average is exact, not sampled.

use std::collections::VecDeque;

use archsim_model::report::ScaleEvent;
use archsim_model::scaling::{Autoscaling, Discovery, InstancePick, ScalingMetric};

use crate::core::Station;
use crate::rng::SimRng;
use crate::scaling::hpa::{Hpa, Observation};
use crate::scaling::registry::Registry;
use crate::time::{SimTime, from_ms, to_ms};

/// Where an instance is in its life.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Instance {
    Off,
    /// Decided on; serves from `ready_at`.
    Starting {
        ready_at: SimTime,
    },
    /// Serving since `since`.
    Serving {
        since: SimTime,
    },
    /// Removed: finishing what it holds, taking nothing new.
    Draining,
    /// Crashed by `instance_crash` fault number `fault`; replaced when the fault ends. It
    /// counts as an instance not ready (as a pod whose container died), as a starting one does.
    Crashed {
        fault: u32,
    },
}

/// What a decision or an instance's readiness changed, for the node to act on.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Changes {
    /// Instances that begin starting, with the time each will serve.
    pub starting: Vec<(u32, SimTime)>,
    /// A scale event, when the evaluation changed the group's size.
    pub event: Option<ScaleEvent>,
}

/// The integral levels the node reports for the group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Levels {
    /// Workers of instances that serve or drain.
    pub workers: u32,
    /// Instances serving.
    pub serving: u32,
    /// 1 while serving + starting instances are `max_instances`.
    pub at_max: u32,
    /// Instances the callers send requests to (with discovery, those they have read in the
    /// registry, gone ones included; else the serving ones).
    pub known: u32,
}

pub(crate) struct Group {
    hpa: Hpa,
    metric: ScalingMetric,
    workers: u32,
    max: u32,
    interval: SimTime,
    window: SimTime,
    provisioning: SimTime,
    cold_start: Option<(SimTime, f64)>,
    instances: Vec<Instance>,
    /// Each instance's `(busy_area, held_area)` when it began serving.
    serving_from: Vec<(u128, u128)>,
    /// Until when each instance is slow from its cold start (the initial ones are warm).
    cold_until: Vec<SimTime>,
    /// Window-start snapshots of every instance's areas, oldest first, for the evaluations to
    /// come, with their times.
    snapshots: VecDeque<(SimTime, Vec<(u128, u128)>)>,
    /// What the callers know of the instances, when they learn it through a registry.
    registry: Option<Registry>,
    /// Round-robin position over instance indices.
    cursor: u32,
    /// The first replication's decisions (every replication keeps its own; the report shows
    /// the first's).
    pub events: Vec<ScaleEvent>,
    /// Most instances serving at once, since the summary's and the batch's period began.
    pub peak_whole: u32,
    pub peak_batch: u32,
}

impl Group {
    pub fn new(p: &Autoscaling, workers: u32, discovery: Option<&Discovery>) -> Group {
        let max = p.max_instances.max(1);
        let initial = p.initial().clamp(1, max);
        let mut instances = vec![Instance::Off; max as usize];
        for instance in instances.iter_mut().take(initial as usize) {
            *instance = Instance::Serving { since: 0 };
        }
        Group {
            hpa: Hpa::new(p),
            metric: p.metric,
            workers: workers.max(1),
            max,
            interval: from_ms(p.evaluation_interval_ms).max(1),
            window: from_ms(p.metric_window_ms).max(1),
            provisioning: from_ms(p.provisioning_delay_ms),
            cold_start: p
                .cold_start
                .as_ref()
                .map(|c| (from_ms(c.duration_ms), c.factor)),
            instances,
            serving_from: vec![(0, 0); max as usize],
            cold_until: vec![0; max as usize],
            snapshots: VecDeque::new(),
            registry: discovery.map(|d| Registry::new(d, max as usize, initial as usize)),
            cursor: 0,
            events: Vec::new(),
            peak_whole: initial,
            peak_batch: initial,
        }
    }

    /// Instances (stations) the node needs: one per possible instance.
    pub fn capacity(&self) -> u32 {
        self.max
    }

    pub fn interval(&self) -> SimTime {
        self.interval
    }

    /// When the first window-start snapshot is due: the first evaluation `k · interval`
    /// whose window starts after the run's start, less the window. (Windows that reach back
    /// to the start need none: everything is zero there.)
    pub fn first_snapshot(&self) -> SimTime {
        let k = self.window.div_ceil(self.interval).max(1);
        k * self.interval - self.window
    }

    /// Takes the window-start snapshot due now (for the evaluation one window later); returns
    /// when the next one is due.
    pub fn snapshot(&mut self, now: SimTime, stations: &[Station]) -> SimTime {
        let areas = stations.iter().map(|s| s.areas_at(now)).collect();
        self.snapshots.push_back((now, areas));
        now + self.interval
    }

    /// Is the instance taking new requests (before discovery: does it serve)?
    pub fn serves(&self, index: u32) -> bool {
        matches!(self.instances[index as usize], Instance::Serving { .. })
    }

    /// Whether callers send requests to the instance: it serves (and, with discovery, they
    /// have heard of it).
    fn routable(&self, index: u32) -> bool {
        match &self.registry {
            Some(registry) => registry.knows(index as usize),
            None => self.serves(index),
        }
    }

    /// How often the callers re-read the registry (None without discovery).
    pub fn refresh_interval(&self) -> Option<SimTime> {
        self.registry.as_ref().map(Registry::refresh_interval)
    }

    /// The callers re-read the registry.
    pub fn refresh(&mut self, now: SimTime) {
        if let Some(registry) = &mut self.registry {
            registry.refresh(now);
        }
    }

    /// The next instance, round-robin, among the routable ones; None when there is none.
    pub fn pick(&mut self) -> Option<u32> {
        let n = self.max;
        for step in 0..n {
            let i = (self.cursor + step) % n;
            if self.routable(i) {
                self.cursor = (i + 1) % n;
                return Some(i);
            }
        }
        None
    }

    /// The service-time factor of a request starting now at `index` (cold start).
    pub fn slowdown(&self, index: u32, now: SimTime) -> f64 {
        match self.cold_start {
            Some((_, factor)) if now < self.cold_until[index as usize] => factor,
            _ => 1.0,
        }
    }

    /// What the autoscaler sees now.
    pub fn observe(&self, now: SimTime, stations: &[Station]) -> Observation {
        let window_start = now.saturating_sub(self.window);
        let mut obs = Observation::default();
        for (i, state) in self.instances.iter().enumerate() {
            match *state {
                Instance::Starting { .. } | Instance::Crashed { .. } => {
                    obs.current += 1;
                    obs.unready += 1;
                }
                Instance::Serving { since } => {
                    obs.current += 1;
                    // Served the whole window: from the window-start snapshot; else from the
                    // moment it began serving.
                    let (from, base) = if since >= window_start {
                        (since, self.serving_from[i])
                    } else {
                        let snapshot = self
                            .snapshots
                            .iter()
                            .rev()
                            .find(|(at, _)| *at <= window_start)
                            .map(|(at, areas)| (*at, areas[i]));
                        snapshot.unwrap_or((since, self.serving_from[i]))
                    };
                    let span = now.saturating_sub(from);
                    if span == 0 {
                        obs.missing += 1;
                        continue;
                    }
                    let (busy, held) = stations[i].areas_at(now);
                    let value = match self.metric {
                        ScalingMetric::Utilisation => {
                            (busy - base.0) as f64 / (self.workers as f64 * span as f64)
                        }
                        ScalingMetric::InFlight => (held - base.1) as f64 / span as f64,
                    };
                    obs.ready += 1;
                    obs.metric_sum += value;
                }
                Instance::Off | Instance::Draining => {}
            }
        }
        obs
    }

    /// One evaluation: the HPA's decision, applied. Instances to start are returned for the
    /// node to set their readiness timers.
    pub fn evaluate(&mut self, now: SimTime, stations: &[Station]) -> Changes {
        let obs = self.observe(now, stations);
        // Snapshots before the next evaluation's window are no longer needed.
        let next_window_start = (now + self.interval).saturating_sub(self.window);
        while self
            .snapshots
            .front()
            .is_some_and(|(at, _)| *at < next_window_start)
        {
            self.snapshots.pop_front();
        }
        let desired = self.hpa.evaluate(now, &obs).min(self.max);
        let mut changes = Changes::default();
        if desired == obs.current {
            return changes;
        }
        changes.event = Some(ScaleEvent {
            t_ms: to_ms(now),
            from: obs.current,
            to: desired,
            metric: obs.mean_metric(),
        });
        if desired > obs.current {
            let mut to_add = desired - obs.current;
            for (i, state) in self.instances.iter_mut().enumerate() {
                if to_add == 0 {
                    break;
                }
                if *state == Instance::Off {
                    let ready_at = now.saturating_add(self.provisioning);
                    *state = Instance::Starting { ready_at };
                    changes.starting.push((i as u32, ready_at));
                    to_add -= 1;
                }
            }
        } else {
            let mut to_remove = obs.current - desired;
            // Crashed ones first (not ready, and nothing to drain).
            for state in self.instances.iter_mut() {
                if to_remove > 0 && matches!(state, Instance::Crashed { .. }) {
                    *state = Instance::Off;
                    to_remove -= 1;
                }
            }
            // Then starting ones, the latest decided first.
            while to_remove > 0 {
                let latest_starting = self
                    .instances
                    .iter()
                    .enumerate()
                    .filter_map(|(i, s)| match s {
                        Instance::Starting { ready_at } => Some((*ready_at, i)),
                        _ => None,
                    })
                    .max();
                let Some((_, i)) = latest_starting else { break };
                self.instances[i] = Instance::Off;
                to_remove -= 1;
            }
            while to_remove > 0 {
                let youngest = self
                    .instances
                    .iter()
                    .enumerate()
                    .filter_map(|(i, s)| match s {
                        Instance::Serving { since } => Some((*since, i)),
                        _ => None,
                    })
                    .max();
                let Some((_, i)) = youngest else { break };
                self.instances[i] = Instance::Draining;
                if let Some(registry) = &mut self.registry {
                    registry.stopped(i, now);
                }
                to_remove -= 1;
            }
            self.finish_draining(stations);
        }
        if let Some(event) = changes.event {
            self.events.push(event);
        }
        changes
    }

    /// An instance's readiness timer: it serves from now if it is still wanted.
    pub fn ready(&mut self, index: u32, now: SimTime, stations: &[Station]) -> bool {
        let i = index as usize;
        if self.instances[i] != (Instance::Starting { ready_at: now }) {
            return false; // removed before it was ready (or started again later)
        }
        self.instances[i] = Instance::Serving { since: now };
        if let Some(registry) = &mut self.registry {
            registry.serving(i, now);
        }
        self.serving_from[i] = stations[i].areas_at(now);
        if let Some((duration, _)) = self.cold_start {
            self.cold_until[i] = now.saturating_add(duration);
        }
        let serving = self.levels().serving;
        self.peak_whole = self.peak_whole.max(serving);
        self.peak_batch = self.peak_batch.max(serving);
        true
    }

    /// Draining instances that hold nothing any more are off.
    pub fn finish_draining(&mut self, stations: &[Station]) {
        for (state, station) in self.instances.iter_mut().zip(stations) {
            if *state == Instance::Draining && station.busy == 0 && station.waiting == 0 {
                *state = Instance::Off;
            }
        }
    }

    pub fn levels(&self) -> Levels {
        let mut levels = Levels::default();
        let mut wanted = 0;
        for state in &self.instances {
            match state {
                Instance::Serving { .. } => {
                    levels.serving += 1;
                    levels.workers += self.workers;
                    wanted += 1;
                }
                Instance::Draining => levels.workers += self.workers,
                Instance::Starting { .. } | Instance::Crashed { .. } => wanted += 1,
                Instance::Off => {}
            }
        }
        levels.at_max = u32::from(wanted >= self.max);
        levels.known = (0..self.max).filter(|&i| self.routable(i)).count() as u32;
        levels
    }

    /// `instance_crash` fault `fault` takes down `count` serving instances, picked by `pick`
    /// (`rng`: the service's instance-crash stream); returns them (their stations), for the node
    /// to fail what they hold.
    pub fn crash(
        &mut self,
        fault: u32,
        count: u32,
        pick: &InstancePick,
        rng: &mut SimRng,
        now: SimTime,
    ) -> Vec<u32> {
        let mut serving: Vec<u32> = (0..self.max).filter(|&i| self.serves(i)).collect();
        let count = (count as usize).min(serving.len());
        let chosen: Vec<u32> = match pick {
            InstancePick::Index { index } => serving
                .into_iter()
                .filter(|&i| i >= *index)
                .take(count)
                .collect(),
            InstancePick::Random => {
                // A partial Fisher–Yates shuffle: every set of `count` equally likely.
                for k in 0..count {
                    let j = k + rng.below((serving.len() - k) as u64) as usize;
                    serving.swap(k, j);
                }
                serving.truncate(count);
                serving.sort_unstable();
                serving
            }
        };
        for &i in &chosen {
            self.instances[i as usize] = Instance::Crashed { fault };
            if let Some(registry) = &mut self.registry {
                registry.crashed(i as usize, now);
            }
        }
        chosen
    }

    /// `instance_crash` fault `fault` ends: its instances still down are replaced, each
    /// serving a provisioning delay from now (returned with the time, for readiness timers).
    pub fn replace_crashed(&mut self, fault: u32, now: SimTime) -> Vec<(u32, SimTime)> {
        let ready_at = now.saturating_add(self.provisioning);
        let mut starting = Vec::new();
        for (i, state) in self.instances.iter_mut().enumerate() {
            if *state == (Instance::Crashed { fault }) {
                *state = Instance::Starting { ready_at };
                starting.push((i as u32, ready_at));
            }
        }
        starting
    }

    /// A measurement period starts: the peaks start from now's size.
    pub fn new_period(&mut self, whole: bool) {
        let serving = self.levels().serving;
        if whole {
            self.peak_whole = serving;
        }
        self.peak_batch = serving;
    }
}
