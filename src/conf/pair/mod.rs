//! `dhcpfo lint --pair`: rules that compare the primary's and the secondary's configuration
//! (DF400..DF489). The codes `dhcpfo import` reports (DF490..DF499) are its own
//! ([`crate::import::rules`]); the code registry ([`crate::codes`]) lists them with these.
//!
//! Both configurations are turned into a normalized tree ([`tree`]) and compared once
//! ([`diff`]); each rule reports one kind of difference, in the file where it is written, and
//! names the other file's line in its message (related labels only work within one file).
//! Included files are followed, so a pair that includes one shared master file compares clean.

pub(crate) mod diff;
mod items;
pub(crate) mod tree;

use super::lint::{Selection, to_diagnostics};
use super::load::Config;
use crate::codes::Code;
use crate::diag::Diagnostic;

pub use diff::{Diff, Findings, Mode};

/// A pair rule's report: turns the differences it is about into findings.
type Report = fn(&Diff<'_>, &mut Findings);

/// The comparing rules with their reports, in code order: each module `dfNNN_...` holds a
/// `RULE` and its `report`, and is declared by this one list.
macro_rules! pair_rules {
    ($($module:ident),+ $(,)?) => {
        $(pub mod $module;)+

        /// The comparing rules with their reports, in code order.
        pub(crate) static CHECKS: &[(&Code, Report)] =
            &[$((&$module::RULE, $module::report)),+];
    };
}

pair_rules! {
    df400_roles_not_opposite,
    df401_relationship_on_one_side,
    df402_addresses_not_mirrored,
    df403_ports_not_mirrored,
    df404_peer_settings_differ,
    df410_subnet_on_one_side,
    df411_shared_network_differs,
    df412_shared_network_renamed,
    df413_range_on_one_side,
    df414_pool_layout_differs,
    df415_failover_on_one_side,
    df416_permits_differ,
    df420_option_differs,
    df421_parameter_differs,
    df422_host_differs,
    df423_class_differs,
    df424_statement_differs,
}

/// Every pair rule, in code order.
pub fn rules() -> impl Iterator<Item = &'static Code> {
    CHECKS.iter().map(|(rule, _)| *rule)
}

/// Runs every selected comparing rule over two configurations.
pub fn compare(first: &Config, second: &Config, mode: Mode, selection: &Selection) -> Findings {
    let diff = Diff::of(first, second, mode);
    let mut out = Findings::default();
    for (rule, report) in CHECKS {
        if selection.allows(rule.code) {
            report(&diff, &mut out);
        }
    }
    out
}

/// Compares two peers' configurations; each finding is in the file where the difference is
/// written (the primary's or the secondary's) and names the other file's line.
pub fn lint_pair(primary: &Config, secondary: &Config, selection: &Selection) -> Vec<Diagnostic> {
    let found = compare(primary, secondary, Mode::Pair, selection);
    let mut diags = to_diagnostics(primary, found.primary, selection);
    diags.extend(to_diagnostics(secondary, found.secondary, selection));
    diags
}

/// How two configurations of the same server differ, as `FILE:LINE: CODE message` lines:
/// empty when they say the same (peer block included), in any order or layout.
pub fn same_config_differences(first: &Config, second: &Config) -> Vec<String> {
    let found = compare(first, second, Mode::Same, &Selection::default());
    let mut lines = Vec::new();
    for (config, lints) in [(first, &found.primary), (second, &found.secondary)] {
        for lint in lints {
            let at = config.files.get(lint.file).map_or_else(String::new, |f| {
                format!(
                    "{}:{}",
                    f.source.name,
                    f.source.line_col(lint.finding.span.offset()).0
                )
            });
            lines.push(format!(
                "{at}: {} {}",
                lint.finding.code, lint.finding.message
            ));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::diff::testing::config;
    use super::*;

    #[test]
    fn registry_in_code_order_and_range() {
        let codes: Vec<&str> = rules().map(|r| r.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
        assert!(codes.iter().all(|c| ("DF400"..="DF489").contains(c)));
        for rule in rules() {
            assert!(
                rule.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                rule.name
            );
        }
    }

    #[test]
    fn explain_finds_pair_and_import_codes() {
        assert!(crate::codes::find("df413").is_some());
        assert!(crate::codes::find("DF494").is_some());
    }

    const PRIMARY: &str = "failover peer \"fo\" {\n  primary;\n  address 10.0.0.2;\n  peer address 10.0.0.3;\n  mclt 1800;\n  split 128;\n}\n";
    const SECONDARY: &str =
        "failover peer \"fo\" {\n  secondary;\n  address 10.0.0.3;\n  peer address 10.0.0.2;\n}\n";
    const BODY: &str = "subnet 10.0.0.0 netmask 255.255.255.0 {\n  option routers 10.0.0.1;\n  pool {\n    failover peer \"fo\";\n    range 10.0.0.10 10.0.0.20;\n  }\n}\n";

    #[test]
    fn a_matched_pair_is_clean_and_findings_go_to_their_own_file() {
        let p = config("p.conf", &format!("{PRIMARY}{BODY}"));
        let s = config("s.conf", &format!("{SECONDARY}{BODY}"));
        assert!(lint_pair(&p, &s, &Selection::default()).is_empty());
        let s = config(
            "s.conf",
            &format!("{SECONDARY}{}", BODY.replace("10.0.0.1;", "10.0.0.254;")),
        );
        let p2 = config(
            "p.conf",
            &format!("{PRIMARY}{BODY}host h {{ hardware ethernet 00:11:22:33:44:55; }}\n"),
        );
        let diags = lint_pair(&p2, &s, &Selection::default());
        let at: Vec<(&str, &str)> = diags
            .iter()
            .map(|d| (d.source.name.as_str(), d.finding.code))
            .collect();
        assert_eq!(at, [("p.conf", "DF422"), ("s.conf", "DF420")]);
        let only_hosts = Selection {
            select: vec!["DF42".into()],
            ignore: vec!["DF420".into()],
        };
        assert_eq!(lint_pair(&p2, &s, &only_hosts).len(), 1);
    }

    #[test]
    fn includes_are_followed() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("shared.conf"), BODY).expect("write shared");
        let p = Config::from_text(
            &dir.path().join("p.conf"),
            format!("{PRIMARY}include \"shared.conf\";\n"),
        );
        let s = config("s.conf", &format!("{SECONDARY}{BODY}"));
        assert!(p.problems.is_empty());
        assert!(lint_pair(&p, &s, &Selection::default()).is_empty());
        let empty = config("s.conf", SECONDARY);
        let diags = lint_pair(&p, &empty, &Selection::default());
        assert!(
            diags
                .iter()
                .any(|d| d.finding.code == "DF413" && d.source.name.ends_with("shared.conf")),
            "{diags:?}"
        );
    }

    #[test]
    fn same_config_differences_lists_locations() {
        let a = config("a.conf", &format!("{PRIMARY}{BODY}"));
        let b = config(
            "b.conf",
            &format!("{PRIMARY}{}", BODY.replace("10.0.0.20", "10.0.0.21")),
        );
        assert!(same_config_differences(&a, &a).is_empty());
        let lines = same_config_differences(&a, &b);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].starts_with("b.conf:12: DF413"), "{lines:?}");
    }
}
