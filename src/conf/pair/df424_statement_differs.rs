//! DF424: any other statement or group present on one peer only.

use super::diff::{Diff, Findings, Mode};
use super::items;
use super::tree::{Cat, Item, ScopeKind};
use crate::codes::Code;
use crate::conf::load::Config;
use crate::diag::Severity;

/// DF424, reported from the two trees it compares.
pub static RULE: Code = Code::lint_rule(
    "DF424",
    "statement-differs",
    Severity::Warning,
    "A statement that the other rules do not compare field by field (`if`/`elsif`/`else`, \
`switch`, `on` events, `key`, `zone`, `option space` and option definitions, `subclass`, \
executable statements) or a `group` is written on one peer only, or differently. Such \
statements change how a server classifies clients, which options it computes or which DNS \
updates it makes, so the peers treat the same client differently depending on which one \
answered. They are compared as whole statements after dropping comments and normalizing \
spacing and keyword case; a changed statement shows up once in each file. Key secrets are \
never printed. Write the same statements on both peers, ideally in one file both include.",
);

/// Runs the rule on a primary's and a secondary's configuration.
pub fn check(primary: &Config, secondary: &Config, out: &mut Findings) {
    report(&Diff::of(primary, secondary, Mode::Pair), out);
}

fn effect(_: &Item) -> String {
    "the peers treat the same client differently depending on which one answered".into()
}

pub(super) fn report(diff: &Diff<'_>, out: &mut Findings) {
    items::report_nodes(
        diff,
        out,
        &RULE,
        ScopeKind::Group,
        "write the same groups on both peers: the parameters of this group apply on one peer only",
    );
    items::report(diff, out, &RULE, Cat::Other, effect);
}

#[cfg(test)]
mod tests {
    use super::report;
    use crate::conf::pair::diff::testing::{pair_with, run};

    #[test]
    fn if_on_one_side_and_keys_stay_secret() {
        let (p, s) = pair_with(
            "if option vendor-class-identifier = \"PXE\" {\n  filename \"pxe.0\";\n}\nkey k { algorithm hmac-md5; secret c2VjcmV0; }\n",
            "key k { algorithm hmac-md5; secret b3RoZXI=; }\n",
        );
        let found = run(report, &p, &s);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found
                .iter()
                .all(|f| !f.2.contains("c2VjcmV0") && !f.2.contains("b3RoZXI"))
        );
        assert!(found.iter().any(|f| f.0 == 0 && f.1 == 8));
    }

    #[test]
    fn same_statement_other_layout() {
        let (p, s) = pair_with(
            "on commit { set x = \"a\"; } # note\n",
            "on commit {\n  set x = \"a\";\n}\n",
        );
        assert!(run(report, &p, &s).is_empty());
    }
}
