//! The failover state machine end to end: two machines driven against each other through the
//! digest's §4.8 flows, the transitions ISC dhcpd 4.4.3 logged in the shared captures replayed
//! line for line, and the `failover peer "NAME" state` stanza handed between dhcpfo and ISC
//! (`dhcpd -T`, ISC dhcpd starting on a dhcpfo lease file, dhcpfo starting on ISC's files).

use crate::common;

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use dhcpfo::leases::{FailoverStanza, FailoverState as S, PeerState, Timestamp};
use dhcpfo::model::Role;
use dhcpfo::serve::failover::state::{Action, Settings, StateMachine};
use dhcpfo::serve::journal::Journal;

const T0: u64 = 1_800_000_000;

fn settings(name: &str, role: Role, mclt: u32) -> Settings {
    Settings {
        name: name.into(),
        role,
        mclt,
        auto_partner_down: 0,
    }
}

fn block<T>(rx: tokio::sync::oneshot::Receiver<T>) -> Option<T> {
    rx.blocking_recv().ok()
}

// ---------------------------------------------------------------------------------------
// Two machines talking: STATE and UPDDONE delivered in order over a link that can drop.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Msg {
    State(S, bool),
    UpdDone,
}

/// One peer: its machine, its lease file, and what it logged (with the time).
struct Peer {
    machine: StateMachine,
    journal: Journal,
    path: PathBuf,
    log: Vec<(u64, String)>,
    sent: Vec<Action>,
}

struct Pair {
    _dir: tempfile::TempDir,
    peers: Vec<Peer>,
    link: bool,
    queue: VecDeque<(usize, Msg)>,
}

impl Pair {
    /// Both peers started fresh at `now` (MCLT on the primary; the secondary learns it).
    fn fresh(mclt: u32, now: u64) -> Pair {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut pair = Pair {
            peers: vec![
                Self::peer(dir.path(), Role::Primary, mclt, now),
                Self::peer(dir.path(), Role::Secondary, 0, now),
            ],
            _dir: dir,
            link: false,
            queue: VecDeque::new(),
        };
        for i in 0..2 {
            let first = std::mem::take(&mut pair.peers[i].sent);
            pair.run(i, first, now);
        }
        pair
    }

    fn peer(dir: &Path, role: Role, mclt: u32, now: u64) -> Peer {
        let path = dir.join(format!("{}.leases", role.as_str()));
        let (journal, replay) = Journal::open(&path).expect("journal");
        let (machine, actions) =
            StateMachine::start(settings("pair", role, mclt), replay.failover.first(), now);
        Peer {
            machine,
            journal,
            path,
            log: Vec::new(),
            sent: actions,
        }
    }

    /// Restarts peer `i` (from its lease file, or without one if `amnesic`).
    fn restart(&mut self, i: usize, amnesic: bool, now: u64) {
        let role = self.peers[i].machine.settings().role;
        let mclt = self.peers[i].machine.settings().mclt;
        let path = self.peers[i].path.clone();
        let dir = path.parent().expect("folder").to_path_buf();
        // The old process is gone: its journal is closed before the new one opens the file.
        drop(self.peers.remove(i));
        if amnesic {
            std::fs::remove_file(&path).expect("remove the lease file");
        }
        self.peers.insert(i, Self::peer(&dir, role, mclt, now));
        let first = std::mem::take(&mut self.peers[i].sent);
        self.run(i, first, now);
    }

    fn m(&self, i: usize) -> &StateMachine {
        &self.peers[i].machine
    }

    fn states(&self) -> (S, S) {
        (self.m(0).state(), self.m(1).state())
    }

    /// Carries out the actions of peer `i`.
    fn run(&mut self, i: usize, actions: Vec<Action>, now: u64) {
        let other = 1 - i;
        for action in actions {
            match &action {
                Action::Persist(stanza) => {
                    let ok = block(self.peers[i].journal.record_failover(stanza));
                    assert_eq!(ok, Some(true), "the stanza is written");
                }
                Action::Log(_, line) => self.peers[i].log.push((now, line.clone())),
                Action::SendState { state, startup, .. } if self.link => {
                    self.queue.push_back((other, Msg::State(*state, *startup)));
                }
                // The peer answers with its updates, then UPDDONE.
                Action::SendUpdReq | Action::SendUpdReqAll if self.link => {
                    self.queue.push_back((i, Msg::UpdDone));
                }
                _ => {}
            }
            self.peers[i].sent.push(action);
        }
    }

