//! The archsim user interface (Yew). UI only: it holds designs and run reports, never event-level
//! data.
pub mod charts;
pub mod components;
pub mod persist;
pub mod run;
pub mod state;

pub use components::App;
