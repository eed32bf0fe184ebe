//! Modal dialogs and dismissible notices.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ModalProps {
    pub title: AttrValue,
    /// Id of the dialog element, so tests and styles can find a particular dialog.
    pub id: AttrValue,
    pub on_close: Callback<()>,
    #[prop_or_default]
    pub children: Html,
}

/// A centred dialog over a dimmed backdrop. Clicking the backdrop or the close button closes it;
/// Esc is handled by the app's keyboard handler so that one place decides what Esc means.
#[function_component(Modal)]
pub fn modal(props: &ModalProps) -> Html {
    let close_on_backdrop = {
        let on_close = props.on_close.clone();
        Callback::from(move |event: MouseEvent| {
            // Only a click on the backdrop itself: clicks inside the dialog bubble up here too.
            if event.target() == event.current_target() {
                on_close.emit(());
            }
        })
    };
    let close = {
        let on_close = props.on_close.clone();
        Callback::from(move |_: MouseEvent| on_close.emit(()))
    };
    html! {
        <div class="modal-backdrop" onclick={close_on_backdrop}>
            <div class="modal" id={props.id.clone()} role="dialog" aria-modal="true"
                 aria-label={props.title.clone()}>
                <div class="modal-head">
                    <h2>{ props.title.clone() }</h2>
                    <button type="button" class="icon-button modal-close" title="Close (Esc)"
                            aria-label="Close" onclick={close}>{ "×" }</button>
                </div>
                <div class="modal-body">{ props.children.clone() }</div>
            </div>
        </div>
    }
}