    fn pump(&mut self, now: u64) {
        let mut steps = 0;
        while let Some((to, msg)) = self.queue.pop_front() {
            steps += 1;
            assert!(steps < 1000, "the exchange does not settle");
            let m = &mut self.peers[to].machine;
            let actions = match msg {
                Msg::State(state, startup) => m.peer_state(state, startup, now),
                Msg::UpdDone => m.update_done(now),
            };
            self.run(to, actions, now);
        }
    }

    /// CONNECT/CONNECTACK done: the secondary learns the MCLT and reports first, as ISC.
    fn connect(&mut self, now: u64) {
        self.link = true;
        let mclt = self.m(0).mclt();
        let s = self.peers[1].machine.link_up(Some(mclt));
        self.run(1, s, now);
        let p = self.peers[0].machine.link_up(None);
        self.run(0, p, now);
        self.pump(now);
    }

    fn disconnect(&mut self, now: u64) {
        self.link = false;
        self.queue.clear();
        for i in 0..2 {
            let actions = self.peers[i].machine.link_lost(now);
            self.run(i, actions, now);
        }
    }

    /// Fires every timer due up to `until`, in time order.
    fn advance(&mut self, until: u64) {
        loop {
            let due = (0..2)
                .filter_map(|i| self.m(i).next_deadline().map(|d| (d, i)))
                .filter(|(d, _)| *d <= until)
                .min();
            let Some((at, i)) = due else { break };
            let actions = self.peers[i].machine.poll(at);
            self.run(i, actions, at);
            self.pump(at);
        }
    }

    fn moves(&self, i: usize) -> Vec<String> {
        self.peers[i]
            .log
            .iter()
            .filter(|(_, l)| l.contains(": I move from "))
            .map(|(_, l)| {
                l.trim_start_matches("failover peer pair: I move from ")
                    .to_string()
            })
            .collect()
    }

    fn sent(&self, i: usize, wanted: &Action) -> usize {
        self.peers[i].sent.iter().filter(|a| *a == wanted).count()
    }

    /// Both peers' lease files replay to the state they are in.
    fn assert_recorded(&mut self) {
        for i in 0..2 {
            let path = self.peers[i].path.clone();
            let copy = path.with_extension("copy");
            std::fs::copy(&path, &copy).expect("copy");
            let (_j, replay) = Journal::open(&copy).expect("replays");
            assert_eq!(replay.failover, vec![self.m(i).stanza()], "peer {i}");
        }
    }
}

const P: usize = 0;
const SEC: usize = 1;

#[test]
fn a_fresh_pair_both_reach_normal_without_waiting_mclt() {
    let mut pair = Pair::fresh(3600, T0);
    assert_eq!(pair.states(), (S::Startup, S::Startup));
    assert!(!pair.m(P).may_serve() && !pair.m(SEC).may_serve());
    pair.connect(T0 + 1);
    assert_eq!(pair.states(), (S::Normal, S::Normal));
    for i in [P, SEC] {
        assert_eq!(
            pair.moves(i),
            [
                "recover to startup",
                "startup to recover",
                "recover to recover-done",
                "recover-done to normal"
            ],
            "peer {i}"
        );
        assert!(pair.m(i).may_serve() && pair.m(i).load_balances());
        assert_eq!(pair.sent(i, &Action::RunPoolBalance), 1);
    }
    assert!(pair.peers.iter().any(|p| {
        p.log
            .iter()
            .any(|(_, l)| l == "Both servers have entered recover-done!")
    }));
    // The secondary learned and recorded the primary's MCLT; the primary records none.
    assert_eq!(pair.m(SEC).stanza().mclt, Some(3600));
    assert_eq!(pair.m(P).stanza().mclt, None);
    pair.assert_recorded();
}

