//! The Kubernetes Horizontal Pod Autoscaler's decision (`autoscaling/v2`, with `behavior`), as
//! the controller computes it on every sync:
//!
//! 1. **Replica calculator** (`replica_calculator.go`): the usage ratio is the mean metric of
//!    the ready instances over the target. Within the tolerance (|ratio − 1| ≤ 0.1) nothing
//!    changes; else `desired = ceil(ratio × ready)`. Instances not yet ready (still
//!    provisioning) are set aside, and when the group would grow they are counted as using 0,
//!    which damps a scale-up while earlier ones are still starting; ready instances with no
//!    measurement yet count as using the target on the way down and 0 on the way up. A
//!    recomputed ratio that crosses 1, or falls within the tolerance, changes nothing.
//! 2. **Stabilisation** (`stabilizeRecommendationWithBehaviors`): every recommendation is
//!    kept with its time; the result is the current size brought up to the lowest
//!    recommendation of the scale-up window and down to the highest of the scale-down window
//!    (windows `(now − w, now]`). With HPA's defaults (0 s up, 300 s down) a group grows at
//!    once and shrinks only to the largest size recommended in the last five minutes.
//! 3. **Rate policies** (`convertDesiredReplicasWithBehaviorRate`): the instances at the start
//!    of each policy's period (now minus the changes made within it) plus `value` instances,
//!    or times `1 + value %` (rounded up; down: times `1 − value %`, rounded down); the
//!    largest change among the policies (`select_policy: max`) or the smallest (`min`) bounds
//!    the step, and `min_instances..=max_instances` bounds the result.
//!
//! A group outside `min..=max` is brought inside without looking at the metric, as the
//! controller does. Everything runs on simulated time; nothing is random.

use archsim_model::scaling::{Autoscaling, PolicyKind, ScalingRules, SelectPolicy};

use crate::time::{SimTime, from_ms};

/// What one evaluation sees of the group: the replica calculator's input.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Observation {
    /// Instances serving or starting (HPA `currentReplicas`); draining ones are not counted.
    pub current: u32,
    /// Ready instances with a measurement, and the sum of their metrics.
    pub ready: u32,
    pub metric_sum: f64,
    /// Ready instances without a measurement yet (ready this very instant).
    pub missing: u32,
    /// Instances still provisioning (not ready).
    pub unready: u32,
}

impl Observation {
    /// The mean metric of the ready instances (what a person compares with the target).
    pub fn mean_metric(&self) -> f64 {
        if self.ready == 0 {
            0.0
        } else {
            self.metric_sum / self.ready as f64
        }
    }
}

/// HPA's replica calculator: the instances the metric asks for, before stabilisation and rate
/// limits (see the module note). `None` when no ready instance has a measurement (the
/// controller then makes no decision).
pub(crate) fn calculate_replicas(obs: &Observation, target: f64, tolerance: f64) -> Option<u32> {
    if obs.ready == 0 {
        return None;
    }
    let current = obs.current;
    let usage_ratio = obs.metric_sum / obs.ready as f64 / target;
    let scale_up_with_unready = obs.unready > 0 && usage_ratio > 1.0;
    if !scale_up_with_unready && obs.missing == 0 {
        if (1.0 - usage_ratio).abs() <= tolerance {
            return Some(current);
        }
        return Some(ceil_u32(usage_ratio * obs.ready as f64));
    }
    // Fill the gaps conservatively and recompute.
    let mut sum = obs.metric_sum;
    let mut counted = obs.ready;
    if obs.missing > 0 {
        if usage_ratio < 1.0 {
            sum += obs.missing as f64 * target;
        }
        counted += obs.missing;
    }
    if scale_up_with_unready {
        counted += obs.unready;
    }
    let new_ratio = sum / counted as f64 / target;
    if (1.0 - new_ratio).abs() <= tolerance
        || (usage_ratio < 1.0 && new_ratio > 1.0)
        || (usage_ratio > 1.0 && new_ratio < 1.0)
    {
        return Some(current);
    }
    let replicas = ceil_u32(new_ratio * counted as f64);
    if (new_ratio < 1.0 && replicas > current) || (new_ratio > 1.0 && replicas < current) {
        return Some(current);
    }
    Some(replicas)
}

