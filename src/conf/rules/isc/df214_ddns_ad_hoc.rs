//! DF214: ddns-update-style ad-hoc.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF214: its problems ([`Cause::AdHoc`]) are raised by the replay of dhcpd's reader,
/// [`crate::conf::dhcpd`], in `finish`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF214",
        "ddns-ad-hoc",
        Severity::Error,
        "A global `ddns-update-style ad-hoc;`. ISC DHCP 4.2 removed the ad-hoc DNS update scheme: \
dhcpd 4.4 still reads the word but refuses to start (\"ddns-update-style ad_hoc no longer \
supported\"; `dhcpd -t` fails too). Use `interim` or `standard` (and set up the keys and zones \
they need), or `none`.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::AdHoc, config, out);
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::isc::testing::lines;

    #[test]
    fn found() {
        assert_eq!(lines(&RULE, "ddns-update-style ad-hoc;\n"), [1], "case 0");
    }

    #[test]
    fn not_found() {
        assert!(lines(&RULE, "ddns-update-style interim;\n").is_empty());
    }
}
