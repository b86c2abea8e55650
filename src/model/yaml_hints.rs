//! Plainer reasons for YAML mistakes than the parser's: a file with nothing but comments, a tab
//! in the indentation (at the tab itself), a key indented to no level of the mapping it belongs
//! to, a key read as the continuation of the value above it, and the key a badly typed value
//! belongs to.
//!
//! These look at the text only after the parser refused it, so a valid file is never judged
//! by them.

use miette::SourceSpan;

use crate::diag::{Finding, SourceFile};

use super::check::{DF100, DF101};

/// Whether the text holds no YAML content: only blank lines, comments and document markers.
pub(super) fn is_empty(text: &str) -> bool {
    text.lines().all(|line| {
        let t = line.trim();
        t.is_empty() || t.starts_with('#') || t == "---" || t == "..."
    })
}

/// The finding for a file that holds no model.
pub(super) fn empty(file: &SourceFile) -> Finding {
    let only_comments = !file.text.trim().is_empty();
    let message = if only_comments {
        "the file is empty: it holds only comments"
    } else {
        "the file is empty"
    };
    DF100
        .at(SourceSpan::from(0..0), message)
        .label("no model here")
        .help("a pair model needs at least `failover:` and `peers:`; see examples/lab-pair.yaml")
}

/// One line of block YAML, as far as indentation goes.
struct Line<'a> {
    /// 0-based line index.
    index: usize,
    /// Byte offset of the line in the text.
    start: usize,
    /// Column of the key or value after the indentation and any `- ` markers (0-based).
    column: usize,
    /// The key, when the line is `key:` or `key: value`.
    key: Option<&'a str>,
    /// Whether the line ends with `key:` (a nested block follows) or `- `.
    opens_block: bool,
    /// Whether a block scalar (`|` or `>`) starts after the key.
    block_scalar: bool,
}

fn parse_line(index: usize, start: usize, text: &str) -> Line<'_> {
    let content = text.split(" #").next().unwrap_or(text).trim_end();
    let mut column = content.len() - content.trim_start_matches(' ').len();
    let mut rest = &content[column..];
    while let Some(after) = rest
        .strip_prefix("- ")
        .or_else(|| (rest == "-").then_some(""))
    {
        let spaces = after.len() - after.trim_start_matches(' ').len();
        column += rest.len() - after.len() + spaces;
        rest = &after[spaces..];
    }
    let key = key_of(rest);
    let value = key.map_or("", |k| rest[k.len() + 1..].trim());
    Line {
        index,
        start,
        column,
        key,
        // `key: &anchor` and `key: !tag` open a block as a bare `key:` does.
        opens_block: (key.is_some()
            && (value.is_empty() || (value.starts_with(['&', '!']) && !value.contains(' '))))
            || rest.is_empty(),
        block_scalar: key.is_some()
            && (value.starts_with('|') || value.starts_with('>'))
            && value[1..].chars().all(|c| "+-0123456789".contains(c)),
    }
}

/// The key of `key:` or `key: value` at the start of `rest` (a plain kebab-case word).
fn key_of(rest: &str) -> Option<&str> {
    let end = rest.find(':')?;
    let key = &rest[..end];
    let after = &rest[end + 1..];
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    (plain && (after.is_empty() || after.starts_with(' '))).then_some(key)
}

/// The block lines of the text: blank lines, comments, document markers, block scalar
/// contents and lines inside a flow collection (`[`...`]`, `{`...`}`) are left out.
fn block_lines(text: &str) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut flow_depth: i32 = 0;
    let mut scalar_above: Option<usize> = None;
    for (index, raw) in text.split('\n').enumerate() {
        let line_start = start;
        start += raw.len() + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        let t = raw.trim();
        if t.is_empty() || t.starts_with('#') || t == "---" || t == "..." {
            continue;
        }
        let indent = raw.len() - raw.trim_start_matches(' ').len();
        if let Some(column) = scalar_above {
            if indent > column {
                continue;
            }
            scalar_above = None;
        }
        let in_flow = flow_depth > 0;
        flow_depth += flow_balance(raw);
        if in_flow {
            continue;
        }
        let line = parse_line(index, line_start, raw);
        if line.block_scalar {
            scalar_above = Some(line.column);
        }
        lines.push(line);
    }
    lines
}

