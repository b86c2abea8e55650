//! ISC's lease rules for a failover pool, as pure functions of their inputs (digest §5, §7,
//! §8): which binding-state change from the partner is accepted, which of two duelling
//! updates wins, which lease is mine to hand out, the MCLT clamp on lease times, and where a
//! client's lease naturally belongs under the hash bucket assignment.

use super::wire::{HBA_LEN, load_balance_hash, primary_serves};
use crate::leases::BindingState as S;
use crate::model::Role;

/// How early (in whole seconds, by the sender's clock) an expiry may come: ISC times are
/// seconds, and a timer fires within the second.
pub const EXPIRY_ROUNDING: u64 = 1;

/// The times of a BNDUPD that the acceptance rules look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpdateTimes {
    /// The potential-expiration-time (0 if absent).
    pub pexp: u64,
    /// The lease-expiration-time of the partner's binding (0 if absent).
    pub ends: u64,
    /// The partner's clock when it sent the update (the header's time).
    pub sent: u64,
}

/// The state a BNDUPD from the partner may put a lease in: `incoming` if accepted, else the
/// local state (the caller rejects with reason 2). `normal` says whether my failover state is
/// NORMAL (ISC `normal_binding_state_transition_check`), otherwise the looser rules of the
/// other states apply (`conflict_binding_state_transition_check`). `ends` is the local end.
///
/// dhcpfo differs from ISC on an active lease: an EXPIRED, FREE or BACKUP update for it is
/// refused until its end has passed by our clock (within the second), and an EXPIRED one
/// also while the partner's binding ends before ours or, by the partner's own clock (the
/// header time), our lease has not ended yet. ISC takes an expiry whenever its own end is
/// within 65 s ("60 s of skew plus a fudge") and loses the running lease: a partner whose
/// clock runs ahead ends our clients' leases early (chaos seed 1796399247: a primary 50 s
/// ahead expired the secondary's clients, which the secondary then gave to others), and so
/// do a peer restarting from a stale lease file and ISC 4.4.3 right after its recovery.
/// The other side of skew, a partner behind us, is the expiry timer's
/// ([`crate::serve::failover::peer::Clocks::expiry_hold`]).
pub fn accepted_state(
    normal: bool,
    role: Role,
    local: S,
    incoming: S,
    times: UpdateTimes,
    ends: u64,
    now: u64,
) -> S {
    if local == incoming {
        return incoming;
    }
    let pexp = times.pexp;
    let stale = (times.ends != 0 && times.ends < ends)
        || (times.sent != 0 && times.sent.saturating_add(EXPIRY_ROUNDING) < ends);
    let over = ends <= now.saturating_add(EXPIRY_ROUNDING);
    let expiry_agreed = over && !stale;
    if !normal {
        return match (local, incoming) {
            (S::Active, S::Free | S::Backup) => local,
            (S::Active, S::Expired) if !expiry_agreed => local,
            _ => incoming,
        };
    }
    let peer_agrees_expired = pexp <= now;
    match (local, incoming) {
        // Free (or abandoned, treated as free): whatever the partner did, ISC takes it.
        (S::Free | S::Abandoned, _) => incoming,
        // The secondary cannot change an active lease, except for what the client did at it.
        (S::Active, S::Released | S::Abandoned) if role == Role::Primary => incoming,
        (S::Active, _) if role == Role::Primary => local,
        (S::Active, S::Free | S::Backup) if !(peer_agrees_expired && over) => local,
        (S::Active, S::Expired) if !expiry_agreed => local,
        (S::Active, _) => incoming,
        (S::Expired | S::Reset, S::Free | S::Backup) if !peer_agrees_expired => local,
        (S::Expired | S::Reset | S::Released | S::Backup, _) => incoming,
    }
}

/// Whether my own pending update of a lease beats the partner's duelling one (ISC
/// `failover_lease_is_better`; `true`: reject theirs with reason 16). `local` is the state my
/// update carries; CLTTs are 0 when absent.
///
/// One rule is dhcpfo's, not ISC's: my ACTIVE lease beats a release (or any other end but
/// an expiry) no newer than its client's last transaction. ISC lets the primary's update
/// win, and a secondary that gave a client its address back after the client released it
/// to the primary frees the lease the client now holds.
pub fn mine_is_better(
    role: Role,
    local: S,
    local_cltt: u64,
    incoming: S,
    incoming_cltt: u64,
) -> bool {
    match (local, incoming) {
        (S::Active, S::Active) if incoming_cltt != local_cltt => incoming_cltt < local_cltt,
        (S::Active, S::Active) => role == Role::Primary,
        (S::Active, S::Expired) => false,
        (S::Active, _) if incoming_cltt <= local_cltt => true,
        (_, S::Active) => false,
        _ => role == Role::Primary,
    }
}

/// A server's own free state: FREE for the primary, BACKUP for the secondary.
pub fn own_free(role: Role) -> S {
    match role {
        Role::Primary => S::Free,
        Role::Secondary => S::Backup,
    }
}

/// The partner's free state.
pub fn peer_free(role: Role) -> S {
    own_free(role.partner())
}

