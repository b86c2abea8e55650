//! The rule tables of digest §5.3, §5.4, §5.5 and §8.2, row by row.

use super::*;
use crate::leases::BindingState::{self, *};

const NOW: u64 = 1_800_000_000;
const ALL: [BindingState; 7] = [Free, Active, Expired, Released, Abandoned, Reset, Backup];

/// `accepted_state` as accept (`true`) or reject, with the lease ending long after now and
/// the update's pexp in the future unless `expired` says both have passed.
fn accepts(
    normal: bool,
    role: Role,
    local: BindingState,
    incoming: BindingState,
    expired: bool,
) -> bool {
    let (pexp, ends) = if expired {
        (NOW - 1, NOW)
    } else {
        (NOW + 100, NOW + 1000)
    };
    let times = UpdateTimes {
        pexp,
        ends: 0,
        sent: 0,
    };
    accepted_state(normal, role, local, incoming, times, ends, NOW) == incoming
}

#[test]
fn in_normal_free_and_abandoned_take_anything_from_either_role() {
    for role in Role::BOTH {
        for local in [Free, Abandoned] {
            for incoming in ALL {
                assert!(
                    accepts(true, role, local, incoming, false),
                    "{role:?} {local} -> {incoming}"
                );
            }
        }
    }
}

#[test]
fn in_normal_a_primary_keeps_its_active_leases() {
    // The sender is the secondary: only what the client did at it (release, decline).
    let accepted: Vec<_> = ALL
        .into_iter()
        .filter(|s| accepts(true, Role::Primary, Active, *s, true))
        .collect();
    assert_eq!(accepted, [Active, Released, Abandoned]);
}

#[test]
fn in_normal_a_secondary_follows_the_primary_on_active_leases_once_expiry_agrees() {
    let r = Role::Secondary;
    for s in [Released, Abandoned, Reset, Active] {
        assert!(accepts(true, r, Active, s, false), "{s}");
    }
    // FREE/BACKUP need the primary's pexp to have passed; all three need our end to have
    // passed (within the second), not ISC's "within 65 s".
    for s in [Free, Backup, Expired] {
        assert!(!accepts(true, r, Active, s, false), "{s} too early");
        assert!(accepts(true, r, Active, s, true), "{s} once due");
    }
    for (s, pexp) in [(Expired, 0), (Free, NOW - 1), (Backup, NOW - 1)] {
        let times = UpdateTimes {
            pexp,
            ends: 0,
            sent: 0,
        };
        let at = |ends| accepted_state(true, r, Active, s, times, ends, NOW);
        assert_eq!(at(NOW + 1), s, "{s} within the second");
        assert_eq!(at(NOW + 2), Active, "{s} before our end");
        assert_eq!(at(NOW + 65), Active, "{s} within ISC's fudge");
    }
}

#[test]
fn in_normal_transitional_leases_free_only_when_the_peer_agrees() {
    for role in Role::BOTH {
        for local in [Expired, Reset] {
            for s in [Free, Backup] {
                assert!(!accepts(true, role, local, s, false), "{local} -> {s}");
                assert!(accepts(true, role, local, s, true), "{local} -> {s}");
            }
            for s in [Active, Expired, Released, Abandoned, Reset] {
                assert!(accepts(true, role, local, s, false), "{local} -> {s}");
            }
        }
        for local in [Released, Backup] {
            for s in ALL {
                assert!(accepts(true, role, local, s, false), "{local} -> {s}");
            }
        }
    }
}

#[test]
fn outside_normal_only_an_active_lease_resists() {
    for role in Role::BOTH {
        for local in ALL.into_iter().filter(|s| *s != Active) {
            for s in ALL {
                assert!(accepts(false, role, local, s, false), "{local} -> {s}");
            }
        }
        for s in [Free, Backup] {
            assert!(!accepts(false, role, Active, s, true), "{s}");
        }
        assert!(!accepts(false, role, Active, Expired, false));
        assert!(accepts(false, role, Active, Expired, true));
        for s in [Released, Reset, Abandoned, Active] {
            assert!(accepts(false, role, Active, s, false), "{s}");
        }
    }
}

