//! DF303: a primary without `split` or `hba`.

use super::support::{checked_as_primary, head};
use crate::codes::Code;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF303",
        "primary-without-split",
        Severity::Error,
        "The primary's `failover peer` block has neither `split` nor `hba`. The primary owns \
the load-balance table and sends it to the secondary when they connect, so dhcpd refuses the \
file: \"primary failover server must have hba or split\". A block without `primary;` or \
`secondary;` counts as a primary here (dhcpd's default role). Add `split 128;` to the \
primary for an even share (`split 256;` makes the primary answer every client, `split 0;` the \
secondary), or add `secondary;` if this server is meant to be the secondary.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    for peer in config.peers() {
        if !checked_as_primary(peer)
            || peer
                .statements
                .iter()
                .any(|s| s.keyword == "split" || s.keyword == "hba")
        {
            continue;
        }
        let implicit = peer.role().is_none();
        let mut lint = RULE
            .at(
                head(peer),
                format!(
                    "primary failover peer {} has no `split` or `hba`",
                    peer.name.text
                ),
            )
            .label(if implicit {
                "no role given, so dhcpd checks this block as a primary"
            } else {
                "dhcpd refuses a primary without a load-balance split"
            })
            .help(if implicit {
                "add `secondary;` if this is the secondary; otherwise add `primary;` and `split 128;`"
            } else {
                "add `split 128;` to the primary's peer block"
            });
        if let Some(r) = peer.role_stmt() {
            lint = lint.related(r.span, "this peer is the primary");
        }
        out.push(lint);
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    #[test]
    fn primary_or_no_role_without_split() {
        let conf =
            "failover peer \"fo\" {\n  primary;\n  peer address 10.0.0.2;\n  mclt 1800;\n}\n";
        assert_eq!(lines(&RULE, conf), [1]);
        let no_role = "\n\nfailover peer \"fo\" {\n  peer address 10.0.0.2;\n}\n";
        assert_eq!(lines(&RULE, no_role), [3]);
    }

    #[test]
    fn split_hba_or_secondary() {
        assert!(lines(&RULE, "failover peer \"fo\" { primary; split 0; }\n").is_empty());
        let hba = "failover peer \"fo\" { primary; hba ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00; }\n";
        assert!(lines(&RULE, hba).is_empty());
        assert!(lines(&RULE, "failover peer \"fo\" { secondary; }\n").is_empty());
        assert!(lines(&RULE, "failover peer \"fo\" { slave; }\n").is_empty());
    }
}
