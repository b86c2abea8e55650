//! The mistakes that both `check` (a pair model, spans in the YAML) and `lint` (dhcpd.conf,
//! spans in the file) report, each decided once here, without spans: each side reads its
//! own input, asks the function and maps the verdict to its code, message and place.
//! [`PAIRED`] names the two codes of each mistake, so that `explain` shows one from the
//! other.
//!
//! A mistake that is only a presence (neither `split` nor `hba`, no `mclt`, a shared network
//! with no subnet, a host declared twice...) needs no function: the pair of codes is its
//! shared part. The two sides may report a verdict differently: the model refuses what
//! dhcpd only tolerates (`split` and `hba` together: dhcpd takes the later), `check` warns
//! on a load-balance wait below the advised range and `lint` on one left out (dhcpd then
//! uses 0), and DF309 looks at one block's own address and port where DF120 compares the
//! two peers' addresses.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

/// The values of `split` dhcpd accepts: how many of the 256 hash buckets the primary
/// answers (dhcpd: "split must be between 0 and 256, inclusive").
pub(crate) const SPLIT_RANGE: RangeInclusive<i64> = 0..=256;

/// Whether `split` is a value dhcpd refuses (DF110, DF305).
pub(crate) fn split_out_of_range(split: i64) -> bool {
    !SPLIT_RANGE.contains(&split)
}

/// The length of an `hba` bitmap: one bit per hash bucket.
pub(crate) const HBA_OCTETS: usize = 32;

/// Whether an `hba` of `octets` octets is refused (DF112, DF307).
pub(crate) fn hba_length_wrong(octets: usize) -> bool {
    octets != HBA_OCTETS
}

/// The `load balance max seconds` usually advised: long enough that a slow answer is not
/// taken for a dead peer, short enough that a client of a dead peer is not kept waiting.
pub(crate) const BALANCE_WAIT_ADVISED: RangeInclusive<u64> = 3..=5;

/// What a `load balance max seconds` value does (DF115, DF318).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BalanceWait {
    /// 0: load balancing is off, both peers answer every client.
    Off,
    /// Below the advised range.
    Short,
    /// Within the advised range.
    Advised,
    /// Above it: clients of an unresponsive peer wait this long for the other.
    Long,
}

/// Classifies a `load balance max seconds` of `secs`.
pub(crate) fn balance_wait(secs: u64) -> BalanceWait {
    match secs {
        0 => BalanceWait::Off,
        s if s < *BALANCE_WAIT_ADVISED.start() => BalanceWait::Short,
        s if s > *BALANCE_WAIT_ADVISED.end() => BalanceWait::Long,
        _ => BalanceWait::Advised,
    }
}

/// Whether an MCLT of `mclt` seconds is not below the longest lease `max_lease` (DF116,
/// DF322): the partner of a peer that fails may then wait longer than any lease to take
/// over its addresses, and recovery waits this long without serving.
pub(crate) fn mclt_not_below_lease_time(mclt: u64, max_lease: u64) -> bool {
    mclt >= max_lease
}

/// The host bits set in a subnet's `network` under `mask` (0 when it is a network address;
/// DF130, DF204).
pub(crate) fn subnet_host_bits(network: u32, mask: u32) -> u32 {
    network & !mask
}

/// Whether `address` lies in the subnet `network`/`mask` (network and broadcast included;
/// a range end outside it is DF133, DF205).
pub(crate) fn in_subnet(address: u32, network: u32, mask: u32) -> bool {
    address & mask == network & mask
}

/// The `min-balance` and `max-balance` dhcpd runs with when `min` is above `max`, else
/// `None` (DF118, DF330). Each is in seconds; left out or 0, dhcpd takes its default (60
/// and 3600), so one set alone can contradict the other's default.
pub(crate) fn balance_bounds_inverted(min: Option<u64>, max: Option<u64>) -> Option<(u64, u64)> {
    let or_default = |n: Option<u64>, default: u32| match n {
        Some(0) | None => u64::from(default),
        Some(n) => n,
    };
    let lo = or_default(min, crate::dhcpd::DEFAULT_MIN_BALANCE);
    let hi = or_default(max, crate::dhcpd::DEFAULT_MAX_BALANCE);
    (lo > hi).then_some((lo, hi))
}

/// The addresses covered by the ranges read so far, to decide whether a new range shares
/// an address with an earlier one (DF134, DF207; the model's subnets too, DF131). dhcpd
/// gives each address one lease and refuses a second range that names it ("lease ... is
/// declared twice!"), whatever pool or subnet the earlier range is in.
#[derive(Debug, Default)]
pub(crate) struct RangeCoverage {
    /// Disjoint covered stretches: first address -> last address.
    covered: BTreeMap<u32, u32>,
}