#[test]
fn an_amnesic_secondary_waits_exactly_mclt_in_recover_wait() {
    let mclt = 600;
    let mut pair = Pair::fresh(mclt, T0);
    pair.connect(T0 + 1);
    let down = T0 + 1000;
    pair.disconnect(down);
    assert_eq!(
        pair.states(),
        (S::CommunicationsInterrupted, S::CommunicationsInterrupted)
    );
    pair.peers[P]
        .machine
        .partner_down(down + 60)
        .map(|a| pair.run(P, a, down + 60))
        .expect("partner-down accepted");
    assert_eq!(pair.m(P).state(), S::PartnerDown);
    // The secondary comes back without its lease file.
    let restart = down + 300;
    pair.restart(SEC, true, restart);
    assert_eq!(pair.m(SEC).saved_state(), Some(S::Recover));
    assert_eq!(pair.m(SEC).my_stos(), restart);
    pair.connect(restart + 1);
    assert_eq!(pair.states(), (S::PartnerDown, S::RecoverWait));
    assert!(!pair.m(SEC).may_serve());
    assert_eq!(pair.sent(SEC, &Action::SendUpdReqAll), 1);
    // Nothing happens until STOS + MCLT, then recover-done, normal on both sides.
    let end = restart + u64::from(mclt);
    assert_eq!(pair.m(SEC).next_deadline(), Some(end));
    pair.advance(end - 1);
    assert_eq!(pair.states(), (S::PartnerDown, S::RecoverWait));
    pair.advance(end);
    assert_eq!(pair.states(), (S::Normal, S::Normal));
    let waited: Vec<u64> = pair.peers[SEC]
        .log
        .iter()
        .filter(|(_, l)| l.ends_with("I move from recover-wait to recover-done"))
        .map(|(t, _)| *t - restart)
        .collect();
    assert_eq!(waited, [u64::from(mclt)]);
    assert_eq!(
        pair.moves(SEC),
        [
            "recover to startup",
            "startup to recover",
            "recover to recover-wait",
            "recover-wait to recover-done",
            "recover-done to normal"
        ]
    );
    assert_eq!(
        pair.moves(P)[4..],
        [
            "normal to communications-interrupted",
            "communications-interrupted to partner-down",
            "partner-down to normal"
        ]
    );
    pair.assert_recorded();
}

#[test]
fn a_link_outage_interrupts_and_the_reconnect_returns_to_normal() {
    let mut pair = Pair::fresh(3600, T0);
    pair.connect(T0 + 1);
    pair.disconnect(T0 + 100);
    for i in [P, SEC] {
        let m = pair.m(i);
        assert_eq!(m.state(), S::CommunicationsInterrupted);
        assert!(m.may_serve() && !m.load_balances());
        assert!(!m.may_allocate_peer_leases(0, T0 + 100_000));
        assert_eq!(
            pair.sent(i, &Action::RescindUnacked),
            1,
            "unacked updates rescinded"
        );
    }
    pair.advance(T0 + 500);
    assert_eq!(
        pair.states(),
        (S::CommunicationsInterrupted, S::CommunicationsInterrupted)
    );
    pair.connect(T0 + 500);
    assert_eq!(pair.states(), (S::Normal, S::Normal));
    for i in [P, SEC] {
        assert_eq!(
            pair.moves(i)[4..],
            [
                "normal to communications-interrupted",
                "communications-interrupted to normal"
            ]
        );
        assert_eq!(
            pair.sent(i, &Action::SendPendingUpdates),
            2,
            "again on re-entering normal"
        );
        assert!(
            pair.peers[i]
                .log
                .iter()
                .any(|(t, l)| *t == T0 + 500 && l == "failover peer pair: Both servers normal")
        );
    }
    // Restarted from their lease files, both are normal again at once.
    pair.disconnect(T0 + 600);
    pair.restart(P, false, T0 + 700);
    pair.restart(SEC, false, T0 + 700);
    assert_eq!(pair.m(P).saved_state(), Some(S::CommunicationsInterrupted));
    pair.connect(T0 + 701);
    assert_eq!(pair.states(), (S::Normal, S::Normal));
    pair.assert_recorded();
}

#[test]
fn conflict_resolution_runs_through_potential_conflict_and_conflict_done() {
    let mut pair = Pair::fresh(3600, T0);
    pair.connect(T0 + 1);
    pair.disconnect(T0 + 100);
    for i in [P, SEC] {
        let actions = pair.peers[i]
            .machine
            .partner_down(T0 + 110)
            .expect("accepted");
        pair.run(i, actions, T0 + 110);
    }
    assert_eq!(pair.states(), (S::PartnerDown, S::PartnerDown));
    pair.connect(T0 + 200);
    assert_eq!(pair.states(), (S::Normal, S::Normal));
    assert_eq!(
        pair.moves(P)[4..],
        [
            "normal to communications-interrupted",
            "communications-interrupted to partner-down",
            "partner-down to potential-conflict",
            "potential-conflict to conflict-done",
            "conflict-done to normal"
        ]
    );
    assert_eq!(
        pair.moves(SEC)[4..],
        [
            "normal to communications-interrupted",
            "communications-interrupted to partner-down",
            "partner-down to potential-conflict",
            "potential-conflict to normal"
        ]
    );
    // The primary asks first; the secondary asks once the primary is conflict-done.
    assert_eq!(pair.sent(P, &Action::SendUpdReq), 1);
    assert_eq!(pair.sent(SEC, &Action::SendUpdReq), 1);
    assert!(
        pair.peers
            .iter()
            .all(|p| !p.sent.iter().any(|a| matches!(a, Action::Fatal(_))))
    );
    pair.assert_recorded();
}

