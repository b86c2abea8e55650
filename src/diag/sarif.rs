//! Findings as a SARIF 2.1.0 log (OASIS Static Analysis Results Interchange Format), the
//! format code-scanning services and editors read: one run of dhcpfo, its rules (the codes of
//! the findings, with their docs) and one result per finding.

use serde_json::{Value, json};

use super::output::Entry;
use super::{JsonFinding, Severity};

/// The SARIF schema the log names.
const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Renders entries as a SARIF log.
pub(super) fn render(entries: &[Entry]) -> String {
    let findings: Vec<JsonFinding> = entries.iter().map(Entry::to_json).collect();
    let mut rule_ids: Vec<&str> = findings.iter().map(|f| f.code.as_str()).collect();
    rule_ids.sort_unstable();
    rule_ids.dedup();
    let rules: Vec<Value> = rule_ids.iter().map(|id| rule(id)).collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| result(f, rule_ids.binary_search(&f.code.as_str()).unwrap_or(0)))
        .collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "dhcpfo",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".into()) + "\n"
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A rule's descriptor, from the code registry (a code it does not know still gets one).
fn rule(id: &str) -> Value {
    match crate::codes::find(id) {
        Some(code) => json!({
            "id": code.code,
            "name": code.name,
            "shortDescription": { "text": code.summary() },
            "fullDescription": { "text": code.doc },
            "help": { "text": format!("dhcpfo explain {}", code.code) },
            "defaultConfiguration": { "level": level(code.severity) },
        }),
        None => json!({ "id": id }),
    }
}

fn result(f: &JsonFinding, rule_index: usize) -> Value {
    let mut result = json!({
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": { "text": f.message },
    });
    if let Some(file) = &f.file {
        let mut physical = json!({ "artifactLocation": { "uri": uri(file) } });
        if let (Some(line), Some(column)) = (f.line, f.column) {
            let mut region = json!({ "startLine": line, "startColumn": column });
            if let Some(end) = f.end {
                region["endLine"] = json!(end.line);
                region["endColumn"] = json!(end.column);
            }
            physical["region"] = region;
        }
        result["locations"] = json!([{ "physicalLocation": physical }]);
    }
    if !f.help.is_empty() {
        result["properties"] = json!({ "help": f.help });
    }
    result
}

/// A file name as a URI reference: relative names stay relative (to the directory dhcpfo ran
/// in), absolute ones become `file://` URIs; bytes outside the unreserved set and `/` are
/// percent-encoded.
fn uri(path: &str) -> String {
    let encoded: String = path
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    if path.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded
    }
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn file_names_become_uri_references() {
        assert_eq!(uri("site a/pair.yaml"), "site%20a/pair.yaml");
        assert_eq!(uri("/etc/dhcp/dhcpd.conf"), "file:///etc/dhcp/dhcpd.conf");
        assert_eq!(uri("100%.conf"), "100%25.conf");
    }
}