impl RangeCoverage {
    /// Adds the range `a..=b` (either order) and returns the lowest address it shares with
    /// the ranges added before it, if any.
    pub(crate) fn add(&mut self, a: u32, b: u32) -> Option<u32> {
        let (lo, hi) = (a.min(b), a.max(b));
        let shared = match self.covered.range(..=lo).next_back() {
            Some((_, &end)) if end >= lo => Some(lo),
            _ => self.covered.range(lo..=hi).next().map(|(&start, _)| start),
        };
        // Merge every stretch that touches or adjoins lo..=hi into one.
        let mut start = lo;
        let mut end = hi;
        if let Some((&s, &e)) = self.covered.range(..lo).next_back()
            && e.saturating_add(1) >= lo
        {
            start = s;
            end = end.max(e);
        }
        let upto = hi.saturating_add(1);
        let absorbed: Vec<u32> = self.covered.range(start..=upto).map(|(&s, _)| s).collect();
        for s in absorbed {
            if let Some(e) = self.covered.remove(&s) {
                end = end.max(e);
            }
        }
        self.covered.insert(start, end);
        shared
    }
}

/// The codes of each mistake both commands report: (check's code, lint's code).
pub(crate) const PAIRED: &[(&str, &str)] = &[
    ("DF110", "DF305"),
    ("DF111", "DF306"),
    ("DF112", "DF307"),
    ("DF113", "DF303"),
    ("DF114", "DF304"),
    ("DF115", "DF318"),
    ("DF116", "DF322"),
    ("DF119", "DF315"),
    ("DF120", "DF309"),
    ("DF122", "DF403"),
    ("DF130", "DF204"),
    ("DF133", "DF205"),
    ("DF134", "DF207"),
    ("DF137", "DF316"),
    ("DF138", "DF209"),
    ("DF142", "DF208"),
    ("DF163", "DF218"),
];

/// The codes that report the same mistake as `code` in the other kind of input.
pub(crate) fn paired_with(code: &str) -> Vec<&'static str> {
    PAIRED
        .iter()
        .filter_map(|&(check, lint)| {
            if check.eq_ignore_ascii_case(code) {
                Some(lint)
            } else if lint.eq_ignore_ascii_case(code) {
                Some(check)
            } else {
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_coverage_finds_the_lowest_shared_address() {
        let mut c = RangeCoverage::default();
        assert_eq!(c.add(1, 100), None);
        assert_eq!(c.add(10, 20), Some(10));
        // Inside the first range although the range added just before ends earlier.
        assert_eq!(c.add(60, 50), Some(50));
        assert_eq!(c.add(101, 110), None, "adjoining is not sharing");
        assert_eq!(c.add(120, 130), None);
        assert_eq!(c.add(115, 125), Some(120), "starts in a gap");
        assert_eq!(c.add(111, 114), None, "fills the gap exactly");
        assert_eq!(c.add(0, 0), None);
        assert_eq!(c.add(0, 200), Some(0));
        assert_eq!(c.add(u32::MAX, u32::MAX - 1), None);
        assert_eq!(c.add(u32::MAX, u32::MAX), Some(u32::MAX));
    }

    #[test]
    fn split_bounds() {
        assert!(!split_out_of_range(0) && !split_out_of_range(128) && !split_out_of_range(256));
        assert!(split_out_of_range(-1) && split_out_of_range(257));
    }

    #[test]
    fn balance_wait_classes() {
        let got: Vec<BalanceWait> = [0, 1, 2, 3, 5, 6].map(balance_wait).to_vec();
        use BalanceWait::*;
        assert_eq!(got, [Off, Short, Short, Advised, Advised, Long]);
    }

    #[test]
    fn subnets() {
        let net = u32::from(std::net::Ipv4Addr::new(10, 0, 0, 0));
        let mask = u32::from(std::net::Ipv4Addr::new(255, 255, 255, 0));
        assert_eq!(subnet_host_bits(net | 5, mask), 5);
        assert_eq!(subnet_host_bits(net, mask), 0);
        assert!(in_subnet(net | 255, net, mask));
        assert!(!in_subnet(net + 256, net, mask));
    }

    #[test]
    fn mclt_against_lease() {
        assert!(mclt_not_below_lease_time(3600, 3600));
        assert!(!mclt_not_below_lease_time(3599, 3600));
    }

    /// Every pair joins a code of `check` (DF1xx) with one of `lint` (DF2xx-DF4xx), both
    /// registered; a code pairs both ways.
    #[test]
    fn pairs_are_registered_codes_of_both_commands() {
        for &(check, lint) in PAIRED {
            assert!(crate::codes::find(check).is_some(), "{check}");
            assert!(crate::codes::find(lint).is_some(), "{lint}");
            assert!(check.starts_with("DF1"), "{check}");
            assert!(("DF200"..="DF499").contains(&lint), "{lint}");
            assert!(paired_with(check).contains(&lint));
            assert_eq!(paired_with(lint), [check]);
        }
        assert!(
            paired_with("DF001").is_empty(),
            "a code of no mistake pairs with none"
        );
    }
}
