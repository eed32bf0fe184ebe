//! Fixed hashing for policies: a 64-bit mixer, a consistent-hash ring, and a deterministic
//! `BuildHasher` for the policies' hash maps.
//!
//! Why fixed: std's `RandomState` seeds itself from the OS, so anything that hashed with it would
//! place keys differently on every run. Every hash here is a pure function of its input, the same
//! natively and in WASM.
//!
//! API:
//! - [`mix64`]`(x) -> u64`: the SplitMix64 finalizer. It is a bijection on `u64`, so distinct
//!   inputs never collide, and it spreads consecutive integers over the whole range.
//! - [`key_hash`]`(key) -> u64`: where a request key lands (on a ring, or before `mod n`).
//! - [`xxh64`]`(bytes, seed) -> u64`: xxHash64, what Envoy hashes host names with; here it
//!   hashes member names (backend ids, shard names) for rings, Maglev tables and rendezvous.
//! - [`HashRing::new`]`(names, virtual_nodes)`, [`HashRing::owner`]`(hash, accept)`: a ring
//!   with `virtual_nodes` points per member, placed by the member's name (never its position);
//!   the owner of a hash is the member of the first point clockwise from it that `accept`s.
//!   Lookup is a binary search, O(log(members·vnodes)), plus a walk past refused points.
//! - [`FixedState`]: `BuildHasher` for `HashMap<u64, _, FixedState>`; only lookups go through it,
//!   and no policy ever iterates such a map in an order that reaches a result.

use std::hash::{BuildHasher, Hasher};

/// SplitMix64's finalizer: a bijective, well-mixed 64-bit hash.
#[inline]
pub fn mix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Salt that separates request-key hashes from ring-point hashes, so that key `k` does not sit
/// exactly on some member's point by construction.
const KEY_SALT: u64 = 0x6A09_E667_F3BC_C908;

/// The position of a request key in hash space.
#[inline]
pub fn key_hash(key: u64) -> u64 {
    mix64(key ^ KEY_SALT)
}

/// Upper bound on ring points per member. A ring is built once per node, but an absurd
/// `virtual_nodes` (millions) would allocate gigabytes; balance stops improving long before this.
pub const MAX_VIRTUAL_NODES: u32 = 10_000;

const XXH_PRIME_1: u64 = 0x9E37_79B1_85EB_CA87;
const XXH_PRIME_2: u64 = 0xC2B2_AE3D_27D4_EB4F;
const XXH_PRIME_3: u64 = 0x1656_67B1_9E37_79F9;
const XXH_PRIME_4: u64 = 0x85EB_CA77_C2B2_AE63;
const XXH_PRIME_5: u64 = 0x27D4_EB2F_1656_67C5;

fn xxh_round(accumulator: u64, lane: u64) -> u64 {
    accumulator
        .wrapping_add(lane.wrapping_mul(XXH_PRIME_2))
        .rotate_left(31)
        .wrapping_mul(XXH_PRIME_1)
}

fn xxh_merge(hash: u64, accumulator: u64) -> u64 {
    (hash ^ xxh_round(0, accumulator))
        .wrapping_mul(XXH_PRIME_1)
        .wrapping_add(XXH_PRIME_4)
}

fn read_u64(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"))
}

