//! DF311: `failover peer NAME;` or `no failover peer` where dhcpd does not accept it.

use crate::codes::Code;
use crate::conf::ast::StmtKind;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::conf::walk::{Scope, ScopeKind, walk};
use crate::diag::Severity;

/// DF311, decided from the replay of pools and peer references in dhcpd's reading order and a walk
/// of every statement.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF311",
        "reference-in-wrong-scope",
        Severity::Error,
        "A `failover peer NAME;` reference stands at the top level, or in a subnet, group, \
host, class or if/on/switch body; or a `no failover peer` stands outside a pool. dhcpd reads \
a reference only inside a `pool` (where it makes that pool a failover pool) or a \
`shared-network` (where the pools declared after it inherit the peer), and refuses the file \
otherwise: \"failover peer reference not in shared-network declaration\" at the top level, \
\"failover peers may only be defined in shared-network declarations and the outer scope\" \
elsewhere. A reference in a subnet does not reach the subnet's pools. Move the line into each \
`pool { ... }` that the pair serves, as `failover peer \"NAME\";`.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    for r in &config.replay().references {
        if matches!(r.scope, ScopeKind::Pool | ScopeKind::SharedNetwork) {
            continue;
        }
        let (label, help) = if r.scope == ScopeKind::Root {
            (
                "dhcpd: \"failover peer reference not in shared-network declaration\"",
                "move it into the `pool { ... }` declarations the pair serves",
            )
        } else {
            (
                "a peer reference is read only in a pool or a shared-network",
                "move it into the `pool { ... }` declarations of this subnet",
            )
        };
        out.push(
            RULE.at(
                r.stmt.span,
                format!("`failover peer {};` outside a pool", r.name.text),
            )
            .label(label)
            .help(help),
        );
    }
    walk(config, &mut |stmt, scope: Scope<'_>| {
        if matches!(stmt.kind, StmtKind::NoFailoverRef { .. }) && scope.kind != ScopeKind::Pool {
            out.push(
                RULE.at(stmt.span, "`no failover peer` outside a pool")
                    .label("dhcpd reads `no failover peer` only inside a pool")
                    .help("put `no failover peer` inside the pool that must not use failover"),
            );
        }
    });
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    const PEER: &str = "failover peer \"fo\" { primary; }\n";

    #[test]
    fn wrong_scopes() {
        let conf = format!(
            "{PEER}failover peer \"fo\";\nsubnet 10.0.0.0 netmask 255.255.255.0 {{\n  failover peer \"fo\";\n}}\ngroup {{ failover peer \"fo\"; }}\nclass \"c\" {{ failover peer \"fo\"; }}\n"
        );
        assert_eq!(lines(&RULE, &conf), [2, 4, 6, 7]);
    }

    #[test]
    fn no_failover_outside_pool() {
        let conf = format!(
            "{PEER}shared-network sn {{\n  no failover peer\n  subnet 10.0.0.0 netmask 255.255.255.0 {{ }}\n}}\n"
        );
        assert_eq!(lines(&RULE, &conf), [3]);
    }

    #[test]
    fn pool_and_shared_network() {
        let conf = format!(
            "{PEER}shared-network sn {{\n  failover peer fo;\n  subnet 10.0.0.0 netmask 255.255.255.0 {{\n    pool {{ failover peer \"fo\"; range 10.0.0.1 10.0.0.9; }}\n    pool {{ no failover peer range 10.0.0.10 10.0.0.19; }}\n  }}\n}}\n"
        );
        assert!(lines(&RULE, &conf).is_empty());
    }
}
