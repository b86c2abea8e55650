//! DF317: `no failover peer;` with a semicolon.

use crate::codes::Code;
use crate::conf::ast::StmtKind;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::conf::walk::{Scope, walk};
use crate::diag::Severity;

/// DF317, decided from a walk of every statement.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF317",
        "no-failover-semicolon",
        Severity::Error,
        "`no failover peer;` is written with a semicolon. In dhcpd 4.4 the pool parser reads \
`no failover peer` as three words and stops; the `;` is then read as a statement of its own \
and the file is refused (\"expecting a parameter or declaration\" at that `;`). Every other \
statement needs its `;`, which is why this one surprises. Write it without the semicolon: \
`pool { no failover peer range dynamic-bootp A B; }` (a line break is fine).",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    walk(config, &mut |stmt, _: Scope<'_>| {
        if let StmtKind::NoFailoverRef {
            semicolon: Some(semicolon),
        } = stmt.kind
        {
            out.push(
                RULE.at(semicolon, "`no failover peer` followed by `;`")
                    .label("dhcpd 4.4 refuses this `;`")
                    .help("remove the `;`: write `no failover peer` alone"),
            );
        }
    });
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    #[test]
    fn with_semicolon() {
        let conf = "subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool {\n    no failover peer;\n    range 10.0.0.1 10.0.0.9;\n  }\n}\n";
        assert_eq!(lines(&RULE, conf), [3]);
    }

    #[test]
    fn without() {
        let conf = "subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool {\n    no failover peer\n    range 10.0.0.1 10.0.0.9;\n  }\n}\n";
        assert!(lines(&RULE, conf).is_empty());
    }
}
