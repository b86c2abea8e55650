//! DF228: a bad hardware statement.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF228: its problems ([`Cause::Hardware`]) are raised by the replay of dhcpd's reader,
/// [`crate::conf::dhcpd`], in `decl::hardware_param`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF228",
        "bad-hardware",
        Severity::Error,
        "A `hardware` statement dhcpd refuses: an unknown hardware type (ethernet, token-ring, fddi, \
infiniband or unknown-N; \"expecting a network hardware type\"), an address that is not \
colon-separated hex octets (placeholders such as `00:22:41:XX:XX:XX`: \"expecting numeric \
value\"), or more than 20 octets. Write `hardware ethernet 00:11:22:33:44:55;`.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::Hardware, config, out);
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
                "host a {\n  hardware ethernt 00:11:22:33:44:55;\n}\n"
            ),
            [2],
            "case 0"
        );
        assert_eq!(
            lines(
                &RULE,
                "host a {\n  hardware ethernet 00:22:41:XX:XX:XX;\n}\n"
            ),
            [2],
            "case 1"
        );
    }

    #[test]
    fn not_found() {
        assert!(
            lines(
                &RULE,
                "host a {\n  hardware ethernet 0:c0:c3:49:2b:57;\n}\n"
            )
            .is_empty()
        );
    }
}
