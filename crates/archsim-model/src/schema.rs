//! The JSON Schema of the design format, for editors and other tools.
//!
//! The committed copy lives in `docs/design.schema.json`; a test keeps it in step with the code
//! (`UPDATE_SCHEMA=1 cargo test -p archsim-model --test schema` rewrites it).

use serde_json::Value;

use crate::design::Design;

/// The JSON Schema (draft 2020-12) of a design document of the current version.
pub fn design_schema() -> Value {
    let schema = schemars::schema_for!(Design);
    schema.to_value()
}
