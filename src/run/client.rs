//! The page's handle on the run worker: spawns it, queues messages until the worker says it is
//! ready (messages sent before its module has loaded would be lost), forwards its
//! replies, and terminates it when dropped.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker};

use super::protocol::{FromWorker, ToWorker, WORKER_SCRIPT};

/// What the worker told the page.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkerEvent {
    Reply(FromWorker),
    /// The worker broke: its script failed to load, or it crashed (a panic in the engine).
    Broke(String),
}

/// A running worker. Dropping it terminates the worker, and with it any run under way.
pub struct RunWorker {
    worker: Worker,
    ready: Rc<Cell<bool>>,
    /// Messages sent before the worker was ready, in order (a Start, perhaps a Pause after it).
    pending: Rc<RefCell<Vec<String>>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl RunWorker {
    /// Starts a worker; `on_event` receives everything it says.
    pub fn spawn(on_event: Rc<dyn Fn(WorkerEvent)>) -> Result<RunWorker, String> {
        let worker = Worker::new(WORKER_SCRIPT).map_err(|e| {
            format!(
                "the browser would not start the simulation worker ({})",
                crate::persist::autosave::js_error_text(&e)
            )
        })?;
        let ready = Rc::new(Cell::new(false));
        let pending: Rc<RefCell<Vec<String>>> = Rc::new(RefCell::new(Vec::new()));
        let on_message = {
            let worker = worker.clone();
            let ready = ready.clone();
            let pending = pending.clone();
            let on_event = on_event.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let Some(text) = event.data().as_string() else {
                    return;
                };
                match FromWorker::from_json(&text) {
                    Ok(FromWorker::Ready) => {
                        ready.set(true);
                        for message in pending.borrow_mut().drain(..) {
                            let _ = worker.post_message(&JsValue::from_str(&message));
                        }
                    }
                    Ok(reply) => on_event(WorkerEvent::Reply(reply)),
                    Err(reason) => on_event(WorkerEvent::Broke(format!(
                        "the simulation worker sent something unreadable: {reason}"
                    ))),
                }
            })
        };
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
            event.prevent_default();
            let detail = event.message();
            on_event(WorkerEvent::Broke(if detail.is_empty() {
                "the simulation worker stopped unexpectedly".to_string()
            } else {
                format!("the simulation worker stopped unexpectedly ({detail})")
            }));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(RunWorker {
            worker,
            ready,
            pending,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Sends `message` now, or as soon as the worker is ready.
    pub fn send(&self, message: &ToWorker) {
        let text = message.to_json();
        if self.ready.get() {
            let _ = self.worker.post_message(&JsValue::from_str(&text));
        } else {
            self.pending.borrow_mut().push(text);
        }
    }
}

impl Drop for RunWorker {
    fn drop(&mut self) {
        // Detach the handlers first: the closures are freed with `self`, and a message already
        // queued must not call into freed memory.
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}
