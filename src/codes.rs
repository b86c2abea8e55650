//! Every code dhcpfo can print is a [`Code`]: the code, its name, severity, the commands
//! that print it and its doc. Each is declared once, beside what judges it: the check rules
//! with `declare_codes!` in `model::check`, each lint rule in its own file (`conf/rules/`,
//! `conf/pair/`), the loading and `import` codes with `declare_codes!`, the errors of the
//! commands that render, serve and reach the peers in `codes/runtime.rs`. This module joins
//! those lists ([`all`]): a code declared twice, or not `DF` and three digits, does not build.
//! Findings and errors take their code and severity from their `Code` ([`Code::at`],
//! `Code::lint_at`, `JsonFinding::of`, `catalogued_diagnostic!`); `dhcpfo explain CODE`,
//! `--explain` on every command, `dhcpfo rules` and the README's table read it.

#[cfg(test)]
pub(crate) mod printed;
pub(crate) mod runtime;

use serde::Serialize;

use crate::diag::{Finding, Severity};

/// One code: what it is called, how bad it is, who prints it and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// Stable code, e.g. `DF113`.
    pub code: &'static str,
    /// Short kebab-case name.
    pub name: &'static str,
    /// Severity of what it reports.
    pub severity: Severity,
    /// The commands that print it.
    pub reported_by: &'static str,
    /// What it means, why, and how to fix it.
    pub doc: &'static str,
}

impl Code {
    /// A code with everything said.
    pub(crate) const fn new(
        code: &'static str,
        name: &'static str,
        severity: Severity,
        reported_by: &'static str,
        doc: &'static str,
    ) -> Code {
        Code {
            code,
            name,
            severity,
            reported_by,
            doc,
        }
    }

    /// A rule of `dhcpfo check` (DF001 and DF1xx): reported by `check` and every command that
    /// reads the model first (DF001, an unreadable file, by every command that reads one).
    pub(crate) const fn check_rule(
        code: &'static str,
        name: &'static str,
        severity: Severity,
        doc: &'static str,
    ) -> Code {
        let reported_by = if same(code, "DF001") {
            "every command that reads a file"
        } else {
            "check (and render, diff, deploy, status, serve)"
        };
        Code::new(code, name, severity, reported_by, doc)
    }

    /// A rule of `dhcpfo lint` (DF2xx, DF3xx), of `lint --pair` (DF40x to DF48x) or a
    /// finding of `import` (DF49x): who reports it follows from the range.
    pub(crate) const fn lint_rule(
        code: &'static str,
        name: &'static str,
        severity: Severity,
        doc: &'static str,
    ) -> Code {
        let b = code.as_bytes();
        let reported_by = if b.len() < 4 || b[2] < b'4' {
            "lint, import"
        } else if b[3] < b'9' {
            "lint --pair, import"
        } else {
            "import"
        };
        Code::new(code, name, severity, reported_by, doc)
    }

    /// The first sentence of the doc, on one line.
    pub fn summary(&self) -> String {
        let doc = self.doc.split_whitespace().collect::<Vec<_>>().join(" ");
        first_sentence(&doc).to_string()
    }

    /// A finding of this code at `span`, with its severity.
    pub fn at(&self, span: miette::SourceSpan, message: impl Into<String>) -> Finding {
        Finding {
            severity: self.severity,
            ..Finding::error(self.code, span, message)
        }
    }
}

