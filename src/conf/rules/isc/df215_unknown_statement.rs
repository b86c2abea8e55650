//! DF215: an unknown word used as a statement.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF215: its problems ([`Cause::UnknownStatement`]) are raised by the replay of dhcpd's reader,
/// [`crate::conf::dhcpd`], in `stmt::default_statement`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF215",
        "unknown-statement",
        Severity::Warning,
        "A statement that is only an unknown word (`authritative;`), an assignment to one \
(`DHCPDARGS=eth0;`, shell syntax from /etc/default/isc-dhcp-server) or a call of an unknown \
function. dhcpd reads an unknown identifier as an expression statement and accepts it, so the \
file passes `dhcpd -t`, but the statement does nothing: a misspelled `authoritative;` leaves the \
server non-authoritative. Fix the spelling, or remove the line.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::UnknownStatement, config, out);
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::isc::testing::lines;

    #[test]
    fn found() {
        assert_eq!(lines(&RULE, "authritative;\n"), [1], "case 0");
        assert_eq!(lines(&RULE, "DHCPDARGS=eth0;\n"), [1], "case 1");
    }

    #[test]
    fn not_found() {
        assert!(lines(&RULE, "authoritative;\n").is_empty());
    }
}
