//! DF314: two `failover peer` declarations with the same name.

use super::support::head;
use crate::codes::Code;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF314",
        "duplicate-peer",
        Severity::Error,
        "Two `failover peer NAME { ... }` blocks have the same name (in one file or across \
includes). dhcpd refuses the file: \"redeclaration of failover peer NAME\". It often happens \
when one shared file with the peer block is included twice, or when both the primary's and \
the secondary's blocks end up in the same server's configuration. Keep one block per name on \
each server: the primary's on the primary, the secondary's on the secondary.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    let peers = config.peers();
    for (i, peer) in peers.iter().enumerate() {
        let Some(first) = peers[..i].iter().find(|p| p.name.text == peer.name.text) else {
            continue;
        };
        out.push(
            RULE.at(
                head(peer),
                format!("failover peer {} is declared twice", peer.name.text),
            )
            .label("dhcpd: \"redeclaration of failover peer\"")
            .related(head(first), "first declared here")
            .help("remove one of the two blocks (a server carries only its own side of the pair)"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    #[test]
    fn twice() {
        let conf = "failover peer \"fo\" { primary; }\nfailover peer \"x\" { primary; }\nfailover peer fo { secondary; }\n";
        assert_eq!(lines(&RULE, conf), [3]);
    }

    #[test]
    fn names_are_case_sensitive() {
        let conf = "failover peer \"fo\" { primary; }\nfailover peer \"FO\" { primary; }\n";
        assert!(lines(&RULE, conf).is_empty());
    }
}
