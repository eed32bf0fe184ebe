//! Load-balancing algorithms: which backend gets the next request, one file per algorithm.
//!
//! API:
//! ```text
//! let mut balancer = Balancer::with_names(&params.algorithm, &edge_weights, &backend_ids);
//! let views: Vec<BackendView> = …;            // index = backend (outgoing edge) position
//! if let Some(index) = balancer.pick(request_key, &views, &mut rng) { … } else { /* none up */ }
//! balancer.call_over(index, success);          // feedback once the backend's call is over
//! balancer.reads_keys();                       // whether `request_key` matters
//! ```
//! The caller owns backend state: it passes, on every pick, whether each backend is eligible
//! (`healthy`) and how many requests it has in flight, and it updates `in_flight` itself after
//! sending. A backend is a candidate when it is healthy and its weight is non-zero (weight 0
//! drains it under every algorithm). A backend beyond the end of `weights` has weight 1; one
//! beyond the end of `backends` does not exist. `pick` returns None when there is no candidate.
//!
//! Each algorithm is a [`Pick`] in a file of its own (its semantics are documented there):
//! [`round_robin`], [`weighted_round_robin`] (nginx's smooth), [`random`],
//! [`least_connections`], [`least_request`] (power of two choices), [`consistent_hash`] (ring),
//! [`maglev`], [`rendezvous`], [`bounded_load`] (consistent hashing with bounded loads). The
//! hashing ones read request keys and place backends by name (the backend's node id, behind
//! the ring salt), never by position.
//! Adding one: a file here and its line in [`Algorithm`] (and the model's `BalancerAlgorithm`).
//!
//! No allocation per pick: candidate lists use a scratch buffer owned by the balancer.

pub mod bounded_load;
pub mod consistent_hash;
pub mod least_connections;
pub mod least_request;
pub mod maglev;
pub mod random;
pub mod rendezvous;
pub mod round_robin;
pub mod weighted_round_robin;

use archsim_model::design::BalancerAlgorithm;

use crate::policy::hash::salted_name;
use crate::rng::SimRng;

/// What the balancer needs to know about one backend at pick time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackendView {
    /// Up and not short-circuited. Callers without health checks pass true for all.
    pub healthy: bool,
    /// Requests sent to this backend and not yet answered.
    pub in_flight: u32,
}

impl BackendView {
    pub fn up(in_flight: u32) -> BackendView {
        BackendView {
            healthy: true,
            in_flight,
        }
    }
}

/// The backends as one pick sees them.
pub struct Backends<'a> {
    views: &'a [BackendView],
    weights: &'a [u32],
    /// Reused candidate buffer, so picks don't allocate.
    scratch: &'a mut Vec<u32>,
}

impl Backends<'_> {
    /// How many backends there are.
    pub fn count(&self) -> u32 {
        u32::try_from(self.views.len()).unwrap_or(u32::MAX)
    }

    /// Backend `index`'s weight (1 beyond the weights given).
    pub fn weight(&self, index: u32) -> u32 {
        self.weights.get(index as usize).copied().unwrap_or(1)
    }

    /// Healthy and of non-zero weight.
    pub fn is_candidate(&self, index: u32) -> bool {
        self.views
            .get(index as usize)
            .is_some_and(|backend| backend.healthy && self.weight(index) > 0)
    }

    /// Requests in flight at backend `index`.
    pub fn in_flight(&self, index: u32) -> u32 {
        self.views[index as usize].in_flight
    }

    /// Every candidate, in index order.
    pub fn candidates(&mut self) -> &[u32] {
        let count = self.count();
        self.scratch.clear();
        for index in 0..count {
            if self.is_candidate(index) {
                self.scratch.push(index);
            }
        }
        self.scratch
    }
}

