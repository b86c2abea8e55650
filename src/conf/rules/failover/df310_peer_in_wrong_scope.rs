//! DF310: a `failover peer NAME { ... }` declaration outside the top level and shared networks.

use super::support::head;
use crate::codes::Code;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::conf::walk::ScopeKind;
use crate::diag::Severity;

pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF310",
        "peer-in-wrong-scope",
        Severity::Error,
        "A `failover peer NAME { ... }` block is declared inside a subnet, pool, group, host, \
class or an if/on/switch body. dhcpd allows peer declarations only at the top level or \
directly inside a `shared-network` and refuses the file (\"failover peers may only be defined \
in shared-network declarations and the outer scope\"); the peer is then unknown to every pool \
that names it (\"failover peer NAME: not found\"). Move the block to the top of the file, \
before the first subnet, and keep only the `failover peer \"NAME\";` reference inside the \
pools.",
    ),
    check,
};

fn scope_name(kind: ScopeKind) -> &'static str {
    match kind {
        ScopeKind::Root => "the top level",
        ScopeKind::SharedNetwork => "a shared-network",
        ScopeKind::Subnet => "a subnet",
        ScopeKind::Pool => "a pool",
        ScopeKind::Group => "a group",
        ScopeKind::Host => "a host",
        ScopeKind::Class => "a class",
        ScopeKind::Body => "an if/on/switch body",
    }
}

fn check(config: &Context, out: &mut Vec<Lint>) {
    for peer in config.peers() {
        if matches!(peer.scope, ScopeKind::Root | ScopeKind::SharedNetwork) {
            continue;
        }
        out.push(
            RULE.at(
                head(peer),
                format!(
                    "failover peer {} is declared inside {}",
                    peer.name.text,
                    scope_name(peer.scope)
                ),
            )
            .label("dhcpd allows peer declarations only at the top level or in a shared-network")
            .help(
                "move the `failover peer` block to the top level, before the subnets that use it",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    #[test]
    fn wrong_scopes() {
        let conf = "subnet 10.0.0.0 netmask 255.255.255.0 {\n  failover peer \"fo\" { primary; }\n}\ngroup {\n  failover peer \"g\" { primary; }\n}\n";
        assert_eq!(lines(&RULE, conf), [2, 5]);
    }

    #[test]
    fn top_level_and_shared_network() {
        let conf = "failover peer \"a\" { primary; }\nshared-network sn {\n  failover peer \"b\" { primary; }\n  subnet 10.0.0.0 netmask 255.255.255.0 { }\n}\n";
        assert!(lines(&RULE, conf).is_empty());
    }
}
