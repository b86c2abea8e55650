//! Wall-clock steps, seen against the boot clock: `date -s`, a VM resumed, a time
//! faker. The engine is told at once, so that the partner's clock, as it last read it, stays
//! where it was (see [`crate::serve::failover::peer::Clocks`]).

use std::time::{SystemTime, UNIX_EPOCH};

/// A step smaller than this is taken for the drift and jitter of one tick.
const LEAST_STEP_SECS: f64 = 2.0;

/// The wall clock and the boot clock at the last look.
#[derive(Debug, Clone, Copy)]
pub(super) struct ClockWatch {
    wall: f64,
    boot: f64,
}

/// CLOCK_BOOTTIME in seconds, by a raw system call: it never steps, keeps counting while
/// the host is suspended (CLOCK_MONOTONIC stops, and a resume would look like a step), and
/// a preloaded time faker does not shift it. `None` if the call fails.
fn boot() -> Option<f64> {
    // SAFETY: a zeroed timespec is valid; the syscall writes one timespec through the pointer.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    let rc = unsafe {
        libc::syscall(
            libc::SYS_clock_gettime,
            libc::CLOCK_BOOTTIME,
            std::ptr::addr_of_mut!(ts),
        )
    };
    (rc == 0).then(|| ts.tv_sec as f64 + f64::from(ts.tv_nsec as u32) / 1e9)
}

fn wall() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

impl ClockWatch {
    pub(super) fn new() -> ClockWatch {
        let wall = wall();
        ClockWatch {
            wall,
            boot: boot().unwrap_or(wall),
        }
    }

    /// The whole seconds the wall clock moved beyond the monotonic clock since the last
    /// look, if that is a step (at least [`LEAST_STEP_SECS`] either way).
    pub(super) fn step(&mut self) -> Option<i64> {
        let now = ClockWatch::new();
        let step = step_between(self.wall, self.boot, now.wall, now.boot);
        *self = now;
        step
    }
}

fn step_between(wall_then: f64, boot_then: f64, wall_now: f64, boot_now: f64) -> Option<i64> {
    let drift = (wall_now - wall_then) - (boot_now - boot_then);
    (drift.abs() >= LEAST_STEP_SECS).then(|| drift.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_is_the_wall_clock_moving_apart_from_the_boot_clock() {
        let (t, later) = (500.0, 501.0);
        assert_eq!(step_between(1_000.0, t, 1_001.0, later), None);
        assert_eq!(step_between(1_000.0, t, 1_002.5, later), None);
        assert_eq!(step_between(1_000.0, t, 1_051.0, later), Some(50));
        assert_eq!(step_between(1_000.0, t, 986.0, later), Some(-15));
        assert!(boot().is_some_and(|b| b > 0.0));
        let mut w = ClockWatch::new();
        assert_eq!(w.step(), None);
    }
}
