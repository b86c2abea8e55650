//! DF318: `load balance max seconds` missing, 0, or above 5.

use super::support::{head, mentions, number};
use crate::codes::Code;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;
use crate::judgement::{BalanceWait, balance_wait};

pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF318",
        "load-balance-max-seconds",
        Severity::Warning,
        "`load balance max seconds` is missing, 0, or above 5. It is the cutoff, in seconds \
from a client's first DHCPDISCOVER/DHCPREQUEST (the `secs` field), after which a server \
answers a client that the split assigns to its partner. When it is missing dhcpd uses 0, \
which turns load balancing off: both servers answer every client, and dhcpd only logs \
\"WARNING: load balancing will be disabled for failover peer ... because its load balance \
max secs is 0\". A large value makes clients of a server that is up for failover but not \
answering them wait that long before the partner steps in. dhcpd.conf(5) recommends 3 or 5. \
Set `load balance max seconds 3;` on both peers (0 on both only if you really want both \
servers to answer everything).",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    const KEYWORD: &str = "load balance max seconds";
    for peer in config.peers() {
        let wait = |n: i64| u64::try_from(n).map(balance_wait);
        let lint = match number(peer, KEYWORD) {
            Some((n, s)) if wait(n) == Ok(BalanceWait::Off) => RULE
                .at(
                    s.value.as_ref().map_or(s.span, |v| v.span),
                    format!(
                        "`load balance max seconds 0` disables load balancing for failover peer {}",
                        peer.name.text
                    ),
                )
                .label("0: both servers answer every client")
                .help("use `load balance max seconds 3;` on both peers"),
            Some((n, s)) if wait(n) == Ok(BalanceWait::Long) => RULE
                .at(
                    s.value.as_ref().map_or(s.span, |v| v.span),
                    format!(
                        "`load balance max seconds {n}` for failover peer {} is above the recommended 3 to 5",
                        peer.name.text
                    ),
                )
                .label("clients of an unresponsive peer wait this long for the other")
                .help("use `load balance max seconds 3;` (or 5) on both peers"),
            Some(_) => continue,
            None if mentions(peer, KEYWORD) => continue,
            None => RULE
                .at(
                    head(peer),
                    format!(
                        "failover peer {} has no `load balance max seconds`: load balancing is off",
                        peer.name.text
                    ),
                )
                .label("dhcpd uses 0: both servers answer every client")
                .help("add `load balance max seconds 3;` to the peer block on both servers"),
        };
        out.push(lint);
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    #[test]
    fn missing_zero_or_large() {
        assert_eq!(lines(&RULE, "failover peer \"fo\" {\n  primary;\n}\n"), [1]);
        let zero = "failover peer \"fo\" {\n  primary;\n  load balance max seconds 0;\n}\n";
        assert_eq!(lines(&RULE, zero), [3]);
        let large = "failover peer \"fo\" {\n  primary;\n  load balance max seconds 30;\n}\n";
        assert_eq!(lines(&RULE, large), [3]);
    }

    #[test]
    fn recommended_or_misspelled() {
        for n in [1, 3, 5] {
            let conf =
                format!("failover peer \"fo\" {{ primary; load balance max seconds {n}; }}\n");
            assert!(lines(&RULE, &conf).is_empty());
        }
        // DF319 reports the misspelling.
        let secs = "failover peer \"fo\" { primary; load balance max secs 3; }\n";
        assert!(lines(&RULE, secs).is_empty());
    }
}
