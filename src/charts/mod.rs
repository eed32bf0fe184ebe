//! The charts of a run, drawn with plotters on HTML canvases.
//!
//! - [`spec`] decides which charts a design gets and what each plots (pure);
//! - [`layout`] says where things go, in CSS pixels (pure);
//! - [`draw`] paints a chart on any plotters backend (tested natively on a recording one);
//! - [`timeline`] the state timelines (breakers, a balancer's backends): their states, geometry
//!   and painting;
//! - [`canvas`] paints on the page's canvas at the screen's pixel density, and saves it as PNG;
//! - [`export`] writes the series as CSV (pure);
//! - [`colour`] holds the palette and the page's theme colours.
//!
//! The Yew components that lay the charts out live in `components::results_charts`.

pub mod canvas;
pub mod colour;
pub mod draw;
pub mod export;
pub mod layout;
pub mod spec;
pub mod text_backend;
pub mod timeline;
