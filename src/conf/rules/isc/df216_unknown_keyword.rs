//! DF216: an unknown word followed by values.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF216: its problems ([`Cause::UnknownKeyword`]) are raised by the replay of dhcpd's reader,
/// [`crate::conf::dhcpd`], in `stmt::default_statement`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF216",
        "unknown-keyword",
        Severity::Error,
        "A statement that starts with a word dhcpd does not know, followed by a value: \
`optoin routers 10.0.0.1;`, `rnage 10.0.0.10 10.0.0.20;`, or `ldap-server \"x\";` in a dhcpd \
built without LDAP (Debian's isc-dhcp-server). dhcpd reads the unknown word as an expression \
and then expects `;`, so it refuses the file (\"semicolon expected\"). Fix the spelling, or remove \
statements the installed dhcpd does not support.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::UnknownKeyword, config, out);
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::isc::testing::lines;

    #[test]
    fn found() {
        assert_eq!(lines(&RULE, "ldap-server \"127.0.0.1\";\n"), [1], "case 0");
        assert_eq!(lines(&RULE, "optoin routers 10.0.0.1;\n"), [1], "case 1");
    }

    #[test]
    fn not_found() {
        assert!(lines(&RULE, "ddns-updates on;\noption routers 10.0.0.1;\n").is_empty());
    }
}