/// Declares a list of codes, each once: a static named by its code (so the compiler checks
/// every place that names it) made by `Code::$make`, and the list `$list` of them in the order
/// written, with the doc given before it.
macro_rules! declare_codes {
    (
        $(#[$list_doc:meta])*
        $vis:vis $list:ident = $make:ident;
        $($code:ident { name: $name:literal, severity: $severity:ident, doc: $doc:expr $(,)? })+
    ) => {
        $(
            #[doc = concat!("`", stringify!($code), "` (", $name, ").")]
            $vis static $code: $crate::codes::Code = $crate::codes::Code::$make(
                stringify!($code),
                $name,
                $crate::diag::Severity::$severity,
                $doc,
            );
        )+

        $(#[$list_doc])*
        $vis static $list: &[&$crate::codes::Code] = &[$(&$code),+];
    };
}
pub(crate) use declare_codes;

/// Implements `miette::Diagnostic` for an error type from the catalogue: each case names its
/// code's constant in [`runtime`], which gives the code and the severity printed, then its
/// help line, whose format arguments may use the case's fields. `_` in place of a constant
/// prints no code.
///
/// ```ignore
/// catalogued_diagnostic!(RenderError {
///     Self::Template { .. } => TEMPLATE_ERROR, help("fix the template");
///     Self::RelativeSharedPath(path) => RELATIVE_SHARED_PATH, help("{path} is relative");
/// });
/// ```
macro_rules! catalogued_diagnostic {
    ($ty:ty { $($case:pat => $entry:tt $(, help($fmt:literal $(, $arg:expr)*))?;)+ }) => {
        impl miette::Diagnostic for $ty {
            #[allow(unused_variables, clippy::match_single_binding)]
            fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
                match self {
                    $($case => $crate::codes::catalogued_diagnostic!(@code $entry),)+
                }
            }

            #[allow(unused_variables, clippy::match_single_binding)]
            fn severity(&self) -> Option<miette::Severity> {
                match self {
                    $($case => $crate::codes::catalogued_diagnostic!(@severity $entry),)+
                }
            }

            #[allow(unused_variables, clippy::match_single_binding)]
            fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
                match self {
                    $($case => $crate::codes::catalogued_diagnostic!(
                        @help $($fmt $(, $arg)*)?
                    ),)+
                }
            }
        }
    };
    (@code _) => { None };
    (@code $entry:ident) => { Some(Box::new($crate::codes::runtime::$entry.code)) };
    (@severity _) => { None };
    (@severity $entry:ident) => { Some($crate::codes::runtime::$entry.severity.into()) };
    (@help) => { None };
    (@help $fmt:literal $(, $arg:expr)*) => { Some(Box::new(format!($fmt $(, $arg)*))) };
}
pub(crate) use catalogued_diagnostic;

/// The model's check rules (`dhcpfo check --list-rules`), in code order.
pub fn check_rules() -> Vec<Code> {
    let mut rules: Vec<Code> = crate::model::check::RULES.iter().map(|c| **c).collect();
    rules.sort_by_key(|r| r.code);
    rules
}

/// The lint rules, with the pair rules and `import`'s codes (`dhcpfo lint --list-rules`), in
/// code order.
pub fn lint_rules() -> Vec<Code> {
    let mut rules: Vec<Code> = crate::conf::rules::catalogue()
        .into_iter()
        .chain(crate::import::rules::ALL.iter().copied())
        .map(|c| Code {
            doc: c.doc.trim(),
            ..*c
        })
        .collect();
    rules.sort_by_key(|r| r.code);
    rules
}

/// Every code, in code order.
pub fn all() -> Vec<Code> {
    let mut codes: Vec<Code> = check_rules()
        .into_iter()
        .chain(lint_rules())
        .chain(runtime::CODES.iter().copied())
        .collect();
    codes.sort_by_key(|c| c.code);
    codes
}

/// How many registries [`registered`] reads.
const REGISTRIES: usize = 7;

/// The `i`th code of registry `r` (`None` past its end): the registries that [`all`] joins,
/// read when the crate builds.
const fn registered(r: usize, i: usize) -> Option<&'static str> {
    use crate::conf::{lint, pair, rules};
    macro_rules! nth {
        ($list:expr $(, $field:ident)?) => {
            if i < $list.len() {
                Some($list[i]$(.$field)?.code)
            } else {
                None
            }
        };
    }
    match r {
        0 => nth!(crate::model::check::RULES),
        1 => nth!(lint::LOAD_RULES),
        2 => nth!(rules::isc::RULES, entry),
        3 => nth!(rules::failover::RULES, entry),
        4 => {
            if i < pair::CHECKS.len() {
                Some(pair::CHECKS[i].0.code)
            } else {
                None
            }
        }
        5 => nth!(crate::import::rules::ALL),
        _ => nth!(runtime::CODES),
    }
}