// ---------------------------------------------------------------------------------------
// The captures: ISC dhcpd 4.4.3's own transitions, replayed.

/// The shared captures beside the repository, or `None` (a failure under `CI=true`).
fn captures_or_skip(test: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/captures/failover");
    if dir.join("logs").is_dir() && dir.join("state").is_dir() {
        return Some(dir);
    }
    if common::in_ci() {
        panic!(
            "{test}: the failover captures are missing at {} and CI=true",
            dir.display()
        );
    }
    eprintln!(
        "note: {test}: skipped, no failover captures at {}",
        dir.display()
    );
    None
}

/// Seconds of `HH:MM:SS` on the capture day (2026-12-02, UTC); fractions are dropped.
fn at(clock: &str) -> u64 {
    let mut parts = clock.split(':').map(|p| p.split('.').next().unwrap_or(p));
    let mut next = || -> u8 { parts.next().and_then(|p| p.parse().ok()).expect("HH:MM:SS") };
    let (h, m, s) = (next(), next(), next());
    Timestamp::from_civil(2026, 12, 2, h, m, s)
        .expect("a time")
        .0
}

/// The state machine's lines of an ISC log (what [`StateMachine`] logs too).
fn is_state_line(line: &str) -> bool {
    [
        ": I move from ",
        ": peer moves from ",
        ": Both servers normal",
        "Both servers have entered recover-done!",
        ": requesting full update from peer",
        ": peer update completed.",
        ": disconnected",
        ": Invalid state",
        "Spurious update-done message.",
        ": Unexpected move to conflict-done.",
        "during conflict resolution - panic",
        "this is illegal.",
    ]
    .iter()
    .any(|needle| line.contains(needle))
}

/// Replays a script against one side and compares its state lines, with their second, to the
/// capture log `logs/NAME-ROLE.log`.
///
/// Script lines are `HH:MM:SS event`: `start fresh`, `start MY@HH:MM:SS PARTNER@HH:MM:SS`,
/// `up`, `lost`, `peer STATE [startup]`, `done` (UPDDONE), `partner-down`, `clear` (forget
/// what was logged so far: the set-up before the scenario), `end` (only the timers). Timers
/// due before each event fire first, at their own time.
fn replay(captures: &Path, scenario: &str, role: Role, name: &str, script: &str) {
    let log_path = captures.join(format!("logs/{scenario}-{}.log", role.as_str()));
    let text = std::fs::read_to_string(&log_path)
        .unwrap_or_else(|e| panic!("{}: {e}", log_path.display()));
    let expected: Vec<(u64, String)> = text
        .lines()
        .filter_map(|l| l.split_once(' '))
        .filter(|(_, line)| is_state_line(line))
        .map(|(clock, line)| (at(clock), line.to_string()))
        .collect();
    assert!(
        !expected.is_empty(),
        "{scenario}: no state lines in the log"
    );
    // The lab's MCLT: 60 on the primary, learned from CONNECT by the secondary.
    let mclt = 60;
    let conf = settings(name, role, if role == Role::Primary { mclt } else { 0 });
    let mut machine: Option<StateMachine> = None;
    let mut got: Vec<(u64, String)> = Vec::new();
    let keep = |actions: Vec<Action>, now: u64, got: &mut Vec<(u64, String)>| {
        for action in actions {
            if let Action::Log(_, line) = action {
                got.push((now, line));
            }
        }
    };
    for line in script.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let mut words = line.split_whitespace();
        let now = at(words.next().expect("a time"));
        let event = words.next().expect("an event");
        let args: Vec<&str> = words.collect();
        if let Some(m) = machine.as_mut() {
            while let Some(due) = m.next_deadline().filter(|d| *d <= now) {
                let actions = m.poll(due);
                keep(actions, due, &mut got);
            }
        }
        if event == "start" {
            let saved = match args.as_slice() {
                ["fresh"] => None,
                [mine, partner] => {
                    let state = |word: &str| -> PeerState {
                        let (s, t) = word.split_once('@').expect("STATE@HH:MM:SS");
                        PeerState {
                            state: s.parse().expect("a state"),
                            at: Timestamp(at(t)),
                        }
                    };
                    Some(FailoverStanza {
                        peer: name.into(),
                        my: state(mine),
                        partner: state(partner),
                        mclt: (role == Role::Secondary).then_some(mclt),
                    })
                }
                _ => panic!("start fresh | start MY@T PARTNER@T"),
            };
            let (m, actions) = StateMachine::start(conf.clone(), saved.as_ref(), now);
            machine = Some(m);
            keep(actions, now, &mut got);
            continue;
        }
        let m = machine.as_mut().expect("started");
        let actions = match (event, args.as_slice()) {
            ("up", []) => m.link_up((role == Role::Secondary).then_some(mclt)),
            ("lost", []) => m.link_lost(now),
            ("peer", [state, flags @ ..]) => {
                m.peer_state(state.parse().expect("a state"), flags == ["startup"], now)
            }
            ("done", []) => m.update_done(now),
            ("partner-down", []) => m.partner_down(now).expect("partner-down accepted"),
            ("clear", []) => {
                got.clear();
                Vec::new()
            }
            ("end", []) => Vec::new(),
            _ => panic!("unknown script line: {line}"),
        };
        keep(actions, now, &mut got);
    }
    let show = |lines: &[(u64, String)]| {
        lines
            .iter()
            .map(|(t, l)| format!("{} {l}", Timestamp(*t)))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let ours: Vec<(u64, String)> = got.into_iter().filter(|(_, l)| is_state_line(l)).collect();
    assert_eq!(
        ours,
        expected,
        "{scenario} {}: dhcpfo logged\n{}\nISC logged\n{}",
        role.as_str(),
        show(&ours),
        show(&expected)
    );
}

