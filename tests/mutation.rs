//! Mutation test: `dhcpfo lint` must refuse what ISC dhcpd refuses.
//!
//! Takes corpus files that `dhcpd -t` accepts and that include nothing, makes small
//! deterministic mutants of each (drop a semicolon, misspell a statement's first keyword,
//! unbalance a brace; a few per kind at evenly spread places), runs the real
//! `dhcpd -t -4 -cf FILE -lf /dev/null --no-pid` (in a temporary working directory, like the
//! corpus's `check-with-isc.sh`) and `dhcpfo lint` on each, and asserts that:
//!
//! - every mutant dhcpd rejects gets at least one error-level finding from dhcpfo;
//! - every mutant dhcpd still accepts gets no error-level finding (lint must agree both ways).
//!
//! Needs ISC dhcpd (see `common::dhcpd_or_skip`: a skip with a note, a failure when `CI=true`)
//! and the corpus in `../shared/corpus/dhcpd-conf` (a skip with a note when absent).
//!
//! `DHCPFO_MUTATION_FILES` (a number or `all`, default 30) and `DHCPFO_MUTANTS_PER_KIND`
//! (default 3) widen the sweep.

// Tests unwrap freely and share helpers through `pub` items of their own modules; the
// `[lints]` of Cargo.toml are for the library.
#![allow(clippy::unwrap_used, unreachable_pub)]

mod common;

use std::path::Path;

use dhcpfo::conf::Config;
use dhcpfo::conf::lint::{Selection, lint};
use dhcpfo::diag::Severity;

/// Corpus files dhcpd accepts as stored, without include statements, in name order.
fn accepted_files(dir: &Path) -> Vec<(String, String)> {
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("read MANIFEST.tsv");
    let mut lines = manifest.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let file_col = header
        .iter()
        .position(|h| *h == "file")
        .expect("file column");
    let verdict_col = header
        .iter()
        .position(|h| *h == "dhcpd_t")
        .expect("dhcpd_t column");
    let mut out = Vec::new();
    for line in lines {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() <= verdict_col || cols[verdict_col] != "ok" {
            continue;
        }
        let name = cols[file_col];
        let Ok(bytes) = std::fs::read(dir.join("files").join(name)) else {
            continue;
        };
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        if tokens(&text)
            .iter()
            .any(|t| t.kind == Kind::Word && text[t.start..t.end].eq_ignore_ascii_case("include"))
        {
            continue;
        }
        out.push((name.to_string(), text));
    }
    out.sort();
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Word,
    Semi,
    Open,
    Close,
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

/// A rough dhcpd.conf tokenizer: enough to find semicolons, braces and words outside
/// strings and comments.
fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i = (i + 1).min(bytes.len());
                out.push(Token {
                    kind: Kind::Other,
                    start,
                    end: i,
                });
            }
            b';' | b'{' | b'}' => {
                let kind = match c {
                    b';' => Kind::Semi,
                    b'{' => Kind::Open,
                    _ => Kind::Close,
                };
                out.push(Token {
                    kind,
                    start: i,
                    end: i + 1,
                });
                i += 1;
            }
            _ if c.is_ascii_alphanumeric() || c == b'-' || c == b'_' => {
                let start = i;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'-' || bytes[i] == b'_')
                {
                    i += 1;
                }
                let kind = if c.is_ascii_alphabetic() {
                    Kind::Word
                } else {
                    Kind::Other
                };
                out.push(Token {
                    kind,
                    start,
                    end: i,
                });
            }
            _ if c.is_ascii_whitespace() => i += 1,
            _ => {
                let len = text[i..].chars().next().map_or(1, char::len_utf8);
                out.push(Token {
                    kind: Kind::Other,
                    start: i,
                    end: i + len,
                });
                i += len;
            }
        }
    }
    out
}

/// `count` indices spread evenly over `0..n`.
fn spread(n: usize, count: usize) -> Vec<usize> {
    let mut out: Vec<usize> = (1..=count).map(|i| i * n / (count + 1)).collect();
    out.retain(|&i| i < n);
    out.dedup();
    out
}

/// A misspelling of `word`, varied by `variant`.
fn misspell(word: &str, variant: usize) -> String {
    let chars: Vec<char> = word.chars().collect();
    let mut out = chars.clone();
    match variant % 3 {
        0 if chars.len() >= 3 && chars[1] != chars[2] => out.swap(1, 2),
        1 if chars.len() >= 3 => {
            out.pop();
        }
        _ => out.insert(1, 'q'),
    }
    out.into_iter().collect()
}

