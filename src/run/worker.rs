//! The worker's side: listens for [`ToWorker`] messages in the worker's global scope and runs each
//! design with [`execute`], posting every [`FromWorker`] back. Called from the worker binary's
//! `main` (`src/bin/archsim-worker.rs`).

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use super::execute::execute;
use super::protocol::{FromWorker, ToWorker};

/// Installs the message handler and tells the page the worker is ready. Only meaningful inside
/// a dedicated worker; anywhere else it does nothing.
pub fn start() {
    let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
        return;
    };
    let reply_scope = scope.clone();
    let post = move |message: FromWorker| {
        // Posting a string cannot fail in a live worker; if it ever did, the page's timeout-free
        // wait is ended by the person pressing Stop.
        let _ = reply_scope.post_message(&JsValue::from_str(&message.to_json()));
    };
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let Some(text) = event.data().as_string() else {
            return;
        };
        match ToWorker::from_json(&text) {
            // Runs synchronously: this worker exists to be busy so the page is not.
            Ok(ToWorker::Start {
                run_id,
                design_json,
            }) => execute(&design_json, run_id, &mut |m| post(m)),
            Err(reason) => post(FromWorker::Failed {
                run_id: u32::MAX,
                message: format!("the worker could not read its instructions: {reason}"),
            }),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str(&FromWorker::Ready.to_json()));
}
