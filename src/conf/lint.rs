//! Running the lint rules over a configuration: problems from loading, rule findings,
//! `--select`/`--ignore` and inline `# dhcpfo: ignore CODE` comments.

use super::load::{Config, LoadProblem};
use super::rules::{self, Lint, LintRule};
use crate::diag::{Diagnostic, Finding, Severity};

/// Which rules run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only codes starting with one of these (all when empty), e.g. `DF3` or `DF301`.
    pub select: Vec<String>,
    /// Never codes starting with one of these.
    pub ignore: Vec<String>,
}

impl Selection {
    /// Whether a code is selected.
    pub fn allows(&self, code: &str) -> bool {
        let matches = |prefixes: &[String]| {
            prefixes.iter().any(|p| {
                code.to_ascii_uppercase()
                    .starts_with(&p.to_ascii_uppercase())
            })
        };
        (self.select.is_empty() || matches(&self.select)) && !matches(&self.ignore)
    }
}

/// Loading problems as rules, so `--explain` documents them too.
pub static DF200: LintRule = LintRule {
    code: "DF200",
    name: "syntax-error",
    severity: Severity::Error,
    doc: "The file does not follow dhcpd.conf syntax: a missing `;`, an unbalanced brace, a \
misspelled keyword, a value of the wrong form (a quoted address, an unquoted file name with \
dots), or `};` after a block. dhcpd refuses the whole file (\"Configuration file errors \
encountered\"). The label points where dhcpd would stop reading; no other rule runs on a file \
that does not parse.",
    check: |_, _| {},
};

/// An include that cannot be read.
pub static DF201: LintRule = LintRule {
    code: "DF201",
    name: "missing-include",
    severity: Severity::Error,
    doc: "An `include` names a file that does not exist or cannot be read. dhcpd stops at once \
(\"Can't open FILE\"). dhcpfo resolves relative include paths against the including file's \
folder; dhcpd resolves them against its working directory, so prefer absolute paths.",
    check: |_, _| {},
};

/// An include cycle.
pub static DF202: LintRule = LintRule {
    code: "DF202",
    name: "include-cycle",
    severity: Severity::Error,
    doc: "An `include` names a file that is already being read (directly or through other \
includes), or includes nest deeper than 32 levels. dhcpd would read the files again and \
again until it runs out of resources.",
    check: |_, _| {},
};

/// The loading-stage rules.
pub static LOAD_RULES: [&LintRule; 3] = [&DF200, &DF201, &DF202];

/// Lints a configuration and returns its diagnostics, sorted by file and position.
pub fn lint(config: &Config, selection: &Selection) -> Vec<Diagnostic> {
    let mut found: Vec<Lint> = config.problems.iter().map(problem).collect();
    if config.problems.is_empty() {
        for rule in rules::all() {
            if selection.allows(rule.code) {
                (rule.check)(config, &mut found);
            }
        }
    }
    to_diagnostics(config, found, selection)
}

/// Turns findings into diagnostics, dropping unselected codes and inline-ignored findings.
pub fn to_diagnostics(config: &Config, found: Vec<Lint>, selection: &Selection) -> Vec<Diagnostic> {
    let mut found: Vec<Lint> = found
        .into_iter()
        .filter(|l| l.finding.code.starts_with("DF20") || selection.allows(l.finding.code))
        .filter(|l| !ignored_inline(config, l))
        .collect();
    found.sort_by_key(|l| (l.file, l.finding.span.offset(), l.finding.code));
    found.dedup_by(|a, b| {
        a.file == b.file
            && a.finding.span == b.finding.span
            && a.finding.code == b.finding.code
            && a.finding.message == b.finding.message
    });
    found
        .into_iter()
        .filter_map(|l| {
            let source = config.files.get(l.file)?.source.clone();
            Some(Diagnostic {
                finding: l.finding,
                source,
            })
        })
        .collect()
}

fn problem(p: &LoadProblem) -> Lint {
    match p {
        LoadProblem::Syntax(e) => DF200
            .at(e.span, e.message.clone())
            .label("here")
            .help(e.help.clone()),
        LoadProblem::MissingInclude { span, path, error } => DF201
            .at(
                *span,
                format!("cannot open included file `{path}`: {error}"),
            )
            .label("dhcpd stops here")
            .help("fix the path (absolute paths are safest) or create the file"),
        LoadProblem::IncludeCycle { span, path } => DF202
            .at(*span, format!("`{path}` is already being included"))
            .label("include cycle")
            .help("remove the include that leads back to a file being read"),
    }
}

/// Whether a `# dhcpfo: ignore CODE[, CODE]` comment on the finding's line, or alone on the
/// line above it, names the finding's code.
fn ignored_inline(config: &Config, lint: &Lint) -> bool {
    let Some(file) = config.files.get(lint.file) else {
        return false;
    };
    let text = file.source.text.as_str();
    let offset = lint.finding.span.offset().min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let this_line = &text[line_start..line_end];
    let previous = text[..line_start.saturating_sub(1)]
        .rsplit('\n')
        .next()
        .filter(|l| l.trim_start().starts_with('#'))
        .unwrap_or("");
    [this_line, previous]
        .iter()
        .any(|line| names_code(line, lint.finding.code))
}

fn names_code(line: &str, code: &str) -> bool {
    let Some(at) = line.find("dhcpfo: ignore") else {
        return false;
    };
    if !line[..at].contains('#') {
        return false;
    }
    line[at + "dhcpfo: ignore".len()..]
        .split(|c: char| c == ',' || c.is_whitespace())
        .any(|c| c.eq_ignore_ascii_case(code))
}

/// A finding that is not a rule's: used by pair lint for whole-file notes.
pub fn note(code: &'static str, file: usize, span: super::ast::Span, message: String) -> Lint {
    Lint {
        file,
        finding: Finding::error(code, span.source_span(), message),
    }
}
