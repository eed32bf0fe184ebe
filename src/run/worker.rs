//! The worker's side: listens for [`ToWorker`] messages in the worker's global scope and hands
//! them to a [`Runner`], which runs the design slice by slice. Between slices the worker yields to
//! its event loop — a message to itself through a `MessageChannel` (no 4 ms clamp, unlike a
//! nested `setTimeout`) — so Pause, Resume and Stop from the page are heard within a slice.
//! Called from `main` (`src/main.rs`) when the module finds itself in the run worker.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use super::execute::{Runner, Wake};
use super::protocol::{FromWorker, PackedLive, ToWorker};

#[wasm_bindgen]
extern "C" {
    /// The browser's `MessageChannel` (bound here rather than through a web-sys feature).
    type MessageChannel;
    #[wasm_bindgen(constructor)]
    fn new() -> MessageChannel;
    #[wasm_bindgen(method, getter)]
    fn port1(this: &MessageChannel) -> ChannelPort;
    #[wasm_bindgen(method, getter)]
    fn port2(this: &MessageChannel) -> ChannelPort;

    type ChannelPort;
    #[wasm_bindgen(method, setter)]
    fn set_onmessage(this: &ChannelPort, handler: &js_sys::Function);
    #[wasm_bindgen(method, js_name = postMessage)]
    fn post_message(this: &ChannelPort, message: &JsValue);

    /// `performance.now()`, in the worker's global scope.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// A plain JS object with these fields.
fn js_object<const N: usize>(fields: [(&str, JsValue); N]) -> js_sys::Object {
    let object = js_sys::Object::new();
    for (key, value) in fields {
        // Setting a field of a fresh plain object cannot fail.
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), &value);
    }
    object
}

/// The worker's state between events.
struct WorkerLoop {
    runner: RefCell<Runner>,
    scope: DedicatedWorkerGlobalScope,
    /// Posting to `wake` runs the next slice once the event loop has delivered the page's
    /// messages.
    wake: ChannelPort,
    /// A wake-up is on its way; at most one is, so slices never pile up.
    wake_pending: Cell<bool>,
    /// A paced run's sleep (a `setTimeout`); dropping it cancels it.
    sleep: RefCell<Option<gloo_timers::callback::Timeout>>,
    /// This loop, for the sleep's callback.
    this: RefCell<std::rc::Weak<WorkerLoop>>,
}

impl WorkerLoop {
    fn post(&self, message: FromWorker) {
        // Posting cannot fail in a live worker; if it ever did, the page's timeout-free wait is
        // ended by the person pressing Stop.
        let _ = match &message {
            // The text to keep goes as a field of an object: the page hands it to its storage
            // as it is, never reading it (a big report's text is over a megabyte).
            FromWorker::Keep { run_id, stored } => {
                let (key, value) = match stored {
                    Ok(text) => ("text", text),
                    Err(reason) => ("skipped", reason),
                };
                self.scope.post_message(&js_object([
                    ("type", JsValue::from_str("keep")),
                    ("run_id", JsValue::from(*run_id)),
                    (key, JsValue::from_str(value)),
                ]))
            }
            // A live update goes with its numbers in a buffer handed over (transferred, not
            // copied), for the page to take without reading them as text; the rest as text.
            _ => match PackedLive::of(&message) {
                Some(PackedLive {
                    run_id,
                    from,
                    buckets,
                    last,
                }) => {
                    let numbers = js_sys::Float64Array::from(buckets.numbers.as_slice());
                    let transfer = js_sys::Array::of1(&numbers.buffer());
                    let object = js_object([
                        ("type", JsValue::from_str("live")),
                        ("run_id", JsValue::from(run_id)),
                        ("from", JsValue::from(from as f64)),
                        ("structure", JsValue::from_str(&buckets.structure)),
                        ("numbers", numbers.into()),
                        ("last", JsValue::from_bool(last)),
                    ]);
                    self.scope.post_message_with_transfer(&object, &transfer)
                }
                None => self
                    .scope
                    .post_message(&JsValue::from_str(&message.to_json())),
            },
        };
    }

    fn on_page_message(&self, text: &str) {
        match ToWorker::from_json(text) {
            Ok(message) => {
                self.runner
                    .borrow_mut()
                    .handle(message, performance_now(), &mut |m| self.post(m));
            }
            Err(reason) => self.post(FromWorker::Failed {
                run_id: u32::MAX,
                message: format!("the worker could not read its instructions: {reason}"),
            }),
        }
        self.schedule();
    }

    fn on_wake(&self) {
        self.wake_pending.set(false);
        self.runner
            .borrow_mut()
            .run_slice(&mut performance_now, &mut |m| self.post(m));
        self.schedule();
    }

    /// Arranges the next slice: at once (through the channel, after the page's messages), after
    /// a sleep for a paced run ahead of its pace, or not at all until the page says something.
    fn schedule(&self) {
        if self.wake_pending.get() {
            return;
        }
        let wake = self.runner.borrow_mut().next_wake(performance_now());
        match wake {
            Wake::Idle => {
                self.sleep.borrow_mut().take();
            }
            Wake::Now => {
                self.sleep.borrow_mut().take();
                self.wake_pending.set(true);
                self.wake.post_message(&JsValue::NULL);
            }
            Wake::After(ms) => {
                if self.sleep.borrow().is_some() {
                    // Already asleep: a message (a pace change, say) woke the loop early; the
                    // sleep under way ends soon enough (it is at most MAX_PACED_SLEEP_MS).
                    return;
                }
                let this = self.this.borrow().clone();
                let timeout = gloo_timers::callback::Timeout::new(ms.ceil() as u32, move || {
                    if let Some(worker_loop) = this.upgrade() {
                        worker_loop.sleep.borrow_mut().take();
                        worker_loop.schedule();
                    }
                });
                *self.sleep.borrow_mut() = Some(timeout);
            }
        }
    }
}

/// Installs the message handlers and tells the page the worker is ready. Only meaningful inside
/// a dedicated worker; anywhere else it does nothing.
/// Whether this instance of the module runs in a dedicated worker (the run worker) rather than
/// on the page.
pub fn in_worker() -> bool {
    js_sys::global()
        .dyn_into::<DedicatedWorkerGlobalScope>()
        .is_ok()
}

pub fn start() {
    let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
        return;
    };
    let channel = MessageChannel::new();
    let worker_loop = Rc::new(WorkerLoop {
        runner: RefCell::new(Runner::new()),
        scope: scope.clone(),
        wake: channel.port2(),
        wake_pending: Cell::new(false),
        sleep: RefCell::new(None),
        this: RefCell::new(std::rc::Weak::new()),
    });
    *worker_loop.this.borrow_mut() = Rc::downgrade(&worker_loop);
    let on_wake = {
        let worker_loop = worker_loop.clone();
        Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| worker_loop.on_wake())
    };
    channel
        .port1()
        .set_onmessage(on_wake.as_ref().unchecked_ref());
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        if let Some(text) = event.data().as_string() {
            worker_loop.on_page_message(&text);
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handlers live as long as the worker.
    on_wake.forget();
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str(&FromWorker::Ready.to_json()));
}
