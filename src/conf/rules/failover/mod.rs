//! The failover rule catalogue (DF300..DF399): mistakes in `failover peer` declarations, in
//! the references that tie pools to them, and in the settings the pair depends on. Each rule
//! decides from one server's configuration; rules comparing the two servers are pair rules
//! (DF4xx, `src/conf/pair/`).

pub(crate) mod support;

rule_modules! {
    df300_load_balance_on_secondary,
    df301_mclt_on_secondary,
    df302_missing_role,
    df303_primary_without_split,
    df304_primary_without_mclt,
    df305_split_out_of_range,
    df306_split_and_hba,
    df307_hba_length,
    df308_missing_peer_address,
    df309_address_is_peer_address,
    df310_peer_in_wrong_scope,
    df311_reference_in_wrong_scope,
    df312_unquoted_pool_reference,
    df313_undeclared_peer,
    df314_duplicate_peer,
    df315_peer_without_pool,
    df316_dynamic_bootp_in_failover_pool,
    df317_no_failover_semicolon,
    df318_load_balance_max_seconds,
    df319_invalid_peer_statement,
    df320_missing_max_response_delay,
    df321_missing_max_unacked_updates,
    df322_mclt_not_below_lease_time,
    df323_non_standard_port,
    df324_invalid_peer_value,
    df325_lookalike_in_peer_name,
    df326_conflicting_roles,
    df327_repeated_peer_statement,
    df328_missing_address,
    df329_unusable_address,
    df330_balance_settings,
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
        assert!(codes.iter().all(|c| ("DF300"..="DF399").contains(c)));
        for rule in RULES.iter().map(|r| &r.entry) {
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
