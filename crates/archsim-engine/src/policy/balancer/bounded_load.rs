//! **Consistent hashing with bounded loads** (Mirrokni, Thorup & Zadimoghaddam, SODA 2018; the
//! `hash_balance_factor` of Envoy's ring hash): the ring of [`super::consistent_hash`], but a
//! backend takes a request only while it has fewer than
//! `⌈c · (in flight + 1) / candidates⌉` requests in flight — `c` times the average load,
//! counting the request being placed. A key whose backend is full walks on clockwise to the
//! next candidate with room. Hot keys spill over instead of melting one backend; with `c`
//! large it is plain consistent hashing. Since `c ≥ 1` the capacities add up to at least the
//! requests, so some candidate always has room. O(log(n·vnodes)) plus the walk.

use super::{Backends, Pick};
use crate::policy::hash::{HashRing, key_hash};
use crate::rng::SimRng;

#[derive(Debug, Clone)]
pub struct BoundedLoad {
    ring: HashRing,
    balance_factor: f64,
}

impl BoundedLoad {
    pub fn new(names: &[String], virtual_nodes: u32, balance_factor: f64) -> BoundedLoad {
        BoundedLoad {
            ring: HashRing::new(names, virtual_nodes),
            balance_factor: balance_factor.max(1.0),
        }
    }

    /// The most requests a backend may have in flight when `total` are in flight over
    /// `candidates` backends and one more is being placed.
    pub fn capacity(&self, total: u64, candidates: u64) -> u64 {
        let average = (total + 1) as f64 / candidates.max(1) as f64;
        libm::ceil(self.balance_factor * average) as u64
    }
}

impl Pick for BoundedLoad {
    fn pick(&mut self, key: u64, backends: &mut Backends<'_>, _rng: &mut SimRng) -> Option<u32> {
        let backends = &*backends;
        let (mut candidates, mut total) = (0u64, 0u64);
        for index in 0..backends.count() {
            if backends.is_candidate(index) {
                candidates += 1;
                total += u64::from(backends.in_flight(index));
            }
        }
        let capacity = self.capacity(total, candidates);
        self.ring.owner(key_hash(key), |index| {
            backends.is_candidate(index) && u64::from(backends.in_flight(index)) < capacity
        })
    }

    fn reads_keys(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use archsim_model::design::BalancerAlgorithm;

    use super::super::tests::{all_up, rng};
    use super::super::{BackendView, Balancer};
    use super::*;

    fn bounded(balance_factor: f64) -> BalancerAlgorithm {
        BalancerAlgorithm::BoundedLoadHash {
            virtual_nodes: 100,
            balance_factor,
            ring_salt: String::new(),
        }
    }

    #[test]
    fn capacity_is_the_ceiling_of_c_times_the_average_with_the_new_request() {
        let names: Vec<String> = (0..4).map(|i| format!("b{i}")).collect();
        let policy = BoundedLoad::new(&names, 10, 1.25);
        // 11 in flight + 1 over 4 backends: average 3, ⌈3.75⌉ = 4.
        assert_eq!(policy.capacity(11, 4), 4);
        // 0 in flight: ⌈1.25 · 1/4⌉ = 1.
        assert_eq!(policy.capacity(0, 4), 1);
        assert_eq!(policy.capacity(99, 10), 13);
    }

    #[test]
    fn no_backend_exceeds_the_bound_while_requests_pile_up() {
        // One hot key, requests never finish: plain consistent hashing would send all of them
        // to one backend; bounded loads keep every backend within ⌈1.25 · average⌉.
        for c in [1.0, 1.25, 2.0] {
            let mut balancer = Balancer::new(&bounded(c), &[1; 6]);
            let mut views = all_up(6);
            let mut rng = rng();
            for placed in 0..600u64 {
                let key = if placed % 2 == 0 { 7 } else { placed };
                let pick = balancer.pick(key, &views, &mut rng).unwrap();
                views[pick as usize].in_flight += 1;
                let total: u64 = views.iter().map(|v| u64::from(v.in_flight)).sum();
                let bound = libm::ceil(c * total as f64 / 6.0) as u32;
                for v in &views {
                    assert!(v.in_flight <= bound, "c={c}: {views:?} over {bound}");
                }
            }
        }
    }

    #[test]
    fn an_idle_system_follows_the_ring() {
        let names: Vec<String> = (0..5).map(|i| format!("backend-{i}")).collect();
        let ring = HashRing::new(&names, 100);
        let mut balancer = Balancer::new(&bounded(1.25), &[1; 5]);
        let views = vec![BackendView::up(0); 5];
        let mut rng = rng();
        for key in 0..2_000 {
            assert_eq!(
                balancer.pick(key, &views, &mut rng),
                ring.owner(key_hash(key), |_| true)
            );
        }
    }

    #[test]
    fn a_full_backend_passes_its_keys_to_the_next_on_the_ring() {
        let names: Vec<String> = (0..3).map(|i| format!("backend-{i}")).collect();
        let ring = HashRing::new(&names, 100);
        let mut balancer = Balancer::new(&bounded(1.25), &[1; 3]);
        let mut views = vec![BackendView::up(2); 3];
        views[0].in_flight = 5; // total 9, capacity ⌈1.25 · 10/3⌉ = 5: backend 0 is full.
        let mut rng = rng();
        for key in 0..2_000 {
            let expected = ring.owner(key_hash(key), |b| b != 0);
            assert_eq!(balancer.pick(key, &views, &mut rng), expected);
        }
    }
}
