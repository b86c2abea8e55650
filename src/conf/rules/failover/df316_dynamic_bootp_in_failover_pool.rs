//! DF316: `range dynamic-bootp` in a pool with a failover peer in effect.

use crate::codes::Code;
use crate::conf::ast::{Span, StmtKind};
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF316, decided from the replay of pools and peer references in dhcpd's reading order.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF316",
        "dynamic-bootp-in-failover-pool",
        Severity::Error,
        "A `range dynamic-bootp` stands in a pool that has a failover peer in effect: named by \
the pool itself, or inherited from its shared-network (a `failover peer NAME;` reference or a \
peer block declared in the shared-network, before the pool). The failover protocol cannot \
hand out dynamic BOOTP leases, so dhcpd refuses the file: \"dynamic-bootp flag is not \
permitted for address range declarations where there is a failover peer in scope\". Put the \
BOOTP addresses in a pool of their own that starts with `no failover peer` (written without a \
`;`, see DF317), or drop `dynamic-bootp` from the range.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    for d in &config.replay().dynamic_ranges {
        let StmtKind::Range { low, .. } = &d.stmt.kind else {
            continue;
        };
        // Point at the `dynamic-bootp` word itself.
        let between = Span {
            file: d.stmt.span.file,
            start: d.stmt.keyword_span.end,
            end: low.span.start,
        };
        let text = config
            .files
            .get(between.file)
            .and_then(|f| f.source.text.get(between.start..between.end))
            .unwrap_or("");
        let span = text
            .to_ascii_lowercase()
            .find("dynamic-bootp")
            .map_or(d.stmt.span, |i| Span {
                file: between.file,
                start: between.start + i,
                end: between.start + i + "dynamic-bootp".len(),
            });
        out.push(
            RULE.at(
                span,
                format!(
                    "`range dynamic-bootp` in a pool served by failover peer {}",
                    d.peer.0
                ),
            )
            .label("dhcpd refuses dynamic BOOTP where a failover peer is in scope")
            .related(d.peer.1, "the failover peer comes from here")
            .help("move the range to a pool that starts with `no failover peer` (no `;`), or drop `dynamic-bootp`"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    const PEER: &str = "failover peer \"fo\" { primary; }\n";

    #[test]
    fn in_failover_pool() {
        let own = format!(
            "{PEER}subnet 10.0.0.0 netmask 255.255.255.0 {{\n  pool {{\n    failover peer \"fo\";\n    range dynamic-bootp 10.0.0.1 10.0.0.9;\n  }}\n}}\n"
        );
        assert_eq!(lines(&RULE, &own), [5]);
        let inherited = format!(
            "{PEER}shared-network sn {{\n  failover peer fo;\n  subnet 10.0.0.0 netmask 255.255.255.0 {{\n    pool {{ range dynamic-bootp 10.0.0.1 10.0.0.9; }}\n  }}\n}}\n"
        );
        assert_eq!(lines(&RULE, &inherited), [5]);
        let declared_in_network = "shared-network sn {\n  failover peer \"fo\" { primary; }\n  subnet 10.0.0.0 netmask 255.255.255.0 {\n    pool { range dynamic-bootp 10.0.0.1 10.0.0.9; }\n  }\n}\n";
        assert_eq!(lines(&RULE, declared_in_network), [4]);
    }

    #[test]
    fn allowed_places() {
        // `no failover peer`, a range before the pool's own reference, a subnet-level range.
        let conf = format!(
            "{PEER}shared-network sn {{\n  failover peer fo;\n  subnet 10.0.0.0 netmask 255.255.255.0 {{\n    range dynamic-bootp 10.0.0.100 10.0.0.109;\n    pool {{ no failover peer range dynamic-bootp 10.0.0.1 10.0.0.9; }}\n  }}\n}}\nsubnet 10.0.1.0 netmask 255.255.255.0 {{\n  pool {{ range dynamic-bootp 10.0.1.1 10.0.1.9; failover peer \"fo\"; range 10.0.1.10 10.0.1.19; }}\n}}\n"
        );
        assert!(lines(&RULE, &conf).is_empty());
    }
}
