//! Indexes `examples/*.json` for the templates menu (`src/persist/templates.rs`).
//!
//! The app does not carry the examples' text: the menu needs only each example's name and the
//! first line of its description, and the design itself is fetched from `examples/<id>.json`,
//! which trunk copies next to the app (`index.html`, `copy-dir`). So this writes to `OUT_DIR`:
//!
//! - `templates_index.rs`: `(id, name, summary)` of every example, for the menu;
//! - `templates_text.rs`: `(id, include_str!(…))` of every example, which only tests and native
//!   code use. The release module never references it, so the linker leaves the text out.
//!
//! An example that is not JSON or has no object at its root stops the build with its file name.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    println!("cargo::rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("examples/ is readable")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();

    let mut index = String::from("&[\n");
    let mut text = String::from("&[\n");
    for path in &files {
        let id = path
            .file_stem()
            .and_then(|stem| stem.to_str())
            .expect("example file names are UTF-8");
        let json = std::fs::read_to_string(path).expect("an example is readable");
        let value: serde_json::Value = serde_json::from_str(&json)
            .unwrap_or_else(|e| panic!("examples/{id}.json is not JSON: {e}"));
        let field = |key: &str| value.get(key).and_then(|v| v.as_str()).unwrap_or_default();
        let name = match field("name") {
            "" => id,
            name => name,
        };
        let summary = field("description")
            .lines()
            .next()
            .unwrap_or_default()
            .trim();
        // `{:?}` writes a Rust string literal with every character escaped as needed.
        writeln!(index, "    ({id:?}, {name:?}, {summary:?}),").unwrap();
        writeln!(
            text,
            "    ({id:?}, include_str!({:?})),",
            path.to_str().expect("example paths are UTF-8")
        )
        .unwrap();
    }
    index.push(']');
    text.push(']');
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("templates_index.rs"), index).expect("OUT_DIR is writable");
    std::fs::write(out.join("templates_text.rs"), text).expect("OUT_DIR is writable");
}
