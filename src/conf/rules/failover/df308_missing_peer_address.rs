//! DF308: a peer block without `peer address`.

use super::support::{head, mentions};
use crate::codes::Code;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF308",
        "missing-peer-address",
        Severity::Error,
        "A `failover peer` block has no `peer address`. That is the partner server's address: \
where this server connects for failover messages and from where it accepts the partner's \
connection. dhcpd refuses the file: \"peer address may not be omitted\". Misspellings such as \
`peer-address` or `peer_address` are not `peer address` (DF319 reports those). Add `peer address \
A.B.C.D;` with the partner's own (non-virtual) address, the one the partner gives as `address`.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    for peer in config.peers() {
        if mentions(peer, "peer address") {
            continue;
        }
        out.push(
            RULE.at(
                head(peer),
                format!("failover peer {} has no `peer address`", peer.name.text),
            )
            .label("dhcpd refuses a peer block without the partner's address")
            .help("add `peer address A.B.C.D;` with the partner server's address"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    #[test]
    fn missing() {
        let conf = "failover peer \"fo\" {\n  primary;\n  address 10.0.0.2;\n}\n";
        assert_eq!(lines(&RULE, conf), [1]);
        // A misspelling is DF319's.
        let misspelled = "failover peer \"fo\" {\n  primary;\n  peer-address 10.0.0.3;\n}\n";
        assert!(lines(&RULE, misspelled).is_empty());
    }

    #[test]
    fn present() {
        let conf = "failover peer \"fo\" {\n  primary;\n  PEER  ADDRESS dhcp2.example.com;\n}\n";
        assert!(lines(&RULE, conf).is_empty());
    }
}
