//! **Rendezvous hashing** (highest random weight; Thaler & Ravishankar, 1998): every member
//! scores the key with a hash of (key, member), and the key goes to the highest score. Removing
//! a member moves only the keys it held (each to its second choice); adding one takes `1/(n+1)`
//! of keys, from every member alike. O(members) per lookup, no table.
//!
//! Weighted by the logarithmic method (Schindelhauer & Schomaker; the form in Resch's
//! "weighted rendezvous hashing"): member `i` scores `w_i / −ln(u_i)` with `u_i` the hash as
//! a uniform number in (0, 1), so it wins a share `w_i / Σw` of keys exactly.
//!
//! API: [`member_seed`]`(name)` once per member, [`score`]`(key_hash, seed, weight)` per
//! lookup; the caller keeps the highest.

use crate::policy::hash::{mix64, xxh64};

/// A member's fixed contribution to every score: the hash of its name.
pub fn member_seed(name: &str) -> u64 {
    xxh64(name.as_bytes(), 0)
}

/// Member's score for a key (higher wins). `key_hash` is the key's position in hash space.
pub fn score(key_hash: u64, member_seed: u64, weight: u32) -> f64 {
    // mix64 is a bijection, so for one key no two members tie on the hash.
    let hash = mix64(key_hash ^ member_seed);
    // The top 53 bits as a uniform number strictly inside (0, 1).
    let uniform = ((hash >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
    f64::from(weight) / -libm::log(uniform)
}

/// The winning index among `members` (name seeds and weights) for `key_hash`, among those
/// `accept` allows; None when there is none.
pub fn winner(
    key_hash: u64,
    members: impl Iterator<Item = (u32, u64, u32)>,
    mut accept: impl FnMut(u32) -> bool,
) -> Option<u32> {
    let mut best: Option<(f64, u32)> = None;
    for (index, seed, weight) in members {
        if weight == 0 || !accept(index) {
            continue;
        }
        let s = score(key_hash, seed, weight);
        if best.is_none_or(|(top, _)| s > top) {
            best = Some((s, index));
        }
    }
    best.map(|(_, index)| index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::hash::key_hash;

    fn seeds(n: usize) -> Vec<u64> {
        (0..n).map(|i| member_seed(&format!("node-{i}"))).collect()
    }

    fn owner(key: u64, seeds: &[u64], weights: &[u32]) -> u32 {
        winner(
            key_hash(key),
            seeds
                .iter()
                .zip(weights)
                .enumerate()
                .map(|(i, (&s, &w))| (i as u32, s, w)),
            |_| true,
        )
        .unwrap()
    }

    #[test]
    fn rendezvous_gives_each_member_a_binomial_share() {
        let seeds = seeds(8);
        let mut counts = [0u32; 8];
        for key in 0..80_000 {
            counts[owner(key, &seeds, &[1; 8]) as usize] += 1;
        }
        // Each key is an independent 1/8 draw: σ = √(80000·1/8·7/8) ≈ 94; allow 5σ.
        for c in counts {
            assert!((9_530..10_470).contains(&c), "{counts:?}");
        }
    }

    #[test]
    fn rendezvous_weights_win_their_share_of_keys() {
        let seeds = seeds(3);
        let mut counts = [0u32; 3];
        for key in 0..70_000 {
            counts[owner(key, &seeds, &[1, 2, 4]) as usize] += 1;
        }
        // Expected 10000, 20000, 40000; σ ≤ 131; allow 5σ.
        for (c, expected) in counts.iter().zip([10_000.0, 20_000.0, 40_000.0]) {
            assert!((f64::from(*c) - expected).abs() < 660.0, "{counts:?}");
        }
    }

    #[test]
    fn rendezvous_removing_a_member_moves_only_its_keys() {
        let seeds = seeds(6);
        let mut weights = [1; 6];
        let before: Vec<u32> = (0..10_000).map(|k| owner(k, &seeds, &weights)).collect();
        weights[2] = 0;
        let after: Vec<u32> = (0..10_000).map(|k| owner(k, &seeds, &weights)).collect();
        let mut moved = 0;
        for k in 0..10_000 {
            if before[k] == 2 {
                moved += 1;
            } else {
                assert_eq!(before[k], after[k], "key {k} moved though its owner stayed");
            }
        }
        // 1/6 of keys: σ ≈ 37; allow 5σ.
        assert!((1_480..1_850).contains(&moved), "{moved}");
    }

    #[test]
    fn rendezvous_refused_members_pass_to_the_next_highest() {
        let seeds = seeds(4);
        let all = |i: u32| (i, seeds[i as usize], 1);
        let first = winner(key_hash(9), (0..4).map(all), |_| true).unwrap();
        let second = winner(key_hash(9), (0..4).map(all), |i| i != first).unwrap();
        assert_ne!(first, second);
        assert_eq!(winner(key_hash(9), (0..4).map(all), |_| false), None);
    }
}
