//! The long mode's report: one Markdown section per pair, which `scripts/chaos.sh`
//! gathers into `docs/reliability.md` under the command that produced it.

use std::fmt::Write as _;

use crate::common::pair_check::median_max;
use crate::run::Config;
use crate::schedule::Kind;
use crate::verdict::{Analysis, GRACE, LossCause, SERVE_BOUND};

/// The section of one pair's run.
pub fn section(cfg: &Config, a: &Analysis) -> String {
    let mut s = String::new();
    let m = &cfg.model;
    let _ = writeln!(s, "## {}\n", a.pair);
    let _ = writeln!(
        s,
        "Seed {} (replay: `scripts/chaos.sh --pairs \"{}\" --seed {} --duration {}{}`), {:.0} s \
         of load; model: MCLT {} s, leases {}-{} s, split {}, max-response-delay {} s, \
         auto-partner-down {} s; {} + {} pool addresses (direct + relayed).\n",
        a.seed,
        a.pair,
        a.seed,
        cfg.duration.as_secs(),
        // The plan depends on the kinds drawn from, in their order: any other list must be
        // given again.
        if cfg.kinds[..] == crate::schedule::Kind::ALL[..] {
            String::new()
        } else {
            let names: Vec<&str> = cfg.kinds.iter().map(|k| k.name()).collect();
            format!(" --kinds \"{}\"", names.join(" "))
        },
        a.seconds,
        m.mclt,
        m.default_lease_time,
        m.max_lease_time,
        m.split,
        m.max_response_delay,
        m.auto_partner_down.unwrap_or(0),
        m.direct_pool,
        m.relayed_pool,
    );
    let tx: usize = a.transactions.values().map(|t| t.1).sum();
    let detail: Vec<String> = a
        .transactions
        .iter()
        .map(|(k, (ok, all))| {
            if k == "release" || k == "decline" {
                format!("{k} {all}")
            } else {
                format!("{k} {ok}/{all} ACKed")
            }
        })
        .collect();
    let count = |c: LossCause| a.lost.iter().filter(|(_, x)| *x == c).count();
    let (full, freed) = (
        count(LossCause::FullDisk),
        count(LossCause::FreedForSameClient),
    );
    let _ = writeln!(s, "| | |\n|---|---|");
    let _ = writeln!(s, "| distinct clients | {} |", a.clients);
    let _ = writeln!(s, "| client transactions | {tx} ({}) |", detail.join(", "));
    let _ = writeln!(s, "| ACKs on the wire | {} |", a.acks);
    let _ = writeln!(
        s,
        "| **duplicates** (target 0) | {} on the wire, {} in the lease files |",
        a.wire_duplicates.len(),
        a.file_duplicates.len()
    );
    let _ = writeln!(
        s,
        "| **lost leases** (target 0) | {} ({full} ACKed while the sender's lease folder was \
         full, {freed} freed for the same client: ISC's recovery-race signature) |",
        a.lost.len()
    );
    let _ = writeln!(
        s,
        "| ACKs sent while the sender's lease folder was full, for a lease not in its lease file (target 0) | {} |",
        a.unwritten_acks
    );
    let _ = writeln!(
        s,
        "| records cut inside a dhcpfo peer's lease file (unreadable at its next start; target 0) | {} |",
        a.torn_dhcpfo_records
    );
    let _ = writeln!(
        s,
        "| lease-file times off by a clock step | {} overlaps, {} short ends |",
        a.clock_duplicates.len(),
        a.clock_lost.len()
    );
    let _ = writeln!(
        s,
        "| client waits for a lease (DISCOVER to ACK, serving time) | {}, median {:.3} s, max \
         {:.1} s |",
        a.waits.0, a.waits.1, a.waits.2
    );
    let _ = writeln!(
        s,
        "| steady-state client outages > {GRACE} s | {} (max {:.1} s) |",
        a.steady.0, a.steady.1
    );
    let _ = writeln!(
        s,
        "| slower than MCLT + {SERVE_BOUND} s to serve again | {} |\n",
        a.slow.len()
    );
    let _ = writeln!(
        s,
        "| fault | injected | verified | unavailability per fault, median | max | client \
         outages > {GRACE} s | normal again after the heal, median | not normal in time |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|");
    for kind in Kind::ALL {
        let Some(k) = a.kinds.get(&kind) else {
            continue;
        };
        let (median, max) = median_max(&k.unavailability);
        let (settle, _) = median_max(&k.settle);
        let _ = writeln!(
            s,
            "| {} | {} | {} | {median:.1} s | {max:.1} s | {} | {settle:.1} s | {} |",
            kind.name(),
            k.injected,
            k.verified,
            k.outages,
            k.unsettled
        );
    }
    let findings = a.findings(25);
    if !findings.is_empty() {
        let _ = writeln!(s, "\nFindings:\n\n```text\n{}```", findings);
    }
    let _ = writeln!(
        s,
        "\n<details><summary>Faults in order</summary>\n\n```text\n{}\n```\n</details>\n",
        a.log.join("\n")
    );
    s
}

/// The table of fault kinds, for the report's introduction.
pub fn kinds_table() -> String {
    let mut s = String::from("| fault | what the harness does |\n|---|---|\n");
    for kind in Kind::ALL {
        let _ = writeln!(s, "| {} | {} |", kind.name(), kind.description());
    }
    s
}
