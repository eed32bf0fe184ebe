//! **Active health checking**, Envoy's state machine for one host (`HealthCheckerImplBase::
//! ActiveHealthCheckSession`): what a probe's result does to the host's health. When probes go
//! out and how they are answered is the balancer's and the engine's business (`node::balancer`,
//! `probes.rs`); this file is the counting.
//!
//! - A failed probe (an answer saying unhealthy, a refused or reset connection, or no answer
//!   within the timeout) resets the host's run of passes and adds one to its run of failures;
//!   when that run reaches `unhealthy_threshold` a healthy host is marked down.
//! - A passed probe resets the run of failures and adds one to the run of passes; when that run
//!   reaches `healthy_threshold` a host that is down is marked healthy again. A host that starts
//!   down (Envoy: a host just added to a cluster with health checking) needs only one pass
//!   for its very first check, as in Envoy.

/// The health-check state of one backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostCheck {
    healthy: bool,
    passes: u32,
    failures: u32,
    /// No probe has been answered yet (Envoy's `first_check_`).
    first_check: bool,
}

/// Thresholds shared by every backend of one balancer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    pub unhealthy: u32,
    pub healthy: u32,
}

impl HostCheck {
    pub fn new(start_healthy: bool) -> HostCheck {
        HostCheck {
            healthy: start_healthy,
            passes: 0,
            failures: 0,
            first_check: true,
        }
    }

    pub fn healthy(&self) -> bool {
        self.healthy
    }

    /// A probe passed; true if that brought the host back.
    pub fn passed(&mut self, thresholds: Thresholds) -> bool {
        let first = std::mem::replace(&mut self.first_check, false);
        self.failures = 0;
        if self.healthy {
            return false;
        }
        self.passes += 1;
        if first || self.passes >= thresholds.healthy {
            self.healthy = true;
            self.passes = 0;
            return true;
        }
        false
    }

    /// A probe failed; true if that marked the host down.
    pub fn failed(&mut self, thresholds: Thresholds) -> bool {
        self.first_check = false;
        self.passes = 0;
        if !self.healthy {
            return false;
        }
        self.failures += 1;
        if self.failures >= thresholds.unhealthy {
            self.healthy = false;
            self.failures = 0;
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Thresholds = Thresholds {
        unhealthy: 3,
        healthy: 2,
    };

    #[test]
    fn a_healthy_host_goes_down_on_the_unhealthy_thresholdth_failure_in_a_row() {
        let mut host = HostCheck::new(true);
        assert!(!host.failed(T));
        assert!(!host.failed(T));
        assert!(host.healthy());
        assert!(host.failed(T), "third failure in a row");
        assert!(!host.healthy());
    }

    #[test]
    fn a_pass_between_failures_starts_the_count_again() {
        let mut host = HostCheck::new(true);
        host.failed(T);
        host.failed(T);
        host.passed(T);
        host.failed(T);
        host.failed(T);
        assert!(host.healthy(), "only two failures since the pass");
        host.failed(T);
        assert!(!host.healthy());
    }

    #[test]
    fn a_down_host_comes_back_on_the_healthy_thresholdth_pass_in_a_row() {
        let mut host = HostCheck::new(true);
        for _ in 0..3 {
            host.failed(T);
        }
        assert!(!host.passed(T));
        assert!(!host.healthy());
        host.failed(T);
        assert!(!host.passed(T), "the failure restarted the run of passes");
        assert!(host.passed(T));
        assert!(host.healthy());
    }

    #[test]
    fn a_host_that_starts_down_needs_one_pass_on_its_first_check_only() {
        let mut host = HostCheck::new(false);
        assert!(!host.healthy());
        assert!(
            host.passed(T),
            "Envoy: one pass suffices for the first check"
        );
        let mut late = HostCheck::new(false);
        late.failed(T);
        assert!(
            !late.passed(T),
            "after a failed first check the threshold applies"
        );
        assert!(late.passed(T));
    }
}
