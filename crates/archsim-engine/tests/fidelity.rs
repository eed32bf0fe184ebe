//! Fidelity: the engine against closed forms of queueing theory.
//!
//! Every expected value is computed here from its formula, never taken from engine output.
//! Each model runs 10 independent replications; the test asks both that the estimate is within
//! 2% of theory and that theory lies inside the engine's own 95% confidence interval. Networks
//! have zero latency, as the models assume.

mod common;

use archsim_model::design::{Design, Distribution, NodeKind};
use archsim_model::report::{Estimate, Report};
use common::*;

const REPLICATIONS: u32 = 10;

fn run(mut design: Design) -> Report {
    design.run.replications = REPLICATIONS;
    archsim_engine::run(&design, &mut |_| {}).expect("valid design")
}

/// Within `tolerance` (relative) of `expected`, and `expected` inside the reported 95% CI.
fn assert_matches(what: &str, estimate: Estimate, expected: f64, tolerance: f64) {
    let ci = estimate
        .ci95
        .expect("replications give a confidence interval");
    let error = (estimate.value - expected).abs() / expected;
    println!(
        "{what}: theory {expected:.5}, engine {:.5} ± {ci:.5} ({:+.2}%)",
        estimate.value,
        100.0 * (estimate.value - expected) / expected
    );
    assert!(
        error <= tolerance,
        "{what}: engine {} is {:.2}% from theory {expected} (allowed {:.1}%)",
        estimate.value,
        100.0 * error,
        100.0 * tolerance
    );
    assert!(
        (estimate.value - expected).abs() <= ci,
        "{what}: theory {expected} outside the 95% CI {} ± {ci}",
        estimate.value
    );
}

/// Measured seconds after warm-up.
fn measured_seconds(design: &Design) -> f64 {
    (design.run.duration_ms - design.run.warmup_ms) / 1000.0
}

/// Little's law at every node: time-average number in the node = throughput × mean residence.
/// Rejected requests never enter (zero residence), so the throughput is of successful ones.
fn assert_littles_law(report: &Report, design: &Design) {
    for (id, node) in &report.nodes {
        if node.kind == "client" {
            continue;
        }
        let served = node.completions.value - node.failures.total();
        let rate = served / measured_seconds(design);
        let lambda_w = rate * node.latency.mean_ms.value / 1000.0;
        let l = node.mean_in_flight.value;
        println!("Little {id}: L = {l:.4}, λW = {lambda_w:.4}");
        assert!(
            (l - lambda_w).abs() <= 0.02 * lambda_w,
            "node {id}: L = {l}, λW = {lambda_w}"
        );
    }
}

#[test]
fn mm1_mean_response_time_and_percentile_match_theory() {
    let (lambda, mu) = (700.0, 1000.0); // per second
    let design = single_station(lambda, 1, 1_000_000, exp_ms(1000.0 / mu), 300_000.0);
    let report = run(design.clone());
    let w_ms = 1000.0 / (mu - lambda);
    assert_matches("M/M/1 W", report.overall.latency.mean_ms, w_ms, 0.02);
    // Sojourn time is exponential with rate μ − λ: p99 = ln(100) / (μ − λ).
    let p99_ms = 100f64.ln() * 1000.0 / (mu - lambda);
    assert_matches("M/M/1 p99", report.overall.latency.p99_ms, p99_ms, 0.03);
    assert_matches("M/M/1 ρ", report.nodes["s"].utilisation, lambda / mu, 0.01);
    let lq = (lambda / mu).powi(2) / (1.0 - lambda / mu);
    assert_matches("M/M/1 Lq", report.nodes["s"].mean_queue_length, lq, 0.03);
    assert_littles_law(&report, &design);
}

/// Erlang C: probability an arrival waits in an M/M/c queue with offered load `a = λ/μ`.
fn erlang_c(c: u32, a: f64) -> f64 {
    let rho = a / c as f64;
    let mut term = 1.0; // a^k / k!
    let mut sum = 0.0;
    for k in 0..c {
        if k > 0 {
            term *= a / k as f64;
        }
        sum += term;
    }
    let last = term * a / c as f64; // a^c / c!
    let top = last / (1.0 - rho);
    top / (sum + top)
}

