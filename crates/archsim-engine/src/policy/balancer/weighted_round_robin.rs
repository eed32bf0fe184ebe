//! **Weighted round robin**: nginx's smooth algorithm. Each pick adds every candidate's weight
//! to its running score, takes the highest score (lowest index on ties) and subtracts the total
//! weight from the winner. Over any `sum(weights)` consecutive picks each backend gets exactly
//! its weight, and a heavy backend's turns are interleaved rather than consecutive
//! (5,1,1 → a a b a c a a). O(n).

use super::{Backends, Pick};
use crate::rng::SimRng;

#[derive(Debug, Clone)]
pub struct SmoothWeighted {
    scores: Vec<i64>,
}

impl SmoothWeighted {
    pub fn new(backends: u32) -> SmoothWeighted {
        SmoothWeighted {
            scores: vec![0; backends as usize],
        }
    }
}

impl Pick for SmoothWeighted {
    fn pick(&mut self, _key: u64, backends: &mut Backends<'_>, _rng: &mut SimRng) -> Option<u32> {
        let count = backends.count();
        let scores = &mut self.scores;
        if scores.len() < count as usize {
            scores.resize(count as usize, 0);
        }
        let mut total: i64 = 0;
        let mut best: Option<u32> = None;
        for index in 0..count {
            if !backends.is_candidate(index) {
                continue;
            }
            let weight = i64::from(backends.weight(index));
            total += weight;
            scores[index as usize] += weight;
            let score = scores[index as usize];
            if best.is_none_or(|b| score > scores[b as usize]) {
                best = Some(index);
            }
        }
        let chosen = best?;
        scores[chosen as usize] -= total;
        Some(chosen)
    }
}

#[cfg(test)]
mod tests {
    use archsim_model::design::BalancerAlgorithm;

    use super::super::Balancer;
    use super::super::tests::{all_up, picks};

    #[test]
    fn smooth_weighted_round_robin_matches_nginx_sequence() {
        let mut balancer = Balancer::new(&BalancerAlgorithm::WeightedRoundRobin, &[5, 1, 1]);
        // a a b a c a a, twice: the sequence repeats every sum(weights) picks.
        assert_eq!(
            picks(&mut balancer, &all_up(3), 14),
            vec![0, 0, 1, 0, 2, 0, 0, 0, 0, 1, 0, 2, 0, 0]
        );
        let mut balancer = Balancer::new(&BalancerAlgorithm::WeightedRoundRobin, &[2, 1]);
        assert_eq!(picks(&mut balancer, &all_up(2), 6), vec![0, 1, 0, 0, 1, 0]);
    }

    #[test]
    fn smooth_weighted_round_robin_long_run_proportions_are_exact() {
        let weights = [3, 7, 1, 4];
        let mut balancer = Balancer::new(&BalancerAlgorithm::WeightedRoundRobin, &weights);
        let mut counts = [0u32; 4];
        // 100 full cycles of sum(weights) = 15 picks.
        for index in picks(&mut balancer, &all_up(4), 1500) {
            counts[index as usize] += 1;
        }
        assert_eq!(counts, [300, 700, 100, 400]);
    }
}
