//! Clock trouble, read off the failover link and our own wall clock. Every failover message
//! carries its sender's time, so the partner's lead over our clock is known within a second
//! or two; a step of our own wall clock is seen against the monotonic clock (in the server
//! loop). ISC corrects for neither. dhcpfo uses both to never end a lease early: an end is
//! written in the clock of the peer that granted it, at the time it granted it
//! ([`Clocks::expiry_hold`]).

/// The most a partner's lag holds leases back (an hour): a partner clock further off than
/// that is broken (ISC refuses 60 s at connection), and leases must still end.
pub const MOST_PARTNER_LAG: u64 = 3600;

/// Steps of our own clock, and changes of the partner's lag, remembered (the oldest is
/// forgotten first).
const STEPS_KEPT: usize = 64;

/// A lag under this is taken for the rounding of whole-second times and for transit time:
/// with clocks in step, the hold stays 0.
const LEAST_LAG: u64 = 2;

/// The partner's clock as its last message showed it, and our own clock's forward steps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Clocks {
    /// The partner's time in a message, and our time when it arrived.
    sample: Option<(u64, u64)>,
    /// Our forward steps: our time just after the step, and its size.
    forward_steps: Vec<(u64, u64)>,
    /// The partner's lag each time it changed: from when (our time), and the lag.
    lags: Vec<(u64, u64)>,
}

impl Clocks {
    /// A message with the partner's time `theirs` arrived at our time `now` (a time of 0
    /// says nothing). Transit time makes the partner look further behind than it is, which
    /// only makes the hold longer.
    pub fn observe(&mut self, theirs: u32, now: u64) {
        if theirs != 0 {
            self.sample = Some((u64::from(theirs), now));
            self.note_lag(now);
        }
    }

    /// Remembers the partner's lag from `now` on, if it changed.
    fn note_lag(&mut self, now: u64) {
        let lag = self.partner_lag();
        if self.lags.last().map_or(0, |l| l.1) != lag {
            if self.lags.len() == STEPS_KEPT {
                self.lags.remove(0);
            }
            self.lags.push((now, lag));
        }
    }

    /// Our wall clock was stepped by `by` seconds, and reads `now` after the step: the
    /// partner's clock stays where it was, and a forward step is remembered.
    pub fn stepped(&mut self, by: i64, now: u64) {
        if let Some((_, mine)) = self.sample.as_mut() {
            *mine = mine.saturating_add_signed(by);
        }
        self.note_lag(now);
        if by > 0 {
            if self.forward_steps.len() == STEPS_KEPT {
                self.forward_steps.remove(0);
            }
            self.forward_steps.push((now, by.unsigned_abs()));
        }
    }

    /// How far the partner's clock is ahead of ours (negative: behind); 0 before any
    /// message.
    pub fn lead(&self) -> i64 {
        self.sample.map_or(0, |(theirs, mine)| {
            i64::try_from(i128::from(theirs) - i128::from(mine)).unwrap_or(0)
        })
    }

    /// The partner's lag behind our clock (0 when it is not behind by [`LEAST_LAG`] or
    /// more), at most [`MOST_PARTNER_LAG`]: a time the partner wrote (a lease end it
    /// granted, a potential expiration) comes that much early by our clock.
    pub fn partner_lag(&self) -> u64 {
        let lag = self.lead().min(0).unsigned_abs().min(MOST_PARTNER_LAG);
        if lag < LEAST_LAG { 0 } else { lag }
    }

    /// The largest lag of the partner since `starts` (a lease's start, in the partner's
    /// clock for a lease it granted): a lease granted while the partner was behind keeps
    /// an early end after its clock is put right. A lag that ended before `starts` by our
    /// clock does not count (a partner behind wrote `starts` earlier than our clock read).
    pub fn partner_lag_since(&self, starts: u64) -> u64 {
        let ended_after = |i: usize| self.lags.get(i + 1).is_none_or(|next| next.0 > starts);
        self.lags
            .iter()
            .enumerate()
            .filter(|(i, _)| ended_after(*i))
            .map(|(_, l)| l.1)
            .max()
            .unwrap_or(0)
            .max(self.partner_lag())
    }

