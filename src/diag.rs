//! Diagnostics: findings with a stable code, a label at the exact span and a help line,
//! printed like rustc (miette) or as JSON for machines.

use std::fmt;
use std::sync::{Arc, OnceLock};

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode, SourceSpan};
use serde::Serialize;

mod group;
mod output;
mod sarif;

pub use output::{Entry, FindingFormat, render};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; does not stop anything.
    Warning,
    /// dhcpd would refuse the file, or the pair cannot work.
    Error,
}

/// A source file that findings point into.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name shown to the user (the path as given).
    pub name: String,
    /// The full text.
    pub text: Arc<String>,
    /// Byte offsets of the line starts, computed on first use and shared by clones.
    line_starts: Arc<OnceLock<Vec<usize>>>,
}

impl SourceFile {
    /// A named source text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self::shared(name, Arc::new(text.into()))
    }

    /// A named source text that is already shared.
    pub fn shared(name: impl Into<String>, text: Arc<String>) -> Self {
        SourceFile {
            name: name.into(),
            text,
            line_starts: Arc::default(),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        })
    }

    /// Byte offset of a 1-based line and column (in characters); clamped to the text.
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let text = self.text.as_str();
        let line_start = self
            .line_starts()
            .get(line.max(1) - 1)
            .copied()
            .unwrap_or(text.len());
        let rest = text.get(line_start..).unwrap_or("");
        let within = rest
            .char_indices()
            .take_while(|(_, c)| *c != '\n')
            .nth(column.saturating_sub(1))
            .map_or_else(|| rest.find('\n').unwrap_or(rest.len()), |(i, _)| i);
        line_start + within
    }

    /// Widens an empty or one-character span (a collection's opening bracket, say) to the rest
    /// of its line, without a trailing comment, so the label underlines the whole value.
    pub fn widen(&self, span: SourceSpan) -> SourceSpan {
        if span.len() > 1 {
            return span;
        }
        let start = span.offset().min(self.text.len());
        let rest = self.text.get(start..).unwrap_or("");
        let line = rest.split('\n').next().unwrap_or("");
        let line = line.split(" #").next().unwrap_or(line).trim_end();
        if line.is_empty() {
            span
        } else {
            SourceSpan::from(start..start + line.len())
        }
    }

    /// Cuts a plain scalar's span inside a flow collection back to the scalar. A short
    /// scalar there can come with a span that runs on to the end of the collection
    /// (`{ a: 1 }` spanning `1 }`): serde-saphyr gives some, and [`Self::widen`] makes one
    /// of a one-character value (it cannot tell it from a collection's opening bracket).
    /// The span is cut where a plain scalar ends in a flow collection (`,`, `]`, `}`, `: `, a
    /// comment or the line's end), and its trailing blanks dropped. Other spans are
    /// returned as they are.
    pub fn fit_flow_scalar(&self, span: SourceSpan) -> SourceSpan {
        let text = self.text.as_str();
        let start = span.offset().min(text.len());
        let end = (start + span.len()).min(text.len());
        let Some(value) = text.get(start..end) else {
            return span;
        };
        let plain = value
            .chars()
            .next()
            .is_some_and(|c| !"\"'{[|>&*!,]}#".contains(c) && !c.is_whitespace());
        if !plain || !in_flow_collection(text.get(..start).unwrap_or("")) {
            return span;
        }
        let cut = [",", "]", "}", "\n", " #", ": "]
            .iter()
            .filter_map(|end| value.find(end))
            .min()
            .unwrap_or(value.len());
        let len = value[..cut].trim_end().len();
        SourceSpan::from(start..start + len)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let starts = self.line_starts();
        // The last line start at or before the offset.
        let line = starts.partition_point(|&start| start <= offset).max(1);
        let line_start = starts[line - 1];
        let column = self
            .text
            .get(line_start..offset)
            .map_or(0, |s| s.chars().count())
            + 1;
        (line, column)
    }
}

