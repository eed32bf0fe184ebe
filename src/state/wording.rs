//! Problems in words for people: the model's validation speaks in JSON paths and ids
//! (`nodes[2].params.workers`, "client `client-1` has …"), which is right for the CLI and for
//! files, but the editor names things the way its screen does — a node by its label, a field by
//! the label it has in the properties panel. The path stays available as a details line.

use archsim_model::{Design, NodeKind};

/// A reason the design cannot run: the sentence to show, and the model's own wording (path and
/// message) for a details line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocker {
    pub sentence: String,
    /// `path: message` exactly as the model (and the CLI) says it; None when the sentence is
    /// already all there is (a field's entry that is not a value).
    pub details: Option<String>,
}

impl std::fmt::Display for Blocker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.sentence)
    }
}

/// The label a field has in the properties panel, by its JSON name. Names not listed read as
/// their words (`replication_lag_ms` → "Replication lag").
const FIELD_LABELS: &[(&str, &str)] = &[
    ("workload", "Workload"),
    ("rate", "Arrival rate"),
    ("rps", "Rate"),
    ("mean_rps", "Mean rate"),
    ("amplitude_rps", "Amplitude"),
    ("spike_rps", "Spike rate"),
    ("base_rps", "Base rate"),
    ("period_ms", "Period"),
    ("start_ms", "Start"),
    ("end_ms", "End"),
    ("users", "Users"),
    ("think_time", "Think time"),
    ("mix", "Request classes"),
    ("routes", "Routes"),
    ("keys", "Keys"),
    ("count", "Distinct keys"),
    ("popularity", "Popularity"),
    ("exponent", "Zipf exponent"),
    ("duration_ms", "Duration"),
    ("warmup_ms", "Warm-up"),
    ("seed", "Seed"),
    ("replications", "Replications"),
    ("bucket_ms", "Time bucket"),
    ("max_events", "Event limit"),
    ("max_in_flight", "In-flight limit"),
    ("overhead", "Overhead"),
    ("max_concurrency", "Max concurrency"),
    ("algorithm", "Algorithm"),
    ("virtual_nodes", "Virtual nodes"),
    ("health_checks", "Health checks"),
    ("workers", "Workers"),
    ("queue_capacity", "Queue capacity"),
    ("service_time", "Service time"),
    ("error_rate", "Error rate"),
    ("slowdown", "Slow-down"),
    ("knee", "Knee"),
    ("factor", "Factor"),
    ("calls", "Calls"),
    ("hold_worker_during_calls", "Hold the worker during calls"),
    ("cancel_on_timeout", "Cancel on caller timeout"),
    ("capacity", "Capacity"),
    ("eviction", "Eviction"),
    ("hit_time", "Hit time"),
    ("write_policy", "Writes"),
    ("ttl_ms", "TTL"),
    ("consumers", "Consumers"),
    ("max_deliveries", "Max deliveries"),
    ("dead_letter", "Dead-letter queue"),
    ("shards", "Shards"),
    ("replicas_per_shard", "Replicas / shard"),
    ("sharding", "Sharding"),
    ("reads_from", "Reads from"),
    ("replication_lag_ms", "Replication lag"),
    ("connections", "Connections"),
    ("read_time", "Read time"),
    ("write_time", "Write time"),
    ("rate_rps", "Rate"),
    ("burst", "Burst"),
    ("limit", "Limit"),
    ("window_ms", "Window"),
    ("per_key", "Per key"),
    ("latency", "One-way latency"),
    ("weight", "Weight"),
    ("call_probability", "Call probability"),
    ("timeout_ms", "Give up after"),
    ("retry", "Retries"),
    ("max_attempts", "Attempts in all"),
    ("base_ms", "Base back-off"),
    ("multiplier", "Multiplier"),
    ("max_backoff_ms", "Max back-off"),
    ("jitter", "Jitter"),
    ("retry_on_timeout", "Retry after a timeout"),
    ("circuit_breaker", "Circuit breaker"),
    ("failure_threshold", "Open at failures"),
    ("minimum_calls", "Minimum calls"),
    ("open_ms", "Open for"),
    ("half_open_probes", "Half-open calls"),
    ("half_open", "Half-open decides by"),
    ("automatic_transition", "Half-open on its own"),
    ("window", "Sliding window"),
    ("window_calls", "Calls in the window"),
    ("slow_call_duration_ms", "Slow after"),
    ("slow_call_threshold", "Open at slow calls"),
    ("jitter_ms", "Jitter up to"),
    ("fraction", "Workers cut"),
    ("mean_ms", "Mean"),
    ("min_ms", "Min"),
    ("max_ms", "Max"),
    ("median_ms", "Median"),
    ("p99_ms", "p99"),
    ("ms", "Value"),
    ("target", "Node"),
    ("at_ms", "Starts at"),
    ("extra_ms", "Extra latency"),
    ("label", "Label"),
    ("id", "Id"),
    ("from", "From"),
    ("to", "To"),
    ("name", "Name"),
    ("class", "Class"),
    ("write", "Write"),
    ("position", "Position"),
    // Service discovery (forms/scaling.rs), partitioned topics and backpressure.
    ("discovery", "Service discovery (registry)"),
    ("registration_delay_ms", "Registration delay"),
    ("refresh_interval_ms", "Callers refresh every"),
    ("heartbeat_timeout_ms", "Heartbeat timeout"),
    ("deregister_on_shutdown", "Deregister on shutdown"),
    ("partitions", "Partitions"),
    ("backpressure", "When full"),
    ("visibility_timeout_ms", "Visibility timeout"),
    ("fan_out", "Fan out to every subscription"),
    // A database's replication (forms/replication.rs).
    ("replication_lag", "Lag of each write"),
    ("failover", "Primary failover"),
    ("detection_ms", "Detection and promotion"),
    ("read_your_writes", "Read your writes"),
    // Health checks and outlier ejection (forms/health.rs).
    ("health_check", "Health checks"),
    ("unhealthy_threshold", "Unhealthy after"),
    ("healthy_threshold", "Healthy after"),
    ("start_healthy", "Backends start healthy"),
    ("panic_threshold_percent", "Panic threshold (%)"),
    ("outlier_detection", "Outlier ejection"),
    ("max_ejection_percent", "Max ejected (%)"),
    // Autoscaling (forms/scaling.rs).
    ("autoscaling", "Autoscaling"),
    ("initial_instances", "Instances at the start"),
    ("evaluation_interval_ms", "Evaluate every"),
    ("stabilization_window_ms", "Stabilisation window"),
    ("select_policy", "Policy"),
    ("scale_up", "Scale up"),
    ("scale_down", "Scale down"),
    ("policies", "Policies"),
    // Caches, queues and the cures on edges.
    ("coalesce_misses", "Coalesce concurrent misses"),
    ("ttl_refresh_on_access", "Refresh on access"),
    ("write_back_delay_ms", "Flush delay"),
    ("queue_discipline", "Queue discipline"),
    ("classes", "Classes, highest first"),
    ("load_curve", "Load curve"),
    ("max_concurrent", "Max in flight"),
    ("min_retries_per_sec", "Always allowed"),
    ("percent_can_retry", "Retries per call"),
    ("propagate_deadline", "Propagate the deadline"),
    ("retry_budget", "Retry budget"),
    ("hedging", "Hedging"),
    ("max_hedges", "Hedges at most"),
    ("non_fatal_errors", "Failures are not fatal"),
];

