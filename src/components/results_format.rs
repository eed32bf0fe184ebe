//! How the results read: numbers with a sensible number of digits, estimates with their
//! confidence half-width, rates from counts. Pure, so it is tested natively.

use archsim_model::{Estimate, Failures, Report};

/// What a cell shows when there is nothing to show: a figure that was not measured (the latency
/// of a node that had no successful request), or one that does not apply (the breaker of an
/// edge without one).
pub const NO_DATA: &str = "—";

/// A number with about three significant digits, and thousands separators from 1,000 up.
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return NO_DATA.to_string();
    }
    let magnitude = x.abs();
    let decimals = if magnitude >= 100.0 || magnitude == 0.0 {
        0
    } else if magnitude >= 10.0 {
        1
    } else if magnitude >= 1.0 {
        2
    } else {
        3
    };
    let text = format!("{x:.decimals$}");
    group_thousands(&text)
}

/// Decimals a count of about `x` is shown with: none for a whole count or from 100 up (a
/// mean of 1,234.4 requests reads "1,234"), one for a small mean over replications ("2.3").
fn count_decimals(x: f64) -> usize {
    if x.fract() == 0.0 || x.abs() >= 100.0 {
        0
    } else {
        1
    }
}

/// A count: whole counts as integers ("15,990", "2"); a mean over replications rounded to
/// whole requests from 100 up ("1,234"), with one decimal below ("2.3"). Never "2.00".
pub fn count(x: f64) -> String {
    if !x.is_finite() {
        return NO_DATA.to_string();
    }
    let decimals = count_decimals(x);
    group_thousands(&format!("{x:.decimals$}"))
}

/// A count estimate: the count as [`count`] shows it and, when known, "± 56" at the same
/// precision ("2 ± 2.9" for a small count, whose half-width needs its decimal).
pub fn count_estimate(e: Estimate) -> (String, Option<String>) {
    let decimals = if e.value.is_finite() && e.value.abs() >= 100.0 {
        0
    } else {
        1
    };
    (
        count(e.value),
        e.ci95
            .filter(|ci| ci.is_finite())
            .map(|ci| format!("± {}", group_thousands(&format!("{ci:.decimals$}")))),
    )
}

/// "80.1" and, when the estimate has one, "± 0.94" (the 95% confidence half-width).
pub fn estimate(e: Estimate) -> (String, Option<String>) {
    (
        number(e.value),
        e.ci95.map(|ci| format!("± {}", number(ci))),
    )
}

/// Requests that finished successfully at a node: finished minus failed there (never below 0).
/// Zero means the node's latency figures measured nothing.
pub fn node_successes(node: &archsim_model::NodeReport) -> f64 {
    (node.completions.value - node.failures.total()).max(0.0)
}

/// Whether the edge `id` had a circuit breaker in the design that was run: the report's series
/// keeps a breaker state for exactly those edges; a breaker that did anything says so too.
pub fn edge_has_breaker(report: &Report, id: &str) -> bool {
    report.series.breaker_state.contains_key(id)
        || report.edges.get(id).is_some_and(|e| {
            e.short_circuited.value > 0.0
                || e.breaker_opened.value > 0.0
                || e.breaker_open_fraction.value > 0.0
        })
}

/// Simulated time at which the run ended: `duration_ms`, or where it stopped early.
pub fn run_end_ms(report: &Report) -> f64 {
    match &report.stopped_early {
        Some(reason) => reason.at_ms().min(report.duration_ms),
        None => report.duration_ms,
    }
}

/// Where the time axis ends: at the end of the run (its duration, or where it stopped early),
/// not at the end of the last bucket (a 0.8 s run in 0.5 s buckets ends at 0.8 s, not 1 s).
/// A report without a usable end falls back to the last bucket's end.
pub fn axis_end_ms(report: &Report) -> f64 {
    let s = &report.series;
    let buckets_end = s.t_ms.last().map_or(1.0, |t| t + s.bucket_ms).max(1.0);
    let run_end = run_end_ms(report);
    let last_start = s.t_ms.last().copied().unwrap_or(0.0);
    if run_end.is_finite() && run_end > last_start && run_end > 0.0 {
        run_end.min(buckets_end)
    } else {
        buckets_end
    }
}

