//! Kind-specific figures per node (caches, queues, databases, rate limiters, autoscaled groups,
//! balancers) and failure causes, one line each, only where there is something to say.

use super::failure_causes;
use super::format::{number, per_member, percent, seconds, with_ci};
use archsim_model::{AutoscalingReport, CacheReport, DatabaseReport, QueueReport, Report};
use std::fmt::Write;

/// Scale events a table lists per group before "and N more".
const SCALE_EVENTS_LISTED: usize = 12;

/// The lines of every node that has any, after the node table.
pub(super) fn node_details(out: &mut String, report: &Report) {
    let mut lines = Vec::new();
    for (id, node) in &report.nodes {
        let causes: Vec<String> = failure_causes(&node.failures)
            .into_iter()
            .filter(|(_, estimate)| estimate.value != 0.0)
            .map(|(cause, estimate)| format!("{cause} {}", with_ci(estimate)))
            .collect();
        if !causes.is_empty() {
            lines.push(format!("{id}: failed by cause: {}", causes.join(", ")));
        }
        if let Some(cache) = &node.cache {
            cache_lines(&mut lines, id, cache);
        }
        if let Some(queue) = &node.queue {
            queue_lines(&mut lines, id, queue);
        }
        if let Some(database) = &node.database {
            database_lines(&mut lines, id, database);
        }
        if let Some(limiter) = &node.rate_limiter {
            lines.push(format!(
                "{id}: admitted {}, rejected {}",
                with_ci(limiter.admitted),
                with_ci(limiter.rejected)
            ));
        }
        if let Some(scaling) = &node.autoscaling {
            // A queue's scaled group is its consumers (KEDA); a service's, its instances.
            let unit = if node.queue.is_some() {
                "consumers"
            } else {
                "instances"
            };
            autoscaling_lines(&mut lines, id, unit, scaling);
        }
        if let Some(balancer) = &node.balancer {
            let split: Vec<String> = balancer
                .iter()
                .map(|(backend, estimate)| format!("{backend} {}", number(estimate.value)))
                .collect();
            lines.push(format!("{id}: sent to {}", split.join(", ")));
        }
        if let Some(health) = &node.balancer_health
            && (health.probes.value > 0.0
                || health.ejections.value > 0.0
                || health.panic_picks.value > 0.0)
        {
            lines.push(format!(
                "{id}: probes {} ({} failed), marked down {}, ejections {}, routed in panic {}",
                with_ci(health.probes),
                with_ci(health.probe_failures),
                with_ci(health.marked_down),
                with_ci(health.ejections),
                with_ci(health.panic_picks)
            ));
        }
    }
    if !lines.is_empty() {
        let _ = writeln!(out);
        for line in lines {
            let _ = writeln!(out, "  {line}");
        }
    }
}

/// Hit ratio and its parts; single-flight and write-back when they did something.
fn cache_lines(lines: &mut Vec<String>, id: &str, cache: &CacheReport) {
    lines.push(format!(
        "{id}: hit ratio {}, hits {}, misses {}, evictions {}, expirations {}",
        percent(cache.hit_ratio),
        with_ci(cache.hits),
        with_ci(cache.misses),
        with_ci(cache.evictions),
        with_ci(cache.expirations)
    ));
    if cache.coalesced.value > 0.0 {
        lines.push(format!(
            "{id}: misses coalesced (waited for another read's fetch) {}",
            with_ci(cache.coalesced)
        ));
    }
    if let Some(write_back) = &cache.write_back {
        lines.push(format!(
            "{id}: write-back flushes {}, writes coalesced into a flush {}, writes lost in crashes {}",
            with_ci(write_back.flushes),
            with_ci(write_back.coalesced_writes),
            with_ci(write_back.lost_writes)
        ));
    }
}