/// What the failover state allows for reallocating leases (from the state machine).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ownership {
    /// My role.
    pub role: Role,
    /// Whether my service state is partner-down.
    pub partner_down: bool,
    /// When my current state began.
    pub my_stos: u64,
    /// The MCLT in force.
    pub mclt: u32,
    /// The partner's lag behind our clock: its potential expirations (tsfp) come that much
    /// early by ours ([`crate::serve::failover::peer::Clocks::partner_lag`]).
    pub partner_lag: u64,
}

impl Ownership {
    /// Whether a lease in `state` (with rewind state `rewind` and `tsfp`) is mine to hand to
    /// a new client at `now` (ISC `lease_mine_to_reallocate`, digest §5.3).
    pub fn mine(&self, state: S, rewind: Option<S>, tsfp: u64, now: u64) -> bool {
        let tsfp = tsfp.saturating_add(self.partner_lag);
        let after_mclt = || {
            self.partner_down && self.my_stos.max(tsfp).saturating_add(u64::from(self.mclt)) < now
        };
        match state {
            S::Active => false,
            S::Free | S::Abandoned if self.role == Role::Primary => true,
            S::Free | S::Abandoned => after_mclt(),
            S::Backup if self.role == Role::Secondary => true,
            S::Backup => after_mclt(),
            S::Released | S::Expired if rewind == Some(own_free(self.role)) => true,
            S::Released | S::Expired | S::Reset => {
                self.partner_down
                    && reclaim_in_partner_down(self.my_stos, Some(tsfp), self.mclt) < now
            }
        }
    }
}

/// When a lease that ended (EXPIRED, RELEASED, RESET) may be handed to another client in
/// PARTNER-DOWN, entered at `stos`: MCLT after the later of `stos` and the partner's last
/// potential expiration that I acknowledged (`tsfp`). The partner clamps a lease it grants
/// to `tsfp + MCLT` (see [`clamp_lease_time`]), so while we were apart it may have renewed
/// this lease for its client up to then (a client that released it here may have asked the
/// partner for it again). ISC sets tsfp to `stos + MCLT` on entering partner-down and so may
/// hand out an address the partner's client still holds. Worked out when needed (tsfp is
/// left as the partner sent it), so entering partner-down again adds nothing.
pub fn reclaim_in_partner_down(stos: u64, tsfp: Option<u64>, mclt: u32) -> u64 {
    stos.max(tsfp.unwrap_or(0)).saturating_add(u64::from(mclt))
}

/// The lease time a failover pool may grant (ISC `ack_lease`, digest §8.2): the desired
/// time when it is within MCLT; MCLT when the partner has acknowledged nothing current
/// (`tsfp ≤ now`); otherwise no more than MCLT past what the partner acknowledged.
pub fn clamp_lease_time(desired: u32, mclt: u32, tsfp: u64, now: u64) -> u32 {
    if desired <= mclt {
        desired
    } else if tsfp <= now {
        mclt
    } else if now.saturating_add(u64::from(desired)) > tsfp.saturating_add(u64::from(mclt)) {
        u32::try_from(tsfp - now + u64::from(mclt)).unwrap_or(u32::MAX)
    } else {
        desired
    }
}

/// The potential expiration sent to the partner with an ACK: `now + desired + granted / 2`,
/// capped as ISC caps it (0x7FFFFFFE; an infinite lease, 0x7FFFFFFF).
pub fn tstp_after_ack(now: u64, desired: u32, granted: u32) -> u64 {
    if desired == u32::MAX {
        return 0x7FFF_FFFF;
    }
    now.saturating_add(u64::from(desired))
        .saturating_add(u64::from(granted / 2))
        .min(0x7FFF_FFFE)
}

/// The key of a lease's last client, as the load-balancing hash takes it (option 61, else
/// the hardware address without its type).
pub fn lease_hash_key<'a>(uid: Option<&'a [u8]>, hw: Option<&'a [u8]>) -> Option<&'a [u8]> {
    uid.or(hw).filter(|k| !k.is_empty())
}

/// Whether the partner would serve the lease's last client under `hba` (ISC
/// `peer_wants_lease`): the primary asks whether the bucket is the secondary's, and the
/// reverse. A lease without a client, or no HBA, belongs to nobody in particular.
pub fn peer_wants(role: Role, hba: Option<&[u8; HBA_LEN]>, key: Option<&[u8]>) -> bool {
    let (Some(hba), Some(key)) = (hba, key) else {
        return false;
    };
    let primary = primary_serves(hba, load_balance_hash(key));
    match role {
        Role::Primary => !primary,
        Role::Secondary => primary,
    }
}

/// Whether the secondary may take one more lease by MAC affinity (ISC
/// `secondary_not_hoarding`): `(free − backup) / 2 > −hold`, `hold` the ownership share.
pub fn secondary_not_hoarding(free: u64, backup: u64, max_lease_ownership: u32) -> bool {
    let total = i128::from(free) + i128::from(backup);
    let hold = (total * i128::from(max_lease_ownership) + 50) / 100;
    let lts = (i128::from(free) - i128::from(backup)) / 2;
    lts > -hold
}

#[cfg(test)]
mod tests;
