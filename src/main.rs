//! archsim web app entry point. Placeholder until the app shell lands.
fn main() {
    #[cfg(target_arch = "wasm32")]
    yew::Renderer::<archsim::App>::new().render();
}
