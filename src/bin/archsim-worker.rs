//! The simulation worker: a second WASM module, loaded by the page as a dedicated Web Worker
//! (trunk builds it from the `data-type="worker"` link in `index.html`). It runs designs with
//! the engine and posts progress and reports back; see `archsim::run`.
fn main() {
    #[cfg(target_arch = "wasm32")]
    archsim::run::worker::start();
}
