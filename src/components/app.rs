//! The app shell: header, palette, canvas, properties, run bar and results, plus everything
//! that is about the page rather than one panel: start-up loading (shared link, autosave),
//! autosave on change, keyboard shortcuts, import/export/share and dialogs.

use archsim_model::{Design, Position};
use wasm_bindgen::JsCast;
use yew::prelude::*;

use std::rc::Rc;

use super::canvas::{Canvas, ZOOM_STEP, canvas_overlay_insets, canvas_size, visible_canvas};
use super::canvas_overlay::{RunOverlay, overlay_of_run};
use super::dialogs::{Modal, Notice, NoticeBar, NoticeTone, ProblemsDialog, ShortcutsDialog};
use super::fields::{DraftReporter, InvalidDrafts};
use super::header::Header;
use super::palette::Palette;
use super::properties::PropertiesPanel;
use super::run_bar::RunPanel;
use crate::persist::{self, LoadOutcome, browser};
use crate::run::{RunAction, RunState};
use crate::state::geometry::GRID;
use crate::state::{Action, EditorState, run_blockers};

/// The templates the first screen offers, simplest first.
const FEATURED_TEMPLATES: [&str; 4] = ["three-tier", "cache-aside", "microservices-gateway", "mm1"];

/// How long the view must rest after a pan or zoom before it is autosaved.
const VIEW_SAVE_DELAY_MS: u32 = 400;

/// Which dialog is open.
#[derive(Debug, Clone, PartialEq)]
enum Dialog {
    Shortcuts,
    Problems {
        title: String,
        summary: String,
        problems: Vec<String>,
    },
    Share {
        url: String,
    },
}

/// What the page starts with, decided once before the first render.
struct Startup {
    state: EditorState,
    notice: Option<Notice>,
    /// The design came from a link: fit it to the screen once the canvas has a size.
    fit: bool,
    /// The link replaced work that was kept as a backup: offer to restore it, with this text.
    offer_restore: Option<String>,
}

/// Keeps the editor's current work as the backup a shared link's design is about to replace;
/// false when it could not be kept (no storage).
fn keep_backup(state: &EditorState) -> bool {
    persist::autosave::backup_local(&state.snapshot()).is_ok()
}

/// A shared link wins over the autosave (the person opened the link to see that design), but
/// it is loaded *on top of* the autosaved work as one undo step, and the work is also kept in
/// local storage ([`persist::autosave::BACKUP_KEY`]) with an offer to restore it, so it survives
/// a reload too. An unreadable link leaves the autosave in place, and says so.
fn startup() -> Startup {
    let mut warnings: Vec<String> = Vec::new();
    let mut state = match persist::load_local() {
        LoadOutcome::Restored(snapshot) => EditorState::from_snapshot(snapshot),
        LoadOutcome::Empty | LoadOutcome::Unavailable(_) => EditorState::default(),
        LoadOutcome::Corrupt {
            error, moved_to, ..
        } => {
            let kept = match moved_to {
                Some(key) => format!(" It was kept in local storage under “{key}”."),
                None => String::new(),
            };
            warnings.push(format!(
                "The autosaved design could not be read ({error}), so the editor starts empty.{kept}"
            ));
            EditorState::default()
        }
    };
    let mut loaded_link = None;
    let mut offer_restore = None;
    if let Some(fragment) = browser::location_fragment() {
        match persist::decode_fragment(&fragment) {
            Ok(design) => {
                // Keep the link out of the address bar, so a reload after edits shows the edits
                // (from the autosave, which saves the loaded design at once), not the link again.
                let _ = browser::clear_location_fragment();
                let had_work = !state.design.nodes.is_empty();
                let kept = had_work && keep_backup(&state);
                let name = display_name(&design);
                state.apply(Action::LoadDesign(design));
                if kept {
                    offer_restore = Some(restore_text(&name));
                }
                loaded_link = Some(if had_work {
                    format!("Loaded “{name}” from the link. Undo brings back your previous design.")
                } else {
                    format!("Loaded “{name}” from the link.")
                });
            }
            Err(reason) => {
                warnings.push(format!("This link's design could not be loaded: {reason}."))
            }
        }
    }
    let notice = if !warnings.is_empty() {
        Some(Notice::warning(warnings.join(" ")))
    } else if offer_restore.is_some() {
        // The restore offer says it all.
        None
    } else {
        loaded_link.clone().map(Notice::info)
    };
    Startup {
        state,
        notice,
        fit: loaded_link.is_some(),
        offer_restore,
    }
}

/// What the restore offer says after a link replaced the person's work.
fn restore_text(loaded_name: &str) -> String {
    format!(
        "Loaded “{loaded_name}” from the link. Undo brings back your previous design; it is also \
         kept aside, so it survives a reload."
    )
}

fn display_name(design: &Design) -> String {
    if design.name.trim().is_empty() {
        "Untitled design".to_string()
    } else {
        design.name.clone()
    }
}

