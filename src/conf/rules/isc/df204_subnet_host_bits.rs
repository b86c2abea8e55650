//! DF204: a subnet number with host bits set.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF204: its problems ([`Cause::SubnetHostBits`]) are raised by the replay of dhcpd's reader,
/// [`crate::conf::dhcpd`], in `decl::subnet_declaration`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF204",
        "subnet-host-bits",
        Severity::Error,
        "A `subnet` whose number has bits set outside its netmask, such as `subnet 10.14.8.195 \
netmask 255.255.255.0`. dhcpd refuses it (\"bad subnet number/mask combination\") and skips the \
whole declaration. Write the network number, the address ANDed with the mask (here \
`10.14.8.0`), or correct the mask.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::SubnetHostBits, config, out);
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::isc::testing::lines;

    #[test]
    fn found() {
        assert_eq!(
            lines(&RULE, "subnet 10.14.8.195 netmask 255.255.255.0 {\n}\n"),
            [1],
            "case 0"
        );
    }

    #[test]
    fn not_found() {
        assert!(lines(&RULE, "subnet 10.14.8.0 netmask 255.255.255.0 {\n}\nsubnet 10.0.0.0 netmask 255.0.0.0 {\n}\n").is_empty());
    }
}
