//! Editor state: the design being edited, selection, viewport, undo/redo history (Reducible).
