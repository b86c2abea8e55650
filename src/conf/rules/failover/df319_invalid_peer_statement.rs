//! DF319: a statement dhcpd does not know in a `failover peer` block.

use super::support::{PEER_STATEMENTS, meant, role_word, value_form};
use crate::codes::Code;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF319",
        "invalid-peer-statement",
        Severity::Error,
        "A `failover peer` block contains a statement dhcpd 4.4 does not know: a misspelled \
multi-word keyword (`peer-address`, `peer_port`, `load balance max secs`), a role other than \
`primary`/`secondary` (`master`, `slave`), or a keyword from another DHCP server. dhcpd \
refuses the file with \"invalid statement in peer declaration\" (or, for `load balance max \
secs`, the misleading \"expecting 'secs'\"), skips the rest of the block, and then every pool \
naming the peer fails too. The statements dhcpd knows are: `primary`, `secondary`, `address`, \
`port`, `peer address`, `peer port`, `mclt`, `split`, `hba`, `max-response-delay`, \
`max-unacked-updates`, `load balance max seconds`, `auto-partner-down`, `max-lease-misbalance`, \
`max-lease-ownership`, `min-balance`, `max-balance`. Multi-word keywords are separate words \
(`peer address`, not `peer-address`); single-word ones use hyphens.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    for peer in config.peers() {
        for s in peer.statements {
            if value_form(&s.keyword).is_some() {
                continue;
            }
            let help = match (role_word(&s.keyword), meant(&s.keyword)) {
                (Some(role), _) => {
                    format!("dhcpd knows only `primary;` and `secondary;`: did you mean `{role};`?")
                }
                (None, Some(k)) => format!("did you mean `{k}`?"),
                (None, None) => format!(
                    "valid statements: {}",
                    PEER_STATEMENTS
                        .iter()
                        .map(|s| s.keyword)
                        .filter(|k| !k.starts_with("peer max"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let label = if s.keyword.starts_with("load balance max") {
                "dhcpd accepts only `load balance max seconds`"
            } else {
                "dhcpd: \"invalid statement in peer declaration\""
            };
            out.push(
                RULE.at(
                    s.keyword_span,
                    format!(
                        "`{}` is not a failover peer statement (in failover peer {})",
                        s.keyword, peer.name.text
                    ),
                )
                .label(label)
                .help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{RULE, check};
    use crate::conf::load::Config;
    use crate::conf::rules::testing::lines;

    fn helps(text: &str) -> Vec<String> {
        let config = Config::from_text(Path::new("test.conf"), text.to_string());
        let mut out = Vec::new();
        check(&crate::conf::rules::Context::new(&config), &mut out);
        out.into_iter().map(|l| l.finding.help).collect()
    }

    #[test]
    fn misspellings() {
        let conf = "failover peer \"fo\" {\n  master;\n  peer-address 10.0.0.2;\n  peer_port 647;\n  load balance max secs 3;\n  mclt 1800;\n}\n";
        assert_eq!(lines(&RULE, conf), [2, 3, 4, 5]);
        let helps = helps(conf);
        assert!(helps[0].contains("`primary;`?"), "{helps:?}");
        assert!(helps[1].contains("`peer address`"), "{helps:?}");
        assert!(helps[2].contains("`peer port`"), "{helps:?}");
        assert!(helps[3].contains("`load balance max seconds`"), "{helps:?}");
    }

    #[test]
    fn unknown_word_lists_the_valid_ones() {
        let helps = helps("failover peer \"fo\" { primary; frobnicate 3; }\n");
        assert!(
            helps[0].starts_with("valid statements: primary, secondary"),
            "{helps:?}"
        );
    }

    #[test]
    fn every_valid_statement() {
        let conf = "failover peer \"fo\" {\n  PRIMARY; secondary; address a.example; port 647; peer address 10.0.0.3;\n  peer port 647; max-response-delay 30; max-unacked-updates 10;\n  peer max-response-delay 30; peer max-unacked-updates 10; mclt 1800; split 128;\n  load balance max seconds 3; auto-partner-down 0; max-lease-misbalance 15;\n  max-lease-ownership 10; min-balance 60; max-balance 3600;\n}\n";
        assert!(lines(&RULE, conf).is_empty());
    }
}
