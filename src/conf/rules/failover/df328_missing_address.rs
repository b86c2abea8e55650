//! DF328: a peer block without `address`.

use super::support::{head, mentions};
use crate::codes::Code;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF328",
        "missing-address",
        Severity::Error,
        "A `failover peer` block has no `address`: this server's own address, where it \
listens for its partner and which it sends as its failover server identifier. `dhcpd -t` \
accepts the file, but dhcpd.conf(5) says it \"may not be omitted\", and at startup dhcpd \
4.4 stops with \"failover peer NAME: no local address.\" as soon as it tries to connect to \
its partner: the pair cannot work. Add `address A.B.C.D;` with this server's own, \
non-virtual address (the one the partner names as `peer address`).",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    for peer in config.peers() {
        if mentions(peer, "address") {
            continue;
        }
        out.push(
            RULE.at(
                head(peer),
                format!("failover peer {} has no `address`", peer.name.text),
            )
            .label("dhcpd stops at startup: \"no local address\"")
            .help("add `address A.B.C.D;` with this server's own address"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    #[test]
    fn missing() {
        let conf = "failover peer \"fo\" {\n  primary;\n  peer address 10.0.0.3;\n}\n";
        assert_eq!(lines(&RULE, conf), [1]);
    }

    #[test]
    fn present() {
        let conf = "failover peer \"fo\" {\n  address dhcp1.example.com;\n}\n";
        assert!(lines(&RULE, conf).is_empty());
    }
}
