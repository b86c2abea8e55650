//! Diagnostics: findings with a stable code, a label at the exact span and a help line,
//! printed like rustc (miette) or as JSON for machines.

use std::fmt;
use std::sync::{Arc, OnceLock};

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode, SourceSpan};
use serde::Serialize;

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

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.finding.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
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

/// The machine-readable shape of a finding (`--format json`): stable field names.
#[derive(Debug, Clone, Serialize)]
pub struct JsonFinding<'a> {
    /// Rule code.
    pub code: &'a str,
    /// `error` or `warning`.
    pub severity: Severity,
    /// File name as given.
    pub file: &'a str,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// One-line message.
    pub message: &'a str,
    /// How to fix it.
    pub help: &'a str,
}

impl Diagnostic {
    /// The JSON shape of this diagnostic.
    pub fn to_json(&self) -> JsonFinding<'_> {
        let (line, column) = self.source.line_col(self.finding.span.offset());
        JsonFinding {
            code: self.finding.code,
            severity: self.finding.severity,
            file: &self.source.name,
            line,
            column,
            message: &self.finding.message,
            help: &self.finding.help,
        }
    }

    /// `file:line:column` of the primary label.
    pub fn location(&self) -> String {
        let (line, column) = self.source.line_col(self.finding.span.offset());
        format!("{}:{line}:{column}", self.source.name)
    }
}

/// Output format for findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Annotated source snippets for people.
    #[default]
    Human,
    /// One JSON array of findings.
    Json,
}

/// Whether to colour output: on a terminal, unless `NO_COLOR` is set.
pub fn use_color(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Renders diagnostics for people, rustc-style.
pub fn render_human(diagnostics: &[Diagnostic], color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    for d in diagnostics {
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
            continue;
        }
        if handler.render_report(&mut out, d).is_err() {
            out.push_str(&format!("{}: {}\n", d.finding.code, d.finding.message));
        }
        out.push('\n');
    }
    out
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
    let items: Vec<JsonFinding<'_>> = diagnostics.iter().map(Diagnostic::to_json).collect();
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
}
