//! DF414: pools laid out differently on the two peers.

use super::diff::{Diff, Difference, Findings, Mode};
use super::tree::{ScopeKind, show_intervals};
use crate::codes::Code;
use crate::conf::load::Config;
use crate::diag::Severity;

/// DF414, reported from the pair's `NodeOnOneSide`, `PoolLayout`, `RangeOnOneSide` differences
/// ([`super::diff::Difference`]).
pub static RULE: Code = Code::lint_rule(
    "DF414",
    "pool-layout-differs",
    Severity::Warning,
    "The pools differ between the peers without losing failover addresses: the same \
addresses are split into pools differently (one pool on one peer, two on the other), or a pool \
without failover has addresses on one peer only. In the first case each pool's permit list, \
options and lease times apply to different addresses on the two peers, so what a client gets \
depends on which peer answered. In the second case only one peer serves those addresses: that \
is the intended layout when each peer serves its own share without failover (dhcpd.conf(5): \
pools without failover must not be common to both), and a mistake when both should serve them. \
Addresses of failover pools missing on one peer are DF413.",
);

/// Runs the rule on a primary's and a secondary's configuration.
pub fn check(primary: &Config, secondary: &Config, out: &mut Findings) {
    report(&Diff::of(primary, secondary, Mode::Pair), out);
}

pub(super) fn report(diff: &Diff<'_>, out: &mut Findings) {
    for d in &diff.differences {
        match d {
            Difference::RangeOnOneSide {
                side,
                pool,
                range,
                missing,
            } if diff.node(*side, *pool).peer.is_none() => {
                out.push(
                    *side,
                    RULE.lint_at(
                        range.span,
                        format!(
                            "addresses {} of this pool without failover are in no range of the partner ({})",
                            show_intervals(missing),
                            diff.file(1 - side)
                        ),
                    )
                    .label("served by this peer only")
                    .help(
                        "right if each peer serves its own share of addresses without failover; if both peers should serve these clients, give the partner a share of its own (pools without failover must not overlap) or make the pool a failover pool on both",
                    ),
                );
            }
            Difference::PoolLayout {
                side,
                pool,
                partners,
            } => {
                let node = diff.node(*side, *pool);
                let theirs: Vec<String> =
                    partners.iter().map(|&j| diff.place(1 - side, j)).collect();
                out.push(
                    *side,
                    RULE.lint_at(
                        node.span,
                        format!(
                            "the partner has no pool with the ranges of this {}; its addresses are in the partner's {}",
                            node.title,
                            theirs.join("; ")
                        ),
                    )
                    .label("pool boundaries differ")
                    .help(
                        "write the same pools on both peers: each pool's permit list, options and lease times apply to different addresses on the two peers",
                    ),
                );
            }
            Difference::NodeOnOneSide { side, node }
                if diff.node(*side, *node).kind == ScopeKind::Pool =>
            {
                let node = diff.node(*side, *node);
                out.push(
                    *side,
                    RULE.lint_at(
                        node.span,
                        format!(
                            "this pool without ranges has no counterpart in the partner ({})",
                            diff.file(1 - side)
                        ),
                    )
                    .label("only on this peer")
                    .help("write the same pools on both peers, or remove the empty pool"),
                );
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::report;
    use crate::conf::pair::diff::testing::{pair_with, run};

    #[test]
    fn split_differently() {
        let (p, s) = pair_with(
            "subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool { failover peer \"fo\"; range 10.0.0.10 10.0.0.30; }\n}\n",
            "subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool { failover peer \"fo\"; range 10.0.0.10 10.0.0.19; }\n  pool { failover peer \"fo\"; range 10.0.0.20 10.0.0.30; }\n}\n",
        );
        let found = run(report, &p, &s);
        assert_eq!(found.len(), 3, "{found:?}");
        assert_eq!((found[0].0, found[0].1), (0, 9));
        assert!(
            found[0]
                .2
                .contains("s.conf:7; pool 10.0.0.20-10.0.0.30 at s.conf:8"),
            "{}",
            found[0].2
        );
    }

    #[test]
    fn pool_without_failover_on_one_side() {
        let (p, s) = pair_with(
            "subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool { range 10.0.0.10 10.0.0.20; }\n}\n",
            "subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool { range 10.0.0.30 10.0.0.40; }\n}\n",
        );
        let found = run(report, &p, &s);
        assert_eq!(found.len(), 2);
        assert!(found[0].2.contains("without failover"));
    }
}
