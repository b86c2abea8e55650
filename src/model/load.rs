//! Reading a pair YAML file into the model, with every parse error placed at its YAML line.

use std::path::Path;

use miette::SourceSpan;
use serde_saphyr::{Error as YamlError, Location};

use super::Pair;
use super::check::{DF100, DF101, DF102, DF103, DF104};
use super::types::location_span;
use super::yaml_hints;
use crate::diag::{Diagnostic, Finding, SourceFile};

/// The YAML source of a model and the model read from it.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file the model was read from.
    pub file: SourceFile,
    /// The model.
    pub pair: Pair,
}

/// Why a model could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read at all.
    #[error("cannot read {path}: {error}")]
    Io {
        /// The path as given.
        path: String,
        /// The OS error.
        error: std::io::Error,
    },
    /// The file was read but is not a valid model; the diagnostics say where.
    #[error("{} is not a valid pair model", .0.first().map_or("input", |d| d.source.name.as_str()))]
    Invalid(Vec<Diagnostic>),
}

crate::codes::catalogued_diagnostic!(LoadError {
    Self::Io { .. } => DF001, help("check the path and the file's permissions");
    Self::Invalid(_) => _;
});

/// Reads and parses a model file.
pub fn load_file(path: &Path) -> Result<Source, LoadError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|error| LoadError::Io {
        path: name.clone(),
        error,
    })?;
    match String::from_utf8(bytes) {
        Ok(text) => load_str(&name, text),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let file = SourceFile::new(name, text);
            let finding = DF100
                .at(
                    SourceSpan::from(offset..offset),
                    "the file is not UTF-8 text",
                )
                .label("invalid byte")
                .help("save the file as UTF-8");
            Err(LoadError::Invalid(vec![Diagnostic {
                finding,
                source: file,
            }]))
        }
    }
}

/// Parses a model from text; `name` is shown in diagnostics.
pub fn load_str(name: &str, text: String) -> Result<Source, LoadError> {
    let file = SourceFile::new(name, text);
    match serde_saphyr::from_str_with_options::<Pair>(
        file.text.as_str(),
        yaml_options(file.text.as_str()),
    ) {
        Ok(pair) => Ok(Source { file, pair }),
        Err(err) => {
            let first = hint(&err, &file).unwrap_or_else(|| finding_for(&err, &file));
            let mut findings = super::keys::unknown_keys(file.text.as_str());
            if !findings
                .iter()
                .any(|f| f.span.offset() == first.span.offset())
            {
                findings.push(first);
            }
            findings.sort_by_key(|f| f.span.offset());
            let diags = findings
                .into_iter()
                .map(|finding| Diagnostic {
                    finding,
                    source: file.clone(),
                })
                .collect();
            Err(LoadError::Invalid(diags))
        }
    }
}

/// serde-saphyr options for a model text: no snippets in its errors (diagnostics show the
/// source themselves), and its complexity budget grown with the text's size.
///
/// The default budget (250,000 nodes, 1,000,000 events) caps models at roughly 20,000 hosts;
/// larger files are still bounded, at one node and two events per byte of input, so the work
/// stays linear in the size of the file. Alias and anchor limits keep their defaults.
pub(super) fn yaml_options(text: &str) -> serde_saphyr::options::Options {
    let mut budget = serde_saphyr::budget::Budget::default();
    budget.max_nodes = budget.max_nodes.max(text.len());
    budget.max_events = budget.max_events.max(text.len().saturating_mul(2));
    budget.max_total_scalar_bytes = budget.max_total_scalar_bytes.max(text.len());
    let mut options = serde_saphyr::options::Options::default();
    options.with_snippet = false;
    options.budget = Some(budget);
    options
}

/// Keys of the relationship that admins often put on one peer, as in a hand-written dhcpd.conf.
const RELATIONSHIP_KEYS: &[&str] = &[
    "mclt",
    "split",
    "hba",
    "max-response-delay",
    "max-unacked-updates",
    "load-balance-max-seconds",
];

/// A plainer reason than the parser's, when the text shows one: an empty file, a tab, a key
/// indented to no level or under a value, a number or boolean written as something else.
fn hint(err: &YamlError, file: &SourceFile) -> Option<Finding> {
    if yaml_hints::is_empty(file.text.as_str()) {
        return Some(yaml_hints::empty(file));
    }
    let err = err.without_snippet();
    let span = err
        .location()
        .map_or(SourceSpan::from(0..0), |l| widen(&l, file));
    if strip_location(&err.to_string()).contains("tab")
        && let Some(finding) = yaml_hints::tab(file, true, span.offset())
    {
        return Some(finding);
    }
    if let Some(finding) = yaml_hints::indentation(file) {
        return Some(finding);
    }
    match err {
        YamlError::InvalidScalar { ty, .. } => yaml_hints::wrong_scalar(file, span, ty),
        YamlError::InvalidBooleanStrict { .. } => yaml_hints::wrong_scalar(file, span, "bool"),
        _ => None,
    }
}

