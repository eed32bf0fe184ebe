//! The page's handle on the run worker: spawns it, queues messages until the worker says it is
//! ready (messages sent before its module has loaded would be lost), forwards its
//! replies, and terminates it when dropped.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker};

use super::live::{LiveAssembly, LiveSeries};
use super::protocol::{FromWorker, PackedLive, ToWorker, WORKER_SCRIPT};

#[wasm_bindgen]
extern "C" {
    /// The URL of this module's JavaScript glue (the glue's `import.meta.url`), for the run
    /// worker to import.
    #[wasm_bindgen(thread_local_v2, js_namespace = ["import", "meta"], js_name = url)]
    static GLUE_URL: String;
}

fn glue_url() -> String {
    GLUE_URL.with(String::clone)
}

/// A Blob URL of [`WORKER_SCRIPT`], revoked when dropped.
fn worker_script_url() -> gloo_file::ObjectUrl {
    gloo_file::ObjectUrl::from(gloo_file::Blob::new_with_options(
        WORKER_SCRIPT,
        Some("text/javascript"),
    ))
}

/// What the worker told the page.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkerEvent {
    Reply(FromWorker),
    /// Run `run_id`'s live series so far, with a whole update more (the pieces of a live
    /// update are appended here as they arrive: [`LiveAssembly`]).
    Live {
        run_id: u32,
        series: LiveSeries,
    },
    /// The worker broke: its script failed to load, or it crashed (a panic in the engine).
    Broke(String),
}

