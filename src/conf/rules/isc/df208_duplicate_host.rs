//! DF208: two hosts with one name.

use crate::codes::Code;
use crate::conf::dhcpd::Cause;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

/// DF208: its problems ([`Cause::DuplicateHost`]) are raised by the replay of dhcpd's reader,
/// [`crate::conf::dhcpd`], in `decl::host_declaration`.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF208",
        "duplicate-host",
        Severity::Error,
        "Two `host` declarations with the same name. Host declarations are global, wherever they \
are written, and their names must be unique (case-sensitively): dhcpd refuses the second one \
('host NAME: already exists'). Give each host its own name (a host with two interfaces needs \
two declarations with two names).",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    super::report(&RULE, Cause::DuplicateHost, config, out);
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
                "host czenx { hardware ethernet 00:50:ba:33:05:ac; }\nhost czenx { hardware ethernet 00:08:0d:70:a0:39; }\n"
            ),
            [2],
            "case 0"
        );
    }

    #[test]
    fn not_found() {
        assert!(lines(&RULE, "host czenx { hardware ethernet 00:50:ba:33:05:ac; }\nhost Czenx { hardware ethernet 00:08:0d:70:a0:39; }\n").is_empty());
    }
}
