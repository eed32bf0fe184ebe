//! The autosave: the design and the viewport, kept in `localStorage` so a reload (or a crash)
//! brings the person back exactly where they were.
//!
//! The storage is reached through [`KeyValueStore`] so the logic runs in native tests with an
//! in-memory store and in the browser with `window.localStorage`.
//!
//! A saved value that cannot be read (an older bug, a hand edit, a truncated write) is never
//! thrown away and never stops the editor: it is moved aside to
//! `archsim.autosave.corrupt.<timestamp>` and reported, and the editor starts empty.

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::state::{EditorSnapshot, Viewport};

/// Where the autosave lives.
pub const AUTOSAVE_KEY: &str = "archsim.autosave.v1";
/// Prefix of the keys corrupt autosaves are moved to.
pub const CORRUPT_KEY_PREFIX: &str = "archsim.autosave.corrupt.";
/// Where the work a shared link replaced is kept, so the person can restore it.
pub const BACKUP_KEY: &str = "archsim.autosave.backup.v1";
/// Marks the stored value as ours (and its layout's version).
const FORMAT_TAG: &str = "archsim-autosave/1";

/// What [`load_from`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadOutcome {
    Restored(EditorSnapshot),
    /// Nothing saved yet.
    Empty,
    /// Something was saved but cannot be read. It was moved to `moved_to` (None when even that
    /// failed, so it is still under [`AUTOSAVE_KEY`]).
    Corrupt {
        raw: String,
        error: String,
        moved_to: Option<String>,
    },
    /// The browser gives no storage (disabled, private mode, not a browser).
    Unavailable(String),
}

/// A string key-value store: `localStorage`, or memory in tests.
pub trait KeyValueStore {
    fn get(&self, key: &str) -> Result<Option<String>, String>;
    fn set(&self, key: &str, value: &str) -> Result<(), String>;
    fn remove(&self, key: &str) -> Result<(), String>;
}

/// A store in memory, for tests and for running without a browser.
#[derive(Debug, Default)]
pub struct MemoryStore {
    pub entries: RefCell<BTreeMap<String, String>>,
}

impl KeyValueStore for MemoryStore {
    fn get(&self, key: &str) -> Result<Option<String>, String> {
        Ok(self.entries.borrow().get(key).cloned())
    }

    fn set(&self, key: &str, value: &str) -> Result<(), String> {
        self.entries
            .borrow_mut()
            .insert(key.to_string(), value.to_string());
        Ok(())
    }

    fn remove(&self, key: &str) -> Result<(), String> {
        self.entries.borrow_mut().remove(key);
        Ok(())
    }
}

/// The stored form: `{"format": …, "design": {…}, "viewport": {"pan_x", "pan_y", "zoom"}}`.
pub fn snapshot_to_json(snapshot: &EditorSnapshot) -> String {
    let design = serde_json::to_value(&snapshot.design).unwrap_or(Value::Null);
    json!({
        "format": FORMAT_TAG,
        "design": design,
        "viewport": {
            "pan_x": snapshot.viewport.pan_x,
            "pan_y": snapshot.viewport.pan_y,
            "zoom": snapshot.viewport.zoom,
        },
    })
    .to_string()
}

/// Read the stored form back. The design goes through the model's parser, so an autosave
/// written by an older archsim is migrated like any imported file.
pub fn snapshot_from_json(raw: &str) -> Result<EditorSnapshot, String> {
    let value: Value =
        serde_json::from_str(raw).map_err(|e| format!("the autosave is not JSON ({e})"))?;
    if value.get("format").and_then(Value::as_str) != Some(FORMAT_TAG) {
        return Err(format!(
            "the autosave is not in the expected format (\"format\" should be \"{FORMAT_TAG}\")"
        ));
    }
    let design_value = value
        .get("design")
        .ok_or("the autosave has no \"design\"")?;
    let design = super::import_json(&design_value.to_string()).map_err(|problems| {
        format!(
            "the autosaved design cannot be read: {}",
            problems.join("; ")
        )
    })?;
    let number = |field: &str| -> Result<f64, String> {
        value
            .get("viewport")
            .and_then(|v| v.get(field))
            .and_then(Value::as_f64)
            .filter(|x| x.is_finite())
            .ok_or_else(|| format!("the autosave's viewport.{field} is missing or not a number"))
    };
    let viewport = Viewport {
        pan_x: number("pan_x")?,
        pan_y: number("pan_y")?,
        zoom: number("zoom")?.clamp(crate::state::MIN_ZOOM, crate::state::MAX_ZOOM),
    };
    Ok(EditorSnapshot { design, viewport })
}

pub fn save_to(store: &dyn KeyValueStore, snapshot: &EditorSnapshot) -> Result<(), String> {
    store.set(AUTOSAVE_KEY, &snapshot_to_json(snapshot))
}

