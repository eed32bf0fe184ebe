//! Policies: small, separately tested algorithms the node models use (balancing, breaking, eviction, sharding, rate limiting, retry back-off).

pub mod balancer;
pub mod breaker;
pub mod eviction;
pub mod hash;
pub mod limiter;
pub mod retry;
pub mod sharding;
