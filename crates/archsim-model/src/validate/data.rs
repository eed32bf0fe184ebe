//! Rules of the data tier: caches, message queues, databases and rate limiters.

use super::{MAX_PARTITIONS, MAX_REPLICAS_PER_SHARD, MAX_SHARDS};
use crate::design::{
    CacheParams, DatabaseParams, NodeKind, QueueParams, RateLimitAlgorithm, RateLimiterParams,
    Sharding,
};
use crate::discipline::QueueDiscipline;
use crate::problem::field_path;
use std::collections::HashSet;

use super::Checker;

impl<'a> Checker<'a> {
    pub(super) fn cache(&mut self, path: &str, cache: &CacheParams) {
        self.at_least_one(
            &field_path(path, "capacity"),
            cache.capacity,
            "keys the cache holds",
        );
        if let Some(ttl) = cache.ttl_ms {
            self.positive(&field_path(path, "ttl_ms"), ttl);
        }
        self.distribution(&field_path(path, "hit_time"), &cache.hit_time);
        if let Some(curve) = &cache.load_curve {
            self.load_curve(&field_path(path, "load_curve"), curve);
            self.at_least_one(
                &field_path(path, "concurrency"),
                cache.concurrency.into(),
                "requests at once at full load, the load curve's utilisation 1",
            );
        }
        self.positive(
            &field_path(path, "write_back_delay_ms"),
            cache.write_back_delay_ms,
        );
    }

    pub(super) fn queue(&mut self, node_path: &str, id: &str, queue: &QueueParams) {
        let path = field_path(node_path, "params");
        self.at_least_one(
            &field_path(&path, "capacity"),
            queue.capacity,
            "messages the queue holds",
        );
        match &queue.consumer_scaling {
            Some(scaling) => self.consumer_scaling(&path, queue, scaling),
            None => self.at_least_one(
                &field_path(&path, "consumers"),
                queue.consumers.into(),
                "messages delivered at once",
            ),
        }
        self.at_least_one(
            &field_path(&path, "max_deliveries"),
            queue.max_deliveries.into(),
            "deliveries of one message",
        );
        if let Some(timeout) = queue.visibility_timeout_ms {
            let timeout_path = field_path(&path, "visibility_timeout_ms");
            self.positive(&timeout_path, timeout);
            if queue.partitions.is_some() {
                self.report(
                    timeout_path,
                    "a visibility timeout is how SQS consumes a queue; a partitioned topic (Kafka) has none: remove one of visibility_timeout_ms and partitions",
                );
            }
        }
        if let Some(partitions) = queue.partitions {
            let partitions_path = field_path(&path, "partitions");
            self.at_least_one(
                &partitions_path,
                partitions.into(),
                "partitions of the topic",
            );
            self.at_most(
                &partitions_path,
                partitions.into(),
                MAX_PARTITIONS,
                "partitions of one topic",
            );
        }
        self.queue_discipline_of_a_queue(&path, queue);
        let dead_letter = queue.dead_letter.as_deref();
        let has_edge_to = |target: &str| self.outgoing(id).any(|edge| edge.to == target);
        if let Some(target) = dead_letter
            && !has_edge_to(target)
        {
            let dead_letter_path = field_path(&path, "dead_letter");
            if !self.may_be_a_node(target) {
                self.report(dead_letter_path, format!("no node has id `{target}`"));
            } else if !self.gaps.edges_missing {
                self.report(
                    dead_letter_path,
                    format!(
                        "`{target}` is not at the end of an edge from `{id}`; add an edge `{id}` → `{target}` for dead letters"
                    ),
                );
            }
        }
        // A dead-letter queue may be a plain sink: its messages wait there for inspection.
        let is_dead_letter_sink = self.dead_letter_targets().contains(id);
        // A missing node might name this queue as its dead letter; a missing edge might start here.
        if !is_dead_letter_sink
            && !self.gaps.nodes_missing
            && !self.gaps.edges_missing
            && !self
                .design
                .outgoing(id)
                .any(|edge| Some(edge.to.as_str()) != dead_letter)
        {
            self.report(
                node_path,
                format!("queue `{id}` has no outgoing edge to a consumer, so its messages would never be delivered; add an edge from it"),
            );
        }
    }

