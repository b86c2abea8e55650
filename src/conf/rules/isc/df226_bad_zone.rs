//! DF226: a bad zone declaration.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF226: its problems ([`Cause::ZoneDeclaration`]) are raised by the replay of dhcpd's reader,
/// [`crate::conf::dhcpd`], in `decl::zone_statement`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF226",
        "bad-zone",
        Severity::Error,
        "A `zone` declaration dhcpd refuses: a statement other than `primary`, `secondary`, \
`primary6`, `secondary6` and `key` (dhcpd stops at it: \"expecting right brace\"), the same kind \
of server line twice (\"more than one primary\"; list the servers in one line, comma-separated), \
or a server that is not an address or host name. Write `zone example.com. { primary \
192.0.2.53; key NAME; }`.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::ZoneDeclaration, config, out);
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::isc::testing::lines;

    #[test]
    fn found() {
        assert_eq!(
            lines(&RULE, "zone example.com. {\n  primery 10.0.0.1;\n}\n"),
            [2],
            "case 0"
        );
        assert_eq!(
            lines(
                &RULE,
                "zone example.com. {\n  primary 10.0.0.1;\n  primary 10.0.0.2;\n}\n"
            ),
            [3],
            "case 1"
        );
    }

    #[test]
    fn not_found() {
        assert!(lines(&RULE, "zone example.com. {\n  primary 10.0.0.1, 10.0.0.2;\n  secondary ns2.example.com;\n}\n").is_empty());
    }
}
