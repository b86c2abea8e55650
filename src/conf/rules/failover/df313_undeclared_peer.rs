//! DF313: a reference to a failover peer that is not declared before it.

use super::support::Resolution;
use crate::codes::Code;
use crate::conf::ast::{Span, StmtKind, Value};
use crate::conf::lookalike;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::conf::walk::{Scope, walk};
use crate::diag::Severity;

/// DF313, decided from each `failover peer` block and the replay of pools and peer references in
/// dhcpd's reading order and a walk of every statement.
pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF313",
        "undeclared-peer",
        Severity::Error,
        "A pool or shared-network names a failover peer that is not declared, or is declared \
only further down (a later line, or an include read after it). dhcpd looks the name up the \
moment it reads the reference and refuses the file: \"failover peer NAME: not found\" in a \
pool, \"reference to unknown failover peer NAME\" in a shared-network, \"state declaration \
for unknown failover peer NAME\" for a `failover peer NAME state { ... }` block. Names are \
case-sensitive and must match exactly (a look-alike character or a different case is another \
name). Declare the `failover peer` block first, at the top of the file or in an include that \
comes before the subnets, and spell the name the same everywhere.",
    ),
    check,
};

/// Why a declared name is not the referenced one, if it nearly is.
fn near_miss(name: &str, declared: &[&Value]) -> Option<String> {
    let plain = |s: &str| -> String {
        s.chars()
            .filter_map(|c| match lookalike::describe(c) {
                Some(l) => l.ascii.chars().next(),
                None => Some(c),
            })
            .collect::<String>()
            .trim()
            .to_ascii_lowercase()
    };
    let d = declared
        .iter()
        .find(|d| d.text != name && plain(&d.text) == plain(name))?;
    if d.text.eq_ignore_ascii_case(name) {
        Some(format!(
            "names are case-sensitive: the peer is declared as \"{}\"",
            d.text
        ))
    } else {
        Some(format!(
            "the declared name \"{}\" differs only in look-alike characters or spaces",
            d.text
        ))
    }
}

fn report(name: &Value, at: Span, resolution: Resolution, declared: &[&Value]) -> Lint {
    match resolution {
        Resolution::Later(later) => RULE
            .at(
                at,
                format!("failover peer {} is used before it is declared", name.text),
            )
            .label("dhcpd has not read the declaration yet")
            .related(later, "declared here, too late")
            .help("move the `failover peer` block (or its include) above the first reference"),
        _ => {
            let help = near_miss(&name.text, declared).unwrap_or_else(|| {
                "declare `failover peer \"NAME\" { ... }` before this line, or fix the name".into()
            });
            RULE.at(at, format!("failover peer {} is not declared", name.text))
                .label("no peer of this name")
                .help(help)
        }
    }
}

fn check(config: &Context, out: &mut Vec<Lint>) {
    let peers = config.peers();
    let names: Vec<&Value> = peers.iter().map(|p| p.name).collect();
    for r in &config.replay().references {
        if r.is_looked_up() && r.resolution != Resolution::Declared {
            out.push(report(r.name, r.name.span, r.resolution, &names));
        }
    }
    // `failover peer NAME state { ... }` needs the peer as well.
    let mut seen: Vec<&str> = Vec::new();
    walk(config, &mut |stmt, _: Scope<'_>| match &stmt.kind {
        StmtKind::FailoverPeer { name, .. } => seen.push(name.text.as_str()),
        StmtKind::FailoverPeerState { name } if !seen.contains(&name.text.as_str()) => {
            let resolution = names
                .iter()
                .find(|n| n.text == name.text)
                .map_or(Resolution::Unknown, |n| Resolution::Later(n.span));
            out.push(report(name, name.span, resolution, &names));
        }
        _ => {}
    });
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{RULE, check};
    use crate::conf::load::Config;
    use crate::conf::rules::testing::{lines, run};

    #[test]
    fn undeclared_and_later() {
        let conf = "subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool { failover peer \"fo\"; range 10.0.0.1 10.0.0.9; }\n  pool { failover peer \"nope\"; range 10.0.0.10 10.0.0.19; }\n}\nfailover peer \"fo\" { primary; }\n";
        assert_eq!(lines(&RULE, conf), [2, 3]);
        let sn = "shared-network sn {\n  failover peer fo;\n  subnet 10.0.0.0 netmask 255.255.255.0 { }\n}\n";
        assert_eq!(lines(&RULE, sn), [2]);
        let state = "failover peer \"x\" state { my state normal; }\n";
        assert_eq!(lines(&RULE, state), [1]);
    }

    fn helps(text: &str) -> Vec<String> {
        let config = Config::from_text(Path::new("test.conf"), text.to_string());
        let mut out = Vec::new();
        check(&crate::conf::rules::Context::new(&config), &mut out);
        out.into_iter().map(|l| l.finding.help).collect()
    }

    #[test]
    fn near_misses() {
        let case = "failover peer \"FO\" { primary; }\nsubnet 10.0.0.0 netmask 255.255.255.0 {\n  pool { failover peer \"fo\"; range 10.0.0.1 10.0.0.9; }\n}\n";
        assert_eq!(run(&RULE, case), ["failover peer fo is not declared"]);
        assert!(
            helps(case)[0].contains("case-sensitive"),
            "{:?}",
            helps(case)
        );
        let dash = "failover peer \"dhcp\u{2010}fo\" { primary; }\nsubnet 10.0.0.0 netmask 255.255.255.0 {\n  pool { failover peer \"dhcp-fo\"; range 10.0.0.1 10.0.0.9; }\n}\n";
        assert!(helps(dash)[0].contains("look-alike"), "{:?}", helps(dash));
    }

    #[test]
    fn declared_before() {
        let conf = "failover peer \"fo\" { primary; }\nfailover peer \"fo\" state { my state normal; }\nshared-network sn {\n  failover peer fo;\n  subnet 10.0.0.0 netmask 255.255.255.0 {\n    pool { failover peer \"fo\"; range 10.0.0.1 10.0.0.9; }\n  }\n}\n";
        assert!(lines(&RULE, conf).is_empty());
        // An unquoted pool reference is DF312's, a top-level one DF311's.
        let other = "subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool { failover peer nope; range 10.0.0.1 10.0.0.9; }\n}\nfailover peer \"x\";\n";
        assert!(lines(&RULE, other).is_empty());
    }
}
