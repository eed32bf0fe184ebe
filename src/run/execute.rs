//! What the worker does with a design: parse it, run its replications in slices, combine them into
//! the report. Pure (no browser, the clock is passed in), so it runs in native tests exactly as in
//! the worker.
//!
//! The worker must stay able to hear Pause, Resume and Stop while a run is under way, and a
//! worker hears messages only between tasks. So a run advances in *slices* of events sized to
//! take about [`TARGET_SLICE_MS`] each, and the worker yields to its event loop between slices
//! ([`super::worker`]). A paused run keeps its [`Simulation`] in memory; resuming continues with
//! the very next event, so slicing and pausing never change the report.
//!
//! While the first replication advances, the buckets of its time series that have ended are
//! streamed to the page every [`LIVE_INTERVAL_MS`] (only the new ones), so charts and the canvas
//! move while the run is under way. A run may be *paced* ([`Pace::Times`]): the first
//! replication then advances at most that many simulated milliseconds per wall-clock
//! millisecond, so a person can watch a scenario unfold; the worker sleeps in between
//! ([`Runner::next_wake`]).

use archsim_engine::{ReplicationResult, Simulation};
use archsim_model::{Design, Report, Series, parse_design};

use super::protocol::{FromWorker, Pace, RunProgress, ToWorker};

/// Wall-clock time one slice should take: long enough that yielding costs nothing measurable,
/// short enough that Pause and Stop answer within a frame or three.
pub const TARGET_SLICE_MS: f64 = 30.0;
/// The first slice's size, before the worker has measured how fast this design runs.
pub const INITIAL_SLICE_EVENTS: u64 = 50_000;
/// Bounds on a slice, whatever the measurements say.
pub const MIN_SLICE_EVENTS: u64 = 1_000;
pub const MAX_SLICE_EVENTS: u64 = 20_000_000;
/// Least time between two progress messages: the bar cannot show more, and every message costs
/// the page a render.
pub const PROGRESS_INTERVAL_MS: f64 = 50.0;
/// Least time between two messages with new buckets of the live series: often enough that a
/// chart moves smoothly, rarely enough that a 200-node series never floods the page.
pub const LIVE_INTERVAL_MS: f64 = 250.0;
/// Most numbers in one live message. A message's numbers go to the page apart from its text
/// (`protocol::PackedLive`), and the page reads each message, and appends it to the series, in a
/// task of its own: about 15–25 ms for a million numbers (a 200-node design's update of 300
/// buckets, when the run goes as fast as it can), 2–10 ms for 250,000. Only the last piece of an
/// update makes the page draw it (docs/performance.md, "Live updates in pieces").
pub const LIVE_MAX_NUMBERS: usize = 250_000;
/// Events per engine call while paced or stepping: small, so the run stops close to the
/// simulated time the pace allows (or to the end of the bucket).
pub const PACED_CHUNK_EVENTS: u64 = 256;
/// Longest a paced worker sleeps before looking again (Pause and Stop are heard meanwhile anyway).
pub const MAX_PACED_SLEEP_MS: f64 = 50.0;

/// When the worker should run its next slice.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Wake {
    /// At once (after yielding to the event loop).
    Now,
    /// After this many wall-clock milliseconds (a paced run ahead of its pace).
    After(f64),
    /// Not until a message from the page (no run, or paused).
    Idle,
}

/// The worker's state: at most one run, running or paused. Feed it the page's messages with
/// [`handle`](Self::handle) and call [`run_slice`](Self::run_slice) when
/// [`next_wake`](Self::next_wake) says so.
#[derive(Default)]
pub struct Runner {
    run: Option<CurrentRun>,
    sizer: SliceSizer,
    throttle: ProgressThrottle,
    live_throttle: ProgressThrottle,
}

struct CurrentRun {
    execution: Execution,
    paused: bool,
    pace: Pace,
    /// Where pacing counts from: (wall-clock ms, simulated ms). Set by the first paced slice and
    /// cleared by Resume, Step and a change of pace, so time spent paused is never "caught up".
    pace_origin: Option<(f64, f64)>,
}

impl CurrentRun {
    /// The pace multiple in force now: only the first replication is paced.
    fn paced(&self) -> Option<f64> {
        self.pace
            .multiple()
            .filter(|_| self.execution.in_first_replication())
    }

    /// Simulated ms the pace allows the run to have reached at wall time `now_ms`.
    fn pace_target(&mut self, multiple: f64, now_ms: f64) -> f64 {
        let sim_now = self.execution.now_ms();
        let (wall0, sim0) = *self.pace_origin.get_or_insert((now_ms, sim_now));
        sim0 + multiple * (now_ms - wall0).max(0.0)
    }
}

impl Runner {
    pub fn new() -> Self {
        Runner {
            live_throttle: ProgressThrottle::new(LIVE_INTERVAL_MS),
            ..Runner::default()
        }
    }

