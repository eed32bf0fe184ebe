//! **Least connections**: the candidate with the fewest requests in flight. Which of several
//! equally idle candidates gets the request is the `ties` rule, and it decides how hard a
//! crashed backend that fails fast sinkholes traffic (it always looks idle):
//! - `first`: the first in edge order (a plain scan, as many simple balancers do);
//! - `rotate` (default): the scan starts at a cursor that moves past each chosen backend, so
//!   tied backends take turns; no draws;
//! - `random`: uniformly among the tied candidates, one draw from the balancer's stream, made
//!   only when there is more than one.
//!
//! O(n) per pick.

use archsim_model::health::Ties;

use super::{Backends, Pick};
use crate::rng::SimRng;

#[derive(Debug, Clone, Default)]
pub struct LeastConnections {
    ties: Ties,
    cursor: u32,
}

impl LeastConnections {
    pub fn new(ties: Ties) -> LeastConnections {
        LeastConnections { ties, cursor: 0 }
    }
}

impl Pick for LeastConnections {
    fn pick(&mut self, _key: u64, backends: &mut Backends<'_>, rng: &mut SimRng) -> Option<u32> {
        let count = backends.count();
        let start = match self.ties {
            Ties::Rotate => self.cursor % count.max(1),
            Ties::First | Ties::Random => 0,
        };
        let mut best: Option<(u32, u32)> = None; // (in_flight, index)
        let mut tied = 0u32;
        for step in 0..count {
            let index = (start + step) % count;
            if !backends.is_candidate(index) {
                continue;
            }
            let load = backends.in_flight(index);
            match best {
                Some((best_load, _)) if load > best_load => {}
                Some((best_load, _)) if load == best_load => tied += 1,
                _ => {
                    best = Some((load, index));
                    tied = 1;
                }
            }
        }
        let (least, mut chosen) = best?;
        if self.ties == Ties::Random && tied > 1 {
            let nth = rng.below(u64::from(tied)) as u32;
            chosen = (0..count)
                .filter(|&i| backends.is_candidate(i) && backends.in_flight(i) == least)
                .nth(nth as usize)
                .expect("nth of the tied candidates");
        }
        self.cursor = (chosen + 1) % count;
        Some(chosen)
    }
}

#[cfg(test)]
mod tests {
    use archsim_model::design::BalancerAlgorithm;
    use archsim_model::health::Ties;

    use super::super::tests::{all_up, picks};
    use super::super::{BackendView, Balancer};

    fn least(ties: Ties) -> Balancer {
        Balancer::new(&BalancerAlgorithm::LeastConnections { ties }, &[1, 1, 1])
    }

    #[test]
    fn least_connections_picks_fewest_in_flight_whatever_the_tie_rule() {
        for ties in [Ties::First, Ties::Rotate, Ties::Random] {
            let mut balancer = least(ties);
            let views = [BackendView::up(4), BackendView::up(1), BackendView::up(3)];
            assert_eq!(picks(&mut balancer, &views, 3), vec![1, 1, 1], "{ties:?}");
        }
    }

    #[test]
    fn rotate_takes_tied_backends_in_turn() {
        assert_eq!(
            picks(&mut least(Ties::Rotate), &all_up(3), 6),
            vec![0, 1, 2, 0, 1, 2],
            "idle backends share work rather than backend 0 taking it all"
        );
    }

    #[test]
    fn first_always_takes_the_first_tied_backend_in_edge_order() {
        assert_eq!(
            picks(&mut least(Ties::First), &all_up(3), 4),
            vec![0, 0, 0, 0]
        );
        let views = [BackendView::up(2), BackendView::up(1), BackendView::up(1)];
        assert_eq!(picks(&mut least(Ties::First), &views, 2), vec![1, 1]);
    }

    #[test]
    fn random_spreads_ties_uniformly_and_only_over_the_tied() {
        let mut balancer = least(Ties::Random);
        let views = [
            BackendView::up(0),
            BackendView::up(5),
            BackendView::up(0),
            BackendView::up(0),
        ];
        let chosen = picks(&mut balancer, &views, 30_000);
        let mut counts = [0u32; 4];
        chosen.iter().for_each(|&i| counts[i as usize] += 1);
        assert_eq!(counts[1], 0, "backend 1 is not tied for least");
        for i in [0, 2, 3] {
            assert!((9_500..10_500).contains(&counts[i]), "{counts:?}");
        }
    }
}
