//! **Outlier detection**, Envoy's consecutive-5xx detector (`Outlier::DetectorImpl` with
//! `DetectorHostMonitorImpl`), for the hosts of one balancer.
//!
//! Semantics, as in Envoy's source:
//! - Each reply from a host is a 5xx-class failure (adds one to the host's run), or anything else
//!   (resets the run to 0). A host's run reaching `consecutive_errors` exactly is a detection;
//!   a host that is not ejected then is ejected if the limit allows, and its run is reset
//!   either way. (A host already ejected is left alone and its run not reset.)
//! - The limit: the ejection is allowed when `100 × (ejected + 1) / hosts ≤
//!   max_ejection_percent`, or, with `always_eject_one`, when no host is ejected.
//! - An ejection raises the host's multiplier by one while `multiplier × base <
//!   max + base`, and the host stays out for `min(base × multiplier, max)`.
//! - Hosts come back only on the detector's interval timer (every `interval` from the start):
//!   at a tick, an ejected host whose time is up is brought back, with its run reset. At the same
//!   tick, a host that is not ejected and was brought back at least `interval` ago has its
//!   multiplier lowered by one (down to 0), so a host that stays healthy is forgiven.
//!
//! Envoy adds an optional random jitter to each ejection (`max_ejection_time_jitter`, default
//! 0); there is none here, which is Envoy's default.

use crate::time::SimTime;

/// The detector's parameters, in engine time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OutlierConfig {
    pub consecutive_errors: u32,
    pub interval: SimTime,
    pub base_ejection: SimTime,
    pub max_ejection: SimTime,
    pub max_ejection_percent: f64,
    pub always_eject_one: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Host {
    run: u32,
    ejected: bool,
    multiplier: u64,
    ejected_at: SimTime,
    unejected_at: Option<SimTime>,
}

/// The detector for one balancer's hosts.
#[derive(Debug, Clone)]
pub struct OutlierDetector {
    config: OutlierConfig,
    hosts: Vec<Host>,
    ejected: u32,
    /// Ejections so far (all hosts), for the report.
    ejections: u64,
}

/// How a reply counts for outlier detection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyClass {
    /// A 5xx, a timeout or a refused connection: adds to the run.
    Failure,
    /// Anything else that came from the host: resets the run.
    Other,
}

impl OutlierDetector {
    pub fn new(config: OutlierConfig, hosts: u32) -> OutlierDetector {
        OutlierDetector {
            config,
            hosts: vec![Host::default(); hosts as usize],
            ejected: 0,
            ejections: 0,
        }
    }

    pub fn interval(&self) -> SimTime {
        self.config.interval
    }

    pub fn is_ejected(&self, host: u32) -> bool {
        self.hosts[host as usize].ejected
    }

    /// Hosts ejected now.
    pub fn ejected_count(&self) -> u32 {
        self.ejected
    }

    /// Ejections since the start.
    pub fn ejections(&self) -> u64 {
        self.ejections
    }

    /// A reply from `host` at `now`; true if it ejected the host.
    pub fn reply(&mut self, host: u32, class: ReplyClass, now: SimTime) -> bool {
        let h = &mut self.hosts[host as usize];
        match class {
            ReplyClass::Other => {
                h.run = 0;
                false
            }
            ReplyClass::Failure => {
                h.run = h.run.saturating_add(1);
                if h.run != self.config.consecutive_errors || h.ejected {
                    return false;
                }
                let ejected = self.try_eject(host, now);
                self.hosts[host as usize].run = 0;
                ejected
            }
        }
    }

    fn try_eject(&mut self, host: u32, now: SimTime) -> bool {
        let total = self.hosts.len() as f64;
        let percent = 100.0 * f64::from(self.ejected + 1) / total;
        let allowed = percent <= self.config.max_ejection_percent
            || (self.config.always_eject_one && self.ejected == 0);
        if !allowed {
            return false;
        }
        let (base, max) = (self.config.base_ejection, self.config.max_ejection);
        let h = &mut self.hosts[host as usize];
        h.ejected = true;
        h.ejected_at = now;
        if u128::from(h.multiplier) * u128::from(base) < u128::from(max) + u128::from(base) {
            h.multiplier += 1;
        }
        self.ejected += 1;
        self.ejections += 1;
        true
    }

    /// How long `host`'s current (or last) ejection lasts.
    pub fn ejection_time(&self, host: u32) -> SimTime {
        let h = &self.hosts[host as usize];
        let scaled = u128::from(self.config.base_ejection) * u128::from(h.multiplier);
        scaled.min(u128::from(self.config.max_ejection)) as SimTime
    }