    /// Acts on one message from the page at wall-clock time `now_ms`, posting any answer.
    /// Messages about a run other than the current one change nothing (it already ended).
    pub fn handle(&mut self, message: ToWorker, now_ms: f64, post: &mut dyn FnMut(FromWorker)) {
        match message {
            ToWorker::Start {
                run_id,
                design_json,
                pace,
            } => match Execution::prepare(&design_json, run_id) {
                Ok(execution) => {
                    self.throttle = ProgressThrottle::new(PROGRESS_INTERVAL_MS);
                    self.throttle.due(now_ms);
                    self.live_throttle = ProgressThrottle::new(LIVE_INTERVAL_MS);
                    self.live_throttle.due(now_ms);
                    post(FromWorker::Progress(execution.progress()));
                    self.run = Some(CurrentRun {
                        execution,
                        paused: false,
                        pace,
                        pace_origin: None,
                    });
                }
                Err(message) => {
                    self.run = None;
                    post(FromWorker::Failed { run_id, message });
                }
            },
            ToWorker::SetPace { run_id, pace } => {
                if let Some(run) = self.current(run_id) {
                    run.pace = pace;
                    run.pace_origin = None;
                }
            }
            ToWorker::Pause { run_id } => {
                if let Some(run) = self.current(run_id) {
                    run.paused = true;
                    // The page's picture of where the run stands includes every ended bucket.
                    for live in run.execution.live_update() {
                        post(live);
                    }
                    // Answered even when already paused, so the page's last word is exact.
                    post(FromWorker::Paused(run.execution.progress()));
                }
            }
            ToWorker::Resume { run_id } => {
                if let Some(run) = self.current(run_id) {
                    run.paused = false;
                    run.pace_origin = None;
                }
            }
            ToWorker::Step { run_id } => {
                let Some(run) = self.current(run_id) else {
                    return;
                };
                run.paused = true;
                run.pace_origin = None;
                let outcome = run.execution.advance_one_bucket();
                for live in run.execution.live_update() {
                    post(live);
                }
                match outcome {
                    None => post(FromWorker::Paused(run.execution.progress())),
                    Some(outcome) => {
                        let messages = run.execution.finished(outcome);
                        self.run = None;
                        messages.into_iter().for_each(post);
                    }
                }
            }
            ToWorker::Stop { run_id } => {
                if self.current(run_id).is_some() {
                    self.run = None;
                }
            }
        }
    }

    /// True while there is a run that is not paused.
    pub fn wants_slice(&self) -> bool {
        self.run.as_ref().is_some_and(|run| !run.paused)
    }

    /// When the next slice is due, at wall-clock time `now_ms`: at once, after a sleep (a paced
    /// run that is ahead of its pace), or not before the page says something.
    pub fn next_wake(&mut self, now_ms: f64) -> Wake {
        let Some(run) = self.run.as_mut().filter(|run| !run.paused) else {
            return Wake::Idle;
        };
        let Some(multiple) = run.paced() else {
            return Wake::Now;
        };
        let ahead_ms = run.execution.now_ms() - run.pace_target(multiple, now_ms);
        if ahead_ms <= 0.0 {
            Wake::Now
        } else {
            Wake::After((ahead_ms / multiple).clamp(1.0, MAX_PACED_SLEEP_MS))
        }
    }

    /// Advances the run by one slice (nothing when paused or idle), posting progress at most
    /// every [`PROGRESS_INTERVAL_MS`], new live buckets at most every [`LIVE_INTERVAL_MS`] and,
    /// at the end, the report or the failure. `clock` reads wall-clock milliseconds; it only
    /// sizes slices, paces and spaces messages, never changes what the simulation computes.
    pub fn run_slice(&mut self, clock: &mut dyn FnMut() -> f64, post: &mut dyn FnMut(FromWorker)) {
        let Some(run) = self.run.as_mut().filter(|run| !run.paused) else {
            return;
        };
        let budget = self.sizer.events();
        let started = clock();
        let step = match run.paced() {
            None => {
                let step = run.execution.advance(budget);
                let now = clock();
                self.sizer.record(budget, step.events, now - started);
                step
            }
            Some(multiple) => {
                // Small engine calls up to the simulated time the pace allows, within the
                // slice's usual bounds of time and events.
                let target = run.pace_target(multiple, started);
                let mut total = Step {
                    events: 0,
                    outcome: None,
                };
                while total.outcome.is_none()
                    && total.events < budget
                    && run.execution.in_first_replication()
                    && run.execution.now_ms() < target
                    && clock() - started < TARGET_SLICE_MS
                {
                    let step = run.execution.advance(PACED_CHUNK_EVENTS);
                    total.events += step.events;
                    total.outcome = step.outcome;
                }
                total
            }
        };
        let now = clock();
        let live_due = run.execution.has_final_live() || step.outcome.is_some();
        if live_due || self.live_throttle.due(now) {
            for live in run.execution.live_update() {
                post(live);
            }
        }
        match step.outcome {
            None => {
                if self.throttle.due(now) {
                    post(FromWorker::Progress(run.execution.progress()));
                }
            }
            Some(outcome) => {
                let messages = run.execution.finished(outcome);
                self.run = None;
                messages.into_iter().for_each(post);
            }
        }
    }

    /// Events the next slice may process (adapted to this machine and design).
    pub fn slice_events(&self) -> u64 {
        self.sizer.events()
    }

    fn current(&mut self, run_id: u32) -> Option<&mut CurrentRun> {
        self.run
            .as_mut()
            .filter(|run| run.execution.run_id == run_id)
    }
}

