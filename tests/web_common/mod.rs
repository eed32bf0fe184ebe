//! What the browser tests share (`web_smoke.rs`, `web_canvas.rs`): a fresh element to render
//! into, and waiting for Yew to render.

use std::time::Duration;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::Element;

/// A new, empty element appended to `<body>`, so each test renders into its own container.
pub fn fresh_host(id: &str) -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    if let Some(old) = document.get_element_by_id(id) {
        old.remove();
    }
    let host = document.create_element("div").unwrap();
    host.set_id(id);
    document.body().unwrap().append_child(&host).unwrap();
    host
}

/// Polls for `selector` inside `scope` until it appears or `timeout` passes. Yew renders on a
/// scheduler after the current task, so the DOM is not ready the instant `render()` returns.
pub async fn wait_for(scope: &Element, selector: &str, timeout: Duration) -> Option<Element> {
    let step_ms = 10;
    let mut waited_ms = 0;
    loop {
        if let Some(found) = scope.query_selector(selector).unwrap() {
            return Some(found);
        }
        if waited_ms >= timeout.as_millis() {
            return None;
        }
        sleep_ms(step_ms).await;
        waited_ms += u128::from(step_ms);
    }
}

async fn sleep_ms(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                resolve.unchecked_ref(),
                ms as i32,
            )
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}
