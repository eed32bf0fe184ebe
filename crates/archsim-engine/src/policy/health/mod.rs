//! Backend health for load balancers, as Envoy has it: active checks ([`active`]), passive
//! outlier ejection ([`outlier`]) and panic mode ([`in_panic`]).
//!
//! A backend is a candidate for a pick when the health-check mode says it is up, its edge's
//! breaker is not open, and outlier detection has not ejected it. Panic mode then overrides:
//! when fewer than `panic_threshold_percent` of the backends are candidates, every backend is
//! (Envoy's `healthy_panic_threshold`: a balancer that thinks most of its hosts are down is more
//! likely wrong about their health than right, so it spreads the load over all of them).

pub mod active;
pub mod outlier;

/// Envoy's panic test (`LoadBalancerBase::isHostSetInPanic`): `100 × healthy / total` below the
/// threshold. A threshold of 0 never panics; with no backends at all there is nothing to
/// panic about.
pub fn in_panic(healthy: u32, total: u32, threshold_percent: f64) -> bool {
    total > 0 && 100.0 * f64::from(healthy) / f64::from(total) < threshold_percent
}

#[cfg(test)]
mod tests {
    use super::in_panic;

    #[test]
    fn panic_below_the_threshold_not_at_it() {
        assert!(!in_panic(2, 4, 50.0), "exactly 50% is not below 50%");
        assert!(in_panic(1, 4, 50.0));
        assert!(in_panic(0, 4, 50.0), "nothing healthy: use everything");
        assert!(!in_panic(0, 4, 0.0), "threshold 0 turns panic mode off");
    }
}
