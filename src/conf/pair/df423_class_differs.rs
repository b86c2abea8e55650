//! DF423: a class declared differently, or on one peer only.

use super::diff::{Diff, Findings, Mode};
use super::items;
use super::tree::{Cat, Item, ScopeKind};
use crate::codes::Code;
use crate::conf::load::Config;
use crate::diag::Severity;

/// DF423, reported from the two trees it compares.
pub static RULE: Code = Code::lint_rule(
    "DF423",
    "class-differs",
    Severity::Warning,
    "A `class` is declared on one peer only, or its `match`, `lease limit` or `spawn with` \
differs between the peers. Classes decide which clients the pools' `members of` permits admit \
and which options they get, so with different classes a client lands in a different pool (or \
none) depending on which peer answered; a permit naming a class the other peer does not declare \
makes that peer refuse its configuration. Match expressions are compared after normalizing \
spacing and case. Declare the same classes on both peers.",
);

/// Runs the rule on a primary's and a secondary's configuration.
pub fn check(primary: &Config, secondary: &Config, out: &mut Findings) {
    report(&Diff::of(primary, secondary, Mode::Pair), out);
}

fn effect(_: &Item) -> String {
    "the class admits different clients on the two peers, so pool permits and options for them depend on which peer answered".into()
}

pub(super) fn report(diff: &Diff<'_>, out: &mut Findings) {
    items::report_nodes(
        diff,
        out,
        &RULE,
        ScopeKind::Class,
        "declare the class on both peers: pools that admit or refuse its members behave differently on the partner",
    );
    items::report(diff, out, &RULE, Cat::Class, effect);
}

#[cfg(test)]
mod tests {
    use super::report;
    use crate::conf::pair::diff::testing::{pair_with, run};

    #[test]
    fn match_differs() {
        let (p, s) = pair_with(
            "class \"voip\" {\n  match if substring (option vendor-class-identifier, 0, 4) = \"Cisc\";\n}\n",
            "class \"voip\" {\n  match if substring(option vendor-class-identifier,0,4) = \"Yeal\";\n}\nclass \"x\" { }\n",
        );
        let found = run(report, &p, &s);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!((found[0].0, found[0].1), (1, 9));
        assert!(found[0].2.contains("class \"x\" is declared here"));
        assert_eq!((found[1].0, found[1].1), (1, 7));
    }

    #[test]
    fn same_class_other_spacing() {
        let (p, s) = pair_with(
            "class \"even\" {\n  match if ((extract-int (suffix\n (pick-first-value (option dhcp-client-identifier,\n hardware), 1), 8) % 2) = 0);\n}\n",
            "class \"even\" { match if ((extract-int(suffix(pick-first-value(option dhcp-client-identifier, hardware), 1), 8) % 2) = 0); }\n",
        );
        assert!(run(report, &p, &s).is_empty());
    }
}