/// Whether the end of `before` (the text up to a node's start) is inside a flow collection:
/// brackets are counted outside quoted scalars and comments, over as many lines as the
/// collection takes. A bracket inside a plain scalar (`a[1]`) counts too; a closed pair
/// changes nothing.
fn in_flow_collection(before: &str) -> bool {
    #[derive(PartialEq)]
    enum In {
        Text,
        Single,
        Double,
        Comment,
    }
    let mut depth = 0u32;
    let mut state = In::Text;
    let mut previous = '\n';
    let mut escaped = false;
    for c in before.chars() {
        let starts_token = previous.is_whitespace() || "[{,:".contains(previous);
        match state {
            In::Comment if c == '\n' => state = In::Text,
            In::Comment => {}
            In::Double if escaped => escaped = false,
            In::Double if c == '\\' => escaped = true,
            In::Double if c == '"' => state = In::Text,
            In::Single if c == '\'' => state = In::Text,
            In::Double | In::Single => {}
            In::Text => match c {
                '#' if previous.is_whitespace() => state = In::Comment,
                '"' if starts_token => state = In::Double,
                '\'' if starts_token => state = In::Single,
                '{' | '[' => depth += 1,
                '}' | ']' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
        previous = c;
    }
    depth > 0
}

/// One problem found in a source file.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Stable rule code, e.g. `DF110`.
    pub code: &'static str,
    /// Severity.
    pub severity: Severity,
    /// One-line message.
    pub message: String,
    /// Primary label: where, and a short text.
    pub span: SourceSpan,
    /// Text of the primary label.
    pub label: String,
    /// Further places involved (e.g. the other half of an overlap).
    pub related: Vec<(SourceSpan, String)>,
    /// How to fix it.
    pub help: String,
}

impl Finding {
    /// An error-level finding.
    pub fn error(code: &'static str, span: SourceSpan, message: impl Into<String>) -> Self {
        Finding {
            code,
            severity: Severity::Error,
            message: message.into(),
            span,
            label: "here".into(),
            related: Vec::new(),
            help: String::new(),
        }
    }

    /// A warning-level finding.
    pub fn warning(code: &'static str, span: SourceSpan, message: impl Into<String>) -> Self {
        Finding {
            severity: Severity::Warning,
            ..Finding::error(code, span, message)
        }
    }

    /// Sets the primary label's text.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = help.into();
        self
    }

    /// Adds a related location.
    pub fn related(mut self, span: SourceSpan, label: impl Into<String>) -> Self {
        self.related.push((span, label.into()));
        self
    }
}

/// A finding bound to its source file, printable by miette.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// The finding.
    pub finding: Finding,
    /// The file it points into.
    pub source: SourceFile,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for Diagnostic {}

impl From<Severity> for miette::Severity {
    fn from(severity: Severity) -> Self {
        match severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        }
    }
}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.finding.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.finding.severity.into())
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.finding.help.is_empty())
            .then(|| Box::new(&self.finding.help) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(self as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary =
            LabeledSpan::new_primary_with_span(Some(self.finding.label.clone()), self.finding.span);
        let related = self
            .finding
            .related
            .iter()
            .map(|(span, text)| LabeledSpan::new_with_span(Some(text.clone()), *span));
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}

impl SourceCode for Diagnostic {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let contents = self.source.text.as_str().read_span(span, before, after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.source.name.clone(),
            contents.data(),
            *contents.span(),
            contents.line(),
            contents.column(),
            contents.line_count(),
        )))
    }
}

/// A 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

/// The one machine-readable shape of a finding, whatever printed it (`--format json` of every
/// command): stable field names. A finding that has no place in a file (a peer that cannot be
/// reached, a usage error) has `file`, `line`, `column` and `end` null; one about a whole file
/// (it cannot be read) has only `file`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonFinding {
    /// Rule or error code, e.g. `DF113`.
    pub code: String,
    /// `error` or `warning`.
    pub severity: Severity,
    /// One-line message.
    pub message: String,
    /// How to fix it (empty when there is nothing to add).
    pub help: String,
    /// File name as given.
    pub file: Option<String>,
    /// 1-based line of the start.
    pub line: Option<usize>,
    /// 1-based column of the start.
    pub column: Option<usize>,
    /// Where the finding's span ends: the position just after its last character.
    pub end: Option<Position>,
}

impl JsonFinding {
    /// A finding of a catalogue entry, with its code and severity, with no place in a file.
    pub fn of(
        entry: &crate::codes::Code,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        JsonFinding {
            severity: entry.severity,
            ..JsonFinding::error(entry.code, message, help)
        }
    }