/// One balancing algorithm and its state between picks.
pub trait Pick {
    /// The backend for the next request with `key`, or None if no backend is a candidate.
    fn pick(&mut self, key: u64, backends: &mut Backends<'_>, rng: &mut SimRng) -> Option<u32>;

    /// Whether picks depend on the request key (so sources must draw keys).
    fn reads_keys(&self) -> bool {
        false
    }

    /// The call sent to `backend` is over (`success` or not): feedback for algorithms that
    /// learn from outcomes or latencies.
    fn call_over(&mut self, _backend: u32, _success: bool) {}
}

/// The closed set of algorithms; one variant per file.
#[derive(Debug, Clone)]
pub enum Algorithm {
    RoundRobin(round_robin::RoundRobin),
    WeightedRoundRobin(weighted_round_robin::SmoothWeighted),
    Random(random::Random),
    LeastConnections(least_connections::LeastConnections),
    LeastRequest(least_request::LeastRequest),
    ConsistentHash(consistent_hash::ConsistentHash),
    Maglev(maglev::Maglev),
    Rendezvous(rendezvous::Rendezvous),
    BoundedLoad(bounded_load::BoundedLoad),
}

macro_rules! each_algorithm {
    ($algorithm:expr, $a:ident => $body:expr) => {
        match $algorithm {
            Algorithm::RoundRobin($a) => $body,
            Algorithm::WeightedRoundRobin($a) => $body,
            Algorithm::Random($a) => $body,
            Algorithm::LeastConnections($a) => $body,
            Algorithm::LeastRequest($a) => $body,
            Algorithm::ConsistentHash($a) => $body,
            Algorithm::Maglev($a) => $body,
            Algorithm::Rendezvous($a) => $body,
            Algorithm::BoundedLoad($a) => $body,
        }
    };
}

impl Algorithm {
    /// The algorithm the design asks for, for backends with these ids.
    pub fn new(algorithm: &BalancerAlgorithm, ids: &[String]) -> Algorithm {
        let backends = u32::try_from(ids.len()).unwrap_or(u32::MAX);
        let salted =
            |salt: &str| -> Vec<String> { ids.iter().map(|id| salted_name(salt, id)).collect() };
        match *algorithm {
            BalancerAlgorithm::RoundRobin => Algorithm::RoundRobin(Default::default()),
            BalancerAlgorithm::WeightedRoundRobin => {
                Algorithm::WeightedRoundRobin(weighted_round_robin::SmoothWeighted::new(backends))
            }
            BalancerAlgorithm::Random => Algorithm::Random(Default::default()),
            BalancerAlgorithm::LeastConnections { ties } => {
                Algorithm::LeastConnections(least_connections::LeastConnections::new(ties))
            }
            BalancerAlgorithm::LeastRequest => Algorithm::LeastRequest(Default::default()),
            BalancerAlgorithm::ConsistentHash {
                virtual_nodes,
                ref ring_salt,
            } => Algorithm::ConsistentHash(consistent_hash::ConsistentHash::new(
                &salted(ring_salt),
                virtual_nodes,
            )),
            BalancerAlgorithm::Maglev { table_size } => {
                Algorithm::Maglev(maglev::Maglev::new(ids, table_size))
            }
            BalancerAlgorithm::Rendezvous => {
                Algorithm::Rendezvous(rendezvous::Rendezvous::new(ids))
            }
            BalancerAlgorithm::BoundedLoadHash {
                virtual_nodes,
                balance_factor,
                ref ring_salt,
            } => Algorithm::BoundedLoad(bounded_load::BoundedLoad::new(
                &salted(ring_salt),
                virtual_nodes,
                balance_factor,
            )),
        }
    }
}

impl Pick for Algorithm {
    #[inline]
    fn pick(&mut self, key: u64, backends: &mut Backends<'_>, rng: &mut SimRng) -> Option<u32> {
        each_algorithm!(self, a => a.pick(key, backends, rng))
    }

    fn reads_keys(&self) -> bool {
        each_algorithm!(self, a => a.reads_keys())
    }

    fn call_over(&mut self, backend: u32, success: bool) {
        each_algorithm!(self, a => a.call_over(backend, success))
    }
}

/// A balancer's algorithm, its backends' weights and its scratch space.
#[derive(Debug, Clone)]
pub struct Balancer {
    weights: Vec<u32>,
    algorithm: Algorithm,
    scratch: Vec<u32>,
}

impl Balancer {
    /// A balancer for `weights.len()` backends named `backend-0`, `backend-1`, … (tests).
    pub fn new(algorithm: &BalancerAlgorithm, weights: &[u32]) -> Balancer {
        let ids: Vec<String> = (0..weights.len()).map(|i| format!("backend-{i}")).collect();
        Balancer::with_names(algorithm, weights, &ids)
    }

    /// A balancer for the backends (the balancer's outgoing edges, in order) with these weights
    /// and ids (each backend's node id: hashing algorithms place backends by it).
    pub fn with_names(algorithm: &BalancerAlgorithm, weights: &[u32], ids: &[String]) -> Balancer {
        Balancer {
            weights: weights.to_vec(),
            algorithm: Algorithm::new(algorithm, ids),
            scratch: Vec::with_capacity(weights.len()),
        }
    }

