//! DF229: a bad class declaration.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF229: its problems ([`Cause::ClassDeclaration`]) are raised by the replay of dhcpd's reader,
/// [`crate::conf::dhcpd`], in `decl::class_declaration`, `decl::submatch`,
/// `stmt::executable_statement_inner`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF229",
        "bad-class",
        Severity::Error,
        "A `class` or `subclass` declaration dhcpd refuses: an unquoted class name (\"Expecting class \
name\"), a second `match if` (\"A class may only have one 'match if' clause\"), a second `match` \
or `spawn with` (\"can't override existing submatch/spawn\"), `match`/`spawn` in a subclass, a \
subclass key that is neither a string nor hex, or `lease limit` without a number. Quote class \
names and keep one `match if` (combine conditions with and/or).",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::ClassDeclaration, config, out);
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::isc::testing::lines;

    #[test]
    fn found() {
        assert_eq!(
            lines(&RULE, "class \"c\" {\n  lease limit many;\n}\n"),
            [2],
            "case 0"
        );
        assert_eq!(
            lines(
                &RULE,
                "class \"c\" {\n  match if option host-name = \"a\";\n  match if option host-name = \"b\";\n}\n"
            ),
            [3],
            "case 1"
        );
    }

    #[test]
    fn not_found() {
        assert!(lines(&RULE, "class \"c\" {\n  match if option host-name = \"a\";\n  spawn with option agent.circuit-id;\n  lease limit 4;\n}\n").is_empty());
    }
}