/// [`replay`] for relationship `dhcp-failover`, the name in every scenario but 6.
fn side(captures: &Path, scenario: &str, role: Role, script: &str) {
    replay(captures, scenario, role, "dhcp-failover", script);
}

/// A peer that has been in NORMAL since 08:21:21 (scenario 1), the clear line included.
const RUNNING: &str = "
    08:21:21 start normal@08:21:21 normal@08:21:21
    08:21:21 up
    08:21:21 peer normal
    08:21:21 clear
";

#[test]
fn capture_1_fresh_pair_startup() {
    let Some(dir) = captures_or_skip("capture_1_fresh_pair_startup") else {
        return;
    };
    let script = |start: &str| {
        format!(
            "{start} start fresh
            08:21:21 up
            08:21:21 peer recover startup
            08:21:21 peer recover
            08:21:21 done
            08:21:21 peer recover-done
            08:21:21 peer normal"
        )
    };
    replay(
        &dir,
        "1-startup",
        Role::Primary,
        "dhcp-failover",
        &script("08:21:20"),
    );
    replay(
        &dir,
        "1-startup",
        Role::Secondary,
        "dhcp-failover",
        &script("08:21:21"),
    );
}

#[test]
fn capture_4_secondary_killed_and_restarted() {
    let Some(dir) = captures_or_skip("capture_4_secondary_killed_and_restarted") else {
        return;
    };
    let primary = format!(
        "{RUNNING}
        08:23:40 lost
        08:23:54 up
        08:23:54 peer normal startup
        08:23:54 peer normal"
    );
    side(&dir, "4-kill-restart", Role::Primary, &primary);
    let secondary = "
        08:23:54 start normal@08:21:21 normal@08:21:21
        08:23:54 up
        08:23:54 peer communications-interrupted
        08:23:54 peer normal";
    side(&dir, "4-kill-restart", Role::Secondary, secondary);
}

#[test]
fn capture_5_partner_down_then_the_secondary_returns() {
    let Some(dir) = captures_or_skip("capture_5_partner_down_then_the_secondary_returns") else {
        return;
    };
    let primary = format!(
        "{RUNNING}
        08:24:45 lost
        08:24:48 partner-down
        08:24:53 up
        08:24:53 peer normal startup
        08:24:53 peer recover
        08:24:53 peer recover-done
        08:24:53 peer normal"
    );
    side(&dir, "5-partner-down", Role::Primary, &primary);
    // Its old STOS (08:21:21) + MCLT is long past: no RECOVER-WAIT.
    let secondary = "
        08:24:53 start normal@08:21:21 normal@08:23:54
        08:24:53 up
        08:24:53 peer partner-down
        08:24:53 done
        08:24:53 peer normal";
    side(&dir, "5-partner-down", Role::Secondary, secondary);
}

