//! The archsim user interface (Yew). UI only: it holds designs and run reports, never event-level
//! data.
pub mod components;
pub mod persist;
pub mod state;

use yew::prelude::*;

#[function_component(App)]
pub fn app() -> Html {
    html! { <div id="app">{ "archsim" }</div> }
}
