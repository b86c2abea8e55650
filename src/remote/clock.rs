//! The peers' clocks compared over SSH. ISC dhcpd refuses a failover connection when the
//! partner's clock is too far off ("time offset too large").

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::{Connection, RemoteError};

/// Above this many seconds apart, the clocks are an error.
pub(crate) const ERROR_SECONDS: f64 = 60.0;
/// Above this many seconds apart, the clocks are a warning.
pub(crate) const WARNING_SECONDS: f64 = 5.0;

/// How far apart the two clocks are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Within 5 s.
    Ok,
    /// More than 5 s.
    Warning,
    /// More than 60 s.
    Error,
}

/// Judges the distance between the clocks, in seconds.
pub(crate) fn verdict(skew: f64) -> Verdict {
    let skew = skew.abs();
    if skew > ERROR_SECONDS {
        Verdict::Error
    } else if skew > WARNING_SECONDS {
        Verdict::Warning
    } else {
        Verdict::Ok
    }
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The peer's clock minus the local clock, in seconds, measured at the midpoint of the round
/// trip (so the error is at most half the round trip).
pub(crate) fn offset(conn: &Connection) -> Result<f64, RemoteError> {
    let before = now();
    let out = conn.run("reading the clock", "date -u +%s.%N")?;
    let after = now();
    let text = String::from_utf8_lossy(&out.stdout);
    let remote: f64 = text.trim().parse().map_err(|_| RemoteError::Command {
        peer: conn.target.peer().into(),
        action: "reading the clock".into(),
        command: "date -u +%s.%N".into(),
        status: 0,
        detail: format!("unexpected output {:?}", text.trim()),
    })?;
    Ok(remote - (before + after) / 2.0)
}

/// The peer's clock minus the local clock from a reading `remote` (seconds since the epoch)
/// that the peer printed as the first output of a command sent at `sent` whose first output
/// arrived at `first`: the reading is taken as made halfway between the two.
pub(crate) fn offset_from(remote: f64, sent: std::time::Instant, first: std::time::Instant) -> f64 {
    let now_instant = std::time::Instant::now();
    let now_wall = now();
    let at = |i: std::time::Instant| now_wall - now_instant.duration_since(i).as_secs_f64();
    remote - (at(sent) + at(first)) / 2.0
}

/// The peers' clock difference (primary minus secondary) from their offsets to this machine.
pub(crate) fn skew(primary_offset: f64, secondary_offset: f64) -> f64 {
    primary_offset - secondary_offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_follow_isc() {
        assert_eq!(verdict(0.3), Verdict::Ok);
        assert_eq!(verdict(-5.0), Verdict::Ok);
        assert_eq!(verdict(5.5), Verdict::Warning);
        assert_eq!(verdict(-60.5), Verdict::Error);
        assert_eq!(skew(100.0, 30.0), 70.0);
    }
}
