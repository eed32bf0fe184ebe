//! What the worker does with a design: parse it, run its replications in slices, combine them into
//! the report. Pure (no browser, the clock is passed in), so it runs in native tests exactly as in
//! the worker.
//!
//! The worker must stay able to hear Pause, Resume and Stop while a run is under way, and a
//! worker hears messages only between tasks. So a run advances in *slices* of events sized to
//! take about [`TARGET_SLICE_MS`] each, and the worker yields to its event loop between slices
//! ([`super::worker`]). A paused run keeps its [`Simulation`] in memory; resuming continues with
//! the very next event, so slicing and pausing never change the report.

use archsim_engine::{ReplicationResult, Simulation};
use archsim_model::{Design, Report, parse_design};

use super::protocol::{FromWorker, RunProgress, ToWorker};

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

/// The worker's state: at most one run, running or paused. Feed it the page's messages with
/// [`handle`](Self::handle) and, while [`wants_slice`](Self::wants_slice), call
/// [`run_slice`](Self::run_slice) once per turn of the event loop.
#[derive(Default)]
pub struct Runner {
    run: Option<CurrentRun>,
    sizer: SliceSizer,
    throttle: ProgressThrottle,
}

struct CurrentRun {
    execution: Execution,
    paused: bool,
}

impl Runner {
    pub fn new() -> Self {
        Runner::default()
    }

    /// Acts on one message from the page at wall-clock time `now_ms`, posting any answer.
    /// Messages about a run other than the current one change nothing (it already ended).
    pub fn handle(&mut self, message: ToWorker, now_ms: f64, post: &mut dyn FnMut(FromWorker)) {
        match message {
            ToWorker::Start {
                run_id,
                design_json,
            } => match Execution::prepare(&design_json, run_id) {
                Ok(execution) => {
                    self.throttle = ProgressThrottle::new(PROGRESS_INTERVAL_MS);
                    self.throttle.due(now_ms);
                    post(FromWorker::Progress(execution.progress()));
                    self.run = Some(CurrentRun {
                        execution,
                        paused: false,
                    });
                }
                Err(message) => {
                    self.run = None;
                    post(FromWorker::Failed { run_id, message });
                }
            },
            ToWorker::Pause { run_id } => {
                if let Some(run) = self.current(run_id) {
                    run.paused = true;
                    // Answered even when already paused, so the page's last word is exact.
                    post(FromWorker::Paused(run.execution.progress()));
                }
            }
            ToWorker::Resume { run_id } => {
                if let Some(run) = self.current(run_id) {
                    run.paused = false;
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

    /// Advances the run by one slice (nothing when paused or idle), posting progress at most
    /// every [`PROGRESS_INTERVAL_MS`] and, at the end, the report or the failure. `clock` reads
    /// wall-clock milliseconds; it only sizes slices and spaces messages, never the simulation.
    pub fn run_slice(&mut self, clock: &mut dyn FnMut() -> f64, post: &mut dyn FnMut(FromWorker)) {
        let Some(run) = self.run.as_mut().filter(|run| !run.paused) else {
            return;
        };
        let budget = self.sizer.events();
        let started = clock();
        let step = run.execution.advance(budget);
        let now = clock();
        self.sizer.record(budget, step.events, now - started);
        match step.outcome {
            None => {
                if self.throttle.due(now) {
                    post(FromWorker::Progress(run.execution.progress()));
                }
            }
            Some(outcome) => {
                let run_id = run.execution.run_id;
                self.run = None;
                post(match outcome {
                    Ok(report) => FromWorker::Finished {
                        run_id,
                        report: Box::new(report),
                    },
                    Err(message) => FromWorker::Failed { run_id, message },
                });
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

/// One run: its design, the replications finished so far and the one under way.
pub struct Execution {
    run_id: u32,
    design: Design,
    replications: u32,
    /// Index of the replication under way (or next to start); `replications` once all are done.
    index: u32,
    current: Option<Simulation>,
    results: Vec<ReplicationResult>,
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
        })
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
        let mut messages = Vec::new();
        runner.handle(
            ToWorker::Start {
                run_id,
                design_json: design_json.to_string(),
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
        let Some(FromWorker::Finished { run_id, report }) = messages.last() else {
            panic!("the run ends with its report, got {:?}", messages.last());
        };
        assert_eq!(*run_id, 5);
        assert_eq!(report.replications, 2);
        assert_eq!(
            archsim_engine::report_fingerprint(report),
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
        let Some(FromWorker::Finished { run_id: 2, report }) = messages.last() else {
            panic!("run 2 finishes, got {:?}", messages.last());
        };
        assert_eq!(
            archsim_engine::report_fingerprint(report),
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
}
