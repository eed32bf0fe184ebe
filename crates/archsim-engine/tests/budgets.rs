//! Budgets that keep any valid design bounded in time and memory (hostile input): a run that
//! reaches one stops early and says which budget, when, and where the requests piled up.

mod common;

use archsim_model::design::{Design, Distribution};
use archsim_model::report::StopReason;
use common::{client, design, edge, exp_ms, go, service};

/// A client at `rps` into a service behind an edge whose network latency is `latency_ms`:
/// every request stays in flight on the edge for that long.
fn slow_edge(rps: f64, latency_ms: f64, duration_ms: f64) -> Design {
    let mut link = edge("c", "s");
    link.params.latency = Distribution::Constant { ms: latency_ms };
    design(
        vec![client("c", rps), service("s", 4, 100, exp_ms(1.0))],
        vec![link],
        duration_ms,
        0.0,
    )
}

#[test]
fn requests_piling_up_stop_the_run_at_the_memory_budget_and_name_the_node() {
    let mut design = slow_edge(100_000.0, 1e6, 10_000.0);
    design.run.max_in_flight = 10_000;
    let report = go(&design);
    match &report.stopped_early {
        Some(StopReason::InFlightBudget {
            max_in_flight,
            at_ms,
            node,
            node_in_flight,
        }) => {
            assert_eq!(*max_in_flight, 10_000);
            // Each request is two jobs: the client's, waiting on its call, and the one on its
            // way to `s` (where they pile up).
            assert_eq!(node, "s");
            assert_eq!(*node_in_flight, 5_000);
            // 5 000 requests at 100 000 per second: about 50 ms (sd 0.7 ms).
            assert!((*at_ms - 50.0).abs() < 4.0, "{at_ms}");
        }
        other => panic!("expected the in-flight budget, got {other:?}"),
    }
    assert!(report.series.t_ms.last().copied().unwrap_or(0.0) <= 54.0);
}

/// The fuzzer's reproduction: ten million requests per second into an edge with a latency of
/// 11.6 days kept every request in flight (3.4 GB after 20 M requests, then an abort at
/// 11.5 GB). With the default budget the run stops at two million in flight.
#[test]
fn the_default_memory_budget_stops_a_run_that_would_exhaust_memory() {
    let design = slow_edge(1e7, 1e9, 60_000.0);
    let report = go(&design);
    match &report.stopped_early {
        Some(StopReason::InFlightBudget {
            max_in_flight,
            node,
            ..
        }) => {
            assert_eq!(*max_in_flight, archsim_model::design::DEFAULT_MAX_IN_FLIGHT);
            assert_eq!(node, "s");
        }
        other => panic!("expected the in-flight budget, got {other:?}"),
    }
}

/// Only the first replication's series is reported, so the others are not kept.
#[test]
fn replications_report_the_first_ones_series() {
    let mut design = slow_edge(100.0, 1.0, 4_000.0);
    let one = go(&design);
    design.run.replications = 3;
    let three = go(&design);
    assert_eq!(one.series, three.series);
}
