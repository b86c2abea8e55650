//! Rules on known clients: reservations, duplicates, identifiers (DF140..DF145).

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
    let networks: Vec<_> = pair.all_subnets().map(|s| *s.network.value()).collect();

    let mut names = HashMap::new();
    let mut macs = HashMap::new();
    let mut fixed: HashMap<Ipv4Addr, miette::SourceSpan> = HashMap::new();
    for host in &pair.hosts {
        let name = host.name.value().to_ascii_lowercase();
        if let Some(first) = names.insert(name, host.name.span()) {
            out.push(
                Finding::error(
                    "DF142",
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
                        Finding::error(
                            "DF141",
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
                Finding::warning(
                    "DF145",
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
                    Finding::error(
                        "DF140",
                        addresses.span(),
                        format!("fixed address {ip} is inside a dynamic range"),
                    )
                    .label("reserved address")
                    .related(range.span, "this range")
                    .help("reserve addresses outside every pool's range, or shrink the range"),
                );
            }
            if !networks.iter().any(|n| n.contains(*ip)) {
                out.push(
                    Finding::warning(
                        "DF143",
                        addresses.span(),
                        format!("fixed address {ip} is in no declared subnet"),
                    )
                    .label("never handed out")
                    .help("declare the subnet it belongs to under `subnets:`"),
                );
            }
            if let Some(first) = fixed.insert(*ip, addresses.span()) {
                out.push(
                    Finding::error(
                        "DF144",
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
    use crate::model::check::testing::{codes, with};

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
}
