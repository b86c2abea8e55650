//! DF324: a peer statement value of the wrong form (a number where an address belongs, `0x`
//! where a decimal number belongs, a missing value...).

use super::support::{ValueForm, plain_number, shown, value_form};
use crate::codes::Code;
use crate::conf::ast::{PeerStmt, ValueKind};
use crate::conf::load::Config;
use crate::conf::rules::{Context, Lint, LintRule};
use crate::diag::Severity;

pub(super) static RULE: LintRule = LintRule {
    entry: Code::lint_rule(
        "DF324",
        "invalid-peer-value",
        Severity::Error,
        "A statement of a `failover peer` block has a value dhcpd cannot read. Every timer, \
count, percentage, port and `split` takes a plain decimal number (dhcpd's peer parser does \
not take `0x10`, a quoted number, a time unit or a missing value: \"expecting number\"); \
`address` and `peer address` take an IPv4 address or an unquoted host name (a quoted address \
is refused with \"expecting IP address or hostname\"; an octet above 255 is DF203's); `hba` takes colon-separated hex octets; `primary` and `secondary` take nothing \
(\"semicolon expected\"). dhcpd refuses the file, skips the rest of the block and then \
reports every pool naming the peer as \"not found\". Write the value in the form shown.",
    ),
    check,
};

/// What is wrong with a statement's value, if anything, and what it should look like.
fn problem(config: &Config, s: &PeerStmt, form: ValueForm) -> Option<(String, &'static str)> {
    let Some(value) = &s.value else {
        return match form {
            ValueForm::Nothing => None,
            ValueForm::Number => Some((
                format!("`{}` needs a number", s.keyword),
                "a decimal number",
            )),
            ValueForm::Address => Some((
                format!("`{}` needs an address", s.keyword),
                "an IPv4 address or a host name",
            )),
            ValueForm::Hex => Some((
                "`hba` needs 32 colon-separated hex octets".to_string(),
                "32 colon-separated hex octets",
            )),
        };
    };
    let written = shown(config, value);
    match form {
        ValueForm::Nothing => Some((
            format!("`{}` takes no value, but `{written}` follows it", s.keyword),
            "nothing: write `primary;` or `secondary;`",
        )),
        ValueForm::Number if plain_number(value).is_none() => Some((
            format!("`{}` needs a decimal number, not `{written}`", s.keyword),
            "a plain decimal number",
        )),
        ValueForm::Number => None,
        ValueForm::Address => match value.kind {
            ValueKind::Name => None,
            // A dotted quad with an octet above 255 is DF203's, for every address in a file.
            ValueKind::Ipv4 => None,
            ValueKind::String => Some((
                format!("`{}` must not be quoted: {written}", s.keyword),
                "an unquoted IPv4 address or host name",
            )),
            _ => Some((
                format!(
                    "`{}` needs an IPv4 address or a host name, not `{written}`",
                    s.keyword
                ),
                "an IPv4 address or a host name",
            )),
        },
        ValueForm::Hex => {
            let hexish = matches!(
                value.kind,
                ValueKind::Hex | ValueKind::Number | ValueKind::Name
            ) && value
                .text
                .split(':')
                .all(|o| (1..=2).contains(&o.len()) && o.chars().all(|c| c.is_ascii_hexdigit()));
            (!hexish).then(|| {
                (
                    format!("`hba` needs colon-separated hex octets, not `{written}`"),
                    "32 colon-separated hex octets",
                )
            })
        }
    }
}

fn check(config: &Context, out: &mut Vec<Lint>) {
    for peer in config.peers() {
        for s in peer.statements {
            let Some(form) = value_form(&s.keyword) else {
                continue;
            };
            let Some((message, wanted)) = problem(config, s, form) else {
                continue;
            };
            let span = s.value.as_ref().map_or(s.span, |v| v.span);
            out.push(
                RULE.at(
                    span,
                    format!("{message} (failover peer {})", peer.name.text),
                )
                .label(format!("dhcpd expects {wanted} here"))
                .help(format!("write `{}` with {wanted}", s.keyword)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::conf::rules::testing::lines;

    #[test]
    fn bad_values() {
        let conf = "failover peer \"fo\" {\n  primary 1;\n  address \"10.0.0.2\";\n  peer address 10.0.0.300;\n  mclt 0x10;\n  split;\n  port \"647\";\n  hba \"ff\";\n  max-response-delay 30s;\n}\n";
        // Line 4's octet above 255 is left to DF203.
        assert_eq!(lines(&RULE, conf), [2, 3, 5, 6, 7, 8, 9]);
    }

    #[test]
    fn good_values() {
        let conf = "failover peer \"fo\" {\n  primary;\n  address dhcp1.example.com;\n  peer address 10.0.0.3;\n  mclt 1800;\n  split 128;\n  port 647;\n  hba ff:00;\n  max-response-delay 030;\n}\n";
        assert!(lines(&RULE, conf).is_empty());
    }
}
