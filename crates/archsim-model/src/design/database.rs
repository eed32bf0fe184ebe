//! The database node: shards, replicas, sharding methods and read preference.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{AlgorithmInfo, DEFAULT_MAGLEV_TABLE_SIZE, Distribution, default_maglev_table_size};
use crate::load_curve::LoadCurve;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseParams {
    pub shards: u32,
    /// Read replicas per shard, besides its primary.
    pub replicas_per_shard: u32,
    pub sharding: Sharding,
    pub reads_from: ReadPreference,
    /// Connections (concurrent queries) per primary or replica.
    pub connections: u32,
    /// Queries that may wait for a connection on each primary or replica.
    pub queue_capacity: u32,
    pub read_time: Distribution,
    pub write_time: Distribution,
    /// Delay before a write on a primary is applied on its replicas.
    pub replication_lag_ms: f64,
    /// Query times multiplied by a curve of the member's busy fraction of connections.
    pub load_curve: Option<LoadCurve>,
    /// The replication lag as a distribution (each write draws its own); absent: the constant
    /// `replication_lag_ms`.
    pub replication_lag: Option<Distribution>,
    /// Promote a replica when a shard's primary crashes; absent: the shard waits for its
    /// primary to come back.
    pub failover: Option<crate::replication::Failover>,
    /// A client's reads of a key it wrote recently go to the primary.
    pub read_your_writes: Option<crate::replication::ReadYourWrites>,
}

impl Default for DatabaseParams {
    fn default() -> Self {
        DatabaseParams {
            shards: 1,
            replicas_per_shard: 0,
            sharding: Sharding::Hash,
            reads_from: ReadPreference::Primary,
            connections: 10,
            queue_capacity: 200,
            read_time: Distribution::Exponential { mean_ms: 5.0 },
            write_time: Distribution::Exponential { mean_ms: 10.0 },
            replication_lag_ms: 50.0,
            load_curve: None,
            replication_lag: None,
            failover: None,
            read_your_writes: None,
        }
    }
}

/// How keys map to shards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Sharding {
    /// `hash(key) mod shards`.
    Hash,
    /// Contiguous key ranges of equal width.
    Range,
    /// A ring with `virtual_nodes` points per shard; shard `i` of database `db` is named
    /// `db/shard-i` (behind `ring_salt`), and its points derive from that name.
    ConsistentHash {
        virtual_nodes: u32,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        ring_salt: String,
    },
    /// Jump consistent hash (Lamping & Veach): no table at all, shards numbered `0..n`; going
    /// from n to n+1 shards moves `1/(n+1)` of keys, all to the new shard.
    Jump,
    /// Rendezvous (highest random weight) over the shards' names.
    Rendezvous,
    /// A Maglev lookup table of prime `table_size` entries over the shards' names.
    Maglev {
        #[serde(default = "default_maglev_table_size")]
        table_size: u32,
    },
}

impl Sharding {
    /// Every sharding scheme, in the editor's order: the one place each is named.
    pub const CATALOG: [AlgorithmInfo; 6] = [
        AlgorithmInfo {
            name: "hash",
            title: "Hash",
        },
        AlgorithmInfo {
            name: "range",
            title: "Key ranges",
        },
        AlgorithmInfo {
            name: "consistent_hash",
            title: "Consistent hash (ring)",
        },
        AlgorithmInfo {
            name: "jump",
            title: "Jump consistent hash",
        },
        AlgorithmInfo {
            name: "rendezvous",
            title: "Rendezvous (highest random weight)",
        },
        AlgorithmInfo {
            name: "maglev",
            title: "Maglev",
        },
    ];

    /// This scheme's catalog entry.
    pub fn info(&self) -> &'static AlgorithmInfo {
        &Self::CATALOG[match self {
            Sharding::Hash => 0,
            Sharding::Range => 1,
            Sharding::ConsistentHash { .. } => 2,
            Sharding::Jump => 3,
            Sharding::Rendezvous => 4,
            Sharding::Maglev { .. } => 5,
        }]
    }

    /// The name in JSON.
    pub fn name(&self) -> &'static str {
        self.info().name
    }

    /// The scheme called `name` in JSON, with default parameters (what the editor
    /// switches to).
    pub fn default_named(name: &str) -> Option<Sharding> {
        [
            Sharding::Hash,
            Sharding::Range,
            Sharding::ConsistentHash {
                virtual_nodes: 100,
                ring_salt: String::new(),
            },
            Sharding::Jump,
            Sharding::Rendezvous,
            Sharding::Maglev {
                table_size: DEFAULT_MAGLEV_TABLE_SIZE,
            },
        ]
        .into_iter()
        .find(|candidate| candidate.name() == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReadPreference {
    #[default]
    Primary,
    /// Reads go to the shard's replicas (the primary if it has none).
    Replicas,
    /// Reads go to any member of the shard.
    Any,
}
