//! The editor's state and persistence, run as WebAssembly in a real browser: the reducer, the
//! JSON and share-link codecs (deflate and base64 in WASM), and the autosave against the page's
//! real `localStorage`.
//!
//! Run with `cargo test -p archsim --target wasm32-unknown-unknown --test web_state` (the
//! runner and chromedriver are configured in .cargo/config.toml and scripts/). Natively this file
//! compiles to nothing; the same logic has native unit tests in src/state and src/persist.
#![cfg(target_arch = "wasm32")]

use archsim::persist::autosave::{
    AUTOSAVE_KEY, CORRUPT_KEY_PREFIX, KeyValueStore, LocalStorage, load_from,
};
use archsim::persist::{
    LoadOutcome, decode_fragment, encode_fragment, export_json, import_json, load_local, save_local,
};
use archsim::state::{Action, EditorSnapshot, EditorState, ItemRef, Viewport};
use archsim_model::{Design, Position};
use std::rc::Rc;
use wasm_bindgen_test::*;
use yew::Reducible;

wasm_bindgen_test_configure!(run_in_browser);

fn at(x: f64, y: f64) -> Position {
    Position { x, y }
}

/// Build a small design through the reducer, the way the views do.
fn drawn_design() -> Rc<EditorState> {
    let mut state = Rc::new(EditorState::default());
    for action in [
        Action::AddNode {
            kind: "client".into(),
            at: at(100.0, 100.0),
        },
        Action::AddNode {
            kind: "load_balancer".into(),
            at: at(400.0, 100.0),
        },
        Action::AddNode {
            kind: "service".into(),
            at: at(700.0, 100.0),
        },
        Action::Connect {
            from: "client-1".into(),
            to: "load-balancer-1".into(),
        },
        Action::Connect {
            from: "load-balancer-1".into(),
            to: "service-1".into(),
        },
        Action::SetDesignName("Browser test".into()),
    ] {
        state = state.reduce(action);
    }
    state
}

fn local_storage() -> web_sys::Storage {
    web_sys::window()
        .expect("window")
        .local_storage()
        .expect("localStorage allowed")
        .expect("localStorage present")
}

/// Remove the autosave and any quarantined copies this test run made.
fn clear_autosave_keys() {
    let storage = local_storage();
    let count = storage.length().unwrap_or(0);
    let keys: Vec<String> = (0..count)
        .filter_map(|i| storage.key(i).ok().flatten())
        .collect();
    for key in keys {
        if key == AUTOSAVE_KEY || key.starts_with(CORRUPT_KEY_PREFIX) {
            storage.remove_item(&key).unwrap();
        }
    }
}

#[wasm_bindgen_test]
fn reducer_draws_moves_deletes_and_undoes_in_wasm() {
    let mut state = drawn_design();
    assert_eq!(state.design.nodes.len(), 3);
    assert_eq!(state.design.edges.len(), 2);

    state = state.reduce(Action::BeginGesture);
    for _ in 0..10 {
        state = state.reduce(Action::MoveNodes {
            ids: vec!["service-1".into()],
            dx: 10.0,
            dy: 0.0,
        });
    }
    state = state.reduce(Action::EndGesture);
    let moved_x = state.design.node("service-1").unwrap().position.x;
    state = state.reduce(Action::Undo);
    assert_eq!(
        state.design.node("service-1").unwrap().position.x,
        moved_x - 100.0,
        "one undo must revert the whole drag"
    );

    state = state.reduce(Action::SelectOnly(ItemRef::Node("load-balancer-1".into())));
    state = state.reduce(Action::DeleteSelection);
    assert_eq!(state.design.nodes.len(), 2);
    assert!(state.design.edges.is_empty());
    state = state.reduce(Action::Undo);
    assert_eq!(state.design.edges.len(), 2);
    state = state.reduce(Action::Redo);
    assert!(state.design.edges.is_empty());
}