    /// An error with no place in a file, its code known only when the program runs (a
    /// server's reply, a diagnostic's).
    pub fn error(code: &str, message: impl Into<String>, help: impl Into<String>) -> Self {
        JsonFinding {
            code: code.to_string(),
            severity: Severity::Error,
            message: message.into(),
            help: help.into(),
            file: None,
            line: None,
            column: None,
            end: None,
        }
    }

    /// The same finding, about a whole file.
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// A miette diagnostic (a remote error, a template error...) in this shape: its code,
    /// its message with the causes that follow it, and its help; never terminal drawing.
    pub fn from_miette(diagnostic: &dyn miette::Diagnostic) -> Self {
        let mut message = diagnostic.to_string();
        let mut cause = diagnostic.source();
        while let Some(c) = cause {
            let text = c.to_string();
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            cause = c.source();
        }
        let severity = match diagnostic.severity() {
            Some(miette::Severity::Warning | miette::Severity::Advice) => Severity::Warning,
            _ => Severity::Error,
        };
        JsonFinding {
            severity,
            ..JsonFinding::error(
                &diagnostic
                    .code()
                    .map_or_else(String::new, |c| c.to_string()),
                message,
                diagnostic
                    .help()
                    .map_or_else(String::new, |h| h.to_string()),
            )
        }
    }

    /// The human form: `error[DF501]: message` and an indented help line, without drawing.
    pub fn render_plain(&self) -> String {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut out = format!("{severity}[{}]: ", self.code);
        if let Some(file) = &self.file
            && !self.message.contains(file.as_str())
        {
            out.push_str(&format!("{file}: "));
        }
        out.push_str(&self.message);
        out.push('\n');
        if !self.help.is_empty() {
            out.push_str(&format!("  help: {}\n", self.help));
        }
        out
    }
}

impl Diagnostic {
    /// The JSON shape of this diagnostic.
    pub fn to_json(&self) -> JsonFinding {
        let start = self.finding.span.offset();
        let (line, column) = self.source.line_col(start);
        let (end_line, end_column) = self.source.line_col(start + self.finding.span.len());
        JsonFinding {
            code: self.finding.code.to_string(),
            severity: self.finding.severity,
            message: self.finding.message.clone(),
            help: self.finding.help.clone(),
            file: Some(self.source.name.clone()),
            line: Some(line),
            column: Some(column),
            end: Some(Position {
                line: end_line,
                column: end_column,
            }),
        }
    }

    /// `file:line:column` of the primary label.
    pub fn location(&self) -> String {
        let (line, column) = self.source.line_col(self.finding.span.offset());
        format!("{}:{line}:{column}", self.source.name)
    }
}

/// Output format of a command whose output is a report (diff, deploy, status, leases,
/// import, explain, rules); `check` and `lint` take a [`FindingFormat`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Text for people.
    #[default]
    Human,
    /// One JSON document on standard output, errors included.
    Json,
}

/// Whether to colour output: on a terminal, unless `NO_COLOR` is set.
pub fn use_color(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Renders diagnostics for people, rustc-style. Past the first few findings of one code in
/// one file, the others are listed one line each after the last snippet shown
/// (`... and N more like this`).
pub fn render_human(diagnostics: &[Diagnostic], color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    let groups = group::Groups::of(diagnostics);
    for (index, d) in diagnostics.iter().enumerate() {
        if !groups.shows_snippet(index) {
            continue;
        }
        render_one(&handler, d, &mut out);
        out.push_str(&groups.rest_after(index, diagnostics));
    }
    out
}

/// One diagnostic as a snippet (or in plain form, when its lines are too long to show).
fn render_one(handler: &GraphicalReportHandler, d: &Diagnostic, out: &mut String) {
    if touches_long_line(d) {
        // miette's snippet layout cannot handle very long lines; print the plain form.
        let f = &d.finding;
        out.push_str(&format!(
            "{}: {}\n  --> {}\n",
            f.code,
            f.message,
            d.location()
        ));
        if !f.help.is_empty() {
            out.push_str(&format!("  help: {}\n", f.help));
        }
        out.push('\n');
        return;
    }
    if handler.render_report(out, d).is_err() {
        out.push_str(&format!("{}: {}\n", d.finding.code, d.finding.message));
    }
    out.push('\n');
}

/// Lines longer than this are not shown as snippets.
const MAX_SNIPPET_LINE: usize = 400;

/// Whether a span of the diagnostic lies on (or reaches) a line too long to show as a snippet.
fn touches_long_line(d: &Diagnostic) -> bool {
    let text = d.source.text.as_str();
    let spans = std::iter::once(d.finding.span).chain(d.finding.related.iter().map(|(s, _)| *s));
    spans.into_iter().any(|span| {
        let start = span.offset().min(text.len());
        let end = (span.offset() + span.len()).min(text.len());
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
        line_end - line_start > MAX_SNIPPET_LINE || span.len() > 4 * MAX_SNIPPET_LINE
    })
}

/// Renders diagnostics as a JSON array.
pub fn render_json(diagnostics: &[Diagnostic]) -> String {
    let items: Vec<JsonFinding> = diagnostics.iter().map(Diagnostic::to_json).collect();
    serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into()) + "\n"
}

