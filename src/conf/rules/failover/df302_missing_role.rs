//! DF302: a peer block with neither `primary;` nor `secondary;`.

use super::support::{head, misspelled_role};
use crate::codes::Code;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF302",
        "missing-role",
        Severity::Warning,
        "A `failover peer` block says neither `primary;` nor `secondary;`. dhcpd does not \
complain: its role field starts out as primary, so the block is read as the primary's. On the \
server meant to be the secondary that gives two primaries, which cannot form a working \
relationship (the peers never reach the normal state); on a block without `split`/`hba` and \
`mclt` dhcpd refuses the file with \"primary failover server must have hba or split\". Write the \
role explicitly: `primary;` on one server, `secondary;` on the other.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    for peer in config.peers() {
        // A misspelled role (`slave;`) is reported by DF319 with the right suggestion.
        if peer.role_stmt().is_some() || misspelled_role(peer).is_some() {
            continue;
        }
        out.push(
            RULE.at(
                head(peer),
                format!(
                    "failover peer {} does not say `primary;` or `secondary;`",
                    peer.name.text
                ),
            )
            .label("dhcpd reads this block as the primary")
            .help(
                "add `primary;` (on the primary) or `secondary;` (on the secondary) to the block",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    #[test]
    fn no_role() {
        let conf =
            "\nfailover peer \"fo\" {\n  peer address 10.0.0.2;\n  mclt 1800;\n  split 128;\n}\n";
        assert_eq!(lines(&RULE, conf), [2]);
    }

    #[test]
    fn role_given_or_misspelled() {
        assert!(lines(&RULE, "failover peer \"fo\" { secondary; }\n").is_empty());
        assert!(lines(&RULE, "failover peer \"fo\" { PRIMARY; }\n").is_empty());
        assert!(lines(&RULE, "failover peer \"fo\" { slave; }\n").is_empty());
    }
}
