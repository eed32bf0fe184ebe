//! Starting points for a new design: the example designs in `examples/`, compiled into the app.

use archsim_model::Design;

/// One bundled example.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// The example's file stem ("mm1", "three-tier").
    pub id: &'static str,
    pub name: String,
    /// The first line of the design's description.
    pub summary: String,
    pub design_json: &'static str,
}

impl Template {
    pub fn design(&self) -> Result<Design, Vec<String>> {
        super::import_json(self.design_json)
    }
}

/// The bundled examples, by file stem, in the order the template picker shows them (simple
/// queueing models first, then architectures).
const SOURCES: &[(&str, &str)] = &[
    ("mm1", include_str!("../../examples/mm1.json")),
    ("mmc", include_str!("../../examples/mmc.json")),
    ("md1", include_str!("../../examples/md1.json")),
    ("mm1k", include_str!("../../examples/mm1k.json")),
    ("tandem", include_str!("../../examples/tandem.json")),
    ("three-tier", include_str!("../../examples/three-tier.json")),
    (
        "cache-aside",
        include_str!("../../examples/cache-aside.json"),
    ),
    (
        "cache-stampede",
        include_str!("../../examples/cache-stampede.json"),
    ),
    (
        "cache-flush-overload",
        include_str!("../../examples/cache-flush-overload.json"),
    ),
    (
        "cache-flush-coalescing",
        include_str!("../../examples/cache-flush-coalescing.json"),
    ),
    (
        "write-back-crash",
        include_str!("../../examples/write-back-crash.json"),
    ),
    ("sharded-db", include_str!("../../examples/sharded-db.json")),
    (
        "reshard-hash-vs-ring",
        include_str!("../../examples/reshard-hash-vs-ring.json"),
    ),
    (
        "read-replicas",
        include_str!("../../examples/read-replicas.json"),
    ),
    (
        "event-pipeline",
        include_str!("../../examples/event-pipeline.json"),
    ),
    (
        "microservices-gateway",
        include_str!("../../examples/microservices-gateway.json"),
    ),
    (
        "rate-limited-api",
        include_str!("../../examples/rate-limited-api.json"),
    ),
    (
        "retry-storm",
        include_str!("../../examples/retry-storm.json"),
    ),
    (
        "retry-storm-budget",
        include_str!("../../examples/retry-storm-budget.json"),
    ),
    (
        "retry-storm-throttled",
        include_str!("../../examples/retry-storm-throttled.json"),
    ),
    (
        "hedged-requests",
        include_str!("../../examples/hedged-requests.json"),
    ),
    (
        "queue-collapse-fifo",
        include_str!("../../examples/queue-collapse-fifo.json"),
    ),
    (
        "queue-collapse-codel",
        include_str!("../../examples/queue-collapse-codel.json"),
    ),
    (
        "queue-collapse-adaptive-lifo",
        include_str!("../../examples/queue-collapse-adaptive-lifo.json"),
    ),
    (
        "queue-collapse-deadline",
        include_str!("../../examples/queue-collapse-deadline.json"),
    ),
    (
        "autoscaling-slow",
        include_str!("../../examples/autoscaling-slow.json"),
    ),
    (
        "autoscaling-fast",
        include_str!("../../examples/autoscaling-fast.json"),
    ),
    (
        "lb-sinkhole-health-checks",
        include_str!("../../examples/lb-sinkhole-health-checks.json"),
    ),
    (
        "lb-sinkhole-outlier-ejection",
        include_str!("../../examples/lb-sinkhole-outlier-ejection.json"),
    ),
    (
        "discovery-lag",
        include_str!("../../examples/discovery-lag.json"),
    ),
    (
        "hot-partition",
        include_str!("../../examples/hot-partition.json"),
    ),
    (
        "keda-consumer-lag",
        include_str!("../../examples/keda-consumer-lag.json"),
    ),
    (
        "primary-failover",
        include_str!("../../examples/primary-failover.json"),
    ),
    (
        "sqs-visibility-timeout",
        include_str!("../../examples/sqs-visibility-timeout.json"),
    ),
    (
        "pubsub-fan-out",
        include_str!("../../examples/pubsub-fan-out.json"),
    ),
];

/// Every template, in picker order. An example that fails to parse is left out (the tests make
/// sure none does).
pub fn templates() -> Vec<Template> {
    SOURCES
        .iter()
        .filter_map(|&(id, design_json)| {
            let design = super::import_json(design_json).ok()?;
            Some(Template {
                id,
                name: if design.name.is_empty() {
                    id.to_string()
                } else {
                    design.name.clone()
                },
                summary: design
                    .description
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
                design_json,
            })
        })
        .collect()
}

/// How many examples are bundled: `templates()` offers them all unless one fails to parse.
pub fn bundled_count() -> usize {
    SOURCES.len()
}

/// The template with this id.
pub fn template(id: &str) -> Option<Template> {
    templates().into_iter().find(|t| t.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_example_parses_and_is_offered() {
        assert_eq!(templates().len(), SOURCES.len());
        for t in templates() {
            assert!(t.design().is_ok(), "{} does not parse", t.id);
            assert!(!t.summary.contains('\n'));
        }
    }

    #[test]
    fn templates_carry_name_and_one_line_summary() {
        let mm1 = template("mm1").expect("mm1 template");
        assert_eq!(mm1.name, "M/M/1 queue");
        assert!(mm1.summary.starts_with("Mean latency"), "{}", mm1.summary);
        assert!(template("no-such-template").is_none());
    }

    #[test]
    fn every_template_has_no_semantic_problems() {
        for t in templates() {
            let design = t.design().unwrap();
            let problems = crate::state::run_blockers(&design);
            assert!(problems.is_empty(), "{}: {problems:?}", t.id);
        }
    }

    #[test]
    fn every_example_file_is_bundled() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(|e| {
                        let path = e.ok()?.path();
                        (path.extension()? == "json")
                            .then(|| path.file_stem()?.to_str().map(str::to_string))?
                    })
                    .collect()
            })
            .unwrap_or_default();
        on_disk.sort();
        let mut bundled: Vec<String> = SOURCES.iter().map(|(id, _)| id.to_string()).collect();
        bundled.sort();
        assert_eq!(
            bundled, on_disk,
            "examples/ and the bundled templates differ"
        );
    }
}
