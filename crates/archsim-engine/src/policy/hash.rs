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
//! - [`HashRing::new`]`(members, virtual_nodes)`, [`HashRing::owner`]`(hash, accept)`: a ring
//!   with `virtual_nodes` points per member; the owner of a hash is the member of the first point
//!   clockwise from it that `accept`s. Lookup is a binary search, O(log(members·vnodes)), plus a
//!   walk past refused points.
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

/// A consistent-hash ring: `virtual_nodes` points per member, sorted by position.
///
/// A member's points depend only on its index and the replica number, never on how many members
/// there are, so adding member `n` adds points without moving any other: only the keys that now
/// fall just before one of the new points change owner (about `1/(n+1)` of them).
#[derive(Debug, Clone)]
pub struct HashRing {
    /// (position, member), sorted. Positions are distinct because `mix64` is a bijection and
    /// every (member, replica) pair gives a distinct input.
    points: Vec<(u64, u32)>,
}

impl HashRing {
    /// A ring for members `0..members`. `virtual_nodes` is clamped to `1..=MAX_VIRTUAL_NODES`.
    pub fn new(members: u32, virtual_nodes: u32) -> HashRing {
        let per_member = virtual_nodes.clamp(1, MAX_VIRTUAL_NODES);
        let mut points = Vec::with_capacity(members as usize * per_member as usize);
        for member in 0..members {
            for replica in 0..per_member {
                let position = mix64(((member as u64) << 32) | replica as u64);
                points.push((position, member));
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

    #[test]
    fn ring_has_virtual_nodes_points_per_member() {
        assert_eq!(HashRing::new(5, 100).len(), 500);
        assert_eq!(
            HashRing::new(3, 0).len(),
            3,
            "zero virtual nodes means one point each"
        );
        assert!(HashRing::new(0, 100).is_empty());
    }

    #[test]
    fn owner_walks_past_refused_members() {
        let ring = HashRing::new(4, 50);
        for key in 0..1000u64 {
            let hash = key_hash(key);
            let first = ring.owner(hash, |_| true).unwrap();
            let other = ring.owner(hash, |m| m != first).unwrap();
            assert_ne!(other, first);
            assert_eq!(ring.owner(hash, |_| false), None);
        }
        assert_eq!(HashRing::new(0, 10).owner(7, |_| true), None);
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