    /// The backend for the next request, or None if no backend is a candidate.
    /// `key` matters only to algorithms that [`read keys`](Self::reads_keys).
    #[inline]
    pub fn pick(&mut self, key: u64, backends: &[BackendView], rng: &mut SimRng) -> Option<u32> {
        let mut view = Backends {
            views: backends,
            weights: &self.weights,
            scratch: &mut self.scratch,
        };
        self.algorithm.pick(key, &mut view, rng)
    }

    /// Whether picks depend on the request key (so sources must draw keys).
    pub fn reads_keys(&self) -> bool {
        self.algorithm.reads_keys()
    }

    /// The call sent to `backend` is over.
    pub fn call_over(&mut self, backend: u32, success: bool) {
        self.algorithm.call_over(backend, success);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::rng::StreamKind;

    pub(crate) fn rng() -> SimRng {
        SimRng::derive(11, 0, StreamKind::Node, 0)
    }

    pub(crate) fn all_up(n: usize) -> Vec<BackendView> {
        vec![BackendView::up(0); n]
    }

    pub(crate) fn picks(balancer: &mut Balancer, views: &[BackendView], count: usize) -> Vec<u32> {
        let mut rng = rng();
        (0..count)
            .map(|i| balancer.pick(i as u64, views, &mut rng).unwrap())
            .collect()
    }

    #[test]
    fn weight_zero_drains_a_backend_under_every_algorithm() {
        for algorithm in all_algorithms() {
            let mut balancer = Balancer::new(&algorithm, &[1, 0, 1]);
            let chosen = picks(&mut balancer, &all_up(3), 300);
            assert!(
                !chosen.contains(&1),
                "{algorithm:?} picked a weight-0 backend"
            );
        }
    }

    #[test]
    fn none_when_no_backend_is_healthy() {
        let down = vec![
            BackendView {
                healthy: false,
                in_flight: 0
            };
            3
        ];
        for algorithm in all_algorithms() {
            let mut rng = rng();
            let mut balancer = Balancer::new(&algorithm, &[1, 1, 1]);
            assert_eq!(balancer.pick(5, &down, &mut rng), None, "{algorithm:?}");
            let mut empty = Balancer::new(&algorithm, &[]);
            assert_eq!(empty.pick(5, &[], &mut rng), None, "{algorithm:?}");
        }
    }

    #[test]
    fn picks_are_reproducible_from_the_seed() {
        for algorithm in all_algorithms() {
            let views = [BackendView::up(1), BackendView::up(0), BackendView::up(1)];
            let a = picks(&mut Balancer::new(&algorithm, &[2, 1, 1]), &views, 50);
            let b = picks(&mut Balancer::new(&algorithm, &[2, 1, 1]), &views, 50);
            assert_eq!(a, b, "{algorithm:?}");
        }
    }

    #[test]
    fn more_views_than_weights_treats_extra_backends_as_weight_one() {
        let mut balancer = Balancer::new(&BalancerAlgorithm::RoundRobin, &[1]);
        assert_eq!(picks(&mut balancer, &all_up(2), 4), vec![0, 1, 0, 1]);
        let mut smooth = Balancer::new(&BalancerAlgorithm::WeightedRoundRobin, &[3]);
        assert_eq!(
            picks(&mut smooth, &all_up(2), 4),
            vec![0, 0, 1, 0],
            "weights 3,1"
        );
    }

    #[test]
    fn only_hashing_algorithms_read_keys() {
        for algorithm in all_algorithms() {
            let reads = Balancer::new(&algorithm, &[1, 1]).reads_keys();
            assert_eq!(
                reads,
                matches!(
                    algorithm,
                    BalancerAlgorithm::ConsistentHash { .. }
                        | BalancerAlgorithm::Maglev { .. }
                        | BalancerAlgorithm::Rendezvous
                        | BalancerAlgorithm::BoundedLoadHash { .. }
                ),
                "{algorithm:?}"
            );
        }
    }

    fn all_algorithms() -> Vec<BalancerAlgorithm> {
        BalancerAlgorithm::CATALOG
            .iter()
            .map(|info| BalancerAlgorithm::default_named(info.name).unwrap())
            .collect()
    }
}
