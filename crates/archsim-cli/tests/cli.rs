//! Runs the built `archsim` binary as a user would and checks what it prints and its exit status.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use archsim_model::{Design, NodeKind, RateProfile, Report, Workload};

fn archsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_archsim"))
        .args(args)
        .output()
        .expect("the archsim binary runs")
}

fn archsim_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_archsim"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the archsim binary runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin.as_bytes())
        .expect("stdin accepts the design");
    child.wait_with_output().expect("archsim finishes")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

fn workspace_file(relative: &str) -> String {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "..", "..", relative]
        .iter()
        .collect();
    path.to_str().expect("paths are UTF-8").to_string()
}

fn mm1_example() -> String {
    workspace_file("examples/mm1.json")
}

/// Asserts the process did not panic (no Rust panic message, no backtrace hint).
fn assert_no_panic(output: &Output) {
    let text = stderr(output);
    assert!(!text.contains("panicked"), "archsim panicked:\n{text}");
    assert!(
        !text.contains("RUST_BACKTRACE"),
        "archsim panicked:\n{text}"
    );
}

/// The arrival rate of the design's first client, which must be a constant open loop.
fn constant_arrival_rate(design: &Design) -> f64 {
    design
        .nodes
        .iter()
        .find_map(|node| match &node.spec {
            NodeKind::Client(params) => match &params.workload {
                Workload::OpenLoop {
                    rate: RateProfile::Constant { rps },
                } => Some(*rps),
                _ => None,
            },
            _ => None,
        })
        .expect("the example has a client with a constant open-loop rate")
}

fn run_json(args: &[&str]) -> (String, Report) {
    let output = archsim(args);
    assert_no_panic(&output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "archsim {args:?} failed:\n{}",
        stderr(&output)
    );
    let text = stdout(&output);
    let report: Report = serde_json::from_str(&text).expect("stdout is exactly one Report");
    (text, report)
}

// --- validate ---------------------------------------------------------------------------------

/// `archsim validate -` on `design`, which must be refused (exit 1, nothing on stdout, no
/// panic): what it printed on stderr.
fn validate_refusal(design: &str) -> String {
    let output = archsim_with_stdin(&["validate", "-"], design);
    assert_no_panic(&output);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stdout(&output).is_empty(), "stdout: {}", stdout(&output));
    stderr(&output)
}

#[test]
fn validate_prints_ok_for_a_valid_design() {
    let output = archsim(&["validate", &mm1_example()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "ok\n");
}

#[test]
fn validate_names_the_json_path_of_each_problem() {
    let design = r#"{
        "version": 1,
        "nodes": [
            { "id": "users", "kind": "client" },
            { "id": "api", "kind": "service", "params": { "workers": "four" } }
        ],
        "edges": [ { "id": "e", "from": "users", "to": "api" } ]
    }"#;
    let text = validate_refusal(design);
    assert!(text.contains("nodes[1].params.workers: "), "{text}");
}

/// Regression: `validate` once checked only the structure and printed "ok" for a design whose
/// edge names a node that does not exist.
#[test]
fn validate_checks_meaning_as_well_as_structure() {
    let design = r#"{
        "version": 1,
        "nodes": [
            { "id": "users", "kind": "client" },
            { "id": "api", "kind": "service", "params": { "workers": 0 } }
        ],
        "edges": [
            { "id": "e", "from": "users", "to": "api" },
            { "id": "f", "from": "api", "to": "nowhere" }
        ]
    }"#;
    let text = validate_refusal(design);
    assert!(text.contains("nodes[1].params.workers: "), "{text}");
    assert!(text.contains("edges[1].to: "), "{text}");
}

/// Structural and semantic problems of one file come out together, each with its path.
#[test]
fn validate_lists_structural_and_semantic_problems_together() {
    let design = r#"{
        "version": 1,
        "nodes": [
            { "id": "users", "kind": "client" },
            { "id": "api", "kind": "service", "params": { "workers": "four" } }
        ],
        "edges": [
            { "id": "e", "from": "users", "to": "api" },
            { "id": "f", "from": "users", "to": "nowhere" }
        ]
    }"#;
    let text = validate_refusal(design);
    assert!(text.contains("nodes[1].params.workers: "), "{text}");
    assert!(text.contains("edges[1].to: "), "{text}");
    assert!(text.contains("(2 problems)"), "{text}");
}

