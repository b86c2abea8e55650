//! DF330: pool balance settings that contradict each other.

use super::support::number;
use crate::codes::Code;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::dhcpd::{DEFAULT_MAX_LEASE_MISBALANCE, DEFAULT_MAX_LEASE_OWNERSHIP};
use crate::diag::Severity;
use crate::judgement;

pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF330",
        "balance-settings",
        Severity::Warning,
        "The pool balance settings of a `failover peer` block contradict each other or their \
meaning: `max-lease-misbalance` or `max-lease-ownership` above 100 (they are percentages; \
above 50 they all behave the same), `max-lease-ownership` not below `max-lease-misbalance` \
(dhcpd.conf(5) recommends it lower; the defaults are 10 and 15), or `min-balance` above \
`max-balance` (seconds between rebalancing runs; defaults 60 and 3600). dhcpd accepts any \
number, and the free leases are then shared between the peers differently than intended. \
Remove the statements to get the defaults, or fix the values.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    for peer in config.peers() {
        for keyword in ["max-lease-misbalance", "max-lease-ownership"] {
            // dhcpd reads it with atoi into an unsigned 32-bit field (-5 is 4294967291).
            if let Some((n, s)) = number(peer, keyword).map(|(n, s)| (n as u32, s))
                && n > 100
            {
                out.push(
                    RULE.at(
                        s.value.as_ref().map_or(s.span, |v| v.span),
                        format!(
                            "`{keyword} {n}` in failover peer {} is not a percentage",
                            peer.name.text
                        ),
                    )
                    .label("a percentage: 0 to 100 (above 50 all behave alike)")
                    .help(format!(
                        "remove `{keyword}` for the default, or use a value up to 50"
                    )),
                );
            }
        }
        let wrapped = |keyword| number(peer, keyword).map(|(n, s)| (i64::from(n as u32), s));
        let misbalance = wrapped("max-lease-misbalance");
        let ownership = wrapped("max-lease-ownership");
        // dhcpd reads 0 as "use the default".
        let or_default = |n: Option<(i64, _)>, default: i64| match n {
            Some((0, _)) | None => default,
            Some((n, _)) => n,
        };
        let (m, o) = (
            or_default(misbalance, i64::from(DEFAULT_MAX_LEASE_MISBALANCE)),
            or_default(ownership, i64::from(DEFAULT_MAX_LEASE_OWNERSHIP)),
        );
        if o >= m
            && o <= 100
            && let Some((_, s)) = ownership.or(misbalance)
        {
            out.push(
                RULE.at(
                    s.span,
                    format!(
                        "max-lease-ownership {o} is not below max-lease-misbalance {m} in failover peer {}",
                        peer.name.text
                    ),
                )
                .label("ownership should be lower than misbalance")
                .help("keep max-lease-ownership below max-lease-misbalance (defaults 10 and 15)"),
            );
        }
        let min = number(peer, "min-balance");
        let max = number(peer, "max-balance");
        // dhcpd reads the number with atoi into an unsigned 32-bit field: a negative one
        // wraps around (-5 is 4294967291 seconds).
        let secs = |n: Option<(i64, _)>| n.map(|(n, _)| u64::from(n as u32));
        // The place: the one set (a 0 is dhcpd's default, like one left out).
        let set = |n: Option<(i64, _)>| n.filter(|(n, _)| *n != 0);
        if let Some((lo, hi)) = judgement::balance_bounds_inverted(secs(min), secs(max))
            && let Some((_, s)) = set(min).or(set(max))
        {
            out.push(
                RULE.at(
                    s.span,
                    format!(
                        "min-balance {lo} is above max-balance {hi} in failover peer {}",
                        peer.name.text
                    ),
                )
                .label("the minimum time between rebalancing runs exceeds the maximum")
                .help("keep min-balance at or below max-balance (defaults 60 and 3600)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    #[test]
    fn contradictions() {
        let conf = "failover peer \"fo\" {\n  max-lease-misbalance 150;\n}\n";
        assert_eq!(lines(&RULE, conf), [2]);
        let ownership = "failover peer \"fo\" {\n  max-lease-ownership 20;\n}\n";
        assert_eq!(lines(&RULE, ownership), [2]);
        let balance = "failover peer \"fo\" {\n  min-balance 7200;\n}\n";
        assert_eq!(lines(&RULE, balance), [2]);
        // dhcpd wraps a negative number around to a huge one.
        let negative = "failover peer \"fo\" {\n  min-balance -5;\n}\n";
        assert_eq!(lines(&RULE, negative), [2]);
        let percentage = "failover peer \"fo\" {\n  max-lease-misbalance -5;\n}\n";
        assert_eq!(lines(&RULE, percentage), [2]);
        // A 0 is the default: the place is the one set.
        let zero = "failover peer \"fo\" {\n  min-balance 0;\n  max-balance 30;\n}\n";
        assert_eq!(lines(&RULE, zero), [3]);
    }

    #[test]
    fn defaults_and_sane_values() {
        assert!(lines(&RULE, "failover peer \"fo\" { primary; }\n").is_empty());
        let conf = "failover peer \"fo\" { max-lease-misbalance 15; max-lease-ownership 10; min-balance 60; max-balance 3600; }\n";
        assert!(lines(&RULE, conf).is_empty());
        // 0 means the default.
        let zero = "failover peer \"fo\" { max-lease-misbalance 0; max-balance 0; }\n";
        assert!(lines(&RULE, zero).is_empty());
    }
}
