//! DF304: a primary without `mclt` (or with `mclt 0`).

use super::support::{checked_as_primary, head, number};
use crate::codes::Code;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF304",
        "primary-without-mclt",
        Severity::Error,
        "The primary's `failover peer` block has no `mclt`, or `mclt 0`. The Maximum Client \
Lead Time bounds how far either server may extend a lease beyond what its partner knows; the \
primary sends it to the secondary when they connect. dhcpd refuses the file: \"primary \
failover server must have mclt\" (it reports this only once `split`/`hba` is present). A block \
without `primary;` or `secondary;` counts as a primary. Add `mclt 1800;` or `mclt 3600;` to \
the primary (keep it well below the lease times), or `secondary;` if this is the secondary.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    for peer in config.peers() {
        if !checked_as_primary(peer) {
            continue;
        }
        let implicit = peer.role().is_none();
        let mut lint = match (peer.get("mclt"), number(peer, "mclt")) {
            // A value dhcpd cannot read is DF324's.
            (Some(_), None) => continue,
            // dhcpd keeps the value in 32 bits: 4294967296 wraps to 0.
            (Some(_), Some((n, _))) if n.rem_euclid(1 << 32) != 0 => continue,
            (Some(_), Some((n, s))) => RULE
                .at(
                    s.span,
                    format!("`mclt {n}` on the primary of failover peer {}", peer.name.text),
                )
                .label(if n == 0 {
                    "dhcpd treats 0 as no mclt and refuses the primary"
                } else {
                    "dhcpd keeps 32 bits of it: 0, which it treats as no mclt"
                })
                .help("set a real lead time, e.g. `mclt 1800;`"),
            (None, _) => RULE
                .at(
                    head(peer),
                    format!("primary failover peer {} has no `mclt`", peer.name.text),
                )
                .label(if implicit {
                    "no role given, so dhcpd checks this block as a primary"
                } else {
                    "dhcpd refuses a primary without mclt"
                })
                .help(if implicit {
                    "add `secondary;` if this is the secondary; otherwise add `primary;` and `mclt 1800;`"
                } else {
                    "add `mclt 1800;` to the primary's peer block"
                }),
        };
        if let Some(r) = peer.role_stmt() {
            lint = lint.related(r.span, "this peer is the primary");
        }
        out.push(lint);
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    #[test]
    fn primary_without_mclt() {
        let conf = "failover peer \"fo\" {\n  primary;\n  split 128;\n}\n";
        assert_eq!(lines(&RULE, conf), [1]);
        let zero = "failover peer \"fo\" {\n  primary;\n  split 128;\n  mclt 0;\n}\n";
        assert_eq!(lines(&RULE, zero), [4]);
        let wraps = zero.replace("mclt 0;", "mclt 4294967296;");
        assert_eq!(lines(&RULE, &wraps), [4]);
        let wraps_to_one = zero.replace("mclt 0;", "mclt 4294967297;");
        assert!(lines(&RULE, &wraps_to_one).is_empty());
        let no_role = "failover peer \"fo\" {\n  split 128;\n}\n";
        assert_eq!(lines(&RULE, no_role), [1]);
    }

    #[test]
    fn with_mclt_or_secondary() {
        assert!(lines(&RULE, "failover peer \"fo\" { primary; mclt 1; }\n").is_empty());
        assert!(lines(&RULE, "failover peer \"fo\" { secondary; }\n").is_empty());
        assert!(lines(&RULE, "failover peer \"fo\" { primary; mclt 0x10; }\n").is_empty());
    }
}
