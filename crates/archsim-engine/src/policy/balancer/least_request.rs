//! **Least request** (power of two choices): two distinct random candidates, the one with fewer
//! in flight wins (the first drawn on a tie). Nearly as good as least connections at spreading
//! load but needs no global scan in a real system and avoids herding onto one backend when load
//! information is stale. Two draws per pick (none if a single candidate). O(n) to list
//! candidates.

use super::{Backends, Pick};
use crate::rng::SimRng;

#[derive(Debug, Clone, Default)]
pub struct LeastRequest;

impl Pick for LeastRequest {
    fn pick(&mut self, _key: u64, backends: &mut Backends<'_>, rng: &mut SimRng) -> Option<u32> {
        let candidates = backends.candidates();
        let len = candidates.len() as u64;
        match len {
            0 => None,
            1 => Some(candidates[0]),
            _ => {
                let first = rng.below(len);
                // Draw from the other len-1 slots, so the two choices are distinct.
                let mut second = rng.below(len - 1);
                if second >= first {
                    second += 1;
                }
                let a = candidates[first as usize];
                let b = candidates[second as usize];
                if backends.in_flight(b) < backends.in_flight(a) {
                    Some(b)
                } else {
                    Some(a)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use archsim_model::design::BalancerAlgorithm;

    use super::super::tests::{all_up, picks};
    use super::super::{BackendView, Balancer};
    use crate::rng::{SimRng, StreamKind};

    /// Throws `balls` requests at `bins` backends that never finish; returns the fullest load.
    fn max_load(algorithm: &BalancerAlgorithm, bins: usize, balls: usize, seed: u64) -> u32 {
        let mut balancer = Balancer::new(algorithm, &vec![1; bins]);
        let mut views = all_up(bins);
        let mut rng = SimRng::derive(seed, 0, StreamKind::Node, 1);
        for _ in 0..balls {
            let index = balancer.pick(0, &views, &mut rng).unwrap();
            views[index as usize].in_flight += 1;
        }
        views.iter().map(|v| v.in_flight).max().unwrap()
    }

    #[test]
    fn power_of_two_choices_beats_random_on_max_load() {
        let (mut random_total, mut p2c_total) = (0, 0);
        for seed in 0..20 {
            let random = max_load(&BalancerAlgorithm::Random, 100, 1000, seed);
            let p2c = max_load(&BalancerAlgorithm::LeastRequest, 100, 1000, seed);
            assert!(p2c <= random, "seed {seed}: p2c {p2c} random {random}");
            random_total += random;
            p2c_total += p2c;
        }
        // Theory: random's max load is about m/n + sqrt(2 (m/n) ln n) ≈ 19.6 at m/n = 10,
        // two choices about m/n + ln ln n / ln 2 ≈ 12.2.
        assert!(
            p2c_total * 10 < random_total * 8,
            "{p2c_total} vs {random_total}"
        );
        assert!(
            p2c_total <= 20 * 13,
            "p2c max load {}",
            p2c_total as f64 / 20.0
        );
    }

    #[test]
    fn least_request_chooses_two_distinct_backends() {
        // With two backends, two distinct choices always see both, so it is exact least load.
        let mut balancer = Balancer::new(&BalancerAlgorithm::LeastRequest, &[1, 1]);
        let views = [BackendView::up(5), BackendView::up(2)];
        assert!(picks(&mut balancer, &views, 100).iter().all(|&i| i == 1));
    }
}
