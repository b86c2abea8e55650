//! DF224: a second hardware or fixed-address in a host.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF224: its problems ([`Cause::RepeatedHostAddress`]) are raised by the replay of dhcpd's
/// reader, [`crate::conf::dhcpd`], in `decl::host_declaration`, `stmt::statement_inner`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF224",
        "repeated-host-address",
        Severity::Error,
        "A host with two `hardware` statements (\"Host NAME hardware address already configured\"), \
two `fixed-address` statements (\"Only one fixed address declaration per host\") or two `uid` \
statements. dhcpd refuses the second. Give all addresses in one `fixed-address A, B;` \
statement, and declare a second host for a second interface.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::RepeatedHostAddress, config, out);
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
                "host a {\n  hardware ethernet 00:11:22:33:44:55;\n  hardware ethernet 00:11:22:33:44:56;\n}\n"
            ),
            [3],
            "case 0"
        );
        assert_eq!(
            lines(
                &RULE,
                "host a {\n  fixed-address 10.0.0.5;\n  fixed-address 10.0.0.6;\n}\n"
            ),
            [3],
            "case 1"
        );
    }

    #[test]
    fn not_found() {
        assert!(lines(&RULE, "host a {\n  hardware ethernet 00:11:22:33:44:55;\n  fixed-address 10.0.0.5, 10.0.1.5;\n}\n").is_empty());
    }
}
