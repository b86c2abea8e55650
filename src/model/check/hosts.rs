//! Rules on known clients: reservations, duplicates, identifiers (DF140..DF145).

use super::{DF140, DF141, DF142, DF143, DF144, DF145};
use std::collections::HashMap;
use std::net::Ipv4Addr;

use crate::diag::Finding;
use crate::model::{AddressRange, Pair};

pub(super) fn check(pair: &Pair, out: &mut Vec<Finding>) {
    let mut ranges: Vec<AddressRange> = pair
        .all_subnets()
        .flat_map(|s| s.pools.iter())
        .flat_map(|p| p.range.ranges())
        .filter(|r| !r.is_empty())
        .collect();
    ranges.sort_by_key(|r| r.bounds());
    let networks = Networks::new(pair);

    let mut names = HashMap::new();
    let mut macs = HashMap::new();
    let mut fixed: HashMap<Ipv4Addr, miette::SourceSpan> = HashMap::new();
    for host in &pair.hosts {
        let name = host.name.value().to_ascii_lowercase();
        if let Some(first) = names.insert(name, host.name.span()) {
            out.push(
                DF142
                    .at(
                        host.name.span(),
                        format!("host `{}` is declared twice", host.name.value()),
                    )
                    .label("second declaration")
                    .related(first, "first declaration")
                    .help("host names must be unique; rename or merge the two"),
            );
        }
        match &host.hardware_ethernet {
            Some(mac) => {
                if let Some(first) = macs.insert(*mac.value(), mac.span()) {
                    out.push(
                        DF141
                            .at(
                                mac.span(),
                                format!("hardware address {} is used by two hosts", mac.value()),
                            )
                            .label("duplicate MAC")
                            .related(first, "first use")
                            .help("give each host its own MAC, or merge the declarations"),
                    );
                }
            }
            None => out.push(
                DF145
                    .at(
                        host.name.span(),
                        format!("host `{}` has no hardware-ethernet", host.name.value()),
                    )
                    .label("no client can match this host")
                    .help("add `hardware-ethernet: 00:11:22:33:44:55`"),
            ),
        }
        let Some(addresses) = &host.fixed_address else {
            continue;
        };
        for ip in addresses.as_slice() {
            if let Some(range) = containing_range(&ranges, *ip) {
                out.push(
                    DF140
                        .at(
                            addresses.span(),
                            format!("fixed address {ip} is inside a dynamic range"),
                        )
                        .label("reserved address")
                        .related(range.span, "this range")
                        .help("reserve addresses outside every pool's range, or shrink the range"),
                );
            }
            if !networks.contain(*ip) {
                out.push(
                    DF143
                        .at(
                            addresses.span(),
                            format!("fixed address {ip} is in no declared subnet"),
                        )
                        .label("never handed out")
                        .help("declare the subnet it belongs to under `subnets:`"),
                );
            }
            if let Some(first) = fixed.insert(*ip, addresses.span()) {
                out.push(
                    DF144
                        .at(
                            addresses.span(),
                            format!("fixed address {ip} is reserved twice"),
                        )
                        .label("second reservation")
                        .related(first, "first reservation")
                        .help("each reserved address belongs to one host"),
                );
            }
        }
    }
}

/// The address intervals of every declared subnet, to ask whether any contains an address
/// in O(log n) rather than by scanning all subnets for each host.
struct Networks {
    /// `(first, last)` of each subnet, sorted by first address.
    bounds: Vec<(u32, u32)>,
    /// `reach[i]`: the highest last address among `bounds[..=i]`.
    reach: Vec<u32>,
}

impl Networks {
    fn new(pair: &Pair) -> Self {
        let mut bounds: Vec<(u32, u32)> = pair.all_subnets().map(|s| s.network.bounds()).collect();
        bounds.sort_unstable();
        let reach = bounds
            .iter()
            .scan(0, |max, &(_, last)| {
                *max = last.max(*max);
                Some(*max)
            })
            .collect();
        Networks { bounds, reach }
    }

