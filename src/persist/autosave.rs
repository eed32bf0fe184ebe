//! The autosave: the design and the viewport, kept in `localStorage` so a reload (or a crash)
//! brings the person back exactly where they were.
//!
//! The last run's report is kept too, under its own key ([`REPORT_KEY`]) with the design it was
//! run on, so the results survive a reload and are marked stale exactly when the design in the
//! editor differs from that one. Reports only, never event data. The report always gives way to
//! the design: one too large for [`MAX_SAVED_REPORT_CHARS`] is not kept, and when the design's
//! autosave does not fit, the saved report is dropped to make room for it.
//!
//! The storage is reached through [`KeyValueStore`] so the logic runs in native tests with an
//! in-memory store and in the browser with `window.localStorage`.
//!
//! A saved value that cannot be read (an older bug, a hand edit, a truncated write) is never
//! thrown away and never stops the editor: it is moved aside to
//! `archsim.autosave.corrupt.<timestamp>` and reported, and the editor starts empty.

use std::cell::RefCell;
use std::collections::BTreeMap;

use archsim_model::{Design, Report};
use serde_json::{Value, json};
use wasm_bindgen::JsCast;

use crate::state::{EditorSnapshot, Viewport};

/// Where the autosave lives.
pub const AUTOSAVE_KEY: &str = "archsim.autosave.v1";
/// Prefix of the keys corrupt autosaves are moved to.
pub const CORRUPT_KEY_PREFIX: &str = "archsim.autosave.corrupt.";
/// Where the work a shared link replaced is kept, so the person can restore it.
pub const BACKUP_KEY: &str = "archsim.autosave.backup.v1";
/// Marks the stored value as ours (and its layout's version).
const FORMAT_TAG: &str = "archsim-autosave/1";
/// Where the last run's report lives (with the design it was run on).
pub const REPORT_KEY: &str = "archsim.report.v1";
/// Marks a stored report as ours (and its layout's version).
const REPORT_FORMAT_TAG: &str = "archsim-report/1";
/// The largest stored report, in characters (browsers give an origin about 5 million for all
/// of `localStorage`; the design and its backup need their share). A larger report (a long run
/// in small buckets) is not kept.
pub const MAX_SAVED_REPORT_CHARS: usize = 1_500_000;

/// What [`save_report_to`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum ReportSaved {
    Saved,
    /// Not kept (and any older one removed, so it cannot come back in its place): too large, or
    /// the storage refused it. The reason, for the person.
    Skipped(String),
}

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

