//! DF404: the peers' timing and balancing settings differ.

use super::diff::{Diff, Difference, FIRST, Findings, Mode, SECOND};
use crate::codes::Code;
use crate::conf::load::Config;
use crate::diag::Severity;

/// DF404, reported from the pair's `PeerSetting` differences ([`super::diff::Difference`]).
pub static RULE: Code = Code::lint_rule(
    "DF404",
    "peer-settings-differ",
    Severity::Warning,
    "A setting of the failover relationship that both peers read has different values in the \
two peer blocks (dhcpd's default counts where it is absent): `max-response-delay` (20), \
`max-unacked-updates` (100), `load balance max seconds` (0, balancing off), `auto-partner-down` \
(0), `max-lease-misbalance` (15), `max-lease-ownership` (10), `min-balance` (60), `max-balance` \
(3600). The peers then disagree on when the partner counts as down, on when a retrying client \
may be answered by either server, or on how leases are rebalanced; dhcpd.conf(5) asks for \
`load balance max seconds` on both, and 0 on both to disable balancing. `mclt`, `split` and \
`hba` are the primary's alone and are not compared. Write the same values in both blocks.",
);

/// Runs the rule on a primary's and a secondary's configuration.
pub fn check(primary: &Config, secondary: &Config, out: &mut Findings) {
    report(&Diff::of(primary, secondary, Mode::Pair), out);
}

fn effect(keyword: &str) -> &'static str {
    match keyword {
        "load balance max seconds" => {
            "the peers disagree on when a retrying client may be answered by either server"
        }
        "max-response-delay" | "auto-partner-down" => {
            "the peers disagree on when the partner counts as down"
        }
        "max-unacked-updates" => "the peers pace binding updates differently",
        "role" | "address" | "port" | "peer address" | "peer port" => {
            "the server would connect differently"
        }
        "mclt" | "split" | "hba" => "the server would share the load differently",
        _ => "the peers rebalance leases differently",
    }
}

pub(super) fn report(diff: &Diff<'_>, out: &mut Findings) {
    for d in &diff.differences {
        let Difference::PeerSetting {
            name,
            keyword,
            values,
            heads,
        } = d
        else {
            continue;
        };
        // Point at a written statement: the second file's, else the first's.
        let side = if values[SECOND].1.is_some() || values[FIRST].1.is_none() {
            SECOND
        } else {
            FIRST
        };
        let shown = |s: usize| {
            let (value, at) = &values[s];
            match at {
                Some(span) => format!("`{keyword} {value}` ({})", diff.loc(s, *span)),
                None => format!("{value}, dhcpd's default ({})", diff.loc(s, heads[s])),
            }
        };
        let help = match diff.mode {
            Mode::Pair => format!(
                "write the same value in both peer blocks: {}",
                effect(keyword)
            ),
            Mode::Same => format!(
                "the two files configure the relationship differently: {}",
                effect(keyword)
            ),
        };
        out.push(
            side,
            RULE.lint_at(
                values[side].1.unwrap_or(heads[side]),
                format!(
                    "failover peer \"{name}\": {keyword} is {} here and {} in the partner",
                    values[side].0,
                    shown(1 - side)
                ),
            )
            .label(format!("the partner has {}", values[1 - side].0))
            .help(help),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::report;
    use crate::conf::pair::diff::testing::run;

    #[test]
    fn load_balance_differs() {
        let p =
            "failover peer \"fo\" {\n  primary;\n  load balance max seconds 3;\n  mclt 10;\n}\n";
        let s = "failover peer \"fo\" {\n  secondary;\n  load balance max seconds 5;\n}\n";
        let found = run(report, p, s);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].0, found[0].1), (1, 3));
        assert!(found[0].2.contains("(p.conf:3)"), "{}", found[0].2);
    }

    #[test]
    fn default_counts_and_primary_only_settings_are_not_compared() {
        let p = "failover peer \"fo\" {\n  primary;\n  max-response-delay 20;\n  mclt 10;\n  split 128;\n}\n";
        let s = "failover peer \"fo\" {\n  secondary;\n}\n";
        assert!(run(report, p, s).is_empty());
        let p = "failover peer \"fo\" {\n  primary;\n  max-response-delay 60;\n}\n";
        let found = run(report, p, s);
        assert_eq!((found[0].0, found[0].1), (0, 3));
        assert!(
            found[0].2.contains("20, dhcpd's default (s.conf:1)"),
            "{}",
            found[0].2
        );
    }
}
