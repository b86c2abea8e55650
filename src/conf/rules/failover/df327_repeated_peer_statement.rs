//! DF327: the same statement twice in one peer block.

use crate::codes::Code;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF327",
        "repeated-peer-statement",
        Severity::Warning,
        "A `failover peer` block gives the same statement twice (two `mclt`, two `peer \
address`...). dhcpd does not complain: the later one silently replaces the earlier, so \
whoever edits the first occurrence sees no effect. It usually comes from appending a setting \
instead of changing it. Keep one occurrence of each statement.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    for peer in config.peers() {
        for (i, s) in peer.statements.iter().enumerate() {
            let Some(earlier) = peer.statements[..i]
                .iter()
                .rev()
                .find(|e| e.keyword == s.keyword)
            else {
                continue;
            };
            out.push(
                RULE.at(
                    s.span,
                    format!(
                        "`{}` appears twice in failover peer {}; this one wins",
                        s.keyword, peer.name.text
                    ),
                )
                .label("replaces the earlier one")
                .related(earlier.span, "silently overridden")
                .help(format!("keep one `{}` statement", s.keyword)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    #[test]
    fn twice() {
        let conf =
            "failover peer \"fo\" {\n  primary;\n  mclt 1800;\n  split 128;\n  mclt 3600;\n}\n";
        assert_eq!(lines(&RULE, conf), [5]);
    }

    #[test]
    fn once_each() {
        let conf = "failover peer \"fo\" {\n  primary;\n  port 647;\n  peer port 647;\n}\n";
        assert!(lines(&RULE, conf).is_empty());
    }
}
