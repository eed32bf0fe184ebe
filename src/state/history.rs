//! Undo/redo as bounded stacks of whole-design snapshots.
//!
//! Why snapshots rather than inverse operations: a design is a few kilobytes, the stacks hold
//! `Rc`s (cloning the editor state on every reduce copies pointers, not designs), and a snapshot
//! can't get an inverse wrong.
//!
//! Grouping: one person-level action must be one undo step even when the views dispatch many
//! actions for it.
//! - A *gesture* (`Action::BeginGesture` … `Action::EndGesture`, e.g. a drag) records at most
//!   one step: the design as it was before the gesture's first change.
//! - Consecutive edits carrying the same *coalesce key* (typing in one text field) record one
//!   step. Any other action in between ends the run.

use std::rc::Rc;

use archsim_model::Design;

/// Undo steps kept; older ones are forgotten.
pub const HISTORY_LIMIT: usize = 200;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    undo: Vec<Rc<Design>>,
    redo: Vec<Rc<Design>>,
    /// Coalesce key of the edit that recorded the newest undo step, while a run of same-key
    /// edits may still extend it.
    open_key: Option<String>,
    /// True while a gesture is open and has already recorded its step.
    gesture_recorded: Option<bool>,
}

impl History {
    /// Remember `before` (the design before a change) as an undo step, unless the change joins
    /// the open gesture or the run of edits with the same `key`. Any new change clears redo.
    pub fn record(&mut self, before: &Design, key: Option<&str>) {
        let joins_gesture = self.gesture_recorded == Some(true);
        let joins_run = key.is_some() && self.open_key.as_deref() == key;
        if !joins_gesture && !joins_run {
            self.undo.push(Rc::new(before.clone()));
            if self.undo.len() > HISTORY_LIMIT {
                let excess = self.undo.len() - HISTORY_LIMIT;
                self.undo.drain(..excess);
            }
        }
        if self.gesture_recorded.is_some() {
            self.gesture_recorded = Some(true);
        }
        self.open_key = key.map(str::to_owned);
        self.redo.clear();
    }

    /// Something that is not a keyed edit happened: the next keyed edit starts a new step.
    pub fn break_run(&mut self) {
        self.open_key = None;
    }

    pub fn begin_gesture(&mut self) {
        self.open_key = None;
        self.gesture_recorded = Some(false);
    }

    pub fn end_gesture(&mut self) {
        self.gesture_recorded = None;
    }

    /// Undo or redo in the middle of a gesture (ctrl+z while still dragging): the gesture goes
    /// on, but its next change must record a fresh step, or every later pointer move of the drag
    /// would become a step of its own.
    fn restart_gesture(&mut self) {
        if self.gesture_recorded.is_some() {
            self.gesture_recorded = Some(false);
        }
    }

    pub fn in_gesture(&self) -> bool {
        self.gesture_recorded.is_some()
    }

    /// Swap `current` for the previous snapshot; None when there is nothing to undo.
    pub fn undo(&mut self, current: &Design) -> Option<Design> {
        self.restart_gesture();
        self.open_key = None;
        let previous = self.undo.pop()?;
        self.redo.push(Rc::new(current.clone()));
        Some(Rc::unwrap_or_clone(previous))
    }

    pub fn redo(&mut self, current: &Design) -> Option<Design> {
        self.restart_gesture();
        self.open_key = None;
        let next = self.redo.pop()?;
        self.undo.push(Rc::new(current.clone()));
        Some(Rc::unwrap_or_clone(next))
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    pub fn undo_len(&self) -> usize {
        self.undo.len()
    }

    pub fn redo_len(&self) -> usize {
        self.redo.len()
    }

    pub fn clear(&mut self) {
        *self = History::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> Design {
        Design {
            name: name.into(),
            ..Design::default()
        }
    }

    #[test]
    fn history_is_bounded_and_keeps_the_newest_steps() {
        let mut h = History::default();
        for i in 0..(HISTORY_LIMIT + 50) {
            h.record(&named(&i.to_string()), None);
        }
        assert_eq!(h.undo_len(), HISTORY_LIMIT);
        let newest = h.undo(&named("now")).unwrap();
        assert_eq!(newest.name, (HISTORY_LIMIT + 49).to_string());
    }

    #[test]
    fn gesture_records_one_step_for_many_changes() {
        let mut h = History::default();
        h.begin_gesture();
        h.record(&named("before"), None);
        h.record(&named("mid1"), None);
        h.record(&named("mid2"), None);
        h.end_gesture();
        assert_eq!(h.undo_len(), 1);
        assert_eq!(h.undo(&named("after")).unwrap().name, "before");
    }

    #[test]
    fn same_key_edits_coalesce_until_the_run_breaks() {
        let mut h = History::default();
        h.record(&named(""), Some("label:a"));
        h.record(&named("S"), Some("label:a"));
        h.record(&named("Se"), Some("label:a"));
        assert_eq!(h.undo_len(), 1);
        h.record(&named("Ser"), Some("label:b"));
        assert_eq!(h.undo_len(), 2);
        h.break_run();
        h.record(&named("Serv"), Some("label:b"));
        assert_eq!(h.undo_len(), 3);
    }

    #[test]
    fn new_edit_clears_redo() {
        let mut h = History::default();
        h.record(&named("a"), None);
        h.undo(&named("b")).unwrap();
        assert!(h.can_redo());
        h.record(&named("a"), None);
        assert!(!h.can_redo());
    }
}
