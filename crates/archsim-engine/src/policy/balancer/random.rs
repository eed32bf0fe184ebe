//! **Random**: uniform among candidates; one draw per pick. O(n) to list candidates.

use super::{Backends, Pick};
use crate::rng::SimRng;

#[derive(Debug, Clone, Default)]
pub struct Random;

impl Pick for Random {
    fn pick(&mut self, _key: u64, backends: &mut Backends<'_>, rng: &mut SimRng) -> Option<u32> {
        let candidates = backends.candidates();
        let len = candidates.len() as u64;
        if len == 0 {
            return None;
        }
        Some(candidates[rng.below(len) as usize])
    }
}

#[cfg(test)]
mod tests {
    use archsim_model::design::BalancerAlgorithm;

    use super::super::Balancer;
    use super::super::tests::{all_up, picks};

    #[test]
    fn random_is_uniform_over_healthy_backends() {
        let mut balancer = Balancer::new(&BalancerAlgorithm::Random, &[1, 1, 1, 1]);
        let mut views = all_up(4);
        views[2].healthy = false;
        let mut counts = [0u32; 4];
        for index in picks(&mut balancer, &views, 30_000) {
            counts[index as usize] += 1;
        }
        assert_eq!(counts[2], 0);
        for &c in &[counts[0], counts[1], counts[3]] {
            assert!((9_600..10_400).contains(&c), "{counts:?}");
        }
    }
}