/// The stored form: `{"format": …, "design": {…}, "viewport": {"pan_x", "pan_y", "zoom",
/// "width", "height"}}`, the last two (the canvas's size the view was seen at) when known.
pub fn snapshot_to_json(snapshot: &EditorSnapshot) -> String {
    let design = archsim_model::json::to_value(&snapshot.design);
    let mut viewport = json!({
        "pan_x": snapshot.viewport.pan_x,
        "pan_y": snapshot.viewport.pan_y,
        "zoom": snapshot.viewport.zoom,
    });
    if let Some((width, height)) = snapshot.canvas_size {
        viewport["width"] = json!(width);
        viewport["height"] = json!(height);
    }
    json!({
        "format": FORMAT_TAG,
        "design": design,
        "viewport": viewport,
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
    // Written since session 11; an older autosave, or a size that is not one, has none.
    let size = |field: &str| number(field).ok().filter(|x| *x > 0.0);
    let canvas_size = size("width").zip(size("height"));
    Ok(EditorSnapshot {
        design,
        viewport,
        canvas_size,
    })
}

/// Saves the design and viewport. The design comes first: when the storage is full, the saved
/// report (which only repeats a run) is dropped and the design written again.
pub fn save_to(store: &dyn KeyValueStore, snapshot: &EditorSnapshot) -> Result<(), String> {
    let json = snapshot_to_json(snapshot);
    match store.set(AUTOSAVE_KEY, &json) {
        Ok(()) => Ok(()),
        Err(first) => match store.get(REPORT_KEY) {
            Ok(Some(_)) if store.remove(REPORT_KEY).is_ok() => store.set(AUTOSAVE_KEY, &json),
            _ => Err(first),
        },
    }
}

/// The stored form of a report: `{"format": …, "design": {…}, "report": {…}}`.
#[derive(serde::Serialize)]
struct StoredReport<'a> {
    format: &'static str,
    design: &'a Design,
    report: &'a Report,
}

pub fn report_to_json(design: &Design, report: &Report) -> String {
    bounded_report_json(design, report, usize::MAX).unwrap_or_default()
}

/// [`report_to_json`], written straight to text, giving up as soon as it passes `limit` bytes
/// (see `archsim_model::json::write_compact`). None when it passed.
fn bounded_report_json(design: &Design, report: &Report, limit: usize) -> Option<String> {
    let stored = StoredReport {
        format: REPORT_FORMAT_TAG,
        design,
        report,
    };
    archsim_model::json::write_compact(&stored, limit)
}

/// Reads [`report_to_json`]'s form back: the design it was run on (migrated like any import)
/// and the report, which must be of the current report format.
pub fn report_from_json(raw: &str) -> Result<(Design, Report), String> {
    let value: Value =
        serde_json::from_str(raw).map_err(|e| format!("the saved report is not JSON ({e})"))?;
    if value.get("format").and_then(Value::as_str) != Some(REPORT_FORMAT_TAG) {
        return Err("the saved report is not in the expected format".into());
    }
    let design = value
        .get("design")
        .ok_or("the saved report has no design")
        .and_then(|d| {
            super::import_json(&d.to_string()).map_err(|_| "its design cannot be read")
        })?;
    if value.get("report").is_none() {
        return Err("the saved report has no report".into());
    }
    // Read from the text again rather than from `value`: a report is read from text only, so
    // the module holds one copy of its reader (archsim_model::json).
    #[derive(serde::Deserialize)]
    struct ReportOnly {
        report: Report,
    }
    let ReportOnly { report } =
        serde_json::from_str(raw).map_err(|e| format!("the saved report cannot be read ({e})"))?;
    if report.report_version != archsim_model::REPORT_VERSION {
        return Err(format!(
            "the saved report is of report format {} (this archsim reads {})",
            report.report_version,
            archsim_model::REPORT_VERSION
        ));
    }
    Ok((design, report))
}

/// The text [`save_report_to`] would keep of `report`, or why it would keep none (too large).
/// The run worker writes it, so that the page only has to store it.
pub fn report_to_keep(design: &Design, report: &Report) -> Result<String, String> {
    bounded_report_json(design, report, MAX_SAVED_REPORT_CHARS).ok_or_else(|| {
        format!("the report is too large to keep (more than {MAX_SAVED_REPORT_CHARS} characters)")
    })
}

/// Keeps the last run's `report` and the `design` it was run on, unless it is larger than
/// [`MAX_SAVED_REPORT_CHARS`] or the storage refuses it; then no report is kept at all.
pub fn save_report_to(store: &dyn KeyValueStore, design: &Design, report: &Report) -> ReportSaved {
    let skipped = |reason: String| {
        clear_report_in(store);
        ReportSaved::Skipped(reason)
    };
    let json = match report_to_keep(design, report) {
        Ok(json) => json,
        Err(reason) => return skipped(reason),
    };
    match store.set(REPORT_KEY, &json) {
        Ok(()) => ReportSaved::Saved,
        Err(e) => skipped(format!("the browser's storage refused it ({e})")),
    }
}

/// The kept report and its design, if there is one that can be read. One that cannot (another
/// version's, a truncated write) is removed: it only repeats a run, which can be run again.
pub fn load_report_from(store: &dyn KeyValueStore) -> Option<(Design, Report)> {
    let raw = store.get(REPORT_KEY).ok()??;
    match report_from_json(&raw) {
        Ok(kept) => Some(kept),
        Err(_) => {
            clear_report_in(store);
            None
        }
    }
}

/// Forgets the kept report (the person reset the results).
pub fn clear_report_in(store: &dyn KeyValueStore) {
    let _ = store.remove(REPORT_KEY);
}

/// [`save_report_to`] `window.localStorage`.
pub fn save_report_local(design: &Design, report: &Report) -> ReportSaved {
    match LocalStorage::open() {
        Ok(store) => save_report_to(&store, design, report),
        Err(e) => ReportSaved::Skipped(e),
    }
}

/// Keeps a report's text as the run worker wrote it ([`report_to_keep`]), or records why it
/// is not kept: like [`save_report_local`], without the page writing (or even reading) the
/// text — it is handed to the storage as the JS string it arrived as.
pub fn save_report_text_local(kept: Result<wasm_bindgen::JsValue, String>) -> ReportSaved {
    let store = match LocalStorage::open() {
        Ok(store) => store,
        Err(e) => return ReportSaved::Skipped(e),
    };
    let skipped = |reason: String| {
        clear_report_in(&store);
        ReportSaved::Skipped(reason)
    };
    let text = match kept {
        Ok(text) => text,
        Err(reason) => return skipped(reason),
    };
    let set_item = js_sys::Reflect::get(&store.0, &"setItem".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let Some(set_item) = set_item else {
        return skipped("this browser's storage cannot be written".into());
    };
    match set_item.call2(&store.0, &REPORT_KEY.into(), &text) {
        Ok(_) => ReportSaved::Saved,
        Err(e) => skipped(format!(
            "the browser's storage refused it ({})",
            js_error_text(&e)
        )),
    }
}

/// [`load_report_from`] `window.localStorage`.
pub fn load_report_local() -> Option<(Design, Report)> {
    load_report_from(&LocalStorage::open().ok()?)
}

/// [`clear_report_in`] `window.localStorage`.
pub fn clear_report_local() {
    if let Ok(store) = LocalStorage::open() {
        clear_report_in(&store);
    }
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
            canvas_size: Some((828.0, 591.5)),
        }
    }

    #[test]
    fn save_then_load_restores_design_and_viewport() {
        let store = MemoryStore::default();
        save_to(&store, &snapshot()).unwrap();
        assert_eq!(load_from(&store, 1), LoadOutcome::Restored(snapshot()));
    }

    #[test]
    fn an_autosave_without_the_canvas_size_loads_without_it() {
        let store = MemoryStore::default();
        let mut older = snapshot();
        older.canvas_size = None;
        save_to(&store, &older).unwrap();
        let raw = store.get(AUTOSAVE_KEY).unwrap().unwrap();
        assert!(!raw.contains("width"), "{raw}");
        assert_eq!(load_from(&store, 1), LoadOutcome::Restored(older.clone()));
        // A size that is not one is left out, not a reason to lose the work.
        let odd = raw.replace("\"zoom\"", "\"width\":-3,\"height\":\"tall\",\"zoom\"");
        store.set(AUTOSAVE_KEY, &odd).unwrap();
        assert_eq!(load_from(&store, 1), LoadOutcome::Restored(older));
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

    /// A store that holds at most `quota` characters in all, like `localStorage`.
    struct QuotaStore {
        inner: MemoryStore,
        quota: usize,
    }

    impl KeyValueStore for QuotaStore {
        fn get(&self, key: &str) -> Result<Option<String>, String> {
            self.inner.get(key)
        }
        fn set(&self, key: &str, value: &str) -> Result<(), String> {
            let others: usize = self
                .inner
                .entries
                .borrow()
                .iter()
                .filter(|(k, _)| k.as_str() != key)
                .map(|(k, v)| k.len() + v.len())
                .sum();
            if others + key.len() + value.len() > self.quota {
                return Err("QuotaExceededError".into());
            }
            self.inner.set(key, value)
        }
        fn remove(&self, key: &str) -> Result<(), String> {
            self.inner.remove(key)
        }
    }

    fn report_of(design: &Design) -> Report {
        Report {
            report_version: archsim_model::REPORT_VERSION,
            design_name: design.name.clone(),
            duration_ms: 800.0,
            replications: 1,
            ..Report::default()
        }
    }

    #[test]
    fn a_report_comes_back_with_the_design_it_was_run_on() {
        let store = MemoryStore::default();
        let design = sample_design();
        let report = report_of(&design);
        assert_eq!(save_report_to(&store, &design, &report), ReportSaved::Saved);
        assert_eq!(load_report_from(&store), Some((design, report)));
        clear_report_in(&store);
        assert_eq!(load_report_from(&store), None);
    }

    #[test]
    fn an_unreadable_or_foreign_report_is_dropped() {
        let store = MemoryStore::default();
        store.set(REPORT_KEY, "{not json").unwrap();
        assert_eq!(load_report_from(&store), None);
        assert_eq!(store.get(REPORT_KEY), Ok(None));
        let design = sample_design();
        let mut report = report_of(&design);
        report.report_version += 1;
        store
            .set(REPORT_KEY, &report_to_json(&design, &report))
            .unwrap();
        assert_eq!(load_report_from(&store), None);
    }

    #[test]
    fn a_report_too_large_to_keep_is_skipped_and_an_older_one_removed() {
        let store = MemoryStore::default();
        let design = sample_design();
        let small = report_of(&design);
        assert_eq!(save_report_to(&store, &design, &small), ReportSaved::Saved);
        let mut large = small.clone();
        large.series.t_ms = vec![1.5; MAX_SAVED_REPORT_CHARS / 3];
        assert!(matches!(
            save_report_to(&store, &design, &large),
            ReportSaved::Skipped(reason) if reason.contains("too large")
        ));
        // The older report cannot come back in place of the newer one.
        assert_eq!(load_report_from(&store), None);
    }

    // The design must never be lost because of the report.
    #[test]
    fn a_full_storage_drops_the_report_not_the_design() {
        let design = sample_design();
        let report = report_of(&design);
        let design_len = snapshot_to_json(&snapshot()).len() + AUTOSAVE_KEY.len();
        let report_len = report_to_json(&design, &report).len() + REPORT_KEY.len();
        // Room for either, not for both.
        let store = QuotaStore {
            inner: MemoryStore::default(),
            quota: design_len.max(report_len) + 200,
        };
        assert!(design_len.min(report_len) > 200);
        // The report fits while nothing else is stored...
        assert_eq!(save_report_to(&store, &design, &report), ReportSaved::Saved);
        // ...then the design's autosave needs the room: the report goes, the design is saved.
        save_to(&store, &snapshot()).unwrap();
        assert_eq!(load_from(&store, 0), LoadOutcome::Restored(snapshot()));
        assert_eq!(load_report_from(&store), None);
        // A report that does not fit next to the design is skipped; the design stays.
        assert!(matches!(
            save_report_to(&store, &design, &report),
            ReportSaved::Skipped(_)
        ));
        assert_eq!(load_from(&store, 0), LoadOutcome::Restored(snapshot()));
    }
}
