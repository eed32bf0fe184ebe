//! The one source of randomness: a named PRNG (PCG-64 MCG from `rand_pcg`) seeded from the
//! design's seed, with independent streams derived per purpose.
//!
//! Why named and not `StdRng`/`SmallRng`: those may change algorithm between `rand` releases or
//! platforms; PCG-64 MCG is fixed, so a seed gives the same draws natively and in WASM forever.
//! No `usize` appears on a random path, for the same reason (it is 32 bits in WASM).
//!
//! Streams: every traffic source and every node gets its own generator, derived from
//! (seed, replication, stream kind, index). Changing one node's parameters changes how many
//! draws *it* makes, never the draws others see — common random numbers for A/B comparisons.

use rand_core::{RngCore, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// The simulation's random number generator.
#[derive(Debug, Clone)]
pub struct SimRng(Pcg64Mcg);

/// What a stream is for; part of the derivation so that, e.g., node 3 and source 3 differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum StreamKind {
    Source = 1,
    Node = 2,
    Edge = 3,
    Replication = 4,
}

impl SimRng {
    /// A generator for stream `(kind, index)` of replication `replication` under `seed`.
    pub fn derive(seed: u64, replication: u64, kind: StreamKind, index: u64) -> SimRng {
        let mut state = seed;
        let mut seed_bytes = [0u8; 16];
        let words = [
            splitmix64(&mut state) ^ replication.wrapping_mul(0x9E37_79B9_7F4A_7C15),
            splitmix64(&mut state) ^ (kind as u64).wrapping_mul(0xBF58_476D_1CE4_E5B9),
            splitmix64(&mut state) ^ index.wrapping_mul(0x94D0_49BB_1331_11EB),
        ];
        let mut mix = words[0];
        let lo = splitmix64(&mut mix) ^ words[1];
        let mut mix2 = lo ^ words[2];
        let hi = splitmix64(&mut mix2);
        let lo = splitmix64(&mut mix2) ^ lo;
        seed_bytes[..8].copy_from_slice(&lo.to_le_bytes());
        seed_bytes[8..].copy_from_slice(&hi.to_le_bytes());
        SimRng(Pcg64Mcg::from_seed(seed_bytes))
    }

    /// Uniform in `[0, 1)`, with 53 random bits.
    #[inline]
    pub fn uniform01(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `(0, 1]`: safe to take the logarithm of.
    #[inline]
    pub fn uniform_open0(&mut self) -> f64 {
        ((self.0.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in `[0, n)`, unbiased (Lemire's method). `n` must be positive.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = (self.0.next_u64() as u128) * (n as u128);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }

    /// True with probability `p`.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && (p >= 1.0 || self.uniform01() < p)
    }
}

impl RngCore for SimRng {
    #[inline]
    fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }
    #[inline]
    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill_bytes(dest)
    }
}

/// SplitMix64 step: a well-mixed 64-bit output per call, used only to derive seeds.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_derivation_gives_same_stream() {
        let mut a = SimRng::derive(42, 0, StreamKind::Node, 3);
        let mut b = SimRng::derive(42, 0, StreamKind::Node, 3);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn streams_differ_by_kind_index_replication_and_seed() {
        let first = |seed, rep, kind, idx| SimRng::derive(seed, rep, kind, idx).next_u64();
        let base = first(42, 0, StreamKind::Node, 3);
        assert_ne!(base, first(42, 0, StreamKind::Source, 3));
        assert_ne!(base, first(42, 0, StreamKind::Node, 4));
        assert_ne!(base, first(42, 1, StreamKind::Node, 3));
        assert_ne!(base, first(43, 0, StreamKind::Node, 3));
    }

    const PINNED: [u64; 3] = [
        18369251734490922985,
        1594210918160816409,
        656734536791176800,
    ];

    #[test]
    fn first_draws_are_pinned() {
        // Guards bit-identical streams across platforms and releases: if this changes, every
        // saved seed gives different results.
        let mut rng = SimRng::derive(1, 0, StreamKind::Source, 0);
        let draws: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        assert_eq!(draws, PINNED);
    }

    #[test]
    fn uniform_and_below_stay_in_range() {
        let mut rng = SimRng::derive(7, 0, StreamKind::Edge, 0);
        let mut counts = [0u32; 5];
        for _ in 0..50_000 {
            let u = rng.uniform01();
            assert!((0.0..1.0).contains(&u));
            let v = rng.uniform_open0();
            assert!(v > 0.0 && v <= 1.0);
            counts[rng.below(5) as usize] += 1;
        }
        for c in counts {
            assert!((9_500..10_500).contains(&c), "{counts:?}");
        }
    }
}