#[wasm_bindgen_test]
fn export_import_round_trip_in_wasm() {
    let design = drawn_design().design.clone();
    assert_eq!(import_json(&export_json(&design)), Ok(design));
}

#[wasm_bindgen_test]
fn share_link_round_trip_in_wasm() {
    let design = drawn_design().design.clone();
    let fragment = encode_fragment(&design);
    assert!(fragment.starts_with("#d="));
    assert_eq!(decode_fragment(&fragment), Ok(design));
    assert!(decode_fragment("#d=%%%").is_err());
}

#[wasm_bindgen_test]
fn autosave_round_trips_through_real_local_storage() {
    clear_autosave_keys();
    assert_eq!(load_local(), LoadOutcome::Empty);
    let snapshot = EditorSnapshot {
        design: drawn_design().design.clone(),
        viewport: Viewport {
            pan_x: 42.5,
            pan_y: -17.0,
            zoom: 1.25,
        },
        canvas_size: Some((900.0, 600.0)),
    };
    save_local(&snapshot).expect("save to localStorage");
    assert!(local_storage().get_item(AUTOSAVE_KEY).unwrap().is_some());
    assert_eq!(load_local(), LoadOutcome::Restored(snapshot.clone()));

    // The restored snapshot puts the editor back where it was.
    let restored = Rc::new(EditorState::default()).reduce(Action::Restore(snapshot.clone()));
    assert_eq!(restored.snapshot(), snapshot);
    clear_autosave_keys();
}

#[wasm_bindgen_test]
fn corrupt_autosave_in_local_storage_is_moved_aside() {
    clear_autosave_keys();
    let storage = local_storage();
    storage.set_item(AUTOSAVE_KEY, "{not json at all").unwrap();
    let store = LocalStorage::open().expect("localStorage");
    let outcome = load_from(&store, 777);
    let LoadOutcome::Corrupt {
        raw,
        error,
        moved_to,
    } = outcome
    else {
        panic!("expected Corrupt, got {outcome:?}");
    };
    assert_eq!(raw, "{not json at all");
    assert!(!error.is_empty());
    let aside = format!("{CORRUPT_KEY_PREFIX}777");
    assert_eq!(moved_to.as_deref(), Some(aside.as_str()));
    assert_eq!(storage.get_item(AUTOSAVE_KEY).unwrap(), None);
    assert_eq!(
        storage.get_item(&aside).unwrap().as_deref(),
        Some("{not json at all")
    );
    assert_eq!(store.get(AUTOSAVE_KEY), Ok(None));
    // With the value moved aside, the next start is clean.
    assert_eq!(load_local(), LoadOutcome::Empty);
    clear_autosave_keys();
}

#[wasm_bindgen_test]
fn load_design_from_a_share_link_is_one_undo_step() {
    let shared = drawn_design().design.clone();
    let decoded: Design = decode_fragment(&encode_fragment(&shared)).unwrap();
    let mut state = Rc::new(EditorState::default()).reduce(Action::AddNode {
        kind: "cache".into(),
        at: at(0.0, 0.0),
    });
    let before = state.design.clone();
    state = state.reduce(Action::LoadDesign(decoded));
    assert_eq!(state.design, shared);
    state = state.reduce(Action::Undo);
    assert_eq!(state.design, before);
}

#[wasm_bindgen_test]
fn every_bundled_template_loads_in_wasm() {
    let templates = archsim::persist::templates();
    // Every example in examples/ is a template (src/persist/templates.rs), and each parses.
    assert!(templates.len() >= 18);
    assert_eq!(
        templates.len(),
        archsim::persist::templates::bundled_count(),
        "an example failed to parse in wasm"
    );
    for template in templates {
        let design = template.design().expect(template.id);
        let state = Rc::new(EditorState::default()).reduce(Action::LoadDesign(design.clone()));
        assert_eq!(state.design, design, "{} changed on load", template.id);
        assert!(
            archsim::state::run_blockers(&state.design).is_empty(),
            "{} cannot run",
            template.id
        );
    }
}