/// How many flow brackets a line opens minus those it closes, outside quotes and comments.
fn flow_balance(line: &str) -> i32 {
    let mut depth = 0;
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' => quote = Some(c),
                '#' if previous == ' ' => break,
                '[' | '{' => depth += 1,
                ']' | '}' => depth -= 1,
                _ => {}
            },
        }
        previous = c;
    }
    depth
}

/// The first key indented to a level no enclosing mapping has, or indented under a key that
/// already has a value (YAML then reads it as that value's continuation).
pub(super) fn indentation(file: &SourceFile) -> Option<Finding> {
    let lines = block_lines(file.text.as_str());
    // The open levels: the last line seen at each enclosing column, outermost first.
    let mut levels: Vec<&Line<'_>> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if let (Some(key), Some(above)) = (line.key, i.checked_sub(1).map(|j| &lines[j]))
            && line.column > above.column
            && !above.opens_block
            && let Some(above_key) = above.key
        {
            let extra = line.column - above.column;
            return Some(misplaced(
                file,
                line,
                format!(
                    "`{key}:` is indented {} further than `{above_key}:` above it, so YAML reads it as part of `{above_key}`'s value",
                    spaces(extra)
                ),
                format!("{} too far", spaces(extra)),
                format!(
                    "indent `{key}:` like `{above_key}:` ({} from the line's start)",
                    spaces(above.column)
                ),
            ));
        }
        let mut sibling = None;
        while levels.last().is_some_and(|l| l.column > line.column) {
            sibling = levels.pop();
        }
        let parent = levels.last().copied();
        if let (Some(key), Some(sibling)) = (line.key, sibling)
            && parent.is_none_or(|p| p.column < line.column)
        {
            let sibling_key = sibling.key.unwrap_or("-");
            let help = match parent.and_then(|p| p.key.map(|k| (k, p.column))) {
                Some((parent_key, parent_column)) => format!(
                    "line `{key}:` up with `{sibling_key}:` ({}) if it belongs to `{parent_key}:`, or with `{parent_key}:` ({}) if it is its sibling",
                    spaces(sibling.column),
                    spaces(parent_column)
                ),
                None => format!(
                    "line `{key}:` up with `{sibling_key}:` ({})",
                    spaces(sibling.column)
                ),
            };
            return Some(misplaced(
                file,
                line,
                format!(
                    "`{key}:` is indented {} and lines up with no key above it (`{sibling_key}:` is indented {})",
                    spaces(line.column),
                    spaces(sibling.column)
                ),
                "matches no indentation level".to_string(),
                help,
            ));
        }
        match levels.last_mut() {
            Some(last) if last.column == line.column => *last = line,
            _ => levels.push(line),
        }
    }
    None
}

fn spaces(n: usize) -> String {
    if n == 1 {
        "1 space".into()
    } else {
        format!("{n} spaces")
    }
}

fn misplaced(
    file: &SourceFile,
    line: &Line<'_>,
    message: String,
    label: String,
    help: String,
) -> Finding {
    let start = line.start + line.column;
    let len = line.key.map_or(0, str::len);
    let (number, _) = file.line_col(start);
    debug_assert_eq!(number, line.index + 1);
    DF100
        .at(SourceSpan::from(start..start + len), message)
        .label(label)
        .help(help)
}

/// A tab where YAML allows none: the first tab in a line's indentation, else (when the parser
/// complained of a tab) the first tab at or after `near`. The label is on the tab itself.
pub(super) fn tab(file: &SourceFile, parser_says_tab: bool, near: usize) -> Option<Finding> {
    let text = file.text.as_str();
    let mut start = 0;
    let mut found = None;
    for line in text.split('\n') {
        let indent = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
        if let Some(i) = indent.find('\t')
            && !line.trim().is_empty()
        {
            found = Some((start + i, true));
            break;
        }
        start += line.len() + 1;
    }
    if found.is_none() && parser_says_tab {
        let line_start = text[..char_floor(text, near)]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        found = text[line_start..]
            .find('\t')
            .map(|i| (line_start + i, false));
    }
    let (offset, in_indentation) = found?;
    let message = if in_indentation {
        "a tab in the indentation: YAML indents with spaces only"
    } else {
        "a tab where YAML allows none"
    };
    Some(
        DF100
            .at(SourceSpan::from(offset..offset + 1), message)
            .label("tab")
            .help("replace the tab with spaces (set your editor to insert spaces in YAML files)"),
    )
}

