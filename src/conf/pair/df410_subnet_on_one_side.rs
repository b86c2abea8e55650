//! DF410: a subnet declared by one peer only.

use super::diff::{Diff, Difference, Findings, Mode};
use super::tree::ScopeKind;
use crate::codes::Code;
use crate::conf::load::Config;
use crate::diag::Severity;

/// DF410, reported from the pair's `NodeOnOneSide` differences ([`super::diff::Difference`]).
pub static RULE: Code = Code::lint_rule(
    "DF410",
    "subnet-on-one-side",
    Severity::Warning,
    "A `subnet` (network and netmask) is declared in one peer's configuration only. A \
client on that network is then served by one peer only: the other ignores its requests (or, \
for a network it is attached to, refuses to start without a declaration). Its options and \
lease times are missing on the other peer, and addresses of its pools are reported separately \
(DF413) because the partner rejects binding updates for them. Servers on different networks may \
each declare their own attached network only; every network that clients are served on must \
be declared on both peers, with the same netmask.",
);

/// Runs the rule on a primary's and a secondary's configuration.
pub fn check(primary: &Config, secondary: &Config, out: &mut Findings) {
    report(&Diff::of(primary, secondary, Mode::Pair), out);
}

pub(super) fn report(diff: &Diff<'_>, out: &mut Findings) {
    for d in &diff.differences {
        let Difference::NodeOnOneSide { side, node } = d else {
            continue;
        };
        let (side, node) = (*side, diff.node(*side, *node));
        if node.kind != ScopeKind::Subnet {
            continue;
        }
        let pools = diff.trees[side]
            .pools()
            .filter(|(_, p)| {
                p.parent
                    .is_some_and(|parent| diff.node(side, parent).key == node.key)
            })
            .count();
        let effect = if pools > 0 {
            "clients on this network are served by this peer only, and its pools are not shared with the partner"
        } else {
            "the partner does not know this network: its clients, relays or own interface there are served by this peer only"
        };
        out.push(
            side,
            RULE.lint_at(
                node.span,
                format!(
                    "{} is declared here but not in the partner ({})",
                    node.title,
                    diff.file(1 - side)
                ),
            )
            .label("only on this peer")
            .help(format!(
                "declare the subnet on both peers, with the same netmask: {effect}"
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::report;
    use crate::conf::pair::diff::testing::{pair_with, run};

    #[test]
    fn subnet_on_the_secondary_only() {
        let (p, s) = pair_with(
            "subnet 10.0.0.0 netmask 255.255.255.0 { }\n",
            "subnet 10.0.0.0 netmask 255.255.255.0 { }\n\nsubnet 10.1.0.0 netmask 255.255.0.0 { }\n",
        );
        let found = run(report, &p, &s);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].1), (1, 8));
        assert!(found[0].2.contains("subnet 10.1.0.0/16"));
    }

    #[test]
    fn netmask_differs() {
        let (p, s) = pair_with(
            "subnet 10.0.0.0 netmask 255.255.255.0 { }\n",
            "subnet 10.0.0.0 netmask 255.255.254.0 { }\n",
        );
        assert_eq!(run(report, &p, &s).len(), 2);
    }

    #[test]
    fn order_does_not_matter() {
        let (p, s) = pair_with(
            "subnet 10.0.0.0 netmask 255.255.255.0 { }\nsubnet 10.0.1.0 netmask 255.255.255.0 { }\n",
            "subnet 10.0.1.0 netmask 255.255.255.0 { }\nsubnet 10.0.0.0 netmask 255.255.255.0 { }\n",
        );
        assert!(run(report, &p, &s).is_empty());
    }
}
