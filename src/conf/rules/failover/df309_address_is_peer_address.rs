//! DF309: `address` and `port` equal to `peer address` and `peer port`.

use super::support::number;
use crate::codes::Code;
use crate::conf::facts::PeerDecl;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF309",
        "address-is-peer-address",
        Severity::Error,
        "A `failover peer` block gives the same value for `address` (this server) and `peer \
address` (the partner), and the same port on both sides (`port` and `peer port`, 647 when \
absent). dhcpd -t accepts it, but the pair cannot work: the server tries to reach its partner \
at its own listening socket, the real partner never hears from it, and both stay out of the \
normal state while the admin looks for a firewall problem. It usually comes from copying the \
primary's block to the secondary and changing only one line. On each server, `address` is its \
own address and `peer address` the other server's; the two blocks mirror each other. (Two \
daemons on one test host may share an address if their ports differ; ISC's own failover tests \
do that, and this rule stays quiet then.)",
    ),
    check,
};

/// The port a side uses: the statement's value, 647 when it is absent or 0; `None` when the
/// value cannot be read.
fn port(peer: &PeerDecl<'_>, keyword: &str) -> Option<i64> {
    match (peer.get(keyword), number(peer, keyword)) {
        (None, _) | (Some(_), Some((0, _))) => Some(i64::from(crate::dhcpd::DEFAULT_FAILOVER_PORT)),
        (Some(_), Some((n, _))) => Some(n),
        (Some(_), None) => None,
    }
}

fn check(config: &Context, out: &mut Vec<Lint>) {
    for peer in config.peers() {
        let (Some(me), Some(partner)) = (peer.get("address"), peer.get("peer address")) else {
            continue;
        };
        let (Some(a), Some(b)) = (me.value.as_ref(), partner.value.as_ref()) else {
            continue;
        };
        if a.text.is_empty() || !a.text.eq_ignore_ascii_case(&b.text) {
            continue;
        }
        let (Some(p), Some(q)) = (port(peer, "port"), port(peer, "peer port")) else {
            continue;
        };
        if p != q {
            continue;
        }
        out.push(
            RULE.at(
                b.span,
                format!(
                    "failover peer {}: `peer address` is this server's own `address` {} (port {p} on both sides)",
                    peer.name.text, a.text
                ),
            )
            .label("the partner's address, the same as this server's")
            .related(a.span, "this server's address")
            .help("set `peer address` to the other server's address (and `address` to this one's)"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    #[test]
    fn same_address() {
        let conf = "failover peer \"fo\" {\n  primary;\n  address 10.0.0.2;\n  peer address 10.0.0.2;\n}\n";
        assert_eq!(lines(&RULE, conf), [4]);
        let names = "failover peer \"fo\" {\n  address DHCP1.example.com;\n  peer address dhcp1.example.com;\n  port 647;\n}\n";
        assert_eq!(lines(&RULE, names), [3]);
    }

    #[test]
    fn different_addresses_or_ports() {
        let conf = "failover peer \"fo\" {\n  primary;\n  address 10.0.0.2;\n  peer address 10.0.0.3;\n}\n";
        assert!(lines(&RULE, conf).is_empty());
        let one_side = "failover peer \"fo\" {\n  peer address 10.0.0.3;\n}\n";
        assert!(lines(&RULE, one_side).is_empty());
        let one_host = "failover peer \"fo\" {\n  address 10.0.0.1;\n  port 51000;\n  peer address 10.0.0.1;\n  peer port 51001;\n}\n";
        assert!(lines(&RULE, one_host).is_empty());
    }
}
