//! Measurement periods: the warm-up (left out of the summary), the batches of the measured
//! period (confidence intervals within one replication) and the time-series buckets (the whole
//! run). Counters are cumulative; a period's figures are the difference of two snapshots taken
//! at its boundaries, and latencies recorded since the last boundary are flushed into the
//! histograms of the periods they belong to.

use archsim_model::report::Series;

use crate::core::Event;
use crate::metrics::{LatencyStats, Snapshot};
use crate::sim::Sim;
use crate::summary::PeriodFigures;
use crate::time::SimTime;

/// Batches of the post-warm-up period, for confidence intervals within a single replication.
pub const BATCHES: u32 = 20;

/// The measurement state of one replication.
pub(crate) struct Measurement {
    pub warmup_end: SimTime,
    /// The latencies clients saw, all clients together, per period. (The overall counters are
    /// not kept apart: they are the clients' own, added up when a period is read; see
    /// `summary::period_figures`.)
    pub overall_whole: LatencyStats,
    pub overall_batch: LatencyStats,
    pub overall_bucket: LatencyStats,
    pub warmup_snapshot: Option<Snapshot>,
    pub batch_start: Option<Snapshot>,
    pub batch_index: u32,
    pub batches: Vec<PeriodFigures>,
    pub bucket_ns: SimTime,
    pub bucket_start: Option<Snapshot>,
    pub series: Series,
    pub progress_step: SimTime,
}

impl Measurement {
    pub fn new(warmup_end: SimTime, end: SimTime, bucket_ms: f64) -> Measurement {
        Measurement {
            warmup_end,
            overall_whole: LatencyStats::default(),
            overall_batch: LatencyStats::default(),
            overall_bucket: LatencyStats::default(),
            warmup_snapshot: None,
            batch_start: None,
            batch_index: 0,
            batches: Vec::new(),
            bucket_ns: crate::time::from_ms(bucket_ms).max(1),
            bucket_start: None,
            series: Series {
                bucket_ms,
                ..Series::default()
            },
            progress_step: (end / 100).max(1),
        }
    }
}

impl Sim {
    /// Moves the latencies recorded since the last period boundary into the histograms of the
    /// periods they belong to. Due at every boundary, before a period's histogram is read or
    /// reset. A client's latencies are also the overall ones, and time-series buckets need
    /// those, so clients are flushed at every boundary, other nodes only when `nodes_too`.
    fn flush_latencies(&mut self, nodes_too: bool) {
        let m = &mut self.measure;
        for node in &mut self.core.nodes {
            if node.is_client {
                node.latency_pending.flush_into(&mut [
                    &mut node.latency_whole,
                    &mut node.latency_batch,
                    &mut m.overall_whole,
                    &mut m.overall_batch,
                    &mut m.overall_bucket,
                ]);
            } else if nodes_too {
                node.latency_pending
                    .flush_into(&mut [&mut node.latency_whole, &mut node.latency_batch]);
            }
        }
    }

    /// Where the first bucket starts, the warm-up ends (or measurement begins at once), and
    /// the progress reports go: the events every run starts with.
    pub(crate) fn schedule_measurement(&mut self) {
        let end = self.end;
        let bucket_ns = self.measure.bucket_ns;
        let warmup_end = self.measure.warmup_end;
        let progress_step = self.measure.progress_step;
        self.measure.bucket_start = Some(self.core.recorder.snapshot(0));
        if bucket_ns < end {
            self.core.queue.push(bucket_ns, Event::BucketEnd);
        }
        if warmup_end == 0 {
            self.begin_measurement();
        } else {
            self.core.queue.push(warmup_end, Event::WarmupEnd);
        }
        if progress_step < end {
            self.core.queue.push(progress_step, Event::Progress);
        }
    }

    pub(crate) fn begin_measurement(&mut self) {
        self.flush_latencies(true);
        let snapshot = self.core.recorder.snapshot(self.core.now);
        self.measure.overall_whole.reset();
        self.measure.overall_batch.reset();
        for (node, model) in self.core.nodes.iter_mut().zip(&mut self.models) {
            node.latency_whole.reset();
            node.latency_batch.reset();
            model.new_period(true, waiting(node));
        }
        self.measure.warmup_snapshot = Some(snapshot.clone());
        self.measure.batch_start = Some(snapshot);
        self.measure.batch_index = 0;
        self.schedule_next_batch_end();
    }

    fn batch_boundary(&self, k: u32) -> SimTime {
        let warmup_end = self.measure.warmup_end;
        let span = (self.end - warmup_end) as u128;
        warmup_end + (span * k as u128 / BATCHES as u128) as SimTime
    }

    /// The measured period (warm-up end to where the run stopped) in batch lengths.
    pub fn periods_per_batch(&self) -> f64 {
        let warmup_end = self.measure.warmup_end;
        let batch = (self.end - warmup_end) as f64 / BATCHES as f64;
        let measured = self.core.now.saturating_sub(warmup_end) as f64;
        if batch > 0.0 { measured / batch } else { 0.0 }
    }

    fn schedule_next_batch_end(&mut self) {
        // The last batch is closed by `finish_run` at the end instant.
        let index = self.measure.batch_index;
        if index + 1 < BATCHES {
            let at = self.batch_boundary(index + 1);
            if at > self.core.now && at < self.end {
                self.core.queue.push(at, Event::BatchEnd);
            }
        }
    }

    pub(crate) fn end_batch(&mut self) {
        let Some(start) = self.measure.batch_start.take() else {
            return;
        };
        self.flush_latencies(true);
        let end = self.core.recorder.snapshot(self.core.now);
        let figures = crate::summary::period_figures(self, &start, &end, false);
        self.measure.batches.push(figures);
        self.measure.overall_batch.reset();
        for (node, model) in self.core.nodes.iter_mut().zip(&mut self.models) {
            node.latency_batch.reset();
            model.new_period(false, waiting(node));
        }
        self.measure.batch_start = Some(end);
        self.measure.batch_index += 1;
        self.schedule_next_batch_end();
    }

    pub(crate) fn end_bucket(&mut self) {
        let Some(start) = self.measure.bucket_start.take() else {
            return;
        };
        self.flush_latencies(false);
        let end = self.core.recorder.snapshot(self.core.now);
        crate::summary::push_bucket(self, &start, &end);
        self.measure.overall_bucket.reset();
        self.measure.bucket_start = Some(end);
    }

    pub(crate) fn finish_run(&mut self) {
        self.flush_latencies(true);
        if self.core.now > self.end {
            self.core.now = self.end;
        }
        let stopped = self.stopped_early.is_some();
        if !stopped {
            self.core.now = self.end;
        }
        if self
            .measure
            .bucket_start
            .as_ref()
            .is_some_and(|start| self.core.now > start.at)
        {
            self.end_bucket();
        }
        // A batch cut short by the event budget would be shorter than the others; leave it out.
        if !stopped
            && self.measure.warmup_snapshot.is_some()
            && self.measure.batch_index + 1 == BATCHES
        {
            self.end_batch();
        }
    }
}

/// Jobs waiting at a node's first station (the wait line a queue reports the depth of).
fn waiting(node: &crate::core::NodeState) -> u64 {
    node.stations.first().map_or(0, |s| s.waiting)
}
