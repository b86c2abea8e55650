//! Running the lint rules over a configuration: problems from loading, rule findings,
//! `--select`/`--ignore` and inline `# dhcpfo: ignore CODE` comments.

use std::collections::HashMap;

use super::ast::Span;
use super::load::{Config, LoadProblem};
use super::rules::{self, Lint};
use crate::diag::Diagnostic;

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
        // Case-insensitive prefix match, without allocating (this runs once per finding).
        let matches = |prefixes: &[String]| {
            prefixes.iter().any(|p| {
                code.len() >= p.len()
                    && code.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
            })
        };
        (self.select.is_empty() || matches(&self.select)) && !matches(&self.ignore)
    }
}

// The loading problems, declared as rules so that `--explain` documents them too.
crate::codes::declare_codes! {
    /// The codes of the loading stage: syntax, includes.
    pub LOAD_RULES = lint_rule;
    DF200 {
        name: "syntax-error",
        severity: Error,
        doc: "The file does not follow dhcpd.conf syntax: a missing `;`, an unbalanced brace, a \
misspelled keyword, a value of the wrong form (a quoted address, an unquoted file name with \
dots), or `};` after a block. dhcpd refuses the whole file (\"Configuration file errors \
encountered\"). The label points where dhcpd would stop reading; no other rule runs on a file \
that does not parse.",
    }
    DF201 {
        name: "missing-include",
        severity: Error,
        doc: "An `include` names a file that does not exist or cannot be read. dhcpd stops at once \
(\"Can't open FILE\"). dhcpfo resolves relative include paths against the including file's \
folder; dhcpd resolves them against its working directory, so prefer absolute paths.",
    }
    DF202 {
        name: "include-cycle",
        severity: Error,
        doc: "An `include` names a file that is already being read (directly or through other \
includes), or includes nest deeper than 32 levels. dhcpd would read the files again and \
again until it runs out of resources.",
    }
}

/// Lints a configuration and returns its diagnostics, sorted by file and position.
pub fn lint(config: &Config, selection: &Selection) -> Vec<Diagnostic> {
    let mut found: Vec<Lint> = config.problems.iter().map(problem).collect();
    let context = rules::Context::new(config);
    if config.problems.is_empty() {
        for rule in rules::all() {
            if selection.allows(rule.entry.code) {
                (rule.check)(&context, &mut found);
            }
        }
    } else if let Some(stop) = include_stop(config) {
        // dhcpd stops at an include it cannot read, but reports what it found before it
        // first: those findings (what dhcpd itself refuses) are kept.
        for rule in rules::isc::RULES {
            if selection.allows(rule.entry.code) {
                let mut before = Vec::new();
                (rule.check)(&context, &mut before);
                found.extend(
                    before
                        .into_iter()
                        .filter(|l| l.file == stop.file && l.finding.span.offset() < stop.start),
                );
            }
        }
    }
    to_diagnostics(config, found, selection)
}

/// Where dhcpd stops reading when the only load problems are includes it cannot read: the
/// first such include.
fn include_stop(config: &Config) -> Option<Span> {
    let mut stops = config.problems.iter().map(|p| match p {
        LoadProblem::Syntax(_) => None,
        LoadProblem::MissingInclude { span, .. } | LoadProblem::IncludeCycle { span, .. } => {
            Some(*span)
        }
    });
    let first = stops.next()??;
    stops.all(|s| s.is_some()).then_some(first)
}

/// Turns findings into diagnostics, dropping unselected codes and inline-ignored findings.
pub fn to_diagnostics(config: &Config, found: Vec<Lint>, selection: &Selection) -> Vec<Diagnostic> {
    let mut inline = InlineIgnores::new(config);
    let mut found: Vec<Lint> = found
        .into_iter()
        .filter(|l| l.finding.code.starts_with("DF20") || selection.allows(l.finding.code))
        .filter(|l| !inline.ignores(l))
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
            .lint_at(e.span, e.message.clone())
            .label("here")
            .help(e.help.clone()),
        LoadProblem::MissingInclude { span, path, error } => DF201
            .lint_at(
                *span,
                format!("cannot open included file `{path}`: {error}"),
            )
            .label("dhcpd stops here")
            .help(if path.starts_with('/') {
                "fix the path or create the file; for a tree rendered or copied elsewhere \
                 (`render --layout split --out DIR`), `lint --root DIR` reads absolute \
                 includes under DIR"
            } else {
                "fix the path (absolute paths are safest) or create the file"
            }),
        LoadProblem::IncludeCycle { span, path } => DF202
            .lint_at(*span, format!("`{path}` is already being included"))
            .label("include cycle")
            .help("remove the include that leads back to a file being read"),
    }
}