fn finding_for(err: &YamlError, file: &SourceFile) -> Finding {
    let err = err.without_snippet();
    let span = err
        .location()
        .map_or(SourceSpan::from(0..0), |l| widen(&l, file));
    match err {
        YamlError::SerdeUnknownField {
            field, expected, ..
        } => unknown_key(field, expected, span),
        YamlError::SerdeUnknownVariant {
            variant, expected, ..
        } => DF101
            .at(span, format!("unknown value `{variant}`"))
            .label("not one of the accepted values")
            .help(
                suggest(variant, expected)
                    .unwrap_or_else(|| format!("expected one of: {}", expected.join(", "))),
            ),
        YamlError::SerdeMissingField { field, .. } => DF103
            .at(span, format!("missing required key `{field}`"))
            .label(format!("`{field}` is required in this mapping"))
            .help(format!(
                "add `{field}:` here; see the YAML reference in README.md"
            )),
        YamlError::Unexpected { expected, .. } => {
            yaml_hints::wrong_structure(file.text.as_str(), span, expected)
        }
        YamlError::SerdeInvalidType { .. }
        | YamlError::SerdeInvalidValue { .. }
        | YamlError::SerdeInvalidLength { .. }
        | YamlError::Message { .. }
        | YamlError::InvalidScalar { .. }
        | YamlError::InvalidBooleanStrict { .. }
        | YamlError::NullIntoString { .. } => {
            let message = strip_location(&err.to_string());
            let message = match yaml_hints::key_at(file.text.as_str(), span) {
                Some(key) if !message.contains(&format!("`{key}`")) => {
                    format!("`{key}`: {message}")
                }
                _ => message,
            };
            DF101
                .at(span, message)
                .label("invalid value")
                .help("fix the value's type or syntax; see the YAML reference in README.md")
        }
        other => DF100
            .at(
                span,
                format!("malformed YAML: {}", strip_location(&other.to_string())),
            )
            .label("YAML syntax error")
            .help("check indentation, colons and brackets around this line"),
    }
}

pub(super) fn unknown_key(field: &str, expected: &[&str], span: SourceSpan) -> Finding {
    if RELATIONSHIP_KEYS.contains(&field) && expected.contains(&"address") {
        return DF104.at(span, format!("`{field}` belongs to the failover relationship, not to a peer"))
            .label("set on a peer")
            .help(format!(
                "move `{field}` under `failover:`; dhcpfo writes mclt, split and hba on the primary only and the other settings on both"
            ));
    }
    let help = suggest(field, expected)
        .unwrap_or_else(|| format!("valid keys here: {}", expected.join(", ")));
    DF102
        .at(span, format!("unknown key `{field}`"))
        .label("not a key of this mapping")
        .help(help)
}

/// "did you mean `x`?" for the closest expected name, if one is close enough.
pub fn suggest(word: &str, expected: &[&str]) -> Option<String> {
    let normalized = word.to_ascii_lowercase().replace('_', "-");
    expected
        .iter()
        .map(|e| (strsim::jaro_winkler(&normalized, e), *e))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, e)| format!("did you mean `{e}`?"))
}

/// A span covering the token at the location (to the end of the word), found by byte offset
/// or, where the parser gives none, by line and column.
fn widen(loc: &Location, file: &SourceFile) -> SourceSpan {
    let span = match loc.span().byte_offset() {
        Some(_) => location_span(loc),
        None => {
            let offset = file.offset_of(loc.line() as usize, loc.column() as usize);
            SourceSpan::from(offset..offset)
        }
    };
    if !span.is_empty() {
        return file.fit_flow_scalar(span);
    }
    let start = span.offset().min(file.text.len());
    let rest = file.text.get(start..).unwrap_or("");
    let len = rest
        .find(['\n', ':', ',', ']', '}'])
        .unwrap_or(rest.len())
        .min(rest.trim_end().len());
    SourceSpan::from(start..start + len)
}

