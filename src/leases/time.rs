//! Lease-file timestamps: `W YYYY/MM/DD HH:MM:SS` (UTC, weekday 0 = Sunday), `epoch N` and
//! `never`.

use std::fmt;

/// A point in time as ISC dhcpd writes it: UTC seconds since the Unix epoch.
///
/// [`Timestamp::NEVER`] stands for ISC's `never` (its `MAX_TIME`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub u64);

impl Timestamp {
    /// ISC's `never`: later than every real time.
    pub const NEVER: Timestamp = Timestamp(u64::MAX);

    /// The current time of the system clock (0 if the clock is before 1970).
    pub fn now() -> Timestamp {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Timestamp(secs)
    }

    /// Whether this is [`Timestamp::NEVER`].
    pub fn is_never(self) -> bool {
        self == Timestamp::NEVER
    }

    /// The UTC calendar fields: (weekday 0-6 from Sunday, year, month, day, hour, minute,
    /// second).
    pub fn civil(self) -> (u8, i64, u8, u8, u8, u8, u8) {
        let secs = self.0.min(i64::MAX as u64) as i64;
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        let weekday = (days + 4).rem_euclid(7) as u8; // 1970-01-01 was a Thursday.
        (
            weekday,
            year,
            month,
            day,
            (rem / 3600) as u8,
            (rem % 3600 / 60) as u8,
            (rem % 60) as u8,
        )
    }

    /// The timestamp of a UTC date and time, or `None` if a field is out of range.
    pub fn from_civil(year: i64, month: u8, day: u8, h: u8, m: u8, s: u8) -> Option<Timestamp> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        if h > 23 || m > 59 || s > 60 {
            return None;
        }
        let days = days_from_civil(year, month, day);
        let secs = days
            .checked_mul(86_400)?
            .checked_add(i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(s))?;
        u64::try_from(secs).ok().map(Timestamp)
    }

    /// The date as dhcp-lease-list shows it: `YYYY-MM-DD HH:MM:SS` (UTC); `never` for never.
    pub fn iso(self) -> String {
        if self.is_never() {
            return "never".into();
        }
        let (_, y, mo, d, h, mi, s) = self.civil();
        format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    }

    /// Parses the date and time words of ISC's form: `YYYY/MM/DD` and `HH:MM:SS`.
    /// The weekday that precedes them in a file is not checked, as ISC does not check it.
    pub fn parse_date_time(date: &str, time: &str) -> Option<Timestamp> {
        let mut d = date.split('/');
        let year: i64 = d.next()?.parse().ok()?;
        let month: u8 = d.next()?.parse().ok()?;
        let day: u8 = d.next()?.parse().ok()?;
        if d.next().is_some() {
            return None;
        }
        let mut t = time.split(':');
        let h: u8 = t.next()?.parse().ok()?;
        let m: u8 = t.next()?.parse().ok()?;
        let s: u8 = t.next()?.parse().ok()?;
        if t.next().is_some() {
            return None;
        }
        // ISC accepts two-digit years as 19xx.
        let year = if year < 70 {
            year + 2000
        } else if year < 100 {
            year + 1900
        } else {
            year
        };
        Timestamp::from_civil(year, month, day, h, m, s)
    }
}

/// ISC's text form without the final `;`: `0 2026/11/22 08:11:09`, or `never`.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_never() {
            return f.write_str("never");
        }
        let (w, y, mo, d, h, mi, s) = self.civil();
        write!(f, "{w} {y:04}/{mo:02}/{d:02} {h:02}:{mi:02}:{s:02}")
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates_format_like_isc() {
        // 2026-11-22 was a Sunday (ISC dhcpd wrote this very line).
        let t = Timestamp::parse_date_time("2026/11/22", "08:11:09").unwrap();
        assert_eq!(t.to_string(), "0 2026/11/22 08:11:09");
        assert_eq!(Timestamp(0).to_string(), "4 1970/01/01 00:00:00");
        assert_eq!(Timestamp(951_782_400).to_string(), "2 2000/02/29 00:00:00");
        assert_eq!(Timestamp::NEVER.to_string(), "never");
        assert_eq!(t.iso(), "2026-11-22 08:11:09");
    }

    #[test]
    fn every_day_for_centuries_round_trips() {
        let mut days = -1000;
        while days < 200_000 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
            days += 1;
        }
    }

    #[test]
    fn invalid_fields_are_refused() {
        assert!(Timestamp::parse_date_time("2026/02/29", "00:00:00").is_none());
        assert!(Timestamp::parse_date_time("2026/13/01", "00:00:00").is_none());
        assert!(Timestamp::parse_date_time("2026/01/01", "24:00:00").is_none());
        assert!(Timestamp::parse_date_time("2026/01", "00:00:00").is_none());
        assert!(Timestamp::parse_date_time("1969/12/31", "23:59:59").is_none());
        assert!(Timestamp::parse_date_time("x/1/1", "0:0:0").is_none());
        assert!(Timestamp::parse_date_time("2024/02/29", "12:00:00").is_some());
    }
}