/// A fraction as a percentage: 0.8 → "80.0%".
pub fn percent(fraction: f64) -> String {
    if !fraction.is_finite() {
        return NO_DATA.to_string();
    }
    format!("{:.1}%", fraction * 100.0)
}

/// Seconds of simulated time the summary figures cover: the run after warm-up, up to where it
/// stopped if it stopped early.
pub fn measured_seconds(report: &Report) -> f64 {
    ((run_end_ms(report) - report.warmup_ms) / 1000.0).max(0.0)
}

/// A count over the measured period as a rate per second (0 when nothing was measured).
pub fn per_second(count: f64, seconds: f64) -> f64 {
    if seconds > 0.0 { count / seconds } else { 0.0 }
}

/// Milliseconds as a duration a person reads: "200 s", "1.5 s", "250 ms".
pub fn duration_ms(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{} s", number(ms / 1000.0))
    } else {
        format!("{} ms", number(ms))
    }
}

/// The failure causes, in the report's order, with their keys in the time series and their
/// readable names.
pub const FAILURE_CAUSES: [(&str, &str); 13] = [
    ("error", "errors"),
    ("timeout", "timeouts"),
    ("queue_full", "queue full"),
    ("rate_limited", "rate limited"),
    ("breaker_open", "breaker open"),
    ("no_healthy_backend", "no healthy backend"),
    ("node_down", "node down"),
    ("throttled", "throttled by the caller"),
    ("codel_dropped", "dropped by CoDel"),
    ("shed_priority", "shed for a higher class"),
    ("bulkhead_full", "bulkhead full"),
    ("deadline_exceeded", "deadline exceeded"),
    ("cancelled", "cancelled (a hedge won)"),
];

/// The failures of each cause, in [`FAILURE_CAUSES`] order.
pub fn failure_counts(f: &Failures) -> [Estimate; 13] {
    [
        f.error,
        f.timeout,
        f.queue_full,
        f.rate_limited,
        f.breaker_open,
        f.no_healthy_backend,
        f.node_down,
        f.throttled,
        f.codel_dropped,
        f.shed_priority,
        f.bulkhead_full,
        f.deadline_exceeded,
        f.cancelled,
    ]
}

