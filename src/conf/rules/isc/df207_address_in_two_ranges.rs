//! DF207: an address in two ranges.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF207: its problems ([`Cause::AddressInTwoRanges`]) are raised by the replay of dhcpd's
/// reader, [`crate::conf::dhcpd`], in `decl::address_range`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF207",
        "address-in-two-ranges",
        Severity::Error,
        "An address that is in two `range` statements, in the same pool, in different pools or in \
different subnets. dhcpd gives every address one lease and refuses the second (\"lease A is \
declared twice!\"). Shrink or remove one of the ranges so they do not overlap.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::AddressInTwoRanges, config, out);
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
                "subnet 10.0.0.0 netmask 255.255.255.0 {\n  range 10.0.0.10 10.0.0.50;\n  pool {\n    range 10.0.0.40 10.0.0.60;\n  }\n}\n"
            ),
            [4],
            "case 0"
        );
    }

    #[test]
    fn found_in_a_wide_earlier_range_after_a_narrow_one() {
        // The third range ends past the second but is inside the first.
        assert_eq!(
            lines(
                &RULE,
                "subnet 10.0.0.0 netmask 255.255.255.0 {\n  range 10.0.0.1 10.0.0.100;\n  range 10.0.0.10 10.0.0.20;\n  range 10.0.0.50 10.0.0.60;\n}\n"
            ),
            [3, 4]
        );
    }

    #[test]
    fn not_found() {
        assert!(lines(&RULE, "subnet 10.0.0.0 netmask 255.255.255.0 {\n  range 10.0.0.10 10.0.0.39;\n  pool {\n    range 10.0.0.40 10.0.0.60;\n  }\n}\n").is_empty());
    }
}
