//! The series of a run as CSV: one row per bucket, one column per figure, so a person can take
//! the numbers to a spreadsheet. Pure; the download itself is `persist::browser::download_text`.

use archsim_model::Series;

/// A file name for an export of the design named `design_name`: "cache-aside-series.csv".
pub fn file_name(design_name: &str, what: &str, extension: &str) -> String {
    format!("{}-{what}.{extension}", slug(design_name))
}

/// The design's name as a file-name stem: lower case letters and digits joined by dashes
/// ("design" when nothing is left).
pub fn slug(design_name: &str) -> String {
    let mut slug = String::new();
    for c in design_name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "design".into()
    } else {
        slug.into()
    }
}

/// Quotes a CSV field when it holds a comma, a quote or a line break (ids and labels are the
/// person's own text).
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// The series as CSV: `t_ms` first, then the overall figures, failures by cause, each node's and
/// each edge's figures (`node:<id>:<figure>`, `edge:<id>:<figure>`; a balancer's view of each
/// backend as `node:<lb>:backend:<id>:state`, 0 in rotation, 1 marked down, 2 ejected, 3 both),
/// and breaker states (0 closed, 1 half-open, 2 open). A figure a node's kind does not have is left out; a missing
/// value is an empty cell.
pub fn series_csv(s: &Series) -> String {
    let mut columns: Vec<(String, Vec<String>)> = Vec::new();
    let ints = |v: &[u64]| v.iter().map(u64::to_string).collect::<Vec<_>>();
    let floats = |v: &[f64]| v.iter().map(|x| format!("{x}")).collect::<Vec<_>>();
    columns.push((
        "bucket_ms".into(),
        vec![format!("{}", s.bucket_ms); s.len()],
    ));
    columns.push(("arrivals".into(), ints(&s.arrivals)));
    columns.push(("succeeded".into(), ints(&s.succeeded)));
    columns.push(("failed".into(), ints(&s.failed)));
    for (cause, v) in &s.failed_by_cause {
        columns.push((format!("failed:{cause}"), ints(v)));
    }
    columns.push(("p50_ms".into(), floats(&s.p50_ms)));
    if !s.p95_ms.is_empty() {
        columns.push(("p95_ms".into(), floats(&s.p95_ms)));
    }
    columns.push(("p99_ms".into(), floats(&s.p99_ms)));
    for (id, n) in &s.nodes {
        let mut add = |name: &str, values: Vec<String>| {
            if !values.is_empty() {
                columns.push((format!("node:{id}:{name}"), values));
            }
        };
        add("arrivals", ints(&n.arrivals));
        add("completions", ints(&n.completions));
        add("failed", ints(&n.failed));
        add("mean_latency_ms", floats(&n.mean_latency_ms));
        add("utilisation", floats(&n.utilisation));
        add("queue_length", floats(&n.queue_length));
        add("in_flight", floats(&n.in_flight));
        add("hit_ratio", floats(&n.hit_ratio));
        add("enqueued", ints(&n.enqueued));
        add("delivered", ints(&n.delivered));
        add("redeliveries", ints(&n.redeliveries));
        add("dead_lettered", ints(&n.dead_lettered));
        add("rate_limited", ints(&n.rate_limited));
        for (shard, v) in n.shard_queries.iter().enumerate() {
            add(&format!("shard_{shard}_queries"), ints(v));
        }
        add("instances", floats(&n.instances));
        let counts = |v: &[u32]| v.iter().map(u32::to_string).collect::<Vec<_>>();
        add("healthy_backends", counts(&n.healthy_backends));
        add("ejected_backends", counts(&n.ejected_backends));
        for (backend, v) in &n.backend_state {
            add(
                &format!("backend:{backend}:state"),
                v.iter().map(u8::to_string).collect(),
            );
        }
    }
    for (id, e) in &s.edges {
        let mut add = |name: &str, values: Vec<String>| {
            if !values.is_empty() {
                columns.push((format!("edge:{id}:{name}"), values));
            }
        };
        add("calls", ints(&e.calls));
        add("failed", ints(&e.failed));
        add("attempts", ints(&e.attempts));
        add("retries", ints(&e.retries));
        add("timeouts", ints(&e.timeouts));
        add("short_circuited", ints(&e.short_circuited));
        add("throttled", ints(&e.throttled));
        add("budget_refused", ints(&e.budget_refused));
        add("bulkhead_rejected", ints(&e.bulkhead_rejected));
        add("hedges", ints(&e.hedges));
        add("hedge_wins", ints(&e.hedge_wins));
    }
    for (id, states) in &s.breaker_state {
        columns.push((
            format!("edge:{id}:breaker_state"),
            states.iter().map(u8::to_string).collect(),
        ));
    }
    let mut out = String::from("t_ms");
    for (name, _) in &columns {
        out.push(',');
        out.push_str(&field(name));
    }
    out.push('\n');
    for (i, t) in s.t_ms.iter().enumerate() {
        out.push_str(&format!("{t}"));
        for (_, values) in &columns {
            out.push(',');
            if let Some(v) = values.get(i) {
                out.push_str(v);
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use archsim_model::{EdgeSeries, NodeSeries};

    #[test]
    fn the_csv_has_a_row_per_bucket_and_a_column_per_figure() {
        let mut s = Series {
            bucket_ms: 1000.0,
            t_ms: vec![0.0, 1000.0],
            arrivals: vec![10, 12],
            succeeded: vec![9, 12],
            failed: vec![1, 0],
            p50_ms: vec![3.5, 4.0],
            p99_ms: vec![9.0, 10.0],
            ..Series::default()
        };
        s.failed_by_cause.insert("timeout".into(), vec![1, 0]);
        s.nodes.insert(
            "db,1".into(),
            NodeSeries {
                arrivals: vec![5, 6],
                shard_queries: vec![vec![2, 3], vec![3, 3]],
                ..NodeSeries::default()
            },
        );
        s.edges.insert(
            "e1".into(),
            EdgeSeries {
                retries: vec![0, 2],
                ..EdgeSeries::default()
            },
        );
        s.breaker_state.insert("e1".into(), vec![0, 2]);
        let csv = series_csv(&s);
        let rows: Vec<&str> = csv.lines().collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows[0],
            "t_ms,bucket_ms,arrivals,succeeded,failed,failed:timeout,p50_ms,p99_ms,\
             \"node:db,1:arrivals\",\"node:db,1:shard_0_queries\",\"node:db,1:shard_1_queries\",\
             edge:e1:retries,edge:e1:breaker_state"
        );
        assert_eq!(rows[1], "0,1000,10,9,1,1,3.5,9,5,2,3,0,0");
        assert_eq!(rows[2], "1000,1000,12,12,0,0,4,10,6,3,3,2,2");
    }

    #[test]
    fn export_names_come_from_the_design_name() {
        assert_eq!(
            file_name("Cache-aside in front", "series", "csv"),
            "cache-aside-in-front-series.csv"
        );
        assert_eq!(file_name("  ", "report", "json"), "design-report.json");
    }
}