/// One line of the shortcuts dialog: key combinations (alternatives, each a list of keys
/// pressed together), or a pointer gesture in words, and what it does.
struct Shortcut {
    combos: &'static [&'static [&'static str]],
    gesture: Option<&'static str>,
    what: &'static str,
}

const fn keys(combos: &'static [&'static [&'static str]], what: &'static str) -> Shortcut {
    Shortcut {
        combos,
        gesture: None,
        what,
    }
}

const fn gesture(words: &'static str, what: &'static str) -> Shortcut {
    Shortcut {
        combos: &[],
        gesture: Some(words),
        what,
    }
}

/// The keyboard shortcuts and canvas gestures, grouped.
const SHORTCUT_GROUPS: &[(&str, &[Shortcut])] = &[
    (
        "Editing",
        &[
            keys(&[&["Delete"], &["Backspace"]], "Delete the selection"),
            keys(&[&["Ctrl", "Z"]], "Undo"),
            keys(&[&["Ctrl", "Shift", "Z"], &["Ctrl", "Y"]], "Redo"),
            keys(&[&["Ctrl", "C"], &["Ctrl", "V"]], "Copy, paste"),
            keys(&[&["Ctrl", "X"]], "Cut"),
            keys(&[&["Ctrl", "D"]], "Duplicate"),
            keys(&[&["Ctrl", "A"]], "Select all"),
            keys(
                &[&["←"], &["↑"], &["→"], &["↓"]],
                "Nudge 1 px (with Shift: one grid step)",
            ),
            gesture(
                "Double-click a node",
                "Rename it (Enter keeps, Esc cancels)",
            ),
        ],
    ),
    (
        "Canvas",
        &[
            gesture(
                "Drag from a handle on any side of a node",
                "Connect it to another node",
            ),
            gesture(
                "Click the arrow at a node's right",
                "Add a node after it, connected",
            ),
            gesture("Drag on empty canvas", "Select with a rectangle"),
            keys(
                &[&["Shift", "Click"]],
                "Add to or remove from the selection",
            ),
            keys(&[&["Space", "Drag"]], "Pan (also: middle drag, wheel)"),
            keys(&[&["Ctrl", "Wheel"]], "Zoom at the pointer (also: pinch)"),
            keys(&[&["+"], &["−"]], "Zoom in, out"),
            keys(&[&["0"], &["Shift", "1"]], "Fit the design to the screen"),
            keys(
                &[&["L"]],
                "Tidy: lay the design out left to right by its calls",
            ),
        ],
    ),
    (
        "Keyboard",
        &[
            keys(
                &[&["Tab"], &["Shift", "Tab"]],
                "Go to the next, previous group box, note, node or edge",
            ),
            keys(
                &[&["Enter"]],
                "Edit the focused item in the properties panel (Space selects it; then arrows move it)",
            ),
            keys(
                &[&["C"]],
                "Connect the focused node: Tab to the target, then Enter (Esc cancels)",
            ),
            keys(&[&["Ctrl", "Enter"]], "Run the simulation"),
        ],
    ),
    (
        "Help",
        &[
            keys(&[&["?"]], "Show this list"),
            keys(&[&["Esc"]], "Close a dialog, or clear the selection"),
        ],
    ),
];

#[derive(Properties, PartialEq)]
pub struct ShortcutsDialogProps {
    pub on_close: Callback<()>,
}

fn shortcut_keys(shortcut: &Shortcut) -> Html {
    if let Some(words) = shortcut.gesture {
        return html! { <span class="gesture">{ words }</span> };
    }
    let combos = shortcut.combos.iter().enumerate().map(|(i, combo)| {
        let keys = combo.iter().enumerate().map(|(j, key)| {
            html! {
                <>
                    if j > 0 { <span class="key-join">{ "+" }</span> }
                    <kbd>{ *key }</kbd>
                </>
            }
        });
        html! {
            <>
                if i > 0 { <span class="key-or">{ "/" }</span> }
                <span class="combo">{ for keys }</span>
            </>
        }
    });
    html! { <>{ for combos }</> }
}

#[function_component(ShortcutsDialog)]
pub fn shortcuts_dialog(props: &ShortcutsDialogProps) -> Html {
    let groups = SHORTCUT_GROUPS.iter().map(|(group, rows)| {
        html! {
            <section class="shortcut-group">
                <h3>{ *group }</h3>
                <dl>
                    { for rows.iter().map(|row| html! {
                        <div class="shortcut-row">
                            <dt>{ shortcut_keys(row) }</dt>
                            <dd>{ row.what }</dd>
                        </div>
                    }) }
                </dl>
            </section>
        }
    });
    html! {
        <Modal id="shortcuts-dialog" title="Keyboard shortcuts" on_close={props.on_close.clone()}>
            <div class="shortcut-groups">{ for groups }</div>
            <p class="field-hint shortcut-note">{ "On a Mac, ⌘ works wherever Ctrl is listed." }</p>
        </Modal>
    }
}

#[derive(Properties, PartialEq)]
pub struct ProblemsDialogProps {
    pub title: AttrValue,
    /// What happened, in one sentence (e.g. "Nothing was changed.").
    pub summary: AttrValue,
    /// One line per problem, already naming the field and the reason.
    pub problems: Vec<String>,
    pub on_close: Callback<()>,
}

/// Lists the problems of a file or link that could not be loaded.
#[function_component(ProblemsDialog)]
pub fn problems_dialog(props: &ProblemsDialogProps) -> Html {
    html! {
        <Modal id="problems-dialog" title={props.title.clone()} on_close={props.on_close.clone()}>
            <p>{ props.summary.clone() }</p>
            <ul class="problem-list">
                { for props.problems.iter().map(|p| html! { <li>{ p.clone() }</li> }) }
            </ul>
        </Modal>
    }
}

/// How a notice looks: information, or something that went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeTone {
    Info,
    Warning,
}

/// A message shown at the top of the canvas until dismissed (or replaced).
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub tone: NoticeTone,
    pub text: String,
}

impl Notice {
    pub fn info(text: impl Into<String>) -> Self {
        Notice {
            tone: NoticeTone::Info,
            text: text.into(),
        }
    }

    pub fn warning(text: impl Into<String>) -> Self {
        Notice {
            tone: NoticeTone::Warning,
            text: text.into(),
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct NoticeBarProps {
    pub notice: Notice,
    pub on_dismiss: Callback<()>,
}

#[function_component(NoticeBar)]
pub fn notice_bar(props: &NoticeBarProps) -> Html {
    let tone = match props.notice.tone {
        NoticeTone::Info => "notice-info",
        NoticeTone::Warning => "notice-warning",
    };
    let dismiss = {
        let on_dismiss = props.on_dismiss.clone();
        Callback::from(move |_: MouseEvent| on_dismiss.emit(()))
    };
    html! {
        <div class={classes!("notice", tone)} role="status">
            <span class="notice-text">{ props.notice.text.clone() }</span>
            <button type="button" class="icon-button notice-dismiss" aria-label="Dismiss"
                    title="Dismiss" onclick={dismiss}>{ "×" }</button>
        </div>
    }
}
