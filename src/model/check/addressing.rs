//! Rules on subnets, ranges and per-subnet options (DF130..DF139).

use crate::judgement::RangeCoverage;

use super::{DF130, DF131, DF132, DF133, DF134, DF135, DF136, DF137, DF138, DF139};
use std::net::Ipv4Addr;

use miette::SourceSpan;

use crate::diag::Finding;
use crate::model::{AddressRange, Cidr, Pair, Permit, ScopeParams, Spanned, Subnet};

pub(super) fn check(pair: &Pair, out: &mut Vec<Finding>) {
    let subnets: Vec<&Spanned<Subnet>> = pair.all_subnets().collect();
    for subnet in &subnets {
        let net = *subnet.network.value();
        if net.has_host_bits() {
            out.push(
                DF130
                    .at(subnet.network.span(), format!("{net} has host bits set"))
                    .label("not a network address")
                    .help(format!("write {}/{}", net.network(), net.prefix)),
            );
        }
        check_subnet_options(subnet, out);
        check_pools(pair, subnet, out);
    }
    check_subnet_overlaps(&subnets, out);
    check_range_overlaps(&subnets, out);
}

fn check_subnet_options(subnet: &Spanned<Subnet>, out: &mut Vec<Finding>) {
    let net = *subnet.network.value();
    let scopes = std::iter::once(subnet.options()).chain(subnet.pools.iter().map(|p| p.options()));
    for options in scopes.flatten() {
        if let Some(routers) = &options.routers {
            for router in routers.as_slice() {
                if !net.contains(*router) {
                    out.push(
                        DF135.at(routers.span(), format!("router {router} is not inside {net}"))
                            .label("outside the subnet")
                            .help("a client's gateway must be on its own subnet: use an address inside it"),
                    );
                }
            }
        }
        if let Some(bcast) = &options.broadcast_address
            && **bcast != net.broadcast()
        {
            out.push(
                DF136
                    .at(
                        bcast.span(),
                        format!("broadcast-address {} is not {net}'s broadcast", **bcast),
                    )
                    .label("wrong broadcast")
                    .help(format!("use {} or leave it out", net.broadcast())),
            );
        }
    }
}

fn check_pools(pair: &Pair, subnet: &Spanned<Subnet>, out: &mut Vec<Finding>) {
    let net = *subnet.network.value();
    let peers = pair.peers.value();
    let own = [
        *peers.primary.address.value(),
        *peers.secondary.address.value(),
    ];
    for pool in &subnet.pools {
        for range in pool.range.ranges() {
            let (s, e) = range.bounds();
            if s > e {
                out.push(
                    DF132
                        .at(
                            range.span,
                            format!(
                                "range starts at {} after its end {}",
                                range.start, range.end
                            ),
                        )
                        .label("reversed")
                        .help(format!("write [{}, {}]", range.end, range.start)),
                );
            }
            let mut inside = true;
            for end in [range.start, range.end] {
                if !net.contains(end) {
                    inside = false;
                    out.push(
                        DF133
                            .at(range.span, format!("{end} is outside subnet {net}"))
                            .label("outside the subnet")
                            .related(subnet.network.span(), "subnet")
                            .help(format!(
                                "keep ranges within {} - {}",
                                net.network(),
                                net.broadcast()
                            )),
                    );
                }
            }
            if inside {
                check_special_addresses(&range, net, &own, out);
            }
        }
        for permit in &pool.allow {
            check_permit(pair, permit, out);
            if *permit.value() == Permit::DynamicBootpClients && pool.uses_failover() {
                out.push(
                    DF137
                        .at(
                            permit.span(),
                            "a failover pool allows dynamic BOOTP clients",
                        )
                        .label("not possible with failover")
                        .help("put BOOTP clients in a separate pool with `failover: false`"),
                );
            }
        }
        if let Some(bootp) = pool.dynamic_bootp.as_ref().filter(|b| ***b)
            && pool.uses_failover()
        {
            out.push(
                DF137.at(bootp.span(), "a failover pool has dynamic-bootp ranges")
                    .label("dhcpd refuses this with a failover peer in scope")
                    .help("set `failover: false` on this pool; the failover protocol cannot handle dynamic BOOTP"),
            );
        }
        for permit in &pool.deny {
            check_permit(pair, permit, out);
        }
    }
}

