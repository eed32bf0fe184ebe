//! Load-balancing algorithms: which backend gets the next request.
//!
//! API:
//! ```text
//! let mut balancer = Balancer::new(&params.algorithm, &edge_weights); // one per balancer node
//! let views: Vec<BackendView> = …;            // index = backend (outgoing edge) position
//! if let Some(index) = balancer.pick(request_key, &views, &mut rng) { … } else { /* none up */ }
//! ```
//! The caller owns backend state: it passes, on every pick, whether each backend is eligible
//! (`healthy`) and how many requests it has in flight, and it updates `in_flight` itself after
//! sending. A backend is a candidate when it is healthy and its weight is non-zero (weight 0
//! drains it under every algorithm). A backend beyond the end of `weights` has weight 1; one
//! beyond the end of `backends` does not exist. `pick` returns None when there is no candidate.
//!
//! Algorithms and why they behave as they do:
//! - **Round robin**: a cursor goes around the backends; each pick takes the first candidate at
//!   or after it, and the cursor moves past the chosen one. A down backend is skipped but the
//!   cyclic order of the others is unchanged (A B C with B down gives A C A C, and B rejoins in
//!   its place). O(n) worst case, O(1) when all are up.
//! - **Weighted round robin**: nginx's smooth algorithm. Each pick adds every candidate's weight
//!   to its running score, takes the highest score (lowest index on ties) and subtracts the total
//!   weight from the winner. Over any `sum(weights)` consecutive picks each backend gets exactly
//!   its weight, and a heavy backend's turns are interleaved rather than consecutive
//!   (5,1,1 → a a b a c a a). O(n).
//! - **Random**: uniform among candidates; one draw per pick. O(n) to list candidates.
//! - **Least connections**: fewest in flight. Ties rotate: the scan starts at a cursor that
//!   moves past each chosen backend, so idle backends share work instead of backend 0 taking it
//!   all. Deterministic, no draws. O(n).
//! - **Least request** (power of two choices): two distinct random candidates, the one with fewer
//!   in flight wins (the first drawn on a tie). Nearly as good as least connections at spreading
//!   load but needs no global scan in a real system and avoids herding onto one backend when
//!   load information is stale. Two draws per pick (one if a single candidate). O(n) to list
//!   candidates.
//! - **Consistent hash**: a [`HashRing`] with `virtual_nodes` points per backend, keyed by the
//!   request key; a key goes to the first candidate clockwise from it. When a backend goes down
//!   only its keys move (to the next backends on the ring), and come back when it recovers.
//!   O(log(n·vnodes)).
//!
//! No allocation per pick: candidate lists use a scratch buffer owned by the balancer.

use archsim_model::design::BalancerAlgorithm;

use crate::policy::hash::{HashRing, key_hash};
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

/// A balancer's algorithm and its state between picks.
#[derive(Debug, Clone)]
pub struct Balancer {
    weights: Vec<u32>,
    state: State,
    /// Reused candidate buffer, so picks don't allocate.
    scratch: Vec<u32>,
}

#[derive(Debug, Clone)]
enum State {
    RoundRobin { cursor: u32 },
    Smooth { scores: Vec<i64> },
    Random,
    LeastConnections { cursor: u32 },
    LeastRequest,
    ConsistentHash { ring: HashRing },
}

impl Balancer {
    /// A balancer for `weights.len()` backends (the balancer's outgoing edges, in order).
    pub fn new(algorithm: &BalancerAlgorithm, weights: &[u32]) -> Balancer {
        let count = u32::try_from(weights.len()).unwrap_or(u32::MAX);
        let state = match *algorithm {
            BalancerAlgorithm::RoundRobin => State::RoundRobin { cursor: 0 },
            BalancerAlgorithm::WeightedRoundRobin => State::Smooth {
                scores: vec![0; weights.len()],
            },
            BalancerAlgorithm::Random => State::Random,
            BalancerAlgorithm::LeastConnections => State::LeastConnections { cursor: 0 },
            BalancerAlgorithm::LeastRequest => State::LeastRequest,
            BalancerAlgorithm::ConsistentHash { virtual_nodes } => State::ConsistentHash {
                ring: HashRing::new(count, virtual_nodes),
            },
        };
        Balancer {
            weights: weights.to_vec(),
            state,
            scratch: Vec::with_capacity(weights.len()),
        }
    }

    /// Whether picks depend on the request key (so sources must draw keys).
    pub fn reads_keys(&self) -> bool {
        matches!(self.state, State::ConsistentHash { .. })
    }

