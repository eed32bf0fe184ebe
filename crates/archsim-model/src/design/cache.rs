//! The cache node: capacity, eviction policy, write policy, TTL and miss coalescing.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{AlgorithmInfo, Distribution};
use crate::load_curve::LoadCurve;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CacheParams {
    /// Keys the cache holds.
    pub capacity: u64,
    pub eviction: Eviction,
    /// Entries expire this long after being written (or last read, with
    /// `ttl_refresh_on_access`). None: never.
    pub ttl_ms: Option<f64>,
    /// A hit restarts the entry's TTL (expire after access), instead of the TTL running from
    /// the write (expire after write).
    pub ttl_refresh_on_access: bool,
    /// Time to answer a hit (and to look up a miss).
    pub hit_time: Distribution,
    /// Writes invalidate the key and pass through to the downstream.
    pub write_policy: WritePolicy,
    /// Lookup time multiplied by a curve of the cache's load: requests in it at once divided
    /// by `concurrency`.
    pub load_curve: Option<LoadCurve>,
    /// Requests the cache holds at once at full load (the `u = 1` of its load curve).
    pub concurrency: u32,
    /// Single-flight: a read that misses while a read of the same key is already on its way
    /// downstream waits for that one instead of sending its own.
    pub coalesce_misses: bool,
    /// Write-back: how long after a key's first unflushed write its flush goes downstream.
    pub write_back_delay_ms: f64,
}

impl Default for CacheParams {
    fn default() -> Self {
        CacheParams {
            capacity: 1_000,
            eviction: Eviction::Lru,
            ttl_ms: None,
            ttl_refresh_on_access: false,
            hit_time: Distribution::Constant { ms: 0.5 },
            write_policy: WritePolicy::Invalidate,
            load_curve: None,
            concurrency: 100,
            coalesce_misses: false,
            write_back_delay_ms: 1_000.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Eviction {
    #[default]
    Lru,
    Lfu,
    Fifo,
    Random,
    /// SIEVE (NSDI'24): a FIFO queue with a visited bit per entry and a moving hand.
    Sieve,
    /// W-TinyLFU as Caffeine: a 1% LRU window, a segmented main space, admission by a
    /// count-min frequency sketch.
    #[serde(rename = "w_tinylfu")]
    WTinyLfu,
}

impl Eviction {
    /// Every eviction policy, in the editor's order: the one place each is named.
    pub const CATALOG: [AlgorithmInfo; 6] = [
        AlgorithmInfo {
            name: "lru",
            title: "Least recently used",
        },
        AlgorithmInfo {
            name: "lfu",
            title: "Least frequently used",
        },
        AlgorithmInfo {
            name: "fifo",
            title: "First in, first out",
        },
        AlgorithmInfo {
            name: "random",
            title: "Random",
        },
        AlgorithmInfo {
            name: "sieve",
            title: "SIEVE",
        },
        AlgorithmInfo {
            name: "w_tinylfu",
            title: "W-TinyLFU (Caffeine)",
        },
    ];

    /// This policy's catalog entry.
    pub fn info(&self) -> &'static AlgorithmInfo {
        &Self::CATALOG[match self {
            Eviction::Lru => 0,
            Eviction::Lfu => 1,
            Eviction::Fifo => 2,
            Eviction::Random => 3,
            Eviction::Sieve => 4,
            Eviction::WTinyLfu => 5,
        }]
    }

    /// The name in JSON.
    pub fn name(&self) -> &'static str {
        self.info().name
    }

    /// The policy called `name` in JSON, with default parameters (what the editor
    /// switches to).
    pub fn default_named(name: &str) -> Option<Eviction> {
        [
            Eviction::Lru,
            Eviction::Lfu,
            Eviction::Fifo,
            Eviction::Random,
            Eviction::Sieve,
            Eviction::WTinyLfu,
        ]
        .into_iter()
        .find(|candidate| candidate.name() == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WritePolicy {
    /// Delete the key, write to the downstream.
    #[default]
    Invalidate,
    /// Write to the downstream, then store the new value in the cache.
    WriteThrough,
    /// Store the new value and answer at once; flush it to the downstream
    /// `write_back_delay_ms` later, one flush per key for all the writes before it. A crash
    /// loses the writes not yet flushed.
    WriteBack,
}
