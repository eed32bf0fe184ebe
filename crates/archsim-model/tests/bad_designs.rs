//! One case per kind of problem a design can have: each must be reported at its exact path
//! with a message that says why.

use archsim_model::{Design, Problem, load_design, parse_design, validate};
use serde_json::{Value, json};

/// Problems one to a line, indented, for a failure message.
fn listed(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n    ")
}

/// A small design using every node kind; valid as it stands.
fn base() -> Value {
    json!({
        "version": 2,
        "name": "everything",
        "nodes": [
            {"id": "users", "kind": "client", "params": {
                "workload": {"type": "open_loop", "rate": {"type": "constant", "rps": 50}},
                "mix": [{"name": "read", "weight": 9}, {"name": "write", "weight": 1, "write": true}],
                "keys": {"count": 1000, "popularity": {"type": "zipf", "exponent": 1.1}}}},
            {"id": "limiter", "kind": "rate_limiter"},
            {"id": "gw", "kind": "api_gateway", "params": {
                "routes": [{"class": "read", "to": "lb"}, {"class": "write", "to": "lb"}]}},
            {"id": "lb", "kind": "load_balancer"},
            {"id": "api", "kind": "service", "params": {
                "workers": 4, "service_time": {"type": "exponential", "mean_ms": 10}}},
            {"id": "cache", "kind": "cache"},
            {"id": "db", "kind": "database", "params": {"shards": 2, "connections": 8}},
            {"id": "jobs", "kind": "queue", "params": {"dead_letter": "dlq"}},
            {"id": "worker", "kind": "service"},
            {"id": "dlq", "kind": "queue"},
            {"id": "archive", "kind": "database"}
        ],
        "edges": [
            {"id": "e0", "from": "users", "to": "limiter"},
            {"id": "e1", "from": "limiter", "to": "gw"},
            {"id": "e2", "from": "gw", "to": "lb"},
            {"id": "e3", "from": "lb", "to": "api"},
            {"id": "e4", "from": "api", "to": "cache"},
            {"id": "e5", "from": "cache", "to": "db"},
            {"id": "e6", "from": "api", "to": "jobs", "params": {
                "call_probability": 0.1, "timeout_ms": 200,
                "retry": {"max_attempts": 3}, "circuit_breaker": {"failure_threshold": 0.5}}},
            {"id": "e7", "from": "jobs", "to": "worker"},
            {"id": "e8", "from": "jobs", "to": "dlq"},
            {"id": "e9", "from": "worker", "to": "archive", "params": {"call_probability": 0.5}}
        ],
        "faults": [{"target": "api", "at_ms": 1000, "duration_ms": 500, "effect": {"type": "crash"}}],
        "run": {"duration_ms": 10000, "warmup_ms": 1000}
    })
}

