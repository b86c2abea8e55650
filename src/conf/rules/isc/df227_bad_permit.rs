//! DF227: a bad allow/deny/ignore statement.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF227: its problems ([`Cause::Permit`]) are raised by the replay of dhcpd's reader,
/// [`crate::conf::dhcpd`], in `decl::permit`, `decl::date`, `decl::allow_deny`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF227",
        "bad-permit",
        Severity::Error,
        "An `allow`, `deny` or `ignore` with a keyword dhcpd does not take there. Outside pools they \
take unknown-clients, bootp, booting, dynamic-bootp, duplicates, declines, client-updates and \
leasequery (\"expecting allow/deny key\"); inside a pool, `allow`/`deny` build the permit list \
and take known-clients, unknown-clients, known clients, unknown clients, all clients, dynamic \
bootp clients, authenticated clients, unauthenticated clients, members of \"CLASS\" and after \
DATE (\"expecting permit type\"), so `allow booting;` is refused in a pool. Use the keyword the \
scope takes.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::Permit, config, out);
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
                "subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool {\n    allow booting;\n    range 10.0.0.10 10.0.0.20;\n  }\n}\n"
            ),
            [3],
            "case 0"
        );
        assert_eq!(lines(&RULE, "deny all clients;\n"), [1], "case 1");
    }

    #[test]
    fn not_found() {
        assert!(lines(&RULE, "deny unknown-clients;\nignore client-updates;\nsubnet 10.0.0.0 netmask 255.255.255.0 {\n  pool {\n    deny dynamic bootp clients;\n    allow known clients;\n    range 10.0.0.10 10.0.0.20;\n  }\n}\n").is_empty());
    }
}
