//! Range checks shared by every rule: non-negative, positive, fractions, ceilings and algorithm sizes.

use super::{
    MAX_DURATION_MS, MAX_MAGLEV_TABLE_SIZE, MAX_RPS, MAX_VIRTUAL_NODES, MIN_MAGLEV_TABLE_SIZE,
    is_prime, next_prime, previous_prime, readable,
};
use crate::problem::field_path;

use super::Checker;

impl Checker<'_> {
    pub(super) fn non_negative(&mut self, path: &str, value: f64) {
        if !(value.is_finite() && value >= 0.0) {
            self.report(path, format!("must be a finite number ≥ 0, found {value}"));
        } else {
            self.within_ceiling(path, value);
        }
    }

    pub(super) fn positive(&mut self, path: &str, value: f64) {
        if !(value.is_finite() && value > 0.0) {
            self.report(path, format!("must be a finite number > 0, found {value}"));
        } else {
            self.within_ceiling(path, value);
        }
    }

    /// Every duration (a field named `…_ms`) and every rate (`…rps`) has a ceiling that keeps
    /// the engine's integer clock and counters exact; the field's name says which one applies,
    /// so no duration or rate field can be added without it.
    pub(super) fn within_ceiling(&mut self, path: &str, value: f64) {
        let field = path.rsplit('.').next().unwrap_or(path);
        if (field == "ms" || field.ends_with("_ms")) && value > MAX_DURATION_MS {
            self.report(
                path,
                format!(
                    "must be at most {MAX_DURATION_MS:e} ms (about 31 years; the simulation clock counts nanoseconds), found {}",
                    readable(value)
                ),
            );
        } else if field.ends_with("rps") && value > MAX_RPS {
            self.report(
                path,
                format!(
                    "must be at most {MAX_RPS:e} requests per second, found {}",
                    readable(value)
                ),
            );
        }
    }

    pub(super) fn fraction(&mut self, path: &str, value: f64) {
        if !(0.0..=1.0).contains(&value) {
            self.report(
                path,
                format!("must be a probability between 0 and 1 (a fraction, not a percentage), found {value}"),
            );
        }
    }

    /// Sizes the simulation allocates for up front (users, shards, replicas) have a ceiling, so
    /// that a typo such as 4294967295 is a problem with a path rather than an out-of-memory
    /// abort (or an overflow) when the run starts.
    pub(super) fn at_most(&mut self, path: &str, value: u64, max: u64, what: &str) {
        if value > max {
            self.report(
                path,
                format!("must be at most {max} ({what}), found {value}"),
            );
        }
    }

    /// Ring points per member of a consistent-hash ring (`algorithm` is the path of the
    /// algorithm object).
    pub(super) fn virtual_nodes(&mut self, algorithm: &str, value: u32, member: &str) {
        let path = field_path(algorithm, "virtual_nodes");
        self.at_least_one(&path, value.into(), &format!("ring points per {member}"));
        self.at_most(
            &path,
            value.into(),
            MAX_VIRTUAL_NODES.into(),
            &format!("ring points per {member}; balance stops improving long before"),
        );
    }

    /// A Maglev table's size must be a prime (each member's permutation must visit every
    /// entry) within a bound that keeps the table a few megabytes.
    pub(super) fn maglev_table_size(&mut self, algorithm: &str, value: u32) {
        let path = field_path(algorithm, "table_size");
        if !(MIN_MAGLEV_TABLE_SIZE..=MAX_MAGLEV_TABLE_SIZE).contains(&value) {
            self.report(
                path,
                format!(
                    "must be a prime between {MIN_MAGLEV_TABLE_SIZE} and {MAX_MAGLEV_TABLE_SIZE} (Envoy's default is 65537), found {value}"
                ),
            );
        } else if !is_prime(value) {
            self.report(
                path,
                format!(
                    "must be a prime number (each member's permutation of the table only visits every entry when the size is prime), found {value}; the nearest primes below and above are {} and {}",
                    previous_prime(value),
                    next_prime(value)
                ),
            );
        }
    }

    pub(super) fn at_least_one(&mut self, path: &str, value: u64, what: &str) {
        if value == 0 {
            self.report(path, format!("must be at least 1 ({what}), found 0"));
        }
    }
}