#[test]
fn mmc_matches_erlang_c() {
    let (c, lambda, mu) = (4u32, 3_200.0, 1_000.0);
    let design = single_station(lambda, c, 1_000_000, exp_ms(1000.0 / mu), 60_000.0);
    let report = run(design.clone());
    let p_wait = erlang_c(c, lambda / mu);
    let w_ms = 1000.0 * (p_wait / (c as f64 * mu - lambda) + 1.0 / mu);
    assert_matches("M/M/c W", report.overall.latency.mean_ms, w_ms, 0.02);
    assert_matches(
        "M/M/c ρ",
        report.nodes["s"].utilisation,
        lambda / (c as f64 * mu),
        0.01,
    );
    assert_littles_law(&report, &design);
}

#[test]
fn erlang_c_formula_matches_a_published_value() {
    // Guards the test's own formula: c = 2, a = 1 gives C = 1/3.
    assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
    // M/M/1 degenerates to ρ.
    assert!((erlang_c(1, 0.7) - 0.7).abs() < 1e-12);
}

#[test]
fn md1_matches_pollaczek_khinchine() {
    let (lambda, service_ms) = (700.0, 1.0);
    let design = single_station(
        lambda,
        1,
        1_000_000,
        Distribution::Constant { ms: service_ms },
        100_000.0,
    );
    let report = run(design.clone());
    let rho = lambda * service_ms / 1000.0;
    // P-K: Wq = λ E[S²] / (2(1 − ρ)), with E[S²] = D² for a constant service time.
    let wq_ms = rho * service_ms / (2.0 * (1.0 - rho));
    assert_matches(
        "M/D/1 W",
        report.overall.latency.mean_ms,
        service_ms + wq_ms,
        0.02,
    );
    assert_littles_law(&report, &design);
}

#[test]
fn mm1k_blocking_probability_and_response_time() {
    let (lambda, mu, k) = (900.0, 1_000.0, 5u32);
    // System capacity K: one in service plus K − 1 waiting.
    let design = single_station(lambda, 1, k - 1, exp_ms(1000.0 / mu), 60_000.0);
    let report = run(design.clone());
    let rho: f64 = lambda / mu;
    let p_block = (1.0 - rho) * rho.powi(k as i32) / (1.0 - rho.powi(k as i32 + 1));
    let l = rho / (1.0 - rho)
        - (k as f64 + 1.0) * rho.powi(k as i32 + 1) / (1.0 - rho.powi(k as i32 + 1));
    let w_ms = 1000.0 * l / (lambda * (1.0 - p_block));

    let blocked = report.overall.failures.queue_full;
    let arrivals = report.overall.arrivals.value;
    let measured_block = Estimate {
        value: blocked.value / arrivals,
        ci95: blocked.ci95.map(|ci| ci / arrivals),
    };
    assert_matches("M/M/1/K blocking", measured_block, p_block, 0.03);
    assert_matches("M/M/1/K W", report.overall.latency.mean_ms, w_ms, 0.02);
    assert_matches("M/M/1/K L", report.nodes["s"].mean_in_flight, l, 0.02);
    assert_littles_law(&report, &design);
}

#[test]
fn tandem_jackson_network_sums_station_response_times() {
    let (lambda, mu1, mu2) = (600.0, 1_000.0, 1_250.0);
    let mut first = service("a", 1, 1_000_000, exp_ms(1000.0 / mu1));
    if let NodeKind::Service(p) = &mut first.spec {
        // A pipeline stage: the worker moves on once its own work is done.
        p.hold_worker_during_calls = false;
    }
    let second = service("b", 1, 1_000_000, exp_ms(1000.0 / mu2));
    let design = design(
        vec![client("c", lambda), first, second],
        vec![edge("c", "a"), edge("a", "b")],
        80_000.0,
        8_000.0,
    );
    let report = run(design.clone());
    let w1 = 1000.0 / (mu1 - lambda);
    let w2 = 1000.0 / (mu2 - lambda);
    assert_matches("tandem W", report.overall.latency.mean_ms, w1 + w2, 0.02);
    assert_matches(
        "tandem station 2 W",
        report.nodes["b"].latency.mean_ms,
        w2,
        0.02,
    );
    assert_matches(
        "tandem station 1 ρ",
        report.nodes["a"].utilisation,
        lambda / mu1,
        0.01,
    );
    assert_matches(
        "tandem station 2 ρ",
        report.nodes["b"].utilisation,
        lambda / mu2,
        0.01,
    );
    // Station 1 alone is M/M/1: its mean number waiting is ρ²/(1 − ρ).
    let rho1: f64 = lambda / mu1;
    assert_matches(
        "tandem station 1 Lq",
        report.nodes["a"].mean_queue_length,
        rho1 * rho1 / (1.0 - rho1),
        0.03,
    );
    assert_littles_law(&report, &design);
}