/// A consumer group's committed offsets, one per partition (positions: plain integers).
fn offsets_list(offsets: &[u64]) -> String {
    offsets
        .iter()
        .map(|&o| number(o as f64))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Traffic through a queue, then partitions, visibility timeout, fan-out and backpressure.
fn queue_lines(lines: &mut Vec<String>, id: &str, queue: &QueueReport) {
    lines.push(format!(
        "{id}: enqueued {}, delivered {}, redeliveries {}, dead-lettered {}, max depth {}",
        with_ci(queue.enqueued),
        with_ci(queue.delivered),
        with_ci(queue.redeliveries),
        with_ci(queue.dead_lettered),
        with_ci(queue.max_depth)
    ));
    if !queue.partition_messages.is_empty() {
        lines.push(format!(
            "{id}: messages per partition [{}], max lag per partition [{}]",
            per_member(&queue.partition_messages),
            per_member(&queue.partition_max_lag)
        ));
    }
    if let (Some(again), Some(duplicates)) = (queue.visible_again, queue.duplicates) {
        lines.push(format!(
            "{id}: visibility timeout: visible again {}, duplicate deliveries {}",
            with_ci(again),
            with_ci(duplicates)
        ));
    }
    if !queue.subscription_messages.is_empty() {
        lines.push(format!(
            "{id}: fan-out: messages per subscription [{}], max lag per subscription [{}]",
            per_member(&queue.subscription_messages),
            per_member(&queue.subscription_max_lag)
        ));
    }
    if queue.group_partition_max_lag.len() > 1 {
        // A topic read by several consumer groups (one per subscription, in edge order): each
        // group's lag and committed offset per partition.
        for (g, lags) in queue.group_partition_max_lag.iter().enumerate() {
            let committed = queue
                .group_committed_offsets
                .get(g)
                .map_or(String::new(), |offsets| offsets_list(offsets));
            lines.push(format!(
                "{id}: consumer group {}: max lag per partition [{}], committed offset per partition [{committed}]",
                g + 1,
                per_member(lags)
            ));
        }
    } else if let Some(committed) = queue.group_committed_offsets.first() {
        lines.push(format!(
            "{id}: committed offset per partition [{}]",
            offsets_list(committed)
        ));
    }
    for (g, scaling) in queue.group_autoscaling.iter().enumerate() {
        // Each subscription's group scaled on its own lag.
        autoscaling_lines(
            lines,
            &format!("{id} consumer group {}", g + 1),
            "consumers",
            scaling,
        );
    }
    if queue.blocked.value > 0.0 {
        lines.push(format!(
            "{id}: producers made to wait (backpressure) {}",
            with_ci(queue.blocked)
        ));
    }
}

/// Shard balance and replicas, then failovers, read-your-writes and reshards.
fn database_lines(lines: &mut Vec<String>, id: &str, database: &DatabaseReport) {
    let shards: Vec<String> = database
        .shard_queries
        .iter()
        .map(|estimate| number(estimate.value))
        .collect();
    lines.push(format!(
        "{id}: queries per shard [{}], reads on replicas {}, stale reads {}",
        shards.join(", "),
        with_ci(database.reads_on_replicas),
        with_ci(database.stale_reads)
    ));
    if let Some(lost) = database.lost_writes {
        lines.push(format!("{id}: writes lost at failovers {}", with_ci(lost)));
    }
    for failover in &database.failovers {
        lines.push(format!(
            "{id}: failover of shard {}: primary crashed at {} ms, replica promoted at {} ms, {} acknowledged writes lost",
            failover.shard,
            number(failover.crashed_at_ms),
            number(failover.promoted_at_ms),
            failover.lost_writes
        ));
    }
    if let Some(reads) = database.own_write_reads {
        lines.push(format!(
            "{id}: reads kept on the primary (read-your-writes) {}",
            with_ci(reads)
        ));
    }
    for reshard in &database.reshards {
        lines.push(format!(
            "{id}: reshard {} → {} shards at {} ms moved {:.1}% of keys; {} queries paid the move",
            reshard.from_shards,
            reshard.to_shards,
            number(reshard.at_ms),
            reshard.keys_moved * 100.0,
            with_ci(reshard.migration_queries)
        ));
    }
}

/// An autoscaled group's size over the run, discovery, and its first scale events.
fn autoscaling_lines(lines: &mut Vec<String>, id: &str, unit: &str, scaling: &AutoscalingReport) {
    lines.push(format!(
        "{id}: {unit} mean {}, peak {}, at max {} of the time, scale-ups {}, scale-downs {}",
        with_ci(scaling.mean_instances),
        number(scaling.peak_instances.value),
        percent(scaling.time_at_max),
        with_ci(scaling.scale_ups),
        with_ci(scaling.scale_downs)
    ));
    if let Some(crashes) = scaling.instance_crashes {
        lines.push(format!(
            "{id}: instances crashed (instance_crash faults) {}",
            with_ci(crashes)
        ));
    }
    if let Some(known) = scaling.mean_instances_known {
        lines.push(format!(
            "{id}: discovery: instances known to callers mean {}, requests sent to gone instances {}",
            with_ci(known),
            with_ci(scaling.sent_to_gone)
        ));
    }
    if !scaling.events.is_empty() {
        let shown: Vec<String> = scaling
            .events
            .iter()
            .take(SCALE_EVENTS_LISTED)
            .map(|e| format!("{} {}→{}", seconds(e.t_ms), e.from, e.to))
            .collect();
        let more = scaling.events.len().saturating_sub(SCALE_EVENTS_LISTED);
        let tail = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        lines.push(format!(
            "{id}: scale events (first replication): {}{tail}",
            shown.join(", ")
        ));
    }
}
