//! DF329: a failover address that cannot reach another machine.

use crate::codes::Code;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF329",
        "unusable-failover-address",
        Severity::Warning,
        "`address` or `peer address` is an address two servers cannot use to talk to each \
other: 0.0.0.0, a loopback address (127.0.0.0/8), the broadcast address 255.255.255.255, a \
multicast (224.0.0.0/4) or reserved (240.0.0.0/4) address. dhcpd accepts it, but the failover \
link is a TCP connection between two machines, so the peers never connect and stay in \
communications-interrupted (a loopback pair only works for two daemons on one test host). \
It is usually a placeholder left in a template. Use each server's real unicast address; \
prefer it over a virtual (VRRP/CARP) address, which moves between machines.",
    ),
    check,
};

fn why(a: std::net::Ipv4Addr) -> Option<&'static str> {
    if a.is_unspecified() {
        Some("the unspecified address 0.0.0.0")
    } else if a.is_loopback() {
        Some("a loopback address")
    } else if a.is_broadcast() {
        Some("the broadcast address")
    } else if a.is_multicast() {
        Some("a multicast address")
    } else if a.octets()[0] >= 240 {
        Some("a reserved address")
    } else {
        None
    }
}

fn check(config: &Context, out: &mut Vec<Lint>) {
    for peer in config.peers() {
        for s in peer
            .statements
            .iter()
            .filter(|s| s.keyword == "address" || s.keyword == "peer address")
        {
            let Some(value) = &s.value else { continue };
            let Some(what) = value.ipv4().and_then(why) else {
                continue;
            };
            out.push(
                RULE.at(
                    value.span,
                    format!(
                        "`{} {}` of failover peer {} is {what}",
                        s.keyword, value.text, peer.name.text
                    ),
                )
                .label("the two servers cannot connect over this address")
                .help("use the server's real unicast address"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    #[test]
    fn unusable() {
        let conf = "failover peer \"fo\" {\n  address 0.0.0.0;\n  peer address 127.0.0.1;\n  address 255.255.255.255;\n  address 224.0.0.1;\n}\n";
        assert_eq!(lines(&RULE, conf), [2, 3, 4, 5]);
    }

    #[test]
    fn unicast_or_name() {
        let conf =
            "failover peer \"fo\" {\n  address 192.0.2.1;\n  peer address dhcp2.example.com;\n}\n";
        assert!(lines(&RULE, conf).is_empty());
    }
}
