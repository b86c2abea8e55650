//! DF225: a bad key declaration.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF225: its problems ([`Cause::KeyDeclaration`]) are raised by the replay of dhcpd's reader,
/// [`crate::conf::dhcpd`], in `decl::key_statement`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF225",
        "bad-key",
        Severity::Error,
        "A `key` declaration dhcpd refuses: a statement other than `algorithm NAME;` and `secret \
BASE64;` (dhcpd stops at it: \"expecting right brace\"), two algorithms or two secrets, a \
missing name, or a key without an algorithm or a secret (dhcpd 4.4.3 crashes reading such a \
key). A secret that is not valid base64 (\"invalid base64 character\", \"partial base64 value \
left over\") is reported here when an include comes before the key, and as a syntax error \
(DF200) otherwise, since dhcpd refuses it while reading. Write `key NAME { algorithm \
hmac-sha256; secret \"...\"; }` with the secret `tsig-keygen` prints.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::KeyDeclaration, config, out);
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::isc::testing::lines;

    #[test]
    fn found() {
        assert_eq!(
            lines(
                &RULE,
                "key k {\n  algoritm hmac-md5;\n  secret \"c2VjcmV0\";\n}\n"
            ),
            [2],
            "case 0"
        );
        assert_eq!(
            lines(
                &RULE,
                "key k {\n  algorithm hmac-md5;\n  algorithm hmac-md5;\n}\n"
            ),
            [3],
            "case 1"
        );
        assert_eq!(
            lines(&RULE, "key k {\n  algorithm hmac-md5;\n}\n"),
            [1],
            "no secret"
        );
    }

    #[test]
    fn not_found() {
        assert!(
            lines(
                &RULE,
                "key k {\n  algorithm hmac-md5;\n  secret \"c2VjcmV0\";\n};\n"
            )
            .is_empty()
        );
    }
}
