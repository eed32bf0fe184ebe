//! Yew view components: the app shell and the topology editor.
//!
//! Views read the [`crate::state::EditorState`] and change it only by dispatching actions; the
//! browser-facing persistence lives in [`crate::persist`].

pub mod app;
pub mod canvas;
pub mod canvas_overlay;
pub mod canvas_raster;
pub mod diagram_export;
pub mod dialogs;
pub mod fields;
pub mod forms;
pub mod header;
pub mod kinds;
pub mod next_task;
pub mod palette;
pub mod properties;
pub mod results;
pub mod results_charts;
pub mod results_faults;
pub mod results_format;
pub mod run_bar;
pub mod run_outcome;
pub mod splitter;
pub mod theme;

pub use app::App;
