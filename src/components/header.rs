//! The app header: product name, the design's name (editable in place) and the toolbar
//! (templates, import, export, share, undo/redo, colour theme, shortcuts).

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::persist::Template;

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub design_name: AttrValue,
    pub can_undo: bool,
    pub can_redo: bool,
    pub templates: Vec<Template>,
    pub on_rename: Callback<String>,
    /// Load the template with this id; the app calls the callback it is given once the design
    /// is on screen (or could not be loaded), which closes the menu. The design is fetched, so
    /// the menu stays open meanwhile.
    pub on_template: Callback<(&'static str, Callback<()>)>,
    /// A file was picked for import: the file itself (reading it is the app's business).
    pub on_import_file: Callback<web_sys::File>,
    pub on_export: Callback<()>,
    pub on_share: Callback<()>,
    pub on_undo: Callback<()>,
    pub on_redo: Callback<()>,
    pub on_help: Callback<()>,
}

/// A toolbar icon: 18 px strokes in the current colour.
fn icon(path: &'static str) -> Html {
    html! {
        <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor"
             stroke-width="1.9" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
            <path d={path} />
        </svg>
    }
}

const ICON_TEMPLATES: &str = "M4 4h7v7H4zM13 4h7v7h-7zM4 13h7v7H4zM13 16.5h7M16.5 13v7";
const ICON_IMPORT: &str = "M12 3v12M7 10l5 5 5-5M4 20h16";
const ICON_EXPORT: &str = "M12 15V3M7 8l5-5 5 5M4 20h16";
const ICON_SHARE: &str = "M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1";
const ICON_UNDO: &str = "M9 7L4 12l5 5M4 12h11a5 5 0 0 1 0 10h-3";
const ICON_REDO: &str = "M15 7l5 5-5 5M20 12H9a5 5 0 0 0 0 10h3";

