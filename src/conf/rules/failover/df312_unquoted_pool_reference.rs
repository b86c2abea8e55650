//! DF312: `failover peer NAME;` in a pool with an unquoted name.

use super::support::shown;
use crate::codes::Code;
use crate::conf::ast::ValueKind;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::conf::walk::ScopeKind;
use crate::diag::Severity;

/// DF312, decided from the replay of pools and peer references in dhcpd's reading order.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF312",
        "unquoted-pool-reference",
        Severity::Error,
        "A pool names its failover peer without quotes: `failover peer fo;`. The top-level \
declaration and a shared-network reference accept a bare name, but dhcpd's pool parser wants \
a string and refuses the file with \"expecting string.\", which does not say what is wrong. \
Quote the name: `failover peer \"fo\";`.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    for r in &config.replay().references {
        if r.scope != ScopeKind::Pool || r.name.kind == ValueKind::String {
            continue;
        }
        out.push(
            RULE.at(
                r.name.span,
                format!(
                    "unquoted failover peer name `{}` in a pool",
                    shown(config, r.name)
                ),
            )
            .label("dhcpd: \"expecting string.\"")
            .help(format!(
                "quote the name: `failover peer \"{}\";`",
                r.name.text
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    #[test]
    fn unquoted_in_pool() {
        let conf = "failover peer fo { primary; }\nsubnet 10.0.0.0 netmask 255.255.255.0 {\n  pool {\n    failover peer fo;\n    range 10.0.0.1 10.0.0.9;\n  }\n}\n";
        assert_eq!(lines(&RULE, conf), [4]);
    }

    #[test]
    fn quoted_or_shared_network() {
        let conf = "failover peer fo { primary; }\nshared-network sn {\n  failover peer fo;\n  subnet 10.0.0.0 netmask 255.255.255.0 {\n    pool { failover peer \"fo\"; range 10.0.0.1 10.0.0.9; }\n  }\n}\n";
        assert!(lines(&RULE, conf).is_empty());
    }
}
