//! DF422: a host declared differently, or on one peer only.

use super::diff::{Diff, Findings, Mode};
use super::items;
use super::tree::{Cat, Item, ScopeKind};
use crate::codes::Code;
use crate::conf::load::Config;
use crate::diag::Severity;

/// DF422, reported from the two trees it compares.
pub static RULE: Code = Code::lint_rule(
    "DF422",
    "host-differs",
    Severity::Warning,
    "A `host` is declared on one peer only, or its `hardware` or `fixed-address` differs \
between the peers. The peer without the host does not know the client: it hands it a dynamic \
address instead of its reservation (or nothing, where the pools deny unknown clients), so the \
device changes address whenever the other peer answers, e.g. during every failover. A \
different `fixed-address` makes the client's address depend on which peer answered; a \
different `hardware` address makes the two peers recognise different devices under one name. \
Hosts are matched by name wherever they are declared; their options and parameters are \
compared by DF420 and DF421. Declare the same hosts on both peers.",
);

/// Runs the rule on a primary's and a secondary's configuration.
pub fn check(primary: &Config, secondary: &Config, out: &mut Findings) {
    report(&Diff::of(primary, secondary, Mode::Pair), out);
}

fn effect(item: &Item) -> String {
    if item.key == "hardware" {
        "the two peers recognise different devices under this host name".into()
    } else {
        "the client's reserved address depends on which peer answered".into()
    }
}

pub(super) fn report(diff: &Diff<'_>, out: &mut Findings) {
    items::report_nodes(
        diff,
        out,
        &RULE,
        ScopeKind::Host,
        "declare the host on both peers: the partner does not know the client and gives it a dynamic address (or none where pools deny unknown clients) instead of its reservation",
    );
    items::report(diff, out, &RULE, Cat::Host, effect);
}

#[cfg(test)]
mod tests {
    use super::report;
    use crate::conf::pair::diff::testing::{pair_with, run};

    #[test]
    fn hosts_missing_or_different() {
        let (p, s) = pair_with(
            "host a { hardware ethernet 00:11:22:33:44:55; fixed-address 10.0.0.5; }\nhost b { hardware ethernet 00:11:22:33:44:56; }\n",
            "host a {\n  hardware ethernet 00:11:22:33:44:55;\n  fixed-address 10.0.0.6;\n}\n",
        );
        let found = run(report, &p, &s);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!((found[0].0, found[0].1), (0, 9));
        assert!(
            found[0]
                .2
                .contains("host b is declared here but not in the partner (s.conf)")
        );
        assert_eq!((found[1].0, found[1].1), (1, 8));
        assert!(
            found[1]
                .2
                .contains("`fixed-address 10.0.0.5` in the partner (p.conf:8)"),
            "{}",
            found[1].2
        );
    }

    #[test]
    fn hosts_in_other_places_and_spellings() {
        let (p, s) = pair_with(
            "subnet 10.0.0.0 netmask 255.255.255.0 { host a { hardware ethernet 0:11:22:33:44:5; } }\n",
            "subnet 10.0.0.0 netmask 255.255.255.0 { }\nhost a { hardware ethernet 00:11:22:33:44:05; }\n",
        );
        assert!(run(report, &p, &s).is_empty());
    }
}
