//! DF326: both `primary;` and `secondary;` in one peer block.

use crate::codes::Code;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF326",
        "conflicting-roles",
        Severity::Warning,
        "A `failover peer` block says both `primary;` and `secondary;`. dhcpd does not refuse \
it: each role statement overwrites the previous one and the last one wins, so the role in \
effect is easy to misread, and `split`/`hba` next to a `secondary;` is refused (DF300). It \
usually comes from merging the primary's and the secondary's blocks. Keep exactly one role \
statement per block.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    for peer in config.peers() {
        let roles: Vec<_> = peer
            .statements
            .iter()
            .filter(|s| s.keyword == "primary" || s.keyword == "secondary")
            .collect();
        let (Some(first), Some(last)) = (roles.first(), roles.last()) else {
            continue;
        };
        if roles.iter().all(|r| r.keyword == first.keyword) {
            continue;
        }
        let other = roles
            .iter()
            .rev()
            .find(|r| r.keyword != last.keyword)
            .unwrap_or(first);
        out.push(
            RULE.at(
                last.span,
                format!(
                    "failover peer {} says both `primary;` and `secondary;`; the last, `{};`, wins",
                    peer.name.text, last.keyword
                ),
            )
            .label("this role is the one in effect")
            .related(other.span, "overridden")
            .help("keep exactly one of `primary;` and `secondary;`"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    #[test]
    fn both_roles() {
        let conf = "failover peer \"fo\" {\n  primary;\n  secondary;\n}\n";
        assert_eq!(lines(&RULE, conf), [3]);
    }

    #[test]
    fn one_role() {
        assert!(lines(&RULE, "failover peer \"fo\" { primary; primary; }\n").is_empty());
        assert!(lines(&RULE, "failover peer \"fo\" { secondary; }\n").is_empty());
    }
}
