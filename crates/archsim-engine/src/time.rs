//! Simulated time: whole nanoseconds since the start of a run, in a `u64`.
//!
//! Integer time is totally ordered and identical on every platform, so event order never depends
//! on float rounding. A `u64` of nanoseconds covers 584 years, far beyond any run.

/// A point in simulated time, or a span of it, in nanoseconds.
pub type SimTime = u64;

pub const NANOS_PER_MS: f64 = 1_000_000.0;

/// Milliseconds (as in the design format) to simulated time, rounded to the nearest nanosecond.
/// Negative and NaN inputs become 0; huge ones saturate.
pub fn from_ms(ms: f64) -> SimTime {
    let nanos = ms * NANOS_PER_MS;
    if nanos.is_nan() || nanos <= 0.0 {
        0
    } else if nanos >= u64::MAX as f64 {
        u64::MAX
    } else {
        (nanos + 0.5) as u64
    }
}

/// Simulated time to milliseconds, for reports.
pub fn to_ms(t: SimTime) -> f64 {
    t as f64 / NANOS_PER_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_milliseconds() {
        assert_eq!(from_ms(1.5), 1_500_000);
        assert_eq!(to_ms(from_ms(20.0)), 20.0);
    }

    #[test]
    fn clamps_bad_input() {
        assert_eq!(from_ms(-3.0), 0);
        assert_eq!(from_ms(f64::NAN), 0);
        assert_eq!(from_ms(f64::INFINITY), u64::MAX);
    }
}