/// Whether a word of an inline ignore comment names `code`: the code itself or a prefix of it
/// that starts with `DF` (`DF3` for every failover rule), as `--ignore` takes.
fn names_code(word: &str, code: &str) -> bool {
    word.get(..2)
        .is_some_and(|df| df.eq_ignore_ascii_case("DF"))
        && code
            .get(..word.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(word))
}

/// The marker of an inline ignore comment.
const IGNORE_MARKER: &str = "dhcpfo: ignore";

/// The `# dhcpfo: ignore CODE[, CODE]` comments of a configuration's files, read once per file
/// (and only for files with findings), so each finding is looked up in logarithmic time
/// rather than by rescanning its line: a long line with many findings stays linear.
struct InlineIgnores<'a> {
    config: &'a Config,
    /// Per file index, once read.
    files: Vec<Option<FileIgnores<'a>>>,
}

/// The ignore comments of one file.
#[derive(Default)]
struct FileIgnores<'a> {
    /// Byte offset where each line starts (empty when the file has no ignore comment).
    line_starts: Vec<usize>,
    /// Lines (by index) that hold the marker.
    marked: HashMap<usize, MarkedLine<'a>>,
}

/// A line holding the marker.
struct MarkedLine<'a> {
    /// Whether the line is a comment alone (only then does it cover the line below).
    comment_only: bool,
    /// The words after the first marker when a `#` precedes it; `None` when none does.
    words: Option<Vec<&'a str>>,
}

impl<'a> InlineIgnores<'a> {
    fn new(config: &'a Config) -> Self {
        InlineIgnores {
            config,
            files: Vec::new(),
        }
    }

    /// Whether a `# dhcpfo: ignore CODE[, CODE]` comment on the finding's line, or alone on
    /// the line above it, names the finding's code.
    fn ignores(&mut self, lint: &Lint) -> bool {
        let Some(file) = self.config.files.get(lint.file) else {
            return false;
        };
        if self.files.len() <= lint.file {
            self.files.resize_with(lint.file + 1, || None);
        }
        let ignores = self.files[lint.file]
            .get_or_insert_with(|| FileIgnores::read(file.source.text.as_str()));
        if ignores.marked.is_empty() {
            return false;
        }
        let offset = lint.finding.span.offset();
        // The line holding `offset`: the last line start at or before it.
        let line = ignores.line_starts.partition_point(|&s| s <= offset) - 1;
        let code = lint.finding.code;
        let names = |m: &MarkedLine<'_>| {
            m.words
                .as_ref()
                .is_some_and(|w| w.iter().any(|c| names_code(c, code)))
        };
        ignores.marked.get(&line).is_some_and(names)
            || (line > 0
                && ignores
                    .marked
                    .get(&(line - 1))
                    .is_some_and(|m| m.comment_only && names(m)))
    }
}

