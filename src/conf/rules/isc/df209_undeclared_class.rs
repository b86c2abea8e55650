//! DF209: a class used before it is declared.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF209: its problems ([`Cause::UndeclaredClass`]) are raised by the replay of dhcpd's reader,
/// [`crate::conf::dhcpd`], in `stmt::undeclared_class`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF209",
        "undeclared-class",
        Severity::Error,
        "A class named before its `class` declaration: in a pool's `allow`/`deny members of \
\"CLASS\"` (\"no such class\"), as the parent of a `subclass`, `vendor-class` or `user-class` \
('no class named'), or in `add 'CLASS';` ('class CLASS: not found'). dhcpd looks classes up \
as it reads, so the declaration must come first (class names are case-sensitive). Move the \
`class` declaration (or the include that holds it) above its first use.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::UndeclaredClass, config, out);
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
                "subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool {\n    allow members of \"voip\";\n    range 10.0.0.10 10.0.0.20;\n  }\n}\nclass \"voip\" {\n  match if substring(option vendor-class-identifier, 0, 4) = \"voip\";\n}\n"
            ),
            [3],
            "case 0"
        );
        assert_eq!(
            lines(&RULE, "subclass \"acct\" 1:2:3:4:5:6;\n"),
            [1],
            "case 1"
        );
        assert_eq!(
            lines(&RULE, "on commit {\n  add \"late\";\n}\n"),
            [2],
            "case 2"
        );
    }

    #[test]
    fn not_found() {
        assert!(lines(&RULE, "class \"voip\" {\n  match if substring(option vendor-class-identifier, 0, 4) = \"voip\";\n}\nsubclass \"voip\" \"x\";\nsubnet 10.0.0.0 netmask 255.255.255.0 {\n  pool {\n    allow members of \"voip\";\n    range 10.0.0.10 10.0.0.20;\n  }\n}\n").is_empty());
    }
}