    /// The interval timer fired at `now`: brings back hosts whose time is up, forgives hosts
    /// that stayed in. Returns how many came back.
    pub fn tick(&mut self, now: SimTime) -> u32 {
        let mut back = 0;
        for host in 0..self.hosts.len() as u32 {
            let time = self.ejection_time(host);
            let h = &mut self.hosts[host as usize];
            if h.ejected && time <= now.saturating_sub(h.ejected_at) {
                h.ejected = false;
                h.run = 0;
                h.unejected_at = Some(now);
                self.ejected -= 1;
                back += 1;
            }
        }
        let interval = self.config.interval;
        for h in &mut self.hosts {
            if !h.ejected
                && h.unejected_at
                    .is_some_and(|at| now.saturating_sub(at) >= interval)
                && h.multiplier > 0
            {
                h.multiplier -= 1;
            }
        }
        back
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::from_ms;

    fn config(percent: f64, always_one: bool) -> OutlierConfig {
        OutlierConfig {
            consecutive_errors: 5,
            interval: from_ms(10_000.0),
            base_ejection: from_ms(30_000.0),
            max_ejection: from_ms(300_000.0),
            max_ejection_percent: percent,
            always_eject_one: always_one,
        }
    }

    fn fail(d: &mut OutlierDetector, host: u32, times: u32, now: SimTime) -> bool {
        let mut ejected = false;
        for _ in 0..times {
            ejected |= d.reply(host, ReplyClass::Failure, now);
        }
        ejected
    }

    #[test]
    fn the_fifth_failure_in_a_row_ejects_and_a_success_in_between_resets_the_run() {
        let mut d = OutlierDetector::new(config(100.0, false), 4);
        assert!(!fail(&mut d, 0, 4, 0));
        d.reply(0, ReplyClass::Other, 0);
        assert!(!fail(&mut d, 0, 4, 0), "the run started again");
        assert!(d.reply(0, ReplyClass::Failure, 0), "fifth in a row");
        assert!(d.is_ejected(0));
        assert_eq!(d.ejected_count(), 1);
    }

    #[test]
    fn max_ejection_percent_counts_the_host_about_to_be_ejected() {
        // 10 hosts, 20%: two may be out, not a third.
        let mut d = OutlierDetector::new(config(20.0, false), 10);
        assert!(fail(&mut d, 0, 5, 0));
        assert!(fail(&mut d, 1, 5, 0));
        assert!(!fail(&mut d, 2, 5, 0), "100 × 3 / 10 = 30% > 20%");
        assert!(!d.is_ejected(2));
    }

    #[test]
    fn with_envoys_default_ten_percent_no_host_of_three_is_ejectable_unless_always_eject_one() {
        let mut strict = OutlierDetector::new(config(10.0, false), 3);
        assert!(!fail(&mut strict, 0, 5, 0), "100 × 1 / 3 = 33% > 10%");
        let mut one = OutlierDetector::new(config(10.0, true), 3);
        assert!(
            fail(&mut one, 0, 5, 0),
            "always_eject_one: the first is allowed"
        );
        assert!(!fail(&mut one, 1, 5, 0), "but not a second");
    }

    #[test]
    fn a_refused_ejection_resets_the_run_so_five_more_are_needed() {
        let mut d = OutlierDetector::new(config(0.0, false), 2);
        assert!(!fail(&mut d, 0, 5, 0));
        assert!(!fail(&mut d, 0, 4, 0));
        d.config.max_ejection_percent = 100.0;
        assert!(d.reply(0, ReplyClass::Failure, 0), "fifth after the reset");
    }

    #[test]
    fn hosts_come_back_only_on_an_interval_tick_after_base_times_multiplier() {
        let mut d = OutlierDetector::new(config(100.0, false), 2);
        // Ejected at 5 s: 30 s later is 35 s, so the tick at 40 s brings it back, not 30 s.
        assert!(fail(&mut d, 0, 5, from_ms(5_000.0)));
        assert_eq!(d.ejection_time(0), from_ms(30_000.0));
        assert_eq!(d.tick(from_ms(30_000.0)), 0);
        assert!(d.is_ejected(0));
        assert_eq!(d.tick(from_ms(40_000.0)), 1);
        assert!(!d.is_ejected(0));
        // Ejected again at once: multiplier 2, so 60 s.
        assert!(fail(&mut d, 0, 5, from_ms(40_000.0)));
        assert_eq!(d.ejection_time(0), from_ms(60_000.0));
        assert_eq!(d.tick(from_ms(90_000.0)), 0);
        assert_eq!(d.tick(from_ms(100_000.0)), 1);
    }

    #[test]
    fn the_multiplier_is_capped_by_max_ejection_and_forgiven_while_the_host_stays_in() {
        let mut d = OutlierDetector::new(config(100.0, false), 1);
        let mut now = 0;
        for _ in 0..15 {
            assert!(fail(&mut d, 0, 5, now));
            now += d.ejection_time(0);
            d.tick(now);
            assert!(!d.is_ejected(0));
        }
        // Envoy stops raising the multiplier once multiplier × base ≥ max + base: 11 × 30 s.
        assert_eq!(d.hosts[0].multiplier, 11);
        assert_eq!(
            d.ejection_time(0),
            from_ms(300_000.0),
            "capped at max_ejection"
        );
        // Each tick at least an interval after the return lowers it by one.
        d.tick(now + from_ms(10_000.0));
        d.tick(now + from_ms(20_000.0));
        assert_eq!(d.hosts[0].multiplier, 9);
    }

    #[test]
    fn a_host_already_ejected_keeps_its_run() {
        let mut d = OutlierDetector::new(config(100.0, false), 2);
        assert!(fail(&mut d, 0, 5, 0));
        assert!(!fail(&mut d, 0, 7, 0));
        assert_eq!(d.hosts[0].run, 7, "not reset while ejected");
        d.tick(from_ms(30_000.0));
        assert_eq!(d.hosts[0].run, 0, "reset when brought back");
    }
}
