//! The committed JSON Schema must be exactly what the code generates.

use std::path::Path;

use archsim_model::design_schema;

#[test]
fn committed_schema_matches_the_generated_one() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/design.schema.json");
    let generated = serde_json::to_string_pretty(&design_schema()).expect("schema is JSON") + "\n";
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).expect("write docs/design.schema.json");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/design.schema.json is out of date with the design types; regenerate it with\n    \
         UPDATE_SCHEMA=1 cargo test -p archsim-model --test schema\nand commit the result"
    );
}

#[test]
fn schema_describes_every_node_kind_and_requires_ids() {
    let schema = design_schema();
    let node = &schema["$defs"]["Node"];
    assert_eq!(node["required"], serde_json::json!(["id", "kind"]));
    let kinds: Vec<&str> = node["oneOf"]
        .as_array()
        .expect("oneOf per kind")
        .iter()
        .map(|entry| {
            entry["properties"]["kind"]["const"]
                .as_str()
                .expect("kind const")
        })
        .collect();
    assert_eq!(kinds, archsim_model::NodeKind::NAMES);
}