/// xxHash64 of `bytes` with `seed`: the hash Envoy uses for its ring-hash and Maglev load
/// balancers (of a host's address), so rings and tables here are built as Envoy builds them.
pub fn xxh64(bytes: &[u8], seed: u64) -> u64 {
    let mut rest = bytes;
    let mut hash = if bytes.len() >= 32 {
        let mut lanes = [
            seed.wrapping_add(XXH_PRIME_1).wrapping_add(XXH_PRIME_2),
            seed.wrapping_add(XXH_PRIME_2),
            seed,
            seed.wrapping_sub(XXH_PRIME_1),
        ];
        while rest.len() >= 32 {
            for (index, lane) in lanes.iter_mut().enumerate() {
                *lane = xxh_round(*lane, read_u64(&rest[index * 8..]));
            }
            rest = &rest[32..];
        }
        let mut hash = lanes[0]
            .rotate_left(1)
            .wrapping_add(lanes[1].rotate_left(7))
            .wrapping_add(lanes[2].rotate_left(12))
            .wrapping_add(lanes[3].rotate_left(18));
        for lane in lanes {
            hash = xxh_merge(hash, lane);
        }
        hash
    } else {
        seed.wrapping_add(XXH_PRIME_5)
    };
    hash = hash.wrapping_add(bytes.len() as u64);
    while rest.len() >= 8 {
        hash ^= xxh_round(0, read_u64(rest));
        hash = hash
            .rotate_left(27)
            .wrapping_mul(XXH_PRIME_1)
            .wrapping_add(XXH_PRIME_4);
        rest = &rest[8..];
    }
    if rest.len() >= 4 {
        let word = u32::from_le_bytes(rest[..4].try_into().expect("4 bytes"));
        hash ^= u64::from(word).wrapping_mul(XXH_PRIME_1);
        hash = hash
            .rotate_left(23)
            .wrapping_mul(XXH_PRIME_2)
            .wrapping_add(XXH_PRIME_3);
        rest = &rest[4..];
    }
    for &byte in rest {
        hash ^= u64::from(byte).wrapping_mul(XXH_PRIME_5);
        hash = hash.rotate_left(11).wrapping_mul(XXH_PRIME_1);
    }
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(XXH_PRIME_2);
    hash ^= hash >> 29;
    hash = hash.wrapping_mul(XXH_PRIME_3);
    hash ^ (hash >> 32)
}

/// The name a member is hashed under: its id, behind the salt when there is one. Two designs
/// that name their backends alike get the same ring; a salt gives a different one.
pub fn salted_name(salt: &str, id: &str) -> String {
    if salt.is_empty() {
        id.to_string()
    } else {
        format!("{salt}/{id}")
    }
}

/// A consistent-hash ring: `virtual_nodes` points per member, sorted by position.
///
/// As Envoy's ring hash: point `i` of a member named `name` sits at `xxh64("{name}_{i}")`. A
/// member's points depend only on its own name (its id, salted), never on its position or on
/// the other members, so adding or removing a member moves only the keys that fall on its own
/// arcs (about `1/n` of them), and every member's share of the ring is a sum of `virtual_nodes`
/// independent arcs: its relative spread is about `1/√virtual_nodes`.
#[derive(Debug, Clone)]
pub struct HashRing {
    /// (position, member), sorted; a (vanishingly unlikely) tie of positions is broken by the
    /// member index, so the ring is the same on every run.
    points: Vec<(u64, u32)>,
}

impl HashRing {
    /// A ring whose member `m` is named `names[m]` (see [`salted_name`]). `virtual_nodes` is
    /// clamped to `1..=MAX_VIRTUAL_NODES`.
    pub fn new<S: AsRef<str>>(names: &[S], virtual_nodes: u32) -> HashRing {
        let per_member = virtual_nodes.clamp(1, MAX_VIRTUAL_NODES);
        let mut points = Vec::with_capacity(names.len() * per_member as usize);
        let mut text = String::new();
        for (member, name) in names.iter().enumerate() {
            for replica in 0..per_member {
                text.clear();
                text.push_str(name.as_ref());
                text.push('_');
                text.push_str(&replica.to_string());
                points.push((xxh64(text.as_bytes(), 0), member as u32));
            }
        }
        points.sort_unstable();
        HashRing { points }
    }

    /// Number of points on the ring.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The member of the first point at or after `hash` (wrapping around) for which `accept`
    /// returns true; None if the ring is empty or every member is refused.
    pub fn owner(&self, hash: u64, mut accept: impl FnMut(u32) -> bool) -> Option<u32> {
        let count = self.points.len();
        if count == 0 {
            return None;
        }
        let start = self
            .points
            .partition_point(|&(position, _)| position < hash);
        (0..count)
            .map(|step| self.points[(start + step) % count].1)
            .find(|&member| accept(member))
    }
}

/// A deterministic `BuildHasher` (no per-process seed) for maps keyed by `u64`.
#[derive(Debug, Clone, Copy, Default)]
pub struct FixedState;

impl BuildHasher for FixedState {
    type Hasher = FixedHasher;
    fn build_hasher(&self) -> FixedHasher {
        FixedHasher { state: 0 }
    }
}

/// The hasher behind [`FixedState`]: folds each word in with [`mix64`].
#[derive(Debug, Clone, Copy)]
pub struct FixedHasher {
    state: u64,
}

