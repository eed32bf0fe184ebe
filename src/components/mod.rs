//! Yew view components.
