//! The palette: one entry per node kind. Drag an entry onto the canvas to place it there, or
//! click it to add the node at the centre of the view.

use yew::prelude::*;

use super::kinds::{KINDS, KindIcon};

/// The `DataTransfer` type that carries a kind name from the palette to the canvas. A custom
/// type so that dropping plain text or a file never adds a node by accident.
pub const KIND_MIME: &str = "application/x-archsim-kind";

#[derive(Properties, PartialEq)]
pub struct PaletteProps {
    /// Called with the kind's JSON name when an entry is clicked (or activated by keyboard).
    pub on_add: Callback<String>,
}

#[function_component(Palette)]
pub fn palette(props: &PaletteProps) -> Html {
    let items = KINDS.iter().map(|kind| {
        let name = kind.name;
        let on_click = {
            let on_add = props.on_add.clone();
            Callback::from(move |_: MouseEvent| on_add.emit(name.to_string()))
        };
        let on_drag_start = Callback::from(move |event: DragEvent| {
            if let Some(transfer) = event.data_transfer() {
                // Failing to set data only means the drop will be ignored; nothing to recover.
                let _ = transfer.set_data(KIND_MIME, name);
                transfer.set_effect_allowed("copy");
            }
        });
        html! {
            <li key={name}>
                <button type="button" class={classes!("palette-item", format!("kind-{name}"))}
                        draggable="true" data-kind={name}
                        title={format!("{} — drag onto the canvas, or click to add", kind.title)}
                        onclick={on_click} ondragstart={on_drag_start}>
                    <span class="palette-icon"><KindIcon kind={name} size={22} /></span>
                    <span class="palette-text">
                        <span class="palette-title">{ kind.title }</span>
                        <span class="palette-blurb">{ kind.blurb }</span>
                    </span>
                </button>
            </li>
        }
    });
    html! {
        <aside id="palette" aria-label="Components">
            <h2 class="panel-title">{ "Components" }</h2>
            <p class="panel-hint">{ "Drag onto the canvas, or click to add." }</p>
            <ul class="palette-list">{ for items }</ul>
        </aside>
    }
}
