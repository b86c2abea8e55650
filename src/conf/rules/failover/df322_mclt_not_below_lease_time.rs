//! DF322: `mclt` not below the `max-lease-time` of a pool the peer serves.

use super::support::{checked_as_primary, number};
use crate::dhcpd::DEFAULT_MAX_LEASE_TIME;
use crate::codes::Code;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF322, decided from each `failover peer` block and the replay of pools and peer references in
/// dhcpd's reading order.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF322",
        "mclt-not-below-lease-time",
        Severity::Warning,
        "The primary's `mclt` is not below the `max-lease-time` in effect for a pool served by \
the peer (the pool's own, else its subnet's, shared-network's or group's, else the top \
level's; dhcpd's default is 86400). The MCLT is how long a server may extend a lease beyond \
what its partner has acknowledged, and how long a server must wait before it may reuse the \
partner's addresses after a restart, a lost lease file or partner-down. An MCLT as long as the \
leases themselves buys nothing and makes every recovery slow: a rebuilt server sits in \
recover-wait for the whole MCLT without serving. Keep `mclt` well below the lease times \
(1800 or 3600 is usual), or raise `max-lease-time`.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    let replay = config.replay();
    for peer in config.peers() {
        if !checked_as_primary(peer) {
            continue;
        }
        let Some((mclt, stmt)) = number(peer, "mclt") else {
            continue;
        };
        if mclt <= 0 {
            continue;
        }
        let offending = replay
            .pools
            .iter()
            .filter(|p| p.peer.is_some_and(|(name, _)| name == peer.name.text))
            .map(|p| (p, replay.max_lease_time(p)))
            .find(|(_, t)| {
                let max = t.map_or(i64::from(DEFAULT_MAX_LEASE_TIME), |(n, _)| n);
                crate::judgement::mclt_not_below_lease_time(
                    mclt.unsigned_abs(),
                    u64::try_from(max).unwrap_or(0),
                )
            });
        let Some((pool, lease)) = offending else {
            continue;
        };
        let span = stmt.value.as_ref().map_or(stmt.span, |v| v.span);
        let mut lint = match lease {
            Some((t, value)) => RULE
                .at(
                    span,
                    format!(
                        "mclt {mclt} of failover peer {} is not below max-lease-time {t}",
                        peer.name.text
                    ),
                )
                .related(value.span, "max-lease-time in effect for a pool of this peer"),
            None => RULE.at(
                span,
                format!(
                    "mclt {mclt} of failover peer {} is not below dhcpd's default max-lease-time {DEFAULT_MAX_LEASE_TIME}",
                    peer.name.text
                ),
            ),
        };
        lint = lint
            .label("recovery waits this long without serving")
            .related(pool.stmt.keyword_span, "a pool served by this peer")
            .help("lower `mclt` (1800 or 3600 is usual), or raise `max-lease-time`");
        out.push(lint);
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    fn conf(mclt: u32, lease: &str) -> String {
        format!(
            "failover peer \"fo\" {{\n  primary;\n  mclt {mclt};\n}}\n{lease}subnet 10.0.0.0 netmask 255.255.255.0 {{\n  pool {{ failover peer \"fo\"; range 10.0.0.1 10.0.0.9; }}\n}}\n"
        )
    }

    #[test]
    fn not_below() {
        assert_eq!(lines(&RULE, &conf(7200, "max-lease-time 7200;\n")), [3]);
        assert_eq!(lines(&RULE, &conf(86400, "")), [3]);
        let pool_level = "failover peer \"fo\" {\n  primary;\n  mclt 3600;\n}\nsubnet 10.0.0.0 netmask 255.255.255.0 {\n  pool { failover peer \"fo\"; max-lease-time 600; range 10.0.0.1 10.0.0.9; }\n}\n";
        assert_eq!(lines(&RULE, pool_level), [3]);
    }

    #[test]
    fn below() {
        assert!(lines(&RULE, &conf(1800, "max-lease-time 7200;\n")).is_empty());
        assert!(lines(&RULE, &conf(3600, "")).is_empty());
        assert!(lines(&RULE, &conf(90000, "max-lease-time infinite;\n")).is_empty());
    }
}
