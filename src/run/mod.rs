//! Running a design off the main thread.
//!
//! The engine is synchronous: a replication runs to its end once started. Running it on the page's
//! thread would freeze the page for as long as the run lasts, so every run happens in a dedicated
//! Web Worker — a second WASM module (`src/bin/archsim-worker.rs`, built by trunk from the
//! `data-type="worker"` link in `index.html`) with the engine inside.
//!
//! - [`protocol`] — the messages, as JSON text: the page sends a design, the worker answers with
//!   progress and then the report (or why it failed). Only designs and reports cross; never
//!   events.
//! - [`execute`] — what the worker does with a design (pure, so it is tested natively).
//! - [`controller`] — the run's state on the page (idle, running with progress, finished,
//!   stopped, failed), a `yew::Reducible`.
//! - [`client`] — the page's handle on the worker (spawn, send, terminate).
//! - [`worker`] — the worker's entry point (message loop in the worker's global scope).
//!
//! **Stop, not pause.** The engine has no stepping API, so a replication cannot be suspended and
//! resumed. Stop terminates the worker (`Worker.terminate()`) and discards the partial run; the
//! next run starts a fresh worker. The button says "Stop" because that is what it does.

pub mod client;
pub mod controller;
pub mod execute;
pub mod protocol;
pub mod staleness;
pub mod worker;

pub use controller::{ActiveRun, RunAction, RunMessage, RunResult, RunState};
pub use protocol::{FromWorker, RunProgress, ToWorker};
