//! DF223: an expression dhcpd cannot read.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF223: its problems ([`Cause::Expression`]) are raised by the replay of dhcpd's reader,
/// [`crate::conf::dhcpd`], in `decl::submatch`, `expr::data_expression`,
/// `expr::numeric_expression`, `expr::expression`, `expr::paren`, `expr::arg`,
/// `expr::non_binary_inner`, `expr::non_binary_other`, `options::option_statement`,
/// `stmt::executable_statement_inner`, `stmt::default_statement`, `stmt::set_statement`,
/// `stmt::execute_statement`, `stmt::switch_statement` and `stmt::case_statement`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF223",
        "bad-expression",
        Severity::Error,
        "An expression dhcpd refuses: a missing parenthesis or comma in a function call, operands \
of different types, or a bare word read as hex data that is not hex. dhcpd reads a word whose \
letters after the first are all hex digits (`x`, `i`, `ab`) as a hex number, so a stray `i` \
after a `}` fails with \"Bogus number i: digit 18 not in base 16\", and `log(info, x)` fails too. \
Check the expression against dhcp-eval(5).",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::Expression, config, out);
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
                "class \"c\" { match if option host-name = \"x\"; }i\n\noption pnp-pid code 43 = string;\n"
            ),
            [1],
            "case 0"
        );
        assert_eq!(
            lines(&RULE, "set x = substring(option host-name, 0);\n"),
            [1],
            "case 1"
        );
    }

    #[test]
    fn not_found() {
        assert!(
            lines(
                &RULE,
                "set x = substring(option host-name, 0, 3);\nlog (info, concat(\"a\", \"b\"));\n"
            )
            .is_empty()
        );
    }
}
