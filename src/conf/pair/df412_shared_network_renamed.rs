//! DF412: the same shared network under two names.

use super::diff::{Diff, Difference, FIRST, Findings, Mode, SECOND};
use crate::codes::Code;
use crate::conf::load::Config;
use crate::diag::Severity;

/// DF412, reported from the pair's `SharedNetworkRenamed` differences
/// ([`super::diff::Difference`]).
pub static RULE: Code = Code::lint_rule(
    "DF412",
    "shared-network-renamed",
    Severity::Warning,
    "A `shared-network` joins the same subnets on both peers but has a different name on \
each. dhcpd uses the name only in log lines and OMAPI, so clients see no difference; but the \
names are how people match the two files and their logs, and a rename done on one server only \
is usually the first step of the two files drifting apart. Use the same name on both peers.",
);

/// Runs the rule on a primary's and a secondary's configuration.
pub fn check(primary: &Config, secondary: &Config, out: &mut Findings) {
    report(&Diff::of(primary, secondary, Mode::Pair), out);
}

pub(super) fn report(diff: &Diff<'_>, out: &mut Findings) {
    for d in &diff.differences {
        let Difference::SharedNetworkRenamed { nodes } = d else {
            continue;
        };
        let (first, second) = (diff.node(FIRST, nodes[0]), diff.node(SECOND, nodes[1]));
        out.push(
            SECOND,
            RULE.lint_at(
                second.span,
                format!(
                    "shared-network `{}` is named `{}` in the partner ({})",
                    second.name,
                    first.name,
                    diff.loc(FIRST, first.span)
                ),
            )
            .label("same subnets, other name")
            .help(format!(
                "use one name on both peers, e.g. `{}`: dhcpd logs the shared network by name, and matching names keep the two files comparable",
                first.name
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::report;
    use crate::conf::pair::diff::testing::{pair_with, run};

    #[test]
    fn renamed() {
        let (p, s) = pair_with(
            "shared-network NET-187 {\n  subnet 10.0.0.0 netmask 255.255.255.0 { }\n}\n",
            "shared-network 187-NET {\n  subnet 10.0.0.0 netmask 255.255.255.0 { }\n}\n",
        );
        let found = run(report, &p, &s);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].1), (1, 6));
        assert!(
            found[0].2.contains("`NET-187` in the partner (p.conf:8)"),
            "{}",
            found[0].2
        );
    }
}
