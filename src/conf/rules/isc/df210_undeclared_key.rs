//! DF210: a key used before it is declared.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF210: its problems ([`Cause::UndeclaredKey`]) are raised by the replay of dhcpd's reader,
/// [`crate::conf::dhcpd`], in `decl::zone_statement`, `finish`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF210",
        "undeclared-key",
        Severity::Error,
        "A TSIG key named before its `key` declaration in a `zone` (\"unknown key NAME\"), or an \
`omapi-key` that names no declared key (dhcpd stops: \"OMAPI key NAME: not found\"). The \
declaration (often in an included file such as /etc/bind/rndc.key) must come before the \
zones that use it. Declare the key, or include its file, above the zone.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::UndeclaredKey, config, out);
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
                "zone example.com. {\n  primary 127.0.0.1;\n  key rndc-key;\n}\nkey rndc-key {\n  algorithm hmac-md5;\n  secret \"c2VjcmV0\";\n}\n"
            ),
            [3],
            "case 0"
        );
        assert_eq!(
            lines(&RULE, "omapi-port 7911;\nomapi-key nokey;\n"),
            [2],
            "case 1"
        );
    }

    #[test]
    fn not_found() {
        assert!(lines(&RULE, "key rndc-key {\n  algorithm hmac-md5;\n  secret \"c2VjcmV0\";\n}\nzone example.com. {\n  primary 127.0.0.1;\n  key RNDC-KEY;\n}\n").is_empty());
    }
}