/// `offset`, within the text and moved back to the start of the character it falls in (a
/// parser's offset may point inside a byte-order mark or another multi-byte character).
fn char_floor(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The key whose value starts at `offset`: the last `key:` before it on its line.
pub(super) fn key_before(text: &str, offset: usize) -> Option<&str> {
    let offset = char_floor(text, offset);
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let colon = before.trim_end().strip_suffix(':')?;
    let start = colon
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let key = &colon[start..];
    (!key.is_empty()).then_some(key)
}

/// The key a diagnostic's span belongs to: the key the span covers (`key` of `key:`), or the
/// key whose value the span is.
pub(super) fn key_at(text: &str, span: SourceSpan) -> Option<&str> {
    let end = span.offset() + span.len();
    let covered = text.get(span.offset()..end).unwrap_or("");
    if text.get(end..).is_some_and(|rest| rest.starts_with(':'))
        && key_of(&format!("{covered}:")).is_some()
    {
        return Some(covered);
    }
    key_before(text, span.offset())
}

/// The model's words for a scalar type that serde names.
pub(super) fn type_name(ty: &str) -> Option<&'static str> {
    Some(match ty {
        "u8" => "a whole number from 0 to 255",
        "u16" => "a whole number from 0 to 65535",
        "u32" => "a whole number from 0 to 4294967295",
        "u64" => "a whole number of 0 or more",
        "i32" | "i64" => "a whole number",
        "bool" | "boolean" => "true or false",
        "f32" | "f64" => "a number",
        _ => return None,
    })
}