struct Mutant {
    kind: &'static str,
    line: usize,
    what: String,
    text: String,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

fn mutants(text: &str, per_kind: usize) -> Vec<Mutant> {
    let toks = tokens(text);
    let mut out = Vec::new();
    let splice = |start: usize, end: usize, with: &str| {
        format!("{}{}{}", &text[..start], with, &text[end..])
    };
    // Drop a semicolon.
    let semis: Vec<&Token> = toks.iter().filter(|t| t.kind == Kind::Semi).collect();
    for i in spread(semis.len(), per_kind) {
        let t = semis[i];
        out.push(Mutant {
            kind: "drop-semicolon",
            line: line_of(text, t.start),
            what: "`;` removed".into(),
            text: splice(t.start, t.end, ""),
        });
    }
    // Misspell the first word of a statement.
    let mut firsts = Vec::new();
    let mut previous = Kind::Semi;
    for t in &toks {
        if t.kind == Kind::Word && matches!(previous, Kind::Semi | Kind::Open | Kind::Close) {
            firsts.push(*t);
        }
        previous = t.kind;
    }
    for (n, i) in spread(firsts.len(), per_kind).into_iter().enumerate() {
        let t = firsts[i];
        let word = &text[t.start..t.end];
        let wrong = misspell(word, n);
        out.push(Mutant {
            kind: "misspell-keyword",
            line: line_of(text, t.start),
            what: format!("`{word}` -> `{wrong}`"),
            text: splice(t.start, t.end, &wrong),
        });
    }
    // Unbalance a brace: drop a `}`, drop a `{`, or double a `}`.
    let closes: Vec<&Token> = toks.iter().filter(|t| t.kind == Kind::Close).collect();
    let opens: Vec<&Token> = toks.iter().filter(|t| t.kind == Kind::Open).collect();
    for (n, i) in spread(closes.len().min(opens.len()), per_kind)
        .into_iter()
        .enumerate()
    {
        let (t, what, with) = match n % 3 {
            0 => (closes[i], "`}` removed", ""),
            1 => (opens[i], "`{` removed", ""),
            _ => (closes[i], "`}` doubled", "}}"),
        };
        out.push(Mutant {
            kind: "unbalance-brace",
            line: line_of(text, t.start),
            what: what.into(),
            text: splice(t.start, t.end, with),
        });
    }
    out
}

fn env_count(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Ok(v) if v == "all" => usize::MAX,
        Ok(v) => v.parse().unwrap_or(default),
        Err(_) => default,
    }
}

#[test]
fn lint_refuses_what_dhcpd_refuses() {
    let Some(dir) = common::corpus_or_skip("mutation") else {
        return;
    };
    let Some(dhcpd) = common::dhcpd_or_skip("mutation") else {
        return;
    };
    let files = accepted_files(&dir);
    let wanted = env_count("DHCPFO_MUTATION_FILES", 30).min(files.len());
    let per_kind = env_count("DHCPFO_MUTANTS_PER_KIND", 3).max(1);
    let chosen: Vec<&(String, String)> = if wanted == files.len() {
        files.iter().collect()
    } else {
        (0..wanted)
            .map(|i| &files[i * files.len() / wanted])
            .collect()
    };
    let scratch = tempfile::tempdir().expect("temp dir");
    let cwd = scratch.path().join("cwd");
    std::fs::create_dir_all(&cwd).expect("cwd");
    let (mut total, mut rejected, mut accepted) = (0, 0, 0);
    let mut misses = Vec::new();
    let mut false_alarms = Vec::new();
    for (name, text) in &chosen {
        for (k, m) in mutants(text, per_kind).into_iter().enumerate() {
            total += 1;
            let path = scratch.path().join(format!("m{k}-{name}"));
            std::fs::write(&path, &m.text).expect("write mutant");
            let verdict = common::dhcpd_verdict(&dhcpd, &path, &cwd);
            let config = Config::from_text(&path, m.text.clone());
            let diags = lint(&config, &Selection::default());
            let errors: Vec<String> = diags
                .iter()
                .filter(|d| d.finding.severity == Severity::Error)
                .map(|d| {
                    let line = d.source.line_col(d.finding.span.offset()).0;
                    format!("{} line {line}: {}", d.finding.code, d.finding.message)
                })
                .collect();
            let _ = std::fs::remove_file(&path);
            let id = format!("{name} [{}] line {}: {}", m.kind, m.line, m.what);
            match verdict {
                Err(message) => {
                    rejected += 1;
                    if errors.is_empty() {
                        misses.push(format!("{id}\n    dhcpd: {message}"));
                    }
                }
                Ok(()) => {
                    accepted += 1;
                    if !errors.is_empty() {
                        false_alarms.push(format!("{id}\n    dhcpfo: {}", errors.join(" | ")));
                    }
                }
            }
        }
    }
    println!(
        "mutation: {} files, {total} mutants; dhcpd rejected {rejected}, accepted {accepted}",
        chosen.len()
    );
    println!(
        "dhcpfo: {} of {rejected} rejected mutants flagged with an error; {} of {accepted} accepted \
         mutants flagged with an error",
        rejected - misses.len(),
        false_alarms.len()
    );
    for m in &misses {
        println!("MISSED {m}");
    }
    for f in &false_alarms {
        println!("FALSE ALARM {f}");
    }
    assert!(
        misses.is_empty() && false_alarms.is_empty(),
        "{} mutant(s) dhcpd refuses pass dhcpfo lint; {} mutant(s) dhcpd accepts get an error \
         (run with --nocapture for the list)",
        misses.len(),
        false_alarms.len()
    );
}
