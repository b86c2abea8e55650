//! DF323: a failover port other than 647 or 847.

use super::support::plain_number;
use crate::codes::Code;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;
use crate::dhcpd::DEFAULT_FAILOVER_PORT;

/// The other port SELinux labels dhcpd_port_t.
const SELINUX_OTHER_PORT: i64 = 847;

pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF323",
        "non-standard-port",
        Severity::Warning,
        "`port` or `peer port` is not 647 (the IANA failover port and dhcpd's default) or 847 \
(the port of older examples). On SELinux systems (RHEL, CentOS, Fedora) the dhcpd policy lets \
the daemon bind and connect only to ports labelled dhcpd_port_t, which are 647 and 847 out of \
the box: with any other port the failover link is denied, the peers stay in \
communications-interrupted, and the configuration looks correct. A port of 0 means the \
default 647; a number above 65535 is cut to its low 16 bits. Remove `port`/`peer port` to use \
647, or label the port (`semanage port -a -t dhcpd_port_t -p tcp PORT`) on both servers.",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    for peer in config.peers() {
        for s in peer
            .statements
            .iter()
            .filter(|s| s.keyword == "port" || s.keyword == "peer port")
        {
            let Some((n, value)) = s.value.as_ref().and_then(|v| Some((plain_number(v)?, v)))
            else {
                continue;
            };
            let (message, label) = match n {
                n if n == i64::from(DEFAULT_FAILOVER_PORT) || n == SELINUX_OTHER_PORT => continue,
                0 => (
                    format!(
                        "`{} 0` in failover peer {} means {DEFAULT_FAILOVER_PORT}",
                        s.keyword, peer.name.text
                    ),
                    format!("0 stands for the default {DEFAULT_FAILOVER_PORT}"),
                ),
                1..=65535 => (
                    format!(
                        "failover peer {} uses non-standard port {n}",
                        peer.name.text
                    ),
                    format!(
                        "SELinux allows dhcpd only {DEFAULT_FAILOVER_PORT} and {SELINUX_OTHER_PORT} by default"
                    ),
                ),
                _ => (
                    format!(
                        "`{} {n}` in failover peer {} is not a TCP port",
                        s.keyword, peer.name.text
                    ),
                    format!("dhcpd keeps the low 16 bits: {}", n.rem_euclid(65536)),
                ),
            };
            out.push(
                RULE.at(value.span, message)
                    .label(label)
                    .help(format!("remove the statement to use {DEFAULT_FAILOVER_PORT}, or label the port dhcpd_port_t for SELinux on both servers")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    #[test]
    fn other_ports() {
        let conf =
            "failover peer \"fo\" {\n  port 519;\n  peer port 520;\n  port 70000;\n  port 0;\n}\n";
        assert_eq!(lines(&RULE, conf), [2, 3, 4, 5]);
    }

    #[test]
    fn standard_ports() {
        let conf = "failover peer \"fo\" {\n  port 647;\n  peer port 847;\n}\n";
        assert!(lines(&RULE, conf).is_empty());
    }
}
