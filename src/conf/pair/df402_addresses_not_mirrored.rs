//! DF402: one peer's `peer address` is not the other's `address`.

use super::diff::{Diff, Difference, Findings, Mirror, Mode};
use crate::codes::Code;
use crate::conf::load::Config;
use crate::diag::Severity;

/// DF402, reported from the pair's `NotMirrored` differences ([`super::diff::Difference`]).
pub static RULE: Code = Code::lint_rule(
    "DF402",
    "addresses-not-mirrored",
    Severity::Error,
    "The peer blocks do not mirror each other's addresses: one server's `peer address` is \
not the other's `address`. Each server listens on its `address` and dials its partner at `peer \
address`, and accepts a connection only from the partner address it knows; swapped or stale \
addresses (a server renumbered on one side only, a VIP instead of the real address) leave the \
peers in communications-interrupted and neither can take over. The finding points at the `peer \
address` that dials the wrong place and names the partner's `address` line. Set each server's \
`peer address` to the other's `address`.",
);

/// Runs the rule on a primary's and a secondary's configuration.
pub fn check(primary: &Config, secondary: &Config, out: &mut Findings) {
    report(&Diff::of(primary, secondary, Mode::Pair), out);
}

pub(super) fn report(diff: &Diff<'_>, out: &mut Findings) {
    for d in &diff.differences {
        let Difference::NotMirrored {
            what: Mirror::Address,
            name,
            side,
            dials,
            own,
        } = d
        else {
            continue;
        };
        let side = *side;
        out.push(
            side,
            RULE.lint_at(
                dials.1,
                format!(
                    "failover peer \"{name}\" dials peer address {}, but the partner's address is {} ({})",
                    dials.0,
                    own.0,
                    diff.loc(1 - side, own.1)
                ),
            )
            .label(format!("the partner listens on {}", own.0))
            .help(format!(
                "set `peer address {};` here (or fix the partner's `address`): the peers cannot connect, stay in communications-interrupted, and neither takes over when the other fails",
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
    fn stale_peer_address() {
        let p = "failover peer \"fo\" {\n  primary;\n  address 10.0.0.2;\n  peer address 10.0.0.3;\n}\n";
        let s = "failover peer \"fo\" {\n  secondary;\n  address 10.0.0.3;\n  peer address 10.0.0.9;\n}\n";
        let found = run(report, p, s);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].1), (1, 4));
        assert!(found[0].2.contains("10.0.0.2 (p.conf:3)"), "{}", found[0].2);
    }

    #[test]
    fn mirrored_or_missing() {
        let p = "failover peer \"fo\" { primary; address 10.0.0.2; peer address 10.0.0.3; }\n";
        let s = "failover peer \"fo\" { secondary; address 10.0.0.3; peer address 10.0.0.2; }\n";
        assert!(run(report, p, s).is_empty());
        // A missing statement is DF308/DF328's business.
        let s = "failover peer \"fo\" { secondary; peer address 10.0.0.2; }\n";
        assert!(run(report, p, s).is_empty());
    }
}
