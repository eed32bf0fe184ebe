use super::*;
use archsim_model::design::FaultEffect;
use archsim_model::{CacheReport, EdgeEnds, FaultFigures, FaultReport, Summary};

fn estimate(value: f64, ci95: Option<f64>) -> Estimate {
    Estimate { value, ci95 }
}

fn sample_report() -> Report {
    let mut report = Report {
        design_name: "checkout".into(),
        seed: 7,
        replications: 3,
        duration_ms: 60_000.0,
        warmup_ms: 5_000.0,
        events: 1_234_567,
        overall: Summary {
            throughput_rps: estimate(799.84, Some(2.13)),
            goodput_rps: estimate(790.0, Some(2.0)),
            completed: estimate(43_991.0, Some(117.0)),
            succeeded: estimate(43_450.0, Some(110.0)),
            arrivals: estimate(44_000.0, Some(120.0)),
            ..Summary::default()
        },
        ..Report::default()
    };
    report.overall.failures.timeout = estimate(541.0, Some(12.0));
    report.overall.latency.p99_ms = estimate(23.456, Some(0.5));
    report.nodes.insert(
        "api".into(),
        NodeReport {
            kind: "service".into(),
            arrivals: estimate(44_000.0, None),
            completions: estimate(43_991.0, None),
            utilisation: estimate(0.8, Some(0.01)),
            cache: Some(CacheReport {
                hit_ratio: estimate(0.5, None),
                ..CacheReport::default()
            }),
            ..NodeReport::default()
        },
    );
    report.edges.insert(
        "quiet".into(),
        EdgeReport {
            attempts: estimate(10.0, None),
            ..EdgeReport::default()
        },
    );
    report.edges.insert(
        "flaky".into(),
        EdgeReport {
            attempts: estimate(10.0, None),
            retries: estimate(3.0, None),
            ..EdgeReport::default()
        },
    );
    report
}

#[test]
fn overall_figures_show_their_confidence_intervals() {
    let text = render(&sample_report());
    assert!(text.contains("799.8 ± 2.1 "), "{text}");
    assert!(text.contains("p99"), "{text}");
    assert!(text.contains("23.46 ± 0.50"), "{text}");
    assert!(text.contains("1,234,567 events"), "{text}");
}

#[test]
fn only_nonzero_failure_causes_are_listed() {
    let text = render(&sample_report());
    assert!(text.contains("timeout"), "{text}");
    assert!(!text.contains("queue_full"), "{text}");
}

#[test]
fn node_rows_show_kind_and_utilisation() {
    let text = render(&sample_report());
    let row = text
        .lines()
        .find(|line| line.trim_start().starts_with("api "))
        .expect("a row for node api");
    assert!(row.contains("service"), "{row}");
    assert!(row.contains("80.0% ± 1.0"), "{row}");
    assert!(text.contains("api: hit ratio 50.0%"), "{text}");
}

#[test]
fn kinds_without_workers_show_no_utilisation() {
    for kind in [
        "client",
        "api_gateway",
        "load_balancer",
        "cache",
        "rate_limiter",
    ] {
        let mut report = sample_report();
        report.nodes.get_mut("api").unwrap().kind = kind.to_string();
        let text = render(&report);
        let row = text
            .lines()
            .find(|line| line.trim_start().starts_with("api "))
            .expect("a row for node api");
        assert!(row.contains('—') && !row.contains("80.0%"), "{kind}: {row}");
    }
}

#[test]
fn only_eventful_edges_are_listed() {
    let text = render(&sample_report());
    assert!(text.contains("flaky"), "{text}");
    assert!(!text.contains("quiet"), "{text}");
}

#[test]
fn quiet_report_has_no_edge_section() {
    let mut report = sample_report();
    report.edges.clear();
    assert!(!render(&report).contains("Edges"));
}

#[test]
fn early_stop_is_announced() {
    let mut report = sample_report();
    report.stopped_early = Some(StopReason::EventBudget {
        max_events: 1_000_000,
        at_ms: 1_234.5,
    });
    let text = render(&report);
    assert!(text.contains("stopped early"), "{text}");
    assert!(text.contains("1,000,000"), "{text}");
}

#[test]
fn early_stop_at_the_memory_budget_names_the_node_in_the_apps_words() {
    let mut report = sample_report();
    let reason = StopReason::InFlightBudget {
        max_in_flight: 200_000,
        at_ms: 35_500.0,
        node: "db\u{1b}[31m".to_string(),
        node_in_flight: 150_000,
    };
    report.stopped_early = Some(reason.clone());
    let notice = stop_notice(&report).expect("a stopped run has a notice");
    assert!(notice.contains("at 35.5"), "{notice}");
    assert!(
        notice.contains("200,000") && notice.contains("150,000"),
        "{notice}"
    );
    assert!(notice.contains("memory budget"), "{notice}");
    assert!(
        !notice.contains('\u{1b}'),
        "the node id is escaped: {notice}"
    );
    assert!(
        render(&report).contains(&notice),
        "the table ends with the notice"
    );
}

#[test]
fn latency_is_hidden_when_nothing_succeeded() {
    let mut report = sample_report();
    report.overall.succeeded = Estimate::exact(0.0);
    assert!(!render(&report).contains("latency of successful requests"));
}

#[test]
fn numbers_are_rounded_for_reading() {
    assert_eq!(number(1_234_567.8), "1,234,568");
    assert_eq!(number(800.0), "800");
    assert_eq!(number(799.84), "799.8");
    assert_eq!(number(5.0123), "5.01");
    assert_eq!(number(0.01234), "0.0123");
    assert_eq!(number(-2_500.0), "-2,500");
    assert_eq!(number(f64::NAN), "—");
}

