//! DF301: `mclt` in a secondary's peer block.

use super::support::Role;
use crate::codes::Code;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF301",
        "mclt-on-secondary",
        Severity::Warning,
        "A secondary's `failover peer` block sets `mclt`. The Maximum Client Lead Time belongs \
to the relationship: the primary sends its own value when the peers connect and the secondary \
adopts it. dhcpd accepts `mclt` on a secondary without a word and then ignores it, so the value \
written here has no effect, and an admin who tunes it on the secondary sees nothing change. \
dhcpd.conf(5) says it \"may not be specified on the secondary\". Remove it from the secondary \
and set it on the primary only.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    for peer in config.peers() {
        if peer.role() != Some(Role::Secondary) {
            continue;
        }
        for s in peer.statements.iter().filter(|s| s.keyword == "mclt") {
            let mut lint = RULE
                .at(
                    s.span,
                    format!(
                        "`mclt` on the secondary of failover peer {} is ignored",
                        peer.name.text
                    ),
                )
                .label("dhcpd ignores this: the primary's mclt is used")
                .help("remove `mclt` from the secondary; set it on the primary only");
            if let Some(r) = peer.role_stmt() {
                lint = lint.related(r.span, "this peer is the secondary");
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
    fn mclt_on_a_secondary() {
        let conf =
            "failover peer \"fo\" {\n  secondary;\n  peer address 10.0.0.2;\n  mclt 1800;\n}\n";
        assert_eq!(lines(&RULE, conf), [4]);
        let before_role = "failover peer \"fo\" {\n  mclt 1800;\n  secondary;\n}\n";
        assert_eq!(lines(&RULE, before_role), [2]);
    }

    #[test]
    fn primary_needs_mclt() {
        let conf = "failover peer \"fo\" {\n  primary;\n  mclt 1800;\n}\n";
        assert!(lines(&RULE, conf).is_empty());
        let no_role = "failover peer \"fo\" {\n  mclt 1800;\n}\n";
        assert!(lines(&RULE, no_role).is_empty());
    }
}
