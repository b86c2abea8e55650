//! The output formats of findings: snippets for people, JSON, SARIF, GitHub workflow
//! annotations and one line per finding. Every format but the human one goes to standard
//! output and carries no terminal drawing.

use super::{Diagnostic, JsonFinding, Severity, render_human};

/// Output format of findings (`check`, `lint`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum FindingFormat {
    /// Annotated source snippets on standard error, for people.
    #[default]
    Human,
    /// One JSON array of findings on standard output.
    Json,
    /// A SARIF 2.1.0 log on standard output, for code scanning and editors.
    Sarif,
    /// GitHub Actions workflow commands on standard output: annotations on the changed lines.
    Github,
    /// One line per finding on standard output: `FILE:LINE:COLUMN: SEVERITY[CODE] MESSAGE`.
    Concise,
}

impl FindingFormat {
    /// Whether findings go to standard output (every format but the human one).
    pub fn is_machine(self) -> bool {
        self != FindingFormat::Human
    }
}

/// A finding to print: placed in a source file, or not (a file that cannot be read, a usage
/// error).
#[derive(Debug, Clone)]
pub enum Entry {
    /// A finding at a span of a source file.
    Placed(Diagnostic),
    /// A finding without a span.
    Unplaced(JsonFinding),
}

impl Entry {
    /// The JSON shape.
    pub fn to_json(&self) -> JsonFinding {
        match self {
            Entry::Placed(d) => d.to_json(),
            Entry::Unplaced(f) => f.clone(),
        }
    }

    /// Its severity.
    pub fn severity(&self) -> Severity {
        match self {
            Entry::Placed(d) => d.finding.severity,
            Entry::Unplaced(f) => f.severity,
        }
    }
}

/// Renders entries in a format. The human form groups alike findings (see
/// [`render_human`]); the others list every finding.
pub fn render(entries: &[Entry], format: FindingFormat, color: bool) -> String {
    match format {
        FindingFormat::Human => human(entries, color),
        FindingFormat::Json => json(entries),
        FindingFormat::Sarif => super::sarif::render(entries),
        FindingFormat::Github => entries.iter().map(|e| github(&e.to_json())).collect(),
        FindingFormat::Concise => entries.iter().map(|e| concise(&e.to_json())).collect(),
    }
}

/// Snippets for the placed findings (grouped within each run between unplaced ones), the plain
/// form for the others, in order.
fn human(entries: &[Entry], color: bool) -> String {
    let mut out = String::new();
    let mut run: Vec<Diagnostic> = Vec::new();
    for entry in entries {
        match entry {
            Entry::Placed(d) => run.push(d.clone()),
            Entry::Unplaced(f) => {
                out.push_str(&render_human(&std::mem::take(&mut run), color));
                out.push_str(&f.render_plain());
                out.push('\n');
            }
        }
    }
    out.push_str(&render_human(&run, color));
    out
}

/// A JSON array of findings.
pub(super) fn json(entries: &[Entry]) -> String {
    let items: Vec<JsonFinding> = entries.iter().map(Entry::to_json).collect();
    serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into()) + "\n"
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// `FILE:LINE:COLUMN: SEVERITY[CODE] MESSAGE` (the place shortened to what is known).
pub(super) fn concise(f: &JsonFinding) -> String {
    let place = match (&f.file, f.line, f.column) {
        (Some(file), Some(line), Some(column)) => format!("{file}:{line}:{column}: "),
        (Some(file), ..) => format!("{file}: "),
        (None, ..) => String::new(),
    };
    let message = f.message.replace(['\n', '\r'], " ");
    format!(
        "{place}{}[{}] {message}\n",
        severity_word(f.severity),
        f.code
    )
}

/// A GitHub Actions workflow command (`::error file=...,line=...::message`), escaped as the
/// runner expects: `%`, CR and LF in the message; also `:` and `,` in the properties.
pub(super) fn github(f: &JsonFinding) -> String {
    let mut properties = Vec::new();
    if let Some(file) = &f.file {
        properties.push(format!("file={}", github_property(file)));
    }
    if let (Some(line), Some(column)) = (f.line, f.column) {
        properties.push(format!("line={line}"));
        properties.push(format!("col={column}"));
        if let Some(end) = f.end {
            properties.push(format!("endLine={}", end.line));
            properties.push(format!("endColumn={}", end.column));
        }
    }
    properties.push(format!("title={}", github_property(&f.code)));
    let mut message = f.message.clone();
    if !f.help.is_empty() {
        message.push_str("\nhelp: ");
        message.push_str(&f.help);
    }
    format!(
        "::{} {}::{}\n",
        severity_word(f.severity),
        properties.join(","),
        github_data(&message)
    )
}

fn github_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escapes_what_the_runner_reads_as_syntax() {
        let f = JsonFinding::error("DF001", "100% broken:\nsee", "fix, then retry")
            .in_file("a,b:c.yaml");
        assert_eq!(
            github(&f),
            "::error file=a%2Cb%3Ac.yaml,title=DF001::100%25 broken:%0Asee%0Ahelp: fix, then retry\n"
        );
    }

    #[test]
    fn concise_is_one_line_with_what_is_known() {
        let f = JsonFinding::error("DF004", "two\nlines", "");
        assert_eq!(concise(&f), "error[DF004] two lines\n");
        assert_eq!(
            concise(&f.in_file("x.conf")),
            "x.conf: error[DF004] two lines\n"
        );
    }
}
