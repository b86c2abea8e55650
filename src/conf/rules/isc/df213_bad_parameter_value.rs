//! DF213: a parameter value of the wrong form.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF213: its problems ([`Cause::ParameterValue`]) are raised by the replay of dhcpd's reader,
/// [`crate::conf::dhcpd`], in `stmt::statement_inner`, `stmt::authoritative`,
/// `stmt::executable_statement_inner`, `stmt::default_statement`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF213",
        "bad-parameter-value",
        Severity::Error,
        "A server parameter whose value dhcpd cannot read by the parameter's type: `authoritative` \
takes no value (`authoritative on;` is refused); text parameters take a quoted string or a \
single bare word, so `filename pxelinux.0;` stops at the `.`; lease times and other numbers \
must be numbers (`default-lease-time 10m;` is refused); flags are on/off/true/false; \
`ddns-update-style` is none, interim or standard (`ad_hoc` is not a value); `log-facility` is \
a syslog facility. Write the value in the form the parameter takes (see dhcpd.conf(5)).",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::ParameterValue, config, out);
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::isc::testing::lines;

    #[test]
    fn found() {
        assert_eq!(lines(&RULE, "authoritative on;\n"), [1], "case 0");
        assert_eq!(lines(&RULE, "filename pxelinux.0;\n"), [1], "case 1");
        assert_eq!(lines(&RULE, "default-lease-time abc;\n"), [1], "case 2");
        assert_eq!(lines(&RULE, "ddns-update-style ad_hoc;\n"), [1], "case 3");
        assert_eq!(lines(&RULE, "ddns-updates yes;\n"), [1], "case 4");
        assert_eq!(lines(&RULE, "log-facility local8;\n"), [1], "case 5");
    }

    #[test]
    fn not_found() {
        assert!(lines(&RULE, "authoritative;\nfilename \"pxelinux.0\";\ndefault-lease-time 600;\nmax-lease-time infinite;\nddns-update-style interim;\nddns-updates off;\nlog-facility local7;\nnext-server tftp.example.com;\n").is_empty());
    }
}