/// Load the autosave. `now_ms` names the aside key of a corrupt value (the browser passes the
/// wall clock; tests pass a constant).
pub fn load_from(store: &dyn KeyValueStore, now_ms: u64) -> LoadOutcome {
    let raw = match store.get(AUTOSAVE_KEY) {
        Ok(Some(raw)) => raw,
        Ok(None) => return LoadOutcome::Empty,
        Err(e) => return LoadOutcome::Unavailable(e),
    };
    match snapshot_from_json(&raw) {
        Ok(snapshot) => LoadOutcome::Restored(snapshot),
        Err(error) => {
            let aside = format!("{CORRUPT_KEY_PREFIX}{now_ms}");
            // Only remove the original once the copy is safely written.
            let moved_to = match store.set(&aside, &raw) {
                Ok(()) => store.remove(AUTOSAVE_KEY).ok().map(|()| aside),
                Err(_) => None,
            };
            LoadOutcome::Corrupt {
                raw,
                error,
                moved_to,
            }
        }
    }
}

/// Keeps `snapshot` under [`BACKUP_KEY`] (replacing an older backup): the work a shared link is
/// about to replace.
pub fn backup_to(store: &dyn KeyValueStore, snapshot: &EditorSnapshot) -> Result<(), String> {
    store.set(BACKUP_KEY, &snapshot_to_json(snapshot))
}

/// The backup kept by [`backup_to`], if there is one.
pub fn load_backup_from(store: &dyn KeyValueStore) -> Result<Option<EditorSnapshot>, String> {
    match store.get(BACKUP_KEY)? {
        None => Ok(None),
        Some(raw) => snapshot_from_json(&raw)
            .map(Some)
            .map_err(|e| e.replace("the autosave", "the backup")),
    }
}

/// [`backup_to`] `window.localStorage`.
pub fn backup_local(snapshot: &EditorSnapshot) -> Result<(), String> {
    backup_to(&LocalStorage::open()?, snapshot)
}

/// [`load_backup_from`] `window.localStorage`.
pub fn load_backup_local() -> Result<Option<EditorSnapshot>, String> {
    load_backup_from(&LocalStorage::open()?)
}

/// `window.localStorage`, when the browser offers it.
pub struct LocalStorage(web_sys::Storage);

impl LocalStorage {
    pub fn open() -> Result<LocalStorage, String> {
        if !super::in_browser() {
            return Err("local storage needs a browser".to_string());
        }
        let window = web_sys::window().ok_or("no browser window")?;
        match window.local_storage() {
            Ok(Some(storage)) => Ok(LocalStorage(storage)),
            Ok(None) => Err("this browser has no local storage".to_string()),
            Err(e) => Err(format!("local storage is blocked ({})", js_error_text(&e))),
        }
    }
}

impl KeyValueStore for LocalStorage {
    fn get(&self, key: &str) -> Result<Option<String>, String> {
        self.0.get_item(key).map_err(|e| js_error_text(&e))
    }

    fn set(&self, key: &str, value: &str) -> Result<(), String> {
        self.0.set_item(key, value).map_err(|e| js_error_text(&e))
    }

    fn remove(&self, key: &str) -> Result<(), String> {
        self.0.remove_item(key).map_err(|e| js_error_text(&e))
    }
}

/// Save to `window.localStorage`. Fails (with the reason) when storage is unavailable or full.
pub fn save_local(snapshot: &EditorSnapshot) -> Result<(), String> {
    save_to(&LocalStorage::open()?, snapshot)
}

/// Load from `window.localStorage`, timestamping a corrupt value with the wall clock.
pub fn load_local() -> LoadOutcome {
    match LocalStorage::open() {
        Ok(store) => load_from(&store, js_sys::Date::now() as u64),
        Err(e) => LoadOutcome::Unavailable(e),
    }
}

