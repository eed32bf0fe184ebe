//! A value shown one task after it arrives, so that what a render does with it runs apart from
//! the render that brought it.
//!
//! A live update changes the app's state once, and Yew renders everything that depends on it in
//! the task that handles the update: the canvas's overlay of 200 nodes, the run bar, and the
//! charts' specs built again from the whole series so far. Each is a few milliseconds; together,
//! on a 2-core machine whose other core runs the simulation, they were one task of 20–37 ms of
//! CPU and up to 66 ms of wall time (docs/performance.md). The charts take their data through
//! [`use_next_task`], so the update's task renders the canvas and the charts' specs are built
//! in the next one (and each chart paints in a task of its own after that, `charts::canvas`).

use gloo_timers::callback::Timeout;
use yew::prelude::*;

/// `value` as of the last task: None at first, then each new value one task (a zero-delay
/// timeout) after the render that brought it. A newer value replaces one still waiting, so a
/// burst of updates shows only the last.
#[hook]
pub fn use_next_task<T: Clone + PartialEq + 'static>(value: T) -> Option<T> {
    let shown = use_state(|| None::<T>);
    {
        let shown = shown.clone();
        use_effect_with(value, move |value| {
            let value = value.clone();
            let pending = Timeout::new(0, move || shown.set(Some(value)));
            // Dropping a timeout cancels it: a newer value, or the component leaving the page.
            move || drop(pending)
        });
    }
    (*shown).clone()
}