    /// The backend for the next request, or None if no backend is a candidate.
    /// `key` matters only to consistent hashing; `rng` only to random and least request.
    pub fn pick(&mut self, key: u64, backends: &[BackendView], rng: &mut SimRng) -> Option<u32> {
        let count = u32::try_from(backends.len()).unwrap_or(u32::MAX);
        let weights = &self.weights;
        let is_candidate = |index: u32| {
            let weight = weights.get(index as usize).copied().unwrap_or(1);
            backends
                .get(index as usize)
                .is_some_and(|backend| backend.healthy && weight > 0)
        };
        match &mut self.state {
            State::RoundRobin { cursor } => {
                let chosen = (0..count)
                    .map(|step| (*cursor % count.max(1) + step) % count)
                    .find(|&index| is_candidate(index))?;
                *cursor = (chosen + 1) % count;
                Some(chosen)
            }
            State::Smooth { scores } => {
                if scores.len() < backends.len() {
                    scores.resize(backends.len(), 0);
                }
                let mut total: i64 = 0;
                let mut best: Option<u32> = None;
                for index in 0..count {
                    if !is_candidate(index) {
                        continue;
                    }
                    let weight = i64::from(weights.get(index as usize).copied().unwrap_or(1));
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
            State::Random => {
                collect_candidates(&mut self.scratch, count, is_candidate);
                let len = self.scratch.len() as u64;
                if len == 0 {
                    return None;
                }
                Some(self.scratch[rng.below(len) as usize])
            }
            State::LeastConnections { cursor } => {
                let mut best: Option<(u32, u32)> = None; // (in_flight, index)
                for step in 0..count {
                    let index = (*cursor % count + step) % count;
                    if !is_candidate(index) {
                        continue;
                    }
                    let load = backends[index as usize].in_flight;
                    if best.is_none_or(|(best_load, _)| load < best_load) {
                        best = Some((load, index));
                    }
                }
                let (_, chosen) = best?;
                *cursor = (chosen + 1) % count;
                Some(chosen)
            }
            State::LeastRequest => {
                collect_candidates(&mut self.scratch, count, is_candidate);
                let len = self.scratch.len() as u64;
                match len {
                    0 => None,
                    1 => Some(self.scratch[0]),
                    _ => {
                        let first = rng.below(len);
                        // Draw from the other len-1 slots, so the two choices are distinct.
                        let mut second = rng.below(len - 1);
                        if second >= first {
                            second += 1;
                        }
                        let a = self.scratch[first as usize];
                        let b = self.scratch[second as usize];
                        if backends[b as usize].in_flight < backends[a as usize].in_flight {
                            Some(b)
                        } else {
                            Some(a)
                        }
                    }
                }
            }
            State::ConsistentHash { ring } => ring.owner(key_hash(key), is_candidate),
        }
    }
}

fn collect_candidates(scratch: &mut Vec<u32>, count: u32, is_candidate: impl Fn(u32) -> bool) {
    scratch.clear();
    scratch.extend((0..count).filter(|&index| is_candidate(index)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::StreamKind;

    fn rng() -> SimRng {
        SimRng::derive(11, 0, StreamKind::Node, 0)
    }

    fn all_up(n: usize) -> Vec<BackendView> {
        vec![BackendView::up(0); n]
    }

    fn picks(balancer: &mut Balancer, views: &[BackendView], count: usize) -> Vec<u32> {
        let mut rng = rng();
        (0..count)
            .map(|i| balancer.pick(i as u64, views, &mut rng).unwrap())
            .collect()
    }

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

    fn key_owners(balancer: &mut Balancer, views: &[BackendView], keys: u64) -> Vec<u32> {
        let mut rng = rng();
        (0..keys)
            .map(|key| balancer.pick(key, views, &mut rng).unwrap())
            .collect()
    }

    #[test]
    fn consistent_hash_adding_a_backend_moves_about_one_nth_of_keys() {
        let algorithm = BalancerAlgorithm::ConsistentHash { virtual_nodes: 160 };
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
        let algorithm = BalancerAlgorithm::ConsistentHash { virtual_nodes: 160 };
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
        let algorithm = BalancerAlgorithm::ConsistentHash { virtual_nodes: 200 };
        let mut counts = [0u32; 8];
        for owner in key_owners(&mut Balancer::new(&algorithm, &[1; 8]), &all_up(8), 80_000) {
            counts[owner as usize] += 1;
        }
        // 200 points per backend: each share's relative spread is about 1/sqrt(200) ≈ 7%.
        for c in counts {
            assert!((7_500..12_500).contains(&c), "{counts:?}");
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

    fn all_algorithms() -> Vec<BalancerAlgorithm> {
        vec![
            BalancerAlgorithm::RoundRobin,
            BalancerAlgorithm::WeightedRoundRobin,
            BalancerAlgorithm::Random,
            BalancerAlgorithm::LeastConnections,
            BalancerAlgorithm::LeastRequest,
            BalancerAlgorithm::ConsistentHash { virtual_nodes: 50 },
        ]
    }
}
