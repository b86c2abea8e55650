//! DF315: a declared failover peer that no pool names.

use super::support::head;
use crate::codes::Code;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::conf::walk::ScopeKind;
use crate::diag::Severity;

/// DF315, decided from each `failover peer` block and the replay of pools and peer references in
/// dhcpd's reading order.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF315",
        "peer-without-pool",
        Severity::Error,
        "A `failover peer` is declared but no `pool` names it with `failover peer \"NAME\";`. \
dhcpd's failover sanity check (also run by `dhcpd -t`) refuses the configuration: \"Failover \
peer, NAME, has no referring pools. You must refer to each peer in at least one pool \
declaration.\" A reference at the shared-network level does not count, even though the pools \
after it inherit the peer; neither do ranges written directly in a subnet (they are not in a \
pool). Put the ranges the pair serves in `pool { failover peer \"NAME\"; range ...; }` blocks, \
or remove the unused peer block.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    let replay = config.replay();
    for peer in config.peers() {
        // Any pool naming the peer counts, even unquoted or before the declaration: DF312
        // and DF313 report those, and fixing them fixes this.
        let named_by_pool = replay
            .references
            .iter()
            .any(|r| r.scope == ScopeKind::Pool && r.name.text == peer.name.text);
        if named_by_pool {
            continue;
        }
        let network_ref = replay
            .references
            .iter()
            .find(|r| r.scope == ScopeKind::SharedNetwork && r.name.text == peer.name.text);
        let mut lint = RULE
            .at(
                head(peer),
                format!("failover peer {} has no referring pools", peer.name.text),
            )
            .label("no pool says `failover peer` with this name")
            .help(format!(
                "add `failover peer \"{}\";` to each pool the pair serves, or remove this peer",
                peer.name.text
            ));
        if let Some(r) = network_ref {
            lint = lint.related(
                r.stmt.span,
                "a shared-network reference does not count as a referring pool",
            );
        }
        out.push(lint);
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    #[test]
    fn unused_peer() {
        let conf = "failover peer \"fo\" { primary; }\nsubnet 10.0.0.0 netmask 255.255.255.0 {\n  pool { range 10.0.0.1 10.0.0.9; }\n}\n";
        assert_eq!(lines(&RULE, conf), [1]);
        let network_only = "failover peer \"fo\" { primary; }\nshared-network sn {\n  failover peer fo;\n  subnet 10.0.0.0 netmask 255.255.255.0 {\n    pool { range 10.0.0.1 10.0.0.9; }\n  }\n}\n";
        assert_eq!(lines(&RULE, network_only), [1]);
    }

    #[test]
    fn referred_by_a_pool() {
        let conf = "failover peer \"fo\" { primary; }\nsubnet 10.0.0.0 netmask 255.255.255.0 {\n  pool { failover peer \"fo\"; range 10.0.0.1 10.0.0.9; }\n}\n";
        assert!(lines(&RULE, conf).is_empty());
        let unquoted = "failover peer \"fo\" { primary; }\nsubnet 10.0.0.0 netmask 255.255.255.0 {\n  pool { failover peer fo; range 10.0.0.1 10.0.0.9; }\n}\n";
        assert!(lines(&RULE, unquoted).is_empty());
    }
}
