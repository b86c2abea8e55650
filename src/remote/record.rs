//! The record of the last restart dhcpfo made and verified on a peer (`.dhcpfo.state`, next to
//! dhcpd.conf), and the judgment of whether a peer runs what is on its disk.
//!
//! The record names the hashes of the live files at that restart and the dhcpd processes it
//! left running (the peer's boot id, and each process's PID and start time in clock ticks
//! since boot, from `/proc/PID/stat`), so that a dhcpd restarted since by anything else is
//! not taken as running what the record names.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::inspect::{Inspection, Process, Service};
use super::lock::parent;
use super::text::terminal_safe;
use super::{Target, files, shell_quote as q};
use crate::model::remote::DEFAULT_CONFIG_PATH;

/// The record of the last restart dhcpfo made and verified on a peer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct State {
    /// SHA-256 of each live file at that restart.
    pub files: BTreeMap<String, String>,
    /// The peer's clock then.
    pub restarted_at: u64,
    /// The lock id of the deploy that made it.
    pub deploy: String,
    /// The dhcpd processes running with this dhcpd.conf just after it, as [`ident_fn`] prints
    /// them (empty: none could be seen; absent in records of earlier versions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dhcpd: Option<String>,
}

/// The record's path for a peer.
pub(crate) fn state_path(target: &Target) -> String {
    format!(
        "{}/{}",
        parent(&target.config_path).trim_end_matches('/'),
        files::STATE_FILE
    )
}

/// The shell function `dhcpd_ident`: prints the peer's boot id, then ` PID:STARTTIME` for
/// each dhcpd started with this peer's dhcpd.conf (`-cf`, or none when it is dhcpd's
/// default), or nothing when none runs. Its output holds only hex digits, `-`, `:` and spaces.
pub(crate) fn ident_fn(target: &Target) -> String {
    let default = if target.config_path == DEFAULT_CONFIG_PATH {
        format!("[ -n \"$c\" ] || c={}; ", q(DEFAULT_CONFIG_PATH))
    } else {
        String::new()
    };
    format!(
        "dhcpd_ident() {{ o=''; for p in $(pgrep -x dhcpd 2>/dev/null); do \
         c=$(tr '\\0\\n' '\\n\\001' < /proc/$p/cmdline 2>/dev/null | sed -n '/^-cf$/{{n;p;q;}}'); \
         {default}[ \"$c\" = {path} ] || continue; \
         s=$(sed 's/.*) //' /proc/$p/stat 2>/dev/null | cut -d' ' -f20 | tr -cd 0-9); \
         [ -n \"$s\" ] && o=\"$o $p:$s\"; done; \
         if [ -n \"$o\" ]; then printf '%s%s' \"$(tr -cd 0-9a-f- < /proc/sys/kernel/random/boot_id 2>/dev/null)\" \"$o\"; fi; }}",
        path = q(&target.config_path),
    )
}

/// The command that writes the record of a verified restart atomically: `files` (the live
/// files' hashes), the peer's clock and the dhcpd processes then running. One group, to chain
/// with `&&`.
pub(crate) fn write_command(
    target: &Target,
    files: BTreeMap<String, String>,
    deploy: &str,
) -> Option<String> {
    const NOW: &str = "\"restarted_at\":0";
    const DHCPD: &str = "@DHCPD@";
    let state = State {
        files,
        restarted_at: 0,
        deploy: deploy.to_string(),
        dhcpd: Some(DHCPD.into()),
    };
    let json = serde_json::to_string(&state).ok()?;
    let (head, rest) = json.split_once(NOW)?;
    let (middle, tail) = rest.split_once(DHCPD)?;
    let path = state_path(target);
    Some(format!(
        "{{ {ident}; t=$(mktemp -- {tmp}) && printf '%s%s%s%s%s\\n' {h} \"$(date +%s)\" {m} \"$(dhcpd_ident)\" {t} > \"$t\" && chmod 0644 -- \"$t\" && mv -fT -- \"$t\" {p}; }}",
        ident = ident_fn(target),
        tmp = q(&format!("{path}.XXXXXXXX")),
        h = q(&format!("{head}\"restarted_at\":")),
        m = q(middle),
        t = q(tail),
        p = q(&path),
    ))
}

