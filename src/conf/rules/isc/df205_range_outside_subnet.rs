//! DF205: a range address outside its subnet.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF205: its problems ([`Cause::RangeOutsideSubnet`]) are raised by the replay of dhcpd's
/// reader, [`crate::conf::dhcpd`], in `decl::address_range`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF205",
        "range-outside-subnet",
        Severity::Error,
        "A `range` whose first or last address is not in the subnet it is declared in. dhcpd stops \
at once (\"bad range, address A not in subnet N netmask M\"). A range in a shared-network-level \
`pool` belongs to the subnet that contains its first address, and only subnets declared \
*before* the pool in that shared network count; when none does, dhcpd refuses it (\"address \
range not on network\"). Fix the addresses or the netmask, or move the pool after its subnet.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::RangeOutsideSubnet, config, out);
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
                "subnet 192.168.2.0 netmask 255.255.255.0 {\n  range 192.168.2.10 192.168.30.245;\n}\n"
            ),
            [2],
            "case 0"
        );
        assert_eq!(
            lines(
                &RULE,
                "shared-network lan {\n  pool {\n    range 10.0.0.10 10.0.0.20;\n  }\n  subnet 10.0.0.0 netmask 255.255.255.0 {\n  }\n}\n"
            ),
            [3],
            "case 1"
        );
    }

    #[test]
    fn not_found() {
        assert!(lines(&RULE, "shared-network lan {\n  subnet 10.0.0.0 netmask 255.255.255.0 {\n  }\n  pool {\n    range 10.0.0.10 10.0.0.20;\n  }\n}\n").is_empty());
    }
}