#[test]
fn validate_reports_text_that_is_not_json_on_one_line() {
    let text = validate_refusal("this is not json");
    let problem_lines: Vec<&str> = text.lines().filter(|l| l.starts_with("$: ")).collect();
    assert_eq!(problem_lines.len(), 1, "{text}");
    assert!(problem_lines[0].contains("JSON"), "{text}");
}

#[test]
fn validate_reports_a_wrong_shape_without_panicking() {
    assert!(!validate_refusal("[1, 2, 3]").is_empty());
}

#[test]
fn missing_file_is_one_clear_line_and_exit_status_2() {
    for command in ["validate", "run"] {
        let output = archsim(&[command, "no/such/design.json"]);
        assert_no_panic(&output);
        assert_eq!(output.status.code(), Some(2), "{command}");
        assert_eq!(
            stderr(&output),
            "archsim: cannot read no/such/design.json: no such file\n",
            "{command}"
        );
        assert!(stdout(&output).is_empty());
    }
}

// --- run --------------------------------------------------------------------------------------

#[test]
fn run_json_throughput_matches_the_arrival_rate_of_the_mm1_example() {
    let design_text = std::fs::read_to_string(mm1_example()).expect("examples/mm1.json exists");
    let design = archsim_model::parse_design(&design_text).expect("the example is valid");
    let rate = constant_arrival_rate(&design);

    let (_, report) = run_json(&[
        "run",
        &mm1_example(),
        "--duration",
        "200s",
        "--warmup",
        "5s",
        "--json",
    ]);
    assert_eq!(report.duration_ms, 200_000.0);
    assert_eq!(report.warmup_ms, 5_000.0);
    // 195 s after warm-up at the example's rate (80 req/s): about 15,600 departures, which form
    // a Poisson process in a stable M/M/1 (Burke), so ±5% is about six standard deviations.
    let throughput = report.overall.throughput_rps.value;
    assert!(
        (throughput - rate).abs() <= 0.05 * rate,
        "throughput {throughput} req/s, arrival rate {rate} req/s"
    );
    assert!(report.events > 0);
}

#[test]
fn run_with_the_same_seed_prints_the_same_json() {
    let args = [
        "run",
        &mm1_example(),
        "--duration",
        "10s",
        "--warmup",
        "1s",
        "--seed",
        "11",
        "--json",
    ];
    let (first, _) = run_json(&args);
    let (second, _) = run_json(&args);
    assert_eq!(first, second);

    let (other_seed, report) = run_json(&[
        "run",
        &mm1_example(),
        "--duration",
        "10s",
        "--warmup",
        "1s",
        "--seed",
        "12",
        "--json",
    ]);
    assert_eq!(report.seed, 12);
    assert_ne!(
        first, other_seed,
        "a different seed must give different draws"
    );
}

#[test]
fn run_report_does_not_depend_on_the_number_of_threads() {
    let run_on = |threads: &str| {
        run_json(&[
            "run",
            &mm1_example(),
            "--duration",
            "10000ms",
            "--warmup",
            "1000ms",
            "--replications",
            "4",
            "--threads",
            threads,
            "--json",
        ])
    };
    let (one_thread, report) = run_on("1");
    let (four_threads, _) = run_on("4");
    assert_eq!(report.replications, 4);
    assert!(
        report.overall.throughput_rps.ci95.is_some(),
        "four replications give a confidence interval"
    );
    assert_eq!(one_thread, four_threads);
}

#[test]
fn run_prints_a_table_with_overall_and_per_node_figures() {
    let design_text = std::fs::read_to_string(mm1_example()).expect("examples/mm1.json exists");
    let design = archsim_model::parse_design(&design_text).expect("the example is valid");
    let output = archsim(&["run", &mm1_example(), "--duration", "10s", "--warmup", "1s"]);
    assert_no_panic(&output);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("throughput"), "{text}");
    assert!(text.contains("p99"), "{text}");
    for node in &design.nodes {
        assert!(
            text.lines()
                .any(|line| line.trim_start().starts_with(&format!("{} ", node.id))),
            "no row for node {}:\n{text}",
            node.id
        );
    }
    // Not a TTY here, so no progress bar either.
    assert!(stderr(&output).is_empty(), "{}", stderr(&output));
}