#[test]
fn an_expiry_of_an_older_binding_is_refused_in_every_state() {
    // The partner restarted from a stale file: its binding ended at NOW − 60, ours (renewed
    // since) ends at NOW + 20, within ISC's 65 s fudge.
    for normal in [true, false] {
        let check = |times| {
            accepted_state(
                normal,
                Role::Secondary,
                Active,
                Expired,
                times,
                NOW + 20,
                NOW,
            )
        };
        let stale = UpdateTimes {
            pexp: NOW - 60,
            ends: NOW - 60,
            sent: NOW + 20,
        };
        assert_eq!(check(stale), Active, "an older binding, normal {normal}");
        // ISC right after its recovery: the same lease, expired 19 s early by its clock.
        let early = UpdateTimes {
            pexp: NOW + 20,
            ends: NOW + 20,
            sent: NOW + 1,
        };
        assert_eq!(check(early), Active, "before its end, normal {normal}");
        // Chaos seed 1796399247: a primary whose clock runs ahead expires the lease at its
        // end by that clock, 20 s before it ends by ours: refused (ISC takes it).
        let ahead = UpdateTimes {
            pexp: NOW + 20,
            ends: NOW + 20,
            sent: NOW + 20,
        };
        assert_eq!(check(ahead), Active, "20 s before our end, normal {normal}");
        // At our end (within the second), taken.
        let at_end = |times| {
            accepted_state(
                normal,
                Role::Secondary,
                Active,
                Expired,
                times,
                NOW + 1,
                NOW,
            )
        };
        let on_time = UpdateTimes {
            pexp: NOW + 1,
            ends: NOW + 1,
            sent: NOW + 1,
        };
        assert_eq!(at_end(on_time), Expired, "at our end, normal {normal}");
        let rounded = UpdateTimes {
            sent: NOW,
            ..on_time
        };
        assert_eq!(at_end(rounded), Expired, "within the second");
    }
}

#[test]
fn duelling_updates_follow_cltt_then_the_primary() {
    use Role::*;
    // Active against active: the later client contact wins; a tie goes to the primary.
    assert!(mine_is_better(Secondary, Active, 20, Active, 10));
    assert!(!mine_is_better(Primary, Active, 10, Active, 20));
    assert!(mine_is_better(Primary, Active, 10, Active, 10));
    assert!(!mine_is_better(Secondary, Active, 10, Active, 10));
    // An expiry beats my active update; an active update beats anything else of mine.
    assert!(!mine_is_better(Primary, Active, 10, Expired, 0));
    for local in [Free, Backup, Expired, Released, Abandoned, Reset] {
        assert!(!mine_is_better(Primary, local, 0, Active, 0));
    }
    // Otherwise the primary's update wins (the captures' fresh-pair rejects: FREE vs FREE).
    assert!(mine_is_better(Primary, Free, 0, Free, 0));
    assert!(!mine_is_better(Secondary, Free, 0, Free, 0));
    assert!(mine_is_better(Primary, Active, 10, Released, 0));
    // dhcpfo: my active lease beats an end that is not newer than its client's last contact,
    // on the secondary too; a newer release wins there as in ISC.
    for incoming in [Free, Backup, Released, Abandoned, Reset] {
        assert!(mine_is_better(Secondary, Active, 20, incoming, 10));
        assert!(mine_is_better(Secondary, Active, 20, incoming, 20));
    }
    assert!(!mine_is_better(Secondary, Active, 20, Released, 30));
    assert!(mine_is_better(Primary, Active, 20, Released, 30));
}