    /// The sum of our forward steps since `starts` (a lease's start): an end written by
    /// our clock before a step comes that much early after it. A lease granted after the
    /// step starts at or after the step's time and is not held.
    pub fn steps_since(&self, starts: u64) -> u64 {
        self.forward_steps
            .iter()
            .filter(|(at, _)| starts < *at)
            .map(|(_, by)| by)
            .sum()
    }

    /// How much later than its end a lease that started at `starts` is expired here: the
    /// partner's lag if its end is in the partner's clock, our forward steps since it
    /// started if its end is in our clock from before them; the larger of the two, since
    /// which clock wrote the end is not recorded. Either may hold a lease longer than
    /// needed, which only keeps its address out of use for that long.
    pub fn expiry_hold(&self, starts: u64) -> u64 {
        self.partner_lag_since(starts).max(self.steps_since(starts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partner_behind_holds_leases_by_its_lag_and_a_step_of_ours_counts_at_once() {
        let mut c = Clocks::default();
        assert_eq!((c.lead(), c.partner_lag()), (0, 0));
        c.observe(1_000, 1_000);
        assert_eq!((c.lead(), c.partner_lag()), (0, 0));
        // Our clock jumps 50 s ahead: the partner is now 50 s behind, before it says a word.
        c.stepped(50, 1_050);
        assert_eq!((c.lead(), c.partner_lag()), (-50, 50));
        // Its next message agrees.
        c.observe(1_010, 1_060);
        assert_eq!((c.lead(), c.partner_lag()), (-50, 50));
        // A partner ahead of us holds nothing.
        c.observe(1_100, 1_070);
        assert_eq!((c.lead(), c.partner_lag()), (30, 0));
        // A message without a time changes nothing.
        c.observe(0, 2_000);
        assert_eq!(c.lead(), 30);
        // A partner clock far off holds leases an hour at most.
        c.observe(1, 2_000_000_000);
        assert_eq!(c.partner_lag(), MOST_PARTNER_LAG);
    }

    #[test]
    fn a_second_of_rounding_or_transit_is_no_lag() {
        let mut c = Clocks::default();
        c.observe(999, 1_000);
        assert_eq!((c.lead(), c.partner_lag(), c.expiry_hold(0)), (-1, 0, 0));
        c.observe(998, 1_000);
        assert_eq!(c.partner_lag(), 2);
    }

    #[test]
    fn a_lease_granted_while_the_partner_was_behind_keeps_its_hold_after_the_partner_is_put_right()
    {
        let mut c = Clocks::default();
        c.observe(950, 1_000);
        assert_eq!(c.partner_lag(), 50);
        // Granted by the partner at its 960 (our 1010); its clock is put right at our 1030.
        c.observe(1_030, 1_030);
        assert_eq!(c.partner_lag(), 0);
        assert_eq!(c.expiry_hold(960), 50, "granted while behind");
        assert_eq!(c.expiry_hold(1_040), 0, "granted after the correction");
    }

    #[test]
    fn a_forward_step_holds_the_leases_that_started_before_it() {
        let mut c = Clocks::default();
        c.stepped(-15, 985);
        assert_eq!(
            c.steps_since(0),
            0,
            "a backward step makes ends late, not early"
        );
        // Behind by 15 s, then put right: a lease that started before holds 15 s more.
        c.stepped(15, 1_020);
        assert_eq!(c.steps_since(990), 15);
        assert_eq!(c.steps_since(1_020), 0);
        assert_eq!(c.steps_since(1_030), 0);
        c.stepped(50, 1_100);
        assert_eq!(c.expiry_hold(1_000), 65);
        assert_eq!(c.expiry_hold(1_050), 50);
        // With the partner 80 s behind, the larger of the two.
        c.observe(1_020, 1_100);
        assert_eq!(c.expiry_hold(1_000), 80);
        assert_eq!(c.expiry_hold(1_200), 80);
    }
}