    /// Whether some subnet contains `ip`: among the subnets starting at or before it, the one
    /// reaching furthest reaches it.
    fn contain(&self, ip: Ipv4Addr) -> bool {
        let ip = u32::from(ip);
        let starting_before = self.bounds.partition_point(|&(first, _)| first <= ip);
        starting_before > 0 && self.reach[starting_before - 1] >= ip
    }
}

/// The range containing `ip`, given ranges sorted by start.
fn containing_range(sorted: &[AddressRange], ip: Ipv4Addr) -> Option<&AddressRange> {
    let ip = u32::from(ip);
    let after = sorted.partition_point(|r| r.bounds().0 <= ip);
    sorted[..after]
        .iter()
        .rev()
        .take(8)
        .find(|r| r.bounds().1 >= ip)
}

#[cfg(test)]
mod tests {
    use crate::model::check::testing::{BASE, OWN_NETWORK, codes, with};

    const NET: &str =
        "  - network: 10.1.0.0/24\n    pools:\n      - range: [10.1.0.100, 10.1.0.200]\n";

    fn hosts(body: &str) -> String {
        with(&format!("{NET}hosts:\n{body}"))
    }

    #[test]
    fn host_rules() {
        let ok = "  - { name: a, hardware-ethernet: 00:00:00:00:00:01, fixed-address: 10.1.0.5 }\n";
        assert!(codes(&hosts(ok)).is_empty());
        assert_eq!(
            codes(&hosts(&ok.replace("10.1.0.5", "10.1.0.150"))),
            ["DF140"]
        );
        assert_eq!(
            codes(&hosts(&ok.replace("10.1.0.5", "10.9.0.5"))),
            ["DF143"]
        );
        let dup_mac = format!("{ok}  - {{ name: b, hardware-ethernet: 00:00:00:00:00:01 }}\n");
        assert_eq!(codes(&hosts(&dup_mac)), ["DF141"]);
        let dup_name = format!("{ok}  - {{ name: A, hardware-ethernet: 00:00:00:00:00:02 }}\n");
        assert_eq!(codes(&hosts(&dup_name)), ["DF142"]);
        let dup_ip = format!(
            "{ok}  - {{ name: b, hardware-ethernet: 00:00:00:00:00:02, fixed-address: 10.1.0.5 }}\n"
        );
        assert_eq!(codes(&hosts(&dup_ip)), ["DF144"]);
        assert_eq!(codes(&hosts("  - { name: c }\n")), ["DF145"]);
    }

    #[test]
    fn fixed_address_in_any_of_nested_or_unsorted_subnets() {
        let nets = "  - network: 10.9.0.0/24\n  - network: 10.0.0.0/16\n  - network: 10.0.5.0/24\n  - network: 10.0.7.0/24\n";
        // The peers' addresses lie in 10.0.0.0/16, which stands for their own network here.
        let host = |ip: &str| {
            BASE.replace(OWN_NETWORK, "")
                + &(format!(
                    "{nets}hosts:\n  - {{ name: a, hardware-ethernet: 00:00:00:00:00:01, fixed-address: {ip} }}\n"
                ))
        };
        // 10.0.5.0/24 and 10.0.7.0/24 overlap 10.0.0.0/16 (DF131, twice); the /16 still holds
        // addresses beyond the last /24 that starts inside it.
        for ip in ["10.0.200.5", "10.0.0.1", "10.0.5.9", "10.9.0.255"] {
            assert_eq!(codes(&host(ip)), ["DF131", "DF131"], "{ip}");
        }
        for ip in [
            "10.1.0.1",
            "9.255.255.255",
            "10.9.1.0",
            "255.255.255.255",
            "0.0.0.0",
        ] {
            assert_eq!(codes(&host(ip)), ["DF131", "DF131", "DF143"], "{ip}");
        }
    }
}
