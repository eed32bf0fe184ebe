//! The CLI's side of the product requirements: the JSON report carries every field
//! docs/report-format.md documents (and nothing undocumented), with confidence intervals when
//! there are replications; `--seed` and `--duration` mean exactly what the same settings in the
//! file mean; the thread count never shows in the report; the event budget is reported; and a
//! bad file gives one clear line per problem, never a panic.
//!
//! Complements tests/cli.rs, which covers validate, exit statuses, the table and basic runs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn workspace_file(relative: &str) -> PathBuf {
    [env!("CARGO_MANIFEST_DIR"), "..", "..", relative]
        .iter()
        .collect()
}

/// The design with every node kind that the engine's requirement tests use too.
fn every_kind() -> String {
    workspace_file("crates/archsim-engine/tests/designs/every_kind.json")
        .to_string_lossy()
        .into_owned()
}

fn archsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_archsim"))
        .args(args)
        .output()
        .expect("the archsim binary runs")
}

/// Runs archsim with at most ~3 GB of address space and a time limit, so a design that makes
/// it allocate without bound fails fast instead of taking the machine down.
fn archsim_confined(args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -v 3000000; exec timeout 120 "$0" "$@""#)
        .arg(env!("CARGO_BIN_EXE_archsim"))
        .args(args)
        .output()
        .expect("sh runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn run_json(args: &[&str]) -> (String, Value) {
    let output = archsim(args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "archsim {args:?} failed:\n{}",
        text(&output.stderr)
    );
    let stdout = text(&output.stdout);
    let value = serde_json::from_str(&stdout).expect("stdout is one JSON document");
    (stdout, value)
}

/// A temporary design file, removed on drop.
struct TempDesign(PathBuf);

impl TempDesign {
    fn new(name: &str, contents: &str) -> TempDesign {
        let path = std::env::temp_dir().join(format!(
            "archsim-report-contract-{}-{name}.json",
            std::process::id()
        ));
        std::fs::write(&path, contents).expect("temp file");
        TempDesign(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("UTF-8 path")
    }
}

impl Drop for TempDesign {
    fn drop(&mut self) {
        std::fs::remove_file(&self.0).ok();
    }
}

/// The example design as JSON, with some run settings replaced.
fn with_run_settings(path: &str, settings: &[(&str, Value)]) -> String {
    let mut design: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("readable")).expect("JSON");
    let run = design
        .as_object_mut()
        .expect("a design is an object")
        .entry("run")
        .or_insert_with(|| Value::Object(Default::default()));
    for (key, value) in settings {
        run[*key] = value.clone();
    }
    serde_json::to_string_pretty(&design).unwrap()
}

// --- the report format ------------------------------------------------------------------------

/// Backticked identifiers (`like_this`) in a piece of markdown.
fn backticked(markdown: &str) -> Vec<String> {
    markdown
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .map(str::to_string)
        .collect()
}

/// docs/report-format.md cut into sections: heading → (first-column fields of its table rows,
/// second-column text of each row by field, the section's whole text).
struct DocSection {
    fields: Vec<String>,
    meanings: BTreeMap<String, String>,
    text: String,
}

fn report_doc() -> (String, BTreeMap<String, DocSection>) {
    let doc = std::fs::read_to_string(workspace_file("docs/report-format.md"))
        .expect("docs/report-format.md exists");
    let mut sections = BTreeMap::new();
    let mut heading = String::new();
    let mut current = DocSection {
        fields: Vec::new(),
        meanings: BTreeMap::new(),
        text: String::new(),
    };
    for line in doc.lines() {
        if line.starts_with('#') {
            sections.insert(
                std::mem::take(&mut heading),
                std::mem::replace(
                    &mut current,
                    DocSection {
                        fields: Vec::new(),
                        meanings: BTreeMap::new(),
                        text: String::new(),
                    },
                ),
            );
            heading = line.trim_start_matches('#').trim().to_string();
            continue;
        }
        current.text.push_str(line);
        current.text.push('\n');
        if let Some(row) = line.strip_prefix('|') {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            if cells.len() >= 2 && cells[0].contains('`') {
                for field in backticked(cells[0]) {
                    current.meanings.insert(field.clone(), cells[1].to_string());
                    current.fields.push(field);
                }
            }
        }
    }
    sections.insert(heading, current);
    (doc, sections)
}

#[track_caller]
fn assert_has(object: &Value, field: &str, where_: &str) {
    assert!(
        object.get(field).is_some(),
        "docs/report-format.md documents `{field}` in {where_}, but the report has no such field:\n{}",
        serde_json::to_string_pretty(object)
            .unwrap_or_default()
            .chars()
            .take(2000)
            .collect::<String>()
    );
}

fn objects<'a>(map: &'a Value, what: &str) -> Vec<&'a Value> {
    let values: Vec<&Value> = map
        .as_object()
        .unwrap_or_else(|| panic!("{what} is a JSON object"))
        .values()
        .collect();
    assert!(!values.is_empty(), "{what} is empty");
    values
}

