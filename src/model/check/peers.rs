//! Rules on the two peers: distinct addresses, ports, mirrored peer ports, interfaces
//! (DF120..DF124).

use crate::diag::Finding;
use crate::model::{Pair, Role};

pub(super) fn check(pair: &Pair, out: &mut Vec<Finding>) {
    let peers = pair.peers.value();
    let (p, s) = (peers.primary.value(), peers.secondary.value());
    if *p.address.value() == *s.address.value() {
        out.push(
            Finding::error(
                "DF120",
                s.address.span(),
                format!("both peers have address {}", *s.address),
            )
            .label("secondary")
            .related(p.address.span(), "primary")
            .help("give each peer its own address: the one it listens on for failover"),
        );
    }
    for role in Role::BOTH {
        let peer = peers.get(role);
        let partner = peers.get(role.partner());
        for port in [&peer.port, &peer.peer_port].into_iter().flatten() {
            if !(1..=65535).contains(&**port) {
                out.push(
                    Finding::error(
                        "DF121",
                        port.span(),
                        format!("port {} is outside 1..65535", **port),
                    )
                    .label("invalid port")
                    .help("use the failover port 647, or another free TCP port"),
                );
            }
        }
        if let Some(peer_port) = &peer.peer_port
            && **peer_port != partner.port()
        {
            let mut f = Finding::error(
                "DF122",
                peer_port.span(),
                format!(
                    "the {} dials port {} but the {} listens on {}",
                    role.as_str(),
                    **peer_port,
                    role.partner().as_str(),
                    partner.port()
                ),
            )
            .label("peer port not mirrored")
            .help(format!(
                "remove `peer-port` (dhcpfo mirrors the partner's port) or set the {}'s `port` to {}",
                role.partner().as_str(),
                **peer_port
            ));
            if let Some(port) = &partner.port {
                f = f.related(port.span(), "partner's port");
            }
            out.push(f);
        }
        let peer_span = match role {
            Role::Primary => peers.primary.span(),
            Role::Secondary => peers.secondary.span(),
        };
        if peer.interfaces.is_empty() {
            out.push(
                Finding::warning("DF123", peer_span, format!("the {} lists no interfaces", role.as_str()))
                    .label("no `interfaces:`")
                    .help("list the interfaces dhcpd serves, e.g. `interfaces: [eth0]`; they go to INTERFACESv4"),
            );
        }
        for iface in &peer.interfaces {
            let name = iface.value();
            let valid = !name.is_empty()
                && name.len() <= 15
                && name
                    .chars()
                    .all(|c| c.is_ascii_graphic() && !"/:\"'\\".contains(c));
            if !valid {
                out.push(
                    Finding::error(
                        "DF124",
                        iface.span(),
                        format!("`{name}` is not an interface name"),
                    )
                    .label("invalid interface")
                    .help("use the name `ip link` shows, e.g. eth0 or ens33"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::check::testing::{BASE, codes};

    #[test]
    fn peer_rules() {
        assert_eq!(codes(&BASE.replace("10.0.0.3", "10.0.0.2")), ["DF120"]);
        let ports = BASE.replace(
            "{ address: 10.0.0.3,",
            "{ address: 10.0.0.3, port: 847, peer-port: 646,",
        );
        assert_eq!(codes(&ports), ["DF122"]);
        let mirrored = BASE
            .replace(
                "{ address: 10.0.0.2,",
                "{ address: 10.0.0.2, peer-port: 847,",
            )
            .replace("{ address: 10.0.0.3,", "{ address: 10.0.0.3, port: 847,");
        assert!(codes(&mirrored).is_empty());
        assert_eq!(
            codes(&BASE.replace("{ address: 10.0.0.2,", "{ address: 10.0.0.2, port: 0,")),
            ["DF121"]
        );
        assert_eq!(
            codes(&BASE.replace(
                "interfaces: [eth0] }\n  secondary",
                "interfaces: [] }\n  secondary"
            )),
            ["DF123"]
        );
        assert_eq!(
            codes(&BASE.replace("[eth0] }\n  secondary", "[\"eth 0\"] }\n  secondary")),
            ["DF124"]
        );
    }
}
