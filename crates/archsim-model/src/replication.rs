//! A database's replicas as they are really run: asynchronous replication whose lag varies,
//! primary failover (a replica promoted after the crash is detected, losing the writes it had
//! not received), and read-your-writes routing. What each field means for a person is in
//! `docs/design-format.md`; the engine's `node::replication` implements them.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Primary failover (as Patroni, Orchestrator or a managed database's Multi-AZ failover do):
/// when a shard's primary crashes (a `primary_crash` fault), one of its replicas becomes the
/// primary `detection_ms` later. Until then the shard takes no writes. Writes the old primary
/// had acknowledged but not yet replicated when it crashed are lost (asynchronous
/// replication). The old primary, back at the fault's end, rejoins as a replica.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Failover {
    /// From the crash until a replica serves as the primary: the failure detector's timeout
    /// plus the election and promotion (Patroni's default TTL is 30 s; 10 s is a brisk setup).
    pub detection_ms: f64,
}

impl Default for Failover {
    fn default() -> Self {
        Failover {
            detection_ms: 10_000.0,
        }
    }
}

/// Read-your-writes: a user's reads of a key they wrote in the last `window_ms` go to the
/// primary, whatever `reads_from` says, so they never read their own write stale. The user is
/// the client's `users` member who sent the request (without `users`, the client node).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ReadYourWrites {
    /// How long after its write a client's reads of that key stay on the primary (cover the
    /// replication lag's tail: a read after the window may still be stale).
    pub window_ms: f64,
}

impl Default for ReadYourWrites {
    fn default() -> Self {
        ReadYourWrites { window_ms: 1_000.0 }
    }
}