/// The PIDs an identity names, for messages.
fn pids(ident: &str) -> String {
    let pids: Vec<&str> = ident
        .split(' ')
        .skip(1)
        .filter_map(|p| p.split(':').next())
        .collect();
    pids.join(", ")
}

/// Whether a peer runs what is on its disk, and why dhcpfo thinks so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Runs {
    /// Yes: how it is known.
    Yes(String),
    /// No (a restart is due): why.
    No(String),
    /// It cannot be told: why.
    Unknown(String),
}

/// Judges whether a peer runs its live files. Its service must run (when its status command
/// was run). The record of the last restart dhcpfo verified must name the live files' hashes
/// and the dhcpd processes that run now; a dhcpd started since (by hand, by a crash and
/// restart) is judged as without a record: a dhcpd started with this dhcpd.conf must have
/// started after the files last changed. With neither a record nor such a process, it cannot
/// be told.
pub(crate) fn runs_what_is_on_disk(target: &Target, inspection: &Inspection) -> Runs {
    let status = || terminal_safe(&target.status_command);
    match inspection.service {
        Some(Service::Stopped(code)) => {
            return Runs::No(format!(
                "its service is not running: `{}` exits {code}",
                status()
            ));
        }
        Some(Service::Hung(secs)) => {
            return Runs::No(format!(
                "its status command `{}` did not answer within {secs} s (the peer killed it)",
                status()
            ));
        }
        Some(Service::Running) | None => {}
    }
    let config = terminal_safe(&target.config_path);
    let now = inspection.dhcpd.as_str();
    let mut started_how = "started";
    if let Some(state) = &inspection.state {
        let at = files::utc_text(state.restarted_at);
        for file in &inspection.files {
            let hash = file.content.as_deref().map(files::sha256);
            if state.files.get(&file.path) != hash.as_ref() {
                return Runs::No(format!(
                    "{} changed after the last restart dhcpfo made ({at})",
                    terminal_safe(&file.path)
                ));
            }
        }
        match state.dhcpd.as_deref().unwrap_or("") {
            "" if now.is_empty() => {
                return Runs::Yes(format!("restarted by dhcpfo with these files at {at}"));
            }
            recorded if recorded == now => {
                return Runs::Yes(format!(
                    "restarted by dhcpfo with these files at {at}, and the dhcpd it left running (pid {}) still runs",
                    pids(now)
                ));
            }
            recorded if now.is_empty() => {
                return Runs::Unknown(format!(
                    "the dhcpd that dhcpfo left running at its last restart ({at}, pid {}) no longer runs, and no dhcpd started with -cf {config} does",
                    pids(recorded)
                ));
            }
            // A dhcpd started since that restart, not by dhcpfo: judged by its start time.
            _ => started_how = "was started again after dhcpfo's last restart (not by dhcpfo)",
        }
    }
    let Some(process) = own_processes(target, inspection)
        .into_iter()
        .max_by_key(|p| p.elapsed)
    else {
        return Runs::Unknown(format!(
            "there is no record of a restart by dhcpfo ({}) and no dhcpd started with -cf {config} runs (or `pgrep` cannot see it)",
            terminal_safe(&state_path(target))
        ));
    };
    let started = inspection.now.saturating_sub(process.elapsed);
    let changed = inspection.files.iter().filter_map(|f| f.mtime).max();
    match changed {
        Some(changed) if changed > started + 1 => Runs::No(format!(
            "dhcpd (pid {}) {started_how} at {}, before the live files last changed ({})",
            process.pid,
            files::utc_text(started),
            files::utc_text(changed)
        )),
        _ => Runs::Yes(format!(
            "dhcpd (pid {}) {started_how} after the live files last changed",
            process.pid
        )),
    }
}

/// The dhcpd processes started with this peer's dhcpd.conf.
fn own_processes<'a>(target: &Target, inspection: &'a Inspection) -> Vec<&'a Process> {
    inspection
        .processes
        .iter()
        .filter(|p| p.config.as_deref().unwrap_or(DEFAULT_CONFIG_PATH) == target.config_path)
        .collect()
}

#[cfg(test)]
mod tests;
