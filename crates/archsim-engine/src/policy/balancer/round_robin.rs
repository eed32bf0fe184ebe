//! **Round robin**: a cursor goes around the backends; each pick takes the first candidate at
//! or after it, and the cursor moves past the chosen one. A down backend is skipped but the
//! cyclic order of the others is unchanged (A B C with B down gives A C A C, and B rejoins in
//! its place). O(n) worst case, O(1) when all are up.

use super::{Backends, Pick};
use crate::rng::SimRng;

#[derive(Debug, Clone, Default)]
pub struct RoundRobin {
    cursor: u32,
}

impl Pick for RoundRobin {
    fn pick(&mut self, _key: u64, backends: &mut Backends<'_>, _rng: &mut SimRng) -> Option<u32> {
        let count = backends.count();
        let chosen = (0..count)
            .map(|step| (self.cursor % count.max(1) + step) % count)
            .find(|&index| backends.is_candidate(index))?;
        self.cursor = (chosen + 1) % count;
        Some(chosen)
    }
}

#[cfg(test)]
mod tests {
    use archsim_model::design::BalancerAlgorithm;

    use super::super::Balancer;
    use super::super::tests::{all_up, picks, rng};

    #[test]
    fn round_robin_rotates_in_order() {
        let mut balancer = Balancer::new(&BalancerAlgorithm::RoundRobin, &[1, 1, 1]);
        assert_eq!(
            picks(&mut balancer, &all_up(3), 7),
            vec![0, 1, 2, 0, 1, 2, 0]
        );
    }

    #[test]
    fn round_robin_skips_down_backend_without_breaking_order() {
        let mut balancer = Balancer::new(&BalancerAlgorithm::RoundRobin, &[1, 1, 1]);
        let mut views = all_up(3);
        let mut rng = rng();
        assert_eq!(balancer.pick(0, &views, &mut rng), Some(0));
        views[1].healthy = false;
        let down: Vec<_> = (0..4)
            .map(|_| balancer.pick(0, &views, &mut rng).unwrap())
            .collect();
        assert_eq!(down, vec![2, 0, 2, 0]);
        views[1].healthy = true;
        let back: Vec<_> = (0..4)
            .map(|_| balancer.pick(0, &views, &mut rng).unwrap())
            .collect();
        assert_eq!(back, vec![1, 2, 0, 1], "backend 1 rejoins in its place");
    }
}
