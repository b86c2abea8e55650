//! DF415: the same addresses served with failover on one peer and without on the other.

use super::diff::{Diff, Difference, FIRST, Findings, Mode, SECOND};
use crate::codes::Code;
use crate::conf::load::Config;
use crate::diag::Severity;

/// DF415, reported from the pair's `Failover` differences ([`super::diff::Difference`]).
pub static RULE: Code = Code::lint_rule(
    "DF415",
    "failover-on-one-side",
    Severity::Error,
    "Pools that share addresses have a failover peer in effect on one peer and none (or \
another relationship) on the other: a `failover peer \"NAME\";` missing from one file's pool, a \
`no failover peer` on one side, or a pool moved out of the shared network that hands the \
reference down. dhcpd.conf(5) says both servers must agree on which pools do failover. The \
peer without failover leases those addresses on its own, the one with failover sends binding \
updates the partner rejects, and both may lease one address to two clients. The peer in effect \
counts, including one inherited from a `failover peer` statement of the enclosing shared \
network. Write the same reference in both files' pools.",
);

/// Runs the rule on a primary's and a secondary's configuration.
pub fn check(primary: &Config, secondary: &Config, out: &mut Findings) {
    report(&Diff::of(primary, secondary, Mode::Pair), out);
}

fn describe(peer: Option<&str>) -> String {
    peer.map_or("no failover peer".into(), |p| {
        format!("failover peer \"{p}\"")
    })
}

pub(super) fn report(diff: &Diff<'_>, out: &mut Findings) {
    for d in &diff.differences {
        let Difference::Failover { pools } = d else {
            continue;
        };
        let (first, second) = (diff.node(FIRST, pools[0]), diff.node(SECOND, pools[1]));
        let peer =
            |p: &Option<(String, crate::conf::ast::Span)>| p.as_ref().map(|(n, _)| n.clone());
        let (mine, theirs) = (peer(&second.peer), peer(&first.peer));
        let span = second.peer.as_ref().map_or(second.span, |(_, s)| *s);
        out.push(
            SECOND,
            RULE.lint_at(
                span,
                format!(
                    "this {} has {}, but the partner's {} at {} has {}",
                    second.title,
                    describe(mine.as_deref()),
                    first.title,
                    diff.loc(FIRST, first.span),
                    describe(theirs.as_deref())
                ),
            )
            .label("failover differs on the partner")
            .help(
                "use the same failover reference in both peers' pools: the peer without failover leases these addresses on its own while the partner's binding updates for them are rejected, so one address can go to two clients",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::report;
    use crate::conf::pair::diff::testing::{pair_with, run};

    #[test]
    fn reference_missing_on_the_secondary() {
        let (p, s) = pair_with(
            "subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool {\n    failover peer \"fo\";\n    range 10.0.0.10 10.0.0.20;\n  }\n}\n",
            "subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool {\n    range 10.0.0.10 10.0.0.20;\n  }\n}\n",
        );
        let found = run(report, &p, &s);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].1), (1, 7));
        assert!(found[0].2.contains("has no failover peer, but the partner's pool 10.0.0.10-10.0.0.20 at p.conf:9 has failover peer \"fo\""), "{}", found[0].2);
    }

    #[test]
    fn inherited_from_the_shared_network() {
        let (p, s) = pair_with(
            "shared-network lan {\n  failover peer \"fo\";\n  subnet 10.0.0.0 netmask 255.255.255.0 {\n    pool { range 10.0.0.10 10.0.0.20; }\n  }\n}\n",
            "shared-network lan {\n  subnet 10.0.0.0 netmask 255.255.255.0 {\n    pool { failover peer \"fo\"; range 10.0.0.10 10.0.0.20; }\n  }\n}\n",
        );
        assert!(run(report, &p, &s).is_empty());
    }
}