/// HPA's replica calculator for an external metric with an average-value target per replica
/// (`GetExternalPerPodMetricReplicas`: what KEDA's scalers feed it): the usage ratio is the
/// metric over `target × current`; within the tolerance nothing changes, else
/// `desired = ceil(metric / target)`. Every replica counts, ready or not (the controller uses
/// the scale's status replicas), and nothing is filled in for missing ones: the metric is one
/// number for the whole group. `current` is at least 1 (an HPA does nothing at 0 replicas).
pub(crate) fn external_average_replicas(
    metric: f64,
    current: u32,
    target: f64,
    tolerance: f64,
) -> u32 {
    let usage_ratio = metric / (target * current.max(1) as f64);
    if (1.0 - usage_ratio).abs() > tolerance {
        ceil_u32(metric / target)
    } else {
        current
    }
}

/// Whether time `at` lies within the `window` that ends now: `(now − window, now]`.
fn within(at: SimTime, window: SimTime, now: SimTime) -> bool {
    at <= now && at.saturating_add(window) > now
}

fn ceil_u32(x: f64) -> u32 {
    let c = x.ceil();
    if c >= u32::MAX as f64 {
        u32::MAX
    } else if c <= 0.0 {
        0
    } else {
        c as u32
    }
}

/// One direction's rules in simulated time.
#[derive(Debug, Clone)]
struct Rules {
    window: SimTime,
    select: SelectPolicy,
    policies: Vec<(PolicyKind, u32, SimTime)>,
}

impl Rules {
    fn new(r: &ScalingRules) -> Rules {
        Rules {
            window: from_ms(r.stabilization_window_ms),
            select: r.select_policy,
            policies: r
                .policies
                .iter()
                .map(|p| (p.kind, p.value, from_ms(p.period_ms)))
                .collect(),
        }
    }

    fn longest_period(&self) -> SimTime {
        self.policies.iter().map(|p| p.2).max().unwrap_or(0)
    }
}

/// The autoscaler of one group: its rules and what it remembers between evaluations (its
/// recommendations, and the changes it made, with their times).
#[derive(Debug, Clone)]
pub(crate) struct Hpa {
    min: u32,
    max: u32,
    target: f64,
    tolerance: f64,
    up: Rules,
    down: Rules,
    recommendations: Vec<(SimTime, u32)>,
    /// `(time, instances added)` and `(time, instances removed)`.
    up_events: Vec<(SimTime, u32)>,
    down_events: Vec<(SimTime, u32)>,
}

impl Hpa {
    pub fn new(p: &Autoscaling) -> Hpa {
        Hpa {
            target: p.target,
            ..Hpa::with_rules(
                p.min_instances,
                p.max_instances,
                p.tolerance,
                &p.scale_up,
                &p.scale_down,
            )
        }
    }

    /// An HPA whose metric is computed elsewhere (an external metric, through
    /// [`Hpa::evaluate_proposal`]): its bounds, tolerance and `behavior`.
    pub fn with_rules(
        min: u32,
        max: u32,
        tolerance: f64,
        scale_up: &ScalingRules,
        scale_down: &ScalingRules,
    ) -> Hpa {
        Hpa {
            min,
            max,
            target: 1.0,
            tolerance,
            up: Rules::new(scale_up),
            down: Rules::new(scale_down),
            recommendations: Vec::new(),
            up_events: Vec::new(),
            down_events: Vec::new(),
        }
    }

    pub fn tolerance(&self) -> f64 {
        self.tolerance
    }

    /// One evaluation at `now`: the instances the group should have.
    pub fn evaluate(&mut self, now: SimTime, obs: &Observation) -> u32 {
        let (target, tolerance) = (self.target, self.tolerance);
        self.evaluate_proposal(now, obs.current, || {
            calculate_replicas(obs, target, tolerance)
        })
    }