impl Hasher for FixedHasher {
    fn finish(&self) -> u64 {
        self.state
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.state = mix64(self.state.rotate_left(23) ^ value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn mix64_is_pinned() {
        // Guards ring placement across releases: if these change, saved designs shard differently.
        assert_eq!(mix64(0), 0xE220_A839_7B1D_CDAF);
        assert_eq!(mix64(1), 0x910A_2DEC_8902_5CC1);
    }

    fn names(prefix: &str, n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{prefix}{i}")).collect()
    }

    #[test]
    fn xxh64_matches_the_reference_library() {
        // From libxxhash 0.8.1 (XXH64), covering the short path, the 4- and 8-byte tails and
        // the 32-byte stripes.
        assert_eq!(xxh64(b"", 0), 0xEF46_DB37_51D8_E999);
        assert_eq!(xxh64(b"a", 0), 0xD24E_C4F1_A98C_6E5B);
        assert_eq!(xxh64(b"abc", 0), 0x44BC_2CF5_AD77_0999);
        assert_eq!(
            xxh64(b"Nobody inspects the spammish repetition", 0),
            0xFBCE_A83C_8A37_8BF1
        );
        assert_eq!(xxh64(b"backend-1_0", 0), 0x8A00_722C_1FC3_6BC3);
        assert_eq!(xxh64(b"api-7", 1), 0x9366_7802_8DDC_C5D2);
        assert_eq!(
            xxh64(b"0123456789abcdef0123456789abcdef0123456789", 7),
            0x9CDB_6129_259B_938E
        );
    }

    #[test]
    fn ring_has_virtual_nodes_points_per_member() {
        assert_eq!(HashRing::new(&names("b", 5), 100).len(), 500);
        assert_eq!(
            HashRing::new(&names("b", 3), 0).len(),
            3,
            "zero virtual nodes means one point each"
        );
        assert!(HashRing::new(&names("b", 0), 100).is_empty());
    }

    #[test]
    fn ring_points_are_envoys_name_underscore_index() {
        let ring = HashRing::new(&["backend-1"], 3);
        let mut expected: Vec<(u64, u32)> = (0..3)
            .map(|i| (xxh64(format!("backend-1_{i}").as_bytes(), 0), 0))
            .collect();
        expected.sort_unstable();
        assert_eq!(ring.points, expected);
        assert!(ring.points.contains(&(0x8A00_722C_1FC3_6BC3, 0)));
    }

    #[test]
    fn owner_walks_past_refused_members() {
        let ring = HashRing::new(&names("b", 4), 50);
        for key in 0..1000u64 {
            let hash = key_hash(key);
            let first = ring.owner(hash, |_| true).unwrap();
            let other = ring.owner(hash, |m| m != first).unwrap();
            assert_ne!(other, first);
            assert_eq!(ring.owner(hash, |_| false), None);
        }
        assert_eq!(HashRing::new(&names("b", 0), 10).owner(7, |_| true), None);
    }

    #[test]
    fn a_members_points_follow_its_name_not_its_position() {
        let forward = HashRing::new(&["a", "b", "c"], 20);
        let backward = HashRing::new(&["c", "b", "a"], 20);
        for key in 0..2_000 {
            let hash = key_hash(key);
            let one = forward.owner(hash, |_| true).unwrap();
            let other = backward.owner(hash, |_| true).unwrap();
            assert_eq!(one, 2 - other, "key {key} changed owner with the order");
        }
    }

    /// The share of hash space each member owns: every point owns the arc from the point before
    /// it (exclusive) up to itself.
    fn shares(ring: &HashRing, members: usize) -> Vec<f64> {
        let mut owned = vec![0u128; members];
        let points = &ring.points;
        for (i, &(position, member)) in points.iter().enumerate() {
            let previous = if i == 0 {
                points[points.len() - 1].0
            } else {
                points[i - 1].0
            };
            owned[member as usize] += u128::from(position.wrapping_sub(previous));
        }
        let whole = (u128::from(u64::MAX) + 1) as f64;
        owned.into_iter().map(|o| o as f64 / whole).collect()
    }

    /// Squared coefficient of variation of `values` about their mean (population form).
    fn cv_squared(values: &[f64]) -> f64 {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n / (mean * mean)
    }

    #[test]
    fn ring_load_spread_matches_the_theory_for_random_points() {
        // n·v points uniform on the circle: a member's share is Beta(v, (n−1)·v), so the
        // squared coefficient of variation of shares is (n−1)/(n·v+1) ≈ 1/v. Averaged over
        // rings with different names (another design, another salt), it must match.
        for (members, virtual_nodes) in [(5usize, 1u32), (10, 10), (8, 50), (20, 100), (50, 160)] {
            let rings = 4_000 / members;
            let mut total = 0.0;
            for salt in 0..rings {
                let names: Vec<String> = (0..members)
                    .map(|i| salted_name(&format!("salt{salt}"), &format!("backend-{i}")))
                    .collect();
                total += cv_squared(&shares(&HashRing::new(&names, virtual_nodes), members));
            }
            let measured = total / rings as f64;
            let n = members as f64;
            let theory = (n - 1.0) / (n * f64::from(virtual_nodes) + 1.0);
            // The estimate is a mean of ~4000 shares: its relative error is a few percent.
            assert!(
                (measured / theory - 1.0).abs() < 0.12,
                "{members} members × {virtual_nodes} vnodes: CV² {measured:.5}, theory {theory:.5}"
            );
        }
    }

    #[test]
    fn ring_keys_per_member_spread_as_one_over_root_vnodes() {
        // Keys rather than arcs: with K keys the CV² adds the binomial n/K to the ring's.
        let (members, virtual_nodes, keys) = (16usize, 100u32, 200_000u64);
        let mut total = 0.0;
        let rings = 60;
        for salt in 0..rings {
            let names: Vec<String> = (0..members)
                .map(|i| salted_name(&format!("s{salt}"), &format!("shard-{i}")))
                .collect();
            let ring = HashRing::new(&names, virtual_nodes);
            let mut counts = vec![0.0; members];
            for key in 0..keys {
                counts[ring.owner(key_hash(key), |_| true).unwrap() as usize] += 1.0;
            }
            total += cv_squared(&counts);
        }
        let measured = (total / f64::from(rings)).sqrt();
        let n = members as f64;
        let theory =
            ((n - 1.0) / (n * f64::from(virtual_nodes) + 1.0) + (n - 1.0) / keys as f64).sqrt();
        assert!(
            (measured / theory - 1.0).abs() < 0.1,
            "CV {measured:.4}, theory {theory:.4} (1/√v = 0.1)"
        );
    }

    #[test]
    fn removing_one_member_of_n_remaps_one_nth_of_keys_and_no_others() {
        for members in [4usize, 10, 25] {
            let mut moved_total = 0u64;
            let mut keys_total = 0u64;
            for salt in 0..12 {
                let names: Vec<String> = (0..members)
                    .map(|i| salted_name(&format!("r{salt}"), &format!("node-{i}")))
                    .collect();
                let ring = HashRing::new(&names, 100);
                let removed = salt % members;
                // The remaining members, renumbered: their points follow their names.
                let remaining: Vec<String> = names
                    .iter()
                    .enumerate()
                    .filter(|&(i, _)| i != removed)
                    .map(|(_, name)| name.clone())
                    .collect();
                let smaller = HashRing::new(&remaining, 100);
                for key in 0..5_000u64 {
                    let hash = key_hash(key);
                    let before = &names[ring.owner(hash, |_| true).unwrap() as usize];
                    let after = &remaining[smaller.owner(hash, |_| true).unwrap() as usize];
                    if before != after {
                        assert_eq!(before, &names[removed], "a key of a remaining member moved");
                        moved_total += 1;
                    }
                    keys_total += 1;
                }
            }
            let moved = moved_total as f64 / keys_total as f64;
            let expected = 1.0 / members as f64;
            // Mean of 12 shares with relative spread 1/√100 each, plus key noise: ±15% is ~4σ.
            assert!(
                (moved / expected - 1.0).abs() < 0.15,
                "{members} members: moved {moved:.4}, expected {expected:.4}"
            );
        }
    }

    #[test]
    fn fixed_state_hashes_the_same_every_time() {
        let a = FixedState.hash_one(12345u64);
        let b = FixedState.hash_one(12345u64);
        assert_eq!(a, b);
        assert_ne!(a, FixedState.hash_one(12346u64));
        let mut map: HashMap<u64, u32, FixedState> = HashMap::with_hasher(FixedState);
        map.insert(3, 9);
        assert_eq!(map.get(&3), Some(&9));
    }
}
