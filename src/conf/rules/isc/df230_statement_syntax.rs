//! DF230: a statement dhcpd stops reading.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF230: its problems ([`Cause::Syntax`]) are raised by the replay of dhcpd's reader,
/// [`crate::conf::dhcpd`], in `decl::lbrace`, `decl::unexpected_eof`, `decl::host_declaration`,
/// `decl::group_declaration`, `decl::shared_net_declaration`, `decl::interface`,
/// `decl::subnet_declaration`, `decl::class_declaration`, `decl::submatch`, `decl::hardware_param`,
/// `decl::fixed_addr_param`, `decl::pool_statement`, `decl::permit`, `decl::allow_deny`,
/// `decl::address_range`, `decl::failover_peer`, `decl::zone_statement`, `mod::read_file`,
/// `options::numeric_aggregate`, `options::option_name`, `stmt::statement_inner`,
/// `stmt::not_a_statement`, `stmt::executable_statement_inner`, `stmt::default_statement`,
/// `stmt::set_statement`, `stmt::execute_statement`, `stmt::log_statement`, `stmt::if_statement`,
/// `stmt::body_end`, `stmt::on_statement`, `stmt::switch_statement` and `stmt::case_statement`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF230",
        "statement-syntax",
        Severity::Error,
        "A statement the grammar can take apart but dhcpd cannot read: a missing `;` between two \
statements (`hardware ethernet ...` followed by `fixed-address` on the next line: \"expecting \
semicolon\"), more values than the statement takes (`range A B C;`), a word that cannot start a \
statement where it stands (a stray `}` or `;`), a misspelled word after a keyword (`failover \
pear`), a string with a bad escape, or a second `interface` for one network (\"A subnet or \
shared network can't be connected to two interfaces\"). dhcpd reports these as it reads \
(most as \"semicolon expected\" or \"expecting ...\") and refuses the file. Add the missing \
`;`, or remove what the statement does not take.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::Syntax, config, out);
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
                "host a {\n  hardware ethernet 78:ac:c0:ba:7c:ec\n  fixed-address 172.28.172.4;\n}\n"
            ),
            [3],
            "case 0"
        );
        assert_eq!(
            lines(
                &RULE,
                "subnet 10.0.0.0 netmask 255.255.255.0 {\n  range 10.0.0.1 10.0.0.2 10.0.0.3;\n}\n"
            ),
            [2],
            "case 1"
        );
    }

    #[test]
    fn one_finding_per_bad_string() {
        // dhcpd complains once per bad digit; the finding is per token and names both.
        let text = "option domain-name \"a\\xzzb\";\n";
        assert_eq!(lines(&RULE, text), [1]);
        let messages = crate::conf::rules::testing::run(&RULE, text);
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].contains("invalid hex digit: 7a"),
            "{messages:?}"
        );
    }

    #[test]
    fn strings_dhcpd_cannot_hold() {
        // A hex escape cut short by the closing quote, and a string of 1500 bytes or more.
        assert_eq!(lines(&RULE, "option domain-name \"\\x4\";\n"), [1]);
        let long = |n: usize| {
            format!(
                "authoritative;\noption domain-name \"{}\";\n",
                "a".repeat(n)
            )
        };
        assert_eq!(lines(&RULE, &long(1500)), [2]);
        assert!(lines(&RULE, &long(1499)).is_empty());
        assert!(lines(&RULE, "option domain-name \"\\x41\";\n").is_empty());
    }

    #[test]
    fn not_found() {
        assert!(lines(&RULE, "host a {\n  hardware ethernet 78:ac:c0:ba:7c:ec;\n  fixed-address 172.28.172.4;\n}\n").is_empty());
    }
}
