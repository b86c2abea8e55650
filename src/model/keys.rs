//! Finds every unknown key of a model in one pass, guided by the model's JSON Schema.
//!
//! serde stops at the first unknown key; admins fixing a file want them all at once. This
//! reads the YAML into a generic tree with the position of each key and walks it against
//! the schema generated from the model's types, so it can never disagree with them.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::types::Spanned;
use crate::diag::Finding;

/// A YAML node with the positions of mapping keys.
enum Node {
    Map(Vec<(Spanned<String>, Node)>),
    Seq(Vec<Node>),
    Scalar,
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any YAML node")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Spanned<KeyText>>()? {
                    let value = map.next_value::<Node>()?;
                    let text = key.value().0.clone();
                    entries.push((key.map(|_| text), value));
                }
                Ok(Node::Map(entries))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Node>()? {
                    items.push(item);
                }
                Ok(Node::Seq(items))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_str<E>(self, _: &str) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
            fn visit_none<E>(self) -> Result<Node, E> {
                Ok(Node::Scalar)
            }
        }
        d.deserialize_any(V)
    }
}

/// A mapping key as text, whatever scalar type YAML gave it.
struct KeyText(String);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = KeyText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a scalar key")
            }
            fn visit_str<E>(self, v: &str) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_unit<E>(self) -> Result<KeyText, E> {
                Ok(KeyText("null".into()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Every key of `text` that the schema does not allow, as findings (empty when the YAML does
/// not even parse: the loader reports that).
pub(super) fn unknown_keys(text: &str) -> Vec<Finding> {
    let Ok(root) =
        serde_saphyr::from_str_with_options::<Node>(text, super::load::yaml_options(text))
    else {
        return Vec::new();
    };
    let schema = serde_json::to_value(schemars::schema_for!(super::Pair)).unwrap_or(Value::Null);
    let mut out = Vec::new();
    walk(&schema, &schema, &root, &mut out);
    out
}

fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    let mut current = schema;
    for _ in 0..32 {
        match current.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let path = reference.trim_start_matches('#');
                match root.pointer(path) {
                    Some(target) => current = target,
                    None => return current,
                }
            }
            None => return current,
        }
    }
    current
}

/// The branch of an anyOf/oneOf schema that fits the node's shape.
fn branch<'a>(root: &'a Value, schema: &'a Value, node: &Node) -> &'a Value {
    let schema = resolve(root, schema);
    let alternatives = schema
        .get("anyOf")
        .or_else(|| schema.get("oneOf"))
        .and_then(Value::as_array);
    let Some(alternatives) = alternatives else {
        return schema;
    };
    let wanted = match node {
        Node::Map(_) => "object",
        Node::Seq(_) => "array",
        Node::Scalar => return schema,
    };
    alternatives
        .iter()
        .map(|alt| branch(root, alt, node))
        .find(|alt| {
            alt.get("type").and_then(Value::as_str) == Some(wanted)
                || (wanted == "object" && alt.get("properties").is_some())
        })
        .unwrap_or(schema)
}

fn walk(root: &Value, schema: &Value, node: &Node, out: &mut Vec<Finding>) {
    let schema = branch(root, schema, node);
    match node {
        Node::Map(entries) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
            for (key, value) in entries {
                match properties.and_then(|p| p.get(key.value().as_str())) {
                    Some(sub) => walk(root, sub, value, out),
                    None if closed => {
                        let expected: Vec<&str> = properties
                            .map(|p| p.keys().map(String::as_str).collect())
                            .unwrap_or_default();
                        out.push(super::load::unknown_key(key.value(), &expected, key.span()));
                    }
                    None => {
                        if let Some(extra) =
                            schema.get("additionalProperties").filter(|v| v.is_object())
                        {
                            walk(root, extra, value, out);
                        }
                    }
                }
            }
        }
        Node::Seq(items) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    walk(root, item_schema, item, out);
                }
            }
        }
        Node::Scalar => {}
    }
}

#[cfg(test)]
mod tests {
    use super::unknown_keys;

    #[test]
    fn finds_every_unknown_key_at_any_depth() {
        let yaml = "failover:\n  name: x\n  splt: 1\npeers:\n  primary: { address: 1.2.3.4, mclt: 5 }\nsubnets:\n  - network: 10.0.0.0/8\n    pools:\n      - range: [10.0.0.1, 10.0.0.2]\n        allow: [{ members-off: x }]\n        optoins: {}\n    options: { routers: 10.0.0.1, dns: 1 }\n";
        let codes: Vec<_> = unknown_keys(yaml)
            .iter()
            .map(|f| (f.code, f.message.clone()))
            .collect();
        assert_eq!(codes.len(), 5, "{codes:?}");
        assert!(
            codes
                .iter()
                .any(|(c, m)| *c == "DF104" && m.contains("mclt"))
        );
        assert!(codes.iter().any(|(_, m)| m.contains("members-off")));
        assert!(codes.iter().any(|(_, m)| m.contains("optoins")));
        assert!(codes.iter().any(|(_, m)| m.contains("`dns`")));
    }

    #[test]
    fn a_valid_model_has_no_unknown_keys() {
        let yaml = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/lab-pair.yaml"
        ))
        .unwrap_or_default();
        assert!(!yaml.is_empty());
        assert!(unknown_keys(&yaml).is_empty());
    }
}
