//! The archsim design model: the one document a person draws, exports, shares by URL, imports
//! and runs headless, plus the report a run produces.
//!
//! Why a crate of its own: the design is the contract between the editor (Yew, in the browser),
//! the engine (plain Rust) and the CLI. Keeping it here, with no behaviour beyond parsing,
//! validating and migrating, means none of those three can drift from the others.
//!
//! Only this crate derives `serde` traits. The engine consumes a validated [`Design`] and fills a
//! [`Report`]; neither its events nor its internal state are ever serialized.
//!
//! Units are the ones people think in: rates in requests per second (`*_rps`), times in
//! milliseconds (`*_ms`), probabilities and ratios as fractions in `0..=1`.
//!
//! Loading a file is two steps, each reporting every [`Problem`] it finds with its JSON path
//! (`nodes[2].params.workers`; `$` for the whole document):
//!
//! 1. [`parse_design`]: JSON syntax, version, [`migrate()`] to [`CURRENT_VERSION`], structure of
//!    every element;
//! 2. [`validate()`]: meaning — ids, wiring, ranges, cycles that would never end.
//!
//! [`load_design`] does both and returns one list: when the structure is broken it still checks
//! the meaning of every element that parsed, leaving out only the checks that would depend on
//! what did not. [`Design::to_json_pretty`] writes a design back;
//! [`design_schema`] describes the format as JSON Schema. The format is documented for people
//! in `docs/design-format.md`.

pub mod annotation;
pub mod breaker;
pub mod design;
pub mod discipline;
pub mod fault_report;
pub mod health;
pub mod hedging;
pub mod json;
pub mod keda;
mod latency_histogram;
pub mod load_curve;
mod locate;
pub mod migrate;
mod node_serde;
pub mod packed;
pub mod parse;
pub mod problem;
pub mod replication;
pub mod report;
pub mod resilience;
pub mod scaling;
pub mod schema;
pub mod series;
pub mod units;
pub mod users;
pub mod validate;

pub use annotation::{Annotation, AnnotationKind, Size};
pub use design::*;
pub use fault_report::*;
pub use health::*;
pub use keda::*;
pub use latency_histogram::LatencyHistogram;
pub use migrate::migrate;
pub use parse::{load_design, parse_design};
pub use problem::Problem;
pub use replication::*;
pub use report::*;
pub use resilience::*;
pub use scaling::*;
pub use schema::design_schema;
pub use users::*;
pub use validate::validate;

/// The design-format version this build writes. Older versions are migrated on load.
pub const CURRENT_VERSION: u32 = 3;
