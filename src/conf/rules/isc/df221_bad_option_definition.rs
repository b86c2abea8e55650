//! DF221: a bad option definition.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF221: its problems ([`Cause::OptionDefinition`]) are raised by the replay of dhcpd's reader,
/// [`crate::conf::dhcpd`], in `options::option_code_definition`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF221",
        "bad-option-definition",
        Severity::Error,
        "An `option NAME code N = TYPE;` definition dhcpd refuses: an unknown type name, an integer \
width other than 8, 16 or 32, an array of text, string or domain names, nested arrays, text or \
string not last in a record, or `encapsulate` not last. Types are boolean, [signed|unsigned] \
integer 8|16|32, ip-address, ip6-address, text, string, domain-name, domain-list [compressed], \
encapsulate SPACE, zerolen, `array of TYPE` and records `{ TYPE, ... }` (dhcp-options(5)).",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::OptionDefinition, config, out);
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::isc::testing::lines;

    #[test]
    fn found() {
        assert_eq!(
            lines(&RULE, "option foo code 250 = strng;\n"),
            [1],
            "case 0"
        );
        assert_eq!(
            lines(&RULE, "option bar code 251 = unsigned integer 24;\n"),
            [1],
            "case 1"
        );
        assert_eq!(
            lines(&RULE, "option baz code 252 = array of text;\n"),
            [1],
            "case 2"
        );
    }

    #[test]
    fn not_found() {
        assert!(lines(&RULE, "option foo code 250 = string;\noption bar code 251 = array of unsigned integer 16;\noption baz code 252 = { ip-address, unsigned integer 8, text };\n").is_empty());
    }
}
