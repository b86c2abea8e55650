//! DF421: a parameter that differs between the peers.

use super::diff::{Diff, Findings, Mode};
use super::items;
use super::tree::{Cat, Item};
use crate::codes::Code;
use crate::conf::load::Config;
use crate::diag::Severity;

/// DF421, reported from the two trees it compares.
pub static RULE: Code = Code::lint_rule(
    "DF421",
    "parameter-differs",
    Severity::Warning,
    "A parameter (`default-lease-time`, `max-lease-time`, `authoritative`, `next-server`, \
`filename`, `ping-check`, scope-level `allow`/`deny`...) has a different value on the two \
peers, or is set in a declaration on one peer only. The peers then treat the same client \
differently depending on which one answered: different lease times make a client's lease \
length change when the partner renews it, and an `authoritative` on one side only means one \
peer NAKs clients with an address from another network while the other stays silent. \
Parameters are matched by name in the same declaration; values are compared after normalizing \
case, spacing and number notation (`on` equals `true`). `ddns-update-style none` and `not \
authoritative` at the top level equal their absence. Settings of the server itself \
(`lease-file-name`, `pid-file-name`, `local-port`, `omapi-port`, `omapi-key`, `local-address`, \
`server-identifier`, `server-name`...) differ by design and are not compared. Write the same \
parameters on both peers.",
);

/// Runs the rule on a primary's and a secondary's configuration.
pub fn check(primary: &Config, secondary: &Config, out: &mut Findings) {
    report(&Diff::of(primary, secondary, Mode::Pair), out);
}

fn effect(item: &Item) -> String {
    match item.key.as_str() {
        "default-lease-time" | "max-lease-time" | "min-lease-time" => {
            "a client's lease length depends on which peer answered, and changes when the partner renews it".into()
        }
        "authoritative" => {
            "one peer NAKs clients that bring an address from another network while the other stays silent".into()
        }
        "next-server" | "filename" => "a booting client's server or file depends on which peer answered".into(),
        key if key.starts_with("range dynamic-bootp") => {
            "BOOTP clients get addresses from these ranges from one peer only".into()
        }
        _ => format!("the peers treat the same client differently (`{}`)", item.key),
    }
}

pub(super) fn report(diff: &Diff<'_>, out: &mut Findings) {
    items::report(diff, out, &RULE, Cat::Param, effect);
}

#[cfg(test)]
mod tests {
    use super::report;
    use crate::conf::pair::diff::testing::{pair_with, run};

    #[test]
    fn lease_times_differ() {
        let (p, s) = pair_with(
            "default-lease-time 600;\nmax-lease-time 7200;\n",
            "max-lease-time 7200;\ndefault-lease-time 3600;\n",
        );
        let found = run(report, &p, &s);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].1), (1, 7));
        assert!(found[0].2.contains("lease length"), "{}", found[0].2);
    }

    #[test]
    fn defaults_and_spellings() {
        let (p, s) = pair_with(
            "ddns-update-style none;\nping-check true;\nnot authoritative;\n",
            "ping-check on;\n",
        );
        assert!(run(report, &p, &s).is_empty());
        let (p, s) = pair_with("authoritative;\n", "");
        let found = run(report, &p, &s);
        assert_eq!(found[0].0, 0);
        assert!(found[0].2.contains("NAKs"), "{}", found[0].2);
    }
}
