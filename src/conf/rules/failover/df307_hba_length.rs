//! DF307: `hba` that is not exactly 32 octets.

use crate::codes::Code;
use crate::conf::ast::{Value, ValueKind};
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF307",
        "hba-length",
        Severity::Error,
        "`hba` does not list exactly 32 colon-separated octets. The hash bucket assignment is \
a 256-bit map, one bit per hash bucket, so dhcpd refuses any other length: \"HBA must be \
exactly 32 bytes\" (with fewer octets it may say \"too few numbers\"), and then \"primary \
failover server must have hba or split\". Write all 32 octets, e.g. 16 times `ff` then 16 \
times `00` for an even share, or use `split 128;` instead, which means the same and is \
harder to get wrong.",
    ),
    check,
};

/// The number of octets in an `hba` value, if it is a hex list at all.
fn octets(value: &Value) -> Option<usize> {
    match value.kind {
        ValueKind::Hex => Some(value.text.split(':').count()),
        ValueKind::Number | ValueKind::Name
            if (1..=2).contains(&value.text.len())
                && value.text.chars().all(|c| c.is_ascii_hexdigit()) =>
        {
            Some(1)
        }
        _ => None,
    }
}

fn check(config: &Context, out: &mut Vec<Lint>) {
    for peer in config.peers() {
        for s in peer.statements.iter().filter(|s| s.keyword == "hba") {
            let Some((n, value)) = s.value.as_ref().and_then(|v| Some((octets(v)?, v))) else {
                continue;
            };
            if !crate::judgement::hba_length_wrong(n) {
                continue;
            }
            out.push(
                RULE.at(
                    value.span,
                    format!(
                        "`hba` of failover peer {} has {n} octet{}, not 32",
                        peer.name.text,
                        if n == 1 { "" } else { "s" }
                    ),
                )
                .label("dhcpd needs exactly 32 octets (256 bits)")
                .help("write all 32 octets, or use `split 128;` instead"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    #[test]
    fn wrong_length() {
        let conf = "failover peer \"fo\" {\n  primary;\n  hba ff:ff:00;\n}\n";
        assert_eq!(lines(&RULE, conf), [3]);
        let one = "failover peer \"fo\" {\n  primary;\n  hba ff;\n}\n";
        assert_eq!(lines(&RULE, one), [3]);
        let thirty_three = format!(
            "failover peer \"fo\" {{\n  primary;\n  hba {}00;\n}}\n",
            "ff:".repeat(32)
        );
        assert_eq!(lines(&RULE, &thirty_three), [3]);
    }

    #[test]
    fn thirty_two_octets_even_across_lines() {
        let conf = format!(
            "failover peer \"fo\" {{\n  primary;\n  hba {}\n      {}00;\n}}\n",
            "ff:".repeat(16),
            "00:".repeat(15)
        );
        assert!(lines(&RULE, &conf).is_empty());
    }
}