#[test]
fn value_and_interval_share_their_decimals() {
    assert_eq!(with_ci(estimate(29.8412, Some(0.2128))), "29.84 ± 0.21");
    assert_eq!(with_ci(estimate(21_854.2, Some(277.0))), "21,854 ± 277");
    assert_eq!(with_ci(estimate(0.0, Some(0.0))), "0 ± 0");
    assert_eq!(
        with_ci(estimate(0.000562, Some(0.000227))),
        "0.0006 ± 0.0002"
    );
    assert_eq!(with_ci(estimate(5.0, None)), "5");
}

#[test]
fn columns_align_numbers_to_the_right() {
    let rows = vec![
        vec!["a".to_string(), "1".to_string()],
        vec!["bbb".to_string(), "100".to_string()],
    ];
    let text = columns(&rows, &[Align::Left, Align::Right], "");
    assert_eq!(text, "a      1\nbbb  100\n");
}

#[test]
fn a_topic_read_by_several_groups_lists_each_groups_lag_offsets_and_scaling() {
    let mut report = sample_report();
    let per =
        |values: &[f64]| -> Vec<Estimate> { values.iter().map(|&v| estimate(v, None)).collect() };
    report.nodes.insert(
        "orders".into(),
        NodeReport {
            kind: "queue".into(),
            queue: Some(archsim_model::QueueReport {
                partition_messages: per(&[100.0, 90.0]),
                partition_max_lag: per(&[40.0, 30.0]),
                group_partition_max_lag: vec![per(&[1.0, 2.0]), per(&[40.0, 30.0])],
                group_committed_offsets: vec![vec![100, 89], vec![60, 60]],
                group_autoscaling: vec![
                    archsim_model::AutoscalingReport::default(),
                    archsim_model::AutoscalingReport {
                        peak_instances: estimate(4.0, None),
                        ..Default::default()
                    },
                ],
                ..Default::default()
            }),
            ..NodeReport::default()
        },
    );
    let text = render(&report);
    assert!(
        text.contains("orders: consumer group 1: max lag per partition [1, 2], committed offset per partition [100, 89]"),
        "{text}"
    );
    assert!(
        text.contains("orders: consumer group 2: max lag per partition [40, 30], committed offset per partition [60, 60]"),
        "{text}"
    );
    assert!(
        text.contains("orders consumer group 2: consumers mean"),
        "{text}"
    );
}

fn fault(effect: FaultEffect, at_ms: f64, end_ms: f64, figures: FaultFigures) -> FaultReport {
    FaultReport {
        index: 0,
        kind: String::new(),
        effect,
        target: "api-db".into(),
        edge: None,
        start_ms: at_ms,
        end_ms,
        figures,
    }
}

#[test]
fn each_fault_gets_a_line_saying_when_what_where_and_what_it_did() {
    let mut report = sample_report();
    let mut partition = fault(
        FaultEffect::Partition,
        20_000.0,
        30_000.0,
        FaultFigures {
            requests_vanished: Some(estimate(1_204.0, None)),
            replies_vanished: Some(estimate(3.0, None)),
            probes_vanished: Some(estimate(0.0, None)),
            ..FaultFigures::default()
        },
    );
    partition.edge = Some(EdgeEnds {
        from: "api".into(),
        to: "db".into(),
    });
    let burst = fault(
        FaultEffect::Burst { requests: 500 },
        3_000.0,
        3_000.0,
        FaultFigures {
            requests_sent: Some(estimate(500.0, Some(0.0))),
            ..FaultFigures::default()
        },
    );
    report.faults = vec![partition, burst];
    let text = render(&report);
    assert!(text.contains("Faults on the timeline"), "{text}");
    let line = |needle: &str| {
        text.lines()
            .find(|line| line.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle}:\n{text}"))
            .to_string()
    };
    let partition = line("partition");
    assert!(partition.contains("20–30 s"), "{partition}");
    assert!(partition.contains("api → db"), "{partition}");
    assert!(
        partition.contains("1,204 requests vanished, 3 replies vanished"),
        "{partition}"
    );
    // No probes crossed the edge: not worth a word.
    assert!(!partition.contains("probe"), "{partition}");
    let burst = line("burst of 500 requests");
    assert!(burst.contains("3 s"), "{burst}");
    assert!(burst.contains("500 ± 0 requests sent"), "{burst}");
}

#[test]
fn a_fault_after_the_end_of_the_run_says_it_did_nothing() {
    let mut report = sample_report();
    report.faults = vec![fault(
        FaultEffect::Burst { requests: 10 },
        60_000.0,
        60_000.0,
        FaultFigures {
            requests_sent: Some(estimate(0.0, None)),
            ..FaultFigures::default()
        },
    )];
    let text = render(&report);
    assert!(
        text.contains("nothing: it starts after the end of the run"),
        "{text}"
    );
}

#[test]
fn a_report_without_faults_has_no_fault_section() {
    assert!(!render(&sample_report()).contains("Faults"));
}

#[test]
fn fault_targets_from_the_design_are_escaped() {
    let mut report = sample_report();
    report.faults = vec![fault(
        FaultEffect::Crash,
        1_000.0,
        2_000.0,
        FaultFigures {
            requests_failed: Some(estimate(7.0, None)),
            ..FaultFigures::default()
        },
    )];
    report.faults[0].target = "evil\u{1b}[2J".into();
    let text = render(&report);
    assert!(!text.contains('\u{1b}'), "{text:?}");
    assert!(text.contains("7 requests failed (node down)"), "{text}");
}