/// Whether `code` is `DF` and three digits.
const fn well_formed(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 5
        && b[0] == b'D'
        && b[1] == b'F'
        && b[2].is_ascii_digit()
        && b[3].is_ascii_digit()
        && b[4].is_ascii_digit()
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The first registered code that is not `DF` and three digits, or that is registered again
/// later; `None` when every code is sound.
const fn first_unsound() -> Option<&'static str> {
    let mut r = 0;
    while r < REGISTRIES {
        let mut i = 0;
        while let Some(code) = registered(r, i) {
            if !well_formed(code) {
                return Some(code);
            }
            let mut r2 = r;
            let mut j = i + 1;
            while r2 < REGISTRIES {
                while let Some(other) = registered(r2, j) {
                    if same(code, other) {
                        return Some(code);
                    }
                    j += 1;
                }
                r2 += 1;
                j = 0;
            }
            i += 1;
        }
        r += 1;
    }
    None
}

// A code registered twice, or not DF and three digits, does not build: the error names it
// ("evaluation panicked: DF207").
const _: () = if let Some(code) = first_unsound() {
    panic!("{}", code)
};

/// Looks a code up (case-insensitive).
pub fn find(code: &str) -> Option<Code> {
    all()
        .into_iter()
        .find(|c| c.code.eq_ignore_ascii_case(code.trim()))
}

/// What `dhcpfo explain CODE` prints.
pub fn explain(code: &Code) -> String {
    let severity = severity_word(code.severity);
    let mut text = format!(
        "{} ({}, {severity}; reported by {})\n\n{}\n",
        code.code, code.name, code.reported_by, code.doc
    );
    for other in crate::judgement::paired_with(code.code) {
        let input = if other.starts_with("DF1") {
            "a pair model"
        } else {
            "dhcpd.conf"
        };
        let by = find(other).map_or("", |c| c.reported_by);
        text.push_str(&format!(
            "\nThe same mistake in {input} is {other}, reported by {by}: `dhcpfo explain {other}`.\n"
        ));
    }
    text
}

/// The machine-readable shape of a code (`dhcpfo explain --format json`, `dhcpfo rules
/// --format json`).
#[derive(Debug, Clone, Serialize)]
pub struct JsonCode {
    /// Stable code.
    pub code: &'static str,
    /// Short kebab-case name.
    pub name: &'static str,
    /// `error` or `warning`.
    pub severity: Severity,
    /// The commands that print it.
    pub reported_by: &'static str,
    /// The doc's first sentence.
    pub summary: String,
    /// The whole doc.
    pub doc: &'static str,
    /// The codes of the same mistake in the other kind of input (a pair model for a lint
    /// code, dhcpd.conf for a check code).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub same_mistake: Vec<&'static str>,
}

impl From<&Code> for JsonCode {
    fn from(c: &Code) -> Self {
        JsonCode {
            code: c.code,
            name: c.name,
            severity: c.severity,
            reported_by: c.reported_by,
            summary: c.summary(),
            doc: c.doc,
            same_mistake: crate::judgement::paired_with(c.code),
        }
    }
}

/// Codes as a JSON array.
pub fn json(codes: &[Code]) -> String {
    let items: Vec<JsonCode> = codes.iter().map(JsonCode::from).collect();
    serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into()) + "\n"
}

/// Codes as a Markdown table: code, severity, name, who reports it and the doc's first
/// sentence (the README's table is this, for every code).
pub fn markdown_table(codes: &[Code]) -> String {
    let mut out = String::from(
        "| code | severity | name | reported by | summary |\n| --- | --- | --- | --- | --- |\n",
    );
    for c in codes {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            c.code,
            severity_word(c.severity),
            c.name,
            c.reported_by,
            c.summary().replace('|', "\\|")
        ));
    }
    out
}