/// True when keys typed now belong to a text field, not to the editor's shortcuts.
fn typing_in_field(event: &web_sys::KeyboardEvent) -> bool {
    let Some(element) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    let tag = element.tag_name().to_ascii_lowercase();
    if tag == "textarea" || tag == "select" {
        return true;
    }
    if tag == "input" {
        // Checkboxes and buttons take no text: shortcuts still work while they have focus.
        let kind = element
            .get_attribute("type")
            .unwrap_or_default()
            .to_ascii_lowercase();
        return !matches!(kind.as_str(), "checkbox" | "radio" | "button" | "file");
    }
    element
        .dyn_ref::<web_sys::HtmlElement>()
        .is_some_and(|e| e.is_content_editable())
}

/// True when the key event comes from inside the properties panel.
fn in_properties(event: &web_sys::KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|e| e.closest("#properties").ok().flatten().is_some())
}

/// The focused element, if any.
fn focused_element() -> Option<web_sys::HtmlElement> {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
}

fn blur_focused() {
    if let Some(element) = focused_element() {
        let _ = element.blur();
    }
}

/// True when the keyboard focus is nowhere useful: on the page's body, or on a control that
/// has just been disabled (Run while a run goes, Pause and Stop once it is over).
fn focus_is_lost() -> bool {
    match focused_element() {
        None => true,
        Some(element) => {
            element.tag_name().eq_ignore_ascii_case("body") || element.has_attribute("disabled")
        }
    }
}

/// Moves the keyboard focus to the element with this id, if it is there.
fn focus_id(id: &str) {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}

/// True when the key event comes from a focused drop-down.
fn on_select(event: &web_sys::KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .is_some()
}

/// True when the key event comes from a focused button (where Space means "press it").
fn on_button(event: &web_sys::KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|e| e.closest("button, a, summary").ok().flatten().is_some())
}

fn canvas_centre() -> Position {
    let (width, height) = canvas_size();
    Position {
        x: width / 2.0,
        y: height / 2.0,
    }
}

/// Fit the design into the canvas as it is on the page, clear of the controls and notices over it.
fn fit_action() -> Action {
    let (width, height) = canvas_size();
    Action::FitToScreen {
        width,
        height,
        insets: canvas_overlay_insets(),
    }
}

/// Show a design just loaded as big as fits, never below a readable zoom (the rest is a pan
/// away); nobody asked to see all of it at any size, as Fit does.
fn show_action() -> Action {
    let (width, height) = canvas_size();
    Action::ShowReadably {
        width,
        height,
        insets: canvas_overlay_insets(),
    }
}