impl<'a> FileIgnores<'a> {
    fn read(text: &'a str) -> Self {
        if !text.contains(IGNORE_MARKER) {
            return FileIgnores::default();
        }
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        line_starts.extend(
            bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        );
        let mut marked = HashMap::new();
        for (at, _) in text.match_indices(IGNORE_MARKER) {
            let line = line_starts.partition_point(|&s| s <= at) - 1;
            if marked.contains_key(&line) {
                // Only the first marker of a line counts.
                continue;
            }
            let start = line_starts[line];
            let end = line_starts
                .get(line + 1)
                .map_or(text.len(), |next| next - 1);
            let this_line = &text[start..end];
            let words = text[start..at].contains('#').then(|| {
                text[at + IGNORE_MARKER.len()..end]
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .collect()
            });
            marked.insert(
                line,
                MarkedLine {
                    comment_only: this_line.trim_start().starts_with('#'),
                    words,
                },
            );
        }
        FileIgnores {
            line_starts,
            marked,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn findings_before_a_missing_include_are_kept() {
        let text = "subnet 10.0.0.0 netmask 255.255.255.0 {\n  range 10.0.1.1 10.0.1.9;\n}\n\
                    include \"/nonexistent/dhcpfo-test.conf\";\n\
                    subnet 10.0.2.0 netmask 255.255.255.0 {\n  range 10.0.3.1 10.0.3.9;\n}\n";
        let config = Config::from_text(Path::new("main.conf"), text.to_string());
        let found: Vec<(&str, usize)> = lint(&config, &Selection::default())
            .iter()
            .map(|d| (d.finding.code, d.source.line_col(d.finding.span.offset()).0))
            .collect();
        // The range outside its subnet on line 2 (before the include), the include on line 4,
        // and nothing after it: dhcpd never reads that far.
        assert_eq!(found, [("DF205", 2), ("DF201", 4)]);
    }

    /// The per-finding line scan that [`InlineIgnores`] replaces, kept as the reference for
    /// its behaviour.
    fn reference(text: &str, offset: usize, code: &str) -> bool {
        fn names_code(line: &str, code: &str) -> bool {
            let Some(at) = line.find("dhcpfo: ignore") else {
                return false;
            };
            if !line[..at].contains('#') {
                return false;
            }
            line[at + "dhcpfo: ignore".len()..]
                .split(|c: char| c == ',' || c.is_whitespace())
                .any(|c| super::names_code(c, code))
        }
        let offset = offset.min(text.len());
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
            .any(|line| names_code(line, code))
    }

    fn finding(file: usize, offset: usize, code: &'static str) -> Lint {
        Lint {
            file,
            finding: crate::diag::Finding::error(
                code,
                miette::SourceSpan::new(offset.into(), 0),
                "m",
            ),
        }
    }

    #[test]
    fn inline_ignores_agree_with_the_line_scan() {
        let texts = [
            "",
            "mclt 1800;",
            "mclt 1800; # dhcpfo: ignore DF301\n",
            "# dhcpfo: ignore DF301\nmclt 1800;\n",
            "  # dhcpfo: ignore DF327, DF301\n  mclt 1800;\n",
            "# dhcpfo: ignore DF301\n\nmclt 1800;\n",
            "mclt 1800; dhcpfo: ignore DF301\n",
            "mclt 1800; dhcpfo: ignore DF300 # dhcpfo: ignore DF301\n",
            "x; # dhcpfo: ignore DF300\ny; # dhcpfo: ignore DF301\n",
            "x; # a comment, dhcpfo: ignore df301,DF300\r\ny;\r\n# dhcpfo: ignore DF301\r\n",
            "# dhcpfo: ignoreDF301\nz;\n# dhcpfo: ignore DF3\n",
            "é; # dhcpfo: ignore DF301 é\nü;\n# dhcpfo: ignore\n",
            "# dhcpfo: ignore DF301",
            "\n\n# dhcpfo: ignore DF301\n",
        ];
        let codes = ["DF301", "DF300", "DF327", "DF3", "df301"];
        for text in texts {
            let config = Config::from_text(Path::new("test.conf"), text.to_string());
            let mut inline = InlineIgnores::new(&config);
            for offset in
                (0..=text.len() + 2).filter(|o| text.is_char_boundary(*o.min(&text.len())))
            {
                for code in codes {
                    assert_eq!(
                        inline.ignores(&finding(0, offset, code)),
                        reference(text, offset, code),
                        "{text:?} at {offset} for {code}"
                    );
                }
            }
            // A finding in a file the configuration does not have is never ignored.
            assert!(!inline.ignores(&finding(7, 0, "DF301")));
        }
    }

    #[test]
    fn selection_prefixes_ignore_case() {
        let s = Selection {
            select: vec!["df3".into()],
            ignore: vec!["DF31".into(), "é".into()],
        };
        assert!(s.allows("DF301"));
        assert!(s.allows("df322"));
        assert!(!s.allows("DF312"));
        assert!(!s.allows("DF2"));
        assert!(!s.allows("DF200"));
        assert!(Selection::default().allows("DF200"));
        let all = Selection {
            select: vec![String::new()],
            ignore: Vec::new(),
        };
        assert!(all.allows("DF401"));
    }
}