/// Labels that depend on the field's parent (`parent.name`): a fault's effect says "Extra error
/// rate" where a workload's `rate` is its arrival rate.
const LABELS_IN_CONTEXT: &[(&str, &str)] = &[
    // An instance crash fault: how many instances, and which.
    ("effect.count", "Instances"),
    ("effect.pick", "Which"),
    ("pick.index", "From instance"),
    // A client's end users (not the closed loop's users).
    ("params.users", "End users"),
    ("users.count", "Users"),
    ("users.pick", "Who sends a request"),
    ("delay.ms", "Delay"),
    ("delay.type", "Delay"),
    ("effect.rate", "Extra error rate"),
    ("effect.factor", "Service time ×"),
    ("effect.shards", "Shards after"),
    ("effect.type", "Effect"),
];

/// The panel's label of one JSON field name.
fn label_of(name: &str) -> String {
    if let Some((_, label)) = FIELD_LABELS.iter().find(|(n, _)| *n == name) {
        return (*label).to_string();
    }
    let words = name
        .strip_suffix("_ms")
        .or_else(|| name.strip_suffix("_rps"))
        .unwrap_or(name)
        .replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A field's path under its node, edge or fault (`params.service_time.p99_ms`) as the panel
/// names it ("Service time › p99"). Wrappers that the panel does not show (`params`,
/// `effect`, a trailing `type`) are left out; a list entry reads as its position ("Request
/// classes 2").
pub fn field_label(relative: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    let segments: Vec<&str> = relative.split('.').filter(|s| !s.is_empty()).collect();
    let mut parent = "";
    for (i, segment) in segments.iter().enumerate() {
        let (name, index) = match segment.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (*segment, None),
        };
        let last = i + 1 == segments.len();
        let in_context = format!("{parent}.{name}");
        parent = name;
        if let Some((_, label)) = LABELS_IN_CONTEXT.iter().find(|(p, _)| *p == in_context) {
            parts.push((*label).to_string());
            continue;
        }
        if matches!(name, "params" | "effect" | "run") || (name == "type" && !parts.is_empty()) {
            continue;
        }
        if name == "type" && last {
            parts.push("Kind".into());
            continue;
        }
        let mut label = label_of(name);
        if let Some(index) = index {
            label = format!("{label} {}", index + 1);
        }
        parts.push(label);
    }
    parts.join(" › ")
}

