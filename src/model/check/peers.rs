//! Rules on the two peers: distinct addresses, ports, mirrored peer ports, interfaces, the
//! OMAPI port beside the failover ports, and the peers' own network declared (DF120..DF126).

use super::{DF120, DF121, DF122, DF123, DF124, DF125, DF126};
use std::net::Ipv4Addr;

use crate::diag::Finding;
use crate::model::{Pair, Role};

pub(super) fn check(pair: &Pair, out: &mut Vec<Finding>) {
    omapi_port(pair, out);
    own_network_declared(pair, out);
    let peers = pair.peers.value();
    let (p, s) = (peers.primary.value(), peers.secondary.value());
    if *p.address.value() == *s.address.value() {
        out.push(
            DF120
                .at(
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
                    DF121
                        .at(port.span(), format!("port {} is outside 1..65535", **port))
                        .label("invalid port")
                        .help("use the failover port 647, or another free TCP port"),
                );
            }
        }
        if let Some(peer_port) = &peer.peer_port
            && **peer_port != partner.port()
        {
            let mut f = DF122.at(
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
                DF123.at(peer_span, format!("the {} lists no interfaces", role.as_str()))
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
                    DF124
                        .at(iface.span(), format!("`{name}` is not an interface name"))
                        .label("invalid interface")
                        .help("use the name `ip link` shows, e.g. eth0 or ens33"),
                );
            }
        }
    }
}

/// DF125: `omapi-port` within 1..65535 and apart from both failover ports. dhcpd 4.4 binds its
/// OMAPI listener on every address first; a failover listener on the same port then silently
/// fails, and the partner's connections reach OMAPI instead.
fn omapi_port(pair: &Pair, out: &mut Vec<Finding>) {
    let Some(port) = pair.global.as_ref().and_then(|g| g.omapi_port.clone()) else {
        return;
    };
    if !(1..=65535).contains(&*port) {
        out.push(
            DF125
                .at(
                    port.span(),
                    format!("omapi-port {} is outside 1..65535", *port),
                )
                .label("invalid port")
                .help("use OMAPI's usual port 7911, or leave `omapi-port` out to open no listener"),
        );
        return;
    }
    let peers = pair.peers.value();
    let clashing: Vec<Role> = Role::BOTH
        .into_iter()
        .filter(|role| peers.get(*role).port() == *port)
        .collect();
    let whose = match clashing.as_slice() {
        [] => return,
        [role] => format!("the {}'s", role.as_str()),
        _ => "both peers'".to_string(),
    };
    let mut f = DF125
        .at(
            port.span(),
            format!("omapi-port {} is {whose} failover port", *port),
        )
        .label("same port as failover")
        .help(
            "dhcpd would open OMAPI on that port and silently no failover listener; \
         use another port, e.g. 7911",
        );
    for role in clashing {
        if let Some(failover) = &peers.get(role).port {
            f = f.related(
                failover.span(),
                format!("the {}'s failover port", role.as_str()),
            );
        }
    }
    out.push(f);
}

/// DF126: each peer's address lies in a declared subnet. dhcpd looks up the subnet of every
/// interface it serves (ISC's `discover_interfaces`); an interface whose address no subnet
/// holds is dropped ("No subnet declaration for eth0"), and with none left dhcpd does not start.
fn own_network_declared(pair: &Pair, out: &mut Vec<Finding>) {
    let peers = pair.peers.value();
    for role in Role::BOTH {
        let peer = peers.get(role);
        let address = *peer.address.value();
        if pair.all_subnets().any(|s| s.network.contains(address)) {
            continue;
        }
        let interfaces: Vec<&str> = peer.interfaces.iter().map(|i| i.as_str()).collect();
        let served = match interfaces.as_slice() {
            [] => "the interface that holds it".to_string(),
            [one] => (*one).to_string(),
            many => many.join(", "),
        };
        let network = own_network(address);
        out.push(
            DF126.at(
                peer.address.span(),
                format!(
                    "no declared subnet contains the {}'s address {address}: dhcpd finds no subnet for {served} and does not start",
                    role.as_str()
                ),
            )
            .label("in no subnet")
            .help(format!(
                "declare the servers' own network, without pools if it has no clients: under `subnets:` add `- network: {network}` (with the prefix the interface really has)"
            )),
        );
    }
}

/// The /24 around an address: the usual prefix of a servers' network, offered as an example.
fn own_network(address: Ipv4Addr) -> String {
    let [a, b, c, _] = address.octets();
    format!("{a}.{b}.{c}.0/24")
}

#[cfg(test)]
mod tests {
    use crate::model::check::testing::{BASE, codes, with};

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

    #[test]
    fn each_peer_address_lies_in_a_declared_subnet() {
        let no_own_network = BASE.replace("  - network: 10.0.0.0/24\n", "");
        assert_eq!(codes(&no_own_network), ["DF126", "DF126"]);
        // The secondary on another network: only it is reported.
        assert_eq!(
            codes(&BASE.replace("address: 10.0.0.3", "address: 10.9.0.3")),
            ["DF126"]
        );
        // A subnet of a shared network counts as declared.
        let shared = format!(
            "{no_own_network}shared-networks:\n  - name: servers\n    subnets:\n      - network: 10.0.0.0/25\n"
        );
        assert!(codes(&shared).is_empty(), "{:?}", codes(&shared));
        let source = crate::model::load_str("t.yaml", no_own_network).unwrap();
        let diags = crate::model::check::check(&source);
        let first = &diags[0].finding;
        assert!(
            first.message.contains("primary's address 10.0.0.2"),
            "{}",
            first.message
        );
        assert!(
            first.message.contains("no subnet for eth0"),
            "{}",
            first.message
        );
        assert!(
            first.help.contains("`- network: 10.0.0.0/24`"),
            "{}",
            first.help
        );
        assert_eq!(diags[0].location(), "t.yaml:7:23");
    }

    #[test]
    fn omapi_port_apart_from_failover_ports() {
        assert!(codes(&with("global:\n  omapi-port: 7911\n")).is_empty());
        assert_eq!(codes(&with("global:\n  omapi-port: 647\n")), ["DF125"]);
        assert_eq!(codes(&with("global:\n  omapi-port: 0\n")), ["DF125"]);
        let secondary_847 = BASE.replace("{ address: 10.0.0.3,", "{ address: 10.0.0.3, port: 847,");
        assert_eq!(
            codes(&format!("{secondary_847}global:\n  omapi-port: 847\n")),
            ["DF125"]
        );
    }
}
