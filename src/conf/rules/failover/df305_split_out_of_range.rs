//! DF305: `split` outside 0..=256.

use super::support::plain_number;
use crate::codes::Code;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF305",
        "split-out-of-range",
        Severity::Error,
        "`split` is outside 0 to 256. The split is the number of the 256 hash buckets the \
primary answers (the rest go to the secondary), so dhcpd refuses any other value: \"split \
must be between 0 and 256, inclusive\" (a negative number wraps around and is refused too), \
followed by \"primary failover server must have hba or split\". Use `split 128;` for an even \
share, 256 to make the primary answer every client, 0 for the secondary.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    for peer in config.peers() {
        for s in peer.statements.iter().filter(|s| s.keyword == "split") {
            let Some((n, value)) = s.value.as_ref().and_then(|v| Some((plain_number(v)?, v)))
            else {
                continue;
            };
            if !crate::judgement::split_out_of_range(n) {
                continue;
            }
            out.push(
                RULE.at(
                    value.span,
                    format!(
                        "`split {n}` in failover peer {} is not between 0 and 256",
                        peer.name.text
                    ),
                )
                .label("dhcpd accepts 0 to 256 only")
                .help("use `split 128;` for an even share (256: the primary answers all clients)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    #[test]
    fn out_of_range() {
        let conf = "failover peer \"fo\" {\n  primary;\n  split 257;\n}\n";
        assert_eq!(lines(&RULE, conf), [3]);
        let negative = "failover peer \"fo\" {\n  primary;\n  split -1;\n}\n";
        assert_eq!(lines(&RULE, negative), [3]);
    }

    #[test]
    fn bounds_are_fine() {
        for n in [0, 128, 256] {
            let conf = format!("failover peer \"fo\" {{ primary; split {n}; }}\n");
            assert!(lines(&RULE, &conf).is_empty(), "{n}");
        }
    }
}