enum Edit {
    /// Replace the whole document text.
    Text(&'static str),
    /// Change the JSON before parsing.
    Json(fn(&mut Value)),
    /// Change the parsed design (for values JSON cannot hold, like NaN).
    Model(fn(&mut Design)),
}

struct Case {
    name: &'static str,
    edit: Edit,
    path: &'static str,
    fragment: &'static str,
}

fn problems_after(edit: &Edit) -> Vec<Problem> {
    let mut value = base();
    let text = match edit {
        Edit::Text(text) => text.to_string(),
        Edit::Json(change) => {
            change(&mut value);
            value.to_string()
        }
        Edit::Model(_) => value.to_string(),
    };
    match parse_design(&text) {
        Err(problems) => problems,
        Ok(mut design) => {
            if let Edit::Model(change) = edit {
                change(&mut design);
            }
            validate(&design)
        }
    }
}

fn push(array: &mut Value, item: Value) {
    array.as_array_mut().unwrap().push(item);
}

fn remove(array: &mut Value, index: usize) {
    array.as_array_mut().unwrap().remove(index);
}

#[test]
fn base_design_is_valid() {
    let design = parse_design(&base().to_string()).expect("base parses");
    assert_eq!(validate(&design), Vec::<Problem>::new());
}

#[test]
fn bad_designs_report_path_precise_errors() {
    let cases = [
        // ---- structure (parse_design) ----
        Case {
            name: "hedging with retries",
            edit: Edit::Json(|d| d["edges"][6]["params"]["hedging"] = json!({"max_hedges": 1})),
            path: "edges[6].params.hedging",
            fragment: "an edge either retries or hedges, not both",
        },
        Case {
            name: "too many hedges",
            edit: Edit::Json(|d| d["edges"][3]["params"]["hedging"] = json!({"max_hedges": 5})),
            path: "edges[3].params.hedging.max_hedges",
            fragment: "must be between 1 and 4",
        },
        Case {
            name: "observed p95 over too few replies",
            edit: Edit::Json(|d| {
                d["edges"][3]["params"]["hedging"] =
                    json!({"delay": {"type": "observed_p95", "window": 5}})
            }),
            path: "edges[3].params.hedging.delay.window",
            fragment: "the 95th percentile needs at least 20",
        },
        Case {
            name: "hedging a queue's deliveries",
            edit: Edit::Json(|d| d["edges"][7]["params"] = json!({"hedging": {}})),
            path: "edges[7].params.hedging",
            fragment: "hedging would deliver it twice",
        },
        Case {
            name: "json syntax",
            edit: Edit::Text("{\"version\": 1,,}"),
            path: "$",
            fragment: "not valid JSON at line 1, column 15",
        },
        Case {
            name: "not an object",
            edit: Edit::Text("[]"),
            path: "$",
            fragment: "a design is a JSON object",
        },
        Case {
            name: "missing version",
            edit: Edit::Json(|d| {
                d.as_object_mut().unwrap().remove("version");
            }),
            path: "version",
            fragment: "missing field `version`",
        },
        Case {
            name: "newer version",
            edit: Edit::Json(|d| d["version"] = json!(7)),
            path: "version",
            fragment: "design was written by a newer archsim (version 7; this build reads up to 3)",
        },
        Case {
            name: "version zero",
            edit: Edit::Json(|d| d["version"] = json!(0)),
            path: "version",
            fragment: "version 0 does not exist",
        },
        Case {
            name: "unknown top-level field",
            edit: Edit::Json(|d| d["nodez"] = json!([])),
            path: "nodez",
            fragment: "unknown field `nodez`",
        },
        Case {
            name: "nodes not an array",
            edit: Edit::Json(|d| d["nodes"] = json!({})),
            path: "nodes",
            fragment: "expected an array, found an object",
        },
        Case {
            name: "param of wrong type",
            edit: Edit::Json(|d| d["nodes"][4]["params"]["workers"] = json!("four")),
            path: "nodes[4].params.workers",
            fragment: "invalid type: string \"four\", expected u32",
        },
        Case {
            name: "negative count",
            edit: Edit::Json(|d| d["nodes"][4]["params"]["workers"] = json!(-2)),
            path: "nodes[4].params.workers",
            fragment: "invalid value: integer `-2`",
        },
        Case {
            name: "unknown param",
            edit: Edit::Json(|d| d["nodes"][4]["params"]["wrkers"] = json!(2)),
            path: "nodes[4].params.wrkers",
            fragment: "unknown field `wrkers`, expected one of `workers`",
        },
        Case {
            name: "distribution field wrong type",
            edit: Edit::Json(|d| d["nodes"][4]["params"]["service_time"]["mean_ms"] = json!("10")),
            path: "nodes[4].params.service_time.mean_ms",
            fragment: "invalid type",
        },
        Case {
            name: "unknown distribution",
            edit: Edit::Json(|d| d["nodes"][4]["params"]["service_time"]["type"] = json!("gamma")),
            path: "nodes[4].params.service_time.type",
            fragment: "unknown variant `gamma`, expected one of `constant`",
        },
        Case {
            name: "rate profile missing field",
            edit: Edit::Json(|d| {
                d["nodes"][0]["params"]["workload"]["rate"] =
                    json!({"type": "sine", "mean_rps": 5, "amplitude_rps": 1})
            }),
            path: "nodes[0].params.workload.rate.period_ms",
            fragment: "missing field `period_ms`",
        },
        Case {
            name: "unknown kind",
            edit: Edit::Json(|d| d["nodes"][4]["kind"] = json!("mainframe")),
            path: "nodes[4].kind",
            fragment: "unknown node kind `mainframe`; expected one of `client`, `api_gateway`",
        },
        Case {
            name: "missing node id",
            edit: Edit::Json(|d| {
                d["nodes"][4].as_object_mut().unwrap().remove("id");
            }),
            path: "nodes[4].id",
            fragment: "missing field `id`",
        },
        Case {
            name: "missing node kind",
            edit: Edit::Json(|d| {
                d["nodes"][4].as_object_mut().unwrap().remove("kind");
            }),
            path: "nodes[4].kind",
            fragment: "missing field `kind`; expected one of",
        },
        Case {
            name: "unknown node field",
            edit: Edit::Json(|d| d["nodes"][4]["colour"] = json!("red")),
            path: "nodes[4].colour",
            fragment: "unknown field `colour`",
        },
        Case {
            name: "missing edge from",
            edit: Edit::Json(|d| {
                d["edges"][2].as_object_mut().unwrap().remove("from");
            }),
            path: "edges[2].from",
            fragment: "missing field `from`",
        },
        Case {
            name: "missing edge to",
            edit: Edit::Json(|d| {
                d["edges"][0].as_object_mut().unwrap().remove("to");
            }),
            path: "edges[0].to",
            fragment: "missing field `to`",
        },
        Case {
            name: "edge param wrong type",
            edit: Edit::Json(|d| d["edges"][6]["params"]["retry"]["max_attempts"] = json!(2.5)),
            path: "edges[6].params.retry.max_attempts",
            fragment: "invalid type: floating point `2.5`, expected u32",
        },
        Case {
            name: "missing fault target",
            edit: Edit::Json(|d| {
                d["faults"][0].as_object_mut().unwrap().remove("target");
            }),
            path: "faults[0].target",
            fragment: "missing field `target`",
        },
        Case {
            name: "run field wrong type",
            edit: Edit::Json(|d| d["run"]["duration_ms"] = json!("1m")),
            path: "run.duration_ms",
            fragment: "invalid type",
        },
        // ---- identity and wiring ----
        Case {
            name: "duplicate node id",
            edit: Edit::Json(|d| d["nodes"][5]["id"] = json!("api")),
            path: "nodes[5].id",
            fragment: "duplicate node id `api` (also nodes[4].id)",
        },
        Case {
            name: "bad node id characters",
            edit: Edit::Json(|d| d["nodes"][10]["id"] = json!("cold store")),
            path: "nodes[10].id",
            fragment: "ids may contain only ASCII letters, digits, `-` and `_`",
        },
        Case {
            name: "empty edge id",
            edit: Edit::Json(|d| d["edges"][0]["id"] = json!("")),
            path: "edges[0].id",
            fragment: "must not be empty",
        },
        Case {
            name: "duplicate edge id",
            edit: Edit::Json(|d| d["edges"][1]["id"] = json!("e0")),
            path: "edges[1].id",
            fragment: "duplicate edge id `e0`",
        },
        Case {
            name: "edge to unknown node",
            edit: Edit::Json(|d| d["edges"][0]["to"] = json!("nowhere")),
            path: "edges[0].to",
            fragment: "no node has id `nowhere`",
        },
        Case {
            name: "edge from unknown node",
            edit: Edit::Json(|d| d["edges"][3]["from"] = json!("ghost")),
            path: "edges[3].from",
            fragment: "no node has id `ghost`",
        },
        Case {
            name: "self-loop",
            edit: Edit::Json(|d| d["edges"][3]["to"] = json!("lb")),
            path: "edges[3].to",
            fragment: "back to itself",
        },
        Case {
            name: "duplicate edge",
            edit: Edit::Json(|d| {
                push(
                    &mut d["edges"],
                    json!({"id": "again", "from": "users", "to": "limiter"}),
                )
            }),
            path: "edges[10]",
            fragment: "a second edge from `users` to `limiter` (edges[0]",
        },
        Case {
            name: "client with incoming edge",
            edit: Edit::Json(|d| {
                push(
                    &mut d["edges"],
                    json!({"id": "back", "from": "worker", "to": "users"}),
                )
            }),
            path: "edges[10].to",
            fragment: "`users` is a client",
        },
        Case {
            name: "client without outgoing edge",
            edit: Edit::Json(|d| push(&mut d["nodes"], json!({"id": "idle", "kind": "client"}))),
            path: "nodes[11]",
            fragment: "client `idle` has no outgoing edge",
        },
        Case {
            name: "no client",
            edit: Edit::Json(|d| {
                remove(&mut d["nodes"], 0);
                remove(&mut d["edges"], 0);
            }),
            path: "nodes",
            fragment: "no client, so nothing would send requests",
        },
        Case {
            name: "load balancer without backends",
            edit: Edit::Json(|d| remove(&mut d["edges"], 3)),
            path: "nodes[3]",
            fragment: "load balancer `lb` has no outgoing edge",
        },
        Case {
            name: "health probe interval of zero",
            edit: Edit::Json(|d| {
                d["nodes"][3]["params"] =
                    json!({"health_check": {"type": "active", "interval_ms": 0}});
            }),
            path: "nodes[3].params.health_check.interval_ms",
            fragment: "must be a finite number > 0, found 0",
        },
        Case {
            name: "health check unhealthy threshold of zero",
            edit: Edit::Json(|d| {
                d["nodes"][3]["params"] =
                    json!({"health_check": {"type": "active", "unhealthy_threshold": 0}});
            }),
            path: "nodes[3].params.health_check.unhealthy_threshold",
            fragment: "must be at least 1 (failed probes in a row that mark a backend down)",
        },
        Case {
            name: "unknown health check mode",
            edit: Edit::Json(|d| {
                d["nodes"][3]["params"] = json!({"health_check": {"type": "psychic"}});
            }),
            path: "nodes[3].params.health_check.type",
            fragment: "unknown variant `psychic`, expected one of `none`, `instant`, `active`",
        },
        Case {
            name: "max ejection below base ejection",
            edit: Edit::Json(|d| {
                d["nodes"][3]["params"] = json!({"outlier_detection":
                    {"base_ejection_ms": 30000, "max_ejection_ms": 1000}});
            }),
            path: "nodes[3].params.outlier_detection.max_ejection_ms",
            fragment: "must be at least base_ejection_ms (30000), as in Envoy; found 1000",
        },
        Case {
            name: "max ejection percent above 100",
            edit: Edit::Json(|d| {
                d["nodes"][3]["params"] =
                    json!({"outlier_detection": {"max_ejection_percent": 150}});
            }),
            path: "nodes[3].params.outlier_detection.max_ejection_percent",
            fragment: "must be a percentage between 0 and 100, found 150",
        },
        Case {
            name: "gateway health probe timeout of zero",
            edit: Edit::Json(|d| {
                d["nodes"][2]["params"]["health_check"] =
                    json!({"type": "active", "timeout_ms": 0});
            }),
            path: "nodes[2].params.health_check.timeout_ms",
            fragment: "must be a finite number > 0, found 0",
        },
        Case {
            name: "gateway outlier detection ejecting after no error",
            edit: Edit::Json(|d| {
                d["nodes"][2]["params"]["outlier_detection"] = json!({"consecutive_errors": 0});
            }),
            path: "nodes[2].params.outlier_detection.consecutive_errors",
            fragment: "must be at least 1 (failed replies in a row that eject a backend)",
        },
        Case {
            name: "gateway panic threshold above 100",
            edit: Edit::Json(|d| {
                d["nodes"][2]["params"]["panic_threshold_percent"] = json!(101);
            }),
            path: "nodes[2].params.panic_threshold_percent",
            fragment: "must be a percentage between 0 and 100, found 101",
        },
        Case {
            name: "panic threshold as a fraction",
            edit: Edit::Json(|d| {
                d["nodes"][3]["params"] = json!({"panic_threshold_percent": -0.5});
            }),
            path: "nodes[3].params.panic_threshold_percent",
            fragment: "must be a percentage between 0 and 100, found -0.5",
        },
        Case {
            name: "version 1 health_checks that is not a flag",
            edit: Edit::Json(|d| {
                d["version"] = json!(1);
                d["nodes"][3]["params"] = json!({"health_checks": 1});
            }),
            path: "nodes[3].params.health_checks",
            fragment: "expected true or false (a version-1 field), found",
        },
        Case {
            name: "version 2 still saying health_checks",
            edit: Edit::Json(|d| {
                d["nodes"][3]["params"] = json!({"health_checks": true});
            }),
            path: "nodes[3].params.health_checks",
            fragment: "unknown field `health_checks`",
        },
        Case {
            name: "unknown least-connections tie rule",
            edit: Edit::Json(|d| {
                d["nodes"][3]["params"] =
                    json!({"algorithm": {"type": "least_connections", "ties": "last"}});
            }),
            path: "nodes[3].params.algorithm",
            fragment: "last",
        },
        Case {
            name: "cache without downstream",
            edit: Edit::Json(|d| remove(&mut d["edges"], 5)),
            path: "nodes[5]",
            fragment: "its misses have nowhere to go",
        },
        Case {
            name: "certain cycle",
            edit: Edit::Json(|d| {
                push(
                    &mut d["edges"],
                    json!({"id": "loop", "from": "db", "to": "api"}),
                )
            }),
            path: "edges[10]",
            fragment: "cycle api → cache → db → api in which every edge has call_probability 1",
        },
        // ---- numbers ----
        Case {
            name: "negative rate",
            edit: Edit::Json(|d| d["nodes"][0]["params"]["workload"]["rate"]["rps"] = json!(-5)),
            path: "nodes[0].params.workload.rate.rps",
            fragment: "must be a finite number ≥ 0, found -5",
        },
        Case {
            name: "NaN time",
            edit: Edit::Model(|d| {
                d.edges[2].params.latency = archsim_model::Distribution::Constant { ms: f64::NAN }
            }),
            path: "edges[2].params.latency.ms",
            fragment: "found NaN",
        },
        Case {
            name: "infinite run",
            edit: Edit::Model(|d| d.run.duration_ms = f64::INFINITY),
            path: "run.duration_ms",
            fragment: "must be a finite number > 0, found inf",
        },
        Case {
            name: "zero workers",
            edit: Edit::Json(|d| d["nodes"][4]["params"]["workers"] = json!(0)),
            path: "nodes[4].params.workers",
            fragment: "must be at least 1",
        },
        Case {
            name: "zero connections",
            edit: Edit::Json(|d| d["nodes"][6]["params"]["connections"] = json!(0)),
            path: "nodes[6].params.connections",
            fragment: "must be at least 1",
        },
        Case {
            name: "zero shards",
            edit: Edit::Json(|d| d["nodes"][6]["params"]["shards"] = json!(0)),
            path: "nodes[6].params.shards",
            fragment: "must be at least 1",
        },
        Case {
            name: "shards beyond what a run can allocate",
            edit: Edit::Json(|d| d["nodes"][6]["params"]["shards"] = json!(100_000_000u64)),
            path: "nodes[6].params.shards",
            fragment: "must be at most 1024",
        },
        Case {
            name: "replicas per shard that would overflow",
            edit: Edit::Json(|d| {
                d["nodes"][6]["params"]["replicas_per_shard"] = json!(4_294_967_295u64)
            }),
            path: "nodes[6].params.replicas_per_shard",
            fragment: "must be at most 64",
        },
        Case {
            name: "more closed-loop users than a run can hold",
            edit: Edit::Json(|d| {
                d["nodes"][0]["params"]["workload"] = json!({
                    "type": "closed_loop", "users": 4_294_967_295u64,
                    "think_time": {"type": "constant", "ms": 10}
                })
            }),
            path: "nodes[0].params.workload.users",
            fragment: "must be at most 1000000",
        },
        Case {
            name: "probability above 1",
            edit: Edit::Json(|d| d["edges"][6]["params"]["call_probability"] = json!(1.5)),
            path: "edges[6].params.call_probability",
            fragment: "between 0 and 1",
        },
        Case {
            name: "error rate as a percentage",
            edit: Edit::Json(|d| d["nodes"][4]["params"]["error_rate"] = json!(5)),
            path: "nodes[4].params.error_rate",
            fragment: "not a percentage",
        },
        Case {
            name: "log-normal p99 not above median",
            edit: Edit::Json(|d| {
                d["nodes"][4]["params"]["service_time"] =
                    json!({"type": "log_normal", "median_ms": 10, "p99_ms": 10})
            }),
            path: "nodes[4].params.service_time.p99_ms",
            fragment: "must be greater than median_ms (10)",
        },
        Case {
            name: "uniform min above max",
            edit: Edit::Json(|d| {
                d["nodes"][4]["params"]["service_time"] =
                    json!({"type": "uniform", "min_ms": 9, "max_ms": 3})
            }),
            path: "nodes[4].params.service_time.min_ms",
            fragment: "greater than max_ms (3)",
        },
        Case {
            name: "ramp ends before it starts",
            edit: Edit::Json(
                |d| d["nodes"][0]["params"]["workload"]["rate"] = json!({"type": "ramp", "from_rps": 1, "to_rps": 9, "start_ms": 500, "end_ms": 500}),
            ),
            path: "nodes[0].params.workload.rate.end_ms",
            fragment: "must be after start_ms (500)",
        },
        Case {
            name: "sine amplitude above mean",
            edit: Edit::Json(|d| {
                d["nodes"][0]["params"]["workload"]["rate"] =
                    json!({"type": "sine", "mean_rps": 10, "amplitude_rps": 11, "period_ms": 1000})
            }),
            path: "nodes[0].params.workload.rate.amplitude_rps",
            fragment: "must not exceed mean_rps (10)",
        },
        Case {
            name: "closed loop without users",
            edit: Edit::Json(
                |d| d["nodes"][0]["params"]["workload"] = json!({"type": "closed_loop", "users": 0, "think_time": {"type": "constant", "ms": 100}}),
            ),
            path: "nodes[0].params.workload.users",
            fragment: "must be at least 1",
        },
        Case {
            name: "zipf exponent zero",
            edit: Edit::Json(|d| {
                d["nodes"][0]["params"]["keys"]["popularity"]["exponent"] = json!(0)
            }),
            path: "nodes[0].params.keys.popularity.exponent",
            fragment: "must be a finite number > 0",
        },
        Case {
            name: "no keys",
            edit: Edit::Json(|d| d["nodes"][0]["params"]["keys"]["count"] = json!(0)),
            path: "nodes[0].params.keys.count",
            fragment: "must be at least 1",
        },
        Case {
            name: "zero-weight mix",
            edit: Edit::Json(|d| {
                d["nodes"][0]["params"]["mix"] = json!([{"name": "read", "weight": 0}])
            }),
            path: "nodes[0].params.mix",
            fragment: "the weights add up to 0",
        },
        Case {
            name: "duplicate class",
            edit: Edit::Json(|d| d["nodes"][0]["params"]["mix"][1]["name"] = json!("read")),
            path: "nodes[0].params.mix[1].name",
            fragment: "duplicate request class `read`",
        },
        Case {
            name: "route for unknown class",
            edit: Edit::Json(|d| d["nodes"][2]["params"]["routes"][0]["class"] = json!("reed")),
            path: "nodes[2].params.routes[0].class",
            fragment: "no client sends request class `reed`; classes sent: `read`, `write`",
        },
        Case {
            name: "route to node without edge",
            edit: Edit::Json(|d| d["nodes"][2]["params"]["routes"][1]["to"] = json!("db")),
            path: "nodes[2].params.routes[1].to",
            fragment: "`db` is not at the end of an edge from `gw`",
        },
        Case {
            name: "dead letter without edge",
            edit: Edit::Json(|d| remove(&mut d["edges"], 8)),
            path: "nodes[7].params.dead_letter",
            fragment: "add an edge `jobs` → `dlq`",
        },
        Case {
            name: "queue without consumer",
            edit: Edit::Json(|d| remove(&mut d["edges"], 7)),
            path: "nodes[7]",
            fragment: "queue `jobs` has no outgoing edge to a consumer",
        },
        Case {
            name: "breaker threshold above 1",
            edit: Edit::Json(|d| {
                d["edges"][6]["params"]["circuit_breaker"]["failure_threshold"] = json!(1.5)
            }),
            path: "edges[6].params.circuit_breaker.failure_threshold",
            fragment: "(0, 1]",
        },
        Case {
            name: "breaker window zero",
            edit: Edit::Json(|d| {
                d["edges"][6]["params"]["circuit_breaker"]["window_ms"] = json!(0)
            }),
            path: "edges[6].params.circuit_breaker.window_ms",
            fragment: "> 0",
        },
        Case {
            name: "breaker window not a whole number of buckets",
            edit: Edit::Json(|d| {
                d["version"] = json!(3);
                d["edges"][6]["params"]["circuit_breaker"]["window_ms"] = json!(2500);
            }),
            path: "edges[6].params.circuit_breaker.window_ms",
            fragment: "must be a whole number of buckets of bucket_ms (1000 ms), found 2500 ms",
        },
        Case {
            name: "count-based breaker window of no calls",
            edit: Edit::Json(|d| {
                let breaker = &mut d["edges"][6]["params"]["circuit_breaker"];
                breaker["window"] = json!("count_based");
                breaker["window_calls"] = json!(0);
            }),
            path: "edges[6].params.circuit_breaker.window_calls",
            fragment: "must be at least 1 (calls in the window)",
        },
        Case {
            name: "breaker slow-call duration negative",
            edit: Edit::Json(|d| {
                d["edges"][6]["params"]["circuit_breaker"]["slow_call_duration_ms"] = json!(-5)
            }),
            path: "edges[6].params.circuit_breaker.slow_call_duration_ms",
            fragment: "> 0",
        },
        Case {
            name: "breaker slow-call threshold zero",
            edit: Edit::Json(|d| {
                d["edges"][6]["params"]["circuit_breaker"]["slow_call_threshold"] = json!(0)
            }),
            path: "edges[6].params.circuit_breaker.slow_call_threshold",
            fragment: "must be a fraction in (0, 1] (0 would open with no slow call)",
        },
        Case {
            name: "breaker window type unknown",
            edit: Edit::Json(|d| {
                d["edges"][6]["params"]["circuit_breaker"]["window"] = json!("sliding")
            }),
            path: "edges[6].params.circuit_breaker.window",
            fragment: "unknown variant `sliding`",
        },
        Case {
            name: "retry with no attempts",
            edit: Edit::Json(|d| d["edges"][6]["params"]["retry"]["max_attempts"] = json!(0)),
            path: "edges[6].params.retry.max_attempts",
            fragment: "must be at least 1 (attempts in all",
        },
        Case {
            name: "negative timeout",
            edit: Edit::Json(|d| d["edges"][6]["params"]["timeout_ms"] = json!(-1)),
            path: "edges[6].params.timeout_ms",
            fragment: "> 0",
        },
        Case {
            name: "token bucket without rate",
            edit: Edit::Json(|d| {
                d["nodes"][1]["params"] =
                    json!({"algorithm": {"type": "token_bucket", "rate_rps": 0, "burst": 5}})
            }),
            path: "nodes[1].params.algorithm.rate_rps",
            fragment: "> 0",
        },
        Case {
            name: "maglev table size not a prime",
            edit: Edit::Json(|d| {
                d["nodes"][3]["params"] =
                    json!({"algorithm": {"type": "maglev", "table_size": 65536}})
            }),
            path: "nodes[3].params.algorithm.table_size",
            fragment: "must be a prime number (each member's permutation of the table only visits every entry when the size is prime), found 65536; the nearest primes below and above are 65521 and 65537",
        },
        Case {
            name: "maglev sharding table too large",
            edit: Edit::Json(|d| {
                d["nodes"][6]["params"]["sharding"] =
                    json!({"type": "maglev", "table_size": 10_000_019})
            }),
            path: "nodes[6].params.sharding.table_size",
            fragment: "must be a prime between 2 and 5000011",
        },
        Case {
            name: "bounded loads below the average",
            edit: Edit::Json(|d| {
                d["nodes"][3]["params"] = json!({"algorithm":
                    {"type": "bounded_load_hash", "virtual_nodes": 100, "balance_factor": 0.9}})
            }),
            path: "nodes[3].params.algorithm.balance_factor",
            fragment: "below 1 the backends could not hold every request), found 0.9",
        },
        Case {
            name: "ring with too many points",
            edit: Edit::Json(|d| {
                d["nodes"][6]["params"]["sharding"] =
                    json!({"type": "consistent_hash", "virtual_nodes": 20_000})
            }),
            path: "nodes[6].params.sharding.virtual_nodes",
            fragment: "must be at most 10000 (ring points per shard",
        },
        Case {
            name: "ring salt of the wrong type",
            edit: Edit::Json(|d| {
                d["nodes"][3]["params"] = json!({"algorithm":
                    {"type": "consistent_hash", "virtual_nodes": 10, "ring_salt": 5}})
            }),
            // serde reads a tagged object whole, so the problem sits at the algorithm.
            path: "nodes[3].params.algorithm",
            fragment: "invalid type: integer `5`, expected a string",
        },
        Case {
            name: "reshard of a service",
            edit: Edit::Json(|d| {
                d["faults"][0]["effect"] = json!({"type": "reshard", "shards": 3})
            }),
            path: "faults[0].target",
            fragment: "a reshard changes a database's shard count, but `api` is a service",
        },
        Case {
            name: "reshard to zero shards",
            edit: Edit::Json(|d| {
                d["faults"][0] = json!({"target": "db", "at_ms": 1000, "duration_ms": 500,
                    "effect": {"type": "reshard", "shards": 0}})
            }),
            path: "faults[0].effect.shards",
            fragment: "must be at least 1 (shards after the reshard), found 0",
        },
        Case {
            name: "route rate limit on a service's edge",
            edit: Edit::Json(|d| d["edges"][4]["params"] = json!({"rate_limit": {}})),
            path: "edges[4].params.rate_limit",
            fragment: "a rate limit on an edge is a per-route limit of an API gateway, but `api` is a service",
        },
        Case {
            name: "route rate limit of no rate",
            edit: Edit::Json(|d| {
                d["edges"][2]["params"] = json!({"rate_limit": {"algorithm":
                    {"type": "token_bucket", "rate_rps": 0, "burst": 5}}})
            }),
            path: "edges[2].params.rate_limit.algorithm.rate_rps",
            fragment: "> 0",
        },
        Case {
            name: "partition of a node",
            edit: Edit::Json(|d| d["faults"][0]["effect"] = json!({"type": "partition"})),
            path: "faults[0].target",
            fragment: "no edge has id `api` (`api` is a node; this effect hits an edge, so name an edge's id)",
        },
        Case {
            name: "edge latency with negative jitter",
            edit: Edit::Json(|d| {
                d["faults"][0] = json!({"target": "e4", "at_ms": 1000, "duration_ms": 500,
                    "effect": {"type": "edge_latency", "extra_ms": 5, "jitter_ms": -1}})
            }),
            path: "faults[0].effect.jitter_ms",
            fragment: "found -1",
        },
        Case {
            name: "cache flush of a service",
            edit: Edit::Json(|d| d["faults"][0]["effect"] = json!({"type": "cache_flush"})),
            path: "faults[0].target",
            fragment: "a cache flush empties a cache, but `api` is a service",
        },
        Case {
            name: "worker cut of nothing",
            edit: Edit::Json(|d| {
                d["faults"][0]["effect"] = json!({"type": "worker_cut", "fraction": 0})
            }),
            path: "faults[0].effect.fraction",
            fragment: "must be a fraction of the workers in (0, 1]",
        },
        Case {
            name: "worker cut of a load balancer",
            edit: Edit::Json(|d| {
                d["faults"][0]["target"] = json!("lb");
                d["faults"][0]["effect"] = json!({"type": "worker_cut", "fraction": 0.5});
            }),
            path: "faults[0].target",
            fragment: "a worker cut takes workers away, so it needs a node with workers, but `lb` is a load_balancer",
        },
        Case {
            name: "burst from a service",
            edit: Edit::Json(|d| {
                d["faults"][0]["effect"] = json!({"type": "burst", "requests": 10})
            }),
            path: "faults[0].target",
            fragment: "a burst is extra requests from a traffic source, so it needs a client, but `api` is a service",
        },
        Case {
            name: "burst of no requests",
            edit: Edit::Json(|d| {
                d["faults"][0] = json!({"target": "users", "at_ms": 1000, "duration_ms": 0,
                    "effect": {"type": "burst", "requests": 0}})
            }),
            path: "faults[0].effect.requests",
            fragment: "must be at least 1 (requests in the burst), found 0",
        },
        Case {
            name: "crash of no duration",
            edit: Edit::Json(|d| d["faults"][0]["duration_ms"] = json!(0)),
            path: "faults[0].duration_ms",
            fragment: "> 0",
        },
        Case {
            name: "overlapping reshards",
            edit: Edit::Json(|d| {
                d["faults"][0] = json!({"target": "db", "at_ms": 1000, "duration_ms": 500,
                    "effect": {"type": "reshard", "shards": 3}});
                push(
                    &mut d["faults"],
                    json!({"target": "db", "at_ms": 1200, "duration_ms": 500,
                    "effect": {"type": "reshard", "shards": 4}}),
                );
            }),
            path: "faults[1].at_ms",
            fragment: "this reshard of `db` overlaps the one at faults[0]",
        },
        Case {
            name: "fault on unknown node",
            edit: Edit::Json(|d| d["faults"][0]["target"] = json!("apo")),
            path: "faults[0].target",
            fragment: "no node has id `apo`",
        },
        Case {
            name: "fault at negative time",
            edit: Edit::Json(|d| d["faults"][0]["at_ms"] = json!(-10)),
            path: "faults[0].at_ms",
            fragment: "≥ 0",
        },
        Case {
            name: "fault error rate above 1",
            edit: Edit::Json(|d| {
                d["faults"][0]["effect"] = json!({"type": "error_rate", "rate": 50})
            }),
            path: "faults[0].effect.rate",
            fragment: "between 0 and 1",
        },
        Case {
            name: "zero duration",
            edit: Edit::Json(|d| d["run"]["duration_ms"] = json!(0)),
            path: "run.duration_ms",
            fragment: "must be a finite number > 0, found 0",
        },
        Case {
            name: "warm-up as long as the run",
            edit: Edit::Json(|d| d["run"]["warmup_ms"] = json!(10000)),
            path: "run.warmup_ms",
            fragment: "must be shorter than the run",
        },
        Case {
            name: "no replications",
            edit: Edit::Json(|d| d["run"]["replications"] = json!(0)),
            path: "run.replications",
            fragment: "must be at least 1",
        },
        Case {
            name: "zero bucket",
            edit: Edit::Json(|d| d["run"]["bucket_ms"] = json!(0)),
            path: "run.bucket_ms",
            fragment: "> 0",
        },
        Case {
            name: "autoscaling max below min",
            edit: Edit::Json(|d| {
                d["nodes"][4]["params"]["autoscaling"] =
                    json!({"min_instances": 5, "max_instances": 2})
            }),
            path: "nodes[4].params.autoscaling.max_instances",
            fragment: "must be at least min_instances (5), found 2",
        },
        Case {
            name: "autoscaling with no instances",
            edit: Edit::Json(|d| {
                d["nodes"][4]["params"]["autoscaling"] = json!({"min_instances": 0})
            }),
            path: "nodes[4].params.autoscaling.min_instances",
            fragment: "must be at least 1",
        },
        Case {
            name: "autoscaling utilisation target as a percentage",
            edit: Edit::Json(|d| d["nodes"][4]["params"]["autoscaling"] = json!({"target": 70})),
            path: "nodes[4].params.autoscaling.target",
            fragment: "busy fraction of the workers in (0, 1]",
        },
        Case {
            name: "autoscaling initial instances outside the bounds",
            edit: Edit::Json(|d| {
                d["nodes"][4]["params"]["autoscaling"] =
                    json!({"min_instances": 2, "max_instances": 4, "initial_instances": 9})
            }),
            path: "nodes[4].params.autoscaling.initial_instances",
            fragment: "between min_instances (2) and max_instances (4)",
        },
        Case {
            name: "autoscaling too many instances",
            edit: Edit::Json(|d| {
                d["nodes"][4]["params"]["autoscaling"] = json!({"max_instances": 100000})
            }),
            path: "nodes[4].params.autoscaling.max_instances",
            fragment: "must be at most 1000",
        },
        Case {
            name: "autoscaling policy of zero",
            edit: Edit::Json(|d| {
                d["nodes"][4]["params"]["autoscaling"] = json!({"scale_up": {
                    "stabilization_window_ms": 0,
                    "policies": [{"type": "instances", "value": 0, "period_ms": 15000}]}})
            }),
            path: "nodes[4].params.autoscaling.scale_up.policies[0].value",
            fragment: "must be at least 1",
        },
        Case {
            name: "autoscaling unknown metric",
            edit: Edit::Json(|d| d["nodes"][4]["params"]["autoscaling"] = json!({"metric": "cpu"})),
            path: "nodes[4].params.autoscaling.metric",
            fragment: "unknown variant `cpu`",
        },
        Case {
            name: "autoscaling cold start faster",
            edit: Edit::Json(|d| {
                d["nodes"][4]["params"]["autoscaling"] =
                    json!({"cold_start": {"duration_ms": 1000, "factor": 0.5}})
            }),
            path: "nodes[4].params.autoscaling.cold_start.factor",
            fragment: "≥ 1",
        },
        Case {
            name: "discovery without a group",
            edit: Edit::Json(|d| d["nodes"][4]["params"]["discovery"] = json!({})),
            path: "nodes[4].params.discovery",
            fragment: "applies to a group of instances",
        },
        Case {
            name: "discovery that never refreshes",
            edit: Edit::Json(|d| {
                d["nodes"][4]["params"]["autoscaling"] = json!({});
                d["nodes"][4]["params"]["discovery"] = json!({"refresh_interval_ms": 0});
            }),
            path: "nodes[4].params.discovery.refresh_interval_ms",
            fragment: "> 0",
        },
        Case {
            name: "failover without a replica",
            edit: Edit::Json(|d| d["nodes"][6]["params"]["failover"] = json!({})),
            path: "nodes[6].params.failover",
            fragment: "has none",
        },
        Case {
            name: "failover detected before the crash",
            edit: Edit::Json(|d| {
                d["nodes"][6]["params"]["replicas_per_shard"] = json!(1);
                d["nodes"][6]["params"]["failover"] = json!({"detection_ms": -1});
            }),
            path: "nodes[6].params.failover.detection_ms",
            fragment: "≥ 0",
        },
        Case {
            name: "replication lag with a negative mean",
            edit: Edit::Json(|d| {
                d["nodes"][6]["params"]["replication_lag"] =
                    json!({"type": "exponential", "mean_ms": -5})
            }),
            path: "nodes[6].params.replication_lag.mean_ms",
            fragment: "",
        },
        Case {
            name: "read-your-writes with a negative window",
            edit: Edit::Json(|d| {
                d["nodes"][6]["params"]["read_your_writes"] = json!({"window_ms": -1})
            }),
            path: "nodes[6].params.read_your_writes.window_ms",
            fragment: "≥ 0",
        },
        Case {
            name: "primary crash of a service",
            edit: Edit::Json(|d| d["faults"][0]["effect"] = json!({"type": "primary_crash"})),
            path: "faults[0].target",
            fragment: "takes down a database's primaries",
        },
        Case {
            name: "CoDel on a partitioned topic",
            edit: Edit::Json(|d| {
                d["nodes"][7]["params"]["partitions"] = json!(4);
                d["nodes"][7]["params"]["queue_discipline"] = json!({"type": "codel"});
            }),
            path: "nodes[7].params.queue_discipline",
            fragment: "`codel` is not possible here: a partitioned topic delivers each partition in the order it was written",
        },
        Case {
            name: "LIFO on an SQS-style queue",
            edit: Edit::Json(|d| {
                d["nodes"][7]["params"]["visibility_timeout_ms"] = json!(30000);
                d["nodes"][7]["params"]["queue_discipline"] = json!({"type": "lifo"});
            }),
            path: "nodes[7].params.queue_discipline",
            fragment: "`lifo` is not possible here: a queue with visibility_timeout_ms is consumed as SQS is",
        },
        Case {
            name: "priority on a fan-out topic",
            edit: Edit::Json(|d| {
                d["nodes"][7]["params"]["fan_out"] = json!(true);
                d["nodes"][7]["params"]["queue_discipline"] =
                    json!({"type": "priority", "classes": ["read"]});
            }),
            path: "nodes[7].params.queue_discipline",
            fragment: "`priority` is not possible here: a fan-out topic's subscriptions each read every message",
        },
        Case {
            name: "CoDel on a queue with a target of zero",
            edit: Edit::Json(|d| {
                d["nodes"][7]["params"]["queue_discipline"] =
                    json!({"type": "codel", "target_ms": 0});
            }),
            path: "nodes[7].params.queue_discipline.target_ms",
            fragment: "must be a finite number > 0",
        },
        Case {
            name: "visibility timeout of zero",
            edit: Edit::Json(|d| d["nodes"][7]["params"]["visibility_timeout_ms"] = json!(0)),
            path: "nodes[7].params.visibility_timeout_ms",
            fragment: "> 0",
        },
        Case {
            name: "visibility timeout on a partitioned topic",
            edit: Edit::Json(|d| {
                d["nodes"][7]["params"]["visibility_timeout_ms"] = json!(30000);
                d["nodes"][7]["params"]["partitions"] = json!(4);
            }),
            path: "nodes[7].params.visibility_timeout_ms",
            fragment: "a partitioned topic (Kafka) has none",
        },
        Case {
            name: "queue with no partitions",
            edit: Edit::Json(|d| d["nodes"][7]["params"]["partitions"] = json!(0)),
            path: "nodes[7].params.partitions",
            fragment: "must be at least 1",
        },
        Case {
            name: "scaled consumers starting outside their bounds",
            edit: Edit::Json(|d| {
                d["nodes"][7]["params"]["consumers"] = json!(9);
                d["nodes"][7]["params"]["consumer_scaling"] =
                    json!({"min_replicas": 1, "max_replicas": 4});
            }),
            path: "nodes[7].params.consumers",
            fragment: "the number of replicas when the run starts",
        },
        Case {
            name: "scaled consumers with max below min",
            edit: Edit::Json(|d| {
                d["nodes"][7]["params"]["consumer_scaling"] =
                    json!({"min_replicas": 5, "max_replicas": 2});
            }),
            path: "nodes[7].params.consumer_scaling.max_replicas",
            fragment: "must be at least min_replicas (5)",
        },
        Case {
            name: "scaled consumers with a zero lag threshold",
            edit: Edit::Json(|d| {
                d["nodes"][7]["params"]["consumer_scaling"] = json!({"lag_threshold": 0});
            }),
            path: "nodes[7].params.consumer_scaling.lag_threshold",
            fragment: "> 0",
        },
        Case {
            name: "idle consumers allowed on a queue without partitions",
            edit: Edit::Json(|d| {
                d["nodes"][7]["params"]["consumer_scaling"] = json!({"allow_idle_consumers": true});
            }),
            path: "nodes[7].params.consumer_scaling.allow_idle_consumers",
            fragment: "only a partitioned topic has idle consumers",
        },
        Case {
            name: "instance crash of a service without autoscaling",
            edit: Edit::Json(|d| {
                d["faults"][0]["target"] = json!("worker");
                d["faults"][0]["effect"] = json!({"type": "instance_crash"});
            }),
            path: "faults[0].target",
            fragment: "is one fixed instance",
        },
        Case {
            name: "instance crash of a queue",
            edit: Edit::Json(|d| {
                d["faults"][0]["target"] = json!("jobs");
                d["faults"][0]["effect"] = json!({"type": "instance_crash", "count": 0});
            }),
            path: "faults[0].effect.count",
            fragment: "must be at least 1",
        },
        Case {
            name: "queue with unknown backpressure",
            edit: Edit::Json(|d| d["nodes"][7]["params"]["backpressure"] = json!("drop")),
            path: "nodes[7].params.backpressure",
            fragment: "unknown variant `drop`",
        },
        Case {
            name: "too many buckets",
            edit: Edit::Json(|d| d["run"]["bucket_ms"] = json!(0.01)),
            path: "run.bucket_ms",
            fragment: "at most 100000",
        },
    ];

    let mut failures = Vec::new();
    for case in &cases {
        let problems = problems_after(&case.edit);
        let hit = problems
            .iter()
            .any(|p| p.path == case.path && p.message.contains(case.fragment));
        if !hit {
            failures.push(format!(
                "{}: expected `{}` containing {:?}, got:\n    {}",
                case.name,
                case.path,
                case.fragment,
                listed(&problems)
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn all_problems_are_reported_together() {
    let mut doc = base();
    doc["nodes"][4]["params"]["workers"] = json!(0);
    doc["edges"][0]["to"] = json!("nowhere");
    doc["run"]["replications"] = json!(0);
    let problems = problems_after(&Edit::Text(Box::leak(doc.to_string().into_boxed_str())));
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    for expected in ["nodes[4].params.workers", "edges[0].to", "run.replications"] {
        assert!(
            paths.contains(&expected),
            "{expected} missing from {paths:?}"
        );
    }
}

#[test]
fn structural_problems_across_elements_come_in_one_pass() {
    let mut doc = base();
    doc["nodes"][4]["params"]["workers"] = json!("x");
    doc["nodes"][6]["kind"] = json!("oracle");
    doc["edges"][5]["params"] = json!({"weight": -1});
    doc["faults"][0]["effect"] = json!({"type": "meteor"});
    let problems = parse_design(&doc.to_string()).unwrap_err();
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "nodes[4].params.workers",
            "nodes[6].kind",
            "edges[5].params.weight",
            "faults[0].effect.type"
        ]
    );
}

/// A `load_design` case: a document with structural problems, and what the one list of
/// problems must and must not say about the rest of it.
struct LoadCase {
    name: &'static str,
    edit: fn(&mut Value),
    /// (path, fragment of the message) that must be reported, in this order.
    reported: &'static [(&'static str, &'static str)],
    /// Fragments no problem may contain: what the broken elements must not make up.
    not_reported: &'static [&'static str],
}

#[test]
fn load_design_reports_structure_and_meaning_in_one_list() {
    let cases = [
        LoadCase {
            name: "structural and semantic problem in one file, structural first",
            edit: |d| {
                d["nodes"][4]["params"]["workers"] = json!("four");
                d["edges"][0]["to"] = json!("nowhere");
            },
            reported: &[
                ("nodes[4].params.workers", "invalid type: string \"four\""),
                ("edges[0].to", "no node has id `nowhere`"),
            ],
            not_reported: &[],
        },
        LoadCase {
            name: "node after a dropped node keeps its index",
            edit: |d| {
                d["nodes"][1]["params"] = json!({"algorithm": {"type": "magic"}});
                d["nodes"][4]["params"]["workers"] = json!(0);
            },
            reported: &[
                ("nodes[1].params.algorithm.type", "unknown variant `magic`"),
                ("nodes[4].params.workers", "must be at least 1"),
            ],
            not_reported: &["nodes[3].params.workers"],
        },
        LoadCase {
            name: "edge after a dropped edge keeps its index",
            edit: |d| {
                d["edges"][1]["latency"] = json!(5);
                d["edges"][6]["params"]["call_probability"] = json!(1.5);
            },
            reported: &[
                ("edges[1].latency", "unknown field `latency`"),
                ("edges[6].params.call_probability", "between 0 and 1"),
            ],
            not_reported: &["edges[5].params.call_probability"],
        },
        LoadCase {
            name: "fault after a dropped fault keeps its index",
            edit: |d| {
                let bad = json!({"target": "db", "at_ms": 0, "duration_ms": 1, "effect": {"type": "meteor"}});
                d["faults"].as_array_mut().unwrap().insert(0, bad);
                d["faults"][1]["at_ms"] = json!(-10);
            },
            reported: &[
                ("faults[0].effect.type", "unknown variant `meteor`"),
                ("faults[1].at_ms", "≥ 0"),
            ],
            not_reported: &[],
        },
        LoadCase {
            name: "cycle after a dropped edge names its own index",
            edit: |d| {
                d["edges"][0]["weight"] = json!(1);
                push(
                    &mut d["edges"],
                    json!({"id": "loop", "from": "db", "to": "api"}),
                );
            },
            reported: &[
                ("edges[0].weight", "unknown field `weight`"),
                ("edges[10]", "cycle api → cache → db → api"),
            ],
            not_reported: &[],
        },
        LoadCase {
            name: "edge and fault to a node whose params are broken are not unknown",
            edit: |d| d["nodes"][4]["params"]["workers"] = json!("four"),
            reported: &[("nodes[4].params.workers", "invalid type")],
            not_reported: &["no node has id"],
        },
        LoadCase {
            name: "no id is unknown while a broken node's id cannot be read",
            edit: |d| {
                d["nodes"][4]["id"] = json!(4);
                d["edges"][0]["to"] = json!("nowhere");
            },
            reported: &[("nodes[4].id", "invalid type: integer `4`")],
            not_reported: &["no node has id"],
        },
        LoadCase {
            name: "duplicate id of a broken node after a good one",
            edit: |d| {
                d["nodes"][5]["id"] = json!("api");
                d["nodes"][5]["params"] = json!({"capacity": "big"});
            },
            reported: &[
                ("nodes[5].params.capacity", "invalid type"),
                ("nodes[5].id", "duplicate node id `api` (also nodes[4].id)"),
            ],
            not_reported: &[],
        },
        LoadCase {
            name: "duplicate id of a good node after a broken one",
            edit: |d| {
                d["nodes"][4]["params"]["workers"] = json!("four");
                d["nodes"][5]["id"] = json!("api");
            },
            reported: &[
                ("nodes[4].params.workers", "invalid type"),
                ("nodes[5].id", "duplicate node id `api` (also nodes[4].id)"),
            ],
            not_reported: &[],
        },
        LoadCase {
            name: "duplicate edge id with a broken edge",
            edit: |d| {
                d["edges"][2]["params"] = json!({"weight": -1});
                d["edges"][3]["id"] = json!("e2");
            },
            reported: &[
                ("edges[2].params.weight", "invalid value"),
                ("edges[3].id", "duplicate edge id `e2` (also edges[2].id)"),
            ],
            not_reported: &[],
        },
        LoadCase {
            name: "a broken client is not a missing client",
            edit: |d| d["nodes"][0]["params"]["keys"]["count"] = json!("many"),
            reported: &[("nodes[0].params.keys.count", "invalid type")],
            not_reported: &["has no client", "no client sends request class"],
        },
        LoadCase {
            name: "a broken edge is not a missing edge",
            edit: |d| d["edges"][3]["params"] = json!({"timeout": 100}),
            reported: &[("edges[3].params.timeout", "unknown field `timeout`")],
            not_reported: &["has no outgoing edge"],
        },
        LoadCase {
            name: "a broken edge is not a missing dead-letter edge",
            edit: |d| d["edges"][8]["to"] = json!(["dlq"]),
            reported: &[("edges[8].to", "invalid type")],
            not_reported: &["dead letters", "no outgoing edge to a consumer"],
        },
        LoadCase {
            name: "an unknown dead letter is reported while an edge is broken",
            edit: |d| {
                d["edges"][3]["params"] = json!({"timeout": 100});
                d["nodes"][7]["params"]["dead_letter"] = json!("nowhere");
            },
            reported: &[
                ("edges[3].params.timeout", "unknown field `timeout`"),
                ("nodes[7].params.dead_letter", "no node has id `nowhere`"),
            ],
            not_reported: &[],
        },
    ];

    let mut failures = Vec::new();
    for case in &cases {
        let mut document = base();
        (case.edit)(&mut document);
        let problems = load_design(&document.to_string()).expect_err("the edit breaks the design");
        let failures_before = failures.len();
        let mut from = 0;
        for &(path, fragment) in case.reported {
            let found = problems[from..]
                .iter()
                .position(|p| p.path == path && p.message.contains(fragment));
            match found {
                Some(offset) => from += offset + 1,
                None => failures.push(format!(
                    "{}: expected `{path}` containing {fragment:?} (after the previous one)",
                    case.name
                )),
            }
        }
        for &fragment in case.not_reported {
            if let Some(problem) = problems.iter().find(|p| p.to_string().contains(fragment)) {
                failures.push(format!("{}: unexpected `{problem}`", case.name));
            }
        }
        if failures.len() > failures_before {
            failures.push(format!("    got:\n    {}", listed(&problems)));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn breaking_one_element_adds_no_problem_about_the_others() {
    let base = base();
    for array in ["nodes", "edges", "faults"] {
        for index in 0..base[array].as_array().unwrap().len() {
            // An unknown field breaks the element and leaves its id readable; a number for the
            // id breaks it and hides the id.
            let breaks = [("colour", json!("red")), ("id", json!(7))];
            for (field, value) in breaks {
                let mut document = base.clone();
                document[array][index][field] = value;
                let problems = load_design(&document.to_string()).expect_err("broken");
                let only = format!("{array}[{index}].{field}");
                let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
                assert_eq!(paths, [only.as_str()], "{problems:#?}");
            }
        }
    }
}
