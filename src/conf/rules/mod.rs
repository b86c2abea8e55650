//! The lint rule registry: every rule has a stable code, a severity, a doc and a check.
//!
//! Rules live one per file: `isc/` holds what ISC dhcpd itself refuses or reads
//! differently than written (DF2xx), `failover/` the failover catalogue (DF3xx). Pair rules
//! (DF4xx) compare two peers' configurations and live in `src/conf/pair/`.

/// Declares a group's rule modules and its registry from one list: each module `dfNNN_...`
/// holds a `RULE`, and `RULES` lists them in the order written (code order, which each
/// group's test checks). A rule written in the list is registered; one left out is not
/// compiled.
macro_rules! rule_modules {
    ($($module:ident),+ $(,)?) => {
        $(mod $module;)+

        /// Every rule of this group, in code order.
        pub(crate) static RULES: &[&$crate::conf::rules::LintRule] = &[$(&$module::RULE),+];
    };
}

pub(crate) mod failover;
pub(crate) mod isc;

use std::cell::OnceCell;
use std::ops::Deref;

use super::ast::Span;
use super::facts::{PeerDecl, peer_decls};
use super::load::Config;
use crate::codes::Code;
use crate::conf::dhcpd::{self, Problem};
use crate::diag::Finding;
use failover::support::Replay;

/// What a rule reads: the configuration (through `Deref`), and the facts that many rules
/// need, computed once per configuration instead of once per rule.
pub struct Context<'a> {
    config: &'a Config,
    peers: OnceCell<Vec<PeerDecl<'a>>>,
    replay: OnceCell<Replay<'a>>,
    isc_problems: OnceCell<Vec<Problem>>,
}

impl<'a> Context<'a> {
    /// A context for linting `config`.
    pub fn new(config: &'a Config) -> Self {
        Context {
            config,
            peers: OnceCell::new(),
            replay: OnceCell::new(),
            isc_problems: OnceCell::new(),
        }
    }

    /// Every `failover peer` declaration, in reading order.
    pub fn peers(&self) -> &[PeerDecl<'a>] {
        self.peers.get_or_init(|| peer_decls(self.config))
    }

    /// The configuration replayed in dhcpd's reading order (peer references, pools...).
    pub(crate) fn replay(&self) -> &Replay<'a> {
        self.replay.get_or_init(|| Replay::of(self.config))
    }

    /// What the replay of dhcpd's own parser found (shared by the DF2xx rules).
    pub(crate) fn isc_problems(&self) -> &[Problem] {
        self.isc_problems.get_or_init(|| {
            let files: Vec<dhcpd::FileView<'_>> = (self.config.files.iter())
                .map(|f| dhcpd::FileView {
                    text: &f.source.text,
                    statements: &f.statements,
                })
                .collect();
            dhcpd::problems(&files)
        })
    }
}

impl Deref for Context<'_> {
    type Target = Config;

    fn deref(&self) -> &Config {
        self.config
    }
}

/// A lint rule run on each file: its catalogue entry and the check that finds it.
#[derive(Debug)]
pub struct LintRule {
    /// Code, name, severity and doc (`dhcpfo lint --explain CODE`).
    pub entry: Code,
    /// The check: reads the configuration and pushes a finding for each place it fails.
    pub check: fn(&Context<'_>, &mut Vec<Lint>),
}

/// A finding in one file of a configuration.
#[derive(Debug, Clone)]
pub struct Lint {
    /// Index of the file in the configuration.
    pub file: usize,
    /// The finding (span relative to that file).
    pub finding: Finding,
}

impl LintRule {
    /// A finding of this rule at `span`; add `.label(..)`, `.help(..)`, `.related(..)` to it.
    pub fn at(&'static self, span: Span, message: impl Into<String>) -> Lint {
        self.entry.lint_at(span, message)
    }
}

impl Code {
    /// A finding of this code at `span` in a file of a configuration, with its severity.
    pub fn lint_at(&self, span: Span, message: impl Into<String>) -> Lint {
        Lint {
            file: span.file,
            finding: self.at(span.source_span(), message),
        }
    }
}

impl Lint {
    /// Sets the label text.
    pub fn label(mut self, text: impl Into<String>) -> Self {
        self.finding = self.finding.label(text);
        self
    }

    /// Sets the help line.
    pub fn help(mut self, text: impl Into<String>) -> Self {
        self.finding = self.finding.help(text);
        self
    }

    /// Adds a related location (shown only when it is in the same file).
    pub fn related(mut self, span: Span, text: impl Into<String>) -> Self {
        if span.file == self.file {
            self.finding = self.finding.related(span.source_span(), text);
        }
        self
    }
}

/// Every single-file rule, in code order.
pub fn all() -> Vec<&'static LintRule> {
    let mut rules: Vec<&'static LintRule> = isc::RULES
        .iter()
        .chain(failover::RULES.iter())
        .copied()
        .collect();
    rules.sort_by_key(|r| r.entry.code);
    rules
}

/// Every code `dhcpfo lint` can report: loading, single-file and pair rules, in code order.
pub fn catalogue() -> Vec<&'static Code> {
    let mut codes: Vec<&'static Code> = super::lint::LOAD_RULES
        .iter()
        .copied()
        .chain(all().into_iter().map(|r| &r.entry))
        .chain(super::pair::rules())
        .collect();
    codes.sort_by_key(|c| c.code);
    codes
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for rule tests: lint a snippet and list the codes found.
    use std::path::Path;

    use super::super::load::Config;
    use super::{Context, LintRule};

    /// Parses `text` (as `test.conf` in the current directory) and runs one rule on it,
    /// returning the messages.
    pub(crate) fn run(rule: &'static LintRule, text: &str) -> Vec<String> {
        let config = Config::from_text(Path::new("test.conf"), text.to_string());
        assert!(
            config.problems.is_empty(),
            "fixture does not parse: {:?}",
            config.problems
        );
        let mut out = Vec::new();
        (rule.check)(&Context::new(&config), &mut out);
        out.into_iter().map(|l| l.finding.message).collect()
    }

    /// Line numbers (1-based) of `rule`'s findings in `text`.
    pub(crate) fn lines(rule: &'static LintRule, text: &str) -> Vec<usize> {
        let config = Config::from_text(Path::new("test.conf"), text.to_string());
        let mut out = Vec::new();
        (rule.check)(&Context::new(&config), &mut out);
        out.iter()
            .map(|l| {
                config.files[l.file]
                    .source
                    .line_col(l.finding.span.offset())
                    .0
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_documented() {
        for rule in catalogue() {
            assert!(rule.doc.trim().len() > 60, "{} needs a real doc", rule.code);
        }
    }
}
