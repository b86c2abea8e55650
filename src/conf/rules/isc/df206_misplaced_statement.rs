//! DF206: a statement where dhcpd does not allow it.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF206: its problems ([`Cause::Misplaced`]) are raised by the replay of dhcpd's reader,
/// [`crate::conf::dhcpd`], in `stmt::statement_inner`, `stmt::misplaced`, `stmt::body_end`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF206",
        "misplaced-statement",
        Severity::Error,
        "A statement in a scope that does not allow it. dhcpd refuses, among others: `range` outside \
a subnet or pool (also in a `group` inside a subnet: \"range declaration not allowed here\"); \
`pool` outside a subnet or shared-network, or inside another pool; `host` and `group` inside a \
host or class; `subnet` inside a subnet, host or class; `shared-network` inside a \
shared-network, subnet, host or class; a class inside a class; `hardware` and `fixed-address` \
outside a host; `authoritative` in a host (\"authority makes no sense here\"); declarations, \
ranges and `authoritative` inside `if`/`on`/`switch` bodies; and DHCPv6 statements \
(`subnet6`, `range6`, `pool6`, `prefix6`) in a DHCPv4 configuration. Move the statement to a \
scope that takes it.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::Misplaced, config, out);
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
                "subnet 10.0.0.0 netmask 255.255.255.0 {\n  group {\n    range 10.0.0.10 10.0.0.20;\n  }\n}\n"
            ),
            [3],
            "case 0"
        );
        assert_eq!(lines(&RULE, "range 10.0.0.10 10.0.0.20;\n"), [1], "case 1");
        assert_eq!(
            lines(&RULE, "host a {\n  authoritative;\n}\n"),
            [2],
            "case 2"
        );
        assert_eq!(
            lines(
                &RULE,
                "subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool {\n    pool {\n      range 10.0.0.10 10.0.0.20;\n    }\n  }\n}\n"
            ),
            [3],
            "case 3"
        );
        assert_eq!(
            lines(&RULE, "hardware ethernet 00:11:22:33:44:55;\n"),
            [1],
            "case 4"
        );
        assert_eq!(
            lines(&RULE, "on commit {\n  range 10.0.0.10 10.0.0.20;\n}\n"),
            [2],
            "case 5"
        );
    }

    #[test]
    fn not_found() {
        assert!(lines(&RULE, "subnet 10.0.0.0 netmask 255.255.255.0 {\n  authoritative;\n  range 10.0.0.5 10.0.0.9;\n  pool {\n    range 10.0.0.10 10.0.0.20;\n  }\n  host a {\n    hardware ethernet 00:11:22:33:44:55;\n  }\n}\n").is_empty());
    }
}
