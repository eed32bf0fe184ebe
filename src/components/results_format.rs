//! How the results read: numbers with a sensible number of digits, estimates with their
//! confidence half-width, rates from counts. Pure, so it is tested natively.

use archsim_model::{Estimate, Failures, Report};

/// A number with about three significant digits, and thousands separators from 1,000 up.
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return "–".to_string();
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

/// A count: whole counts as integers ("15,990"); averages over replications keep
/// [`number`]'s digits.
pub fn count(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 {
        group_thousands(&format!("{x:.0}"))
    } else {
        number(x)
    }
}

/// "80.1" and, when the estimate has one, "± 0.94" (the 95% confidence half-width).
pub fn estimate(e: Estimate) -> (String, Option<String>) {
    (
        number(e.value),
        e.ci95.map(|ci| format!("± {}", number(ci))),
    )
}

/// A fraction as a percentage: 0.8 → "80.0%".
pub fn percent(fraction: f64) -> String {
    if !fraction.is_finite() {
        return "–".to_string();
    }
    format!("{:.1}%", fraction * 100.0)
}

/// Seconds of simulated time the summary figures cover: the run after warm-up, up to where it
/// stopped if it stopped early.
pub fn measured_seconds(report: &Report) -> f64 {
    let end_ms = match &report.stopped_early {
        Some(archsim_model::StopReason::EventBudget { at_ms, .. }) => at_ms.min(report.duration_ms),
        None => report.duration_ms,
    };
    ((end_ms - report.warmup_ms) / 1000.0).max(0.0)
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
pub const FAILURE_CAUSES: [(&str, &str); 7] = [
    ("error", "errors"),
    ("timeout", "timeouts"),
    ("queue_full", "queue full"),
    ("rate_limited", "rate limited"),
    ("breaker_open", "breaker open"),
    ("no_healthy_backend", "no healthy backend"),
    ("node_down", "node down"),
];

/// The failures of each cause, in [`FAILURE_CAUSES`] order.
pub fn failure_counts(f: &Failures) -> [Estimate; 7] {
    [
        f.error,
        f.timeout,
        f.queue_full,
        f.rate_limited,
        f.breaker_open,
        f.no_healthy_backend,
        f.node_down,
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
        assert_eq!(number(f64::NAN), "–");
    }

    #[test]
    fn whole_counts_read_as_integers() {
        assert_eq!(count(12.0), "12");
        assert_eq!(count(15_990.0), "15,990");
        assert_eq!(count(15_990.4), "15,990");
        assert_eq!(count(2.5), "2.50");
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
