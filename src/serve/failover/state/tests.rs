//! Unit tests of the state machine: ISC's peer-STATE matrix row by row (digest §4.6), the
//! "communications failed" table (§4.5), STARTUP (§4.3), UPDDONE, entry actions (§4.7),
//! timers, the operator's partner-down, failed writes and the service states.

use super::*;
use crate::leases::{FailoverStanza, FailoverState as S, PeerState, Timestamp};
use crate::model::Role;

const T0: u64 = 1_800_000_000;
const MCLT: u32 = 60;

fn settings(role: Role) -> Settings {
    Settings {
        name: "fo".into(),
        role,
        mclt: MCLT,
        auto_partner_down: 0,
    }
}

fn stanza(me: S, my_at: u64, partner: S, mclt: Option<u32>) -> FailoverStanza {
    FailoverStanza {
        peer: "fo".into(),
        my: PeerState {
            state: me,
            at: Timestamp(my_at),
        },
        partner: PeerState {
            state: partner,
            at: Timestamp(my_at),
        },
        mclt,
    }
}

/// A machine out of STARTUP in state `me`, the peer last seen in `partner`, the link up; my
/// STOS is T0 (recorded) and the current time T0 + 1.
fn settled(role: Role, me: S, partner: S) -> StateMachine {
    let saved = stanza(me, T0, partner, None);
    let (mut m, _) = StateMachine::start(settings(role), Some(&saved), T0);
    if me == S::ResolutionInterrupted {
        // The equal-state shortcut would give POTENTIAL-CONFLICT; the timer keeps the state.
        m.poll(T0 + STARTUP_SECS);
        m.link_up(None);
    } else {
        m.link_up(None);
        m.peer_state(partner, false, T0 + 1);
    }
    assert_eq!((m.state(), m.partner_state()), (me, partner), "set-up");
    assert!(m.link_is_up());
    m
}

fn logs(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Log(_, line) => Some(line.clone()),
            _ => None,
        })
        .collect()
}

fn count(actions: &[Action], wanted: &Action) -> usize {
    actions.iter().filter(|a| *a == wanted).count()
}

fn persisted(actions: &[Action]) -> Option<&FailoverStanza> {
    match actions.first() {
        Some(Action::Persist(s)) => Some(s),
        _ => None,
    }
}

#[test]
fn state_codes_are_the_drafts_with_recover_wait_254() {
    let codes: Vec<(u8, S)> = (0..=255u8)
        .filter_map(|c| state_from_code(c).map(|s| (c, s)))
        .collect();
    assert_eq!(codes.len(), 13);
    for (code, state) in codes {
        assert_eq!(state_code(state), code);
    }
    assert_eq!(state_from_code(254), Some(S::RecoverWait));
    assert_eq!(state_from_code(9), Some(S::RecoverDone));
    assert_eq!(state_from_code(12), None);
    assert_eq!(state_from_code(253), None);
}

#[test]
fn a_fresh_server_starts_from_recover_into_startup() {
    let (m, actions) = StateMachine::start(settings(Role::Primary), None, T0);
    assert_eq!(m.state(), S::Startup);
    assert_eq!(m.saved_state(), Some(S::Recover));
    assert_eq!((m.my_stos(), m.partner_state()), (T0, S::Unknown));
    assert_eq!(
        persisted(&actions),
        Some(&stanza(S::Recover, T0, S::Unknown, None))
    );
    assert_eq!(
        logs(&actions),
        ["failover peer fo: I move from recover to startup"]
    );
    assert_eq!(m.next_deadline(), Some(T0 + STARTUP_SECS));
    assert_eq!(m.service_state(), ServiceState::Startup);
    assert_eq!(m.service_state().reason(), " (startup)");
    assert!(!m.may_serve());
}

#[test]
fn start_resumes_the_recorded_state_and_keeps_its_stos() {
    let saved = stanza(
        S::PartnerDown,
        T0 - 5000,
        S::CommunicationsInterrupted,
        None,
    );
    let (m, actions) = StateMachine::start(settings(Role::Primary), Some(&saved), T0);
    assert_eq!(m.saved_state(), Some(S::PartnerDown));
    assert_eq!(m.my_stos(), T0 - 5000);
    assert_eq!(persisted(&actions), Some(&saved));
    // A stanza of another relationship is not ours.
    let other = FailoverStanza {
        peer: "other".into(),
        ..saved
    };
    let (m, _) = StateMachine::start(settings(Role::Primary), Some(&other), T0);
    assert_eq!((m.saved_state(), m.my_stos()), (Some(S::Recover), T0));
}