#[test]
fn capture_5b_amnesic_secondary_recover_wait() {
    let Some(dir) = captures_or_skip("capture_5b_amnesic_secondary_recover_wait") else {
        return;
    };
    let primary = format!(
        "{RUNNING}
        08:27:18 lost
        08:27:21 partner-down
        08:27:24 up
        08:27:24 peer recover startup
        08:27:24 peer recover
        08:27:24 peer recover-wait
        08:28:24 peer recover-done
        08:28:24 peer normal"
    );
    side(
        &dir,
        "5b-partner-down-recover-wait",
        Role::Primary,
        &primary,
    );
    // RECOVER-WAIT ends on the timer at STOS (the start) + MCLT, 08:28:24, as ISC's did.
    let secondary = "
        08:27:24 start fresh
        08:27:24 up
        08:27:24 peer partner-down
        08:27:24 done
        08:28:24 peer normal";
    side(
        &dir,
        "5b-partner-down-recover-wait",
        Role::Secondary,
        secondary,
    );
}

#[test]
fn capture_6_wrong_name_startup_times_out() {
    let Some(dir) = captures_or_skip("capture_6_wrong_name_startup_times_out") else {
        return;
    };
    let primary = format!("{RUNNING}\n08:28:48 lost");
    side(&dir, "6-disconnect-wrongname", Role::Primary, &primary);
    // Every CONNECT is rejected: no link, and STARTUP ends after 15 s.
    let secondary = "
        08:28:51 start fresh
        08:29:20 end";
    replay(
        &dir,
        "6-disconnect-wrongname",
        Role::Secondary,
        "dhcp-failover-x",
        secondary,
    );
}

#[test]
fn capture_7_stopped_secondary_looks_like_a_crash() {
    let Some(dir) = captures_or_skip("capture_7_stopped_secondary_looks_like_a_crash") else {
        return;
    };
    for (scenario, lost, back) in [
        ("7-graceful-stop", "08:30:08", "08:30:12"),
        ("7b-sigint-stop", "08:33:20", "08:33:24"),
    ] {
        let primary = format!(
            "{RUNNING}
            {lost} lost
            {back} up
            {back} peer normal startup
            {back} peer normal"
        );
        side(&dir, scenario, Role::Primary, &primary);
        // The stopped ISC recorded nothing on the way out: it restarts from normal.
        let secondary = format!(
            "{back} start normal@08:28:24 normal@08:28:24
            {back} up
            {back} peer communications-interrupted
            {back} peer normal"
        );
        side(&dir, scenario, Role::Secondary, &secondary);
    }
    let primary = format!("{RUNNING}\n08:34:29 lost");
    side(&dir, "7c-sigterm-no-debug", Role::Primary, &primary);
}

#[test]
fn capture_8_both_partner_down_conflict_resolution() {
    let Some(dir) = captures_or_skip("capture_8_both_partner_down_conflict_resolution") else {
        return;
    };
    let primary = format!(
        "{RUNNING}
        08:35:49 lost
        08:35:55 partner-down
        08:35:58 up
        08:35:58 peer partner-down
        08:35:58 peer potential-conflict
        08:35:58 done
        08:35:58 peer normal"
    );
    side(&dir, "8-conflict-updreq", Role::Primary, &primary);
    let secondary = format!(
        "{RUNNING}
        08:35:49 lost
        08:35:55 partner-down
        08:35:58 up
        08:35:58 peer partner-down
        08:35:58 peer potential-conflict
        08:35:58 peer conflict-done
        08:35:58 done
        08:35:58 peer normal"
    );
    side(&dir, "8-conflict-updreq", Role::Secondary, &secondary);
}

// ---------------------------------------------------------------------------------------
// The stanza between dhcpfo and ISC.

/// The last `failover peer "NAME" state { ... }` block of an ISC lease file, read line by
/// line without the lease parser: (name, my state, my time, partner state, partner time, mclt).
fn last_stanza_text(text: &str) -> Option<(String, String, String, String, String, Option<u32>)> {
    let start = text.rfind("\nfailover peer \"")? + 1;
    let block = &text[start..];
    let block = &block[..block.find("\n}")?];
    let name = block.split('"').nth(1)?.to_string();
    let field = |prefix: &str| -> Option<(String, String)> {
        let line = block.lines().find_map(|l| l.trim().strip_prefix(prefix))?;
        let (state, time) = line.trim_end_matches(';').split_once(" at ")?;
        Some((state.to_string(), time.to_string()))
    };
    let (my, my_at) = field("my state ")?;
    let (partner, partner_at) = field("partner state ")?;
    let mclt = block
        .lines()
        .find_map(|l| l.trim().strip_prefix("mclt "))
        .and_then(|v| v.trim_end_matches(';').parse().ok());
    Some((name, my, my_at, partner, partner_at, mclt))
}

