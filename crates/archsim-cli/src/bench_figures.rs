//! The figures of one timed replication, as `archsim bench` prints them natively and the WASM
//! harness (bench/wasm-bench, which includes this file) prints them in the browser or node:
//! one definition, so bench/compare.py always compares like with like.

use archsim_engine::ReplicationResult;
use archsim_model::Design;

/// Figures of replication 0 of `design`, which took `seconds` of wall time to run.
pub fn bench_figures(
    design: &Design,
    result: &ReplicationResult,
    seconds: f64,
) -> serde_json::Value {
    let events = result.events();
    let report = archsim_engine::summarize(design, std::slice::from_ref(result));
    // With no warm-up (the bench designs have none) `completed` counts every customer served.
    let customers = report.overall.completed.value;
    serde_json::json!({
        "design": design.name,
        "duration_ms": design.run.duration_ms,
        "seconds": seconds,
        "events": events,
        "customers": customers,
        "events_per_second": events as f64 / seconds,
        "customers_per_second": customers / seconds,
        "mean_latency_ms": report.overall.latency.mean_ms.value,
        "stopped_early": report.stopped_early.is_some(),
        "fingerprint": format!("{:016x}", archsim_engine::report_fingerprint(&report)),
    })
}
