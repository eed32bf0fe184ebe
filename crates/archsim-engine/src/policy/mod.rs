//! Policies: small, separately tested algorithms the node models use. Each family is a trait
//! and a closed enum with one file per algorithm: balancing (`balancer/`, [`balancer::Pick`]:
//! the pick, whether it reads keys, and feedback when a call is over), eviction (`eviction/`,
//! [`eviction::Order`]), queue disciplines (`queue_discipline/`: FIFO, LIFO, adaptive LIFO,
//! CoDel, priority by class), rate limiting (`limiter/`, [`limiter::Limit`]) and sharding
//! (`sharding/`, [`sharding::Scheme`]). Adding an algorithm is its file plus its line in the
//! family's enum (see `docs/adding-a-node-kind.md`). The breaker ([`breaker`]: resilience4j's
//! state machine, its sliding window a family of its own, time-based or count-based) and retry
//! back-off ([`retry`]) have one algorithm each, and so do the caller-side cures for overload:
//! Finagle's retry budget ([`retry_budget`]) and the SRE book's client-side adaptive
//! throttling ([`adaptive_throttle`]).
//!
//! None of them reads the clock or owns randomness: time comes in as
//! [`SimTime`](crate::time::SimTime) arguments and random draws from a caller-supplied
//! [`SimRng`](crate::rng::SimRng), so a node's policy decisions are reproducible from the run's
//! seed. [`hash`] holds the fixed hash functions (xxHash64, as Envoy) and the ring,
//! [`maglev`] the Maglev table and [`rendezvous`] the highest-random-weight score, each shared
//! by [`balancer`] and [`sharding`]; [`partitioner`] is Kafka's default partitioner (murmur2)
//! for partitioned queues.

pub mod adaptive_throttle;
pub mod balancer;
pub mod breaker;
pub mod eviction;
pub mod hash;
pub mod health;
pub mod hedging;
pub mod limiter;
pub mod maglev;
pub mod partitioner;
pub mod queue_discipline;
pub mod rendezvous;
pub mod retry;
pub mod retry_budget;
pub mod sharding;
