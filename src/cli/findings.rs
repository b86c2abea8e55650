//! What `check` and `lint` report over a run of many files: each file's findings (and, for
//! people, its summary line), the problems that stopped a file from being read, and one exit
//! status for the whole run.

use std::io::IsTerminal;

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE};
use crate::diag::{self, Entry, FindingFormat, JsonFinding, Severity};

/// A run's findings, printed as they come (people, one line per finding) or at the end
/// (JSON, SARIF, GitHub).
pub(super) struct Findings {
    format: FindingFormat,
    color: bool,
    /// Kept for the formats printed at the end.
    kept: Vec<Entry>,
    files: usize,
    files_with_errors: usize,
    errors: usize,
    warnings: usize,
    /// Files (or arguments) that could not be read: the run exits with status 2.
    unread: usize,
}

impl Findings {
    pub(super) fn new(format: FindingFormat) -> Findings {
        Findings {
            format,
            color: diag::use_color(std::io::stderr().is_terminal()),
            kept: Vec::new(),
            files: 0,
            files_with_errors: 0,
            errors: 0,
            warnings: 0,
            unread: 0,
        }
    }

    /// The findings of one file (or pair, named `name`); people also get its summary line,
    /// `detail` appended to the counts.
    pub(super) fn file(&mut self, name: &str, entries: Vec<Entry>, detail: &str) {
        let errors = entries
            .iter()
            .filter(|e| e.severity() == Severity::Error)
            .count();
        let warnings = entries.len() - errors;
        self.files += 1;
        self.files_with_errors += usize::from(errors > 0);
        self.errors += errors;
        self.warnings += warnings;
        self.emit(entries);
        if self.shows_summaries() {
            eprintln!("{name}: {errors} error(s), {warnings} warning(s){detail}");
        }
    }

    /// A problem that stopped a file (or the whole run) from being read: a file that cannot be
    /// read, a folder without files, a usage error.
    pub(super) fn problem(&mut self, problem: JsonFinding) {
        self.unread += 1;
        self.emit(vec![Entry::Unplaced(problem)]);
    }

    fn shows_summaries(&self) -> bool {
        matches!(self.format, FindingFormat::Human | FindingFormat::Concise)
    }

    fn emit(&mut self, entries: Vec<Entry>) {
        match self.format {
            FindingFormat::Human => eprint!("{}", diag::render(&entries, self.format, self.color)),
            FindingFormat::Concise => print!("{}", diag::render(&entries, self.format, false)),
            _ => self.kept.extend(entries),
        }
    }

    /// Prints what was kept and the run's totals; returns the exit status of the run: 2 when
    /// something could not be read, else 1 on an error (or a warning, with `deny_warnings`).
    pub(super) fn finish(self, deny_warnings: bool) -> u8 {
        if !self.shows_summaries() {
            print!("{}", diag::render(&self.kept, self.format, false));
        } else if self.files + self.unread > 1 {
            let unread = if self.unread > 0 {
                format!("; {} could not be read", self.unread)
            } else {
                String::new()
            };
            eprintln!(
                "{} file(s): {} error(s), {} warning(s); {} file(s) with errors{unread}",
                self.files, self.errors, self.warnings, self.files_with_errors
            );
        }
        if self.unread > 0 {
            EXIT_USAGE
        } else if self.errors > 0 || (deny_warnings && self.warnings > 0) {
            EXIT_FINDINGS
        } else {
            EXIT_OK
        }
    }
}
