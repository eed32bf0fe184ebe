//! Quick engine throughput check (wall-clock timing lives here, never in the engine):
//! `cargo run -p archsim-engine --release --example throughput`.

use std::time::Instant;

use archsim_model::parse_design;

fn time_it(name: &str, json: &str) {
    let design = parse_design(json).expect("valid design");
    let start = Instant::now();
    let report = archsim_engine::run(&design, &mut |_| {}).expect("runs");
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{name}: {} events in {seconds:.3} s = {:.1} M events/s; {:.0} requests, p99 {:.2} ms",
        report.events,
        report.events as f64 / seconds / 1e6,
        report.overall.arrivals.value,
        report.overall.latency.p99_ms.value,
    );
}

fn main() {
    time_it(
        "M/M/1 (ρ = 0.8, 10 simulated minutes)",
        r#"{ "version": 1, "nodes": [
          { "id": "c", "kind": "client", "params": { "mix": [],
              "workload": { "type": "open_loop", "rate": { "type": "constant", "rps": 8000 } } } },
          { "id": "s", "kind": "service", "params": { "workers": 1, "queue_capacity": 1000000,
              "service_time": { "type": "exponential", "mean_ms": 0.1 } } } ],
        "edges": [ { "id": "e", "from": "c", "to": "s",
                     "params": { "latency": { "type": "constant", "ms": 0 } } } ],
        "run": { "duration_ms": 600000, "warmup_ms": 10000 } }"#,
    );
    time_it(
        "five hops at 10k rps for a minute",
        r#"{ "version": 1, "nodes": [
          { "id": "c", "kind": "client", "params": {
              "workload": { "type": "open_loop", "rate": { "type": "constant", "rps": 10000 } } } },
          { "id": "gw", "kind": "api_gateway", "params": {} },
          { "id": "lb", "kind": "load_balancer", "params": {} },
          { "id": "app1", "kind": "service", "params": { "workers": 64,
              "service_time": { "type": "log_normal", "median_ms": 5, "p99_ms": 25 } } },
          { "id": "app2", "kind": "service", "params": { "workers": 64,
              "service_time": { "type": "log_normal", "median_ms": 5, "p99_ms": 25 } } },
          { "id": "cache", "kind": "cache", "params": { "capacity": 2000 } },
          { "id": "db", "kind": "database", "params": { "shards": 4, "connections": 32 } } ],
        "edges": [ { "id": "c-gw", "from": "c", "to": "gw", "params": { "timeout_ms": 1000 } },
                   { "id": "gw-lb", "from": "gw", "to": "lb" },
                   { "id": "lb-app1", "from": "lb", "to": "app1" },
                   { "id": "lb-app2", "from": "lb", "to": "app2" },
                   { "id": "app1-cache", "from": "app1", "to": "cache" },
                   { "id": "app2-cache", "from": "app2", "to": "cache" },
                   { "id": "cache-db", "from": "cache", "to": "db" } ],
        "run": { "duration_ms": 60000, "warmup_ms": 5000 } }"#,
    );
}
