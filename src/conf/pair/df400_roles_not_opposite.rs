//! DF400: both peers of a relationship play the same role.

use super::diff::{Diff, Difference, FIRST, Findings, Mode, SECOND};
use crate::codes::Code;
use crate::conf::load::Config;
use crate::diag::Severity;
use crate::model::Role;

/// DF400, reported from the pair's `Roles` differences ([`super::diff::Difference`]).
pub static RULE: Code = Code::lint_rule(
    "DF400",
    "roles-not-opposite",
    Severity::Error,
    "The two peers of a failover relationship do not play opposite roles: both say \
`primary;`, both say `secondary;`, or one says `primary;` and the other says nothing (dhcpd \
reads a block without a role as a primary). The failover protocol needs exactly one primary and \
one secondary: the primary connects and sends its mclt and load-balance split, the secondary \
accepts. Two primaries or two secondaries never reach the normal state, so neither takes over \
for the other and the pools are not balanced. The finding is in the file that most likely has \
the wrong role (the second file when both say primary, the first when both say secondary) and \
names the other file's line. Fix: `primary;` (with mclt and split or hba) on one server, \
`secondary;` (without them) on the other.",
);

/// Runs the rule on a primary's and a secondary's configuration.
pub fn check(primary: &Config, secondary: &Config, out: &mut Findings) {
    report(&Diff::of(primary, secondary, Mode::Pair), out);
}

fn word(role: Option<Role>) -> &'static str {
    match role {
        Some(Role::Primary) => "`primary;`",
        Some(Role::Secondary) => "`secondary;`",
        None => "no role (dhcpd reads it as primary)",
    }
}

pub(super) fn report(diff: &Diff<'_>, out: &mut Findings) {
    for d in &diff.differences {
        let Difference::Roles { name, roles, spans } = d else {
            continue;
        };
        let side = match roles {
            [Some(Role::Secondary), Some(Role::Secondary)] | [None, Some(Role::Primary)] => FIRST,
            _ => SECOND,
        };
        let both = if roles[0] != Some(Role::Secondary) {
            "primaries"
        } else {
            "secondaries"
        };
        let expected = if side == FIRST {
            "primary"
        } else {
            "secondary"
        };
        out.push(
            side,
            RULE.lint_at(
                spans[side],
                format!(
                    "failover peer \"{name}\" has {} here and {} in the partner ({}): both peers are {both}",
                    word(roles[side]),
                    word(roles[1 - side]),
                    diff.loc(1 - side, spans[1 - side])
                ),
            )
            .label(format!("this server should be the {expected}"))
            .help(format!(
                "write `{expected};` here{}: with two {both} the peers never reach the normal state, so neither takes over when the other fails",
                if side == FIRST {
                    " with mclt and split"
                } else {
                    " and remove mclt, split and hba"
                }
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::report;
    use crate::conf::pair::diff::testing::run;

    const P: &str =
        "failover peer \"fo\" {\n  primary;\n  address 10.0.0.2;\n  peer address 10.0.0.3;\n}\n";

    #[test]
    fn two_primaries_are_reported_in_the_second_file() {
        let found = run(
            report,
            P,
            "failover peer \"fo\" {\n  address 10.0.0.3;\n  primary;\n  peer address 10.0.0.2;\n}\n",
        );
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].1), (1, 3));
        assert!(found[0].2.contains("p.conf:2"), "{}", found[0].2);
    }

    #[test]
    fn a_missing_role_is_a_primary() {
        let found = run(
            report,
            P,
            "failover peer \"fo\" {\n  address 10.0.0.3;\n}\n",
        );
        assert_eq!((found[0].0, found[0].1), (1, 1));
        assert!(found[0].2.contains("no role"));
        let found = run(report, "failover peer \"fo\" {\n}\n", P);
        assert_eq!(found[0].0, 0);
    }

    #[test]
    fn two_secondaries_are_reported_in_the_first_file() {
        let s = P.replace("primary", "secondary");
        let found = run(report, &s, &s);
        assert_eq!((found[0].0, found[0].1), (0, 2));
    }

    #[test]
    fn opposite_roles_are_fine_in_either_order() {
        let s = P.replace("primary", "secondary");
        assert!(run(report, P, &s).is_empty());
        assert!(run(report, &s, P).is_empty());
        assert!(run(report, "failover peer \"fo\" { }\n", &s).is_empty());
    }
}
