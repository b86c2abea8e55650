//! DF219: an option space or definition inside a scope.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF219: its problems ([`Cause::ScopedDefinition`]) are raised by the replay of dhcpd's reader,
/// [`crate::conf::dhcpd`], in `stmt::scoped_definition`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF219",
        "scoped-option-definition",
        Severity::Error,
        "An `option space NAME;` or `option NAME code N = TYPE;` inside a subnet, host, class, \
group or other scope. Option spaces and definitions are global, and dhcpd refuses them in a \
scope (\"option space definitions may not be scoped\", \"option definitions may not be scoped\"). \
Move them to the top level, before the first statement that uses them; set the option's \
value in the scope.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::ScopedDefinition, config, out);
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
                "subnet 10.0.0.0 netmask 255.255.255.0 {\n  option space JUNIPER;\n}\n"
            ),
            [2],
            "case 0"
        );
        assert_eq!(
            lines(
                &RULE,
                "class \"c\" {\n  option arch code 93 = unsigned integer 16;\n}\n"
            ),
            [2],
            "case 1"
        );
    }

    #[test]
    fn not_found() {
        assert!(
            lines(
                &RULE,
                "option space JUNIPER;\noption arch code 93 = unsigned integer 16;\n"
            )
            .is_empty()
        );
    }
}
