//! Running a design off the main thread.
//!
//! Running a simulation on the page's thread would freeze the page for as long as the run lasts,
//! so every run happens in a dedicated Web Worker. The worker runs the page's own WASM module
//! (one module serves both, downloaded and compiled once): [`client`] starts it from
//! [`protocol::WORKER_SCRIPT`] and posts it the compiled module; the module's `main`
//! (`src/main.rs`) finds itself in a worker and starts [`worker`]'s loop instead of the app.
//!
//! - [`protocol`] — the messages, as JSON text: the page sends a design (then perhaps pause,
//!   resume, stop), the worker answers with progress, pause confirmations and then the report
//!   (or why it failed). Only designs and reports cross; never events.
//! - [`execute`] — what the worker does with a design: replications advanced in slices through
//!   the engine's stepping API (`archsim_engine::Simulation`), adaptive slice size, throttled
//!   progress (pure, so it is tested natively).
//! - [`controller`] — the run's state on the page (idle, running with progress, pausing,
//!   paused, finished, stopped, failed), a `yew::Reducible`.
//! - [`live`] — the series of a run under way, which live updates append to in place.
//! - [`client`] — the page's handle on the worker (spawn, send, terminate).
//! - [`worker`] — the worker's entry point (message loop in the worker's global scope, yielding
//!   between slices).
//!
//! **Pause keeps, Stop discards.** A paused run keeps its simulation in the worker's memory and
//! resumes with the very next event, so a run paused any number of times reports exactly what an
//! unpaused run reports (tested natively). Stop tells the worker to drop the run; the worker
//! stays, ready for the next run. Leaving the page terminates it.

pub mod client;
pub mod controller;
pub mod execute;
pub mod live;
pub mod protocol;
pub mod staleness;
pub mod worker;

pub use controller::{ActiveRun, PauseState, RunAction, RunMessage, RunResult, RunState};
pub use live::LiveSeries;
pub use protocol::{FromWorker, RunProgress, ToWorker};