#[test]
fn iscs_lease_files_are_resumed_with_the_same_state_partner_and_mclt() {
    let Some(dir) =
        captures_or_skip("iscs_lease_files_are_resumed_with_the_same_state_partner_and_mclt")
    else {
        return;
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("state"))
        .expect("state folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.contains(".leases") && !n.starts_with("cl-"))
        })
        .collect();
    files.sort();
    let scratch = tempfile::tempdir().expect("tempdir");
    let mut checked = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).expect("readable");
        if !text.contains("failover peer") {
            // ISC's backup of a file from before the first stanza.
            continue;
        }
        checked += 1;
        let (name, my, my_at, partner, partner_at, mclt) =
            last_stanza_text(&text).expect("a failover stanza");
        let role = if file.to_string_lossy().contains("primary") {
            Role::Primary
        } else {
            Role::Secondary
        };
        assert_eq!(
            mclt.is_some(),
            role == Role::Secondary,
            "{}",
            file.display()
        );
        let copy = scratch.path().join("dhcpd.leases");
        std::fs::write(&copy, &text).expect("copy");
        let (journal, replay) = Journal::open(&copy).expect("dhcpfo reads ISC's file");
        drop(journal);
        assert_eq!(replay.failover.len(), 1);
        let stanza = &replay.failover[0];
        assert_eq!(stanza.peer, name);
        assert_eq!(
            (stanza.my.state.as_str(), stanza.my.at.to_string()),
            (my.as_str(), my_at.clone()),
            "{}",
            file.display()
        );
        assert_eq!(
            (stanza.partner.state.as_str(), stanza.partner.at.to_string()),
            (partner.as_str(), partner_at.clone())
        );
        assert_eq!(stanza.mclt, mclt);
        // Started on it, dhcpfo resumes ISC's state, STOS, partner and (non-zero) MCLT.
        let (machine, actions) = StateMachine::start(settings(&name, role, 60), Some(stanza), T0);
        assert_eq!(machine.saved_state().map(|s| s.as_str()), Some(my.as_str()));
        let resumed = machine.stanza();
        assert_eq!((resumed.my, resumed.partner), (stanza.my, stanza.partner));
        match mclt {
            Some(0) => assert_eq!(resumed.mclt, Some(60), "the model's MCLT, not ISC's 0"),
            other => assert_eq!(resumed.mclt, other),
        }
        assert!(matches!(actions.first(), Some(Action::Persist(s)) if *s == resumed));
    }
    assert!(checked >= 5, "only {checked} lease files with a stanza");
}

/// A dhcpd.conf for relationship "fo" in `role`, on 10.77.0.0/24 (this host .2, peer .3).
fn isc_conf(role: Role) -> String {
    let role_lines = match role {
        Role::Primary => "primary;\n  mclt 600;\n  split 128;",
        Role::Secondary => "secondary;",
    };
    format!(
        "failover peer \"fo\" {{
  {role_lines}
  address 10.77.0.2;
  port 8647;
  peer address 10.77.0.3;
  peer port 8647;
  max-response-delay 30;
  max-unacked-updates 10;
  load balance max seconds 3;
}}
subnet 10.77.0.0 netmask 255.255.255.0 {{
  pool {{
    failover peer \"fo\";
    range 10.77.0.50 10.77.0.90;
  }}
}}
"
    )
}

/// A lease file written by dhcpfo's journal from a machine driven into partner-down; the
/// stanza it recorded last.
fn dhcpfo_lease_file(path: &Path, role: Role, now: u64) -> FailoverStanza {
    let (mut journal, _) = Journal::open(path).expect("journal");
    let saved = FailoverStanza {
        peer: "fo".into(),
        my: PeerState {
            state: S::Normal,
            at: Timestamp(now - 7200),
        },
        partner: PeerState {
            state: S::Normal,
            at: Timestamp(now - 7100),
        },
        mclt: (role == Role::Secondary).then_some(600),
    };
    let mut all = Vec::new();
    let (mut m, actions) = StateMachine::start(settings("fo", role, 600), Some(&saved), now - 100);
    all.extend(actions);
    all.extend(m.link_up((role == Role::Secondary).then_some(600)));
    all.extend(m.peer_state(S::Normal, true, now - 90));
    all.extend(m.link_lost(now - 80));
    all.extend(m.partner_down(now - 70).expect("accepted"));
    let mut last = None;
    for action in all {
        if let Action::Persist(stanza) = action {
            assert_eq!(block(journal.record_failover(&stanza)), Some(true));
            last = Some(stanza);
        }
    }
    journal.close();
    let last = last.expect("recorded");
    assert_eq!(last.my.state, S::PartnerDown);
    last
}

