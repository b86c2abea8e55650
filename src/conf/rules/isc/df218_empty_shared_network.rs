//! DF218: a shared-network without subnets.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF218: its problems ([`Cause::EmptySharedNetwork`]) are raised by the replay of dhcpd's
/// reader, [`crate::conf::dhcpd`], in `decl::shared_net_declaration`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF218",
        "empty-shared-network",
        Severity::Error,
        "A `shared-network` that declares no subnet. dhcpd refuses it (\"empty shared-network \
decl\"): a shared network is the set of subnets on one physical link. Put the link's subnet \
declarations inside it, or remove it.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::EmptySharedNetwork, config, out);
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
                "shared-network lan {\n  option domain-name \"example.com\";\n}\n"
            ),
            [1],
            "case 0"
        );
    }

    #[test]
    fn not_found() {
        assert!(
            lines(
                &RULE,
                "shared-network lan {\n  subnet 10.0.0.0 netmask 255.255.255.0 {\n  }\n}\n"
            )
            .is_empty()
        );
    }
}
