//! DF232: an include with a relative path.

use crate::codes::Code;
use crate::conf::ast::StmtKind;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::conf::walk::walk;
use crate::diag::Severity;

/// DF232: found by a walk of the parsed statements (dhcpd reads the include without complaint).
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF232",
        "relative-include",
        Severity::Warning,
        "An `include` names a relative path. dhcpd opens it from its own working directory, \
not from the folder of the file that includes it: started as a service that directory is `/`, so \
`include \"dhcpd.hosts\";` makes dhcpd look for `/dhcpd.hosts` and refuse to start (\"Can't open \
dhcpd.hosts\"), although `dhcpd -t` run by hand in /etc/dhcp accepts the file. dhcpfo follows the \
include from the including file's folder, which is what the author meant. Write the absolute \
path (`include \"/etc/dhcp/dhcpd.hosts\";`).",
    ),
    check,
};

fn check(config: &Context, out: &mut Vec<Lint>) {
    walk(config, &mut |stmt, _| {
        if let StmtKind::Include { path, .. } = &stmt.kind
            && !path.text.starts_with('/')
        {
            out.push(
                RULE.at(
                    path.span,
                    format!(
                        "`include \"{}\"` is opened from dhcpd's working directory",
                        path.text
                    ),
                )
                .label("relative path")
                .help("write the absolute path: a service's working directory is `/`"),
            );
        }
    });
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    #[test]
    fn found() {
        assert_eq!(
            lines(
                &RULE,
                "authoritative;\ninclude \"no-such-dir/hosts.conf\";\n"
            ),
            [2]
        );
    }

    #[test]
    fn not_found() {
        assert!(lines(&RULE, "include \"/nonexistent/dhcpfo/hosts.conf\";\n").is_empty());
    }
}
