//! Rules on the failover relationship: split/hba, mclt and timing (DF110..DF118).

use super::{DF110, DF111, DF112, DF113, DF114, DF115, DF116, DF117, DF118, DF119};
use crate::diag::Finding;
use crate::model::{Pair, ScopeParams};

use crate::dhcpd::DEFAULT_MAX_LEASE_TIME;
use crate::judgement::{self, BalanceWait};

pub(super) fn check(pair: &Pair, out: &mut Vec<Finding>) {
    let fo = pair.failover.value();
    match (&fo.split, &fo.hba) {
        (Some(split), Some(hba)) => out.push(
            DF111.at(hba.span(), "both `split` and `hba` are set")
                .label("hba")
                .related(split.span(), "split")
                .help("keep one: `split: 128` is the usual way; hba is a 32-octet bitmap for the same thing"),
        ),
        (None, None) => out.push(
            DF113.at(fo.name.span(), "the relationship has neither `split` nor `hba`")
                .label("this relationship")
                .help("add `split: 128` (load balancing) or `split: 256` (hot standby: the primary serves all)"),
        ),
        _ => {}
    }
    if let Some(split) = &fo.split
        && judgement::split_out_of_range(i64::from(**split))
    {
        out.push(
            DF110
                .at(split.span(), format!("split {} is outside 0..256", **split))
                .label("out of range")
                .help("use 128 to share clients evenly, 256 for a hot standby primary"),
        );
    }
    if let Some(hba) = &fo.hba
        && judgement::hba_length_wrong(hba.0.len())
    {
        out.push(
            DF112
                .at(
                    hba.span(),
                    format!("hba has {} octets; it must have exactly 32", hba.0.len()),
                )
                .label("wrong length")
                .help("write 32 colon-separated octets, or use `split` instead"),
        );
    }

    match &fo.mclt {
        None => out.push(
            DF114
                .at(fo.name.span(), "the relationship has no `mclt`")
                .label("this relationship")
                .help("add `mclt: 3600` under `failover:`; dhcpd refuses a primary without mclt"),
        ),
        Some(mclt) if mclt.secs() == 0 => out.push(
            DF114
                .at(mclt.span(), "mclt is 0")
                .label("must be above 0")
                .help("use 3600 (1h), well below the lease times"),
        ),
        Some(mclt) => {
            let global = pair.global();
            let (max, span, what) = match global.max_lease_time() {
                Some(m) => (m.secs(), m.span(), "max-lease-time"),
                None => (
                    DEFAULT_MAX_LEASE_TIME,
                    mclt.span(),
                    "dhcpd's default max-lease-time",
                ),
            };
            if judgement::mclt_not_below_lease_time(u64::from(mclt.secs()), u64::from(max)) {
                out.push(
                    DF116.at(mclt.span(), format!("mclt {} is not below {what} {max}", mclt.secs()))
                        .label("mclt")
                        .related(span, "max-lease-time")
                        .help("use an mclt well below the lease time, e.g. 1h against leases of several hours"),
                );
            }
        }
    }

    if let Some(lbms) = &fo.load_balance_max_seconds {
        let n = **lbms;
        match judgement::balance_wait(u64::from(n)) {
            BalanceWait::Off => out.push(
                DF115
                    .at(
                        lbms.span(),
                        "load-balance-max-seconds 0 turns load balancing off",
                    )
                    .label("both peers will answer every client")
                    .help("use 3 to 5; set 0 only to disable balancing on purpose"),
            ),
            BalanceWait::Advised => {}
            wait @ (BalanceWait::Short | BalanceWait::Long) => out.push(
                DF115
                    .at(
                        lbms.span(),
                        format!("load-balance-max-seconds {n} is outside the recommended 3..5"),
                    )
                    .label(if wait == BalanceWait::Short {
                        "too short"
                    } else {
                        "clients of a failed peer wait this long"
                    })
                    .help("use 3 to 5 seconds"),
            ),
        }
    }

    if !pair
        .all_subnets()
        .flat_map(|s| s.pools.iter())
        .any(|p| p.uses_failover())
    {
        out.push(
            DF119
                .at(fo.name.span(), "no pool uses this failover relationship")
                .label("unused relationship")
                .help(
                    "add a pool to a subnet; pools use failover unless they say `failover: false`",
                ),
        );
    }

    let name = fo.name.value();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        out.push(
            DF117
                .at(
                    fo.name.span(),
                    format!("`{name}` is not a usable relationship name"),
                )
                .label("invalid name")
                .help("use letters, digits, `-`, `_` and `.`, e.g. `dhcp-failover`"),
        );
    }

    if let Some(mrd) = &fo.max_response_delay
        && mrd.secs() == 0
    {
        out.push(
            DF118
                .at(mrd.span(), "max-response-delay is 0")
                .help("use 30 to 60 seconds"),
        );
    }
    if let Some(mau) = &fo.max_unacked_updates
        && **mau == 0
    {
        out.push(
            DF118
                .at(mau.span(), "max-unacked-updates is 0")
                .help("use 10 (ISC's example) or more"),
        );
    }
    let secs = |d: &Option<crate::model::Spanned<crate::model::Duration>>| {
        d.as_ref().map(|d| u64::from(d.secs()))
    };
    if let Some((lo, hi)) =
        judgement::balance_bounds_inverted(secs(&fo.min_balance), secs(&fo.max_balance))
    {
        // 0 stands for dhcpd's default, like a value left out.
        let min = fo.min_balance.as_ref().filter(|d| d.secs() != 0);
        let max = fo.max_balance.as_ref().filter(|d| d.secs() != 0);
        let mut finding = match (min, max) {
            (Some(min), Some(max)) => DF118
                .at(
                    min.span(),
                    format!("min-balance ({lo} s) is above max-balance ({hi} s)"),
                )
                .related(max.span(), "max-balance"),
            (Some(min), None) => DF118.at(
                min.span(),
                format!("min-balance ({lo} s) is above dhcpd's default max-balance ({hi} s)"),
            ),
            (None, Some(max)) => DF118.at(
                max.span(),
                format!("max-balance ({hi} s) is below dhcpd's default min-balance ({lo} s)"),
            ),
            (None, None) => DF118.at(fo.name.span(), "min-balance is above max-balance"),
        };
        finding = finding.help(format!(
            "keep min-balance at or below max-balance; dhcpd's defaults are {} and {}",
            crate::dhcpd::DEFAULT_MIN_BALANCE,
            crate::dhcpd::DEFAULT_MAX_BALANCE
        ));
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use crate::model::check::testing::{BASE, OWN_NETWORK, codes};

    fn fo(body: &str) -> String {
        let peers = BASE
            .split_once("peers:")
            .map(|(_, p)| p)
            .unwrap_or_default();
        format!("failover:\n  name: fo\n{body}peers:{peers}")
    }

    #[test]
    fn split_rules() {
        assert_eq!(
            codes(&fo(
                "  mclt: 3600\n  split: 300\n  load-balance-max-seconds: 3\n"
            )),
            ["DF110"]
        );
        let both = fo("  mclt: 3600\n  split: 128\n  hba: ff:ff\n  load-balance-max-seconds: 3\n");
        assert_eq!(codes(&both), ["DF111", "DF112"]);
        assert_eq!(
            codes(&fo("  mclt: 3600\n  load-balance-max-seconds: 3\n")),
            ["DF113"]
        );
        let hba = vec!["ff"; 32].join(":");
        assert!(
            codes(&fo(&format!(
                "  mclt: 3600\n  hba: {hba}\n  load-balance-max-seconds: 3\n"
            )))
            .is_empty()
        );
    }

    #[test]
    fn mclt_rules() {
        assert_eq!(
            codes(&fo("  split: 128\n  load-balance-max-seconds: 3\n")),
            ["DF114"]
        );
        assert_eq!(
            codes(&fo(
                "  mclt: 0\n  split: 128\n  load-balance-max-seconds: 3\n"
            )),
            ["DF114"]
        );
        assert_eq!(
            codes(&fo(
                "  mclt: 2d\n  split: 128\n  load-balance-max-seconds: 3\n"
            )),
            ["DF116"]
        );
        let short_leases = format!(
            "{}global:\n  max-lease-time: 30m\n",
            fo("  mclt: 1h\n  split: 128\n  load-balance-max-seconds: 3\n")
        );
        assert_eq!(codes(&short_leases), ["DF116"]);
    }

    #[test]
    fn relationship_needs_a_pool() {
        let head = BASE.split("subnets:").next().unwrap_or_default();
        assert_eq!(codes(&format!("{head}subnets:\n{OWN_NETWORK}")), ["DF119"]);
    }

    #[test]
    fn load_balance_seconds() {
        assert_eq!(
            codes(&fo(
                "  mclt: 3600\n  split: 128\n  load-balance-max-seconds: 0\n"
            )),
            ["DF115"]
        );
        assert_eq!(
            codes(&fo(
                "  mclt: 3600\n  split: 128\n  load-balance-max-seconds: 30\n"
            )),
            ["DF115"]
        );
        assert!(
            codes(&fo(
                "  mclt: 3600\n  split: 128\n  load-balance-max-seconds: 5\n"
            ))
            .is_empty()
        );
    }

    #[test]
    fn names_and_timing() {
        let bad = BASE.replace("name: fo", "name: \"my fo\"");
        assert_eq!(codes(&bad), ["DF117"]);
        assert_eq!(
            codes(&fo(
                "  mclt: 3600\n  split: 128\n  load-balance-max-seconds: 3\n  max-response-delay: 0\n"
            )),
            ["DF118"]
        );
        assert_eq!(
            codes(&fo(
                "  mclt: 3600\n  split: 128\n  load-balance-max-seconds: 3\n  min-balance: 2h\n  max-balance: 1h\n"
            )),
            ["DF118"]
        );
        // One alone against dhcpd's default for the other, as lint's DF330 judges it.
        let base = "  mclt: 3600\n  split: 128\n  load-balance-max-seconds: 3\n";
        assert_eq!(codes(&fo(&format!("{base}  min-balance: 2h\n"))), ["DF118"]);
        assert_eq!(
            codes(&fo(&format!("{base}  max-balance: 30s\n"))),
            ["DF118"]
        );
        assert!(codes(&fo(&format!("{base}  min-balance: 30m\n"))).is_empty());
        // 0 stands for the default.
        assert!(codes(&fo(&format!("{base}  min-balance: 0\n  max-balance: 0\n"))).is_empty());
    }
}
