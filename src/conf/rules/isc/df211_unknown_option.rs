//! DF211: an option dhcpd does not know.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF211: its problems ([`Cause::UnknownOption`]) are raised by the replay of dhcpd's reader,
/// [`crate::conf::dhcpd`], in `options::option_name`, `options::unknown_option`,
/// `options::option_code_definition`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF211",
        "unknown-option",
        Severity::Error,
        "An option name that is neither one of dhcpd's built-in options nor defined earlier with \
`option NAME code N = TYPE;` (\"unknown option dhcp.NAME\" in a statement, \"no option named NAME \
in space SPACE\" in an expression), or an option space that is not declared earlier with \
`option space NAME;` (\"no option space named SPACE\"). Names such as `option-150` do not exist \
in dhcpd (write `unknown-150`, or define a name for code 150). Define the option (or space) at \
the top level before its first use, or fix the spelling.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::UnknownOption, config, out);
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::isc::testing::lines;

    #[test]
    fn found() {
        assert_eq!(
            lines(&RULE, "option cumulus-provision-url \"http://x/\";\n"),
            [1],
            "case 0"
        );
        assert_eq!(lines(&RULE, "option option-150 10.0.0.1;\n"), [1], "case 1");
        assert_eq!(
            lines(&RULE, "option cable-labs.tsp-kerberos-realm-name random;\n"),
            [1],
            "case 2"
        );
        assert_eq!(
            lines(
                &RULE,
                "class \"pxe\" {\n  match if option arch = 00:07;\n}\n"
            ),
            [2],
            "case 3"
        );
    }

    #[test]
    fn not_found() {
        assert!(lines(&RULE, "option arch code 93 = unsigned integer 16;\nclass \"pxe\" {\n  match if option arch = 00:07;\n}\noption space ztp;\noption ztp.url code 1 = text;\noption ztp.url \"x\";\noption unknown-250 1:2;\noption agent.circuit-id \"x\";\n").is_empty());
    }
}
