//! DF325: a failover peer name with a non-ASCII look-alike character.

use crate::codes::Code;
use crate::conf::ast::{StmtKind, Value};
use crate::conf::lookalike;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::conf::walk::{Scope, walk};
use crate::diag::Severity;

/// DF325, decided from a walk of every statement.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF325",
        "lookalike-in-peer-name",
        Severity::Warning,
        "A quoted failover peer name contains a non-ASCII character that looks like ASCII: a \
U+2010 HYPHEN or an en dash for `-`, a no-break space, a zero-width space, curly quotes. They \
come from copying configuration out of web pages, word processors and chat programs. Inside \
quotes dhcpd takes them as part of the name, so the name differs from the one the partner \
server uses (\"unknown failover relationship name\" when the peers connect) or from the \
references typed by hand. Outside quotes, in keywords, the same characters make dhcpd refuse \
the file; dhcpfo reports those as DF200 syntax errors naming the character. Retype the name \
in plain ASCII.",
    ),
    check,
};

fn name_lint(name: &Value) -> Option<Lint> {
    let found = name.text.chars().find_map(lookalike::describe)?;
    Some(
        RULE.at(
            name.span,
            format!(
                "failover peer name \"{}\" contains {}, which {}",
                name.text,
                found.code_point(),
                found.looks_like()
            ),
        )
        .label("not plain ASCII")
        .help(format!("retype the name in ASCII: {}", found.fix())),
    )
}

fn check(config: &Context, out: &mut Vec<Lint>) {
    walk(config, &mut |stmt, _: Scope<'_>| {
        let name = match &stmt.kind {
            StmtKind::FailoverPeer { name, .. }
            | StmtKind::FailoverRef { name }
            | StmtKind::FailoverPeerState { name } => name,
            _ => return,
        };
        if let Some(lint) = name_lint(name) {
            out.push(lint);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::{lines, run};

    #[test]
    fn lookalike_in_name() {
        let conf = "failover peer \"dhcp\u{2010}fo\" { primary; }\nsubnet 10.0.0.0 netmask 255.255.255.0 {\n  pool { failover peer \"dhcp\u{2010}fo\"; range 10.0.0.1 10.0.0.9; }\n}\n";
        assert_eq!(lines(&RULE, conf), [1, 3]);
        assert!(run(&RULE, conf)[0].contains("U+2010 HYPHEN, which looks like `-`"));
    }

    #[test]
    fn ascii_name() {
        assert!(lines(&RULE, "failover peer \"dhcp-fo\" { primary; }\n").is_empty());
    }
}
