//! DF222: a condition that is not boolean.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF222: its problems ([`Cause::NonBoolean`]) are raised by the replay of dhcpd's reader,
/// [`crate::conf::dhcpd`], in `decl::class_declaration`, `expr::boolean_expression`,
/// `expr::non_binary_inner`, `stmt::if_statement`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF222",
        "non-boolean-condition",
        Severity::Error,
        "An `if`, `elsif` or `match if` condition that is not a boolean expression, such as \
`if (1) {`, `if option host-name {` or `match if substring(...);` without a comparison. dhcpd \
refuses it (\"Expecting a boolean expression\"): a number or data is not true or false to it. \
Compare the value (`A = B`, `A != B`, `A ~= REGEX`), test presence with `exists OPTION`, or use \
`known`/`static`, combined with and/or/not.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::NonBoolean, config, out);
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
                "on commit {\n  if(1) {\n    set x = \"y\";\n  }\n}\n"
            ),
            [2],
            "case 0"
        );
        assert_eq!(
            lines(&RULE, "class \"c\" {\n  match if option host-name;\n}\n"),
            [2],
            "case 1"
        );
    }

    #[test]
    fn not_found() {
        assert!(lines(&RULE, "if exists host-name {\n}\nclass \"c\" {\n  match if option host-name = \"x\";\n}\nif known and not static {\n}\n").is_empty());
    }
}