#[function_component(App)]
pub fn app() -> Html {
    // The remembered colour theme, before anything is painted in the wrong one.
    use_memo((), |_| super::theme::apply(super::theme::load()));
    let startup = use_mut_ref(|| Some(startup()));
    let (initial_notice, initial_fit, initial_offer) = {
        let s = startup.borrow();
        s.as_ref()
            .map(|s| (s.notice.clone(), s.fit, s.offer_restore.clone()))
            .unwrap_or((None, false, None))
    };
    let state = {
        let startup = startup.clone();
        use_reducer(move || {
            startup
                .borrow_mut()
                .take()
                .map(|s| s.state)
                .unwrap_or_default()
        })
    };
    // The run: the run bar drives it, the canvas and the results show it. The last run's report
    // comes back after a reload, with the design it was run on (so it is marked stale exactly
    // when the editor's design differs from that one) — unless a shared link replaced the
    // design, in which case it belongs to a design no longer on screen.
    let run = use_reducer(move || {
        if initial_fit {
            persist::autosave::clear_report_local();
            return RunState::default();
        }
        match persist::autosave::load_report_local() {
            Some((design, report)) => RunState::restored(design, report),
            None => RunState::default(),
        }
    });
    // The moment of the run the person points at (simulated ms), on the timeline or a chart.
    let cursor_ms = use_state_eq(|| None::<f64>);
    let overlay: Option<Rc<RunOverlay>> = {
        let run = run.clone();
        let cursor = *cursor_ms;
        let key = (
            run.active
                .as_ref()
                .map(|a| (a.run_id, a.live.as_ref().map_or(0, |l| l.len()))),
            run.result.as_ref().map(|r| Rc::as_ptr(&r.report) as usize),
            cursor.map(f64::to_bits),
        );
        (*use_memo(key, move |_| overlay_of_run(&run, cursor).map(Rc::new))).clone()
    };
    let notice = use_state(|| initial_notice);
    // A shared link replaced work that is kept as a backup; stays until used or dismissed.
    let restore_offer = use_state(|| initial_offer);
    let dialog = use_state(|| None::<Dialog>);
    // The outcome of copying a share link: (link, copied?). Kept apart from `dialog` so that a
    // copy finishing after the person closed the dialog cannot reopen it.
    let share_copy = use_state(|| None::<(String, bool)>);
    let space_held = use_state(|| false);

    // The latest state and dialog for the window listeners, which are registered once.
    let latest = use_mut_ref(|| (state.clone(), dialog.clone()));
    *latest.borrow_mut() = (state.clone(), dialog.clone());

    // Fit a design that came from a link once the canvas has its size.
    {
        let state = state.clone();
        use_effect_with((), move |_| {
            if initial_fit {
                state.dispatch(show_action());
            }
        });
    }

    // Autosave after every design change. Viewport-only changes ride along with the next one.
    {
        let state = state.clone();
        let notice = notice.clone();
        let warned = use_mut_ref(|| false);
        use_effect_with(state.revision, move |revision| {
            if *revision > 0 {
                match persist::save_local(&state.snapshot()) {
                    Ok(()) => *warned.borrow_mut() = false,
                    Err(reason) => {
                        // Say it once, not on every keystroke.
                        if !std::mem::replace(&mut *warned.borrow_mut(), true) {
                            notice.set(Some(Notice::warning(format!(
                                "Autosave failed: {reason}. Export the design to keep it."
                            ))));
                        }
                    }
                }
            }
        });
    }

    // Pan, zoom and fit are kept too, so a reload shows the design where the person left it. They
    // change on every wheel tick, so this waits for the view to rest first. With no node there
    // is nothing to look at, and nothing is written (a corrupt autosave that could not be moved
    // aside is never overwritten by an empty view).
    {
        let latest = latest.clone();
        use_effect_with(state.view_revision, move |view_revision| {
            let timer = (*view_revision > 0).then(|| {
                gloo_timers::callback::Timeout::new(VIEW_SAVE_DELAY_MS, move || {
                    let (state, _) = latest.borrow().clone();
                    if !state.design.nodes.is_empty() {
                        // A failure here is reported by the next design change's autosave.
                        let _ = persist::save_local(&state.snapshot());
                    }
                })
            });
            move || drop(timer)
        });
    }

    // Information fades after a few seconds; warnings stay until dismissed.
    {
        let notice = notice.clone();
        use_effect_with((*notice).clone(), move |current| {
            let timer = current
                .as_ref()
                .filter(|n| n.tone == NoticeTone::Info)
                .map(|_| gloo_timers::callback::Timeout::new(6_000, move || notice.set(None)));
            // Dropping the timer cancels it when the notice changes first.
            move || drop(timer)
        });
    }

    // A fit asked for together with a change of what sits over the canvas (a loaded design and
    // its notice) waits for that render, so it measures the notice that is really there.
    let fit_requests = use_state(|| 0u32);
    {
        let state = state.clone();
        use_effect_with(*fit_requests, move |requests| {
            if *requests > 0 {
                state.dispatch(show_action());
            }
        });
    }

    let load_design = {
        let state = state.clone();
        let notice = notice.clone();
        let fit_requests = fit_requests.clone();
        let run = run.clone();
        let cursor_ms = cursor_ms.clone();
        Callback::from(move |(design, message): (Design, String)| {
            // Results belong to the design they came from: another design clears them (and
            // ends a run of the old one) rather than showing them as an earlier version of it.
            run.dispatch(RunAction::DesignReplaced);
            cursor_ms.set(None);
            state.dispatch(Action::LoadDesign(design));
            notice.set(Some(Notice::info(message)));
            fit_requests.set(fit_requests.wrapping_add(1));
        })
    };

    let import_text = {
        let load_design = load_design.clone();
        let dialog = dialog.clone();
        Callback::from(move |(file_name, text): (String, Result<String, String>)| {
            let parsed = text
                .map_err(|reason| vec![reason])
                .and_then(|text| persist::import_json(&text));
            match parsed {
                Ok(design) => {
                    let message = format!("Imported “{}” from {file_name}.", display_name(&design));
                    load_design.emit((design, message));
                }
                Err(problems) => dialog.set(Some(Dialog::Problems {
                    title: format!("Can't import {file_name}"),
                    summary: "The file is not a design this version can read. Nothing was changed."
                        .into(),
                    problems,
                })),
            }
        })
    };
    let import_file = {
        let import_text = import_text.clone();
        Callback::from(move |file: web_sys::File| {
            let import_text = import_text.clone();
            let name = file.name();
            wasm_bindgen_futures::spawn_local(async move {
                let text = browser::read_file_text(file).await;
                import_text.emit((name, text));
            });
        })
    };

    // Window-level keyboard shortcuts (and Space for panning), plus loading a design from a link
    // pasted into this same tab (only the fragment changes, so the page does not reload).
    {
        let latest = latest.clone();
        let space_held = space_held.clone();
        let load_design = load_design.clone();
        let notice = notice.clone();
        let restore_offer = restore_offer.clone();
        use_effect_with((), move |_| {
            let listeners = web_sys::window().map(|window| {
                // Shortcuts prevent the browser's own action (undo in a field, scrolling on
                // Space), which a passive listener could not.
                let active = gloo_events::EventListenerOptions::enable_prevent_default();
                let keydown = {
                    let latest = latest.clone();
                    let space_held = space_held.clone();
                    gloo_events::EventListener::new_with_options(
                        &window,
                        "keydown",
                        active,
                        move |event| {
                            if let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() {
                                let (state, dialog) = latest.borrow().clone();
                                handle_key(event, &state, &dialog, &space_held);
                            }
                        },
                    )
                };
                let keyup = {
                    let space_held = space_held.clone();
                    gloo_events::EventListener::new(&window, "keyup", move |event| {
                        if event
                            .dyn_ref::<web_sys::KeyboardEvent>()
                            .is_some_and(|e| e.key() == " ")
                        {
                            space_held.set(false);
                        }
                    })
                };
                let hashchange =
                    gloo_events::EventListener::new(&window, "hashchange", move |_| {
                        let Some(fragment) = browser::location_fragment() else {
                            return;
                        };
                        match persist::decode_fragment(&fragment) {
                            Ok(design) => {
                                let _ = browser::clear_location_fragment();
                                let (current, _) = latest.borrow().clone();
                                let name = display_name(&design);
                                let kept =
                                    !current.design.nodes.is_empty() && keep_backup(&current);
                                load_design
                                    .emit((design, format!("Loaded “{name}” from the link.")));
                                if kept {
                                    // The offer replaces the plain "loaded" notice.
                                    notice.set(None);
                                    restore_offer.set(Some(restore_text(&name)));
                                }
                            }
                            Err(reason) => notice.set(Some(Notice::warning(format!(
                                "This link's design could not be loaded: {reason}."
                            )))),
                        }
                    });
                [keydown, keyup, hashchange]
            });
            move || drop(listeners)
        });
    }

    // Where the keyboard focus goes around a run: pressing Run disables Run, and the end of the
    // run disables Pause and Stop, which would drop the focus on the page's body (a keyboard
    // user would start again from the top). It goes to Pause while the run goes, and to the
    // results once they are there, so the arrow keys scroll them.
    {
        let running = run.is_running();
        let report = run.result.as_ref().map(|r| Rc::as_ptr(&r.report) as usize);
        use_effect_with((running, report), move |(running, report)| {
            // After this render has disabled what it disables.
            let running = *running;
            let has_report = report.is_some();
            gloo_timers::callback::Timeout::new(0, move || {
                if focus_is_lost() {
                    if running {
                        focus_id("pause-button");
                    } else if has_report {
                        focus_id("results");
                    }
                }
            })
            .forget();
        });
    }

    // Number fields showing text the design did not take: Run is off while any does, so a run
    // never uses a value other than the one on screen without the person being told.
    let drafts = use_reducer(InvalidDrafts::default);
    let draft_reporter = {
        let drafts = drafts.dispatcher();
        DraftReporter(Callback::from(move |change| drafts.dispatch(change)))
    };
    let draft_reporter = use_memo((), move |_| draft_reporter);
    let blockers = {
        let state = state.clone();
        let drafts = drafts.clone();
        use_memo((state.revision, drafts.clone()), move |_| {
            let mut blockers = drafts.blockers(&state.design);
            blockers.extend(run_blockers(&state.design));
            blockers
        })
    };
    let templates = use_memo((), |_| persist::templates());

    let dispatch_unit = |action: Action| {
        let state = state.clone();
        Callback::from(move |_: ()| state.dispatch(action.clone()))
    };
    let on_template = {
        let load_design = load_design.clone();
        let dialog = dialog.clone();
        Callback::from(move |(id, done): (&'static str, Callback<()>)| {
            let Some(template) = persist::templates::template(id) else {
                done.emit(());
                return;
            };
            let load_design = load_design.clone();
            let dialog = dialog.clone();
            // Fetched from examples/ next to the app: the module carries no example text.
            wasm_bindgen_futures::spawn_local(async move {
                match persist::templates::fetch_design(&template).await {
                    Ok(design) => {
                        let message = format!(
                            "Loaded the template “{}”. Undo brings your design back.",
                            template.name
                        );
                        load_design.emit((design, message));
                    }
                    Err(problems) => dialog.set(Some(Dialog::Problems {
                        title: format!("Can't load the template {}", template.name),
                        summary: "Nothing was changed.".into(),
                        problems,
                    })),
                }
                done.emit(());
            });
        })
    };
    let on_export = {
        let state = state.clone();
        let notice = notice.clone();
        Callback::from(move |_: ()| {
            if let Err(reason) = browser::download_design(&state.design) {
                notice.set(Some(Notice::warning(format!("Export failed: {reason}."))));
            }
        })
    };
    let on_share = {
        let state = state.clone();
        let dialog = dialog.clone();
        let notice = notice.clone();
        let share_copy = share_copy.clone();
        Callback::from(move |_: ()| match browser::share_url(&state.design) {
            Ok(url) => {
                dialog.set(Some(Dialog::Share { url: url.clone() }));
                share_copy.set(None);
                let share_copy = share_copy.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let copied = match web_sys::window() {
                        Some(w) => {
                            let promise = w.navigator().clipboard().write_text(&url);
                            wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
                        }
                        None => false,
                    };
                    share_copy.set(Some((url, copied)));
                });
            }
            Err(reason) => notice.set(Some(Notice::warning(format!("No share link: {reason}.")))),
        })
    };
    let on_rename = {
        let state = state.clone();
        Callback::from(move |name: String| state.dispatch(Action::SetDesignName(name)))
    };
    let on_help = {
        let dialog = dialog.clone();
        Callback::from(move |_: ()| dialog.set(Some(Dialog::Shortcuts)))
    };
    let on_palette_add = {
        let state = state.clone();
        Callback::from(move |kind: String| {
            // Click-to-add: with one node selected the new one goes to its right, connected
            // from it (building a chain is click, click, click); otherwise in the middle of the
            // view. Either way in free space, never on top of another node.
            let after = (state.selection.nodes.len() == 1)
                .then(|| state.selection.nodes.iter().next().cloned())
                .flatten();
            let near = state.viewport.screen_to_canvas(canvas_centre());
            let view = visible_canvas(&state.viewport);
            state.dispatch(Action::PlaceNode {
                kind,
                near,
                after,
                view,
            });
        })
    };
    let close_dialog = {
        let dialog = dialog.clone();
        Callback::from(move |_: ()| dialog.set(None))
    };
    let on_file_drop = {
        let import_file = import_file.clone();
        Callback::from(move |file: web_sys::File| import_file.emit(file))
    };

    let dialog_view = match (*dialog).clone() {
        None => html! {},
        Some(Dialog::Shortcuts) => html! { <ShortcutsDialog on_close={close_dialog.clone()} /> },
        Some(Dialog::Problems {
            title,
            summary,
            problems,
        }) => html! {
            <ProblemsDialog title={title} summary={summary} problems={problems}
                on_close={close_dialog.clone()} />
        },
        Some(Dialog::Share { url }) => {
            let copied = match &*share_copy {
                Some((copied_url, copied)) if *copied_url == url => Some(*copied),
                _ => None,
            };
            let status = match copied {
                None => "Copying the link…",
                Some(true) => "Copied to the clipboard. Anyone who opens it sees this design.",
                Some(false) => {
                    "Copy the link below (the browser did not allow copying it for you)."
                }
            };
            let select_all = Callback::from(|event: FocusEvent| {
                let input: web_sys::HtmlInputElement = event.target_unchecked_into();
                input.select();
            });
            html! {
                <Modal id="share-dialog" title="Share link" on_close={close_dialog.clone()}>
                    <p class="share-status">{ status }</p>
                    <input class="field-input share-url" id="share-url" type="text" readonly={true}
                           value={url} onfocus={select_all} />
                    <p class="field-hint">{ "The whole design is inside the link; nothing is uploaded." }</p>
                </Modal>
            }
        }
    };

    let notices = {
        let app_notice = (*notice).clone().map(|n| {
            let notice = notice.clone();
            html! {
                <NoticeBar notice={n} on_dismiss={Callback::from(move |_| notice.set(None))} />
            }
        });
        let state_notice = state.notice.clone().map(|text| {
            html! {
                <NoticeBar notice={Notice::warning(text)} on_dismiss={dispatch_unit(Action::ClearNotice)} />
            }
        });
        let restore = (*restore_offer).clone().map(|text| {
            let on_restore = {
                let restore_offer = restore_offer.clone();
                let load_design = load_design.clone();
                let notice = notice.clone();
                Callback::from(move |_: MouseEvent| {
                    restore_offer.set(None);
                    match persist::autosave::load_backup_local() {
                        Ok(Some(snapshot)) => load_design.emit((
                            snapshot.design,
                            "Restored your previous design. Undo brings the link's design back."
                                .to_string(),
                        )),
                        Ok(None) => notice.set(Some(Notice::warning(
                            "There is no previous design to restore.",
                        ))),
                        Err(reason) => notice.set(Some(Notice::warning(format!(
                            "The previous design could not be restored: {reason}."
                        )))),
                    }
                })
            };
            let dismiss = {
                let restore_offer = restore_offer.clone();
                Callback::from(move |_: MouseEvent| restore_offer.set(None))
            };
            html! {
                <div class="notice notice-info" id="restore-notice" role="status">
                    <span class="notice-text">{ text }</span>
                    <button type="button" class="tool-button notice-action" id="restore-previous"
                            onclick={on_restore}>
                        { "Restore previous design" }
                    </button>
                    <button type="button" class="icon-button notice-dismiss" aria-label="Dismiss"
                            title="Dismiss" onclick={dismiss}>{ "×" }</button>
                </div>
            }
        });
        // How to connect stays in view until the first edge exists: the thing a new person
        // most often cannot find.
        let connect_hint = (!state.design.nodes.is_empty() && state.design.edges.is_empty()).then(|| {
            html! {
                <div class="notice notice-hint" id="connect-hint" role="note">
                    <span class="notice-text">
                        { "To connect two nodes, drag from a round handle on any side of one onto the other, \
                           or use the arrow at a node's right to add a node after it. \
                           Keyboard: select a node, press C, then Tab to the target and press Enter." }
                    </span>
                </div>
            }
        });
        html! { <div class="canvas-notices">{ for app_notice }{ for restore }{ for state_notice }{ for connect_hint }</div> }
    };

    let on_cursor = {
        let cursor_ms = cursor_ms.clone();
        Callback::from(move |t: Option<f64>| cursor_ms.set(t))
    };

    let zoom_by = |factor: f64| {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            state.dispatch(Action::ZoomAt {
                factor,
                anchor: canvas_centre(),
            })
        })
    };
    let fit = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(fit_action()))
    };
    // Group boxes and notes, in the middle of the view (a group around the selected nodes).
    let add_group = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            let centre = state.viewport.screen_to_canvas(canvas_centre());
            let ids: Vec<String> = state.selection.nodes.iter().cloned().collect();
            let group = crate::state::annotate::new_group(&state.design, &ids, centre);
            state.dispatch(Action::AddAnnotation(group));
        })
    };
    let add_note = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            let centre = state.viewport.screen_to_canvas(canvas_centre());
            let note = crate::state::annotate::new_note(&state.design, centre);
            state.dispatch(Action::AddAnnotation(note));
        })
    };
    // The diagram as a picture, cropped to the design and its annotations, as it looks now.
    let export_picture = |png: bool| {
        let state = state.clone();
        let notice = notice.clone();
        let overlay = overlay.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(bounds) = crate::state::annotate::drawing_bounds(&state.design) else {
                notice.set(Some(Notice::warning(
                    "There is no diagram to save yet: add a node first.",
                )));
                return;
            };
            // Room above nodes for the run's flags, below for its badges.
            let bounds = crate::state::geometry::Rect {
                x: bounds.x - 8.0,
                y: bounds.y - 30.0,
                width: bounds.width + 16.0,
                height: bounds.height + 60.0,
            };
            // A big design's run is on the raster layer, not in the SVG: its look is given.
            let run_paint = match &overlay {
                Some(o) if state.design.nodes.len() >= super::canvas_raster::RASTER_MIN_NODES => {
                    let dark = super::theme::is_dark();
                    super::diagram_export::RunPaint {
                        nodes: o
                            .nodes
                            .iter()
                            .filter_map(|(id, load)| {
                                load.load_step()
                                    .map(|s| (id.clone(), super::canvas_overlay::LOAD_COLOURS[s]))
                            })
                            .collect(),
                        edges: o
                            .edges
                            .iter()
                            .map(|(id, load)| {
                                let colour = super::canvas_raster::edge_colour_in(load, dark);
                                (id.clone(), (load.width, colour))
                            })
                            .collect(),
                    }
                }
                _ => Default::default(),
            };
            let stem = persist::export_file_name(&state.design)
                .trim_end_matches(".json")
                .to_string();
            let done = if png {
                super::diagram_export::download_png(&stem, bounds, &run_paint)
            } else {
                super::diagram_export::download_svg(&stem, bounds, &run_paint)
            };
            if let Err(reason) = done {
                notice.set(Some(Notice::warning(format!(
                    "The picture was not made: {reason}."
                ))));
            }
        })
    };
    // Lay the design out, then show all of it.
    let tidy = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| {
            state.dispatch(Action::AutoLayout);
            state.dispatch(fit_action());
        })
    };
    let toggle_snap = {
        let state = state.clone();
        Callback::from(move |_: MouseEvent| state.dispatch(Action::ToggleSnap))
    };

    html! {
        <div id="app">
            <Header design_name={state.design.name.clone()} can_undo={state.can_undo()}
                can_redo={state.can_redo()} templates={(*templates).clone()}
                on_rename={on_rename} on_template={on_template.clone()} on_import_file={import_file}
                on_export={on_export} on_share={on_share} on_undo={dispatch_unit(Action::Undo)}
                on_redo={dispatch_unit(Action::Redo)} on_help={on_help} />
            <div class="workspace">
                <Palette on_add={on_palette_add} />
                <main class="center">
                    <div id="canvas">
                        <Canvas state={state.clone()} space_held={*space_held} on_file_drop={on_file_drop}
                            overlay={overlay.clone()} />
                        if state.design.nodes.is_empty() {
                            <div class="canvas-empty">
                                <section class="canvas-empty-card" id="first-steps" aria-labelledby="first-steps-title">
                                    <h2 id="first-steps-title">{ "Start your design" }</h2>
                                    <ol class="first-steps">
                                        <li>{ "Add a Client: it sends the requests. Drag it from Components on the left, or click it there." }</li>
                                        <li>{ "Add what it calls: a service, a cache, a database…" }</li>
                                        <li>{ "Connect them: drag from a round handle on any side of a node onto another node (or select a node and press C, then pick the target)." }</li>
                                        <li>{ "Press Run (Ctrl+Enter) and read the results below." }</li>
                                    </ol>
                                    <p>{ "Or start from a template:" }</p>
                                    <div class="first-templates">
                                        { for FEATURED_TEMPLATES.iter().filter_map(|id| {
                                            let template = templates.iter().find(|t| t.id == *id)?;
                                            let on_template = on_template.clone();
                                            let id: &'static str = id;
                                            Some(html! {
                                                <button type="button" class="small-button" data-first-template={id}
                                                        title={template.summary}
                                                        onclick={Callback::from(move |_: MouseEvent| on_template.emit((id, Callback::noop())))}>
                                                    { template.name }
                                                </button>
                                            })
                                        }) }
                                    </div>
                                    <p class="first-steps-more">{ "All templates are under Templates at the top; a design file can also be dropped here." }</p>
                                </section>
                            </div>
                        }
                        { notices }
                        <div class="canvas-controls" role="toolbar" aria-label="View">
                            <div class="controls-group" role="group" aria-label="Draw and save">
                                <button type="button" class="tool-button" id="add-group"
                                        title="Draw a labelled box around the selected nodes (or an empty one); moving it moves what it holds"
                                        onclick={add_group}>{ "Group" }</button>
                                <button type="button" class="tool-button" id="add-note"
                                        title="Add a free-text note" onclick={add_note}>{ "Note" }</button>
                                <span class="toolbar-sep" />
                                <button type="button" class="tool-button" id="export-svg"
                                        title="Save the diagram as a picture (SVG), as it looks now"
                                        aria-label="Save the diagram as SVG" onclick={export_picture(false)}>{ "SVG" }</button>
                                <button type="button" class="tool-button" id="export-png"
                                        title="Save the diagram as a picture (PNG), as it looks now"
                                        aria-label="Save the diagram as PNG" onclick={export_picture(true)}>{ "PNG" }</button>
                            </div>
                            <button type="button" class="tool-button" id="zoom-out" title="Zoom out (−)"
                                    aria-label="Zoom out" onclick={zoom_by(1.0 / ZOOM_STEP)}>{ "−" }</button>
                            <span class="zoom-level" id="zoom-level">{ format!("{:.0}%", state.viewport.zoom * 100.0) }</span>
                            <button type="button" class="tool-button" id="zoom-in" title="Zoom in (+)"
                                    aria-label="Zoom in" onclick={zoom_by(ZOOM_STEP)}>{ "+" }</button>
                            <button type="button" class="tool-button" id="zoom-fit" title="Fit to screen (0)"
                                    onclick={fit}>{ "Fit" }</button>
                            <button type="button" class="tool-button" id="auto-layout"
                                    title="Tidy: lay the design out left to right by who calls whom (L); Undo puts it back"
                                    onclick={tidy}>{ "Tidy" }</button>
                            <button type="button" class={classes!("tool-button", state.snap_to_grid.then_some("is-on"))}
                                    id="snap-toggle" title="Snap to grid" aria-pressed={state.snap_to_grid.to_string()}
                                    onclick={toggle_snap}>{ "Snap" }</button>
                        </div>
                    </div>
                    <RunPanel editor={state.clone()} run={run.clone()} blockers={blockers}
                        fresh={state.design.nodes.is_empty()}
                        cursor_ms={*cursor_ms} on_cursor={on_cursor}
                        showing={overlay.as_ref().map(|o| AttrValue::from(o.caption.clone()))} />
                </main>
                <ContextProvider<DraftReporter> context={(*draft_reporter).clone()}>
                    <PropertiesPanel state={state.clone()} />
                </ContextProvider<DraftReporter>>
            </div>
            { dialog_view }
        </div>
    }
}

