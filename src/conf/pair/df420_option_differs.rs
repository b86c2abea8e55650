//! DF420: an option that differs between the peers.

use super::diff::{Diff, Findings, Mode};
use super::items;
use super::tree::{Cat, Item};
use crate::codes::Code;
use crate::conf::load::Config;
use crate::diag::Severity;

/// DF420, reported from the two trees it compares.
pub static RULE: Code = Code::lint_rule(
    "DF420",
    "option-differs",
    Severity::Warning,
    "An `option` statement (or `supersede`, `default`, `prepend`, `append`, `send`) has a \
different value on the two peers, or is written in a declaration on one peer only. Clients get \
their options from whichever peer answers, and with load balancing that is each peer for half \
of the clients, and the partner for everyone when one is down: `option routers 172.20.3.252` \
on one peer and `172.20.3.254` on the other makes a client's gateway depend on which peer \
answered. Options are matched by name in the same declaration (subnet, pool, host, class...); \
values are compared after normalizing case, spacing and number notation, and `supersede` \
equals `option`. Write the same options on both peers.",
);

/// Runs the rule on a primary's and a secondary's configuration.
pub fn check(primary: &Config, secondary: &Config, out: &mut Findings) {
    report(&Diff::of(primary, secondary, Mode::Pair), out);
}

fn effect(item: &Item) -> String {
    let name = item
        .key
        .split_once(' ')
        .map_or(item.key.as_str(), |(_, n)| n);
    let what = match name {
        "routers" => "gateway depends",
        "domain-name-servers" => "DNS servers depend",
        "domain-name" => "DNS domain depends",
        "domain-search" => "DNS search list depends",
        "subnet-mask" => "netmask depends",
        "broadcast-address" => "broadcast address depends",
        "ntp-servers" | "time-servers" => "time servers depend",
        "interface-mtu" => "MTU depends",
        "tftp-server-name" | "bootfile-name" | "tftp-server-address" => {
            "boot server or file depends"
        }
        _ => return format!("a client's `{name}` option depends on which peer answered"),
    };
    format!("a client's {what} on which peer answered")
}

pub(super) fn report(diff: &Diff<'_>, out: &mut Findings) {
    items::report(diff, out, &RULE, Cat::Option, effect);
}

#[cfg(test)]
mod tests {
    use super::report;
    use crate::conf::pair::diff::testing::{pair_with, run};

    #[test]
    fn router_differs() {
        let (p, s) = pair_with(
            "subnet 172.20.0.0 netmask 255.255.252.0 {\n  option routers 172.20.3.252;\n}\n",
            "subnet 172.20.0.0 netmask 255.255.252.0 {\n  option routers 172.20.3.254;\n}\n",
        );
        let found = run(report, &p, &s);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].1), (1, 7));
        let m = &found[0].2;
        assert!(m.contains("`option routers 172.20.3.254` in subnet 172.20.0.0/22 here, `option routers 172.20.3.252` in the partner (p.conf:9)"), "{m}");
        assert!(m.contains("gateway depends on which peer answered"), "{m}");
    }

    #[test]
    fn option_on_one_side() {
        let (p, s) = pair_with("option domain-name \"example.org\";\n", "");
        let found = run(report, &p, &s);
        assert_eq!((found[0].0, found[0].1), (0, 8));
        assert!(
            found[0]
                .2
                .contains("the top level of s.conf has no `option domain-name`"),
            "{}",
            found[0].2
        );
    }

    #[test]
    fn equivalent_spellings() {
        let (p, s) = pair_with(
            "option domain-name-servers 10.0.0.1, 10.0.0.2;\noption time-offset 0x10;\n",
            "supersede  domain-name-servers 10.0.0.1,10.0.0.2 ;\nOPTION dhcp.time-offset 16;\n",
        );
        assert!(run(report, &p, &s).is_empty());
    }
}
