//! The JSON Schema of the pair model, generated from the Rust types.

use super::Pair;

/// The schema as pretty-printed JSON (what `schemas/dhcpfo-pair.schema.json` holds).
pub fn json() -> String {
    let schema = schemars::schema_for!(Pair);
    serde_json::to_string_pretty(&schema).unwrap_or_default()
}
