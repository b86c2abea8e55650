//! DF416: the same pool with different permit lists.

use super::diff::{Diff, Difference, FIRST, Findings, Mode, SECOND};
use crate::codes::Code;
use crate::conf::load::Config;
use crate::diag::Severity;

/// DF416, reported from the pair's `Permits` differences ([`super::diff::Difference`]).
pub static RULE: Code = Code::lint_rule(
    "DF416",
    "permits-differ",
    Severity::Warning,
    "A pool with the same ranges on both peers has different `allow`/`deny` permit lists. \
The permit list decides which clients may take an address from the pool: with different lists, \
a client refused by the pool on one peer gets an address from it on the other, so whether a \
visitor lands in the staff pool (or gets nothing) depends on which peer answered. Permits are \
compared as sets: their order does not matter, and `known clients` equals `known-clients`. \
Write the same permits on both peers.",
);

/// Runs the rule on a primary's and a secondary's configuration.
pub fn check(primary: &Config, secondary: &Config, out: &mut Findings) {
    report(&Diff::of(primary, secondary, Mode::Pair), out);
}

pub(super) fn report(diff: &Diff<'_>, out: &mut Findings) {
    for d in &diff.differences {
        let Difference::Permits { pools } = d else {
            continue;
        };
        let (first, second) = (diff.node(FIRST, pools[0]), diff.node(SECOND, pools[1]));
        let only = |a: &super::tree::Node, b: &super::tree::Node| {
            a.permits
                .keys()
                .filter(|k| !b.permits.contains_key(*k))
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
        };
        let (here, there) = (only(second, first), only(first, second));
        let mut parts = Vec::new();
        if !here.is_empty() {
            parts.push(format!("{} only here", here.join(", ")));
        }
        if !there.is_empty() {
            parts.push(format!("{} only in the partner", there.join(", ")));
        }
        let mut lint = RULE
            .lint_at(
                second.span,
                format!(
                    "the permit list of this {} differs from the partner's ({}): {}",
                    second.title,
                    diff.loc(FIRST, first.span),
                    parts.join("; ")
                ),
            )
            .label("permits differ")
            .help(
                "write the same allow/deny permits on both peers: a client this pool refuses on one peer gets an address from it on the other, depending on which peer answered",
            );
        for (key, span) in &second.permits {
            if !first.permits.contains_key(key) {
                lint = lint.related(*span, "not on the partner");
            }
        }
        out.push(SECOND, lint);
    }
}

#[cfg(test)]
mod tests {
    use super::report;
    use crate::conf::pair::diff::testing::{pair_with, run};

    #[test]
    fn deny_on_one_side() {
        let (p, s) = pair_with(
            "subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool { failover peer \"fo\"; range 10.0.0.10 10.0.0.20; allow known clients; }\n}\n",
            "subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool { allow known-clients; deny members of \"guests\"; failover peer \"fo\"; range 10.0.0.10 10.0.0.20; }\n}\n",
        );
        let found = run(report, &p, &s);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].1), (1, 7));
        assert!(
            found[0]
                .2
                .contains("`deny members of \"guests\"` only here"),
            "{}",
            found[0].2
        );
    }

    #[test]
    fn same_permits_in_another_order() {
        let (p, s) = pair_with(
            "subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool { deny unknown-clients; allow members of \"a\"; range 10.0.0.10 10.0.0.20; }\n}\n",
            "subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool { allow members of \"a\"; deny unknown clients; range 10.0.0.10 10.0.0.20; }\n}\n",
        );
        assert!(run(report, &p, &s).is_empty());
    }
}
