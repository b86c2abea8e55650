//! Rules for what ISC dhcpd 4.4 refuses, or reads differently than written (DF203..DF299).
//!
//! They share one reader, [`crate::conf::dhcpd`]: a replay of how dhcpd itself reads the
//! configuration, token for token, that records each place dhcpd would complain with the
//! [`Cause`] it belongs to. Each rule (one per file) documents one cause, names the reader's
//! functions that raise it, and reports its problems.

mod df203_bad_ipv4;
mod df204_subnet_host_bits;
mod df205_range_outside_subnet;
mod df206_misplaced_statement;
mod df207_address_in_two_ranges;
mod df208_duplicate_host;
mod df209_undeclared_class;
mod df210_undeclared_key;
mod df211_unknown_option;
mod df212_bad_option_value;
mod df213_bad_parameter_value;
mod df214_ddns_ad_hoc;
mod df215_unknown_statement;
mod df216_unknown_keyword;
mod df217_pool_without_range;
mod df218_empty_shared_network;
mod df219_scoped_option_definition;
mod df220_bad_option_space;
mod df221_bad_option_definition;
mod df222_non_boolean_condition;
mod df223_bad_expression;
mod df224_repeated_host_address;
mod df225_bad_key;
mod df226_bad_zone;
mod df227_bad_permit;
mod df228_bad_hardware;
mod df229_bad_class;
mod df230_statement_syntax;
mod df231_unknown_group;
mod df232_relative_include;
mod df233_reading_stops_at_ff;

use super::{Context, Lint, LintRule};
use crate::conf::dhcpd::Cause;

/// Every rule of this group, in code order.
pub static RULES: &[&LintRule] = &[
    &df203_bad_ipv4::RULE,
    &df204_subnet_host_bits::RULE,
    &df205_range_outside_subnet::RULE,
    &df206_misplaced_statement::RULE,
    &df207_address_in_two_ranges::RULE,
    &df208_duplicate_host::RULE,
    &df209_undeclared_class::RULE,
    &df210_undeclared_key::RULE,
    &df211_unknown_option::RULE,
    &df212_bad_option_value::RULE,
    &df213_bad_parameter_value::RULE,
    &df214_ddns_ad_hoc::RULE,
    &df215_unknown_statement::RULE,
    &df216_unknown_keyword::RULE,
    &df217_pool_without_range::RULE,
    &df218_empty_shared_network::RULE,
    &df219_scoped_option_definition::RULE,
    &df220_bad_option_space::RULE,
    &df221_bad_option_definition::RULE,
    &df222_non_boolean_condition::RULE,
    &df223_bad_expression::RULE,
    &df224_repeated_host_address::RULE,
    &df225_bad_key::RULE,
    &df226_bad_zone::RULE,
    &df227_bad_permit::RULE,
    &df228_bad_hardware::RULE,
    &df229_bad_class::RULE,
    &df230_statement_syntax::RULE,
    &df231_unknown_group::RULE,
    &df232_relative_include::RULE,
    &df233_reading_stops_at_ff::RULE,
];

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
        let codes: Vec<&str> = RULES.iter().map(|r| r.code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
        assert!(codes.iter().all(|c| ("DF203"..="DF299").contains(c)));
    }
}