/// The range the model's JSON Schema gives a key (`split`: 0..256, `port`: 1..65535), when
/// every key of that name in the schema has the same one.
fn schema_range(key: &str) -> Option<(i64, i64)> {
    static RANGES: std::sync::OnceLock<std::collections::HashMap<String, Option<(i64, i64)>>> =
        std::sync::OnceLock::new();
    fn walk(
        v: &serde_json::Value,
        out: &mut std::collections::HashMap<String, Option<(i64, i64)>>,
    ) {
        match v {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::Object(props)) = map.get("properties") {
                    for (name, prop) in props {
                        let bound = |k: &str| prop.get(k).and_then(serde_json::Value::as_i64);
                        if let Some(max) = bound("maximum") {
                            let range = Some((bound("minimum").unwrap_or(0), max));
                            let seen = out.entry(name.clone()).or_insert(range);
                            if *seen != range {
                                *seen = None;
                            }
                        }
                    }
                }
                map.values().for_each(|v| walk(v, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    RANGES
        .get_or_init(|| {
            let mut out = std::collections::HashMap::new();
            if let Ok(schema) = serde_json::from_str(&super::schema::json()) {
                walk(&schema, &mut out);
            }
            out
        })
        .get(key)
        .copied()
        .flatten()
}

/// A value of the wrong scalar type, named by its key.
pub(super) fn wrong_scalar(file: &SourceFile, span: SourceSpan, ty: &str) -> Option<Finding> {
    let text = file.text.as_str();
    let value = text
        .get(span.offset()..span.offset() + span.len())
        .unwrap_or("")
        .trim();
    let key = key_before(text, span.offset());
    let ranged = key
        .and_then(schema_range)
        .filter(|_| ty.starts_with('u') || ty.starts_with('i'))
        .map(|(min, max)| format!("a whole number from {min} to {max}"));
    let expected = match ranged {
        Some(ranged) => ranged,
        None => type_name(ty)?.to_string(),
    };
    let message = match key {
        Some(key) => format!("`{key}` must be {expected}, not {value}"),
        None => format!("expected {expected}, not {value}"),
    };
    let quoted = value.starts_with('"') || value.starts_with('\'');
    let help = match (ty, quoted) {
        ("bool" | "boolean", _) => "write true or false, without quotes".to_string(),
        (_, true) => "write the number in digits, without quotes".to_string(),
        _ => "write the number in digits".to_string(),
    };
    Some(
        DF101
            .at(span, message)
            .label(format!("not {expected}"))
            .help(help),
    )
}

/// A value of the wrong structure (a list where one value belongs, a scalar where a mapping
/// does...), named by its key, with how to write what is expected.
pub(super) fn wrong_structure(text: &str, span: SourceSpan, expected: &str) -> Finding {
    let (what, help) = if expected.contains("sequence") {
        (
            "a list",
            "write a list: `[a, b]` on one line, or one `- item` per line below the key",
        )
    } else if expected.contains("mapping") {
        (
            "keys with values (a mapping)",
            "write `key: value` lines indented below the key, or `{ key: value }` on one line",
        )
    } else {
        (
            "a single value",
            "write one value here, not a list or a mapping",
        )
    };
    let message = match key_at(text, span) {
        Some(key) => format!("`{key}` must be {what}"),
        None => format!("expected {what} here"),
    };
    DF101
        .at(span, message)
        .label(format!("not {what}"))
        .help(format!("{help}; see the YAML reference in README.md"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn indentation_of(text: &str) -> Option<(usize, usize, String)> {
        let file = SourceFile::new("t.yaml", text);
        indentation(&file).map(|f| {
            let (line, column) = file.line_col(f.span.offset());
            (line, column, f.message)
        })
    }

    #[test]
    fn an_offset_inside_a_multibyte_character_is_taken_from_its_start() {
        let text = "\u{feff}failover: [\n";
        assert_eq!(key_before(text, 1), None);
        assert_eq!(key_before(text, 13), Some("failover"));
        let finding = wrong_structure(text, SourceSpan::from(1..2), "mapping start");
        assert_eq!(
            finding.message,
            "expected keys with values (a mapping) here"
        );
    }

    #[test]
    fn valid_layouts_have_no_indentation_finding() {
        for text in [
            "a:\n  b: 1\n  c:\n    - d: 1\n      e: 2\n    - f\nz: 1\n",
            "a: |\n  text: not a key\n    deeper: still text\nb: 1\n",
            "a: [1,\n    2]\nb: { c: 1,\n      d: 2 }\ne: 1\n",
            "list:\n- a: 1\n  b: 2\n- c: 3\n",
            "# c\n\na:\n  b: 1   # x: y\n",
        ] {
            assert_eq!(indentation_of(text), None, "{text}");
        }
    }

    #[test]
    fn a_key_one_space_too_far_is_placed_at_its_own_line() {
        let (line, column, message) =
            indentation_of("failover:\n  mclt: 1h\n   split: 128\n").unwrap();
        assert_eq!((line, column), (3, 4));
        assert!(
            message.contains("`split:` is indented 1 space further than `mclt:`"),
            "{message}"
        );
        let (line, _, message) =
            indentation_of("s:\n  - network: 10.0.0.0/24\n     pools:\n").unwrap();
        assert_eq!(line, 3);
        assert!(
            message.contains("1 space further than `network:`"),
            "{message}"
        );
    }

    #[test]
    fn a_key_at_no_level_is_placed_at_its_own_line() {
        let (line, column, message) = indentation_of("failover:\n  name: fo\n mclt: 1h\n").unwrap();
        assert_eq!((line, column), (3, 2));
        assert!(
            message.contains("lines up with no key above it"),
            "{message}"
        );
        let (line, _, _) = indentation_of("peers:\n   primary: {}\n  secondary: {}\n").unwrap();
        assert_eq!(line, 3);
    }

    #[test]
    fn tabs_are_found_where_they_are() {
        let file = SourceFile::new("t.yaml", "a:\n  b: 1\n\t c: 2\n");
        let f = tab(&file, true, 0).unwrap();
        assert_eq!(file.line_col(f.span.offset()), (3, 1));
        let file = SourceFile::new("t.yaml", "a:\n  b: x\ty\n");
        assert!(tab(&file, false, 0).is_none());
        let f = tab(&file, true, 5).unwrap();
        assert_eq!(file.line_col(f.span.offset()), (2, 7));
    }

    #[test]
    fn the_key_of_a_value() {
        let text = "a:\n  max-unacked-updates: \"ten\"\n  p: { address: x }\n";
        assert_eq!(
            key_before(text, text.find("\"ten").unwrap()),
            Some("max-unacked-updates")
        );
        assert_eq!(key_before(text, text.find("x }").unwrap()), Some("address"));
        assert_eq!(key_before(text, 0), None);
        assert!(is_empty("# only\n\n---\n  # comments\n"));
        assert!(!is_empty("# c\na: 1\n"));
    }
}
