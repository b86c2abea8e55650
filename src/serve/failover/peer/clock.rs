//! The partner's clock as this server sees it: every failover message carries its sender's
//! time, so the difference to our own clock (its lead) is known within a second or two.
//! ISC does no clock-skew correction at all; dhcpfo uses the lead in one place, where a
//! partner whose clock is behind ours would otherwise make us end its clients' leases
//! early: a lease the partner granted ends, in its own clock, at a time that is earlier in
//! ours by the lead ([`PartnerClock::expiry_delay`]).

/// The last reading of the partner's clock.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PartnerClock {
    /// The partner's time in a message, and our time when it arrived.
    sample: Option<(u64, u64)>,
}

impl PartnerClock {
    /// A message with the partner's time `theirs` arrived at our time `now` (a time of 0
    /// says nothing). Transit time makes the partner look further behind than it is, which
    /// only makes [`PartnerClock::expiry_delay`] longer.
    pub fn observe(&mut self, theirs: u32, now: u64) {
        if theirs != 0 {
            self.sample = Some((u64::from(theirs), now));
        }
    }

    /// Our wall clock was stepped by `by` seconds (seen against the monotonic clock): the
    /// reading keeps the partner's clock where it is.
    pub fn stepped(&mut self, by: i64) {
        if let Some((_, mine)) = self.sample.as_mut() {
            *mine = mine.saturating_add_signed(by);
        }
    }

    /// How far the partner's clock is ahead of ours (negative: behind); 0 before any
    /// message.
    pub fn lead(&self) -> i64 {
        self.sample.map_or(0, |(theirs, mine)| {
            i64::try_from(i128::from(theirs) - i128::from(mine)).unwrap_or(0)
        })
    }

    /// How much later than its end an active lease is expired here: the partner's lag
    /// behind our clock (0 when it is not behind). A lease the partner granted carries an
    /// end in the partner's clock; with a partner behind us by N seconds, that end comes N
    /// seconds early by ours. Leases we granted are then held N seconds longer than needed,
    /// which only keeps their addresses out of use for that long.
    pub fn expiry_delay(&self) -> u64 {
        self.lead().min(0).unsigned_abs()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partner_behind_delays_expiries_by_its_lag_and_a_step_of_ours_counts_at_once() {
        let mut c = PartnerClock::default();
        assert_eq!((c.lead(), c.expiry_delay()), (0, 0));
        c.observe(1_000, 1_000);
        assert_eq!((c.lead(), c.expiry_delay()), (0, 0));
        // Our clock jumps 50 s ahead: the partner is now 50 s behind, before it says a word.
        c.stepped(50);
        assert_eq!((c.lead(), c.expiry_delay()), (-50, 50));
        // Its next message agrees.
        c.observe(1_010, 1_060);
        assert_eq!((c.lead(), c.expiry_delay()), (-50, 50));
        // A partner ahead of us delays nothing.
        c.observe(1_100, 1_070);
        assert_eq!((c.lead(), c.expiry_delay()), (30, 0));
        // A message without a time changes nothing.
        c.observe(0, 2_000);
        assert_eq!(c.lead(), 30);
    }
}