/// Counts errors and warnings.
pub fn tally(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics
        .iter()
        .filter(|d| d.finding.severity == Severity::Error)
        .count();
    (errors, diagnostics.len() - errors)
}

#[cfg(test)]
mod tests {
    use miette::SourceSpan;

    use super::SourceFile;

    #[test]
    fn line_col_and_offset_of_are_inverse() {
        let file = SourceFile::new("t", "ab\nçd\n\nxyz");
        for (offset, at) in [
            (0, (1, 1)),
            (1, (1, 2)),
            (2, (1, 3)),
            (3, (2, 1)),
            (5, (2, 2)),
            (7, (3, 1)),
            (8, (4, 1)),
            (10, (4, 3)),
        ] {
            assert_eq!(file.line_col(offset), at, "offset {offset}");
            assert_eq!(file.offset_of(at.0, at.1), offset, "line/column {at:?}");
        }
        // Offsets past the end clamp to the end; lines past the end give the text's length.
        assert_eq!(file.line_col(99), (4, 4));
        assert_eq!(file.offset_of(9, 1), file.text.len());
        // Inside a multi-byte character: no panic, a position on the right line.
        assert_eq!(file.line_col(4).0, 2);
    }

    #[test]
    fn a_short_scalar_in_a_flow_mapping_is_cut_back_to_itself() {
        let text = "peers:\n  primary: { address: 1, port: 647 }\n  x: [a, bc ]\nname: a,b}\n";
        let fit = |from: &str, to_end: &str| fitted(text, from, to_end);
        // The spans serde-saphyr gives: to the end of the collection.
        assert_eq!(fit("1, port", " }"), "1");
        assert_eq!(fit("647", " }"), "647");
        assert_eq!(fit("bc ]", "]"), "bc");
        // A block scalar keeps its commas and brackets; a collection keeps its span.
        assert_eq!(fit("a,b}", "}"), "a,b}");
        assert_eq!(fit("{ address", "}"), "{ address: 1, port: 647 }");
        // A collection over several lines, brackets in quotes and comments, a key.
        let text = "f: {\n  n: 'x]', # a ] here\n  m: 0,\n  p: { a: 1 } }\nk: \"{\", v, w\n";
        let fit = |from: &str, to_end: &str| fitted(text, from, to_end);
        assert_eq!(fit("0,", "}"), "0");
        assert_eq!(fit("p: {", "}"), "p");
        assert_eq!(fit("v, w", "w"), "v, w");
        // Out of range: unchanged, no panic.
        let file = SourceFile::new("t", text);
        let past = SourceSpan::from(text.len() + 5..text.len() + 9);
        assert_eq!(file.fit_flow_scalar(past), past);
    }

    /// The text of the span from `from` to the end of the next `to_end`, once fitted.
    fn fitted(text: &str, from: &str, to_end: &str) -> String {
        let file = SourceFile::new("t", text);
        let start = text.find(from).unwrap();
        let end = text[start..].find(to_end).unwrap() + start + to_end.len();
        let span = file.fit_flow_scalar(SourceSpan::from(start..end));
        text[span.offset()..span.offset() + span.len()].to_string()
    }
}