fn check_special_addresses(
    range: &AddressRange,
    net: Cidr,
    own: &[Ipv4Addr; 2],
    out: &mut Vec<Finding>,
) {
    let (s, e) = range.bounds();
    let inside = |ip: Ipv4Addr| s <= u32::from(ip) && u32::from(ip) <= e;
    if net.prefix < 31 {
        for (ip, what) in [(net.network(), "network"), (net.broadcast(), "broadcast")] {
            if inside(ip) {
                out.push(
                    DF139.at(range.span, format!("range includes the subnet's {what} address {ip}"))
                        .label(format!("contains {ip}"))
                        .help("start the range after the network address and end it before the broadcast address"),
                );
            }
        }
    }
    for ip in own {
        if inside(*ip) {
            out.push(
                DF139
                    .at(range.span, format!("range includes peer address {ip}"))
                    .label(format!("contains {ip}"))
                    .help("keep the servers' own addresses out of dynamic ranges"),
            );
        }
    }
}

fn check_permit(pair: &Pair, permit: &Spanned<Permit>, out: &mut Vec<Finding>) {
    if let Permit::MembersOf(class) = permit.value()
        && !pair.classes.iter().any(|c| c.name.value() == class)
    {
        let names: Vec<&str> = pair
            .classes
            .iter()
            .map(|c| c.name.value().as_str())
            .collect();
        let help = crate::model::load::suggest(class, &names)
            .unwrap_or_else(|| format!("declare it under `classes:` with `name: {class}`"));
        out.push(
            DF138
                .at(permit.span(), format!("class `{class}` is not declared"))
                .label("unknown class")
                .help(help),
        );
    }
}

fn check_subnet_overlaps(subnets: &[&Spanned<Subnet>], out: &mut Vec<Finding>) {
    let mut sorted: Vec<(u32, u32, SourceSpan, Cidr)> = subnets
        .iter()
        .map(|s| {
            let (a, b) = s.network.bounds();
            (a, b, s.network.span(), *s.network.value())
        })
        .collect();
    sorted.sort_by_key(|t| (t.0, std::cmp::Reverse(t.1)));
    report_overlaps(
        &sorted,
        |(a, b)| {
            DF131.at(b.2, format!("subnet {} overlaps {}", b.3, a.3))
            .label("overlapping subnet")
            .related(a.2, "overlaps this one")
            .help("declare each network once; for several subnets on one link use `shared-networks`")
        },
        out,
    );
}

fn check_range_overlaps(subnets: &[&Spanned<Subnet>], out: &mut Vec<Finding>) {
    let mut ranges: Vec<(u32, u32, SourceSpan, AddressRange)> = subnets
        .iter()
        .flat_map(|s| s.pools.iter())
        .flat_map(|p| p.range.ranges())
        .filter(|r| !r.is_empty())
        .map(|r| (r.bounds().0, r.bounds().1, r.span, r))
        .collect();
    ranges.sort_by_key(|t| (t.0, std::cmp::Reverse(t.1)));
    report_overlaps(
        &ranges,
        |(a, b)| {
            DF134
                .at(
                    b.2,
                    format!(
                        "range {}-{} overlaps range {}-{}",
                        b.3.start, b.3.end, a.3.start, a.3.end
                    ),
                )
                .label("overlapping range")
                .related(a.2, "overlaps this one")
                .help("each address may belong to one range only; split or shrink one of them")
        },
        out,
    );
}

