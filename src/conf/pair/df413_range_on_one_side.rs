//! DF413: addresses of a failover pool that the partner has in no range.

use super::diff::{Diff, Difference, Findings, Mode};
use super::tree::{ScopeKind, show_intervals};
use crate::codes::Code;
use crate::conf::load::Config;
use crate::diag::Severity;

/// DF413, reported from the pair's `RangeOnOneSide` differences ([`super::diff::Difference`]).
pub static RULE: Code = Code::lint_rule(
    "DF413",
    "range-on-one-side",
    Severity::Error,
    "A `range` of a failover pool holds addresses that are in no range of the other peer: \
a range added, widened or mistyped on one server only, or a pool or subnet missing on the \
other. Binding updates for those addresses are rejected by the partner (\"unknown IP address\"), \
so the leases this peer gives from them are unknown to the partner, which cannot renew them or \
take over when this peer fails; with load balancing the partner also never answers for them. \
dhcpd.conf(5) requires both peers to have the same pools. Ranges are compared as address sets: \
`range A B; range B+1 C;` equals `range A C;`. Write the same ranges on both peers.",
);

/// Runs the rule on a primary's and a secondary's configuration.
pub fn check(primary: &Config, secondary: &Config, out: &mut Findings) {
    report(&Diff::of(primary, secondary, Mode::Pair), out);
}

pub(super) fn report(diff: &Diff<'_>, out: &mut Findings) {
    for d in &diff.differences {
        let Difference::RangeOnOneSide {
            side,
            pool,
            range,
            missing,
        } = d
        else {
            continue;
        };
        let (side, pool) = (*side, diff.node(*side, *pool));
        let Some((peer, _)) = &pool.peer else {
            continue;
        };
        // Where the partner would have them: its matching subnet, if it has one.
        let subnet = pool
            .parent
            .map(|p| diff.node(side, p))
            .filter(|p| p.kind == ScopeKind::Subnet)
            .and_then(|p| diff.trees[1 - side].index.get(&p.key))
            .map(|&j| diff.place(1 - side, j));
        let partner = match subnet {
            Some(place) => format!("the partner's {place}"),
            None => format!("the partner ({})", diff.file(1 - side)),
        };
        out.push(
            side,
            RULE.lint_at(
                range.span,
                format!(
                    "addresses {} of this failover pool (peer \"{peer}\") are in no range of {partner}",
                    show_intervals(missing)
                ),
            )
            .label("not on the partner")
            .help(
                "write the same ranges on both peers: the partner rejects binding updates for these addresses, so it cannot renew or take over the leases this peer gives from them",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::report;
    use crate::conf::pair::diff::testing::{pair_with, run};

    const SUBNET: &str = "subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool {\n    failover peer \"fo\";\n    range 10.0.0.10 10.0.0.20;\n";

    #[test]
    fn widened_range() {
        let (p, s) = pair_with(
            &format!("{SUBNET}  }}\n}}\n"),
            &format!("{}  }}\n}}\n", SUBNET.replace("10.0.0.20", "10.0.0.30")),
        );
        let found = run(report, &p, &s);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].0, found[0].1), (1, 9));
        assert!(found[0].2.contains("10.0.0.21-10.0.0.30"), "{}", found[0].2);
        assert!(
            found[0].2.contains("subnet 10.0.0.0/24 at p.conf:8"),
            "{}",
            found[0].2
        );
    }

    #[test]
    fn same_addresses_in_other_ranges() {
        let (p, s) = pair_with(
            &format!("{SUBNET}  }}\n}}\n"),
            "subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool {\n    range 10.0.0.16 10.0.0.20;\n    failover peer \"fo\";\n    range 10.0.0.10 10.0.0.15;\n  }\n}\n",
        );
        assert!(run(report, &p, &s).is_empty());
    }

    #[test]
    fn pools_without_failover_are_df414s() {
        let (p, s) = pair_with(
            "subnet 10.0.0.0 netmask 255.255.255.0 {\n  range 10.0.0.10 10.0.0.20;\n}\n",
            "subnet 10.0.0.0 netmask 255.255.255.0 {\n}\n",
        );
        assert!(run(report, &p, &s).is_empty());
    }
}
