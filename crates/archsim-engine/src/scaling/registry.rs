//! Service discovery through a registry, as the callers of an autoscaled group see it
//! (`Discovery` in the design): an instance is listed from `registration_delay_ms` after it
//! begins serving; one removed gracefully is unlisted as it starts draining, one that just
//! stops stays listed until its heartbeat times out; callers re-read the registry every
//! `refresh_interval_ms` (all at the same moments, from the start) and in between send only to
//! the instances they read. So a new instance sits idle until a refresh after its
//! registration, and a gone one keeps being sent requests (which fail) until a refresh after
//! it left the registry.

use archsim_model::scaling::Discovery;

use crate::time::{SimTime, from_ms};

pub(crate) struct Registry {
    registration_delay: SimTime,
    heartbeat_timeout: SimTime,
    refresh: SimTime,
    deregister: bool,
    /// Each instance is listed during `[listed_from, listed_until)`.
    listed_from: Vec<SimTime>,
    listed_until: Vec<SimTime>,
    /// The callers' view, as of their last refresh.
    known: Vec<bool>,
}

impl Registry {
    /// `initial`: the instances serving when the run starts, listed and known from then.
    pub fn new(p: &Discovery, instances: usize, initial: usize) -> Registry {
        let listed = |i: usize| i < initial;
        Registry {
            registration_delay: from_ms(p.registration_delay_ms),
            heartbeat_timeout: from_ms(p.heartbeat_timeout_ms),
            refresh: from_ms(p.refresh_interval_ms).max(1),
            deregister: p.deregister_on_shutdown,
            listed_from: (0..instances)
                .map(|i| if listed(i) { 0 } else { SimTime::MAX })
                .collect(),
            listed_until: vec![SimTime::MAX; instances],
            known: (0..instances).map(listed).collect(),
        }
    }

    pub fn refresh_interval(&self) -> SimTime {
        self.refresh
    }

    /// Instance `i` began serving at `now`.
    pub fn serving(&mut self, i: usize, now: SimTime) {
        self.listed_from[i] = now.saturating_add(self.registration_delay);
        self.listed_until[i] = SimTime::MAX;
    }

    /// Instance `i` stopped taking work at `now` (scale-in).
    pub fn stopped(&mut self, i: usize, now: SimTime) {
        self.listed_until[i] = if self.deregister {
            now
        } else {
            now.saturating_add(self.heartbeat_timeout)
        };
    }

    /// Instance `i` crashed at `now`: it cannot deregister, so it stays listed until its
    /// heartbeat times out.
    pub fn crashed(&mut self, i: usize, now: SimTime) {
        self.listed_until[i] = self.listed_until[i].min(now.saturating_add(self.heartbeat_timeout));
    }

    /// The callers re-read the registry.
    pub fn refresh(&mut self, now: SimTime) {
        for (i, known) in self.known.iter_mut().enumerate() {
            *known = self.listed_from[i] <= now && now < self.listed_until[i];
        }
    }

    /// Whether the callers send requests to instance `i`.
    pub fn knows(&self, i: usize) -> bool {
        self.known[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: SimTime = 1_000_000_000;

    fn registry(deregister: bool) -> Registry {
        Registry::new(
            &Discovery {
                registration_delay_ms: 10_000.0,
                heartbeat_timeout_ms: 90_000.0,
                refresh_interval_ms: 30_000.0,
                deregister_on_shutdown: deregister,
            },
            4,
            2,
        )
    }

    #[test]
    fn a_new_instance_is_known_at_the_first_refresh_after_it_registers() {
        let mut r = registry(true);
        assert!(r.knows(0) && r.knows(1) && !r.knows(2));
        // Serving at 25 s, registered at 35 s: the refresh at 30 s misses it, 60 s sees it.
        r.serving(2, 25 * S);
        r.refresh(30 * S);
        assert!(!r.knows(2));
        r.refresh(60 * S);
        assert!(r.knows(2));
    }

    #[test]
    fn a_graceful_stop_leaves_at_the_next_refresh_and_a_crash_only_after_the_lease() {
        let mut graceful = registry(true);
        graceful.stopped(1, 40 * S);
        graceful.refresh(60 * S);
        assert!(!graceful.knows(1));

        let mut abrupt = registry(false);
        abrupt.stopped(1, 40 * S);
        // Listed until 130 s: still known at the refreshes of 60, 90 and 120 s.
        for t in [60, 90, 120] {
            abrupt.refresh(t * S);
            assert!(abrupt.knows(1), "at {t} s");
        }
        abrupt.refresh(150 * S);
        assert!(!abrupt.knows(1));
    }
}
