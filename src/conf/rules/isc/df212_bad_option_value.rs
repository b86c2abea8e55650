//! DF212: an option value of the wrong form.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF212: its problems ([`Cause::OptionValue`]) are raised by the replay of dhcpd's reader,
/// [`crate::conf::dhcpd`], in `decl::host_declaration`, `stmt::statement_inner`,
/// `stmt::executable_statement_inner`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF212",
        "bad-option-value",
        Severity::Error,
        "An option value dhcpd cannot read by the option's type. Addresses are written bare, not \
quoted (`option routers \"10.0.0.1\";`: \"expecting IP address or hostname\"); a text option takes \
a quoted string or a single bare word, so a value with dots must be quoted (`option \
domain-name example.com;` stops at the `.`: \"semicolon expected\"); data options take a quoted \
string or colon-separated hex bytes (`option dhcp-client-identifier : \"x\";`: \"expecting string \
or hexadecimal data\"); numbers must fit their width; list options separate values with commas; \
flags are on/off/true/false. Write the value in the form the option takes (see \
dhcp-options(5)).",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::OptionValue, config, out);
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::isc::testing::lines;

    #[test]
    fn found() {
        assert_eq!(
            lines(&RULE, "option routers \"10.0.0.1\";\n"),
            [1],
            "case 0"
        );
        assert_eq!(
            lines(&RULE, "option domain-name example.com;\n"),
            [1],
            "case 1"
        );
        assert_eq!(
            lines(
                &RULE,
                "host h {\n  option dhcp-client-identifier : \"\\000FJC123ABC\";\n}\n"
            ),
            [2],
            "case 2"
        );
        assert_eq!(lines(&RULE, "option default-ip-ttl 300;\n"), [1], "case 3");
        assert_eq!(
            lines(&RULE, "option routers 10.0.0.1 10.0.0.2;\n"),
            [1],
            "case 4"
        );
    }

    #[test]
    fn not_found() {
        assert!(lines(&RULE, "option routers 10.0.0.1, 10.0.0.2;\noption host-name foo;\noption domain-name \"example.com\";\noption dhcp-client-identifier 1:2:3;\noption domain-search \"a.example\", \"b.example\";\noption static-routes 10.1.0.0 10.0.0.1, 10.2.0.0 10.0.0.1;\noption ip-forwarding off;\n").is_empty());
    }
}