/// How a node is named on screen: its label, or its id when it has none.
fn node_name(design: &Design, id: &str) -> Option<String> {
    let node = design.node(id)?;
    Some(if node.label.trim().is_empty() {
        node.id.clone()
    } else {
        node.label.clone()
    })
}

/// What owns a path (`nodes[2]…`): its name on screen and the rest of the path.
fn owner_of<'p>(design: &Design, path: &'p str) -> Option<(String, Option<String>, &'p str)> {
    for prefix in ["nodes", "edges", "faults"] {
        let Some(rest) = path.strip_prefix(prefix).and_then(|r| r.strip_prefix('[')) else {
            continue;
        };
        let close = rest.find(']')?;
        let index: usize = rest[..close].parse().ok()?;
        let field = rest[close + 1..].trim_start_matches('.');
        let (name, id) = match prefix {
            "nodes" => {
                let node = design.nodes.get(index)?;
                (node_name(design, &node.id)?, Some(node.id.clone()))
            }
            "edges" => {
                let edge = design.edges.get(index)?;
                let end = |id: &str| node_name(design, id).unwrap_or_else(|| id.to_string());
                (
                    format!("The edge {} → {}", end(&edge.from), end(&edge.to)),
                    Some(edge.id.clone()),
                )
            }
            _ => (format!("Fault {}", index + 1), None),
        };
        return Some((name, id, field));
    }
    None
}

/// The node, edge or fault a path is in, by its name on screen ("Service 1", "The edge
/// Client 1 → API"); None for the design's own fields.
pub fn path_owner(design: &Design, path: &str) -> Option<String> {
    owner_of(design, path).map(|(name, _, _)| name)
}

/// The model's message in the editor's words: ids in backticks become the node's label (or the
/// kind's title for a kind's name), field names become the panel's labels.
pub fn humanize_message(design: &Design, message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find('`') {
        let Some(len) = rest[open + 1..].find('`') else {
            break;
        };
        out.push_str(&rest[..open]);
        let quoted = &rest[open + 1..open + 1 + len];
        if let Some(name) = node_name(design, quoted) {
            out.push_str(&format!("“{name}”"));
        } else if let Some(kind) = NodeKind::CATALOG.iter().find(|k| k.name == quoted) {
            out.push_str(&format!("“{}”", kind.title));
        } else {
            out.push_str(&format!("“{quoted}”"));
        }
        rest = &rest[open + 1 + len + 1..];
    }
    out.push_str(rest);
    replace_field_names(&out)
}

