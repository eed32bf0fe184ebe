//! archsim's one WebAssembly module, for the page and for the run worker. On the page it mounts
//! the app shell; the run worker instantiates this same module, handed over by the page
//! (`archsim::run::client`), and there it runs designs (`archsim::run::worker`). Downloaded and
//! compiled once, it serves both (docs/performance.md, "Download size").
fn main() {
    #[cfg(target_arch = "wasm32")]
    {
        if archsim::run::worker::in_worker() {
            archsim::run::worker::start();
        } else {
            yew::Renderer::<archsim::App>::new().render();
        }
    }
}
