//! The archsim user interface (Yew). UI only: designs and run reports, never event-level data.
use yew::prelude::*;

#[function_component(App)]
pub fn app() -> Html {
    html! { <div id="app">{ "archsim" }</div> }
}
