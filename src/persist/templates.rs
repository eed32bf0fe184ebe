//! Starting points for a new design: the example designs in `examples/`.
//!
//! The app does not carry the examples' text (90 KB): the menu lists them from an index made at
//! build time (`build.rs`: each example's id, name and the first line of its description), and a
//! design is fetched from `examples/<id>.json` when it is chosen ([`fetch_design`]); trunk copies
//! `examples/` next to the app (`index.html`), so this works wherever the app is served, offline
//! too. Tests and native code read the text compiled in by [`Template::design`], which the app
//! never calls, so the release module leaves it out (docs/performance.md, "Download size").

use archsim_model::Design;

/// One bundled example.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    /// The example's file stem ("mm1", "three-tier").
    pub id: &'static str,
    /// The design's name (the id when it has none).
    pub name: &'static str,
    /// The first line of the design's description.
    pub summary: &'static str,
}

impl Template {
    /// The design, from the example's text compiled into this build: for tests and native code.
    /// The app fetches the file instead ([`fetch_design`]), which keeps the text out of its
    /// module.
    pub fn design(&self) -> Result<Design, Vec<String>> {
        let text = TEXT
            .iter()
            .find(|(id, _)| *id == self.id)
            .map(|(_, text)| *text)
            .ok_or_else(|| vec![format!("examples/{}.json is not in this build", self.id)])?;
        super::import_json(text)
    }

    /// Where the app finds the example's file, relative to the page.
    pub fn url(&self) -> String {
        format!("examples/{}.json", self.id)
    }
}

/// The examples, by file stem, in the order the template picker shows them (simple queueing
/// models first, then architectures). Adding an example to `examples/` and its id here makes
/// it a template.
const ORDER: &[&str] = &[
    "mm1",
    "mmc",
    "md1",
    "mm1k",
    "tandem",
    "three-tier",
    "cache-aside",
    "cache-stampede",
    "cache-flush-overload",
    "cache-flush-coalescing",
    "write-back-crash",
    "sharded-db",
    "reshard-hash-vs-ring",
    "read-replicas",
    "event-pipeline",
    "microservices-gateway",
    "rate-limited-api",
    "retry-storm",
    "retry-storm-budget",
    "retry-storm-throttled",
    "hedged-requests",
    "queue-collapse-fifo",
    "queue-collapse-codel",
    "queue-collapse-adaptive-lifo",
    "queue-collapse-deadline",
    "queue-slow-consumer-fifo",
    "queue-slow-consumer-codel",
    "faults-timeline",
    "autoscaling-slow",
    "autoscaling-fast",
    "lb-sinkhole-health-checks",
    "lb-sinkhole-outlier-ejection",
    "gateway-health-checks",
    "discovery-lag",
    "hot-partition",
    "keda-consumer-lag",
    "primary-failover",
    "sqs-visibility-timeout",
    "pubsub-fan-out",
    "kafka-consumer-groups",
];

/// `(id, name, summary)` of every file in `examples/` (written by `build.rs`).
const INDEX: &[(&str, &str, &str)] = include!(concat!(env!("OUT_DIR"), "/templates_index.rs"));

/// `(id, text)` of every file in `examples/` (written by `build.rs`); see [`Template::design`].
const TEXT: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/templates_text.rs"));

/// Every template, in picker order.
pub fn templates() -> Vec<Template> {
    ORDER
        .iter()
        .filter_map(|id| INDEX.iter().find(|(indexed, _, _)| indexed == id))
        .map(|&(id, name, summary)| Template { id, name, summary })
        .collect()
}

/// How many examples are bundled: `templates()` offers them all (the tests make sure each is a
/// file of `examples/` that parses).
pub fn bundled_count() -> usize {
    ORDER.len()
}

/// The template with this id.
pub fn template(id: &str) -> Option<Template> {
    templates().into_iter().find(|t| t.id == id)
}

/// The template's design, fetched from the server the app came from and read like an imported
/// file.
pub async fn fetch_design(template: &Template) -> Result<Design, Vec<String>> {
    let text = super::browser::fetch_text(&template.url())
        .await
        .map_err(|reason| vec![reason])?;
    super::import_json(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bundled_example_parses_and_is_offered() {
        assert_eq!(templates().len(), ORDER.len());
        for t in templates() {
            assert!(t.design().is_ok(), "{} does not parse", t.id);
            assert!(!t.summary.contains('\n'));
        }
    }

    #[test]
    fn the_menus_name_and_summary_are_the_designs_own() {
        // The index is written by build.rs from the files; the menu must say what loading the
        // design then shows.
        for t in templates() {
            let design = t.design().unwrap();
            let name = if design.name.is_empty() {
                t.id
            } else {
                design.name.as_str()
            };
            assert_eq!(t.name, name, "{}", t.id);
            let first_line = design.description.lines().next().unwrap_or_default().trim();
            assert_eq!(t.summary, first_line, "{}", t.id);
            assert_eq!(t.url(), format!("examples/{}.json", t.id));
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
        let mut bundled: Vec<String> = ORDER.iter().map(|id| id.to_string()).collect();
        bundled.sort();
        assert_eq!(
            bundled, on_disk,
            "examples/ and the bundled templates differ"
        );
    }
}