#[test]
fn ownership_follows_lease_mine_to_reallocate() {
    let normal = |role| Ownership {
        partner_lag: 0,
        role,
        partner_down: false,
        my_stos: NOW - 10,
        mclt: 60,
    };
    let down = |role| Ownership {
        partner_lag: 0,
        role,
        partner_down: true,
        my_stos: NOW - 10,
        mclt: 60,
    };
    let p = normal(Role::Primary);
    let s = normal(Role::Secondary);
    assert!(p.mine(Free, None, 0, NOW) && p.mine(Abandoned, None, 0, NOW));
    assert!(!p.mine(Backup, None, 0, NOW) && !p.mine(Active, None, 0, NOW));
    assert!(s.mine(Backup, None, 0, NOW) && !s.mine(Free, None, 0, NOW));
    // Rewind: an expired lease the partner last knew as my free state is mine again.
    assert!(p.mine(Expired, Some(Free), NOW + 500, NOW));
    assert!(!p.mine(Expired, Some(Active), 0, NOW));
    assert!(s.mine(Released, Some(Backup), NOW + 500, NOW));
    assert!(!s.mine(Released, Some(Free), 0, NOW));
    // Partner-down: the peer's free leases after max(STOS, tsfp) + MCLT, strictly.
    let pd = down(Role::Primary);
    assert!(
        !pd.mine(Backup, None, 0, NOW + 50),
        "STOS + MCLT reached but not passed"
    );
    assert!(pd.mine(Backup, None, 0, NOW + 51));
    assert!(
        !pd.mine(Backup, None, NOW + 100, NOW + 51),
        "a later tsfp waits longer"
    );
    assert!(pd.mine(Backup, None, NOW + 100, NOW + 161));
    assert!(down(Role::Secondary).mine(Free, None, 0, NOW + 51));
    // Transitional leases in partner-down on the same terms: the partner may have renewed
    // them up to MCLT past the tsfp we acknowledged.
    assert!(pd.mine(Reset, None, 0, NOW + 51) && !pd.mine(Reset, None, 0, NOW + 50));
    assert!(!pd.mine(Expired, Some(Active), NOW + 100, NOW + 51));
    assert!(pd.mine(Expired, Some(Active), NOW + 100, NOW + 161));
    assert!(!pd.mine(Released, Some(Active), NOW + 100, NOW + 160));
    assert!(!p.mine(Reset, None, 0, NOW));
}

#[test]
fn the_mclt_clamp_and_the_potential_expiry() {
    // The digest's worked example: MCLT 3600, desired 86400.
    let t0 = NOW;
    assert_eq!(clamp_lease_time(86_400, 3600, 0, t0), 3600);
    assert_eq!(tstp_after_ack(t0, 86_400, 3600), t0 + 88_200);
    let renew = t0 + 1800;
    assert_eq!(clamp_lease_time(86_400, 3600, t0 + 88_200, renew), 86_400);
    assert_eq!(tstp_after_ack(renew, 86_400, 86_400), t0 + 131_400);
    // Within MCLT nothing changes; between, the partner's time plus MCLT.
    assert_eq!(clamp_lease_time(600, 3600, 0, t0), 600);
    assert_eq!(
        clamp_lease_time(300, 60, t0 + 210, t0),
        270,
        "a renewal: the partner's time plus MCLT"
    );
    assert_eq!(tstp_after_ack(t0, u32::MAX, 60), 0x7FFF_FFFF);
    assert_eq!(tstp_after_ack(u64::from(u32::MAX), 100, 100), 0x7FFF_FFFE);
}

#[test]
fn mac_affinity_uses_the_hash_and_the_hoarding_limit() {
    let hba = crate::serve::failover::wire::hba_from_split(128).expect("valid split");
    // 02:cc:00:00:00:03 hashes to bucket 173 (the secondary's), :01 to 10 (the primary's).
    let sec = [0x02, 0xcc, 0, 0, 0, 3];
    let pri = [0x02, 0xcc, 0, 0, 0, 1];
    assert!(peer_wants(Role::Primary, Some(&hba), Some(&sec)));
    assert!(!peer_wants(Role::Primary, Some(&hba), Some(&pri)));
    assert!(peer_wants(Role::Secondary, Some(&hba), Some(&pri)));
    assert!(!peer_wants(Role::Primary, None, Some(&sec)));
    assert!(!peer_wants(Role::Primary, Some(&hba), None));
    assert_eq!(lease_hash_key(Some(b"x"), Some(&sec)), Some(&b"x"[..]));
    assert_eq!(lease_hash_key(None, Some(&[])), None);
    // total 100, ownership 10 %: hold 10; lts = (free − backup) / 2 must stay above −10.
    assert!(secondary_not_hoarding(50, 50, 10));
    assert!(secondary_not_hoarding(41, 59, 10));
    assert!(!secondary_not_hoarding(40, 60, 10));
}
