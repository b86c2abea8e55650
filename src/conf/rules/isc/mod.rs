//! Rules for what ISC dhcpd 4.4 refuses, or reads differently than written (DF203..DF299).
//!
//! They share one reader, [`crate::conf::dhcpd`]: a replay of how dhcpd itself reads the
//! configuration, token for token, that records each place dhcpd would complain with the
//! [`Cause`] it belongs to. Each rule (one per file) documents one cause, names the reader's
//! functions that raise it, and reports its problems.

use super::{Context, Lint, LintRule};
use crate::conf::dhcpd::Cause;

rule_modules! {
    df203_bad_ipv4,
    df204_subnet_host_bits,
    df205_range_outside_subnet,
    df206_misplaced_statement,
    df207_address_in_two_ranges,
    df208_duplicate_host,
    df209_undeclared_class,
    df210_undeclared_key,
    df211_unknown_option,
    df212_bad_option_value,
    df213_bad_parameter_value,
    df214_ddns_ad_hoc,
    df215_unknown_statement,
    df216_unknown_keyword,
    df217_pool_without_range,
    df218_empty_shared_network,
    df219_scoped_option_definition,
    df220_bad_option_space,
    df221_bad_option_definition,
    df222_non_boolean_condition,
    df223_bad_expression,
    df224_repeated_host_address,
    df225_bad_key,
    df226_bad_zone,
    df227_bad_permit,
    df228_bad_hardware,
    df229_bad_class,
    df230_statement_syntax,
    df231_unknown_group,
    df232_relative_include,
    df233_reading_stops_at_ff,
}

/// Reports every problem of `cause` as a finding of `rule`.
fn report(rule: &'static LintRule, cause: Cause, config: &Context, out: &mut Vec<Lint>) {
    for p in config.isc_problems().iter().filter(|p| p.cause == cause) {
        let mut lint = rule
            .at(p.span, p.message.clone())
            .label(p.label.clone())
            .help(p.help.clone());
        for (span, text) in &p.related {
            lint = lint.related(*span, text.clone());
        }
        out.push(lint);
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Rule tests: the fixture must pass the grammar (else no rule would run).
    use std::path::Path;

    use crate::conf::load::Config;
    use crate::conf::rules::LintRule;

    /// Line numbers (1-based) of `rule`'s findings in `text`, which must parse.
    pub(crate) fn lines(rule: &'static LintRule, text: &str) -> Vec<usize> {
        let config = Config::from_text(Path::new("test.conf"), text.to_string());
        assert!(
            config.problems.is_empty(),
            "fixture does not parse: {:?}",
            config.problems
        );
        crate::conf::rules::testing::lines(rule, text)
    }
}

#[cfg(test)]
mod tests {
    use super::RULES;

    #[test]
    fn codes_in_order_and_in_range() {
        let codes: Vec<&str> = RULES.iter().map(|r| r.entry.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
        assert!(codes.iter().all(|c| ("DF203"..="DF299").contains(c)));
    }
}