/// The keyboard shortcuts (listed in the shortcuts dialog).
fn handle_key(
    event: &web_sys::KeyboardEvent,
    state: &UseReducerHandle<EditorState>,
    dialog: &UseStateHandle<Option<Dialog>>,
    space_held: &UseStateHandle<bool>,
) {
    let key = event.key();
    if dialog.is_some() {
        if key == "Escape" {
            event.prevent_default();
            dialog.set(None);
        }
        return;
    }
    let command = event.ctrl_key() || event.meta_key();
    let shift = event.shift_key();
    let lower = key.to_lowercase();
    // Ctrl/Cmd+Enter runs, from anywhere, even while typing in a field: leaving the field
    // applies what it holds first, and the click waits for that to render.
    if command && key == "Enter" {
        event.prevent_default();
        let typing = typing_in_field(event);
        let field = focused_element();
        if typing {
            blur_focused();
        }
        gloo_timers::callback::Timeout::new(0, move || {
            let button = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id("run-button"))
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            match button {
                Some(button) if !button.has_attribute("disabled") => button.click(),
                // Run is off (the run bar says why): the person goes on typing where they were.
                _ if typing => {
                    if let Some(field) = &field {
                        let _ = field.focus();
                    }
                }
                _ => {}
            }
        })
        .forget();
        return;
    }
    if typing_in_field(event) {
        // Esc in the properties panel leaves the field for the canvas: the focus goes back to
        // the node or edge being edited (a second Esc then clears the selection).
        if key == "Escape" && in_properties(event) {
            event.prevent_default();
            blur_focused();
            let item = state
                .selection
                .nodes
                .iter()
                .next()
                .map(|id| format!("#canvas [data-node-id=\"{id}\"]"))
                .or_else(|| {
                    state
                        .selection
                        .edges
                        .iter()
                        .next()
                        .map(|id| format!("#canvas .edge[data-edge-id=\"{id}\"]"))
                });
            if let Some(selector) = item
                && let Some(element) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.query_selector(&selector).ok().flatten())
                    .and_then(|e| e.dyn_into::<web_sys::SvgElement>().ok())
            {
                let _ = element.focus();
            }
            return;
        }
        // A drop-down has no text of its own to undo: Ctrl+Z there undoes the choice just made
        // (the browser would do nothing). Its other keys (arrows, letters) stay the drop-down's.
        if command && on_select(event) {
            let action = match lower.as_str() {
                "z" if shift => Some(Action::Redo),
                "z" => Some(Action::Undo),
                "y" => Some(Action::Redo),
                _ => None,
            };
            if let Some(action) = action {
                event.prevent_default();
                state.dispatch(action);
            }
        }
        return;
    }
    let action = match (command, lower.as_str()) {
        (true, "z") if shift => Some(Action::Redo),
        (true, "z") => Some(Action::Undo),
        (true, "y") => Some(Action::Redo),
        (true, "c") => Some(Action::Copy),
        (true, "x") => Some(Action::Cut),
        (true, "v") => Some(Action::Paste),
        (true, "d") => Some(Action::Duplicate),
        (true, "a") => Some(Action::SelectAll),
        (true, _) => None,
        (false, "delete" | "backspace") => Some(Action::DeleteSelection),
        (false, "escape") => Some(Action::ClearSelection),
        (false, "l") if !shift => {
            state.dispatch(Action::AutoLayout);
            Some(fit_action())
        }
        (false, "?") => {
            dialog.set(Some(Dialog::Shortcuts));
            event.prevent_default();
            None
        }
        (false, "+" | "=") => Some(Action::ZoomAt {
            factor: ZOOM_STEP,
            anchor: canvas_centre(),
        }),
        (false, "-" | "_") => Some(Action::ZoomAt {
            factor: 1.0 / ZOOM_STEP,
            anchor: canvas_centre(),
        }),
        // Shift+1 arrives as "!" on US layouts; `code` catches other layouts.
        (false, "0" | "!") => Some(fit_action()),
        (false, _) if shift && event.code() == "Digit1" => Some(fit_action()),
        (false, "arrowleft" | "arrowright" | "arrowup" | "arrowdown") => {
            let step = if shift { GRID } else { 1.0 };
            let (dx, dy) = match lower.as_str() {
                "arrowleft" => (-step, 0.0),
                "arrowright" => (step, 0.0),
                "arrowup" => (0.0, -step),
                _ => (0.0, step),
            };
            let ids: Vec<String> = state.selection.nodes.iter().cloned().collect();
            if !ids.is_empty() {
                Some(Action::MoveNodes { ids, dx, dy })
            } else if let Some(id) = state.annotation.clone() {
                // A selected group box moves with what it holds, as when it is dragged.
                let (nodes, notes) = crate::state::annotate::contents(&state.design, &id);
                Some(Action::MoveAnnotation {
                    id,
                    dx,
                    dy,
                    nodes,
                    notes,
                })
            } else {
                None
            }
        }
        (false, " ") if !on_button(event) => {
            // Space pans while held; keep the page from scrolling. (On a focused button Space
            // keeps its usual meaning: press the button.)
            event.prevent_default();
            if !event.repeat() {
                space_held.set(true);
            }
            None
        }
        _ => None,
    };
    if let Some(action) = action {
        event.prevent_default();
        state.dispatch(action);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_name_falls_back_for_blank_names() {
        let mut design = Design::default();
        assert_eq!(display_name(&design), "Untitled design");
        design.name = "  ".into();
        assert_eq!(display_name(&design), "Untitled design");
        design.name = "Shop".into();
        assert_eq!(display_name(&design), "Shop");
    }

    #[test]
    fn startup_outside_a_browser_starts_empty_without_notice() {
        let s = startup();
        assert!(s.state.design.nodes.is_empty());
        assert!(s.notice.is_none());
        assert!(!s.fit);
        assert!(s.offer_restore.is_none());
    }
}
