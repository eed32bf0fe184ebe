//! Persistence: JSON export/import, share-by-URL codec, localStorage autosave.
