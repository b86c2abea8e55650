//! DF320: no `max-response-delay` in a peer block.

use super::support::{head, mentions};
use crate::codes::Code;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF320",
        "missing-max-response-delay",
        Severity::Warning,
        "A `failover peer` block has no `max-response-delay`. dhcpd.conf(5) says it must be \
specified, but dhcpd 4.4 silently uses 20 seconds: the time without any message from the \
partner after which this server declares the connection dead and moves to \
communications-interrupted. The value in effect then depends on a compiled-in default that \
nobody reads in the file, and the two peers may end up with different timeouts. Write it \
explicitly on both peers, e.g. `max-response-delay 30;`.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    for peer in config.peers() {
        if mentions(peer, "max-response-delay") {
            continue;
        }
        out.push(
            RULE.at(
                head(peer),
                format!(
                    "failover peer {} has no `max-response-delay`",
                    peer.name.text
                ),
            )
            .label("dhcpd silently uses 20 seconds")
            .help("add `max-response-delay 30;` (the same on both peers)"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    #[test]
    fn missing() {
        let conf = "failover peer \"fo\" {\n  primary;\n  peer max-response-delay 30;\n}\n";
        assert_eq!(lines(&RULE, conf), [1]);
    }

    #[test]
    fn present_or_misspelled() {
        assert!(lines(&RULE, "failover peer \"fo\" { max-response-delay 30; }\n").is_empty());
        assert!(lines(&RULE, "failover peer \"fo\" { max_response_delay 30; }\n").is_empty());
    }
}
