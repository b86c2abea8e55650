//! DF306: both `split` and `hba` in one peer block.

use crate::codes::Code;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF306",
        "split-and-hba",
        Severity::Warning,
        "A `failover peer` block sets both `split` and `hba`. Both describe the same 256-bit \
load-balance table (`split N` sets the first N bits, `hba` gives all 32 bytes), and \
dhcpd.conf(5) says to use one, never both. dhcpd 4.4 does not refuse it: the statement that \
comes last silently replaces the other, so the table in effect may not be the one the admin \
reads first. Keep only one of them (normally `split 128;`).",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    for peer in config.peers() {
        let (Some(split), Some(hba)) = (peer.get("split"), peer.get("hba")) else {
            continue;
        };
        let (first, last) = if split.span.start < hba.span.start {
            (split, hba)
        } else {
            (hba, split)
        };
        out.push(
            RULE.at(
                last.span,
                format!(
                    "failover peer {} sets both `split` and `hba`; the later `{}` wins",
                    peer.name.text, last.keyword
                ),
            )
            .label("this replaces the earlier load-balance setting")
            .related(first.span, "silently overridden")
            .help("keep only one of `split` and `hba` (normally `split 128;`)"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    const HBA: &str = "hba ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:ff:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00;";

    #[test]
    fn both() {
        let conf = format!("failover peer \"fo\" {{\n  primary;\n  split 128;\n  {HBA}\n}}\n");
        assert_eq!(lines(&RULE, &conf), [4]);
        let reversed = format!("failover peer \"fo\" {{\n  primary;\n  {HBA}\n  split 128;\n}}\n");
        assert_eq!(lines(&RULE, &reversed), [4]);
    }

    #[test]
    fn one_of_them() {
        assert!(lines(&RULE, "failover peer \"fo\" { primary; split 128; }\n").is_empty());
        let conf = format!("failover peer \"fo\" {{ primary; {HBA} }}\n");
        assert!(lines(&RULE, &conf).is_empty());
    }
}
