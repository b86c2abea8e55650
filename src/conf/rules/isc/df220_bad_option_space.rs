//! DF220: a bad option space declaration.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF220: its problems ([`Cause::OptionSpace`]) are raised by the replay of dhcpd's reader,
/// [`crate::conf::dhcpd`], in `options::option_space_decl`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF220",
        "bad-option-space",
        Severity::Error,
        "An `option space` declaration dhcpd refuses: the code width must be 1, 2 or 4 and the \
length width 1 or 2 (dhcpd 4.4 refuses `length width 0` and `4` whatever the manual says: \
\"invalid length width (4) expecting 1 or 2\"), `hash size` takes a number, and nothing else may \
follow the name. Use the widths the vendor's option format needs.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::OptionSpace, config, out);
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::isc::testing::lines;

    #[test]
    fn found() {
        assert_eq!(
            lines(&RULE, "option space bar code width 4 length width 4;\n"),
            [1],
            "case 0"
        );
        assert_eq!(
            lines(&RULE, "option space baz code width 3;\n"),
            [1],
            "case 1"
        );
    }

    #[test]
    fn not_found() {
        assert!(lines(&RULE, "option space foo code width 1 length width 1;\noption space bar code width 2 length width 2 hash size 3;\n").is_empty());
    }
}