/// `buckets` (which start at bucket `from`) as Live messages of at most about `max_numbers`
/// numbers each, cut between buckets (a single bucket with more than that goes alone); the last
/// says so.
fn split_live(run_id: u32, from: usize, buckets: Series, max_numbers: usize) -> Vec<FromWorker> {
    let count = buckets.len();
    // Every bucket has about as many numbers as the first.
    let numbers = archsim_model::packed::pack(&buckets.slice(0, 1))
        .numbers
        .len()
        * count;
    let pieces = numbers.div_ceil(max_numbers.max(1)).clamp(1, count.max(1));
    if pieces == 1 {
        return vec![FromWorker::Live {
            run_id,
            from,
            buckets: Box::new(buckets),
            last: true,
        }];
    }
    let per_piece = count.div_ceil(pieces);
    (0..count)
        .step_by(per_piece)
        .map(|start| FromWorker::Live {
            run_id,
            from: from + start,
            buckets: Box::new(buckets.slice(start, start + per_piece)),
            last: start + per_piece >= count,
        })
        .collect()
}

/// One run: its design, the replications finished so far and the one under way.
pub struct Execution {
    run_id: u32,
    design: Design,
    replications: u32,
    /// Index of the replication under way (or next to start); `replications` once all are done.
    index: u32,
    current: Option<Simulation>,
    results: Vec<ReplicationResult>,
    /// Buckets of the first replication's series already streamed to the page.
    streamed: usize,
    /// The first replication's last buckets, cut when it ended (its simulation is gone by the
    /// time they are posted).
    final_live: Option<Series>,
}

/// What one [`Execution::advance`] did.
pub struct Step {
    /// Events processed.
    pub events: u64,
    /// The report (or why there is none) once the last replication is over.
    pub outcome: Option<Result<Report, String>>,
}

impl Execution {
    /// Reads and validates `design_json`; refuses an invalid design before any progress is shown
    /// (the engine would refuse it too).
    pub fn prepare(design_json: &str, run_id: u32) -> Result<Execution, String> {
        let design = parse_design(design_json).map_err(|problems| {
            let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
            format!("the design could not be read: {}", lines.join("; "))
        })?;
        let problems = archsim_model::validate(&design);
        if !problems.is_empty() {
            let lines: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
            return Err(format!("the design is invalid: {}", lines.join("; ")));
        }
        let replications = design.run.replications.max(1);
        Ok(Execution {
            run_id,
            design,
            replications,
            index: 0,
            current: None,
            results: Vec::with_capacity(replications as usize),
            streamed: 0,
            final_live: None,
        })
    }

    /// True while the first replication (the one whose series is streamed) is under way or
    /// has not started yet.
    pub fn in_first_replication(&self) -> bool {
        self.index == 0
    }

    /// Simulated time reached by the replication under way, ms (0 before it starts).
    pub fn now_ms(&self) -> f64 {
        self.current.as_ref().map_or(0.0, Simulation::now_ms)
    }

    /// True when the first replication ended with buckets the page has not been sent yet.
    pub fn has_final_live(&self) -> bool {
        self.final_live.is_some()
    }

    /// The first replication's buckets that ended since the last update, as messages of at
    /// most about [`LIVE_MAX_NUMBERS`] numbers each (the page reads each in a task of its own);
    /// none when there is nothing new (or the first replication is long over).
    pub fn live_update(&mut self) -> Vec<FromWorker> {
        let buckets = match self.final_live.take() {
            Some(buckets) => buckets,
            None => {
                let Some(simulation) = self.current.as_ref().filter(|_| self.index == 0) else {
                    return Vec::new();
                };
                let series = simulation.series();
                if series.len() <= self.streamed {
                    return Vec::new();
                }
                series.tail(self.streamed)
            }
        };
        if buckets.is_empty() {
            return Vec::new();
        }
        let from = self.streamed;
        self.streamed += buckets.len();
        split_live(self.run_id, from, buckets, LIVE_MAX_NUMBERS)
    }

    /// The last words about the run: the text the page keeps of its report, then the report
    /// (or why there is none). The report goes without its series when the page has been sent
    /// every bucket of it already.
    pub fn finished(&self, outcome: Result<Report, String>) -> Vec<FromWorker> {
        let run_id = self.run_id;
        match outcome {
            Ok(mut report) => {
                let keep = FromWorker::Keep {
                    run_id,
                    stored: crate::persist::autosave::report_to_keep(&self.design, &report),
                };
                let streamed = self.streamed;
                let all_streamed = streamed > 0 && report.series.len() == streamed;
                if all_streamed {
                    report.series = Series {
                        bucket_ms: report.series.bucket_ms,
                        ..Series::default()
                    };
                }
                vec![
                    keep,
                    FromWorker::Finished {
                        run_id,
                        report: Box::new(report),
                        streamed_buckets: all_streamed.then_some(streamed),
                    },
                ]
            }
            Err(message) => vec![FromWorker::Failed { run_id, message }],
        }
    }

    /// Advances until the replication under way has one more ended bucket (or is over): a
    /// person stepping through a paused run. Returns the run's outcome if this ended it.
    pub fn advance_one_bucket(&mut self) -> Option<Result<Report, String>> {
        let start_index = self.index;
        let buckets = |e: &Execution| e.current.as_ref().map_or(0, |s| s.series().len());
        let before = buckets(self);
        loop {
            let step = self.advance(PACED_CHUNK_EVENTS);
            if step.outcome.is_some() {
                return step.outcome;
            }
            if self.index != start_index || buckets(self) > before {
                return None;
            }
        }
    }

