//! DF411: subnets grouped into shared networks differently on the two peers.

use super::diff::{Diff, Difference, Findings, Mode};
use super::tree::ScopeKind;
use crate::codes::Code;
use crate::conf::load::Config;
use crate::diag::Severity;

/// DF411, reported from the pair's `SharedNetworkMembership` differences
/// ([`super::diff::Difference`]).
pub static RULE: Code = Code::lint_rule(
    "DF411",
    "shared-network-differs",
    Severity::Warning,
    "A `shared-network` joins a set of subnets that the other peer does not join in the \
same way: a subnet is in the shared network on one peer and on its own (or in another shared \
network) on the other, or the shared network is missing there. A shared network tells dhcpd \
that several subnets are on one link, so a client may get an address from any of their pools; \
with different groupings a client on that link gets an address from any subnet on one peer and \
only from its own subnet on the other (or is refused), depending on which peer answered. Shared \
networks are matched by their subnets, not by their names (DF412 reports a renamed one). Group \
the subnets the same way on both peers.",
);

/// Runs the rule on a primary's and a secondary's configuration.
pub fn check(primary: &Config, secondary: &Config, out: &mut Findings) {
    report(&Diff::of(primary, secondary, Mode::Pair), out);
}

pub(super) fn report(diff: &Diff<'_>, out: &mut Findings) {
    for d in &diff.differences {
        let Difference::SharedNetworkMembership { side, node: index } = d else {
            continue;
        };
        let (side, index) = (*side, *index);
        let tree = &diff.trees[side];
        let node = &tree.nodes[index];
        let other = &diff.trees[1 - side];
        let subnets: Vec<&str> = tree
            .nodes
            .iter()
            .enumerate()
            .filter(|(i, n)| n.kind == ScopeKind::Subnet && tree.shared_network_of(*i) == Some(index))
            .map(|(_, n)| n.key.as_str())
            .collect();
        let elsewhere: Vec<String> = subnets
            .iter()
            .map(|key| match other.index.get(*key) {
                Some(&j) => match other.shared_network_of(j) {
                    Some(sn) => format!(
                        "{key} is in {} ({})",
                        other.nodes[sn].title,
                        diff.loc(1 - side, other.nodes[sn].span)
                    ),
                    None => format!(
                        "{key} is on its own ({})",
                        diff.loc(1 - side, other.nodes[j].span)
                    ),
                },
                None => format!("{key} is not declared"),
            })
            .collect();
        let message = if subnets.is_empty() {
            format!(
                "{} (without subnets) is declared here but not in the partner ({})",
                node.title,
                diff.file(1 - side)
            )
        } else {
            format!(
                "{} joins {} here; in the partner {}",
                node.title,
                subnets.join(", "),
                elsewhere.join(", ")
            )
        };
        out.push(
            side,
            RULE.lint_at(node.span, message)
                .label("grouped differently on the partner")
                .help(
                    "group the subnets into the same shared networks on both peers: a client on this link may get an address from any of these subnets on one peer and only from its own subnet's pools on the other",
                ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::report;
    use crate::conf::pair::diff::testing::{pair_with, run};

    #[test]
    fn subnet_outside_the_shared_network_on_the_partner() {
        let (p, s) = pair_with(
            "shared-network lan {\n  subnet 10.0.0.0 netmask 255.255.255.0 { }\n  subnet 10.0.1.0 netmask 255.255.255.0 { }\n}\n",
            "shared-network lan {\n  subnet 10.0.0.0 netmask 255.255.255.0 { }\n}\nsubnet 10.0.1.0 netmask 255.255.255.0 { }\n",
        );
        let found = run(report, &p, &s);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!((found[0].0, found[0].1), (0, 8));
        assert!(
            found[0]
                .2
                .contains("subnet 10.0.1.0/24 is on its own (s.conf:9)"),
            "{}",
            found[0].2
        );
    }

    #[test]
    fn same_grouping_in_another_order() {
        let (p, s) = pair_with(
            "shared-network lan {\n  subnet 10.0.0.0 netmask 255.255.255.0 { }\n  subnet 10.0.1.0 netmask 255.255.255.0 { }\n}\n",
            "shared-network lan {\n  subnet 10.0.1.0 netmask 255.255.255.0 { }\n  subnet 10.0.0.0 netmask 255.255.255.0 { }\n}\n",
        );
        assert!(run(report, &p, &s).is_empty());
    }
}
