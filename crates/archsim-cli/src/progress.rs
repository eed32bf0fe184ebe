//! The progress bar on stderr, aggregated over replications that run at the same time.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressStyle};

/// Resolution of the bar: a position of `BAR_STEPS` is the whole run.
const BAR_STEPS: u64 = 1_000;

pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// Collects each replication's progress and shows the mean on one bar.
pub struct Tracker {
    /// Fraction done per replication, as `f64` bits, so updates from worker threads need no lock.
    fractions: Vec<AtomicU64>,
    bar: Option<ProgressBar>,
}

impl Tracker {
    /// A tracker for `replications` replications; it draws only when `visible`.
    pub fn new(replications: u32, visible: bool) -> Tracker {
        let bar = visible.then(|| {
            let bar = ProgressBar::new(BAR_STEPS);
            let style = ProgressStyle::with_template(
                "simulating [{wide_bar}] {percent:>3}%  {elapsed} elapsed, about {eta} left",
            )
            .expect("the template is valid")
            .progress_chars("=> ");
            bar.set_style(style);
            bar
        });
        Tracker {
            fractions: (0..replications).map(|_| AtomicU64::new(0)).collect(),
            bar,
        }
    }

    /// Replication `index` is `fraction` done.
    pub fn update(&self, index: u32, fraction: f64) {
        let Some(bar) = &self.bar else { return };
        if let Some(slot) = self.fractions.get(index as usize) {
            slot.store(fraction.clamp(0.0, 1.0).to_bits(), Ordering::Relaxed);
        }
        let done: Vec<f64> = self
            .fractions
            .iter()
            .map(|slot| f64::from_bits(slot.load(Ordering::Relaxed)))
            .collect();
        bar.set_position(bar_position(&done));
    }

    /// Removes the bar so the report starts on a clean line.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The bar position for per-replication fractions: their mean, in `0..=BAR_STEPS`.
fn bar_position(fractions: &[f64]) -> u64 {
    if fractions.is_empty() {
        return 0;
    }
    let mean = fractions.iter().sum::<f64>() / fractions.len() as f64;
    (mean.clamp(0.0, 1.0) * BAR_STEPS as f64).round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_position_is_the_mean_over_replications() {
        assert_eq!(bar_position(&[1.0, 0.0, 0.5, 0.5]), 500);
        assert_eq!(bar_position(&[1.0, 1.0]), BAR_STEPS);
        assert_eq!(bar_position(&[]), 0);
    }

    #[test]
    fn hidden_tracker_ignores_updates_for_unknown_replications() {
        let tracker = Tracker::new(2, false);
        tracker.update(7, 0.5);
        tracker.finish();
    }
}
