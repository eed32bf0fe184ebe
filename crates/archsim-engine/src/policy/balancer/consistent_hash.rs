//! **Consistent hash** (Envoy's ring hash): a [`HashRing`] with `virtual_nodes` points per
//! backend, each placed by the backend's node id (behind the ring salt), never by its position;
//! a key goes to the first candidate clockwise from it. When a backend goes down only its keys
//! move (to the next backends on the ring), and come back when it recovers. O(log(n·vnodes)).

use super::{Backends, Pick};
use crate::policy::hash::{HashRing, key_hash};
use crate::rng::SimRng;

#[derive(Debug, Clone)]
pub struct ConsistentHash {
    ring: HashRing,
}

impl ConsistentHash {
    /// A ring over backends named `names` (salted node ids).
    pub fn new(names: &[String], virtual_nodes: u32) -> ConsistentHash {
        ConsistentHash {
            ring: HashRing::new(names, virtual_nodes),
        }
    }
}

impl Pick for ConsistentHash {
    fn pick(&mut self, key: u64, backends: &mut Backends<'_>, _rng: &mut SimRng) -> Option<u32> {
        self.ring
            .owner(key_hash(key), |index| backends.is_candidate(index))
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

    fn ring(virtual_nodes: u32) -> BalancerAlgorithm {
        BalancerAlgorithm::ConsistentHash {
            virtual_nodes,
            ring_salt: String::new(),
        }
    }

    fn key_owners(balancer: &mut Balancer, views: &[BackendView], keys: u64) -> Vec<u32> {
        let mut rng = rng();
        (0..keys)
            .map(|key| balancer.pick(key, views, &mut rng).unwrap())
            .collect()
    }

    #[test]
    fn consistent_hash_adding_a_backend_moves_about_one_nth_of_keys() {
        let algorithm = ring(160);
        let before = key_owners(&mut Balancer::new(&algorithm, &[1; 5]), &all_up(5), 10_000);
        let after = key_owners(&mut Balancer::new(&algorithm, &[1; 6]), &all_up(6), 10_000);
        let moved: Vec<_> = (0..10_000).filter(|&k| before[k] != after[k]).collect();
        // Ideal: 1/6 of keys, all of them to the new backend.
        assert!(
            (1_300..2_000).contains(&moved.len()),
            "moved {}",
            moved.len()
        );
        assert!(moved.iter().all(|&k| after[k] == 5));
    }

    #[test]
    fn consistent_hash_down_backend_moves_only_its_keys() {
        let algorithm = ring(160);
        let mut balancer = Balancer::new(&algorithm, &[1; 5]);
        let mut views = all_up(5);
        let before = key_owners(&mut balancer, &views, 10_000);
        views[3].healthy = false;
        let during = key_owners(&mut balancer, &views, 10_000);
        views[3].healthy = true;
        let after = key_owners(&mut balancer, &views, 10_000);
        for k in 0..10_000 {
            if before[k] == 3 {
                assert_ne!(during[k], 3);
            } else {
                assert_eq!(
                    during[k], before[k],
                    "key {k} moved though its backend was up"
                );
            }
        }
        assert_eq!(before, after, "keys return when the backend recovers");
    }

    #[test]
    fn consistent_hash_spreads_keys_evenly_with_many_virtual_nodes() {
        let algorithm = ring(200);
        let mut counts = [0u32; 8];
        for owner in key_owners(&mut Balancer::new(&algorithm, &[1; 8]), &all_up(8), 80_000) {
            counts[owner as usize] += 1;
        }
        // 200 points per backend: each share's relative spread is about 1/sqrt(200) ≈ 7%.
        for c in counts {
            assert!((7_500..12_500).contains(&c), "{counts:?}");
        }
    }
}