/// Reports each interval that shares an address with an earlier one, given intervals
/// sorted by start (widest first on a tie), citing the widest earlier interval that holds
/// the first shared address. The decision is [`RangeCoverage`]'s, as `lint`'s DF207.
fn report_overlaps<T: Copy>(
    sorted: &[(u32, u32, SourceSpan, T)],
    make: impl Fn((&(u32, u32, SourceSpan, T), &(u32, u32, SourceSpan, T))) -> Finding,
    out: &mut Vec<Finding>,
) {
    let mut coverage = RangeCoverage::default();
    for (i, item) in sorted.iter().enumerate() {
        let Some(first) = coverage.add(item.0, item.1) else {
            continue;
        };
        let earlier = sorted[..i]
            .iter()
            .filter(|e| (e.0..=e.1).contains(&first))
            .reduce(|widest, e| if e.1 > widest.1 { e } else { widest });
        if let Some(earlier) = earlier {
            out.push(make((earlier, item)));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::check::testing::{BASE, OWN_NETWORK, codes, with};

    fn subnets(body: &str) -> String {
        with(body)
    }

    #[test]
    fn subnet_rules() {
        assert_eq!(codes(&subnets("  - network: 10.5.0.5/24\n")), ["DF130"]);
        assert_eq!(
            codes(&subnets(
                "  - network: 10.5.0.0/16\n  - network: 10.5.5.0/24\n"
            )),
            ["DF131"]
        );
        assert!(
            codes(&subnets(
                "  - network: 10.5.0.0/24\n  - network: 10.5.1.0/24\n"
            ))
            .is_empty()
        );
    }

    #[test]
    fn range_rules() {
        let pool = |r: &str| {
            subnets(&format!(
                "  - network: 10.1.0.0/24\n    pools:\n      - range: {r}\n"
            ))
        };
        assert!(codes(&pool("[10.1.0.10, 10.1.0.20]")).is_empty());
        assert_eq!(codes(&pool("[10.1.0.20, 10.1.0.10]")), ["DF132"]);
        assert_eq!(codes(&pool("[10.1.0.10, 10.1.1.20]")), ["DF133"]);
        assert_eq!(
            codes(&pool("[[10.1.0.10, 10.1.0.20], [10.1.0.15, 10.1.0.30]]")),
            ["DF134"]
        );
        assert_eq!(codes(&pool("[10.1.0.0, 10.1.0.20]")), ["DF139"]);
        assert_eq!(codes(&pool("[10.1.0.1, 10.1.0.255]")), ["DF139"]);
        let across = subnets(
            "  - network: 10.1.0.0/24\n    pools:\n      - range: [10.1.0.10, 10.1.0.20]\n      - range: [10.1.0.20, 10.1.0.30]\n",
        );
        assert_eq!(codes(&across), ["DF134"]);
        let peer_inside = format!(
            "{}  - network: 10.0.0.0/24\n    pools:\n      - range: [10.0.0.1, 10.0.0.9]\n",
            BASE.replace(OWN_NETWORK, "")
        );
        assert_eq!(codes(&peer_inside), ["DF139", "DF139"]);
    }

    #[test]
    fn option_and_permit_rules() {
        let base = "  - network: 10.1.0.0/24\n    options: { routers: 10.2.0.1, broadcast-address: 10.1.0.127 }\n";
        assert_eq!(codes(&subnets(base)), ["DF135", "DF136"]);
        let bootp = "  - network: 10.1.0.0/24\n    pools:\n      - range: [10.1.0.10, 10.1.0.20]\n        allow: [dynamic-bootp-clients]\n";
        assert_eq!(codes(&subnets(bootp)), ["DF137"]);
        assert!(
            codes(&subnets(
                &bootp.replace("allow:", "failover: false\n        allow:")
            ))
            .is_empty()
        );
        let bootp_range = bootp.replace("allow: [dynamic-bootp-clients]", "dynamic-bootp: true");
        assert_eq!(codes(&subnets(&bootp_range)), ["DF137"]);
        let class = "  - network: 10.1.0.0/24\n    pools:\n      - range: [10.1.0.10, 10.1.0.20]\n        allow: [{ members-of: voip }]\n";
        assert_eq!(codes(&subnets(class)), ["DF138"]);
        assert!(codes(&format!("{}classes:\n  - name: voip\n", subnets(class))).is_empty());
    }
}
