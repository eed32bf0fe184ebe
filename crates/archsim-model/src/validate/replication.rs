//! Rules of a database's replication fields (`crate::replication`) and of the `primary_crash`
//! fault.

use crate::design::{DatabaseParams, NodeKind};
use crate::problem::field_path;

use super::Checker;

impl Checker<'_> {
    /// `path` is the database's `params`.
    pub(super) fn replication(&mut self, path: &str, database: &DatabaseParams) {
        if let Some(lag) = &database.replication_lag {
            self.distribution(&field_path(path, "replication_lag"), lag);
        }
        if let Some(failover) = &database.failover {
            let failover_path = field_path(path, "failover");
            if database.replicas_per_shard == 0 {
                self.report(
                    failover_path.clone(),
                    "failover promotes a replica, but this database has none: set replicas_per_shard to 1 or more, or remove failover",
                );
            }
            self.non_negative(
                &field_path(&failover_path, "detection_ms"),
                failover.detection_ms,
            );
        }
        if let Some(read_your_writes) = &database.read_your_writes {
            self.non_negative(
                &field_path(&field_path(path, "read_your_writes"), "window_ms"),
                read_your_writes.window_ms,
            );
        }
    }

    /// A primary crash hits a database.
    pub(super) fn primary_crash(&mut self, index: usize) {
        let fault = &self.design.faults[index];
        match self.kind_of(&fault.target) {
            Some(NodeKind::Database(_)) | None => {}
            Some(other) => {
                let message = format!(
                    "a primary crash takes down a database's primaries, but `{}` is a {}; use a crash for other nodes",
                    fault.target,
                    other.name()
                );
                let path = field_path(&self.fault_path(index), "target");
                self.report(path, message);
            }
        }
    }
}