    /// A message queue's discipline: the services' rules, and only on a plain shared queue.
    fn queue_discipline_of_a_queue(&mut self, path: &str, queue: &QueueParams) {
        let discipline_path = field_path(path, "queue_discipline");
        self.queue_discipline(&discipline_path, &queue.queue_discipline);
        if queue.queue_discipline == QueueDiscipline::Fifo {
            return;
        }
        let name = queue.queue_discipline.name();
        let why = if queue.partitions.is_some() {
            Some(
                "a partitioned topic delivers each partition in the order it was written (a Kafka log has no other order and drops nothing); use fifo, or remove partitions",
            )
        } else if queue.visibility_timeout_ms.is_some() {
            Some(
                "a queue with visibility_timeout_ms is consumed as SQS is, which has no delivery-order setting and drops no message before its receives are spent; use fifo, or remove visibility_timeout_ms",
            )
        } else if queue.fan_out {
            Some(
                "a fan-out topic's subscriptions each read every message in the order it was published (as Kafka consumer groups or Pub/Sub subscriptions do); use fifo, or turn fan_out off",
            )
        } else {
            None
        };
        if let Some(why) = why {
            self.report(
                discipline_path,
                format!("`{name}` is not possible here: {why}"),
            );
        }
    }

    /// Ids that some queue names as its dead-letter node; computed once.
    pub(super) fn dead_letter_targets(&self) -> &HashSet<&'a str> {
        let design = self.design;
        self.dead_letters.get_or_init(|| {
            design
                .nodes
                .iter()
                .filter_map(|node| match &node.spec {
                    NodeKind::Queue(queue) => queue.dead_letter.as_deref(),
                    _ => None,
                })
                .collect()
        })
    }

    pub(super) fn database(&mut self, path: &str, database: &DatabaseParams) {
        self.at_least_one(
            &field_path(path, "shards"),
            database.shards.into(),
            "shards",
        );
        self.at_most(
            &field_path(path, "shards"),
            database.shards.into(),
            MAX_SHARDS,
            "shards",
        );
        self.at_most(
            &field_path(path, "replicas_per_shard"),
            database.replicas_per_shard.into(),
            MAX_REPLICAS_PER_SHARD,
            "replicas per shard",
        );
        self.at_least_one(
            &field_path(path, "connections"),
            database.connections.into(),
            "concurrent queries per primary or replica",
        );
        let sharding = field_path(path, "sharding");
        match database.sharding {
            Sharding::ConsistentHash { virtual_nodes, .. } => {
                self.virtual_nodes(&sharding, virtual_nodes, "shard");
            }
            Sharding::Maglev { table_size } => self.maglev_table_size(&sharding, table_size),
            Sharding::Hash | Sharding::Range | Sharding::Jump | Sharding::Rendezvous => {}
        }
        self.distribution(&field_path(path, "read_time"), &database.read_time);
        self.distribution(&field_path(path, "write_time"), &database.write_time);
        self.non_negative(
            &field_path(path, "replication_lag_ms"),
            database.replication_lag_ms,
        );
        if let Some(curve) = &database.load_curve {
            self.load_curve(&field_path(path, "load_curve"), curve);
        }
        self.replication(path, database);
    }

    pub(super) fn rate_limiter(&mut self, path: &str, limiter: &RateLimiterParams) {
        let algorithm = field_path(path, "algorithm");
        match limiter.algorithm {
            RateLimitAlgorithm::TokenBucket { rate_rps, burst } => {
                self.positive(&field_path(&algorithm, "rate_rps"), rate_rps);
                self.at_least_one(
                    &field_path(&algorithm, "burst"),
                    burst.into(),
                    "tokens the bucket holds",
                );
            }
            RateLimitAlgorithm::Gcra { rate_rps, burst } => {
                self.positive(&field_path(&algorithm, "rate_rps"), rate_rps);
                self.at_least_one(
                    &field_path(&algorithm, "burst"),
                    burst.into(),
                    "requests admitted back to back from idle",
                );
            }
            RateLimitAlgorithm::LeakyBucket { rate_rps, capacity } => {
                self.positive(&field_path(&algorithm, "rate_rps"), rate_rps);
                self.at_least_one(
                    &field_path(&algorithm, "capacity"),
                    capacity.into(),
                    "requests the bucket holds",
                );
            }
            RateLimitAlgorithm::FixedWindow { limit, window_ms }
            | RateLimitAlgorithm::SlidingWindow { limit, window_ms } => {
                self.at_least_one(
                    &field_path(&algorithm, "limit"),
                    limit.into(),
                    "requests per window",
                );
                self.positive(&field_path(&algorithm, "window_ms"), window_ms);
            }
        }
    }
}