/// "12 timeouts, 3 errors" for the causes that happened; None when nothing failed.
pub fn failure_summary(f: &Failures) -> Option<String> {
    let parts: Vec<String> = failure_counts(f)
        .iter()
        .zip(FAILURE_CAUSES)
        .filter(|(e, _)| e.value > 0.0)
        .map(|(e, (_, name))| format!("{} {name}", count(e.value)))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn group_thousands(text: &str) -> String {
    let (sign, rest) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (whole, fraction) = match rest.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (rest, None),
    };
    if whole.len() <= 3 {
        return text.to_string();
    }
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The one list the UI's tests read the failure causes from is the engine's, in its order:
    // a cause the engine adds gets a name, a colour and a column here or this fails.
    #[test]
    fn the_failure_causes_are_the_engines_in_its_order() {
        let keys: Vec<&str> = FAILURE_CAUSES.iter().map(|(key, _)| *key).collect();
        assert_eq!(keys, archsim_engine::CAUSE_NAMES);
    }

    // Regression: the axis of a 0.8 s run in 0.5 s buckets ran to 1 s.
    #[test]
    fn the_time_axis_ends_where_the_run_ended() {
        let mut report = Report {
            duration_ms: 800.0,
            ..Report::default()
        };
        report.series.bucket_ms = 500.0;
        report.series.t_ms = vec![0.0, 500.0];
        assert_eq!(axis_end_ms(&report), 800.0);
        report.stopped_early = Some(archsim_model::StopReason::EventBudget {
            max_events: 10,
            at_ms: 650.0,
        });
        assert_eq!(axis_end_ms(&report), 650.0);
        // A report without a run length keeps the buckets' end.
        report.duration_ms = 0.0;
        report.stopped_early = None;
        assert_eq!(axis_end_ms(&report), 1000.0);
    }

    #[test]
    fn numbers_keep_about_three_significant_digits() {
        assert_eq!(number(0.0), "0");
        assert_eq!(number(0.012345), "0.012");
        assert_eq!(number(4.567), "4.57");
        assert_eq!(number(49.96), "50.0");
        assert_eq!(number(80.04), "80.0");
        assert_eq!(number(230.4), "230");
        assert_eq!(number(15_990.0), "15,990");
        assert_eq!(number(-1_234_567.0), "-1,234,567");
        assert_eq!(number(f64::NAN), "—");
    }

    #[test]
    fn whole_counts_read_as_integers() {
        assert_eq!(count(12.0), "12");
        assert_eq!(count(2.0), "2");
        assert_eq!(count(15_990.0), "15,990");
        assert_eq!(count(15_990.4), "15,990");
        assert_eq!(count(1_234.6), "1,235");
        assert_eq!(count(2.5), "2.5");
        assert_eq!(count(0.33), "0.3");
        assert_eq!(count(f64::NAN), "—");
    }

    // Regression: "Completed 2.00 ± 2.88" — a count of two read as a measurement with decimals.
    #[test]
    fn count_estimates_read_as_counts() {
        let e = |value, ci| Estimate { value, ci95: ci };
        assert_eq!(
            count_estimate(e(2.0, Some(2.88))),
            ("2".to_string(), Some("± 2.9".to_string()))
        );
        assert_eq!(
            count_estimate(e(1_234.4, Some(56.3))),
            ("1,234".to_string(), Some("± 56".to_string()))
        );
        assert_eq!(
            count_estimate(e(3.3333, Some(1.26))),
            ("3.3".to_string(), Some("± 1.3".to_string()))
        );
        assert_eq!(
            count_estimate(e(15_990.0, Some(1_234.0))),
            ("15,990".to_string(), Some("± 1,234".to_string()))
        );
        assert_eq!(count_estimate(e(7.0, None)), ("7".to_string(), None));
    }

    #[test]
    fn node_successes_are_what_finished_without_failing() {
        let mut node = archsim_model::NodeReport::default();
        assert_eq!(node_successes(&node), 0.0);
        node.completions = Estimate::exact(10.0);
        node.failures.error = Estimate::exact(10.0);
        assert_eq!(node_successes(&node), 0.0);
        node.completions = Estimate::exact(12.0);
        assert_eq!(node_successes(&node), 2.0);
    }

    #[test]
    fn only_edges_with_a_breaker_have_one() {
        let mut report = Report::default();
        report
            .edges
            .insert("plain".into(), archsim_model::EdgeReport::default());
        report
            .edges
            .insert("guarded".into(), archsim_model::EdgeReport::default());
        report
            .series
            .breaker_state
            .insert("guarded".into(), vec![0, 0]);
        assert!(edge_has_breaker(&report, "guarded"));
        assert!(!edge_has_breaker(&report, "plain"));
    }

    #[test]
    fn estimates_show_their_half_width_only_when_known() {
        assert_eq!(
            estimate(Estimate {
                value: 50.2,
                ci95: Some(1.234)
            }),
            ("50.2".to_string(), Some("± 1.23".to_string()))
        );
        assert_eq!(estimate(Estimate::exact(3.0)), ("3.00".to_string(), None));
    }

    #[test]
    fn measured_period_leaves_out_warm_up_and_ends_where_the_run_stopped() {
        let mut report = Report {
            duration_ms: 200_000.0,
            warmup_ms: 20_000.0,
            ..Report::default()
        };
        assert_eq!(measured_seconds(&report), 180.0);
        report.stopped_early = Some(archsim_model::StopReason::EventBudget {
            max_events: 10,
            at_ms: 50_000.0,
        });
        assert_eq!(measured_seconds(&report), 30.0);
        assert_eq!(per_second(60.0, 30.0), 2.0);
        assert_eq!(per_second(60.0, 0.0), 0.0);
    }

    #[test]
    fn failure_summary_lists_only_causes_that_happened() {
        let mut failures = Failures::default();
        assert_eq!(failure_summary(&failures), None);
        failures.timeout = Estimate::exact(12.0);
        failures.node_down = Estimate::exact(3.0);
        assert_eq!(
            failure_summary(&failures).unwrap(),
            "12 timeouts, 3 node down"
        );
    }

    #[test]
    fn durations_read_in_seconds_from_one_second_up() {
        assert_eq!(duration_ms(200_000.0), "200 s");
        assert_eq!(duration_ms(1_500.0), "1.50 s");
        assert_eq!(duration_ms(250.0), "250 ms");
    }
}
