//! DF321: no `max-unacked-updates` in a peer block.

use super::support::{head, mentions};
use crate::codes::Code;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF321",
        "missing-max-unacked-updates",
        Severity::Warning,
        "A `failover peer` block has no `max-unacked-updates`. dhcpd.conf(5) says it must be \
specified, but dhcpd 4.4 silently uses 100: the number of binding updates (BNDUPD) the \
partner may send before it has to wait for this server's acknowledgements. The value in \
effect then depends on a compiled-in default that nobody reads in the file. Write it \
explicitly on both peers; the man page's example uses `max-unacked-updates 10;`.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    for peer in config.peers() {
        if mentions(peer, "max-unacked-updates") {
            continue;
        }
        out.push(
            RULE.at(
                head(peer),
                format!(
                    "failover peer {} has no `max-unacked-updates`",
                    peer.name.text
                ),
            )
            .label("dhcpd silently uses 100")
            .help("add `max-unacked-updates 10;` (the same on both peers)"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    #[test]
    fn missing() {
        let conf = "failover peer \"fo\" {\n  primary;\n  max-response-delay 30;\n}\n";
        assert_eq!(lines(&RULE, conf), [1]);
    }

    #[test]
    fn present() {
        assert!(lines(&RULE, "failover peer \"fo\" { max-unacked-updates 10; }\n").is_empty());
    }
}
