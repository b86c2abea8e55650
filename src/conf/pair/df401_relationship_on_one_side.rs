//! DF401: a failover relationship declared by one peer only.

use super::diff::{Diff, Difference, Findings, Mode};
use crate::codes::Code;
use crate::conf::facts::peer_decls;
use crate::conf::load::Config;
use crate::diag::Severity;

/// DF401, reported from the pair's `PeerOnOneSide` differences ([`super::diff::Difference`]).
pub static RULE: Code = Code::lint_rule(
    "DF401",
    "relationship-on-one-side",
    Severity::Error,
    "A `failover peer NAME` block is declared in one peer's configuration only: the \
relationship names differ between the two files (often a typo or a rename done on one server), \
or one file has no failover at all. The peers find each other by that name: the primary's \
CONNECT names it, and the secondary refuses a name it does not know (\"unknown failover \
relationship name\"), so the peers stay in communications-interrupted and the pools that refer \
to the name are not failed over. A rename done on one server only also sends the renamed peer \
into recover-wait. Use the same quoted name in both files' peer blocks and pool references.",
);

/// Runs the rule on a primary's and a secondary's configuration.
pub fn check(primary: &Config, secondary: &Config, out: &mut Findings) {
    report(&Diff::of(primary, secondary, Mode::Pair), out);
}

pub(super) fn report(diff: &Diff<'_>, out: &mut Findings) {
    for d in &diff.differences {
        let Difference::PeerOnOneSide { side, name, span } = d else {
            continue;
        };
        let side = *side;
        let theirs: Vec<String> = peer_decls(diff.configs[1 - side])
            .iter()
            .map(|p| format!("\"{}\" ({})", p.name.text, diff.loc(1 - side, p.name.span)))
            .collect();
        let partner = if theirs.is_empty() {
            "declares no failover peer".to_string()
        } else {
            format!("declares {}", theirs.join(", "))
        };
        out.push(
            side,
            RULE.lint_at(
                *span,
                format!(
                    "failover peer \"{name}\" is declared here but not in the partner ({}), which {partner}",
                    diff.file(1 - side)
                ),
            )
            .label("the partner has no relationship of this name")
            .help(
                "use the same relationship name on both peers: the secondary refuses a CONNECT for a name it does not know (\"unknown failover relationship name\"), so the peers stay in communications-interrupted and these pools are not failed over",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::report;
    use crate::conf::pair::diff::testing::run;

    #[test]
    fn names_differ() {
        let found = run(
            report,
            "failover peer \"dhcp-failover\" { primary; }\n",
            "\nfailover peer \"dhcp_failover\" { secondary; }\n",
        );
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].0, found[0].1), (0, 1));
        assert_eq!((found[1].0, found[1].1), (1, 2));
        assert!(
            found[0].2.contains("\"dhcp_failover\" (s.conf:2)"),
            "{}",
            found[0].2
        );
    }

    #[test]
    fn failover_on_one_side_only() {
        let found = run(
            report,
            "failover peer \"fo\" { primary; }\n",
            "authoritative;\n",
        );
        assert_eq!(found.len(), 1);
        assert!(found[0].2.contains("declares no failover peer"));
    }

    #[test]
    fn same_names() {
        assert!(
            run(
                report,
                "failover peer \"fo\" { primary; }\n",
                "failover peer \"fo\" { secondary; }\n"
            )
            .is_empty()
        );
    }
}