#[test]
fn run_refuses_an_invalid_design_with_exit_status_2() {
    let output = archsim_with_stdin(&["run", "-"], r#"{ "version": 1, "nodes": 3 }"#);
    assert_no_panic(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("nodes"), "{}", stderr(&output));
    assert!(stdout(&output).is_empty());
}

#[test]
fn run_rejects_a_negative_duration_override_by_its_path() {
    let output = archsim(&["run", &mm1_example(), "--duration=-5"]);
    assert_no_panic(&output);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(text.contains("run.duration_ms"), "{text}");
    assert!(text.contains("--duration"), "{text}");
}

// --- schema, help, usage ----------------------------------------------------------------------

#[test]
fn schema_is_json_describing_the_design_document() {
    let output = archsim(&["schema"]);
    assert_eq!(output.status.code(), Some(0));
    let schema: serde_json::Value =
        serde_json::from_str(&stdout(&output)).expect("the schema is JSON");
    let properties = schema
        .get("properties")
        .and_then(|p| p.as_object())
        .expect("the schema has top-level properties");
    for field in ["version", "nodes", "edges", "run"] {
        assert!(properties.contains_key(field), "no {field} in the schema");
    }
}

#[test]
fn help_documents_the_exit_statuses() {
    let output = archsim(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.contains("Exit status:"), "{text}");
    for status in ["0  success", "1  validate", "2  the design file", "3  run"] {
        assert!(text.contains(status), "no '{status}' in:\n{text}");
    }
}

#[test]
fn unknown_flag_is_a_usage_error_with_exit_status_2() {
    let output = archsim(&["run", &mm1_example(), "--speed", "11"]);
    assert_no_panic(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--speed"));
}

// --- hostile text -----------------------------------------------------------------------------

/// Escape sequences, line breaks and reordering characters a shared design could carry in its
/// ids, labels and name.
const HOSTILE: [&str; 6] = [
    "\u{1b}]0;pwned\u{7}",
    "\u{1b}[2J\u{1b}[H",
    "\u{1b}[31mred",
    "over\rwrite",
    "\u{202e}desrever",
    "x\n`forged`: a problem that is not there",
];

fn assert_shown_as_text(text: &str) {
    for c in text.chars() {
        assert!(
            c == '\n' || !(c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
            "raw control character U+{:04X} in output:\n{text:?}",
            c as u32
        );
    }
    assert!(!text.contains("\n`forged`"), "a forged line:\n{text}");
}

/// The mm1 example with its labels and name replaced by hostile text (ids may only hold ASCII
/// letters, digits, `-` and `_`, so they cannot carry any).
fn hostile_mm1(text: &str) -> String {
    let mut design: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(mm1_example()).unwrap()).unwrap();
    design["name"] = text.into();
    design["nodes"][0]["label"] = format!("client {text}").into();
    design["nodes"][1]["label"] = format!("label {text}").into();
    design["run"]["duration_ms"] = 2_000.into();
    design["run"]["warmup_ms"] = 0.into();
    design.to_string()
}

#[test]
fn run_table_escapes_control_characters_from_the_design() {
    for text in HOSTILE {
        let output = archsim_with_stdin(&["run", "-"], &hostile_mm1(text));
        assert_no_panic(&output);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let table = stdout(&output);
        assert_shown_as_text(&table);
        assert!(table.contains("server"), "{table}");
    }
}

#[test]
fn validate_problem_lines_cannot_be_forged_by_an_id() {
    for text in HOSTILE {
        // An edge to a node that does not exist: the problem line quotes the hostile id.
        let mut design: serde_json::Value = serde_json::from_str(&hostile_mm1(text)).unwrap();
        design["edges"][0]["to"] = format!("nowhere{text}").into();
        let problems = validate_refusal(&design.to_string());
        assert_shown_as_text(&problems);
        // Each problem on a line of its own, however many line breaks the id carried, and the
        // summary counts exactly the lines above it.
        let lines: Vec<&str> = problems.lines().collect();
        let count = lines.len() - 1;
        let plural = if count == 1 { "" } else { "s" };
        assert!(
            lines[count].ends_with(&format!("({count} problem{plural})")),
            "{problems}"
        );
        assert!(
            lines[..count].iter().all(|l| l.starts_with("edges[0]")),
            "{problems}"
        );
    }
}

#[test]
fn a_closed_stderr_ends_with_an_exit_status_not_a_panic() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_archsim"))
        .args(["validate", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the archsim binary runs");
    // Close the reading end of stderr before archsim writes its problems there.
    drop(child.stderr.take());
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            br#"{"version": 1, "nodes": [], "edges": [{"id": "e", "from": "a", "to": "b"}]}"#,
        )
        .unwrap();
    let output = child.wait_with_output().expect("archsim finishes");
    assert_eq!(output.status.code(), Some(1));
}
