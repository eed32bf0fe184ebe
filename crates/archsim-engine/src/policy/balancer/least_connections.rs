//! **Least connections**: fewest in flight. Ties rotate: the scan starts at a cursor that moves
//! past each chosen backend, so idle backends share work instead of backend 0 taking it all.
//! Deterministic, no draws. O(n).

use super::{Backends, Pick};
use crate::rng::SimRng;

#[derive(Debug, Clone, Default)]
pub struct LeastConnections {
    cursor: u32,
}

impl Pick for LeastConnections {
    fn pick(&mut self, _key: u64, backends: &mut Backends<'_>, _rng: &mut SimRng) -> Option<u32> {
        let count = backends.count();
        let mut best: Option<(u32, u32)> = None; // (in_flight, index)
        for step in 0..count {
            let index = (self.cursor % count + step) % count;
            if !backends.is_candidate(index) {
                continue;
            }
            let load = backends.in_flight(index);
            if best.is_none_or(|(best_load, _)| load < best_load) {
                best = Some((load, index));
            }
        }
        let (_, chosen) = best?;
        self.cursor = (chosen + 1) % count;
        Some(chosen)
    }
}

#[cfg(test)]
mod tests {
    use archsim_model::design::BalancerAlgorithm;

    use super::super::tests::{all_up, picks};
    use super::super::{BackendView, Balancer};

    #[test]
    fn least_connections_picks_fewest_in_flight() {
        let mut balancer = Balancer::new(&BalancerAlgorithm::LeastConnections, &[1, 1, 1]);
        let views = [BackendView::up(4), BackendView::up(1), BackendView::up(3)];
        assert_eq!(picks(&mut balancer, &views, 3), vec![1, 1, 1]);
    }

    #[test]
    fn least_connections_rotates_among_ties() {
        let mut balancer = Balancer::new(&BalancerAlgorithm::LeastConnections, &[1, 1, 1]);
        assert_eq!(
            picks(&mut balancer, &all_up(3), 6),
            vec![0, 1, 2, 0, 1, 2],
            "idle backends share work rather than backend 0 taking it all"
        );
    }
}