/// Every JSON object key of the report, with the maps keyed by ids or causes left out.
fn field_names(value: &Value, path: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            let keyed_by_id = [
                "nodes",
                "edges",
                "balancer",
                "series.nodes",
                "failed_by_cause",
                "breaker_state",
                "backend_state",
            ]
            .iter()
            .any(|m| path.ends_with(m));
            for (key, child) in map {
                if !keyed_by_id {
                    out.insert(key.clone());
                }
                let child_path = if keyed_by_id {
                    path.to_string()
                } else if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                // A map's values are entries, not fields: go on with the map's own path plus
                // a marker so that their fields are collected again.
                let child_path = if keyed_by_id {
                    format!("{child_path}[]")
                } else {
                    child_path
                };
                field_names(child, &child_path, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| field_names(i, path, out)),
        _ => {}
    }
}

/// Every `{ "value", "ci95" }` estimate in the report, with its path.
fn estimates<'a>(value: &'a Value, path: String, out: &mut Vec<(String, &'a Value)>) {
    match value {
        Value::Object(map) if map.contains_key("value") && map.contains_key("ci95") => {
            out.push((path, value));
        }
        Value::Object(map) => {
            for (key, child) in map {
                if path.is_empty() && key == "series" {
                    continue; // plain numbers, not estimates
                }
                estimates(child, format!("{path}.{key}"), out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                estimates(item, format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn json_report_has_every_documented_field_and_only_documented_ones() {
    let (_, report) = run_json(&[
        "run",
        &every_kind(),
        "--duration",
        "6s",
        "--warmup",
        "1s",
        "--replications",
        "3",
        "--json",
    ]);
    let (doc, sections) = report_doc();
    let section = |heading: &str| {
        sections
            .get(heading)
            .unwrap_or_else(|| panic!("docs/report-format.md has no section `{heading}`"))
    };

    let top = section("Top level");
    assert!(top.fields.len() >= 12, "{:?}", top.fields);
    for field in &top.fields {
        assert_has(&report, field, "the top level");
    }
    let overall = section("`overall` (Summary)");
    for field in &overall.fields {
        assert_has(&report["overall"], field, "overall");
    }
    let failures = section("Failures");
    // One documented cause per field of the report's `Failures`, no more, no fewer.
    let causes = serde_json::to_value(archsim_model::Failures::default())
        .expect("failures serialize")
        .as_object()
        .expect("an object")
        .len();
    assert_eq!(failures.fields.len(), causes, "{:?}", failures.fields);
    let latency_fields = backticked(&section("Latency").text);
    assert!(latency_fields.len() >= 5, "{latency_fields:?}");
    let check_failures_and_latency = |object: &Value, where_: &str| {
        for field in &failures.fields {
            assert_has(&object["failures"], field, &format!("{where_}.failures"));
        }
        for field in &latency_fields {
            assert_has(&object["latency"], field, &format!("{where_}.latency"));
        }
    };
    check_failures_and_latency(&report["overall"], "overall");

    let node_fields = &section("`nodes` (NodeReport)").fields;
    let kinds: [(&str, &str); 5] = [
        ("cache", "`cache`"),
        ("database", "`database`"),
        ("queue", "`queue`"),
        ("rate_limiter", "`rate_limiter`"),
        ("balancer", ""),
    ];
    let mut kinds_seen = BTreeSet::new();
    for node in objects(&report["nodes"], "nodes") {
        for field in node_fields {
            assert_has(node, field, "every node");
        }
        check_failures_and_latency(node, "nodes.*");
        for (field, heading) in kinds {
            if node[field].is_null() {
                continue;
            }
            kinds_seen.insert(field);
            if heading.is_empty() {
                continue; // balancer: keyed by backend node id
            }
            // Tables list the kind's fields; rate_limiter's are named in a sentence.
            let mut fields = section(heading).fields.clone();
            if fields.is_empty() {
                fields = backticked(&section(heading).text);
            }
            assert!(!fields.is_empty(), "{heading}");
            for sub in &fields {
                assert_has(&node[field], sub, &format!("nodes.*.{field}"));
            }
        }
    }
    assert_eq!(
        kinds_seen.len(),
        5,
        "every kind-specific block: {kinds_seen:?}"
    );

    for edge in objects(&report["edges"], "edges") {
        for field in &section("`edges` (EdgeReport)").fields {
            assert_has(edge, field, "every edge");
        }
    }

    let series_doc = section("`series` (time series)");
    let series = &report["series"];
    for field in &series_doc.fields {
        assert_has(series, field, "series");
    }
    for cause in backticked(&series_doc.meanings["failed_by_cause"]) {
        assert_has(&series["failed_by_cause"], &cause, "series.failed_by_cause");
    }
    for entry in objects(&series["nodes"], "series.nodes") {
        for field in backticked(&series_doc.meanings["nodes"]) {
            assert_has(entry, &field, "series.nodes.*");
        }
    }
    for entry in objects(&series["edges"], "series.edges") {
        for field in backticked(&series_doc.meanings["edges"]) {
            assert_has(entry, &field, "series.edges.*");
        }
    }
    // One entry per bucket in every vector.
    let buckets = series["t_ms"].as_array().expect("t_ms is an array").len();
    assert_eq!(buckets, 6);
    for field in ["arrivals", "succeeded", "failed", "p50_ms", "p99_ms"] {
        assert_eq!(
            series[field].as_array().unwrap().len(),
            buckets,
            "series.{field}"
        );
    }
    for cause in series["failed_by_cause"].as_object().unwrap().values() {
        assert_eq!(cause.as_array().unwrap().len(), buckets);
    }
    assert!(!series["breaker_state"].as_object().unwrap().is_empty());

    // The other way round: nothing in the report that the page does not describe.
    let mut emitted = BTreeSet::new();
    field_names(&report, "", &mut emitted);
    let undocumented: Vec<&String> = emitted
        .iter()
        .filter(|f| !doc.contains(&format!("`{f}`")) && !doc.contains(&format!("\"{f}\"")))
        .collect();
    assert!(
        undocumented.is_empty(),
        "fields missing from the docs: {undocumented:?}"
    );

    // With replications, every summary figure carries its 95% half-width.
    let mut found = Vec::new();
    estimates(&report, String::new(), &mut found);
    assert!(found.len() > 150, "{} estimates", found.len());
    let missing: Vec<&String> = found
        .iter()
        .filter(|(_, e)| !e["ci95"].is_number())
        .map(|(path, _)| path)
        .collect();
    assert!(
        missing.is_empty(),
        "estimates without ci95 at R = 3: {missing:?}"
    );
}

#[test]
fn seed_and_duration_flags_give_the_report_of_the_same_settings_in_the_file() {
    let mm1 = workspace_file("examples/mm1.json");
    let mm1 = mm1.to_str().unwrap();
    let edited = TempDesign::new(
        "seeded",
        &with_run_settings(
            mm1,
            &[
                ("seed", Value::from(77)),
                ("duration_ms", Value::from(12_000.0)),
                ("warmup_ms", Value::from(2_000.0)),
                ("replications", Value::from(2)),
            ],
        ),
    );
    let (from_file, report) = run_json(&["run", edited.path(), "--json"]);
    let (from_flags, _) = run_json(&[
        "run",
        mm1,
        "--seed",
        "77",
        "--duration",
        "12s",
        "--warmup",
        "2000ms",
        "--replications",
        "2",
        "--json",
    ]);
    assert_eq!(from_file, from_flags);
    assert_eq!(report["seed"], 77);
    assert_eq!(report["duration_ms"], 12_000.0);
    assert_eq!(report["replications"], 2);
    // The duration really is the simulated time: one series bucket per second.
    assert_eq!(report["series"]["t_ms"].as_array().unwrap().len(), 12);
    // And the seed really is the draws': another one changes the figures.
    let (other_seed, _) = run_json(&[
        "run",
        mm1,
        "--seed",
        "78",
        "--duration",
        "12s",
        "--warmup",
        "2s",
        "--replications",
        "2",
        "--json",
    ]);
    let arrivals = |text: &str| {
        serde_json::from_str::<Value>(text).unwrap()["overall"]["arrivals"]["value"].clone()
    };
    assert_ne!(arrivals(&from_flags), arrivals(&other_seed));
}

#[test]
fn report_does_not_depend_on_rayons_default_thread_count() {
    let run_with = |threads: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_archsim"))
            .args([
                "run",
                &every_kind(),
                "--duration",
                "4s",
                "--warmup",
                "1s",
                "--replications",
                "4",
                "--json",
            ])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .expect("archsim runs");
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        text(&output.stdout)
    };
    let one = run_with("1");
    let two = run_with("2");
    let three = run_with("3");
    assert_eq!(one, two);
    assert_eq!(one, three);
    assert!(one.contains("\"replications\": 4"));
}

#[test]
fn event_budget_is_in_the_json_and_a_notice_in_the_table() {
    let limited = TempDesign::new(
        "budget",
        &with_run_settings(
            &every_kind(),
            &[
                ("max_events", Value::from(3_000)),
                ("replications", Value::from(1)),
            ],
        ),
    );
    let json_run = archsim(&["run", limited.path(), "--json"]);
    assert!(
        text(&json_run.stderr).contains("stopped early"),
        "with --json the notice goes to stderr: {}",
        text(&json_run.stderr)
    );
    let (_, report) = run_json(&["run", limited.path(), "--json"]);
    let stopped = &report["stopped_early"];
    assert_eq!(stopped["type"], "event_budget", "{stopped}");
    assert_eq!(stopped["max_events"], 3_000);
    let at_ms = stopped["at_ms"].as_f64().expect("at_ms is a number");
    assert!(at_ms > 0.0 && at_ms < 12_000.0, "{at_ms}");
    assert_eq!(report["events"], 3_000);

    let output = archsim(&["run", limited.path()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let shown = format!("{}{}", text(&output.stdout), text(&output.stderr));
    assert!(shown.contains("stopped early"), "{shown}");
    assert!(shown.contains("3,000") || shown.contains("3000"), "{shown}");
}

// --- bad files --------------------------------------------------------------------------------

/// A file with a structural problem and four problems of meaning.
const FIVE_PROBLEMS: &str = r#"{ "version": 1,
  "nodes": [
    { "id": "users", "kind": "client" },
    { "id": "api", "kind": "service", "params": { "workers": "four" } },
    { "id": "db", "kind": "database", "params": { "shards": 0 } }
  ],
  "edges": [
    { "id": "e", "from": "users", "to": "api" },
    { "id": "f", "from": "users", "to": "nowhere" },
    { "id": "g", "from": "api", "to": "db", "params": { "timeout_ms": -3 } }
  ],
  "run": { "duration_ms": 1000, "warmup_ms": 2000 }
}"#;

const FIVE_PATHS: [&str; 5] = [
    "nodes[1].params.workers: ",
    "nodes[2].params.shards: ",
    "edges[1].to: ",
    "edges[2].params.timeout_ms: ",
    "run.warmup_ms: ",
];

/// Every line of stderr but the closing one is `path: message`, and the closing one counts them.
#[track_caller]
fn assert_one_line_per_problem(stderr: &str, expected_paths: &[&str]) {
    let lines: Vec<&str> = stderr.lines().collect();
    let (last, problems) = lines.split_last().expect("something on stderr");
    let plural = if expected_paths.len() == 1 { "" } else { "s" };
    assert!(
        last.ends_with(&format!("({} problem{plural})", expected_paths.len())),
        "closing line: {last}\n{stderr}"
    );
    assert_eq!(problems.len(), expected_paths.len(), "{stderr}");
    for path in expected_paths {
        assert_eq!(
            problems.iter().filter(|l| l.starts_with(path)).count(),
            1,
            "one line for {path}:\n{stderr}"
        );
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn validate_gives_one_line_per_problem() {
    let file = TempDesign::new("five-problems-validate", FIVE_PROBLEMS);
    let output = archsim(&["validate", file.path()]);
    assert_eq!(output.status.code(), Some(1));
    assert_one_line_per_problem(&text(&output.stderr), &FIVE_PATHS);
    assert!(output.stdout.is_empty());
}

#[test]
fn run_gives_one_line_per_problem_like_validate() {
    let file = TempDesign::new("five-problems-run", FIVE_PROBLEMS);
    let output = archsim(&["run", file.path()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert_one_line_per_problem(&text(&output.stderr), &FIVE_PATHS);
}

/// The client → service design with the given service params, edge params and run settings.
fn small_design(client: &str, service: &str, edge: &str, run: &str, extra: &str) -> String {
    format!(
        r#"{{ "version": 1, "nodes": [
          {{ "id": "c", "kind": "client", "params": {client} }},
          {{ "id": "s", "kind": "service", "params": {service} }} ],
        "edges": [ {{ "id": "e", "from": "c", "to": "s", "params": {edge} }} ],
        "run": {run} {extra} }}"#
    )
}

/// Asserts archsim neither panicked nor aborted, and either ran or refused with problems.
#[track_caller]
fn assert_handled(name: &str, output: &Output) {
    let stderr = text(&output.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("memory allocation of"),
        "{name}: archsim crashed:\n{}",
        stderr.chars().take(1500).collect::<String>()
    );
    match output.status.code() {
        Some(0) => {
            let report: Value = serde_json::from_slice(&output.stdout).expect("a report on stdout");
            assert!(report["overall"].is_object(), "{name}");
        }
        Some(2) => assert!(
            stderr.lines().any(|l| l.contains(": ")),
            "{name}: refused without a problem line:\n{stderr}"
        ),
        other => panic!("{name}: exit status {other:?}, killed or crashed:\n{stderr}"),
    }
}

#[test]
fn extreme_but_valid_designs_run_or_are_refused_without_a_panic() {
    let short = r#"{ "duration_ms": 1000, "warmup_ms": 0, "max_events": 200000 }"#;
    let cases: Vec<(&str, String)> = vec![
        (
            "huge edge latency",
            small_design(
                "{}",
                "{}",
                r#"{ "latency": { "type": "constant", "ms": 1e300 } }"#,
                short,
                "",
            ),
        ),
        (
            "huge run",
            small_design(
                "{}",
                "{}",
                "{}",
                r#"{ "duration_ms": 1e300, "warmup_ms": 0, "bucket_ms": 1e296, "max_events": 1000 }"#,
                "",
            ),
        ),
        (
            "tiny run",
            small_design(
                "{}",
                "{}",
                "{}",
                r#"{ "duration_ms": 1e-9, "warmup_ms": 0, "bucket_ms": 1e-9, "replications": 3 }"#,
                "",
            ),
        ),
        (
            "timeout under a nanosecond",
            small_design("{}", "{}", r#"{ "timeout_ms": 1e-12 }"#, short, ""),
        ),
        (
            "huge back-off",
            small_design(
                "{}",
                r#"{ "error_rate": 1 }"#,
                r#"{ "retry": { "base_ms": 1e300, "max_backoff_ms": 1e300, "max_attempts": 5 } }"#,
                short,
                "",
            ),
        ),
        (
            "every key, steep zipf",
            small_design(
                r#"{ "keys": { "count": 18446744073709551615, "popularity": { "type": "zipf", "exponent": 1000 } } }"#,
                "{}",
                "{}",
                short,
                "",
            ),
        ),
        (
            "extreme log-normal",
            small_design(
                "{}",
                r#"{ "service_time": { "type": "log_normal", "median_ms": 1e-300, "p99_ms": 1e300 } }"#,
                "{}",
                short,
                "",
            ),
        ),
        (
            "most workers",
            small_design(
                "{}",
                r#"{ "workers": 4294967295, "queue_capacity": 4294967295 }"#,
                "{}",
                short,
                "",
            ),
        ),
        (
            "absurd rate",
            small_design(
                r#"{ "workload": { "type": "open_loop", "rate": { "type": "constant", "rps": 1e300 } } }"#,
                "{}",
                "{}",
                short,
                "",
            ),
        ),
        (
            "tiny sine period",
            small_design(
                r#"{ "workload": { "type": "open_loop", "rate": { "type": "sine", "mean_rps": 100, "amplitude_rps": 100, "period_ms": 1e-300 } } }"#,
                "{}",
                "{}",
                short,
                "",
            ),
        ),
        (
            "huge slow-down",
            small_design(
                "{}",
                r#"{ "slowdown": { "knee": 0.999999, "factor": 1e300 } }"#,
                "{}",
                short,
                r#", "faults": [ { "target": "s", "at_ms": 0, "duration_ms": 500, "effect": { "type": "slowdown", "factor": 1e300 } },
                             { "target": "s", "at_ms": 0, "duration_ms": 500, "effect": { "type": "latency", "extra_ms": 1e300 } } ]"#,
            ),
        ),
        (
            "fault beyond the end",
            small_design(
                "{}",
                "{}",
                "{}",
                short,
                r#", "faults": [ { "target": "s", "at_ms": 1e300, "duration_ms": 1e300, "effect": { "type": "crash" } } ]"#,
            ),
        ),
        (
            "crashed closed-loop client",
            small_design(
                r#"{ "workload": { "type": "closed_loop", "users": 3, "think_time": { "type": "constant", "ms": 0 } } }"#,
                "{}",
                "{}",
                short,
                r#", "faults": [ { "target": "c", "at_ms": 0, "duration_ms": 500, "effect": { "type": "crash" } } ]"#,
            ),
        ),
    ];
    for (name, json) in cases {
        let file = TempDesign::new(&name.replace(' ', "-"), &json);
        let output = archsim_confined(&["run", file.path(), "--json"]);
        assert_handled(name, &output);
    }
}

#[test]
fn database_with_the_most_replicas_does_not_panic() {
    let design = r#"{ "version": 1, "nodes": [
        { "id": "c", "kind": "client" },
        { "id": "db", "kind": "database", "params": { "replicas_per_shard": 4294967295 } } ],
      "edges": [ { "id": "e", "from": "c", "to": "db" } ],
      "run": { "duration_ms": 1000, "warmup_ms": 0 } }"#;
    let file = TempDesign::new("replicas", design);
    assert_handled(
        "u32::MAX replicas",
        &archsim_confined(&["run", file.path(), "--json"]),
    );
}

#[test]
fn huge_populations_are_refused_or_run_without_aborting() {
    let users = r#"{ "version": 1, "nodes": [
        { "id": "c", "kind": "client", "params": { "workload": { "type": "closed_loop",
            "users": 4294967295, "think_time": { "type": "constant", "ms": 0 } } } },
        { "id": "s", "kind": "service" } ],
      "edges": [ { "id": "e", "from": "c", "to": "s" } ],
      "run": { "duration_ms": 1000, "warmup_ms": 0, "max_events": 10000 } }"#;
    let shards = r#"{ "version": 1, "nodes": [
        { "id": "c", "kind": "client" },
        { "id": "db", "kind": "database", "params": { "shards": 100000000, "replicas_per_shard": 1 } } ],
      "edges": [ { "id": "e", "from": "c", "to": "db" } ],
      "run": { "duration_ms": 1000, "warmup_ms": 0, "max_events": 10000 } }"#;
    for (name, json) in [("users", users), ("shards", shards)] {
        let file = TempDesign::new(name, json);
        assert_handled(name, &archsim_confined(&["run", file.path(), "--json"]));
    }
}
