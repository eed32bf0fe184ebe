//! **Rendezvous** (highest random weight): each candidate backend scores the request key with a
//! hash of (key, backend node id), weighted by its edge's weight by the logarithmic method; the
//! highest score wins (see [`crate::policy::rendezvous`]). A backend going down moves only its
//! own keys, each to its second-highest backend. O(backends) per pick.

use super::{Backends, Pick};
use crate::policy::hash::key_hash;
use crate::policy::rendezvous::{member_seed, winner};
use crate::rng::SimRng;

#[derive(Debug, Clone)]
pub struct Rendezvous {
    seeds: Vec<u64>,
}

impl Rendezvous {
    pub fn new(names: &[String]) -> Rendezvous {
        Rendezvous {
            seeds: names.iter().map(|name| member_seed(name)).collect(),
        }
    }
}

impl Pick for Rendezvous {
    fn pick(&mut self, key: u64, backends: &mut Backends<'_>, _rng: &mut SimRng) -> Option<u32> {
        let backends = &*backends;
        let members = (0..backends.count()).map(|index| {
            let seed = self.seeds.get(index as usize).copied().unwrap_or(0);
            (index, seed, backends.weight(index))
        });
        winner(key_hash(key), members, |index| backends.is_candidate(index))
    }

    fn reads_keys(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use archsim_model::design::BalancerAlgorithm;

    use super::super::Balancer;
    use super::super::tests::{all_up, rng};

    #[test]
    fn rendezvous_balancer_moves_only_a_down_backends_keys() {
        let mut balancer = Balancer::new(&BalancerAlgorithm::Rendezvous, &[1; 4]);
        let mut views = all_up(4);
        let mut rng = rng();
        let before: Vec<u32> = (0..8_000)
            .map(|k| balancer.pick(k, &views, &mut rng).unwrap())
            .collect();
        views[0].healthy = false;
        for (k, &owner) in before.iter().enumerate() {
            let now = balancer.pick(k as u64, &views, &mut rng).unwrap();
            if owner == 0 {
                assert_ne!(now, 0);
            } else {
                assert_eq!(now, owner, "key {k} moved though its backend was up");
            }
        }
    }
}