/// serde-saphyr appends " at line N column M" (and, for duplicate keys, advice about its own
/// options) to messages; the label shows the place already.
fn strip_location(message: &str) -> String {
    let cut = message.find(" at line ").unwrap_or(message.len());
    let message = &message[..cut];
    let message = message
        .split(", set DuplicateKeyPolicy")
        .next()
        .unwrap_or(message);
    message.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::{LoadError, load_str};

    const BASE: &str = "failover: { name: fo, mclt: 3600, split: 128 }\npeers:\n  primary: { address: 10.0.0.2 }\n  secondary: { address: 10.0.0.3 }\n";

    fn load(text: String) -> Result<super::Source, String> {
        load_str("test.yaml", text).map_err(|e| match e {
            LoadError::Invalid(diags) => diags
                .iter()
                .map(|d| d.finding.message.clone())
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        })
    }

    #[test]
    fn a_model_larger_than_the_default_parser_budget_loads() {
        // 300,000 scalars: more nodes than serde-saphyr's default budget of 250,000.
        let names = vec!["e"; 300_000].join(", ");
        let text = BASE.replace(
            "address: 10.0.0.2 }",
            &format!("address: 10.0.0.2, interfaces: [{names}] }}"),
        );
        let source = load(text).unwrap();
        assert_eq!(source.pair.peers.primary.interfaces.len(), 300_000);
    }

    /// The one diagnostic of a text that does not load: `line:column`, code and message.
    fn refused(text: &str) -> (String, &'static str, String) {
        match load_str("t.yaml", text.to_string()) {
            Err(LoadError::Invalid(diags)) => {
                let d = &diags[0];
                let (line, column) = d.source.line_col(d.finding.span.offset());
                (
                    format!("{line}:{column}"),
                    d.finding.code,
                    d.finding.message.clone(),
                )
            }
            Ok(_) => panic!("loaded: {text}"),
            Err(e) => panic!("{e}"),
        }
    }

    const MODEL: &str = "failover:\n  name: fo\n  mclt: 1h\n  split: 128\npeers:\n  primary: { address: 10.0.0.2 }\n  secondary: { address: 10.0.0.3 }\nsubnets:\n  - network: 10.0.0.0/24\n    pools:\n      - range: [10.0.0.10, 10.0.0.20]\n";

    #[test]
    fn an_indentation_mistake_is_reported_as_such_at_its_line() {
        let (at, code, message) = refused(&MODEL.replace("  split", "   split"));
        assert_eq!((at.as_str(), code), ("4:4", "DF100"));
        assert!(
            message.contains("`split:` is indented 1 space further than `mclt:`"),
            "{message}"
        );
        let (at, _, message) = refused(&MODEL.replace("    pools:", "     pools:"));
        assert_eq!(at, "10:6");
        assert!(message.contains("`pools:`"), "{message}");
        let (at, _, message) = refused(&MODEL.replace("  mclt", " mclt"));
        assert_eq!(at, "3:2");
        assert!(
            message.contains("lines up with no key above it"),
            "{message}"
        );
    }

    #[test]
    fn a_structure_error_names_the_key_and_how_to_write_it() {
        let (at, code, message) = refused(&MODEL.replace(
            "primary: { address: 10.0.0.2 }",
            "primary: { address: 10.0.0.2, interfaces: eth0 }",
        ));
        assert_eq!(code, "DF101", "{at}");
        assert_eq!(message, "`interfaces` must be a list");
        let (_, _, message) = refused(&MODEL.replace(
            "subnets:\n  - network: 10.0.0.0/24\n    pools:\n      - range: [10.0.0.10, 10.0.0.20]\n",
            "subnets: { network: 10.0.0.0/24 }\n",
        ));
        assert_eq!(message, "`subnets` must be a list");
    }

    #[test]
    fn an_integer_error_gives_the_keys_own_range() {
        let (_, _, message) = refused(&MODEL.replace("split: 128", "split: half"));
        assert_eq!(
            message,
            "`split` must be a whole number from 0 to 256, not half"
        );
    }

    #[test]
    fn a_type_error_names_the_key_and_the_expected_type() {
        let text = MODEL.replace(
            "  split: 128\n",
            "  split: 128\n  max-unacked-updates: \"ten\"\n",
        );
        let (at, code, message) = refused(&text);
        assert_eq!((at.as_str(), code), ("5:24", "DF101"));
        assert_eq!(
            message,
            "`max-unacked-updates` must be a whole number from 0 to 4294967295, not \"ten\""
        );
        let (_, _, message) = refused(&MODEL.replace("mclt: 1h", "mclt: true"));
        assert!(
            message.starts_with("`mclt`: invalid type: boolean"),
            "{message}"
        );
        assert!(message.contains("expected a duration"), "{message}");
    }

    #[test]
    fn a_tab_is_placed_at_its_own_line_and_column() {
        // The parser blames the scalar on the line above; the tab is on line 10, column 1.
        let (at, code, message) = refused(&MODEL.replace("    pools:", "\t  pools:"));
        assert_eq!((at.as_str(), code), ("10:1", "DF100"));
        assert!(message.contains("a tab in the indentation"), "{message}");
        let (at, _, _) = refused(&MODEL.replace("  secondary:", "\tsecondary:"));
        assert_eq!(at, "7:1");
    }

    #[test]
    fn an_empty_or_comments_only_file_is_reported_as_empty() {
        for (text, says) in [
            ("", "the file is empty"),
            ("\n  \n", "the file is empty"),
            (
                "# a comment\n\n# another\n",
                "the file is empty: it holds only comments",
            ),
            (
                "---\n# c\n...\n",
                "the file is empty: it holds only comments",
            ),
        ] {
            let (at, code, message) = refused(text);
            assert_eq!(
                (at.as_str(), code, message.as_str()),
                ("1:1", "DF100", says),
                "{text:?}"
            );
        }
    }

    #[test]
    fn long_runs_of_comment_lines_are_plain_comments() {
        let comments = "# a commented-out line\n".repeat(100);
        let source = load(format!(
            "{comments}{BASE}{comments}subnets:\n{comments}  - network: 10.0.0.0/24\n{comments}"
        ))
        .unwrap();
        assert_eq!(source.pair.subnets.len(), 1);
    }
}