#[function_component(Header)]
pub fn header(props: &HeaderProps) -> Html {
    let menu_open = use_state(|| false);
    let file_input = use_node_ref();
    // Light, dark or the system's colours; remembered (the app applies it at start-up).
    let theme = use_state(super::theme::load);
    let on_theme = {
        let theme = theme.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            if let Some(choice) = super::theme::ThemeChoice::from_name(&select.value()) {
                super::theme::choose(choice);
                theme.set(choice);
            }
        })
    };

    let toggle_menu = {
        let menu_open = menu_open.clone();
        Callback::from(move |_: MouseEvent| menu_open.set(!*menu_open))
    };
    let close_menu_on_leave = {
        let menu_open = menu_open.clone();
        Callback::from(move |event: FocusEvent| {
            // Close when focus leaves the menu for good (not when it moves between its items).
            let inside = event
                .related_target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Node>(t).ok())
                .zip(
                    event
                        .current_target()
                        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Node>(t).ok()),
                )
                .is_some_and(|(to, menu)| menu.contains(Some(&to)));
            if !inside {
                menu_open.set(false);
            }
        })
    };
    let close_menu_on_escape = {
        let menu_open = menu_open.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.key() == "Escape" && *menu_open {
                // The menu, not the canvas selection, is what Esc closes here.
                event.stop_propagation();
                menu_open.set(false);
            }
        })
    };
    let menu_items = props.templates.iter().map(|t| {
        let on_template = props.on_template.clone();
        let menu_open = menu_open.clone();
        let id = t.id;
        let choose = Callback::from(move |_: MouseEvent| {
            let menu_open = menu_open.clone();
            on_template.emit((id, Callback::from(move |()| menu_open.set(false))));
        });
        html! {
            <li key={id}>
                <button type="button" class="menu-item" role="menuitem" data-template={id}
                        title={t.summary} onclick={choose}>
                    <span class="menu-item-title">{ t.name }</span>
                    if !t.summary.is_empty() {
                        <span class="menu-item-summary">{ t.summary }</span>
                    }
                </button>
            </li>
        }
    });

    let open_picker = {
        let file_input = file_input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(input) = file_input.cast::<HtmlInputElement>() {
                input.click();
            }
        })
    };
    let on_file = {
        let on_import_file = props.on_import_file.clone();
        Callback::from(move |event: Event| {
            let input: HtmlInputElement = event.target_unchecked_into();
            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                on_import_file.emit(file);
            }
            // Reset so that picking the same file again still fires `change`.
            input.set_value("");
        })
    };
    let on_rename = {
        let on_rename = props.on_rename.clone();
        Callback::from(move |event: InputEvent| {
            let input: HtmlInputElement = event.target_unchecked_into();
            on_rename.emit(input.value());
        })
    };
    let on_name_key = Callback::from(|event: KeyboardEvent| {
        if event.key() == "Enter" || event.key() == "Escape" {
            let input: HtmlInputElement = event.target_unchecked_into();
            let _ = input.blur();
        }
    });
    let click = |cb: &Callback<()>| {
        let cb = cb.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };

    html! {
        <header class="app-header">
            <div class="brand">
                <span class="brand-mark" aria-hidden="true">
                    <svg width="22" height="22" viewBox="0 0 24 24" fill="none" stroke="currentColor"
                         stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
                        <circle cx="5" cy="12" r="2.5" />
                        <circle cx="19" cy="6" r="2.5" />
                        <circle cx="19" cy="18" r="2.5" />
                        <path d="M7.3 11l9.4-4M7.3 13l9.4 4" />
                    </svg>
                </span>
                <h1 class="brand-name">{ "archsim" }</h1>
            </div>
            <input class="design-name" type="text" aria-label="Design name" id="design-name"
                   placeholder="Untitled design" value={props.design_name.clone()}
                   oninput={on_rename} onkeydown={on_name_key} />
            <nav class="toolbar" aria-label="Toolbar">
                <div class="menu" onfocusout={close_menu_on_leave} onkeydown={close_menu_on_escape}>
                    <button type="button" class="tool-button" id="templates-button"
                            aria-haspopup="menu" aria-expanded={menu_open.to_string()}
                            title="Start from a template" onclick={toggle_menu}>
                        { icon(ICON_TEMPLATES) }<span class="tool-label">{ "Templates" }</span>
                    </button>
                    if *menu_open {
                        <ul class="menu-popup" role="menu" id="templates-menu">
                            if props.templates.is_empty() {
                                <li class="menu-empty">{ "No templates are bundled in this build." }</li>
                            }
                            { for menu_items }
                        </ul>
                    }
                </div>
                <button type="button" class="tool-button" id="import-button"
                        title="Open a design file (.json)" onclick={open_picker}>
                    { icon(ICON_IMPORT) }<span class="tool-label">{ "Import" }</span>
                </button>
                <input ref={file_input} type="file" accept=".json,application/json" id="import-file"
                       class="visually-hidden" tabindex="-1" aria-hidden="true" onchange={on_file} />
                <button type="button" class="tool-button" id="export-button"
                        title="Download the design as JSON" onclick={click(&props.on_export)}>
                    { icon(ICON_EXPORT) }<span class="tool-label">{ "Export" }</span>
                </button>
                <button type="button" class="tool-button" id="share-button"
                        title="Copy a link that holds the whole design" onclick={click(&props.on_share)}>
                    { icon(ICON_SHARE) }<span class="tool-label">{ "Share" }</span>
                </button>
                <span class="toolbar-sep" />
                <button type="button" class="tool-button" id="undo-button" title="Undo (Ctrl+Z)"
                        aria-label="Undo" disabled={!props.can_undo} onclick={click(&props.on_undo)}>
                    { icon(ICON_UNDO) }
                </button>
                <button type="button" class="tool-button" id="redo-button" title="Redo (Ctrl+Shift+Z)"
                        aria-label="Redo" disabled={!props.can_redo} onclick={click(&props.on_redo)}>
                    { icon(ICON_REDO) }
                </button>
                <span class="toolbar-sep" />
                <label class="theme-switch" title="Colours: light, dark, or as the system is set">
                    <span class="visually-hidden">{ "Colour theme" }</span>
                    <span class="theme-mark" aria-hidden="true">{ "◐" }</span>
                    <select id="theme-select" class="theme-select" onchange={on_theme}>
                        { for super::theme::ThemeChoice::ALL.iter().map(|choice| html! {
                            <option value={choice.name()} selected={*theme == *choice}>{ choice.words() }</option>
                        }) }
                    </select>
                </label>
                <button type="button" class="tool-button" id="shortcuts-button"
                        title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts"
                        onclick={click(&props.on_help)}>
                    <span class="help-mark">{ "?" }</span>
                </button>
            </nav>
        </header>
    }
}