/// Field names written into a message (`min_ms (5) is greater than max_ms (3)`) as labels.
fn replace_field_names(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let known = word.contains('_') && FIELD_LABELS.iter().any(|(n, _)| n == word);
        if known {
            out.push_str(&label_of(word));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// A problem at `path` as a sentence: "Service 1 — Workers: must be at least 1 …"; a node's own
/// problem that begins by naming the node ("client `c1` has no outgoing edge") starts with its
/// label instead ("Client 1 has no outgoing edge").
pub fn sentence(design: &Design, path: &str, message: &str) -> String {
    let Some((name, id, field)) = owner_of(design, path) else {
        let field = if matches!(path, "$" | "nodes" | "edges" | "faults") {
            ""
        } else {
            path
        };
        let said = humanize_message(design, message);
        return if field.is_empty() {
            capitalise(&said)
        } else {
            format!("{}: {said}", field_label(field))
        };
    };
    if field.is_empty() {
        // "client `c1` has …" → "Client 1 has …": the sentence already names its subject.
        if let Some(id) = &id
            && let Some(after) = message
                .split_once(&format!("`{id}`"))
                .filter(|(before, _)| !before.trim().contains(' '))
                .map(|(_, after)| after)
        {
            return format!("{name}{}", humanize_message(design, after));
        }
        return format!("{name}: {}", humanize_message(design, message));
    }
    format!(
        "{name} — {}: {}",
        field_label(field),
        humanize_message(design, message)
    )
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::edit::design_with;

    #[test]
    fn field_paths_read_as_the_panels_labels() {
        assert_eq!(field_label("params.workers"), "Workers");
        assert_eq!(
            field_label("params.service_time.p99_ms"),
            "Service time › p99"
        );
        assert_eq!(field_label("params.algorithm.type"), "Algorithm");
        assert_eq!(field_label("run.duration_ms"), "Duration");
        assert_eq!(
            field_label("params.mix[1].weight"),
            "Request classes 2 › Weight"
        );
        assert_eq!(field_label("params.replication_lag_ms"), "Replication lag");
        assert_eq!(field_label("params.some_new_field_ms"), "Some new field");
    }

    /// Every field of the properties panel whose label is the same wherever it appears reads in
    /// problems as the panel labels it: the forms' sources are scanned for `label="…"` next to
    /// `path={join(…, "name")}`, so a new field with a label of its own needs a line in
    /// FIELD_LABELS (or, when its label depends on where it is, a line below).
    #[test]
    fn problems_name_each_field_as_the_properties_panel_labels_it() {
        // Labels that depend on the section they are in: the problem's path says the section
        // ("Cold start › Duration"), so the generic word is clear there.
        const CONTEXTUAL: &[&str] = &[
            "duration_ms",
            "factor",
            "rate_rps",
            "target",
            "ttl_ms",
            "timeout_ms",
            "type",
            "threshold",
            "value",
            "period_ms",
            "name",
            "a",
            "b",
            "k",
            "target_ms",
            "ms",
        ];
        let sources = [
            include_str!("../components/forms/breaker.rs"),
            include_str!("../components/forms/distribution.rs"),
            include_str!("../components/forms/edge.rs"),
            include_str!("../components/forms/edge_cures.rs"),
            include_str!("../components/forms/hashing.rs"),
            include_str!("../components/forms/health.rs"),
            include_str!("../components/forms/hedging.rs"),
            include_str!("../components/forms/load_curve.rs"),
            include_str!("../components/forms/node.rs"),
            include_str!("../components/forms/queue_discipline.rs"),
            include_str!("../components/forms/run.rs"),
            include_str!("../components/forms/scaling.rs"),
            include_str!("../components/forms/replication.rs"),
        ];
        let mut checked = 0;
        let mut wrong = Vec::new();
        for source in sources {
            for piece in source.split("label=\"").skip(1) {
                let Some((label, rest)) = piece.split_once('"') else {
                    continue;
                };
                // The field's own path comes within the same tag.
                let tag = &rest[..rest.find('>').unwrap_or(rest.len()).min(120)];
                let Some(name) = tag
                    .split_once("path={join(")
                    .and_then(|(_, after)| after.split_once(", \""))
                    .and_then(|(_, after)| after.split_once('"'))
                    .map(|(name, _)| name)
                else {
                    continue;
                };
                if CONTEXTUAL.contains(&name) {
                    continue;
                }
                checked += 1;
                // The problem names the path's sections too ("Keys › Zipf exponent"); its last
                // part is the field's own label.
                let said = field_label(name);
                let own = said.rsplit(" › ").next().unwrap_or_default();
                if own != label {
                    wrong.push(format!(
                        "{name}: panel says “{label}”, problems say “{said}”"
                    ));
                }
            }
        }
        assert!(checked > 60, "the forms were not read ({checked} fields)");
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn a_nodes_own_problem_starts_with_its_label_and_keeps_no_backticks() {
        let design = design_with(&["client", "service"]);
        let said = sentence(
            &design,
            "nodes[0]",
            "client `client-1` has no outgoing edge, so its requests go nowhere",
        );
        assert_eq!(
            said,
            "Client 1 has no outgoing edge, so its requests go nowhere"
        );
    }

    #[test]
    fn a_field_problem_names_node_and_field_by_label() {
        let design = design_with(&["client", "service"]);
        let said = sentence(
            &design,
            "nodes[1].params.workers",
            "must be at least 1 (workers), found 0",
        );
        assert_eq!(
            said,
            "Service 1 — Workers: must be at least 1 (workers), found 0"
        );
        assert!(!said.contains("nodes["));
    }

    #[test]
    fn kind_names_and_field_names_inside_messages_become_words() {
        let design = Design::default();
        let said = sentence(
            &design,
            "$",
            "the design has no client; add a node of kind `client` with an edge",
        );
        assert_eq!(
            said,
            "The design has no client; add a node of kind “Client” with an edge"
        );
        assert_eq!(
            humanize_message(&design, "min_ms (5) is greater than max_ms (3)"),
            "Min (5) is greater than Max (3)"
        );
        assert_eq!(
            sentence(&design, "run.warmup_ms", "must be shorter than duration_ms"),
            "Warm-up: must be shorter than Duration"
        );
    }

    #[test]
    fn an_edge_is_named_by_its_ends() {
        let mut design = design_with(&["client", "service"]);
        crate::state::edit::connect(&mut design, "client-1", "service-1").unwrap();
        assert_eq!(
            path_owner(&design, "edges[0].params.timeout_ms").as_deref(),
            Some("The edge Client 1 → Service 1")
        );
    }
}
