//! DF233: a byte 0xFF, where dhcpd stops reading the file.

use crate::codes::Code;
use crate::conf::ast::Span;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF233: found from the byte count [`crate::conf::load`] leaves unread after a byte 0xFF.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF233",
        "reading-stops-at-ff",
        Severity::Warning,
        "The file holds a byte 0xFF outside a comment (`ÿ` in Latin-1, or the first byte of a \
UTF-16 file's byte order mark). dhcpd's lexer takes that byte for the end of the file: everything \
after it is never read, without a word, so the declarations there silently do not exist (a UTF-16 file reads as \
empty, and dhcpd starts with no configuration). Whatever comes before it that is unfinished is \
reported as dhcpd reports it. Save the file as ASCII or UTF-8 and remove the byte.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    for (file, f) in config.files.iter().enumerate() {
        if f.ignored_bytes == 0 {
            continue;
        }
        let end = f.source.text.len();
        out.push(
            RULE.at(
                Span {
                    file,
                    start: end,
                    end,
                },
                format!(
                    "dhcpd stops reading here: a byte 0xFF reads as the end of the file, and the {} byte(s) from it on are ignored",
                    f.ignored_bytes
                ),
            )
            .label("byte 0xFF: dhcpd's end of file")
            .help("save the file as ASCII or UTF-8 (not Latin-1 or UTF-16) and remove the byte"),
        );
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::conf::Config;
    use crate::conf::lint::{Selection, lint};

    fn codes(bytes: &[u8]) -> Vec<(&'static str, usize)> {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("ff.conf");
        std::fs::write(&path, bytes).expect("write");
        let config = Config::load(Path::new(&path)).expect("read");
        lint(&config, &Selection::default())
            .iter()
            .map(|d| (d.finding.code, d.source.line_col(d.finding.span.offset()).0))
            .collect()
    }

    #[test]
    fn found_after_complete_statements() {
        assert_eq!(codes(b"authoritative;\n\xff\nnot read;\n"), [("DF233", 2)]);
        // UTF-16 (little endian): dhcpd reads nothing at all.
        assert_eq!(codes(b"\xff\xfea\x00;\x00"), [("DF233", 1)]);
    }

    #[test]
    fn a_statement_cut_short_is_a_syntax_error() {
        let found = codes(b"authoritative\xff;\n");
        assert!(found.iter().any(|(c, _)| *c == "DF200"), "{found:?}");
    }

    #[test]
    fn not_found() {
        assert!(codes("authoritative; # café\n".as_bytes()).is_empty());
        // In a comment, 0xFF only ends the comment.
        assert!(codes(b"authoritative; # caf\xff\n").is_empty());
    }
}
