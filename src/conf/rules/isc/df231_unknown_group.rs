//! DF231: a host names an undeclared group.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF231: its problems ([`Cause::UnknownGroup`]) are raised by the replay of dhcpd's reader,
/// [`crate::conf::dhcpd`], in `decl::host_declaration`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF231",
        "unknown-group",
        Severity::Error,
        "A host's `group \"NAME\";` names a group that is not declared before it (named groups are \
declared with `group \"NAME\" { ... }`, case-sensitively). dhcpd refuses it (\"unknown group NAME \
in host HOST\"). Declare the named group above the host, or nest the host inside the group \
instead.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::UnknownGroup, config, out);
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::isc::testing::lines;

    #[test]
    fn found() {
        assert_eq!(
            lines(&RULE, "host a {\n  group \"pxe\";\n}\n"),
            [2],
            "case 0"
        );
    }

    #[test]
    fn not_found() {
        assert!(
            lines(
                &RULE,
                "group \"pxe\" {\n  filename \"pxelinux.0\";\n}\nhost a {\n  group \"pxe\";\n}\n"
            )
            .is_empty()
        );
    }
}
