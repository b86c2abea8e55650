//! Rules on names and free text written into dhcpd.conf (DF160..DF162).

use super::{DF160, DF161, DF162, DF163, DF164};
use std::collections::HashMap;

use crate::diag::Finding;
use crate::model::{Pair, Spanned};

pub(super) fn check(pair: &Pair, out: &mut Vec<Finding>) {
    for host in &pair.hosts {
        let name = host.name.value();
        let valid = !name.is_empty()
            && name.split('.').all(|label| {
                // dhcpd's lexer takes `_` only inside a word, so a label may not start with it.
                !label.is_empty()
                    && !label.starts_with('_')
                    && label
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            });
        if !valid {
            out.push(
                DF160.at(
                    host.name.span(),
                    format!("`{name}` is not a valid host declaration name"),
                )
                .label("invalid host name")
                .help("use letters, digits, `-` and `_` (not first), in dot-separated labels, e.g. printer-1"),
            );
        }
    }
    let quoted = pair.classes.iter().map(|c| (&c.name, "class")).chain(
        pair.shared_networks
            .iter()
            .map(|s| (&s.name, "shared network")),
    );
    for (name, what) in quoted {
        if !quotable(name.value()) {
            out.push(
                DF160
                    .at(
                        name.span(),
                        format!(
                            "{what} name `{}` cannot be written in dhcpd.conf",
                            name.value()
                        ),
                    )
                    .label("invalid name")
                    .help("use a non-empty name without quotes, backslashes or line breaks"),
            );
        }
    }
    duplicates(pair.classes.iter().map(|c| &c.name), "class", out);
    duplicates(
        pair.shared_networks.iter().map(|s| &s.name),
        "shared network",
        out,
    );

    for sn in &pair.shared_networks {
        if sn.subnets.is_empty() {
            out.push(
                DF163
                    .at(
                        sn.name.span(),
                        format!("shared network `{}` has no subnets", sn.name.value()),
                    )
                    .label("empty shared network")
                    .help("add its subnets under `subnets:`, or remove the shared network"),
            );
        }
    }
    for options in all_options(pair) {
        if let Some(search) = &options.domain_search {
            for name in search.as_slice() {
                if !valid_domain(name) {
                    out.push(
                        DF164.at(
                            search.span(),
                            format!("`{name}` is not a valid domain name"),
                        )
                        .label("invalid domain-search entry")
                        .help(
                            "use dot-separated labels of 1 to 63 characters, e.g. corp.example.net",
                        ),
                    );
                }
            }
        }
    }

    for class in &pair.classes {
        if let Some(expr) = &class.match_if
            && !statement_safe(expr.value())
        {
            out.push(
                DF162.at(expr.span(), "match-if would end the dhcpd.conf statement early")
                    .label("`;`, `{`, `}` or a line break outside quotes")
                    .help("write one dhcpd boolean expression, e.g. substring(option vendor-class-identifier, 0, 4) = \"MSFT\""),
            );
        }
    }
}

fn duplicates<'a>(
    names: impl Iterator<Item = &'a Spanned<String>>,
    what: &str,
    out: &mut Vec<Finding>,
) {
    let mut seen = HashMap::new();
    for name in names {
        if let Some(first) = seen.insert(name.value().clone(), name.span()) {
            out.push(
                DF161
                    .at(
                        name.span(),
                        format!("{what} `{}` is declared twice", name.value()),
                    )
                    .label("second declaration")
                    .related(first, "first declaration")
                    .help("names must be unique; merge or rename them"),
            );
        }
    }
}

/// Every options block of the model.
fn all_options(pair: &Pair) -> Vec<&crate::model::Options> {
    use crate::model::ScopeParams;
    let mut scopes: Vec<&dyn ScopeParams> = Vec::new();
    if let Some(g) = &pair.global {
        scopes.push(g.value());
    }
    for sn in &pair.shared_networks {
        scopes.push(sn.value());
    }
    for subnet in pair.all_subnets() {
        scopes.push(subnet.value());
        scopes.extend(subnet.pools.iter().map(|p| p.value() as &dyn ScopeParams));
    }
    scopes.extend(pair.hosts.iter().map(|h| h.value() as &dyn ScopeParams));
    scopes.extend(pair.classes.iter().map(|c| c.value() as &dyn ScopeParams));
    scopes
        .into_iter()
        .filter_map(|s| s.options().map(|o| o.value()))
        .collect()
}

/// Whether a name is a valid DNS name (a trailing dot allowed).
fn valid_domain(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

fn quotable(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c == '"' || c == '\\' || c.is_control())
}

/// Whether an expression has no `;`, `{`, `}` or line break outside double quotes.
fn statement_safe(expr: &str) -> bool {
    let mut in_string = false;
    let mut escaped = false;
    for c in expr.chars() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            if c == '\n' {
                return false;
            }
        } else if c == '"' {
            in_string = true;
        } else if matches!(c, ';' | '{' | '}' | '\n' | '\r' | '#') {
            return false;
        }
    }
    !in_string && !expr.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use crate::model::check::testing::{codes, with};

    #[test]
    fn name_rules() {
        assert_eq!(
            codes(&with(
                "hosts:\n  - { name: \"bad name\", hardware-ethernet: 00:00:00:00:00:01 }\n"
            )),
            ["DF160"]
        );
        assert_eq!(
            codes(&with("classes:\n  - name: a\n  - name: a\n")),
            ["DF161"]
        );
        for name in ["_printer", "a._b"] {
            let host = format!(
                "hosts:\n  - {{ name: \"{name}\", hardware-ethernet: 00:00:00:00:00:01 }}\n"
            );
            assert_eq!(codes(&with(&host)), ["DF160"], "{name}");
        }
        let fine = "hosts:\n  - { name: \"a_.-b.0_x\", hardware-ethernet: 00:00:00:00:00:01 }\n";
        assert!(codes(&with(fine)).is_empty());
        assert_eq!(codes(&with("classes:\n  - name: 'x\"y'\n")), ["DF160"]);
        assert_eq!(
            codes(&with(
                "shared-networks:\n  - { name: empty, subnets: [] }\n"
            )),
            ["DF163"]
        );
        let search = "global:\n  options: { domain-search: [ok.example.org, \"a..b\"] }\n";
        assert_eq!(codes(&with(search)), ["DF164"]);
        assert_eq!(
            codes(&with(
                "classes:\n  - name: a\n    match-if: 'option host-name = \"x\"; deny'\n"
            )),
            ["DF162"]
        );
        assert!(
            codes(&with(
                "classes:\n  - name: a\n    match-if: 'option host-name = \"a;b\"'\n"
            ))
            .is_empty()
        );
    }
}
