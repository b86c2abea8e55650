//! The failover rule catalogue (DF300..DF399): mistakes in `failover peer` declarations, in
//! the references that tie pools to them, and in the settings the pair depends on. Each rule
//! decides from one server's configuration; rules comparing the two servers are pair rules
//! (DF4xx, `src/conf/pair/`).

mod df300_load_balance_on_secondary;
mod df301_mclt_on_secondary;
mod df302_missing_role;
mod df303_primary_without_split;
mod df304_primary_without_mclt;
mod df305_split_out_of_range;
mod df306_split_and_hba;
mod df307_hba_length;
mod df308_missing_peer_address;
mod df309_address_is_peer_address;
mod df310_peer_in_wrong_scope;
mod df311_reference_in_wrong_scope;
mod df312_unquoted_pool_reference;
mod df313_undeclared_peer;
mod df314_duplicate_peer;
mod df315_peer_without_pool;
mod df316_dynamic_bootp_in_failover_pool;
mod df317_no_failover_semicolon;
mod df318_load_balance_max_seconds;
mod df319_invalid_peer_statement;
mod df320_missing_max_response_delay;
mod df321_missing_max_unacked_updates;
mod df322_mclt_not_below_lease_time;
mod df323_non_standard_port;
mod df324_invalid_peer_value;
mod df325_lookalike_in_peer_name;
mod df326_conflicting_roles;
mod df327_repeated_peer_statement;
mod df328_missing_address;
mod df329_unusable_address;
mod df330_balance_settings;
pub(crate) mod support;

use super::LintRule;

/// Every rule of this group, in code order.
pub static RULES: &[&LintRule] = &[
    &df300_load_balance_on_secondary::RULE,
    &df301_mclt_on_secondary::RULE,
    &df302_missing_role::RULE,
    &df303_primary_without_split::RULE,
    &df304_primary_without_mclt::RULE,
    &df305_split_out_of_range::RULE,
    &df306_split_and_hba::RULE,
    &df307_hba_length::RULE,
    &df308_missing_peer_address::RULE,
    &df309_address_is_peer_address::RULE,
    &df310_peer_in_wrong_scope::RULE,
    &df311_reference_in_wrong_scope::RULE,
    &df312_unquoted_pool_reference::RULE,
    &df313_undeclared_peer::RULE,
    &df314_duplicate_peer::RULE,
    &df315_peer_without_pool::RULE,
    &df316_dynamic_bootp_in_failover_pool::RULE,
    &df317_no_failover_semicolon::RULE,
    &df318_load_balance_max_seconds::RULE,
    &df319_invalid_peer_statement::RULE,
    &df320_missing_max_response_delay::RULE,
    &df321_missing_max_unacked_updates::RULE,
    &df322_mclt_not_below_lease_time::RULE,
    &df323_non_standard_port::RULE,
    &df324_invalid_peer_value::RULE,
    &df325_lookalike_in_peer_name::RULE,
    &df326_conflicting_roles::RULE,
    &df327_repeated_peer_statement::RULE,
    &df328_missing_address::RULE,
    &df329_unusable_address::RULE,
    &df330_balance_settings::RULE,
];

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
        assert!(codes.iter().all(|c| ("DF300"..="DF399").contains(c)));
        for rule in RULES {
            assert!(
                rule.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                rule.name
            );
        }
    }
}