    /// Processes at most `max_events` events of the replication under way (starting it if need
    /// be). A slice never crosses into the next replication, so its size stays a fair measure.
    pub fn advance(&mut self, max_events: u64) -> Step {
        let simulation = match self.current.as_mut() {
            Some(simulation) => simulation,
            None => match Simulation::new(&self.design, self.index) {
                Ok(simulation) => self.current.insert(simulation),
                Err(error) => {
                    return Step {
                        events: 0,
                        outcome: Some(Err(error.message)),
                    };
                }
            },
        };
        let before = simulation.events();
        let over = simulation.advance(max_events);
        let events = simulation.events() - before;
        if !over {
            return Step {
                events,
                outcome: None,
            };
        }
        if let Some(simulation) = self.current.take() {
            if self.index == 0 {
                // Cut before `finish` hands the series to the replication's result.
                let rest = simulation.series().tail(self.streamed);
                self.final_live = (!rest.is_empty()).then_some(rest);
            }
            self.results.push(simulation.finish());
        }
        self.index += 1;
        let outcome = (self.index >= self.replications)
            .then(|| Ok(archsim_engine::summarize(&self.design, &self.results)));
        Step { events, outcome }
    }

    /// Where the run is: the replication under way and how far into it.
    pub fn progress(&self) -> RunProgress {
        let last = self.replications - 1;
        let (replication, fraction) = if self.index > last {
            (last, 1.0)
        } else {
            (
                self.index,
                self.current.as_ref().map_or(0.0, Simulation::progress),
            )
        };
        RunProgress {
            run_id: self.run_id,
            replication,
            replications: self.replications,
            fraction,
        }
    }
}

/// Sizes slices so each takes about [`TARGET_SLICE_MS`], from the speed the last full slice
/// showed. A slice cut short by the end of a replication says little about speed (it includes
/// building the next one's statistics), so it is not used; the size changes by at most ×2 per
/// slice so one odd measurement (a garbage collection, a busy machine) cannot swing it far.
#[derive(Debug, Clone)]
pub struct SliceSizer {
    events: u64,
}

impl Default for SliceSizer {
    fn default() -> Self {
        SliceSizer {
            events: INITIAL_SLICE_EVENTS,
        }
    }
}

impl SliceSizer {
    pub fn events(&self) -> u64 {
        self.events
    }

    /// A slice allowed `budget` events processed `processed` in `elapsed_ms`.
    pub fn record(&mut self, budget: u64, processed: u64, elapsed_ms: f64) {
        if processed < budget {
            return;
        }
        // A clock with millisecond resolution can read 0 for a fast slice: count it as 1 ms.
        let events_per_ms = processed as f64 / elapsed_ms.max(1.0);
        let ideal = (events_per_ms * TARGET_SLICE_MS) as u64;
        self.events = ideal
            .clamp(self.events / 2, self.events.saturating_mul(2))
            .clamp(MIN_SLICE_EVENTS, MAX_SLICE_EVENTS);
    }
}

/// Lets a progress message through when at least `interval_ms` of wall-clock time passed since
/// the last one let through.
#[derive(Debug, Clone)]
pub struct ProgressThrottle {
    interval_ms: f64,
    last_ms: Option<f64>,
}

impl Default for ProgressThrottle {
    fn default() -> Self {
        ProgressThrottle::new(PROGRESS_INTERVAL_MS)
    }
}

impl ProgressThrottle {
    pub fn new(interval_ms: f64) -> Self {
        ProgressThrottle {
            interval_ms,
            last_ms: None,
        }
    }