#[test]
fn the_secondary_records_the_mclt_and_learns_it_from_connect() {
    let (m, actions) = StateMachine::start(settings(Role::Secondary), None, T0);
    assert_eq!(persisted(&actions).and_then(|s| s.mclt), Some(MCLT));
    assert_eq!(m.mclt(), MCLT);
    // ISC's never-connected secondary records `mclt 0;`: the model's MCLT is kept instead.
    let zero = stanza(S::Recover, T0, S::Unknown, Some(0));
    let (m, _) = StateMachine::start(settings(Role::Secondary), Some(&zero), T0);
    assert_eq!(m.mclt(), MCLT);
    let learned = stanza(S::Normal, T0, S::Normal, Some(1800));
    let (mut m, _) = StateMachine::start(settings(Role::Secondary), Some(&learned), T0);
    assert_eq!(m.mclt(), 1800);
    let actions = m.link_up(Some(90));
    assert_eq!(m.mclt(), 90);
    assert_eq!(persisted(&actions).and_then(|s| s.mclt), Some(90));
    // The same MCLT again records nothing; the primary ignores a peer's MCLT.
    m.link_lost(T0 + 1);
    let again = m.link_up(Some(90));
    assert!(persisted(&again).is_none(), "{again:?}");
    let (mut p, _) = StateMachine::start(settings(Role::Primary), Some(&learned), T0);
    p.link_up(Some(90));
    assert_eq!(p.mclt(), MCLT);
    assert_eq!(p.stanza().mclt, None);
}

/// The digest's §4.6 matrix: for my state (rows) and each peer state, the state I end in.
/// `None` means unchanged. The peer was last in a different state, and the STATE carries no
/// STARTUP flag.
fn matrix_row(me: S) -> Vec<(S, Option<S>)> {
    use S::*;
    let all = S::ALL;
    let table: &[(S, S)] = match me {
        Normal => &[
            (PartnerDown, PotentialConflict),
            (PotentialConflict, Shutdown),
            (ResolutionInterrupted, Shutdown),
            (ConflictDone, Shutdown),
            (Recover, PartnerDown),
            (Shutdown, PartnerDown),
            (Paused, CommunicationsInterrupted),
        ],
        Recover => &[
            (Normal, PotentialConflict),
            (PotentialConflict, PotentialConflict),
            (ResolutionInterrupted, PotentialConflict),
            (ConflictDone, PotentialConflict),
            (Shutdown, PartnerDown),
        ],
        PotentialConflict => &[
            (Normal, Shutdown),
            (Recover, Recover),
            (Shutdown, PartnerDown),
        ],
        ConflictDone => &[
            (Normal, Normal),
            (Shutdown, Shutdown),
            (CommunicationsInterrupted, Shutdown),
            (PartnerDown, Shutdown),
            (Recover, Shutdown),
            (RecoverWait, Shutdown),
            (RecoverDone, Shutdown),
            (Paused, Shutdown),
            (Unknown, Shutdown),
            (Startup, Shutdown),
            (ConflictDone, Shutdown),
        ],
        PartnerDown => &[
            (RecoverDone, Normal),
            (Normal, PotentialConflict),
            (PotentialConflict, PotentialConflict),
            (PartnerDown, PotentialConflict),
            (CommunicationsInterrupted, PotentialConflict),
            (ResolutionInterrupted, PotentialConflict),
            (ConflictDone, PotentialConflict),
        ],
        CommunicationsInterrupted => &[
            (Recover, PartnerDown),
            (Shutdown, PartnerDown),
            (Normal, Normal),
            (CommunicationsInterrupted, Normal),
            (RecoverDone, Normal),
            (RecoverWait, Normal),
            (PotentialConflict, PotentialConflict),
            (PartnerDown, PotentialConflict),
            (ResolutionInterrupted, PotentialConflict),
            (ConflictDone, PotentialConflict),
        ],
        ResolutionInterrupted => &[
            (Shutdown, PartnerDown),
            (Normal, PotentialConflict),
            (Recover, PotentialConflict),
            (PotentialConflict, PotentialConflict),
            (PartnerDown, PotentialConflict),
            (CommunicationsInterrupted, PotentialConflict),
            (ResolutionInterrupted, PotentialConflict),
            (ConflictDone, PotentialConflict),
            (RecoverDone, PotentialConflict),
            (RecoverWait, PotentialConflict),
        ],
        RecoverDone => &[
            (RecoverDone, Normal),
            (Normal, Normal),
            (Shutdown, PartnerDown),
        ],
        RecoverWait | Shutdown | Paused | Unknown | Startup => &[],
    };
    all.into_iter()
        .map(|peer| {
            let to = table.iter().find(|(p, _)| *p == peer).map(|(_, to)| *to);
            (peer, to)
        })
        .collect()
}