#[test]
fn dhcpd_t_accepts_the_stanzas_dhcpfo_writes() {
    let Some(dhcpd) = common::dhcpd_or_skip("dhcpd_t_accepts_the_stanzas_dhcpfo_writes") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let now = Timestamp::now().0;
    let test = |role: Role, leases: &Path| -> String {
        let conf = dir.path().join(format!("{}.conf", role.as_str()));
        std::fs::write(&conf, isc_conf(role)).expect("conf");
        let output = Command::new(&dhcpd)
            .args(["-T", "-4", "-cf"])
            .arg(&conf)
            .arg("-lf")
            .arg(leases)
            .arg("-pf")
            .arg(dir.path().join("dhcpd.pid"))
            .output()
            .expect("dhcpd runs");
        assert!(output.status.success(), "{output:?}");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    for role in Role::BOTH {
        let leases = dir.path().join(format!("{}.leases", role.as_str()));
        let stanza = dhcpfo_lease_file(&leases, role, now);
        let text = std::fs::read_to_string(&leases).expect("written");
        assert!(text.contains("failover peer \"fo\" state {"));
        assert_eq!(
            text.contains("mclt 600;"),
            role == Role::Secondary,
            "{text}"
        );
        assert_eq!(stanza.mclt.is_some(), role == Role::Secondary);
        let log = test(role, &leases);
        assert!(
            log.contains("Lease file test successful") && !log.contains(" line "),
            "dhcpd -T ({}) found errors:\n{log}\n--- file ---\n{}",
            role.as_str(),
            common::numbered(&text)
        );
    }
    // The check can fail: ISC refuses an MCLT in a primary's stanza, which is why dhcpfo
    // writes none there.
    let bad = dir.path().join("bad.leases");
    let mut text = std::fs::read_to_string(dir.path().join("primary.leases")).expect("written");
    text = text.replacen("\n}\n", "\n  mclt 600;\n}\n", 1);
    std::fs::write(&bad, text).expect("written");
    let log = test(Role::Primary, &bad);
    assert!(log.contains("mclt not valid for primary"), "{log}");
}

#[test]
fn isc_dhcpd_resumes_from_a_dhcpfo_lease_file() {
    let test = "isc_dhcpd_resumes_from_a_dhcpfo_lease_file";
    if !common::netns::tools_or_skip(test, &["dhcpd", "ip"]) {
        return;
    }
    let Some(lab) = common::netns::Lab::builder("fost")
        .host("isc", Some("10.77.0.2/24"))
        .build_or_skip(test)
    else {
        return;
    };
    let now = Timestamp::now().0;
    for role in Role::BOTH {
        let name = format!("isc-{}", role.as_str());
        let leases = lab.dir().join(format!("{name}.leases"));
        let ours = dhcpfo_lease_file(&leases, role, now);
        let dhcpd = lab.dhcpd("isc", &name, &isc_conf(role));
        let moved = "failover peer fo: I move from partner-down to startup";
        let started = dhcpd.proc.wait_for_log(moved, Duration::from_secs(20));
        let log = dhcpd.proc.log_text();
        lab.kill(&dhcpd.proc);
        assert!(
            started,
            "ISC dhcpd ({}) did not resume partner-down:\n{log}",
            role.as_str()
        );
        // ISC rewrote the file at start: its stanza is ours, field for field.
        let text = std::fs::read_to_string(&dhcpd.leases).expect("ISC's lease file");
        assert!(
            text.contains("written by isc-dhcp-"),
            "not rewritten by ISC:\n{text}"
        );
        let (peer, my, my_at, partner, partner_at, mclt) =
            last_stanza_text(&text).expect("ISC wrote a stanza");
        assert_eq!(peer, "fo");
        assert_eq!(
            (my.as_str(), my_at),
            (ours.my.state.as_str(), ours.my.at.to_string())
        );
        assert_eq!(
            (partner.as_str(), partner_at),
            (ours.partner.state.as_str(), ours.partner.at.to_string())
        );
        assert_eq!(mclt, ours.mclt, "{text}");
    }
}
