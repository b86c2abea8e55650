//! DF300: `split` or `hba` in a secondary's peer block.

use crate::codes::Code;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF300",
        "load-balance-on-secondary",
        Severity::Error,
        "A secondary's `failover peer` block sets `split` or `hba`. The load-balance split \
belongs to the relationship and is sent by the primary when the peers connect; dhcpd refuses \
it on a secondary (\"secondary may not define load balance settings\"), whatever the order of \
`secondary;` and `split`. Remove it from the secondary and keep it on the primary only.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    for peer in config.peers() {
        if !peer.is_secondary() {
            continue;
        }
        for s in peer
            .statements
            .iter()
            .filter(|s| s.keyword == "split" || s.keyword == "hba")
        {
            let role = peer.role_stmt().map(|r| r.span);
            let mut lint = RULE
                .at(
                    s.span,
                    format!(
                        "`{}` on the secondary of failover peer {}",
                        s.keyword, peer.name.text
                    ),
                )
                .label("dhcpd refuses load balance settings here")
                .help(format!(
                    "remove `{}` from the secondary; set it on the primary only",
                    s.keyword
                ));
            if let Some(role) = role {
                lint = lint.related(role, "this peer is the secondary");
            }
            out.push(lint);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    #[test]
    fn split_or_hba_on_a_secondary() {
        let conf = "failover peer \"fo\" {\n  secondary;\n  address 10.0.0.3;\n  peer address 10.0.0.2;\n  split 128;\n}\n";
        assert_eq!(lines(&RULE, conf), [5]);
        let before_role = "failover peer \"fo\" {\n  split 128;\n  secondary;\n}\n";
        assert_eq!(lines(&RULE, before_role), [2]);
    }

    #[test]
    fn the_last_role_counts() {
        let conf =
            "failover peer \"fo\" {\n  secondary;\n  primary;\n  split 128;\n  mclt 3600;\n}\n";
        assert!(lines(&RULE, conf).is_empty());
    }

    #[test]
    fn primary_may_split() {
        let conf = "failover peer \"fo\" {\n  primary;\n  split 128;\n  mclt 3600;\n}\n";
        assert!(lines(&RULE, conf).is_empty());
    }
}