#[test]
fn every_row_of_the_peer_state_matrix() {
    let rows = S::ALL.into_iter().filter(|s| *s != S::Startup);
    for role in Role::BOTH {
        for me in rows.clone() {
            for (peer, expected) in matrix_row(me) {
                // The peer was last in another state than the one it reports now.
                let before = if peer == S::Paused {
                    S::Unknown
                } else {
                    S::Paused
                };
                let mut m = settled(role, me, before);
                let actions = m.peer_state(peer, false, T0 + 10);
                let got = m.state();
                assert_eq!(
                    got,
                    expected.unwrap_or(me),
                    "{role:?} in {me}, peer {before} -> {peer}: {actions:?}"
                );
                assert_eq!(m.partner_state(), peer);
                assert_eq!(m.partner_stos(), T0 + 10, "ISC's own receive time");
                assert_eq!(
                    logs(&actions).first().map(String::as_str),
                    Some(format!("failover peer fo: peer moves from {before} to {peer}").as_str())
                );
                let stanza = persisted(&actions).expect("the peer's state is recorded first");
                assert_eq!(stanza.my.state, got);
                assert_eq!(stanza.partner.state, peer);
                if got != me {
                    assert!(
                        logs(&actions)
                            .contains(&format!("failover peer fo: I move from {me} to {got}")),
                        "{actions:?}"
                    );
                    assert_eq!(
                        actions
                            .iter()
                            .filter(|a| matches!(a, Action::SendState { .. }))
                            .count(),
                        1,
                        "one STATE for the move: {actions:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn matrix_side_effects_log_isc_lines_and_request_updates() {
    let line = |m: &mut StateMachine, peer| logs(&m.peer_state(peer, false, T0 + 10));
    let mut m = settled(Role::Primary, S::Normal, S::Normal);
    assert_eq!(
        m.peer_state(S::Paused, false, T0 + 5)[1..],
        [
            Action::Log(
                LogLevel::Info,
                "failover peer fo: peer moves from normal to paused".into()
            ),
            Action::RescindUnacked,
            Action::Log(
                LogLevel::Info,
                "failover peer fo: I move from normal to communications-interrupted".into()
            ),
            Action::SendState {
                state: S::CommunicationsInterrupted,
                startup: false,
                stos: T0 + 5
            },
        ]
    );
    let mut m = settled(Role::Primary, S::Normal, S::Recover);
    assert!(
        line(&mut m, S::ConflictDone)
            .contains(&"Peer fo: Invalid state transition recover to conflict-done.".into())
    );
    let mut m = settled(Role::Secondary, S::Normal, S::RecoverDone);
    let actions = m.peer_state(S::Normal, false, T0 + 10);
    assert_eq!(count(&actions, &Action::CheckPoolBalance), 1);
    assert!(logs(&actions).contains(&"failover peer fo: Both servers normal".into()));
    // RECOVER: the peer in recover, partner-down or comm-interrupted gets an UPDREQALL.
    for peer in [S::Recover, S::PartnerDown, S::CommunicationsInterrupted] {
        let mut m = settled(Role::Secondary, S::Recover, S::Unknown);
        let actions = m.peer_state(peer, false, T0 + 10);
        assert_eq!(count(&actions, &Action::SendUpdReqAll), 1, "{peer}");
        assert_eq!(
            logs(&actions).contains(&"failover peer fo: requesting full update from peer".into()),
            peer == S::Recover
        );
    }
    // POTENTIAL-CONFLICT: the peer's move potential-conflict -> conflict-done asks for UPDREQ.
    let mut m = settled(Role::Secondary, S::PotentialConflict, S::PotentialConflict);
    assert_eq!(
        count(
            &m.peer_state(S::ConflictDone, false, T0 + 10),
            &Action::SendUpdReq
        ),
        1
    );
    let mut m = settled(Role::Secondary, S::PotentialConflict, S::PartnerDown);
    let actions = m.peer_state(S::ConflictDone, false, T0 + 10);
    assert_eq!(count(&actions, &Action::SendUpdReq), 0);
    assert!(logs(&actions).contains(&"Peer fo: Unexpected move to conflict-done.".into()));
    let mut m = settled(Role::Primary, S::PotentialConflict, S::PotentialConflict);
    assert!(line(&mut m, S::Normal).contains(
        &"Peer fo moves to normal during conflict resolution - panic, shutting down.".into()
    ));
    assert_eq!(m.state(), S::Shutdown);
    let mut m = settled(Role::Primary, S::RecoverDone, S::Recover);
    let actions = m.peer_state(S::RecoverDone, false, T0 + 10);
    assert!(actions.contains(&Action::Log(
        LogLevel::Error,
        "Both servers have entered recover-done!".into()
    )));
}

#[test]
fn conflict_done_and_an_illegal_peer_state_shut_down_instead_of_exiting() {
    let mut m = settled(Role::Primary, S::ConflictDone, S::PotentialConflict);
    let actions = m.peer_state(S::Recover, false, T0 + 10);
    let line = "Peer fo: Invalid attempt to move from potential-conflict to recover while local \
                state is conflict-done.";
    assert!(actions.contains(&Action::Fatal(line.into())), "{actions:?}");
    assert!(actions.contains(&Action::Log(LogLevel::Error, line.into())));
    assert_eq!(m.state(), S::Shutdown);
    assert!(!m.may_serve());
    assert_eq!(persisted(&actions).map(|s| s.my.state), Some(S::Shutdown));
    // SHUTDOWN never moves by itself.
    for peer in S::ALL {
        m.peer_state(peer, false, T0 + 20);
        assert_eq!(m.state(), S::Shutdown);
    }
}

#[test]
fn the_same_peer_state_again_is_ignored_only_in_settled_states() {
    for me in S::ALL.into_iter().filter(|s| *s != S::Startup) {
        let mut m = settled(Role::Primary, me, S::RecoverWait);
        let actions = m.peer_state(S::RecoverWait, false, T0 + 10);
        let ignored = matches!(
            me,
            S::Normal
                | S::PotentialConflict
                | S::RecoverDone
                | S::Shutdown
                | S::Paused
                | S::RecoverWait
        );
        if ignored {
            assert!(actions.is_empty(), "{me}: {actions:?}");
            assert_eq!(m.partner_stos(), T0, "not even the time is recorded");
        } else {
            assert_eq!(
                logs(&actions).first().map(String::as_str),
                Some("failover peer fo: peer moves from recover-wait to recover-wait"),
                "{me}"
            );
        }
    }
}

#[test]
fn a_startup_flag_keeps_partner_down_where_it_is() {
    for peer in S::ALL {
        let mut m = settled(Role::Primary, S::PartnerDown, S::Unknown);
        m.peer_state(peer, true, T0 + 10);
        assert_eq!(m.state(), S::PartnerDown, "peer {peer} with STARTUP");
    }
    // Without the flag the same state moves it (scenario 8 of the captures).
    let mut m = settled(Role::Primary, S::PartnerDown, S::Unknown);
    m.peer_state(S::Normal, false, T0 + 10);
    assert_eq!(m.state(), S::PotentialConflict);
}

#[test]
fn an_unknown_state_code_is_recorded_as_unknown_and_shuts_down() {
    let mut m = settled(Role::Secondary, S::Normal, S::Normal);
    let actions = m.peer_state_code(77, false, T0 + 10);
    assert_eq!(
        logs(&actions),
        [
            "failover peer fo: peer moves from normal to unknown-state",
            "failover peer fo: Invalid state: 77",
            "failover peer fo: I move from normal to shutdown",
        ]
    );
    assert_eq!(m.state(), S::Shutdown);
    assert_eq!(m.partner_state(), S::Unknown);
    // A valid code is the same as the state.
    let mut m = settled(Role::Secondary, S::Normal, S::Normal);
    m.peer_state_code(4, false, T0 + 10);
    assert_eq!(m.state(), S::PotentialConflict);
}

#[test]
fn startup_ends_on_the_first_peer_state_through_the_matrix_on_the_saved_state() {
    // Saved normal, peer partner-down: RECOVER (not potential-conflict), STOS kept.
    let saved = stanza(S::Normal, T0 - 500, S::Normal, Some(MCLT));
    let (mut m, _) = StateMachine::start(settings(Role::Secondary), Some(&saved), T0);
    assert_eq!(
        m.link_up(None),
        [Action::SendState {
            state: S::Normal,
            startup: true,
            stos: T0 - 500
        }]
    );
    let actions = m.peer_state(S::PartnerDown, false, T0 + 1);
    assert_eq!(
        logs(&actions),
        [
            "failover peer fo: peer moves from normal to partner-down",
            "failover peer fo: I move from startup to recover",
        ]
    );
    assert_eq!((m.state(), m.my_stos()), (S::Recover, T0 - 500));
    assert_eq!(count(&actions, &Action::SendUpdReqAll), 1);
    assert_eq!(m.next_deadline(), None, "the STARTUP timer is gone");
    // Saved normal, peer comm-interrupted: back to NORMAL (scenario 4).
    let (mut m, _) = StateMachine::start(settings(Role::Secondary), Some(&saved), T0);
    m.link_up(None);
    m.peer_state(S::CommunicationsInterrupted, true, T0 + 1);
    assert_eq!((m.state(), m.my_stos()), (S::Normal, T0 - 500));
    // Fresh, peer recover: "requesting full update", yet one UPDREQALL only (from RECOVER).
    let (mut m, _) = StateMachine::start(settings(Role::Primary), None, T0);
    m.link_up(None);
    let actions = m.peer_state(S::Recover, true, T0 + 1);
    assert_eq!(count(&actions, &Action::SendUpdReqAll), 1, "{actions:?}");
    assert!(logs(&actions).contains(&"failover peer fo: requesting full update from peer".into()));
}

#[test]
fn startup_with_the_recorded_peer_state_goes_straight_back() {
    for saved_state in S::ALL.into_iter().filter(|s| *s != S::Startup) {
        let saved = stanza(saved_state, T0 - 500, S::CommunicationsInterrupted, None);
        let (mut m, _) = StateMachine::start(settings(Role::Primary), Some(&saved), T0);
        m.link_up(None);
        let actions = m.peer_state(S::CommunicationsInterrupted, false, T0 + 1);
        let expected = match saved_state {
            S::ResolutionInterrupted => S::PotentialConflict,
            // Its end (STOS + MCLT) has passed: on to RECOVER-DONE at once.
            S::RecoverWait => S::RecoverDone,
            other => other,
        };
        assert_eq!(m.state(), expected, "saved {saved_state}");
        assert!(
            !logs(&actions).iter().any(|l| l.contains("peer moves")),
            "the shortcut records nothing about the peer: {actions:?}"
        );
        assert_eq!(m.partner_stos(), T0 - 500);
    }
}

#[test]
fn startup_expiry_applies_the_communications_failed_transition() {
    for saved_state in S::ALL.into_iter().filter(|s| *s != S::Startup) {
        let saved = stanza(saved_state, T0 - 500, S::Normal, None);
        let (mut m, _) = StateMachine::start(settings(Role::Primary), Some(&saved), T0);
        assert!(m.poll(T0 + STARTUP_SECS - 1).is_empty());
        let actions = m.poll(T0 + STARTUP_SECS);
        let expected = match saved_state {
            S::Normal => S::CommunicationsInterrupted,
            S::PotentialConflict | S::Unknown => S::ResolutionInterrupted,
            // Entering RECOVER-WAIT after its end goes on to RECOVER-DONE.
            S::RecoverWait => S::RecoverDone,
            other => other,
        };
        assert_eq!(m.state(), expected, "saved {saved_state}: {actions:?}");
        assert!(
            logs(&actions).contains(&format!("failover peer fo: I move from startup to {}", {
                if saved_state == S::RecoverWait {
                    S::RecoverWait
                } else {
                    expected
                }
            })),
            "{actions:?}"
        );
    }
}

#[test]
fn link_loss_follows_the_communications_failed_table() {
    for me in S::ALL.into_iter().filter(|s| *s != S::Startup) {
        let mut m = settled(Role::Primary, me, S::Paused);
        let actions = m.link_lost(T0 + 10);
        let expected = match me {
            S::Normal => S::CommunicationsInterrupted,
            S::PotentialConflict | S::Unknown => S::ResolutionInterrupted,
            other => other,
        };
        assert_eq!(m.state(), expected, "{me}");
        assert!(!m.link_is_up());
        assert_eq!(logs(&actions)[0], "peer fo: disconnected");
        assert_eq!(
            count(&actions, &Action::RescindUnacked),
            usize::from(matches!(
                me,
                S::ConflictDone | S::Normal | S::PotentialConflict
            )),
            "{me}: {actions:?}"
        );
        assert!(
            !actions
                .iter()
                .any(|a| matches!(a, Action::SendState { .. })),
            "no STATE without a link"
        );
        assert!(
            m.link_lost(T0 + 11).is_empty(),
            "a second loss does nothing"
        );
    }
    // In STARTUP a link loss ends STARTUP like the timer.
    let saved = stanza(S::Normal, T0 - 500, S::Normal, None);
    let (mut m, _) = StateMachine::start(settings(Role::Primary), Some(&saved), T0);
    m.link_up(None);
    m.link_lost(T0 + 2);
    assert_eq!(m.state(), S::CommunicationsInterrupted);
    assert_eq!(m.next_deadline(), None);
}

#[test]
fn update_done_in_recover_waits_for_stos_plus_mclt_unless_the_peer_recovers_too() {
    let saved = stanza(S::Recover, T0, S::Unknown, None);
    let (mut m, _) = StateMachine::start(settings(Role::Secondary), Some(&saved), T0);
    m.link_up(None);
    m.peer_state(S::PartnerDown, false, T0 + 1);
    assert_eq!(m.state(), S::Recover);
    let actions = m.update_done(T0 + 2);
    assert_eq!(
        logs(&actions),
        [
            "failover peer fo: peer update completed.",
            "failover peer fo: I move from recover to recover-wait"
        ]
    );
    assert_eq!(
        actions
            .iter()
            .find(|a| matches!(a, Action::SendState { .. })),
        Some(&Action::SendState {
            state: S::RecoverWait,
            startup: false,
            stos: T0
        }),
        "RECOVER-WAIT keeps the STOS"
    );
    assert_eq!(m.next_deadline(), Some(T0 + u64::from(MCLT)));
    assert!(m.poll(T0 + u64::from(MCLT) - 1).is_empty());
    // The peer's messages change nothing meanwhile.
    m.peer_state(S::Normal, false, T0 + 30);
    assert_eq!(m.state(), S::RecoverWait);
    let actions = m.poll(T0 + u64::from(MCLT));
    assert_eq!(m.state(), S::RecoverDone);
    assert_eq!(m.my_stos(), T0 + u64::from(MCLT));
    assert!(
        logs(&actions)
            .contains(&"failover peer fo: I move from recover-wait to recover-done".into())
    );
    // Both in RECOVER (a new pair): no wait (quirk 28).
    let (mut m, _) = StateMachine::start(settings(Role::Primary), None, T0);
    m.link_up(None);
    m.peer_state(S::Recover, true, T0 + 1);
    m.update_done(T0 + 2);
    assert_eq!(m.state(), S::RecoverDone);
    // An old STOS needs no wait either (scenario 5).
    let old = stanza(S::Normal, T0 - 500, S::Normal, None);
    let (mut m, _) = StateMachine::start(settings(Role::Secondary), Some(&old), T0);
    m.link_up(None);
    m.peer_state(S::PartnerDown, false, T0 + 1);
    m.update_done(T0 + 2);
    assert_eq!(m.state(), S::RecoverDone);
}

#[test]
fn update_done_in_conflict_resolution_depends_on_role_and_peer() {
    let done = |role, partner| {
        let mut m = settled(role, S::PotentialConflict, partner);
        let actions = m.update_done(T0 + 10);
        (m.state(), logs(&actions))
    };
    assert_eq!(done(Role::Primary, S::PotentialConflict).0, S::ConflictDone);
    assert_eq!(done(Role::Secondary, S::ConflictDone).0, S::Normal);
    let (state, lines) = done(Role::Secondary, S::PotentialConflict);
    assert_eq!(state, S::PotentialConflict);
    assert!(lines.contains(&"Spurious update-done message.".into()));
    let (state, lines) = done(Role::Primary, S::ConflictDone);
    assert_eq!(state, S::Shutdown);
    assert!(lines.contains(
        &"Secondary is in conflict_done state after conflict resolution, this is illegal.".into()
    ));
    let mut m = settled(Role::Primary, S::ConflictDone, S::PotentialConflict);
    assert!(logs(&m.update_done(T0 + 10)).contains(&"Spurious update-done message.".into()));
    for me in [
        S::Normal,
        S::PartnerDown,
        S::CommunicationsInterrupted,
        S::RecoverWait,
    ] {
        let mut m = settled(Role::Primary, me, S::Paused);
        let actions = m.update_done(T0 + 10);
        assert_eq!(m.state(), me);
        assert_eq!(logs(&actions), ["failover peer fo: peer update completed."]);
        assert!(persisted(&actions).is_none());
    }
}

#[test]
fn entry_actions_follow_the_state_entered() {
    // NORMAL: balance, then the pending updates.
    let mut m = settled(Role::Primary, S::CommunicationsInterrupted, S::Paused);
    let actions = m.peer_state(S::Normal, false, T0 + 10);
    let tail: Vec<&Action> = actions
        .iter()
        .filter(|a| !matches!(a, Action::Log(..) | Action::Persist(_)))
        .collect();
    assert_eq!(
        tail,
        [
            &Action::SendState {
                state: S::Normal,
                startup: false,
                stos: T0 + 10
            },
            &Action::RunPoolBalance,
            &Action::SendPendingUpdates
        ]
    );
    // POTENTIAL-CONFLICT: the primary asks at once, the secondary waits for conflict-done.
    let mut m = settled(Role::Primary, S::PartnerDown, S::Paused);
    let actions = m.peer_state(S::PartnerDown, false, T0 + 10);
    assert_eq!(count(&actions, &Action::SendUpdReq), 1);
    assert_eq!(
        count(&actions, &Action::RescindUnacked),
        1,
        "leaving partner-down"
    );
    let mut m = settled(Role::Secondary, S::PartnerDown, S::Paused);
    assert_eq!(
        count(
            &m.peer_state(S::PartnerDown, false, T0 + 10),
            &Action::SendUpdReq
        ),
        0
    );
    let mut m = settled(Role::Secondary, S::CommunicationsInterrupted, S::Paused);
    assert_eq!(
        count(
            &m.peer_state(S::ConflictDone, false, T0 + 10),
            &Action::SendUpdReq
        ),
        1
    );
    // PARTNER-DOWN: expired leases are freed from its STOS on.
    let mut m = settled(Role::Primary, S::CommunicationsInterrupted, S::Paused);
    let actions = m.peer_state(S::Recover, false, T0 + 10);
    assert!(actions.contains(&Action::PartnerDownEntered {
        stos: T0 + 10,
        mclt: MCLT
    }));
    // RECOVER: UPDREQALL on entry if the link is up.
    let mut m = settled(Role::Primary, S::PotentialConflict, S::Paused);
    assert_eq!(
        count(
            &m.peer_state(S::Recover, false, T0 + 10),
            &Action::SendUpdReqAll
        ),
        1
    );
}

#[test]
fn auto_partner_down_fires_after_its_delay_unless_the_state_changes() {
    let with_auto = Settings {
        auto_partner_down: 300,
        ..settings(Role::Primary)
    };
    let saved = stanza(S::Normal, T0, S::Normal, None);
    let (mut m, _) = StateMachine::start(with_auto.clone(), Some(&saved), T0);
    m.link_up(None);
    m.peer_state(S::CommunicationsInterrupted, false, T0 + 1);
    m.link_lost(T0 + 100);
    assert_eq!(m.state(), S::CommunicationsInterrupted);
    assert_eq!(m.next_deadline(), Some(T0 + 400));
    assert!(m.poll(T0 + 399).is_empty());
    let actions = m.poll(T0 + 400);
    assert_eq!(m.state(), S::PartnerDown);
    assert!(logs(&actions).contains(
        &"failover peer fo: I move from communications-interrupted to partner-down".into()
    ));
    // Reconnecting before the delay cancels it.
    let (mut m, _) = StateMachine::start(with_auto, Some(&saved), T0);
    m.link_up(None);
    m.peer_state(S::CommunicationsInterrupted, false, T0 + 1);
    m.link_lost(T0 + 100);
    m.link_up(None);
    m.peer_state(S::Normal, false, T0 + 200);
    assert_eq!(m.state(), S::Normal);
    assert_eq!(m.next_deadline(), None);
    assert!(m.poll(T0 + 400).is_empty());
    // 0 (the default) never fires.
    let mut m = settled(Role::Primary, S::Normal, S::Normal);
    m.link_lost(T0 + 100);
    assert_eq!(m.next_deadline(), None);
}

#[test]
fn the_operators_partner_down_is_accepted_only_with_the_partner_unreachable() {
    let mut m = settled(Role::Primary, S::Normal, S::Normal);
    let refused = m.partner_down(T0 + 5).expect_err("normal");
    assert_eq!(refused.state, S::Normal);
    m.link_lost(T0 + 10);
    let actions = m
        .partner_down(T0 + 20)
        .expect("comm-interrupted, link down");
    assert_eq!(m.state(), S::PartnerDown);
    assert_eq!(m.my_stos(), T0 + 20);
    assert!(actions.contains(&Action::PartnerDownEntered {
        stos: T0 + 20,
        mclt: MCLT
    }));
    assert_eq!(m.partner_down(T0 + 30), Ok(Vec::new()), "already there");
    // Connected: refused.
    let mut m = settled(Role::Primary, S::CommunicationsInterrupted, S::Paused);
    assert_eq!(
        m.partner_down(T0 + 5).map_err(|e| e.why),
        Err("the partner is connected")
    );
    // Resolution-interrupted is accepted, unless the peer was in conflict-done.
    let mut m = settled(Role::Secondary, S::PotentialConflict, S::PotentialConflict);
    m.link_lost(T0 + 10);
    assert!(m.partner_down(T0 + 20).is_ok());
    let mut m = settled(Role::Secondary, S::PotentialConflict, S::ConflictDone);
    m.link_lost(T0 + 10);
    assert_eq!(m.state(), S::ResolutionInterrupted);
    assert!(m.partner_down(T0 + 20).is_err());
    for me in [S::Recover, S::RecoverWait, S::Shutdown, S::Paused] {
        let mut m = settled(Role::Primary, me, S::Paused);
        m.link_lost(T0 + 10);
        assert!(m.partner_down(T0 + 20).is_err(), "{me}");
    }
    let (mut m, _) = StateMachine::start(settings(Role::Primary), None, T0);
    assert!(m.partner_down(T0 + 1).is_err(), "startup");
}

#[test]
fn a_failed_write_refuses_the_transition_and_stops_service_until_a_write_succeeds() {
    let mut m = settled(Role::Primary, S::PartnerDown, S::CommunicationsInterrupted);
    assert!(m.may_serve());
    let actions = m.peer_state(S::Normal, false, T0 + 10);
    assert_eq!(
        persisted(&actions).map(|s| s.my.state),
        Some(S::PotentialConflict)
    );
    let failed = m.persist_failed(T0 + 10);
    assert_eq!(
        failed,
        [
            Action::Log(
                LogLevel::Error,
                "Unable to record current failover state for fo".into()
            ),
            Action::DropLink
        ]
    );
    assert_eq!(m.state(), S::PartnerDown, "the transition is refused");
    assert_eq!(m.partner_state(), S::CommunicationsInterrupted);
    assert_eq!(m.my_stos(), T0);
    assert!(!m.may_serve());
    assert_eq!(m.next_deadline(), Some(T0 + 10 + RECORD_RETRY_SECS));
    // The link goes; the retry records the state, and serving resumes once it is written.
    m.link_lost(T0 + 11);
    m.persist_failed(T0 + 11);
    let retry = m.poll(T0 + 11 + RECORD_RETRY_SECS);
    assert_eq!(persisted(&retry).map(|s| s.my.state), Some(S::PartnerDown));
    m.persist_succeeded();
    assert!(m.may_serve());
    assert_eq!(m.next_deadline(), None);
    // Reconnected, the same STATE is handled again.
    m.link_up(None);
    m.peer_state(S::Normal, false, T0 + 30);
    assert_eq!(m.state(), S::PotentialConflict);
}

#[test]
fn the_next_input_confirms_an_unreported_write() {
    let mut m = settled(Role::Primary, S::Normal, S::Normal);
    m.link_lost(T0 + 10);
    m.persist_failed(T0 + 10);
    assert!(!m.may_serve());
    let retry = m.poll(T0 + 10 + RECORD_RETRY_SECS);
    assert_eq!(
        persisted(&retry).map(|s| s.my.state),
        Some(S::CommunicationsInterrupted),
        "the retry runs the link-loss transition again"
    );
    assert!(!m.may_serve(), "not yet known to be written");
    m.poll(T0 + 20);
    assert!(m.may_serve());
    assert!(m.persist_failed(T0 + 21).is_empty(), "nothing outstanding");
}

#[test]
fn service_states_and_the_peer_override() {
    let cases = [
        (S::Normal, S::Normal, ServiceState::Cooperating),
        (
            S::CommunicationsInterrupted,
            S::Unknown,
            ServiceState::NotCooperating,
        ),
        (S::PartnerDown, S::Recover, ServiceState::PartnerDown),
        (
            S::Normal,
            S::PartnerDown,
            ServiceState::NotResponding(" (peer demands: recovering)"),
        ),
        (
            S::PartnerDown,
            S::PotentialConflict,
            ServiceState::NotResponding(" (peer demands: resolving conflicts)"),
        ),
        (
            S::CommunicationsInterrupted,
            S::ConflictDone,
            ServiceState::NotResponding(" (peer demands: resolving conflicts)"),
        ),
        (
            S::Recover,
            S::PartnerDown,
            ServiceState::NotResponding(" (recovering)"),
        ),
        (
            S::RecoverWait,
            S::Normal,
            ServiceState::NotResponding(" (recover wait)"),
        ),
        (
            S::ConflictDone,
            S::Normal,
            ServiceState::NotResponding(" (resolving conflicts)"),
        ),
        (
            S::Unknown,
            S::Normal,
            ServiceState::NotResponding(" (my state unknown)"),
        ),
        (S::Startup, S::Normal, ServiceState::Startup),
    ];
    for (me, partner, expected) in cases {
        assert_eq!(ServiceState::of(me, partner), expected, "{me}/{partner}");
    }
    let m = settled(Role::Primary, S::Normal, S::Normal);
    assert!(m.load_balances() && m.may_serve());
    assert!(m.expires_active_leases());
    assert!(!settled(Role::Secondary, S::Normal, S::Normal).expires_active_leases());
    assert!(
        settled(Role::Secondary, S::CommunicationsInterrupted, S::Paused).expires_active_leases()
    );
}

#[test]
fn peer_leases_become_usable_after_max_stos_tsfp_plus_mclt_in_partner_down() {
    let mclt = u64::from(MCLT);
    let mut m = settled(Role::Secondary, S::CommunicationsInterrupted, S::Paused);
    m.link_lost(T0 + 2);
    m.partner_down(T0 + 100).expect("accepted");
    let stos = T0 + 100;
    // tsfp before STOS: STOS + MCLT counts; strictly after.
    assert!(!m.may_allocate_peer_leases(T0, stos + mclt));
    assert!(m.may_allocate_peer_leases(T0, stos + mclt + 1));
    // tsfp after STOS: tsfp + MCLT counts.
    assert!(!m.may_allocate_peer_leases(stos + 500, stos + 500 + mclt));
    assert!(m.may_allocate_peer_leases(stos + 500, stos + 501 + mclt));
    assert!(m.may_reuse_transitional(stos, stos + 1));
    assert!(!m.may_reuse_transitional(stos + 1, stos + 1));
    assert!(m.frees_transitional_on_timer());
    // Never outside partner-down, and no overflow on `never`.
    assert!(!m.may_allocate_peer_leases(u64::MAX, u64::MAX));
    let c = settled(Role::Secondary, S::CommunicationsInterrupted, S::Paused);
    assert!(!c.may_allocate_peer_leases(0, T0 + 100_000));
    assert!(!c.may_reuse_transitional(0, T0 + 100_000));
}

#[test]
fn the_stanza_reports_the_saved_state_in_startup_and_mclt_on_the_secondary() {
    let saved = stanza(S::PartnerDown, T0 - 9, S::Recover, Some(45));
    let (m, _) = StateMachine::start(settings(Role::Secondary), Some(&saved), T0);
    assert_eq!(m.stanza(), saved);
    let mut text = String::new();
    crate::leases::write_failover(&mut text, &m.stanza());
    assert_eq!(
        text,
        "\nfailover peer \"fo\" state {\n  my state partner-down at 5 2027/01/15 07:59:51;\n  \
         partner state recover at 5 2027/01/15 07:59:51;\n  mclt 45;\n}\n"
    );
}

#[test]
fn after_shutdown_every_input_is_ignored_and_nothing_is_served() {
    let mut m = settled(Role::Primary, S::Normal, S::Normal);
    let actions = m.shutdown();
    assert_eq!(
        actions,
        [Action::Log(
            LogLevel::Info,
            "failover peer fo: stopping in state normal".into()
        )]
    );
    assert!(m.is_stopped() && !m.may_serve());
    assert_eq!(m.state(), S::Normal, "the recorded state stays");
    assert!(m.link_lost(T0 + 5).is_empty());
    assert!(m.peer_state(S::PartnerDown, false, T0 + 6).is_empty());
    assert!(m.poll(T0 + 1000).is_empty());
    assert!(m.partner_down(T0 + 1000).is_err());
    assert!(m.shutdown().is_empty());
    assert_eq!(m.next_deadline(), None);
}

#[test]
fn times_at_the_end_of_the_range_do_not_overflow() {
    let saved = stanza(S::RecoverWait, u64::MAX, S::Normal, Some(u32::MAX));
    let (mut m, _) = StateMachine::start(settings(Role::Secondary), Some(&saved), u64::MAX - 1);
    m.link_up(Some(u32::MAX));
    m.peer_state(S::PartnerDown, false, u64::MAX);
    m.poll(u64::MAX);
    assert_eq!(
        m.state(),
        S::RecoverDone,
        "STOS + MCLT saturates and is past"
    );
}
