//! archsim web app entry point: mounts the app shell on the page body.
fn main() {
    #[cfg(target_arch = "wasm32")]
    yew::Renderer::<archsim::App>::new().render();
}
