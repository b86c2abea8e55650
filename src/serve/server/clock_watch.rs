//! Wall-clock steps, seen against the monotonic clock: `date -s`, a VM resumed, a time
//! faker. The engine is told at once, so that the partner's clock, as it last read it, stays
//! where it was (see [`crate::serve::failover::peer::PartnerClock`]).

use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// A step smaller than this is taken for the drift and jitter of one tick.
const LEAST_STEP_SECS: f64 = 2.0;

/// The wall and monotonic clocks at the last look.
#[derive(Debug, Clone, Copy)]
pub(super) struct ClockWatch {
    wall: f64,
    mono: Instant,
}

fn wall() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

impl ClockWatch {
    pub(super) fn new() -> ClockWatch {
        ClockWatch {
            wall: wall(),
            mono: Instant::now(),
        }
    }

    /// The whole seconds the wall clock moved beyond the monotonic clock since the last
    /// look, if that is a step (at least [`LEAST_STEP_SECS`] either way).
    pub(super) fn step(&mut self) -> Option<i64> {
        let now = ClockWatch::new();
        let step = step_between(self.wall, self.mono, now.wall, now.mono);
        *self = now;
        step
    }
}

fn step_between(
    wall_then: f64,
    mono_then: Instant,
    wall_now: f64,
    mono_now: Instant,
) -> Option<i64> {
    let drift = (wall_now - wall_then) - mono_now.duration_since(mono_then).as_secs_f64();
    (drift.abs() >= LEAST_STEP_SECS).then(|| drift.round() as i64)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_step_is_the_wall_clock_moving_apart_from_the_monotonic_one() {
        let t = Instant::now();
        let later = t + Duration::from_secs(1);
        assert_eq!(step_between(1_000.0, t, 1_001.0, later), None);
        assert_eq!(step_between(1_000.0, t, 1_002.5, later), None);
        assert_eq!(step_between(1_000.0, t, 1_051.0, later), Some(50));
        assert_eq!(step_between(1_000.0, t, 986.0, later), Some(-15));
        let mut w = ClockWatch::new();
        assert_eq!(w.step(), None);
    }
}