/// A JavaScript exception as text (its message when it is an Error).
pub(crate) fn js_error_text(value: &wasm_bindgen::JsValue) -> String {
    if let Some(error) = wasm_bindgen::JsCast::dyn_ref::<js_sys::Error>(value) {
        return String::from(error.message());
    }
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::persist::tests::sample_design;

    fn snapshot() -> EditorSnapshot {
        EditorSnapshot {
            design: sample_design(),
            viewport: Viewport {
                pan_x: -120.5,
                pan_y: 33.0,
                zoom: 0.75,
            },
        }
    }

    #[test]
    fn save_then_load_restores_design_and_viewport() {
        let store = MemoryStore::default();
        save_to(&store, &snapshot()).unwrap();
        assert_eq!(load_from(&store, 1), LoadOutcome::Restored(snapshot()));
    }

    #[test]
    fn a_backup_comes_back_as_kept_and_leaves_the_autosave_alone() {
        let store = MemoryStore::default();
        assert_eq!(load_backup_from(&store), Ok(None));
        save_to(&store, &snapshot()).unwrap();
        let mut previous = snapshot();
        previous.design.name = "Before the link".into();
        backup_to(&store, &previous).unwrap();
        assert_eq!(load_backup_from(&store), Ok(Some(previous)));
        assert_eq!(load_from(&store, 1), LoadOutcome::Restored(snapshot()));
    }

    #[test]
    fn an_unreadable_backup_says_so() {
        let store = MemoryStore::default();
        store.set(BACKUP_KEY, "{").unwrap();
        let error = load_backup_from(&store).unwrap_err();
        assert!(error.contains("the backup is not JSON"), "{error}");
    }

    #[test]
    fn nothing_saved_is_empty() {
        assert_eq!(load_from(&MemoryStore::default(), 1), LoadOutcome::Empty);
    }

    #[test]
    fn corrupt_autosave_is_moved_aside_and_reported() {
        let store = MemoryStore::default();
        store
            .set(AUTOSAVE_KEY, "{\"format\": \"archsim-autosave/1\", \"des")
            .unwrap();
        let outcome = load_from(&store, 1234);
        let LoadOutcome::Corrupt {
            raw,
            error,
            moved_to,
        } = outcome
        else {
            panic!("expected Corrupt, got {outcome:?}")
        };
        assert_eq!(raw, "{\"format\": \"archsim-autosave/1\", \"des");
        assert!(error.contains("not JSON"), "{error}");
        assert_eq!(moved_to.as_deref(), Some("archsim.autosave.corrupt.1234"));
        assert_eq!(store.get(AUTOSAVE_KEY), Ok(None));
        assert_eq!(
            store.get("archsim.autosave.corrupt.1234"),
            Ok(Some(raw.clone()))
        );
        // The next start is clean.
        assert_eq!(load_from(&store, 1300), LoadOutcome::Empty);
    }

    #[test]
    fn autosave_with_a_broken_design_is_corrupt_not_a_crash() {
        let store = MemoryStore::default();
        let raw = r#"{"format":"archsim-autosave/1","design":{"version":1,"nodes":[{"id":3}]},"viewport":{"pan_x":0,"pan_y":0,"zoom":1}}"#;
        store.set(AUTOSAVE_KEY, raw).unwrap();
        let LoadOutcome::Corrupt { error, .. } = load_from(&store, 1) else {
            panic!("expected Corrupt")
        };
        assert!(error.contains("nodes[0]"), "{error}");
    }

    #[test]
    fn foreign_value_or_bad_viewport_is_corrupt() {
        for raw in [
            r#"[1,2,3]"#,
            r#"{"format":"something-else","design":{"version":1}}"#,
            r#"{"format":"archsim-autosave/1","design":{"version":1},"viewport":{"pan_x":"left","pan_y":0,"zoom":1}}"#,
            r#"{"format":"archsim-autosave/1","viewport":{"pan_x":0,"pan_y":0,"zoom":1}}"#,
        ] {
            let store = MemoryStore::default();
            store.set(AUTOSAVE_KEY, raw).unwrap();
            assert!(
                matches!(load_from(&store, 1), LoadOutcome::Corrupt { .. }),
                "{raw}"
            );
        }
    }

    #[test]
    fn restored_zoom_is_clamped() {
        let store = MemoryStore::default();
        store
            .set(
                AUTOSAVE_KEY,
                r#"{"format":"archsim-autosave/1","design":{"version":1},"viewport":{"pan_x":0,"pan_y":0,"zoom":1000}}"#,
            )
            .unwrap();
        let LoadOutcome::Restored(s) = load_from(&store, 1) else {
            panic!()
        };
        assert_eq!(s.viewport.zoom, crate::state::MAX_ZOOM);
    }

    /// A store whose writes fail, like a full localStorage.
    struct FullStore(MemoryStore);

    impl KeyValueStore for FullStore {
        fn get(&self, key: &str) -> Result<Option<String>, String> {
            self.0.get(key)
        }
        fn set(&self, _: &str, _: &str) -> Result<(), String> {
            Err("QuotaExceededError".into())
        }
        fn remove(&self, key: &str) -> Result<(), String> {
            self.0.remove(key)
        }
    }

    #[test]
    fn corrupt_value_stays_put_when_it_cannot_be_moved_aside() {
        let store = FullStore(MemoryStore::default());
        store.0.set(AUTOSAVE_KEY, "garbage").unwrap();
        let LoadOutcome::Corrupt { moved_to, .. } = load_from(&store, 5) else {
            panic!()
        };
        assert_eq!(moved_to, None);
        assert_eq!(store.get(AUTOSAVE_KEY), Ok(Some("garbage".into())));
        assert!(save_to(&store, &snapshot()).is_err());
    }
}
