//! DF203: an IPv4 address dhcpd cannot read.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF203: its problems ([`Cause::BadAddress`]) are raised by the replay of dhcpd's reader,
/// [`crate::conf::dhcpd`], in `decl::subnet_declaration`, `decl::fixed_addr_param`,
/// `decl::address_range`, `options::convert_num`, `options::ip_addr_or_hostname`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF203",
        "bad-ipv4-address",
        Severity::Error,
        "An IPv4 address that dhcpd cannot read. A dotted quad is four decimal numbers from 0 to \
255: an octet over 255 (`10.0.0.300`: dhcpd says \"300 exceeds max (255) for precision\"), too \
few numbers (`10.0.0`: \"too few numbers\") and, where dhcpd needs a numeric address (`subnet` \
numbers, `netmask`, `range` ends), a name or a template placeholder (`range DHCP_RANGE;`, \
`subnet __NETADDRESS__ ...`: \"expecting numeric value\") all make dhcpd refuse the file. Options, \
`fixed-address` and `next-server` also take host names, but a dotted quad there must still be \
valid. Fix the address, and fill in template placeholders before deploying the file.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::BadAddress, config, out);
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::isc::testing::lines;

    #[test]
    fn found() {
        assert_eq!(
            lines(
                &RULE,
                "subnet 10.0.0.0 netmask 255.255.255.0 {\n  range 10.0.0.10 10.0.0.300;\n}\n"
            ),
            [2],
            "case 0"
        );
        assert_eq!(
            lines(
                &RULE,
                "subnet 10.0.0.0 netmask 255.255.255.0 {\n  range DHCP_RANGE;\n}\n"
            ),
            [2],
            "case 1"
        );
        assert_eq!(
            lines(
                &RULE,
                "subnet 10.0.0.0 netmask 255.255.255.0 {\n  option routers 10.0.0.256;\n}\n"
            ),
            [2],
            "case 2"
        );
        assert_eq!(
            lines(
                &RULE,
                "host a {\n  hardware ethernet 00:11:22:33:44:55;\n  fixed-address 10.1.2;\n}\n"
            ),
            [3],
            "case 3"
        );
    }

    #[test]
    fn not_found() {
        assert!(lines(&RULE, "subnet 10.0.0.0 netmask 255.255.255.0 {\n  range 10.0.0.10 10.0.0.200;\n  option routers gw.example.com;\n}\n").is_empty());
    }
}