    /// True (and counts as sent) when a message is due at `now_ms`.
    pub fn due(&mut self, now_ms: f64) -> bool {
        let due = self
            .last_ms
            .is_none_or(|last| now_ms - last >= self.interval_ms);
        if due {
            self.last_ms = Some(now_ms);
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::protocol::PackedLive;

    fn mm1_json(duration_ms: f64, replications: u32) -> String {
        let text = include_str!("../../examples/mm1.json");
        let mut value: serde_json::Value = serde_json::from_str(text).unwrap();
        value["run"]["duration_ms"] = duration_ms.into();
        value["run"]["warmup_ms"] = (duration_ms / 10.0).into();
        value["run"]["replications"] = replications.into();
        value.to_string()
    }

    fn unsliced_fingerprint(design_json: &str) -> u64 {
        let design = parse_design(design_json).unwrap();
        let report = archsim_engine::run(&design, &mut |_| {}).unwrap();
        archsim_engine::report_fingerprint(&report)
    }

    /// A clock that moves `step_ms` every time it is read.
    fn ticking_clock(step_ms: f64) -> impl FnMut() -> f64 {
        let mut now = 0.0;
        move || {
            now += step_ms;
            now
        }
    }

    fn start(runner: &mut Runner, run_id: u32, design_json: &str) -> Vec<FromWorker> {
        start_at(runner, run_id, design_json, Pace::Fastest)
    }

    fn start_at(
        runner: &mut Runner,
        run_id: u32,
        design_json: &str,
        pace: Pace,
    ) -> Vec<FromWorker> {
        let mut messages = Vec::new();
        runner.handle(
            ToWorker::Start {
                run_id,
                design_json: design_json.to_string(),
                pace,
            },
            0.0,
            &mut |m| messages.push(m),
        );
        messages
    }

    #[test]
    fn a_run_sliced_and_paused_gives_the_report_of_an_unpaused_run() {
        let design_json = mm1_json(400_000.0, 2);
        let mut runner = Runner::new();
        let mut messages = start(&mut runner, 5, &design_json);
        // Every slice seems to take a second, so the sizer shrinks slices to the minimum and the
        // run is cut into hundreds of pieces.
        let mut clock = ticking_clock(1_000.0);
        let mut slices = 0;
        let mut pauses = 0;
        while runner.wants_slice() {
            runner.run_slice(&mut clock, &mut |m| messages.push(m));
            slices += 1;
            if slices % 7 == 0 && runner.wants_slice() {
                runner.handle(ToWorker::Pause { run_id: 5 }, clock(), &mut |m| {
                    messages.push(m)
                });
                pauses += 1;
                let Some(FromWorker::Paused(at)) = messages.last().cloned() else {
                    panic!("a pause is acknowledged, got {:?}", messages.last());
                };
                assert!(!runner.wants_slice());
                // Slices asked for while paused do nothing.
                let before = messages.len();
                for _ in 0..3 {
                    runner.run_slice(&mut clock, &mut |m| messages.push(m));
                }
                assert_eq!(messages.len(), before, "nothing moves while paused");
                runner.handle(ToWorker::Pause { run_id: 5 }, clock(), &mut |m| {
                    messages.push(m)
                });
                assert_eq!(messages.pop(), Some(FromWorker::Paused(at)));
                runner.handle(ToWorker::Resume { run_id: 5 }, clock(), &mut |m| {
                    messages.push(m)
                });
                assert!(runner.wants_slice());
            }
        }
        assert!(
            slices > 50 && pauses > 5,
            "{slices} slices, {pauses} pauses"
        );
        assert_eq!(runner.slice_events(), MIN_SLICE_EVENTS);
        assert!(matches!(
            messages.last(),
            Some(FromWorker::Finished { run_id: 5, .. })
        ));
        let report = report_as_the_page_keeps_it(&messages, 5);
        assert_eq!(report.replications, 2);
        assert_eq!(
            archsim_engine::report_fingerprint(&report),
            unsliced_fingerprint(&design_json)
        );
    }

    #[test]
    fn progress_is_overall_rising_and_at_most_one_message_per_interval() {
        let design_json = mm1_json(1_000_000.0, 3);
        let mut runner = Runner::new();
        let mut messages = start(&mut runner, 2, &design_json);
        // Every slice seems to take exactly the target time, so slices keep their first size and
        // each replication takes several.
        let mut clock = ticking_clock(TARGET_SLICE_MS);
        let mut slices = 0;
        while runner.wants_slice() {
            runner.run_slice(&mut clock, &mut |m| messages.push(m));
            slices += 1;
        }
        let (last, progress) = messages.split_last().unwrap();
        assert!(matches!(last, FromWorker::Finished { run_id: 2, .. }));
        let overall: Vec<f64> = progress
            .iter()
            .filter(|m| !matches!(m, FromWorker::Live { .. } | FromWorker::Keep { .. }))
            .map(|m| match m {
                FromWorker::Progress(p) => {
                    assert_eq!((p.run_id, p.replications), (2, 3));
                    p.overall()
                }
                other => panic!("only progress before the report, got {other:?}"),
            })
            .collect();
        assert_eq!(overall[0], 0.0, "the start is announced at once");
        assert!(overall.windows(2).all(|w| w[0] <= w[1]), "{overall:?}");
        // Every replication shows up, in order, as part of the whole.
        assert!(overall.iter().any(|&f| f > 0.4 && f < 0.6), "{overall:?}");
        assert!(*overall.last().unwrap() > 0.8, "{overall:?}");
        assert_eq!(runner.slice_events(), INITIAL_SLICE_EVENTS);
        let slice_ms = 2.0 * TARGET_SLICE_MS;
        let most = (slices as f64 * slice_ms / PROGRESS_INTERVAL_MS).ceil() as usize + 1;
        assert!(
            overall.len() <= most,
            "{} messages for {slices} slices",
            overall.len()
        );
    }

    #[test]
    fn stop_discards_the_run_and_start_replaces_a_paused_one() {
        let long = mm1_json(2_000_000.0, 1);
        let mut runner = Runner::new();
        let mut messages = start(&mut runner, 1, &long);
        let mut clock = ticking_clock(1.0);
        runner.run_slice(&mut clock, &mut |m| messages.push(m));
        runner.handle(ToWorker::Pause { run_id: 1 }, 5.0, &mut |m| {
            messages.push(m)
        });
        // A new run replaces the paused one; late messages about the old one change nothing.
        let short = mm1_json(5_000.0, 1);
        messages = start(&mut runner, 2, &short);
        runner.handle(ToWorker::Pause { run_id: 1 }, 6.0, &mut |m| {
            messages.push(m)
        });
        runner.handle(ToWorker::Stop { run_id: 1 }, 6.0, &mut |m| messages.push(m));
        assert!(runner.wants_slice(), "run 2 is unaffected");
        while runner.wants_slice() {
            runner.run_slice(&mut clock, &mut |m| messages.push(m));
        }
        assert!(
            matches!(
                messages.last(),
                Some(FromWorker::Finished { run_id: 2, .. })
            ),
            "run 2 finishes, got {:?}",
            messages.last()
        );
        assert_eq!(
            archsim_engine::report_fingerprint(&report_as_the_page_keeps_it(&messages, 2)),
            unsliced_fingerprint(&short)
        );
        // Stop: the run is gone and says nothing more.
        messages = start(&mut runner, 3, &long);
        runner.run_slice(&mut clock, &mut |m| messages.push(m));
        runner.handle(ToWorker::Stop { run_id: 3 }, 9.0, &mut |m| messages.push(m));
        let before = messages.len();
        assert!(!runner.wants_slice());
        runner.run_slice(&mut clock, &mut |m| messages.push(m));
        runner.handle(ToWorker::Resume { run_id: 3 }, 9.0, &mut |m| {
            messages.push(m)
        });
        assert!(!runner.wants_slice());
        assert_eq!(messages.len(), before);
    }

    #[test]
    fn an_invalid_design_fails_with_the_reason() {
        let mut runner = Runner::new();
        let messages = start(&mut runner, 9, r#"{"version": 1, "nodes": 3}"#);
        assert_eq!(messages.len(), 1);
        match &messages[0] {
            FromWorker::Failed { run_id, message } => {
                assert_eq!(*run_id, 9);
                assert!(message.contains("nodes"), "{message}");
            }
            other => panic!("expected a failure, got {other:?}"),
        }
        assert!(!runner.wants_slice());
        // Parses, but validation refuses it: no client.
        let messages = start(&mut runner, 10, r#"{"version": 1}"#);
        assert!(
            matches!(&messages[..], [FromWorker::Failed { run_id: 10, .. }]),
            "{messages:?}"
        );
    }

    #[test]
    fn slices_grow_toward_the_target_time_at_most_twofold_and_stay_in_bounds() {
        let mut sizer = SliceSizer::default();
        // Very fast: doubles, not more.
        sizer.record(INITIAL_SLICE_EVENTS, INITIAL_SLICE_EVENTS, 1.0);
        assert_eq!(sizer.events(), 2 * INITIAL_SLICE_EVENTS);
        // 10 000 events per ms → 300 000 events for 30 ms, reached in steps of at most ×2.
        for _ in 0..10 {
            let budget = sizer.events();
            sizer.record(budget, budget, budget as f64 / 10_000.0);
        }
        assert_eq!(sizer.events(), 300_000);
        // A slice cut short by the end of a replication is not a measurement.
        sizer.record(300_000, 10, 500.0);
        assert_eq!(sizer.events(), 300_000);
        for _ in 0..40 {
            let budget = sizer.events();
            sizer.record(budget, budget, 10_000.0);
        }
        assert_eq!(sizer.events(), MIN_SLICE_EVENTS);
        for _ in 0..40 {
            let budget = sizer.events();
            sizer.record(budget, budget, 0.0);
        }
        assert_eq!(sizer.events(), MAX_SLICE_EVENTS);
    }

    #[test]
    fn throttle_lets_through_one_message_per_interval() {
        let mut throttle = ProgressThrottle::new(50.0);
        let passed: Vec<f64> = [0.0, 10.0, 49.0, 50.0, 99.0, 120.0, 400.0]
            .into_iter()
            .filter(|&t| throttle.due(t))
            .collect();
        assert_eq!(passed, vec![0.0, 50.0, 120.0, 400.0]);
    }

    /// The live series as the page rebuilds it: every Live message packed as the worker posts
    /// it and read back as the page reads it, its buckets appended in order, each message
    /// starting exactly where the previous one ended.
    fn concatenated_live(messages: &[FromWorker], run_id: u32) -> (Series, usize) {
        let mut live = Series::default();
        let mut count = 0;
        for message in messages {
            let Some(packed) = PackedLive::of(message) else {
                continue;
            };
            let read = PackedLive::unpack(
                packed.run_id,
                packed.from,
                &packed.buckets.structure,
                &packed.buckets.numbers,
                packed.last,
            )
            .expect("a packed live update reads back");
            assert_eq!(&read, message, "packing changes nothing");
            if let FromWorker::Live {
                run_id: id,
                from,
                buckets,
                ..
            } = &read
            {
                assert_eq!(*id, run_id);
                assert_eq!(
                    *from,
                    live.len(),
                    "no gap and no repeat between live messages"
                );
                assert!(
                    !buckets.is_empty(),
                    "a live message always brings something new"
                );
                live.extend((**buckets).clone());
                count += 1;
            }
        }
        (live, count)
    }

    /// The report of run `run_id` as the page keeps it: the Finished message's report, with its
    /// series taken from the live messages when the worker left it out.
    fn report_as_the_page_keeps_it(messages: &[FromWorker], run_id: u32) -> Report {
        let (live, _) = concatenated_live(messages, run_id);
        match messages.last() {
            Some(FromWorker::Finished {
                report,
                streamed_buckets,
                ..
            }) => crate::run::controller::with_streamed_series(
                (**report).clone(),
                *streamed_buckets,
                Some(&crate::run::LiveSeries::new(live)),
            )
            .expect("every streamed bucket arrived"),
            other => panic!("the run ends with its report, got {other:?}"),
        }
    }

    #[test]
    fn streamed_buckets_concatenated_equal_the_reports_series() {
        // Three replications: only the first one's series is streamed, and it is the one the
        // report carries.
        let mut design: serde_json::Value = serde_json::from_str(&mm1_json(200_000.0, 3)).unwrap();
        design["run"]["bucket_ms"] = 1_000.0.into();
        let design_json = design.to_string();
        let mut runner = Runner::new();
        let mut messages = start(&mut runner, 4, &design_json);
        // Each clock read moves 40 ms, so a live update is due every few slices.
        let mut clock = ticking_clock(40.0);
        // Small slices, so the first replication takes many and streams in many pieces.
        runner.sizer.events = MIN_SLICE_EVENTS;
        while runner.wants_slice() {
            runner.run_slice(&mut clock, &mut |m| messages.push(m));
        }
        let (live, count) = concatenated_live(&messages, 4);
        assert!(
            count > 5,
            "the series arrives in pieces while the run advances ({count})"
        );
        // The report leaves out the series the page already has.
        let Some(FromWorker::Finished {
            report: sent,
            streamed_buckets,
            ..
        }) = messages.last()
        else {
            panic!("the run ends with its report");
        };
        assert_eq!(*streamed_buckets, Some(200));
        assert!(sent.series.is_empty());
        let report = report_as_the_page_keeps_it(&messages, 4);
        assert_eq!(report.series.len(), 200);
        assert_eq!(live, report.series);
        // The text the page keeps across a reload is the one it would write itself of the
        // whole report, series and all, and of the design.
        let kept = messages.iter().find_map(|m| match m {
            FromWorker::Keep { run_id: 4, stored } => Some(stored.clone()),
            _ => None,
        });
        assert_eq!(
            kept.expect("a keep message").expect("kept"),
            crate::persist::autosave::report_to_json(&parse_design(&design_json).unwrap(), &report)
        );
        // Every Live message comes before the report.
        let first_finished = messages
            .iter()
            .position(|m| matches!(m, FromWorker::Finished { .. }))
            .unwrap();
        assert_eq!(first_finished, messages.len() - 1);
        assert_eq!(
            archsim_engine::report_fingerprint(&report),
            unsliced_fingerprint(&design_json),
            "streaming changes no figure"
        );
    }

    #[test]
    fn a_big_live_update_is_cut_into_small_messages_that_join_up_again() {
        let mut design: serde_json::Value = serde_json::from_str(&mm1_json(100_000.0, 1)).unwrap();
        design["run"]["bucket_ms"] = 100.0.into();
        let design_json = design.to_string();
        let mut execution = Execution::prepare(&design_json, 7).unwrap();
        while execution.advance(u64::MAX).outcome.is_none() {}
        let whole = execution
            .final_live
            .clone()
            .expect("the first replication's buckets");
        assert_eq!(whole.len(), 1_000);
        let whole_numbers = archsim_model::packed::pack(&whole).numbers.len();
        let limit = whole_numbers / 7;
        let messages = split_live(7, 40, whole.clone(), limit);
        assert!(messages.len() >= 7, "{} pieces", messages.len());
        let mut joined = Series::default();
        for (index, message) in messages.iter().enumerate() {
            let FromWorker::Live {
                from,
                buckets,
                last,
                ..
            } = message
            else {
                panic!("only live messages, got {message:?}");
            };
            assert_eq!(*from, 40 + joined.len(), "pieces follow each other");
            assert_eq!(
                *last,
                index + 1 == messages.len(),
                "only the last piece says so"
            );
            let numbers = archsim_model::packed::pack(buckets.as_ref()).numbers.len();
            // Cut between buckets: a piece exceeds the limit by at most a bucket's worth.
            assert!(numbers <= limit + limit / 10, "{numbers} numbers > {limit}");
            joined.extend((**buckets).clone());
        }
        assert_eq!(joined, whole);
        // Small updates go whole.
        assert!(matches!(
            &split_live(7, 0, whole.clone(), usize::MAX)[..],
            [FromWorker::Live { last: true, .. }]
        ));
    }

    #[test]
    fn every_templates_live_series_reads_back_exactly_with_its_numbers_apart() {
        let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
        let mut checked = 0;
        for entry in std::fs::read_dir(examples).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let design_json = std::fs::read_to_string(&path).unwrap();
            let mut execution = Execution::prepare(&design_json, 3).unwrap();
            // A few hundred thousand events: every kind of bucket the template makes, fast.
            for _ in 0..4 {
                if execution.advance(100_000).outcome.is_some() {
                    break;
                }
            }
            let messages = execution.live_update();
            if messages.is_empty() {
                continue;
            }
            let (series, _) = concatenated_live(&messages, 3);
            assert!(!series.is_empty(), "{}", path.display());
            checked += 1;
        }
        assert!(checked >= 30, "only {checked} templates had a live series");
    }

    #[test]
    fn a_paced_run_never_gets_ahead_of_its_pace_and_sleeps_when_ahead() {
        let mut design: serde_json::Value = serde_json::from_str(&mm1_json(20_000.0, 1)).unwrap();
        design["run"]["bucket_ms"] = 500.0.into();
        let design_json = design.to_string();
        let mut runner = Runner::new();
        let mut messages = start_at(&mut runner, 6, &design_json, Pace::Times(10.0));
        // A hand-moved wall clock: 100 ms per turn of the loop.
        let mut wall = 0.0;
        let mut turns = 0;
        let mut slept = 0;
        'run: loop {
            // Within one instant of wall time, slices run until the pace says to sleep.
            for _ in 0..100 {
                match runner.next_wake(wall) {
                    Wake::Idle => break 'run,
                    Wake::After(ms) => {
                        assert!(ms > 0.0 && ms <= MAX_PACED_SLEEP_MS, "{ms}");
                        slept += 1;
                        break;
                    }
                    Wake::Now => {
                        let at = wall;
                        runner.run_slice(&mut || at, &mut |m| messages.push(m));
                    }
                }
            }
            if let Some(run) = runner.run.as_ref() {
                // Never further than the pace allows, give or take one small engine call
                // (M/M/1 at 80 rps: 256 events are a few simulated seconds at most).
                let allowed = 10.0 * wall;
                assert!(
                    run.execution.now_ms() <= allowed + 5_000.0,
                    "{} ms simulated after {wall} ms of wall time",
                    run.execution.now_ms()
                );
            }
            wall += 100.0;
            turns += 1;
            assert!(turns < 1_000, "the paced run ends");
        }
        // 20 s of simulated time at 10× takes about 2 s of wall time: about 20 turns.
        assert!((15..=40).contains(&turns), "{turns} turns");
        assert!(slept > 0, "a paced run waits for the wall clock");
        let (live, count) = concatenated_live(&messages, 6);
        assert!(
            count >= 5,
            "buckets arrive while the paced run goes ({count})"
        );
        let report = report_as_the_page_keeps_it(&messages, 6);
        assert_eq!(live, report.series);
        assert_eq!(
            archsim_engine::report_fingerprint(&report),
            unsliced_fingerprint(&design_json),
            "pacing changes no figure"
        );
    }

    #[test]
    fn a_pace_change_and_a_pause_never_cause_a_burst_to_catch_up() {
        let design_json = mm1_json(1_000_000.0, 1);
        let mut runner = Runner::new();
        start_at(&mut runner, 1, &design_json, Pace::Times(1.0));
        let mut sink = |_: FromWorker| {};
        runner.run_slice(&mut || 0.0, &mut sink);
        runner.run_slice(&mut || 1_000.0, &mut sink);
        let at_pause = runner.run.as_ref().unwrap().execution.now_ms();
        assert!(at_pause <= 1_000.0 + 5_000.0, "{at_pause}");
        runner.handle(ToWorker::Pause { run_id: 1 }, 1_000.0, &mut sink);
        assert_eq!(runner.next_wake(50_000.0), Wake::Idle);
        // Resumed a minute later: the pace counts from the resume, not from the start.
        runner.handle(ToWorker::Resume { run_id: 1 }, 60_000.0, &mut sink);
        runner.run_slice(&mut || 60_000.0, &mut sink);
        runner.run_slice(&mut || 60_500.0, &mut sink);
        let after = runner.run.as_ref().unwrap().execution.now_ms();
        assert!(after - at_pause <= 500.0 + 5_000.0, "{at_pause} → {after}");
        // As fast as possible from now on: no sleeping.
        runner.handle(
            ToWorker::SetPace {
                run_id: 1,
                pace: Pace::Fastest,
            },
            61_000.0,
            &mut sink,
        );
        assert_eq!(runner.next_wake(61_000.0), Wake::Now);
    }

    #[test]
    fn a_step_advances_a_paused_run_by_exactly_one_bucket() {
        let mut design: serde_json::Value = serde_json::from_str(&mm1_json(10_000.0, 1)).unwrap();
        design["run"]["bucket_ms"] = 1_000.0.into();
        let design_json = design.to_string();
        let mut runner = Runner::new();
        let mut messages = start(&mut runner, 3, &design_json);
        runner.handle(ToWorker::Pause { run_id: 3 }, 0.0, &mut |m| {
            messages.push(m)
        });
        messages.clear();
        for expected_from in 0..10 {
            runner.handle(ToWorker::Step { run_id: 3 }, 0.0, &mut |m| messages.push(m));
            match &messages[..] {
                [
                    FromWorker::Live { from, buckets, .. },
                    FromWorker::Paused(_),
                ] => {
                    assert_eq!((*from, buckets.len()), (expected_from, 1));
                }
                [
                    FromWorker::Live { from, buckets, .. },
                    FromWorker::Keep { run_id: 3, stored },
                    FromWorker::Finished { .. },
                ] => {
                    assert!(stored.is_ok(), "a small report is kept: {stored:?}");
                    assert_eq!((*from, buckets.len()), (9, 1), "the last step ends the run");
                    assert_eq!(expected_from, 9);
                }
                other => panic!("step {expected_from}: {other:?}"),
            }
            assert!(!runner.wants_slice(), "a step leaves the run paused");
            messages.clear();
        }
        assert!(runner.run.is_none());
    }
}
