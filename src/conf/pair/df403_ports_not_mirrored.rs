//! DF403: one peer's `peer port` is not the other's `port`.

use super::diff::{Diff, Difference, Findings, Mirror, Mode};
use crate::codes::Code;
use crate::conf::load::Config;
use crate::diag::Severity;

/// DF403, reported from the pair's `NotMirrored` differences ([`super::diff::Difference`]).
pub static RULE: Code = Code::lint_rule(
    "DF403",
    "ports-not-mirrored",
    Severity::Error,
    "The peer blocks do not mirror each other's ports: one server's `peer port` is not the \
other's `port` (both default to 647 when absent). Each server listens on its `port` and dials \
the partner's `peer port`; a mismatch (a common slip when one side moves to 847, or when a \
template writes the same `port` on both) means the connection never comes up and the peers stay \
in communications-interrupted. The finding points at the `peer port` that dials the wrong port \
(or at the peer block when it relies on the default) and names the partner's `port` line.",
);

/// Runs the rule on a primary's and a secondary's configuration.
pub fn check(primary: &Config, secondary: &Config, out: &mut Findings) {
    report(&Diff::of(primary, secondary, Mode::Pair), out);
}

pub(super) fn report(diff: &Diff<'_>, out: &mut Findings) {
    for d in &diff.differences {
        let Difference::NotMirrored {
            what: Mirror::Port,
            name,
            side,
            dials,
            own,
        } = d
        else {
            continue;
        };
        let side = *side;
        let default = |d: bool| if d { " (the default)" } else { "" };
        out.push(
            side,
            RULE.lint_at(
                dials.1,
                format!(
                    "failover peer \"{name}\" dials peer port {}{}, but the partner listens on port {}{} ({})",
                    dials.0,
                    default(dials.2),
                    own.0,
                    default(own.2),
                    diff.loc(1 - side, own.1)
                ),
            )
            .label(format!("the partner listens on port {}", own.0))
            .help(format!(
                "set `peer port {};` here (or change the partner's `port`): the connection never comes up and the peers stay in communications-interrupted",
                own.0
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::report;
    use crate::conf::pair::diff::testing::run;

    #[test]
    fn default_against_explicit() {
        let p = "failover peer \"fo\" {\n  primary;\n  port 647;\n  peer port 847;\n}\n";
        let s = "failover peer \"fo\" {\n  secondary;\n}\n";
        let found = run(report, p, s);
        // The primary dials 847 where the secondary listens on 647 (default).
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].1), (0, 4));
        assert!(
            found[0].2.contains("port 647 (the default) (s.conf:1)"),
            "{}",
            found[0].2
        );
    }

    #[test]
    fn mirrored_ports() {
        let p = "failover peer \"fo\" { primary; port 519; peer port 520; }\n";
        let s = "failover peer \"fo\" { secondary; port 520; peer port 519; }\n";
        assert!(run(report, p, s).is_empty());
        let same = "failover peer \"fo\" { primary; port 520; peer port 520; }\n";
        assert!(run(report, same, &same.replace("primary", "secondary")).is_empty());
        assert_eq!(run(report, p, &p.replace("primary", "secondary")).len(), 2);
    }
}