    /// One evaluation at `now` of a group of `current` replicas whose metric asks for
    /// `proposed` (None: no decision): bounds, stabilisation and rate policies applied, as the
    /// controller does after any replica calculator.
    pub fn evaluate_proposal(
        &mut self,
        now: SimTime,
        current: u32,
        proposed: impl FnOnce() -> Option<u32>,
    ) -> u32 {
        let desired = if current > self.max {
            self.max
        } else if current < self.min {
            self.min
        } else {
            let Some(proposed) = proposed() else {
                return current;
            };
            let stabilized = self.stabilize(now, current, proposed);
            self.limit_rate(now, current, stabilized)
        };
        if desired > current {
            self.up_events.push((now, desired - current));
        } else if desired < current {
            self.down_events.push((now, current - desired));
        }
        self.forget(now);
        desired
    }

    fn stabilize(&mut self, now: SimTime, current: u32, desired: u32) -> u32 {
        let mut up = desired;
        let mut down = desired;
        for &(at, recommendation) in &self.recommendations {
            // Within `(now − window, now]`: one exactly a window old has left it.
            if within(at, self.up.window, now) {
                up = up.min(recommendation);
            }
            if within(at, self.down.window, now) {
                down = down.max(recommendation);
            }
        }
        self.recommendations.push((now, desired));
        current.max(up).min(down)
    }

    fn limit_rate(&self, now: SimTime, current: u32, desired: u32) -> u32 {
        if desired > current {
            let limit = self.scale_up_limit(now, current).max(current);
            desired.min(limit.min(self.max))
        } else if desired < current {
            let limit = self.scale_down_limit(now, current).min(current);
            desired.max(limit.max(self.min))
        } else {
            desired
        }
    }

    /// Instances at the start of a period of length `period`: now's, less what was added
    /// within it, plus what was removed.
    fn period_start(&self, now: SimTime, current: u32, period: SimTime) -> i64 {
        let changed = |events: &[(SimTime, u32)]| -> i64 {
            events
                .iter()
                .filter(|(at, _)| within(*at, period, now))
                .map(|(_, n)| *n as i64)
                .sum()
        };
        current as i64 - changed(&self.up_events) + changed(&self.down_events)
    }

    fn scale_up_limit(&self, now: SimTime, current: u32) -> u32 {
        let rules = &self.up;
        if rules.select == SelectPolicy::Disabled {
            return current;
        }
        if rules.policies.is_empty() {
            return self.max;
        }
        let proposals = rules.policies.iter().map(|&(kind, value, period)| {
            let start = self.period_start(now, current, period);
            match kind {
                PolicyKind::Instances => start + value as i64,
                PolicyKind::Percent => (start as f64 * (1.0 + value as f64 / 100.0)).ceil() as i64,
            }
        });
        let limit = match rules.select {
            SelectPolicy::Min => proposals.min(),
            _ => proposals.max(),
        };
        limit.unwrap_or(current as i64).clamp(0, u32::MAX as i64) as u32
    }

    fn scale_down_limit(&self, now: SimTime, current: u32) -> u32 {
        let rules = &self.down;
        if rules.select == SelectPolicy::Disabled {
            return current;
        }
        if rules.policies.is_empty() {
            return self.min;
        }
        let proposals = rules.policies.iter().map(|&(kind, value, period)| {
            let start = self.period_start(now, current, period);
            match kind {
                PolicyKind::Instances => start - value as i64,
                // Truncated, as the controller's int32 conversion does.
                PolicyKind::Percent => (start as f64 * (1.0 - value as f64 / 100.0)) as i64,
            }
        });
        // Down, "max" (the largest change) is the lowest floor.
        let limit = match rules.select {
            SelectPolicy::Min => proposals.max(),
            _ => proposals.min(),
        };
        limit.unwrap_or(current as i64).clamp(0, u32::MAX as i64) as u32
    }

    /// Drops what no window or period can look at any more (memory stays bounded).
    fn forget(&mut self, now: SimTime) {
        let keep_recommendations = self.up.window.max(self.down.window);
        self.recommendations
            .retain(|(at, _)| within(*at, keep_recommendations, now));
        let keep_events = self.up.longest_period().max(self.down.longest_period());
        self.up_events
            .retain(|(at, _)| within(*at, keep_events, now));
        self.down_events
            .retain(|(at, _)| within(*at, keep_events, now));
    }
}

#[cfg(test)]
#[path = "hpa_tests.rs"]
mod tests;
