//! Policies: small, separately tested algorithms the node models use (balancing, breaking, eviction, sharding, rate limiting, retry back-off).
//!
//! Each module documents its API at the top. None of them reads the clock or owns randomness:
//! time comes in as [`SimTime`](crate::time::SimTime) arguments and random draws from a
//! caller-supplied [`SimRng`](crate::rng::SimRng), so a node's policy decisions are reproducible
//! from the run's seed. [`hash`] holds the fixed hash functions and ring shared by consistent
//! hashing in [`balancer`] and [`sharding`].

pub mod balancer;
pub mod breaker;
pub mod eviction;
pub mod hash;
pub mod limiter;
pub mod retry;
pub mod sharding;