/// A running worker. Dropping it terminates the worker, and with it any run under way.
pub struct RunWorker {
    worker: Worker,
    /// The Blob URL of the worker's script, revoked with the worker (when this is dropped).
    _script_url: gloo_file::ObjectUrl,
    ready: Rc<Cell<bool>>,
    /// Messages sent before the worker was ready, in order (a Start, perhaps a Pause after it).
    pending: Rc<RefCell<Vec<String>>>,
    /// The text to keep of the last report and its run's id (a JS string, never copied into
    /// this module), or why there is none to keep.
    kept: Rc<RefCell<Option<Kept>>>,
    /// The live series of the run under way, as its pieces arrive.
    live: Rc<RefCell<LiveAssembly>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl RunWorker {
    /// Starts a worker; `on_event` receives everything it says.
    pub fn spawn(on_event: Rc<dyn Fn(WorkerEvent)>) -> Result<RunWorker, String> {
        let refused = |e: JsValue| {
            format!(
                "the browser would not start the simulation worker ({})",
                crate::persist::autosave::js_error_text(&e)
            )
        };
        let script_url = worker_script_url();
        let options = web_sys::WorkerOptions::new();
        options.set_type(web_sys::WorkerType::Module);
        let worker = Worker::new_with_options(&script_url, &options).map_err(refused)?;
        // The worker runs this very module: hand it over compiled, with the URL of its glue.
        let boot = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&boot, &"glue".into(), &glue_url().into());
        let _ = js_sys::Reflect::set(&boot, &"module".into(), &wasm_bindgen::module());
        worker.post_message(&boot).map_err(refused)?;
        let ready = Rc::new(Cell::new(false));
        let pending: Rc<RefCell<Vec<String>>> = Rc::new(RefCell::new(Vec::new()));
        let live: Rc<RefCell<LiveAssembly>> = Rc::default();
        let kept: Rc<RefCell<Option<Kept>>> = Rc::default();
        let on_message = {
            let worker = worker.clone();
            let ready = ready.clone();
            let pending = pending.clone();
            let on_event = on_event.clone();
            let live = live.clone();
            let kept = kept.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let data = event.data();
                // Messages come as text, except a live update (an object with its numbers
                // apart) and the text to keep (an object the page does not read).
                let message = match data.as_string() {
                    Some(text) => FromWorker::from_json(&text),
                    None => match read_live(&data) {
                        Some(message) => message,
                        None => {
                            if let Some(keep) = read_keep(&data) {
                                *kept.borrow_mut() = Some(keep);
                            }
                            return;
                        }
                    },
                };
                match message {
                    Ok(FromWorker::Ready) => {
                        ready.set(true);
                        for message in pending.borrow_mut().drain(..) {
                            let _ = worker.post_message(&JsValue::from_str(&message));
                        }
                    }
                    Ok(FromWorker::Live {
                        run_id,
                        from,
                        buckets,
                        last,
                    }) => {
                        // Appended in this task, the one that read the piece. The update is
                        // shown in a task of its own, which has only the new handle to take.
                        let shown = live.borrow_mut().add(run_id, from, *buckets, last);
                        if let Some(series) = shown {
                            let on_event = on_event.clone();
                            gloo_timers::callback::Timeout::new(0, move || {
                                on_event(WorkerEvent::Live { run_id, series });
                            })
                            .forget();
                        }
                    }
                    Ok(reply @ FromWorker::Finished { .. }) => {
                        // The report holds the series now. It is shown in a task of its own:
                        // reading a big design's report and drawing it, one after the other in
                        // this task, held the page too long.
                        live.borrow_mut().forget();
                        let on_event = on_event.clone();
                        gloo_timers::callback::Timeout::new(0, move || {
                            on_event(WorkerEvent::Reply(reply));
                        })
                        .forget();
                    }
                    Ok(reply) => {
                        if matches!(reply, FromWorker::Failed { .. }) {
                            live.borrow_mut().forget();
                        }
                        on_event(WorkerEvent::Reply(reply));
                    }
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
            _script_url: script_url,
            ready,
            pending,
            kept,
            live,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// The text to keep of run `run_id`'s report (a JS string), or why there is none; once.
    pub fn take_kept(&self, run_id: u32) -> Option<Result<JsValue, String>> {
        let mut kept = self.kept.borrow_mut();
        if kept.as_ref().is_some_and(|(id, _)| *id == run_id) {
            kept.take().map(|(_, keep)| keep)
        } else {
            None
        }
    }

    /// Sends `message` now, or as soon as the worker is ready.
    pub fn send(&self, message: &ToWorker) {
        if matches!(message, ToWorker::Stop { .. }) {
            // Nothing more is said about a stopped run: its series is nobody's.
            self.live.borrow_mut().forget();
        }
        let text = message.to_json();
        if self.ready.get() {
            let _ = self.worker.post_message(&JsValue::from_str(&text));
        } else {
            self.pending.borrow_mut().push(text);
        }
    }
}

/// A run's id and the text to keep of its report (a JS string), or why there is none.
type Kept = (u32, Result<JsValue, String>);

/// A `{type: "live", run_id, from, structure, numbers, last}` object from the worker (see
/// [`PackedLive`]): the live update it carries, or why it could not be read; None for any
/// other object.
fn read_live(data: &JsValue) -> Option<Result<FromWorker, String>> {
    let get = |key: &str| js_sys::Reflect::get(data, &JsValue::from_str(key)).ok();
    if get("type")?.as_string()? != "live" {
        return None;
    }
    let read = || {
        let number = |key: &str| get(key).and_then(|v| v.as_f64());
        let run_id = number("run_id").ok_or("the live update has no run id")? as u32;
        let from = number("from").ok_or("the live update has no first bucket")? as usize;
        let structure = get("structure")
            .and_then(|v| v.as_string())
            .ok_or("the live update has no structure")?;
        let numbers = get("numbers")
            .and_then(|v| v.dyn_into::<js_sys::Float64Array>().ok())
            .ok_or("the live update has no numbers")?
            .to_vec();
        let last = get("last")
            .and_then(|v| v.as_bool())
            .ok_or("the live update does not say whether it is its update's last piece")?;
        PackedLive::unpack(run_id, from, &structure, &numbers, last)
    };
    Some(read())
}

/// A `{type: "keep", run_id, text | skipped}` object from the worker (see
/// [`FromWorker::Keep`]): the run's id and the text as a JS value, or the reason.
fn read_keep(data: &JsValue) -> Option<Kept> {
    let get = |key: &str| js_sys::Reflect::get(data, &JsValue::from_str(key)).ok();
    if get("type")?.as_string()? != "keep" {
        return None;
    }
    let run_id = get("run_id")?.as_f64()? as u32;
    let text = get("text").filter(JsValue::is_string);
    let keep = match text {
        Some(text) => Ok(text),
        None => Err(get("skipped")
            .and_then(|r| r.as_string())
            .unwrap_or_else(|| "the worker did not say".into())),
    };
    Some((run_id, keep))
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