/// `first..=last` written for people: `DF001 to DF550`.
pub fn range_text() -> String {
    let codes = all();
    match (codes.first(), codes.last()) {
        (Some(first), Some(last)) => format!("{} to {}", first.code, last.code),
        _ => String::new(),
    }
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The first sentence: up to the first ". " that is not inside backticks or parentheses.
fn first_sentence(doc: &str) -> &str {
    let mut depth = 0i32;
    let mut ticks = false;
    for (i, c) in doc.char_indices() {
        match c {
            '`' => ticks = !ticks,
            '(' if !ticks => depth += 1,
            ')' if !ticks => depth -= 1,
            '.' if !ticks && depth <= 0 && doc[i + 1..].starts_with(' ') => return &doc[..=i],
            _ => {}
        }
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_documented_and_found() {
        let codes = all();
        for c in &codes {
            assert!(c.doc.len() > 60, "{} needs a real doc", c.code);
            assert!(
                !c.name.is_empty() && !c.reported_by.is_empty(),
                "{}",
                c.code
            );
        }
        assert!(find("df113").is_some_and(|c| c.name == "no-load-balance"));
        assert!(find("DF501").is_some_and(|c| c.reported_by.contains("deploy")));
        assert!(find(&format!("DF{}", 999)).is_none(), "no code is made up");
    }

    #[test]
    fn the_build_time_check_reads_every_registry() {
        let mut n = 0;
        for r in 0..REGISTRIES {
            let mut i = 0;
            while registered(r, i).is_some() {
                i += 1;
            }
            assert!(i > 0, "registry {r} is empty");
            n += i;
        }
        assert_eq!(
            n,
            all().len(),
            "a registry of all() is missing from registered()"
        );
    }

    /// The program text of every `.rs` file under `dir` but the catalogue's own: test files
    /// and test modules left out, comments cut off.
    fn program_text_outside_the_catalogue(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.ends_with("codes") || path.ends_with("codes.rs") || path.ends_with("tests.rs") {
                continue;
            }
            if path.is_dir() {
                program_text_outside_the_catalogue(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                let program = text.split("#[cfg(test)]").next().unwrap_or_default();
                let lines = program
                    .lines()
                    .map(|l| l.split("//").next().unwrap_or_default());
                out.push(lines.collect::<Vec<_>>().join("\n"));
            }
        }
    }

    /// Whether `text` uses the runtime constant `name`: by its path (`runtime::NAME`), in an
    /// import from `codes::runtime`, or as a case of `catalogued_diagnostic!` (`=> NAME,`).
    fn uses(text: &str, name: &str) -> bool {
        let imported = text.match_indices("codes::runtime::{").any(|(i, _)| {
            let list = &text[i + "codes::runtime::{".len()..];
            let list = &list[..list.find('}').unwrap_or(list.len())];
            list.split(',').any(|item| item.trim() == name)
        });
        imported
            || [format!("runtime::{name}"), format!("=> {name},")]
                .iter()
                .any(|form| {
                    text.match_indices(form.as_str()).any(|(i, _)| {
                        let after = text.as_bytes().get(i + form.len());
                        !after.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
                    })
                })
    }

    #[test]
    fn the_use_scan_sees_only_uses() {
        let text = "use crate::codes::runtime::{A_B, C};\nx(&runtime::D_E);\n_ => F, help(\"\");";
        for name in ["A_B", "C", "D_E", "F"] {
            assert!(uses(text, name), "{name}");
        }
        for name in ["A", "D", "B", "INTERRUPTED"] {
            assert!(!uses(text, name), "{name}");
        }
        assert!(!uses("\"COMMUNICATIONS-INTERRUPTED\"", "INTERRUPTED"));
    }

    #[test]
    fn every_runtime_code_is_printed_by_name() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut texts = Vec::new();
        program_text_outside_the_catalogue(&src, &mut texts);
        assert!(texts.len() > 100, "read {} files", texts.len());
        assert_eq!(runtime::NAMES.len(), runtime::CODES.len());
        for (name, code) in runtime::NAMES.iter().zip(runtime::CODES) {
            assert!(
                texts.iter().any(|text| uses(text, name)),
                "{} ({name}) is in the catalogue but nothing prints it",
                code.code
            );
        }
    }

    #[test]
    fn the_range_names_the_first_and_the_last_code() {
        let codes = all();
        let text = range_text();
        assert!(text.starts_with(codes[0].code), "{text}");
        assert!(text.ends_with(codes[codes.len() - 1].code), "{text}");
    }
}
