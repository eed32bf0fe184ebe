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

/// The keyboard shortcuts, grouped. `Mod` reads as Ctrl, or ⌘ on a Mac.
const SHORTCUT_GROUPS: &[(&str, &[(&str, &str)])] = &[
    (
        "Editing",
        &[
            ("Delete / Backspace", "Delete the selection"),
            ("Mod Z", "Undo"),
            ("Mod Shift Z, Mod Y", "Redo"),
            ("Mod C / Mod V", "Copy / paste"),
            ("Mod D", "Duplicate"),
            ("Mod A", "Select all"),
            ("Arrow keys", "Nudge the selection (Shift: 10×)"),
            (
                "Double-click a node",
                "Rename it (Enter keeps, Esc cancels)",
            ),
        ],
    ),
    (
        "Canvas",
        &[
            (
                "Drag from a node's right handle",
                "Connect it to another node",
            ),
            ("Drag on empty canvas", "Select with a rectangle"),
            ("Shift click", "Add to / remove from the selection"),
            ("Space drag, middle drag, wheel", "Pan"),
            ("Mod wheel, pinch", "Zoom at the pointer"),
            ("+ / −", "Zoom in / out"),
            ("0 or Shift 1", "Fit the design to the screen"),
        ],
    ),
    (
        "Help",
        &[("?", "Show this list"), ("Esc", "Close a dialog")],
    ),
];

#[derive(Properties, PartialEq)]
pub struct ShortcutsDialogProps {
    pub on_close: Callback<()>,
}

#[function_component(ShortcutsDialog)]
pub fn shortcuts_dialog(props: &ShortcutsDialogProps) -> Html {
    let groups = SHORTCUT_GROUPS.iter().map(|(group, rows)| {
        html! {
            <section class="shortcut-group">
                <h3>{ *group }</h3>
                <dl>
                    { for rows.iter().map(|(keys, what)| html! {
                        <div class="shortcut-row">
                            <dt>{ for keys.split(' ').map(|k| html! { <kbd>{ k }</kbd> }) }</dt>
                            <dd>{ *what }</dd>
                        </div>
                    }) }
                </dl>
            </section>
        }
    });
    html! {
        <Modal id="shortcuts-dialog" title="Keyboard shortcuts" on_close={props.on_close.clone()}>
            <div class="shortcut-groups">{ for groups }</div>
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
