//! DF217: a pool without a range.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF217: its problems ([`Cause::PoolWithoutRange`]) are raised by the replay of dhcpd's reader,
/// [`crate::conf::dhcpd`], in `decl::pool_statement`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF217",
        "pool-without-range",
        Severity::Error,
        "A `pool` with no `range` statement. dhcpd refuses it (\"Pool declaration with no address \
range\"): a pool is a set of addresses, and its permits, failover reference and parameters \
apply only to its ranges. Add the range, or remove the pool.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::PoolWithoutRange, config, out);
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
                "subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool {\n    allow unknown-clients;\n  }\n}\n"
            ),
            [2],
            "case 0"
        );
    }

    #[test]
    fn not_found() {
        assert!(lines(&RULE, "subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool {\n    allow unknown-clients;\n    range 10.0.0.10 10.0.0.20;\n  }\n}\n").is_empty());
    }
}
